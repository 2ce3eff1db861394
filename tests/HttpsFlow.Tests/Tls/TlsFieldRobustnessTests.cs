using HttpsFlow.Fields;
using static HttpsFlow.Tests.Tls.TlsFieldHarness;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// Malformed TLS messages and extensions, as hex, through the whole fields path (dissector, TLS store, field emitter):
/// nothing throws, the fields read before the damage are there, and damage the parsers call an error becomes an
/// Error note (group Malformed, protocol tls) on the frame.
/// </summary>
public class TlsFieldRobustnessTests
{
    [Fact]
    public void CipherSuitesLongerThanTheMessage()
    {
        var body = (byte[])[.. HelloStart(), 0xff, 0xff, 0x13, 0x01];
        var (set, tlsError) = Dissect(Record(22, Message(1, body))).Single();
        Assert.Equal(["1"], Values(set, TlsFields.HandshakeType));
        Assert.Equal(["65535"], Values(set, TlsFields.CipherSuitesLength));
        Assert.Empty(Values(set, TlsFields.Ja3));
        Assert.True(tlsError);
    }

    [Fact]
    public void HelloCutInsideTheRandom()
    {
        var (set, tlsError) = Dissect(Record(22, Message(1, [0x03, 0x03, 1, 2, 3]))).Single();
        Assert.Equal(["0x0303"], Values(set, TlsFields.Version));
        Assert.Empty(Values(set, TlsFields.Random));
        Assert.True(tlsError);
    }

    [Fact]
    public void ExtensionLongerThanItsBlock()
    {
        // cipher suites <0x1301>, compression <0>, extensions block of 6: server_name declaring 255 bytes, 2 present.
        var body = (byte[])[.. HelloStart(), 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00];
        var (set, tlsError) = Dissect(Record(22, Message(1, body))).Single();
        Assert.Equal(["1"], Values(set, TlsFields.HandshakeType));
        Assert.Equal(["0x1301"], Values(set, TlsFields.CipherSuite));
        Assert.Equal(["0"], Values(set, TlsFields.CompMethod));
        Assert.True(tlsError);
    }

    [Fact]
    public void ZeroLengthVectorsEverywhere()
    {
        // No cipher suites, no compression methods, an empty extensions block; then an ALPN list with an empty name
        // and a server_name with an empty list.
        var empty = (byte[])[.. HelloStart(), 0x00, 0x00, 0x00, 0x00, 0x00];
        var (set, _) = Dissect(Record(22, Message(1, empty))).Single();
        Assert.Equal(["0"], Values(set, TlsFields.CipherSuitesLength));
        Assert.Equal(["0"], Values(set, TlsFields.CompMethodsLength));
        var odd = (byte[])[.. HelloStart(), 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x0e,
            0x00, 0x10, 0x00, 0x03, 0x00, 0x01, 0x00,   // ALPN: list of 1 byte holding an empty name
            0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00];  // server_name: an empty list and a stray byte
        (set, _) = Dissect(Record(22, Message(1, odd))).Single();
        Assert.Equal(["16", "0"], Values(set, TlsFields.ExtensionType));
        Assert.Equal(["1"], Values(set, TlsFields.AlpnLen));
    }

    [Fact]
    public void CertificateLengthsOverrunAndGarbageDer()
    {
        // A certificate list declaring more than there is, and a "certificate" that is not DER.
        var body = (byte[])[0x00, 0x00, 0x20, 0x00, 0x00, 0x05, 0x30, 0x82, 0xff, 0xff, 0x01];
        var server = Record(22, Message(11, body));
        var frames = Dissect(Record(22, Message(1, [.. HelloStart(), 0x00, 0x02, 0x13, 0x01, 0x01, 0x00])), server);
        var (set, tlsError) = frames[1];
        Assert.Equal(["11"], Values(set, TlsFields.HandshakeType));
        Assert.Equal(["32"], Values(set, TlsFields.CertificatesLength));
        Assert.Empty(Values(set, X509Fields.SerialNumber));
        Assert.True(tlsError);
    }

    [Fact]
    public void EveryTruncationOfARealHandshakeIsSafe()
    {
        // The sample's ClientHello record, and then its handshake message declared longer than it is, cut at every length.
        var hello = Convert.FromHexString("16030100c4010000c00303" + new string('a', 64) + "00000813011302130300ff01000091000000160014000011746573742e6874747073666c6f77000a00080006001d00170018000d0014001204030804040105030805050108060601020100100008000602683208687474702f312e31002b0003020304003300260024001d0020" + new string('b', 64) + "002d00020101");
        for (int cut = 6; cut < hello.Length; cut += 3)
        {
            var fragment = hello[5..cut];
            var (set, _) = Dissect(Record(22, fragment)).Single();
            Assert.Contains("tls", Values(set, TlsFields.Tls));
        }
    }
}
