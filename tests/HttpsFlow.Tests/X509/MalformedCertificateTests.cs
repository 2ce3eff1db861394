using System.Formats.Asn1;
using HttpsFlow.Common;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.X509;

namespace HttpsFlow.Tests.X509;

/// <summary>
/// Damaged and odd certificates: named hex vectors, every truncation of every test certificate, wrong lengths, bad
/// extensions inside good certificates, rules of RFC 5280 broken one at a time, and seeded random mutations. Nothing
/// throws; each yields notes, and the parts before the damage.
/// </summary>
public class MalformedCertificateTests
{
    public static TheoryData<string> AllNames() => ["root", "r3", "leaf", .. X509TestData.DataNames];

    /// <summary>Everything a caller might do with a certificate; none of it may throw.</summary>
    private static void UseEverything(Certificate c)
    {
        // The parser's last-resort guard turns a bug of ours into a note; no input here may reach it.
        Assert.DoesNotContain(c.Notes, n => n.Message.StartsWith("certificate parser failed", StringComparison.Ordinal));
        _ = c.ToString();
        _ = CertificateFields.Values(c);
        _ = c.MatchesHostName("test.httpsflow.example");
        _ = c.MatchesHostName("192.0.2.10");
        _ = c.ValidAt(DateTimeOffset.UtcNow);
        _ = c.IsSelfSigned;
        _ = c.VerifySignature(c);
        _ = c.Sha256Fingerprint.Length + c.Sha1Fingerprint.Length;
        foreach (var style in Enum.GetValues<NameStyle>()) { _ = c.Subject?.Format(style); _ = c.Issuer?.Format(style); }
        _ = c.PublicKey?.ToString();
        foreach (var x in c.Extensions) _ = x.ToString();
        _ = CertificateChain.Order([c, c]);
        _ = ChainValidator.Validate([c], DateTimeOffset.UtcNow, [X509TestData.Root]);
    }

