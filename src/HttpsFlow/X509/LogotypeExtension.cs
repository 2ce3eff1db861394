using System.Formats.Asn1;

namespace HttpsFlow.X509;

/// <summary>
/// logotype (RFC 3709 §4.1, a module of IMPLICIT TAGS): the logos of the issuer, the subject or a community, each
/// given directly (images and audio with their hashes and URIs) or by reference:
/// <code>
/// LogotypeExtn ::= SEQUENCE {
///    communityLogos  [0] EXPLICIT SEQUENCE OF LogotypeInfo OPTIONAL,
///    issuerLogo      [1] EXPLICIT LogotypeInfo OPTIONAL,
///    subjectLogo     [2] EXPLICIT LogotypeInfo OPTIONAL,
///    otherLogos      [3] EXPLICIT SEQUENCE OF OtherLogotypeInfo OPTIONAL }
/// LogotypeInfo ::= CHOICE { direct [0] LogotypeData, indirect [1] LogotypeReference }
/// LogotypeData ::= SEQUENCE { image SEQUENCE OF LogotypeImage OPTIONAL, audio [1] SEQUENCE OF LogotypeAudio OPTIONAL }
/// LogotypeImage ::= SEQUENCE { imageDetails LogotypeDetails, imageInfo LogotypeImageInfo OPTIONAL }
/// LogotypeAudio ::= SEQUENCE { audioDetails LogotypeDetails, audioInfo LogotypeAudioInfo OPTIONAL }
/// LogotypeDetails ::= SEQUENCE {
///    mediaType       IA5String,
///    logotypeHash    SEQUENCE SIZE (1..MAX) OF HashAlgAndValue,
///    logotypeURI     SEQUENCE SIZE (1..MAX) OF IA5String }
/// LogotypeReference ::= SEQUENCE {
///    refStructHash   SEQUENCE SIZE (1..MAX) OF HashAlgAndValue,
///    refStructURI    SEQUENCE SIZE (1..MAX) OF IA5String }
/// HashAlgAndValue ::= SEQUENCE { hashAlg AlgorithmIdentifier, hashValue OCTET STRING }
/// OtherLogotypeInfo ::= SEQUENCE { logotypeType OBJECT IDENTIFIER, info LogotypeInfo }
/// </code>
/// What is kept is what tshark shows of it among HttpsFlow's fields: the hash algorithms, and the URIs.
/// </summary>
public sealed class LogotypeExtension : ParsedExtension
{
    private LogotypeExtension(IReadOnlyList<AlgorithmIdentifier> hashAlgorithms, IReadOnlyList<string> uris)
    {
        HashAlgorithms = hashAlgorithms;
        Uris = uris;
    }

    /// <summary>Every HashAlgAndValue's hashAlg, in encoding order.</summary>
    public IReadOnlyList<AlgorithmIdentifier> HashAlgorithms { get; }

    /// <summary>Every logotypeURI and refStructURI, in encoding order.</summary>
    public IReadOnlyList<string> Uris { get; }

    public override string ToString() => string.Join(", ", Uris);

    private static Asn1Tag Context(int n) => new(TagClass.ContextSpecific, n, true);

    internal static ParsedExtension? Parse(ref ValueReader r, byte[] der)
    {
        var reader = new Reader(der);
        if (!r.Sequence("LogotypeExtn", out var seq)) return null;
        var extn = r.Enter(seq);
        for (int n = 0; n <= 3 && extn.HasData; n++)
        {
            if (!extn.NextIs(Context(n))) continue;
            if (!extn.Read("LogotypeExtn", Context(n), out var t)) return null;
            var inner = extn.Enter(t);
            bool ok = n switch
            {
                0 => reader.SequenceOf(ref inner, "communityLogos", (ref ValueReader x, Reader rd) => rd.Info(ref x)),
                3 => reader.SequenceOf(ref inner, "otherLogos", (ref ValueReader x, Reader rd) => rd.OtherInfo(ref x)),
                _ => reader.Info(ref inner),
            };
            if (!ok || !inner.ExpectEnd("LogotypeInfo")) return null;
        }
        if (!extn.ExpectEnd("LogotypeExtn") || !r.ExpectEnd("LogotypeExtn")) return null;
        return new LogotypeExtension(reader.Hashes, reader.Uris);
    }

