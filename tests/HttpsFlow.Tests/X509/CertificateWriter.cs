using System.Formats.Asn1;

namespace HttpsFlow.Tests.X509;

/// <summary>
/// Writes certificates field by field with AsnWriter, unsigned (the signature is a placeholder), so that a test can
/// state exactly which rule of RFC 5280 a certificate breaks. Every part can be replaced by raw bytes.
/// </summary>
internal sealed class CertificateWriter
{
    public int? Version { get; set; } = 2;
    /// <summary>The serial INTEGER's contents: two's complement, minimally encoded.</summary>
    public byte[] Serial { get; set; } = [0x01, 0x02];
    public string SignatureOid { get; set; } = "1.2.840.10045.4.3.2";
    public string? OuterSignatureOid { get; set; }
    public List<(string Oid, UniversalTagNumber Type, string Value)> Issuer { get; set; } = [("2.5.4.3", UniversalTagNumber.UTF8String, "Issuer")];
    public List<(string Oid, UniversalTagNumber Type, string Value)> Subject { get; set; } = [("2.5.4.3", UniversalTagNumber.UTF8String, "subject.example")];
    /// <summary>Raw TLVs of notBefore and notAfter.</summary>
    public byte[] NotBefore { get; set; } = Time(UniversalTagNumber.UtcTime, "260601000000Z");
    public byte[] NotAfter { get; set; } = Time(UniversalTagNumber.UtcTime, "360601000000Z");
    /// <summary>Raw SubjectPublicKeyInfo; an EC P-256 key by default.</summary>
    public byte[]? PublicKeyInfo { get; set; }
    public List<(string Oid, bool Critical, byte[] Value)> Extensions { get; set; } = [];
    /// <summary>Raw attribute values for the subject, after <see cref="Subject"/>: (OID, value TLV).</summary>
    public List<(string Oid, byte[] Value)> RawSubjectAttributes { get; set; } = [];
    public byte[] Signature { get; set; } = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01];
    public int SignatureUnusedBits { get; set; }

    public static byte[] Time(UniversalTagNumber type, string text)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        return [(byte)type, (byte)bytes.Length, .. bytes];
    }

    public static byte[] EcPublicKeyInfo(byte[]? parameters = null)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier("1.2.840.10045.2.1");
                if (parameters is null) w.WriteObjectIdentifier("1.2.840.10045.3.1.7");
                else w.WriteEncodedValue(parameters);
            }
            var point = new byte[65];
            point[0] = 4;
            for (int i = 1; i < point.Length; i++) point[i] = (byte)i;
            w.WriteBitString(point);
        }
        return w.Encode();
    }

    public byte[] Encode()
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            using (w.PushSequence())
            {
                if (Version is { } v)
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
                        w.WriteInteger(v);
                w.WriteInteger(Serial); // two's complement, as given (minimal)
                Algorithm(w, SignatureOid);
                Name(w, Issuer, []);
                using (w.PushSequence())
                {
                    w.WriteEncodedValue(NotBefore);
                    w.WriteEncodedValue(NotAfter);
                }
                Name(w, Subject, RawSubjectAttributes);
                w.WriteEncodedValue(PublicKeyInfo ?? EcPublicKeyInfo());
                if (Extensions.Count > 0)
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3, true)))
                    using (w.PushSequence())
                        foreach (var (oid, critical, value) in Extensions)
                            using (w.PushSequence())
                            {
                                w.WriteObjectIdentifier(oid);
                                if (critical) w.WriteBoolean(true);
                                w.WriteOctetString(value);
                            }
            }
            Algorithm(w, OuterSignatureOid ?? SignatureOid);
            w.WriteBitString(Signature, SignatureUnusedBits);
        }
        return w.Encode();
    }

    private static void Algorithm(AsnWriter w, string oid)
    {
        using (w.PushSequence()) w.WriteObjectIdentifier(oid);
    }

    private static void Name(AsnWriter w, List<(string Oid, UniversalTagNumber Type, string Value)> attributes, List<(string Oid, byte[] Value)> raw)
    {
        using (w.PushSequence())
        {
            foreach (var (oid, type, value) in attributes)
                using (w.PushSetOf())
                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier(oid);
                    // Written raw: characters outside a type's set can be tested, and AsnWriter has no UniversalString.
                    var bytes = type switch
                    {
                        UniversalTagNumber.UTF8String => System.Text.Encoding.UTF8.GetBytes(value),
                        UniversalTagNumber.BMPString => System.Text.Encoding.BigEndianUnicode.GetBytes(value),
                        UniversalTagNumber.UniversalString => new System.Text.UTF32Encoding(true, false).GetBytes(value),
                        _ => System.Text.Encoding.Latin1.GetBytes(value),
                    };
                    w.WriteEncodedValue([(byte)type, (byte)bytes.Length, .. bytes]);
                }
            foreach (var (oid, value) in raw)
                using (w.PushSetOf())
                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier(oid);
                    w.WriteEncodedValue(value);
                }
        }
    }
}