    [Theory]
    [InlineData("", "no bytes")]
    [InlineData("30", "truncated after the tag: no length")]
    [InlineData("3082", "truncated inside the length")]
    [InlineData("308201", "truncated inside the length")]
    [InlineData("3080", "indefinite length")]
    [InlineData("30850000000001 00", "BER encoding where DER is required")] // a length in five bytes: BER, not DER
    [InlineData("30850100000000", "a length of 5 bytes")]
    [InlineData("1f", "truncated inside the tag")]
    [InlineData("0400", "Certificate: expected SEQUENCE, found OCTET STRING")]
    [InlineData("3000", "tbsCertificate is missing")]
    [InlineData("3003 020101", "tbsCertificate: expected SEQUENCE, found INTEGER")]
    [InlineData("3005 3003 020101", "signatureAlgorithm is missing")]
    [InlineData("3010 300e a003020102 020101 3004 0602 2a03", "issuer is missing")]
    [InlineData("3082 0400 3000", "the certificate is cut short: Certificate length 1024 runs past the end: 2 bytes left")]
    public void NamedVectors(string hex, string note)
    {
        var c = Certificate.Parse(Hex.Parse(hex));
        Assert.False(c.IsComplete);
        Assert.True(c.HasErrors);
        Assert.Contains(c.Notes, n => n.Message.Contains(note));
        UseEverything(c);
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void EveryTruncationYieldsNotesAndNoException(string name)
    {
        var der = X509TestData.Der(name);
        for (int length = 0; length < der.Length; length++)
        {
            var c = Certificate.Parse(der.AsSpan(0, length));
            Assert.False(c.IsComplete, $"{name} cut at {length}");
            Assert.True(c.HasErrors, $"{name} cut at {length}: {string.Join("; ", c.Notes)}");
            Assert.All(c.Notes, n => Assert.True(n.Range.Offset >= 0 && n.Range.End <= length, $"{name} cut at {length}: {n}"));
            UseEverything(c);
        }
        Assert.True(Certificate.Parse(der).IsComplete);
    }

    [Fact]
    public void TruncatedCertificateKeepsThePartsBeforeTheCut()
    {
        var leaf = X509TestData.Leaf;
        var der = X509TestData.Der("leaf");
        // Cut inside the subjectAltName, the last extension.
        int cut = leaf.FindExtension(Oids.SubjectAltName)!.ValueRange.Offset + 5;
        var c = Certificate.Parse(der.AsSpan(0, cut));
        Assert.Equal(leaf.SerialNumberHex, c.SerialNumberHex);
        Assert.Equal(leaf.Issuer!.ToString(), c.Issuer!.ToString());
        Assert.Equal(leaf.Subject!.ToString(), c.Subject!.ToString());
        Assert.Equal(leaf.NotAfter!.Value, c.NotAfter!.Value);
        Assert.Equal(2048, c.PublicKey!.KeySizeBits);
        Assert.Equal(leaf.Extensions.Take(5).Select(x => x.Oid), c.Extensions.Take(5).Select(x => x.Oid));
        Assert.Equal(["digitalSignature", "keyEncipherment"], c.KeyUsage!.Names);
        Assert.Null(c.SignatureAlgorithm);
        Assert.Contains(c.Notes, n => n.Message.StartsWith("the certificate is cut short", StringComparison.Ordinal));
        Assert.Equal(SignatureCheck.Incomplete, c.VerifySignature(X509TestData.R3));

        // Cut inside the subject's common name.
        cut = leaf.Subject.Range.End - 3;
        c = Certificate.Parse(der.AsSpan(0, cut));
        Assert.Equal(leaf.Issuer.ToString(), c.Issuer!.ToString());
        Assert.Equal(leaf.NotBefore!.Value, c.NotBefore!.Value);
        Assert.True(c.Subject!.IsEmpty);
        Assert.Contains(c.Notes, n => n.Note.Protocol == "x509if" && n.Message.Contains("cut short"));
        Assert.Null(c.PublicKey);
    }

    [Theory]
    [InlineData("outer length one too long", "the certificate is cut short")]
    [InlineData("outer length one too short", "the certificate is cut short")]
    [InlineData("tbsCertificate length one too long", "signatureAlgorithm")]
    [InlineData("tbsCertificate length one too short", "cut short")]
    [InlineData("two bytes after the certificate", "2 bytes after the certificate")]
    [InlineData("extensions list length one too short", "cut short")]
    public void WrongLengths(string change, string note)
    {
        var der = X509TestData.Der("leaf");
        var leaf = Certificate.Parse(der);
        byte[] bytes = change switch
        {
            "outer length one too long" => AddToLength(der, 0, +1),
            "outer length one too short" => AddToLength(der, 0, -1),
            "tbsCertificate length one too long" => AddToLength(der, leaf.TbsRange.Offset, +1),
            "tbsCertificate length one too short" => AddToLength(der, leaf.TbsRange.Offset, -1),
            "two bytes after the certificate" => [.. der, 0, 0],
            "extensions list length one too short" => AddToLength(der, leaf.ExtensionsRange.Offset + (der[leaf.ExtensionsRange.Offset + 1] == 0x81 ? 3 : 4), -1),
            _ => throw new ArgumentException(change),
        };
        var c = Certificate.Parse(bytes);
        Assert.Contains(c.Notes, n => n.Message.Contains(note));
        Assert.NotNull(c.Subject);
        UseEverything(c);
        if (change == "two bytes after the certificate")
        {
            Assert.True(c.IsComplete);
            Assert.Equal(Severity.Warning, c.Notes.Single().Severity);
            Assert.Equal(new ByteRange(der.Length, 2), c.Notes.Single().Range);
            Assert.Equal(leaf.Sha256Fingerprint.ToArray(), c.Sha256Fingerprint.ToArray());
        }
    }

    /// <summary>Adds <paramref name="delta"/> to the long-form (81 xx or 82 xx xx) length of the TLV at <paramref name="at"/>.</summary>
    private static byte[] AddToLength(byte[] der, int at, int delta)
    {
        var b = (byte[])der.Clone();
        if (b[at + 1] == 0x81)
        {
            b[at + 2] = (byte)(b[at + 2] + delta);
            return b;
        }
        Assert.Equal(0x82, b[at + 1]);
        int n = (b[at + 2] << 8 | b[at + 3]) + delta;
        b[at + 2] = (byte)(n >> 8);
        b[at + 3] = (byte)n;
        return b;
    }

    [Fact]
    public void BadExtensionInsideAGoodCertificate()
    {
        var der = X509TestData.Der("leaf");
        var leaf = Certificate.Parse(der);
        var san = leaf.FindExtension(Oids.SubjectAltName)!;
        // [2] dNSName becomes [9], which GeneralName does not have.
        int at = leaf.SubjectAltName!.Names[0].Range.Offset;
        der[at] = 0x89;
        var c = Certificate.Parse(der);
        Assert.True(c.IsComplete);
        var bad = Assert.IsType<MalformedExtension>(c.FindExtension(Oids.SubjectAltName)!.Parsed);
        Assert.Equal("GeneralName: expected a GeneralName ([0] to [8]), found [9]", bad.Error);
        Assert.Equal(at, bad.ErrorRange.Offset);
        var note = Assert.Single(c.Notes);
        Assert.Equal(Severity.Error, note.Severity);
        Assert.Equal("id-ce-subjectAltName: " + bad.Error, note.Message);
        Assert.Equal(san.Value.ToArray().Length, c.FindExtension(Oids.SubjectAltName)!.Value.Length);
        Assert.Equal(leaf.Extensions.Count, c.Extensions.Count);
        Assert.Equal(leaf.BasicConstraints!.ToString(), c.BasicConstraints!.ToString());
        Assert.False(c.MatchesHostName("test.httpsflow.example"));
        Assert.Equal(SignatureCheck.Invalid, c.VerifySignature(X509TestData.R3));
        Assert.DoesNotContain(CertificateFields.Values(c), v => v.Key == "x509ce.dNSName");
    }

    [Fact]
    public void BerBooleanIsReadWithANote()
    {
        var der = X509TestData.Der("leaf");
        // basicConstraints: 06 03 55 1d 13 01 01 ff — critical TRUE must be ff in DER (X.690 §11.1).
        int at = der.AsSpan().IndexOf(Hex.Parse("0603551d130101ff"));
        der[at + 7] = 0x01;
        var c = Certificate.Parse(der);
        Assert.True(c.IsComplete);
        Assert.True(c.FindExtension(Oids.BasicConstraints)!.Critical);
        var note = Assert.Single(c.Notes);
        Assert.Equal(Severity.Warning, note.Severity);
        Assert.StartsWith("BER encoding where DER is required", note.Message);
    }

    [Fact]
    public void TimesOutsideRfc5280()
    {
        var w = new CertificateWriter
        {
            NotBefore = CertificateWriter.Time(UniversalTagNumber.UtcTime, "2606010000Z"),      // no seconds
            NotAfter = CertificateWriter.Time(UniversalTagNumber.GeneralizedTime, "20300101000000Z"), // before 2050
        };
        var c = Certificate.Parse(w.Encode());
        Assert.True(c.IsComplete);
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero), c.NotBefore!.Value);
        Assert.Equal("2026-06-01 00:00 (UTC)", c.NotBefore.FieldText);
        Assert.Contains(c.Notes, n => n.Message == "notBefore '2606010000Z' is not in the form RFC 5280 §4.1.2.5 requires (YYMMDDHHMMSSZ)");
        Assert.Contains(c.Notes, n => n.Message.StartsWith("notAfter 2030-01-01 is a GeneralizedTime", StringComparison.Ordinal));