    private delegate bool Item(ref ValueReader r, Reader reader);

    private sealed class Reader(byte[] der)
    {
        public readonly List<AlgorithmIdentifier> Hashes = [];
        public readonly List<string> Uris = [];

        /// <summary>SEQUENCE OF something, each read by <paramref name="item"/>.</summary>
        public bool SequenceOf(ref ValueReader r, string what, Item item)
        {
            if (!r.Sequence(what, out var seq)) return false;
            var list = r.Enter(seq);
            while (list.HasData)
                if (!item(ref list, this)) return false;
            return true;
        }

        /// <summary>LogotypeInfo: direct [0] LogotypeData or indirect [1] LogotypeReference (both IMPLICIT).</summary>
        public bool Info(ref ValueReader r)
        {
            if (!r.Read("LogotypeInfo", out var t)) return false;
            var inner = r.Enter(t);
            if (t.Tag.HasSameClassAndValue(Context(0)) && t.Tag.IsConstructed)
            {
                // LogotypeData: image SEQUENCE OF LogotypeImage OPTIONAL, audio [1] SEQUENCE OF LogotypeAudio OPTIONAL
                if (inner.NextIs(Asn1Tag.Sequence) && !SequenceOf(ref inner, "image", (ref ValueReader x, Reader rd) => rd.Media(ref x)))
                    return false;
                if (inner.NextIs(Context(1)))
                {
                    if (!inner.Read("audio", Context(1), out var audio)) return false;
                    var list = inner.Enter(audio);
                    while (list.HasData)
                        if (!Media(ref list)) return false;
                }
                return inner.ExpectEnd("LogotypeData");
            }
            if (t.Tag.HasSameClassAndValue(Context(1)) && t.Tag.IsConstructed)
            {
                // LogotypeReference: refStructHash, refStructURI
                return SequenceOf(ref inner, "refStructHash", (ref ValueReader x, Reader rd) => rd.HashAlgAndValue(ref x))
                       && SequenceOf(ref inner, "refStructURI", (ref ValueReader x, Reader rd) => rd.Uri(ref x))
                       && inner.ExpectEnd("LogotypeReference");
            }
            return r.Fail($"LogotypeInfo: expected direct [0] or indirect [1], found {ValueReader.Describe(t.Tag)}", t.Range);
        }

        public bool OtherInfo(ref ValueReader r)
        {
            if (!r.Sequence("OtherLogotypeInfo", out var seq)) return false;
            var inner = r.Enter(seq);
            return inner.Oid("logotypeType", out _, out _) && Info(ref inner) && inner.ExpectEnd("OtherLogotypeInfo");
        }

        /// <summary>LogotypeImage or LogotypeAudio: the details, then info that holds no hash.</summary>
        public bool Media(ref ValueReader r)
        {
            if (!r.Sequence("LogotypeImage", out var seq)) return false;
            var inner = r.Enter(seq);
            if (!inner.Sequence("LogotypeDetails", out var detailsTlv)) return false;
            var details = inner.Enter(detailsTlv);
            if (!details.Read("mediaType", new Asn1Tag(UniversalTagNumber.IA5String), out _)) return false;
            return SequenceOf(ref details, "logotypeHash", (ref ValueReader x, Reader rd) => rd.HashAlgAndValue(ref x))
                   && SequenceOf(ref details, "logotypeURI", (ref ValueReader x, Reader rd) => rd.Uri(ref x))
                   && details.ExpectEnd("LogotypeDetails");
        }

        public bool HashAlgAndValue(ref ValueReader r)
        {
            if (!r.Sequence("HashAlgAndValue", out var seq)) return false;
            var inner = r.Enter(seq);
            var hash = AlgorithmReader.Read(ref inner, der, "hashAlg");
            if (hash is null) return false;
            Hashes.Add(hash);
            return inner.Read("hashValue", Asn1Tag.PrimitiveOctetString, out _) && inner.ExpectEnd("HashAlgAndValue");
        }

        public bool Uri(ref ValueReader r)
        {
            if (!r.Read("logotypeURI", new Asn1Tag(UniversalTagNumber.IA5String), out var t)) return false;
            if (!r.String("logotypeURI", t, UniversalTagNumber.IA5String, out string uri)) return false;
            Uris.Add(uri);
            return true;
        }
    }
}
