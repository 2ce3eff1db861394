using HttpsFlow.Common;

namespace HttpsFlow.X509;

/// <summary>
/// An expert note about a certificate (damaged DER, a rule of RFC 5280 broken, an extension that could not be
/// read) with the bytes it is about. Parsing never throws: what it cannot read becomes one of these.
/// </summary>
/// <param name="Note">Severity, group ("Malformed", "Protocol", "Undecoded"), protocol (x509af, x509ce, x509if,
/// x509sat, pkcs1, tls) and text, as Wireshark's expert info has them.</param>
/// <param name="Range">The bytes concerned, relative to the certificate's DER; empty when the note is about the
/// certificate as a whole.</param>
public readonly record struct CertificateNote(ExpertNote Note, ByteRange Range)
{
    public Severity Severity => Note.Severity;

    public string Message => Note.Message;

    public override string ToString() => $"{Note.Severity}/{Note.Group} [{Note.Protocol}] {Note.Message} (bytes {Range})";
}
