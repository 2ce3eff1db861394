using System.Formats.Asn1;
using HttpsFlow.X509;

namespace HttpsFlow.Tests.X509;

/// <summary>
/// Stapled OCSP responses (RFC 6960 §4.2.1) read by <see cref="OcspResponse"/>, and the X.509 fields tshark shows
/// inside them; the logotype extension's hash algorithms; certificate-authority names; SCT lists. Responses are built
/// with AsnWriter so each test shows its structure; damaged ones are named hex vectors. Nothing may throw.
/// </summary>
public class OcspResponseTests
{
    private const string Sha1 = "1.3.14.3.2.26";
    private const string Sha256WithRsa = "1.2.840.113549.1.1.11";
    private static readonly Asn1Tag Ctx0 = new(TagClass.ContextSpecific, 0, true);
    private static readonly Asn1Tag Ctx1 = new(TagClass.ContextSpecific, 1, true);
    private static readonly Asn1Tag Ctx2 = new(TagClass.ContextSpecific, 2, true);

    /// <summary>An OCSPResponse: successful, id-pkix-ocsp-basic, the BasicOCSPResponse that <paramref name="basic"/> writes.</summary>
    private static byte[] Response(Action<AsnWriter> basic)
    {
        var inner = new AsnWriter(AsnEncodingRules.DER);
        basic(inner);
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteEncodedValue([0x0a, 0x01, 0x00]); // responseStatus successful
            using (w.PushSequence(Ctx0))
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier(OcspResponse.BasicResponseType);
                w.WriteOctetString(inner.Encode());
            }
        }
        return w.Encode();
    }

    private static void Algorithm(AsnWriter w, string oid)
    {
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(oid);
            w.WriteNull();
        }
    }

    /// <summary>A BasicOCSPResponse: responder by key or by name, one good SingleResponse, optional extensions and certs.</summary>
    private static Action<AsnWriter> Basic(bool byName = false, byte[]? singleExtensions = null, byte[]? responseExtensions = null, byte[][]? certs = null) => w =>
    {
        using (w.PushSequence())
        {
            using (w.PushSequence()) // tbsResponseData
            {
                if (byName)
                {
                    using (w.PushSequence(Ctx1))
                    using (w.PushSequence())
                    {
                        using (w.PushSetOf())
                        using (w.PushSequence())
                        {
                            w.WriteObjectIdentifier("2.5.4.6");
                            w.WriteCharacterString(UniversalTagNumber.PrintableString, "US");
                        }
                        using (w.PushSetOf())
                        using (w.PushSequence())
                        {
                            w.WriteObjectIdentifier("2.5.4.3");
                            w.WriteCharacterString(UniversalTagNumber.UTF8String, "Test OCSP Responder");
                        }
                    }
                }
                else
                {
                    using (w.PushSequence(Ctx2)) w.WriteOctetString(new byte[20]);
                }
                w.WriteGeneralizedTime(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
                using (w.PushSequence()) // responses
                using (w.PushSequence()) // SingleResponse
                {
                    using (w.PushSequence()) // certID
                    {
                        Algorithm(w, Sha1);
                        w.WriteOctetString(new byte[20]);
                        w.WriteOctetString(new byte[20]);
                        w.WriteInteger(0x1234);
                    }
                    w.WriteNull(new Asn1Tag(TagClass.ContextSpecific, 0)); // good
                    w.WriteGeneralizedTime(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero));
                    using (w.PushSequence(Ctx0)) w.WriteGeneralizedTime(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));
                    if (singleExtensions is not null)
                        using (w.PushSequence(Ctx1)) w.WriteEncodedValue(singleExtensions);
                }
                if (responseExtensions is not null)
                    using (w.PushSequence(Ctx1)) w.WriteEncodedValue(responseExtensions);
            }
            Algorithm(w, Sha256WithRsa);
            w.WriteBitString(new byte[] { 1, 2, 3, 4 });
            if (certs is not null)
                using (w.PushSequence(Ctx0))
                using (w.PushSequence())
                    foreach (var c in certs) w.WriteEncodedValue(c);
        }
    };

    /// <summary>Extensions holding one extension whose extnValue is <paramref name="value"/>.</summary>
    private static byte[] Extensions(string oid, byte[] value)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(oid);
            w.WriteOctetString(value);
        }
        return w.Encode();
    }

    /// <summary>A TLS SignedCertificateTimestampList with one v1 SCT (log ID 32 × 0xab, timestamp 1.5 s after the epoch).</summary>
    private static byte[] SctList()
    {
        var sct = new List<byte> { 0 };
        sct.AddRange(Enumerable.Repeat((byte)0xab, 32));
        sct.AddRange(new byte[] { 0, 0, 0, 0, 0, 0, 0x05, 0xdc }); // 1500 ms
        sct.AddRange(new byte[] { 0, 0, 4, 3, 0, 2, 0x30, 0x00 }); // no extensions, ecdsa_secp256r1_sha256, 2-byte signature
        var list = new List<byte> { 0, (byte)(sct.Count + 2), 0, (byte)sct.Count };
        list.AddRange(sct);
        return [.. list];
    }

    private static string Fields(OcspResponse r, string field) => CertificateFields.Join(CertificateFields.Values(r), field);

    [Fact]
    public void ByKeyResponseGivesItsHashAndSignatureAlgorithms()
    {
        var r = OcspResponse.Parse(Response(Basic()));
        Assert.Empty(r.Notes);
        Assert.Equal(0, r.ResponseStatus);
        Assert.Equal(OcspResponse.BasicResponseType, r.ResponseType);
        Assert.Null(r.ResponderName);
        Assert.Equal(20, r.ResponderKeyHash.Length);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero), r.ProducedAt);
        var single = Assert.Single(r.Responses);
        Assert.Equal(OcspCertStatus.Good, single.Status);
        Assert.Equal(new byte[] { 0x12, 0x34 }, single.SerialNumber.ToArray());
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero), single.NextUpdate);
        Assert.Equal($"{Sha1},{Sha256WithRsa}", Fields(r, "x509af.algorithm.id"));
        Assert.Equal("", Fields(r, "x509if.oid"));
    }

    [Fact]
    public void ByNameResponseWithCertificateAndSctGivesFieldsInTsharkOrder()
    {
        var cert = X509TestData.Root.Der.ToArray();
        var r = OcspResponse.Parse(Response(Basic(byName: true, singleExtensions: Extensions(Oids.OcspSctList, new AsnWriter(AsnEncodingRules.DER).Also(w => w.WriteOctetString(SctList())).Encode()), certs: [cert])));
        Assert.Empty(r.Notes);
        Assert.Equal("C=US,CN=Test OCSP Responder", string.Join(',', r.ResponderName!.Attributes.Select(a => a.ToString())));
        var values = CertificateFields.Values(r);
        // The responder's name, the CertID's hash, the SCT, the signature algorithm, then the certificate's own fields.
        Assert.Equal(["x509if.oid", "x509sat.CountryName", "x509if.oid", "x509sat.uTF8String", "x509af.algorithm.id",
            "tls.sct.sct_logid", "tls.sct.sct_timestamp", "tls.handshake.sig_hash_alg", "x509af.algorithm.id"], values.Take(9).Select(v => v.Key));
        Assert.Equal(string.Concat(Enumerable.Repeat("ab", 32)), Fields(r, "tls.sct.sct_logid"));
        Assert.Equal("Jan  1, 1970 00:00:01.500000000 UTC", Fields(r, "tls.sct.sct_timestamp"));
        var certificateFields = CertificateFields.Values(X509TestData.Root);
        Assert.Equal(certificateFields, values.Skip(9));
        Assert.Single(r.Certificates);
    }

    [Fact]
    public void UnsuccessfulResponseHasNoBytesAndNoFields()
    {
        var r = OcspResponse.Parse(Convert.FromHexString("30030a0103")); // tryLater
        Assert.Empty(r.Notes);
        Assert.Equal(3, r.ResponseStatus);
        Assert.Null(r.ResponseType);
        Assert.Empty(CertificateFields.Values(r));
    }

    [Fact]
    public void AnotherResponseTypeStaysOpaque()
    {
        // responseType 1.2.3, response OCTET STRING 0xff
        var r = OcspResponse.Parse(Convert.FromHexString("300e0a0100a009300706022a0304" + "01ff"));
        Assert.Empty(r.Notes);
        Assert.Equal("1.2.3", r.ResponseType);
        Assert.Empty(CertificateFields.Values(r));
    }

    [Fact]
    public void ResponseCutAfterTheCertIdKeepsWhatWasRead()
    {
        var whole = Response(Basic());
        // Cut inside the BasicOCSPResponse: the outer lengths now run past the end.
        var cut = whole[..(whole.Length - 30)];
        var r = OcspResponse.Parse(cut);
        Assert.True(r.HasErrors);
        Assert.Equal("ocsp", r.Notes[0].Note.Protocol);
        Assert.Null(r.SignatureAlgorithm);
    }

    [Fact]
    public void MalformedExtensionIsKeptAndReadingGoesOn()
    {
        // A logotype whose value is an INTEGER, in responseExtensions: a warning, then the signature algorithm as usual.
        var r = OcspResponse.Parse(Response(Basic(responseExtensions: Extensions(Oids.Logotype, [0x02, 0x01, 0x00]))));
        Assert.False(r.HasErrors);
        var x = Assert.Single(r.Extensions);
        Assert.IsType<MalformedExtension>(x.Parsed);
        Assert.Contains(r.Notes, n => n.Severity == HttpsFlow.Common.Severity.Warning);
        Assert.Equal($"{Sha1},{Sha256WithRsa}", Fields(r, "x509af.algorithm.id"));
    }

    public static TheoryData<string, string> MalformedResponses() => new()
    {
        { "empty", "" },
        { "lone tag", "30" },
        { "not a SEQUENCE", "0a0100" },
        { "status is an INTEGER", "3003020100" },
        { "status cut short", "30030a0200" },
        { "responseBytes not [0]", "30070a0100a1023000" },
        { "responseBytes SEQUENCE empty", "30070a0100a0023000" },
        { "response not an OCTET STRING", "30150a0100a010300e06092b0601050507300101" + "020100" },
        { "basic response empty", "30150a0100a010300e06092b0601050507300101" + "0401" + "00" },
        { "basic response garbage", "30170a0100a012301006092b0601050507300101" + "0403" + "300130" },
        { "responderID is [3]", "30210a0100a01c301a06092b0601050507300101" + "040d" + "300b3009a3070405" + "0000000000" },
        { "length overflow", "3084ffffffff0a0100" },
        { "indefinite length", "30800a01000000" },
    };

    [Theory]
    [MemberData(nameof(MalformedResponses))]
    public void MalformedResponseIsANoteNeverAnException(string name, string hex)
    {
        var r = OcspResponse.Parse(Convert.FromHexString(hex));
        Assert.True(r.HasErrors || r.Notes.Count > 0, name);
        _ = CertificateFields.Values(r); // and the fields of what was read never throw either
    }

    [Fact]
    public void LogotypeGivesItsHashAlgorithms()
    {
        // LogotypeExtn { issuerLogo [1] { direct [0] { image { LogotypeImage { details { "image/gif", { { sha1, hash } }, { uri } } } } } } }
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        using (w.PushSequence(Ctx1))
        using (w.PushSequence(Ctx0))
        using (w.PushSequence())
        using (w.PushSequence())
        using (w.PushSequence())
        {
            w.WriteCharacterString(UniversalTagNumber.IA5String, "image/gif");
            using (w.PushSequence())
            using (w.PushSequence())
            {
                Algorithm(w, Sha1);
                w.WriteOctetString(new byte[20]);
            }
            using (w.PushSequence()) w.WriteCharacterString(UniversalTagNumber.IA5String, "http://logo.example/logo.gif");
        }
        var der = new CertificateWriter { Extensions = [(Oids.Logotype, false, w.Encode())] }.Encode();
        var c = Certificate.Parse(der);
        var logotype = Assert.IsType<LogotypeExtension>(Assert.Single(c.Extensions).Parsed);
        Assert.Equal(Sha1, Assert.Single(logotype.HashAlgorithms).Oid);
        Assert.Equal("http://logo.example/logo.gif", Assert.Single(logotype.Uris));
        // tshark: the TBS signature, the key's algorithm, the logotype's hash, the signature algorithm.
        Assert.Equal("1.2.840.10045.4.3.2,1.2.840.10045.2.1,1.3.14.3.2.26,1.2.840.10045.4.3.2",
            CertificateFields.Join(CertificateFields.Values(c), "x509af.algorithm.id"));
    }

    [Theory]
    [InlineData("", 0, true)]
    [InlineData("3000", 0, false)]
    [InlineData("300d310b300906035504061302555a", 1, false)]
    [InlineData("300d310b30090603550406130255", 0, true)] // cut inside the value
    [InlineData("3102300030", 0, true)] // a SET, not a SEQUENCE
    public void CertificateAuthorityNamesAreReadLeniently(string hex, int attributes, bool error)
    {
        var name = DistinguishedName.Parse(Convert.FromHexString(hex), out var problem);
        Assert.Equal(attributes, name.Attributes.Count());
        Assert.Equal(error, problem is not null);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("0000", 0)]
    [InlineData("0005", 0)] // the list runs past the bytes
    [InlineData("00030001", 0)] // an SCT cut short
    [InlineData("0003000101", 1)] // an SCT of an unknown version: kept, its fields not read
    public void SctListsAreReadLeniently(string hex, int count) =>
        Assert.Equal(count, SignedCertificateTimestamps.ReadList(Convert.FromHexString(hex)).Count);

    [Fact]
    public void SctListGivesLogIdTimestampAndAlgorithm()
    {
        var scts = SignedCertificateTimestamps.ReadList(SctList());
        var values = CertificateFields.Values(scts);
        Assert.Equal(["tls.sct.sct_logid", "tls.sct.sct_timestamp", "tls.handshake.sig_hash_alg"], values.Select(v => v.Key));
        // Read in a connection before TLS 1.2, a signature carries no algorithm (as tshark reads it).
        Assert.Equal(["tls.sct.sct_logid", "tls.sct.sct_timestamp"], CertificateFields.Values(scts, algorithms: false).Select(v => v.Key));
    }
}

internal static class AsnWriterExtensions
{
    public static AsnWriter Also(this AsnWriter w, Action<AsnWriter> write)
    {
        write(w);
        return w;
    }
}