        w.NotBefore = CertificateWriter.Time(UniversalTagNumber.UtcTime, "26x601000000Z");
        c = Certificate.Parse(w.Encode());
        Assert.Null(c.NotBefore!.Value);
        Assert.Equal("26x601000000Z", c.NotBefore.Text);
        Assert.False(c.ValidAt(new DateTimeOffset(2028, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Contains(c.Notes, n => n.Severity == Severity.Error && n.Message == "notBefore: '26x601000000Z' is not a valid UTCTime");
        Assert.Equal("subject.example", c.Subject!.CommonName);

        // UTCTime's two-digit year: 50 to 99 are 19xx, 00 to 49 are 20xx (RFC 5280 §4.1.2.5.1).
        w.NotBefore = CertificateWriter.Time(UniversalTagNumber.UtcTime, "500101000000Z");
        w.NotAfter = CertificateWriter.Time(UniversalTagNumber.UtcTime, "491231235959Z");
        c = Certificate.Parse(w.Encode());
        Assert.Equal(1950, c.NotBefore!.Value!.Value.Year);
        Assert.Equal(2049, c.NotAfter!.Value!.Value.Year);
        Assert.Equal("1950-01-01 00:00:00 (UTC)", c.NotBefore.FieldText);
        Assert.DoesNotContain(c.Notes, n => n.Message.Contains("is after notAfter"));

        w.NotAfter = CertificateWriter.Time(UniversalTagNumber.GeneralizedTime, "20510601120000.5Z"); // fractions
        c = Certificate.Parse(w.Encode());
        Assert.Equal(500, c.NotAfter!.Value!.Value.Millisecond);
        Assert.Equal("Jun  1, 2051 12:00:00.500000000 UTC", c.NotAfter.FieldText);
        Assert.Contains(c.Notes, n => n.Message.StartsWith("notAfter '20510601120000.5Z' is not in the form", StringComparison.Ordinal));

        w.NotBefore = CertificateWriter.Time(UniversalTagNumber.UtcTime, "360101000000Z");
        w.NotAfter = CertificateWriter.Time(UniversalTagNumber.UtcTime, "260101000000Z");
        Assert.Contains(Certificate.Parse(w.Encode()).Notes, n => n.Message.Contains("is after notAfter"));

        w.NotBefore = [0x04, 0x00];
        c = Certificate.Parse(w.Encode());
        Assert.Null(c.NotBefore);
        Assert.Contains(c.Notes, n => n.Message == "notBefore: expected UTCTime or GeneralizedTime, found OCTET STRING");
    }

    [Theory]
    [InlineData("80", "serialNumber is negative")]
    [InlineData("00", "serialNumber is zero")]
    [InlineData("0102030405060708090a0b0c0d0e0f101112131415", "serialNumber of 21 octets")]
    public void SerialNumbersOutsideRfc5280(string serial, string note)
    {
        var c = Certificate.Parse(new CertificateWriter { Serial = Hex.Parse(serial) }.Encode());
        Assert.True(c.IsComplete);
        Assert.Equal(serial, c.SerialNumberHex);
        Assert.Contains(c.Notes, n => n.Severity == Severity.Warning && n.Message.StartsWith(note, StringComparison.Ordinal));
    }

    [Fact]
    public void VersionsAndExtensions()
    {
        var c = Certificate.Parse(new CertificateWriter { Version = 4 }.Encode());
        Assert.Equal(4, c.RawVersion);
        Assert.Contains(c.Notes, n => n.Message == "unknown version v5 (4)");

        var san = Hex.Parse("3011820f7375626a6563742e6578616d706c65"); // dNSName subject.example
        c = Certificate.Parse(new CertificateWriter { Version = null, Extensions = [(Oids.SubjectAltName, false, san)] }.Encode());
        Assert.Equal(1, c.Version);
        Assert.Contains(c.Notes, n => n.Message.StartsWith("extensions in a v1 certificate", StringComparison.Ordinal));
        Assert.Equal(["subject.example"], c.SubjectAltName!.DnsNames);

        c = Certificate.Parse(new CertificateWriter { Extensions = [(Oids.SubjectAltName, false, san), (Oids.SubjectAltName, false, san)] }.Encode());
        Assert.Contains(c.Notes, n => n.Message == "id-ce-subjectAltName appears more than once (RFC 5280 §4.2)");

        c = Certificate.Parse(new CertificateWriter { Extensions = [(Oids.SubjectAltName, false, Hex.Parse("3000"))] }.Encode());
        Assert.StartsWith("GeneralNames is empty", Assert.IsType<MalformedExtension>(c.Extensions[0].Parsed).Error);

        c = Certificate.Parse(new CertificateWriter { Extensions = [(Oids.BasicConstraints, true, Hex.Parse("30060101ff020105 00"))] }.Encode());
        Assert.Equal("BasicConstraints: 1 unexpected byte at the end", c.Extensions[0].Parsed.Error);

        c = Certificate.Parse(new CertificateWriter { Extensions = [(Oids.BasicConstraints, true, Hex.Parse("30060101ff0201ff"))] }.Encode());
        Assert.Equal("pathLenConstraint -1 is negative", c.Extensions[0].Parsed.Error);

        c = Certificate.Parse(new CertificateWriter { Extensions = [(Oids.KeyUsage, true, Hex.Parse("030107"))] }.Encode());
        Assert.Equal("KeyUsage: BIT STRING with 7 unused bits", c.Extensions[0].Parsed.Error);
        c = Certificate.Parse(new CertificateWriter { Extensions = [(Oids.KeyUsage, true, Hex.Parse("03020781"))] }.Encode());
        Assert.Equal(KeyUsageFlags.DigitalSignature, c.KeyUsage!.Flags);
        Assert.Contains(c.Notes, n => n.Message == "id-ce-keyUsage: KeyUsage: the unused bits of the BIT STRING are not zero (X.690 §11.2.1)");
        c = Certificate.Parse(new CertificateWriter { Extensions = [(Oids.KeyUsage, true, Hex.Parse("0303070180"))] }.Encode());
        Assert.Equal(KeyUsageFlags.DecipherOnly | KeyUsageFlags.EncipherOnly, c.KeyUsage!.Flags);

        c = Certificate.Parse(new CertificateWriter { Extensions = [(Oids.ExtKeyUsage, false, Hex.Parse("3003060180"))] }.Encode());
        Assert.StartsWith("KeyPurposeId: invalid OBJECT IDENTIFIER", c.Extensions[0].Parsed.Error);

        c = Certificate.Parse(new CertificateWriter { Extensions = [(Oids.SctList, false, Hex.Parse("04050003010000"))] }.Encode());
        Assert.Equal("SerializedSCT: its length runs past the list", c.Extensions[0].Parsed.Error);

        // An unknown, non-critical extension is kept raw without a note.
        c = Certificate.Parse(new CertificateWriter { Extensions = [("1.2.3.4.5", false, [0xde, 0xad])] }.Encode());
        Assert.IsType<UnknownExtension>(c.Extensions[0].Parsed);
        Assert.Empty(c.Notes);
        Assert.Equal([0xde, 0xad], c.Extensions[0].Value.ToArray());
    }

    [Fact]
    public void StringsOfEveryTypeAndBadCharacters()
    {
        var w = new CertificateWriter
        {
            Subject =
            [
                ("2.5.4.6", UniversalTagNumber.PrintableString, "DE"),
                ("2.5.4.10", UniversalTagNumber.PrintableString, "Star*Corp@Example"), // '*' and '@' are not PrintableString
                ("2.5.4.11", UniversalTagNumber.T61String, "Teletex"),
                ("2.5.4.7", UniversalTagNumber.UniversalString, "Göteborg"),
                ("2.5.4.3", UniversalTagNumber.UTF8String, "名前.example"),
            ],
            RawSubjectAttributes = [("1.2.3.4", Hex.Parse("020105")), ("2.5.4.5", Hex.Parse("13023432"))],
        };
        var c = Certificate.Parse(w.Encode());
        Assert.True(c.IsComplete, string.Join("; ", c.Notes));
        var a = c.Subject!.Attributes.ToList();
        Assert.Equal("Star*Corp@Example", a[1].Value);
        Assert.Equal("PrintableString", a[1].StringTypeName);
        Assert.Contains(c.Notes, n => n.Severity == Severity.Warning && n.Message.Contains("PrintableString with characters outside its character set"));
        Assert.Equal("Teletex", a[2].Value);
        Assert.Equal("TeletexString", a[2].StringTypeName);
        Assert.Equal("Göteborg", a[3].Value);
        Assert.Equal("UniversalString", a[3].StringTypeName);
        Assert.Equal("名前.example", a[4].Value);
        Assert.False(a[5].IsString);
        Assert.Equal("#020105", a[5].Value);
        Assert.Equal("1.2.3.4", a[5].ShortName);
        Assert.Equal("serialNumber=42,1.2.3.4=#020105,CN=名前.example,L=Göteborg,OU=Teletex,O=Star*Corp@Example,C=DE", c.Subject.ToString());

        var fields = CertificateFields.Values(c);
        Assert.Equal("Teletex", CertificateFields.Join(fields, "x509sat.teletexString"));
        Assert.Equal("Göteborg", CertificateFields.Join(fields, "x509sat.universalString"));
        Assert.Equal("42", CertificateFields.Join(fields, "x509sat.PrintableString"));

        // RFC 4514 escapes
        w.Subject = [("2.5.4.3", UniversalTagNumber.UTF8String, "#a, b+c;\"d\" <e> \\ ")];
        w.RawSubjectAttributes = [];
        Assert.Equal("CN=\\#a\\, b\\+c\\;\\\"d\\\" \\<e\\> \\\\\\ ", Certificate.Parse(w.Encode()).Subject!.ToString());
    }

    [Fact]
    public void SignatureAlgorithmsThatDisagree()
    {
        var c = Certificate.Parse(new CertificateWriter { OuterSignatureOid = Oids.EcdsaWithSha384 }.Encode());
        Assert.Contains(c.Notes, n => n.Severity == Severity.Error
            && n.Message == "signature algorithm ecdsa-with-SHA256 in tbsCertificate differs from signatureAlgorithm ecdsa-with-SHA384 (RFC 5280 §4.1.1.2)");
        c = Certificate.Parse(new CertificateWriter { SignatureUnusedBits = 3, Signature = [0x80] }.Encode());
        Assert.Contains(c.Notes, n => n.Message == "signatureValue has 3 unused bits");
        // The placeholder key (04 01 02 …) is not a point on P-256.
        Assert.Equal(SignatureCheck.KeyMismatch, c.VerifySignature(c));
    }

    [Fact]
    public void OddPublicKeys()
    {
        // Explicit curve parameters (RFC 3279 specifiedCurve), here a stand-in SEQUENCE.
        var c = Certificate.Parse(new CertificateWriter { PublicKeyInfo = CertificateWriter.EcPublicKeyInfo(Hex.Parse("3003020101")) }.Encode());
        Assert.Equal("explicit parameters", c.PublicKey!.CurveName);
        Assert.Null(c.PublicKey.CurveOid);
        Assert.Equal(256, c.PublicKey.KeySizeBits);

        c = Certificate.Parse(new CertificateWriter { PublicKeyInfo = CertificateWriter.EcPublicKeyInfo(Hex.Parse("0500")) }.Encode());
        Assert.Equal("implicitlyCA", c.PublicKey!.CurveName);

        // An RSA key whose bits are not an RSAPublicKey.
        c = Certificate.Parse(new CertificateWriter { PublicKeyInfo = Hex.Parse("3014300d06092a864886f70d0101010500030300abcd") }.Encode());
        Assert.Equal(PublicKeyType.Rsa, c.PublicKey!.Type);
        Assert.Null(c.PublicKey.RsaModulus);
        Assert.Contains(c.Notes, n => n.Note.Protocol == "pkcs1" && n.Severity == Severity.Error);
        Assert.Equal(SignatureCheck.KeyMismatch, c.VerifySignature(c));

        // An unknown algorithm is kept with its bits.
        c = Certificate.Parse(new CertificateWriter { PublicKeyInfo = Hex.Parse("300b300406022a03030300abcd") }.Encode());
        Assert.Equal(PublicKeyType.Unknown, c.PublicKey!.Type);
        Assert.Equal([0xab, 0xcd], c.PublicKey.PublicKey.ToArray());
        Assert.Equal(0, c.PublicKey.KeySizeBits);
    }

    [Fact]
    public void SeededMutationsNeverThrow()
    {
        var random = new Random(20261129);
        string[] names = ["root", "r3", "leaf", .. X509TestData.DataNames];
        var sources = names.Select(X509TestData.Der).ToList();
        int parsed = 0;
        foreach (var source in sources)
        {
            for (int i = 0; i < 300; i++)
            {
                var b = new List<byte>(source);
                int edits = random.Next(1, 4);
                for (int e = 0; e < edits; e++)
                {
                    int at = random.Next(b.Count);
                    switch (random.Next(5))
                    {
                        case 0: b[at] ^= (byte)(1 << random.Next(8)); break;
                        case 1: b[at] = (byte)random.Next(256); break;
                        case 2: b.RemoveAt(at); break;
                        case 3: b.Insert(at, (byte)random.Next(256)); break;
                        default: b.RemoveRange(at, b.Count - at); break;
                    }
                    if (b.Count == 0) break;
                }
                var c = Certificate.Parse(b.ToArray());
                UseEverything(c);
                parsed++;
            }
        }
        Assert.Equal(sources.Count * 300, parsed);
    }
}
