using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HttpsFlow.Common;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.X509;

namespace HttpsFlow.Tests.X509;

/// <summary>
/// What HttpsFlow reads from the sample chain (samples/pki) and the certificates of data/make-certs.sh: the facts the
/// scripts fix (names, serials, dates, algorithms, extensions), checked here without any external tool, and a
/// cross-check with .NET's own X509Certificate2 where it can read the certificate.
/// </summary>
public class CertificateTests
{
    public static TheoryData<string> AllNames() => ["root", "r3", "leaf", .. X509TestData.DataNames];

    [Fact]
    public void SampleRootIsASelfSignedRsaCa()
    {
        var c = X509TestData.Root;
        Assert.True(c.IsComplete);
        Assert.Empty(c.Notes);
        Assert.Equal(3, c.Version);
        Assert.Equal(2, c.RawVersion);
        Assert.Equal("CN=HttpsFlow Test Root X1,O=HttpsFlow Test,C=US", c.Subject!.ToString());
        Assert.Equal("id-at-commonName=HttpsFlow Test Root X1,id-at-organizationName=HttpsFlow Test,id-at-countryName=US", c.Subject.Format(NameStyle.Wireshark));
        Assert.Equal("C = US, O = HttpsFlow Test, CN = HttpsFlow Test Root X1", c.Subject.Format(NameStyle.OpenSsl));
        Assert.True(c.IsSelfIssued);
        Assert.True(c.IsSelfSigned);
        Assert.Equal(Oids.Sha256WithRsa, c.SignatureAlgorithm!.Oid);
        Assert.Equal("sha256WithRSAEncryption", c.SignatureAlgorithm.Name);
        Assert.True(c.SignatureAlgorithm.HasNullParameters);
        Assert.Equal(PublicKeyType.Rsa, c.PublicKey!.Type);
        Assert.Equal("rsaEncryption", c.PublicKey.Algorithm.Name);
        Assert.Equal(2048, c.PublicKey.KeySizeBits);
        Assert.Equal(65537, (int)c.PublicKey.RsaExponent!.Value);
        Assert.Equal(257, c.PublicKey.RsaModulus!.Value.Length); // 2048 bits and the zero byte that keeps it positive
        Assert.Equal(0, c.PublicKey.RsaModulus.Value.Span[0]);
        Assert.Equal(3650, (c.NotAfter!.Value!.Value - c.NotBefore!.Value!.Value).TotalDays);
        Assert.True(c.NotBefore.IsUtcTime);
        Assert.Equal([Oids.BasicConstraints, Oids.KeyUsage, Oids.SubjectKeyIdentifier], c.Extensions.Select(x => x.Oid));
        Assert.Equal([true, true, false], c.Extensions.Select(x => x.Critical));
        Assert.True(c.IsCertificateAuthority);
        Assert.Null(c.BasicConstraints!.PathLengthConstraint);
        Assert.Equal(["keyCertSign", "cRLSign"], c.KeyUsage!.Names);
        Assert.Equal(20, c.SubjectKeyIdentifier!.KeyIdentifier.Length);
        Assert.True(c.SerialNumber.Length <= 21);
    }

    [Fact]
    public void SampleIntermediateAndLeafLinkByKeyIdentifiers()
    {
        var root = X509TestData.Root;
        var r3 = X509TestData.R3;
        var leaf = X509TestData.Leaf;
        Assert.Equal("CN=HttpsFlow Test R3,O=HttpsFlow Test,C=US", r3.Subject!.ToString());
        Assert.Equal(root.Subject!.ToString(), r3.Issuer!.ToString());
        Assert.Equal("CN=test.httpsflow.example", leaf.Subject!.ToString());
        Assert.Equal("test.httpsflow.example", leaf.Subject.CommonName);
        Assert.Equal(r3.Subject.ToString(), leaf.Issuer!.ToString());
        Assert.Equal(root.SubjectKeyIdentifier!.KeyIdentifier.ToArray(), r3.AuthorityKeyIdentifier!.KeyIdentifier!.Value.ToArray());
        Assert.Equal(r3.SubjectKeyIdentifier!.KeyIdentifier.ToArray(), leaf.AuthorityKeyIdentifier!.KeyIdentifier!.Value.ToArray());
        Assert.Null(leaf.AuthorityKeyIdentifier.AuthorityCertIssuer);
        Assert.Null(leaf.AuthorityKeyIdentifier.AuthorityCertSerialNumber);

        Assert.Equal("CA:TRUE, pathlen:0", r3.BasicConstraints!.ToString());
        Assert.Equal(0, r3.BasicConstraints.PathLengthConstraint);
        Assert.Equal(["digitalSignature", "keyCertSign", "cRLSign"], r3.KeyUsage!.Names);
        Assert.Equal(["id-kp-serverAuth", "id-kp-clientAuth"], r3.ExtendedKeyUsage!.PurposeNames);
        Assert.Equal(1825, (r3.NotAfter!.Value!.Value - r3.NotBefore!.Value!.Value).TotalDays);

        Assert.False(leaf.IsCertificateAuthority);
        Assert.False(leaf.BasicConstraints!.CaEncoded);
        Assert.Equal(KeyUsageFlags.DigitalSignature | KeyUsageFlags.KeyEncipherment, leaf.KeyUsage!.Flags);
        Assert.Equal([Oids.ServerAuth], leaf.ExtendedKeyUsage!.Purposes);
        Assert.Equal(["test.httpsflow.example"], leaf.SubjectAltName!.DnsNames);
        Assert.Equal(90, (leaf.NotAfter!.Value!.Value - leaf.NotBefore!.Value!.Value).TotalDays);

        Assert.Equal(SignatureCheck.Valid, r3.VerifySignature(root));
        Assert.Equal(SignatureCheck.Valid, leaf.VerifySignature(r3));
        Assert.Equal(SignatureCheck.Invalid, leaf.VerifySignature(root));
        Assert.False(leaf.IsSelfIssued);
        Assert.False(r3.IsSelfSigned);
    }

    [Fact]
    public void CaptureCarriesTheSampleLeafAndIntermediate()
    {
        var frames = X509TestData.TsharkFrames(Path.Combine(Repo.Samples, "test-site-tls12.pcapng"), []);
        if (frames is null) return; // tshark is not installed
        var sent = frames.Single().Certificates;
        var fullchain = X509TestData.PemDer(File.ReadAllText(Path.Combine(X509TestData.Pki, "fullchain.pem")));
        Assert.Equal(fullchain, sent);
        Assert.Equal(X509TestData.Der("leaf"), sent[0]);
    }

    [Fact]
    public void ByteRangesPointAtEachPart()
    {
        var c = X509TestData.Leaf;
        var der = c.Der.Span;
        Assert.Equal(new ByteRange(0, der.Length), c.Range);
        Assert.Equal(4, c.TbsRange.Offset);
        Assert.Equal(0x30, der[c.TbsRange.Offset]);
        Assert.Equal(0xa0, der[c.VersionRange.Offset]);
        Assert.Equal(0x02, der[c.SerialNumberRange.Offset]);
        Assert.Equal(c.SerialNumber.ToArray(), der.Slice(c.SerialNumberRange.End - c.SerialNumber.Length, c.SerialNumber.Length).ToArray());
        Assert.Equal(c.Subject!.Der.ToArray(), c.Subject.Range.Of(der).ToArray());
        Assert.Equal(0x17, der[c.NotBefore!.Range.Offset]); // UTCTime
        Assert.Equal("test.httpsflow.example", System.Text.Encoding.ASCII.GetString(c.Subject.Attributes.Single().ValueRange.Of(der)[2..]));
        Assert.Equal(c.PublicKey!.Der.ToArray(), c.PublicKey.Range.Of(der).ToArray());
        Assert.Equal(0x02, der[c.PublicKey.RsaModulusRange.Offset]);
        foreach (var x in c.Extensions)
        {
            Assert.True(c.ExtensionsRange.Contains(x.Range.Offset));
            Assert.Equal(x.Value.ToArray(), x.ValueRange.Of(der).ToArray());
            Assert.Equal(0x06, der[x.OidRange.Offset]);
        }
        var dns = c.SubjectAltName!.Names.Single();
        Assert.Equal(0x82, der[dns.Range.Offset]); // [2] dNSName
        Assert.Equal(c.SignatureValue.ToArray(), der.Slice(c.SignatureValueRange.End - c.SignatureValue.Length, c.SignatureValue.Length).ToArray());
        Assert.Equal(der.Length, c.SignatureValueRange.End);
        Assert.True(c.TbsRange.End == c.SignatureAlgorithm!.Range.Offset);
    }

    [Fact]
    public void EcRootHasPrintableStringNames()
    {
        var c = X509TestData.Load("ec-root");
        Assert.Empty(c.Notes);
        Assert.True(c.IsSelfSigned);
        Assert.Equal("03e9", c.SerialNumberHex);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), c.NotBefore!.Value);
        Assert.Equal(new DateTimeOffset(2046, 1, 1, 0, 0, 0, TimeSpan.Zero), c.NotAfter!.Value);
        Assert.All(c.Subject!.Attributes, a => Assert.Equal(UniversalTagNumber.PrintableString, a.StringType));
        Assert.Equal(["C", "O", "OU", "CN"], c.Subject.Attributes.Select(a => a.ShortName));
        Assert.Equal(["id-at-countryName", "id-at-organizationName", "id-at-organizationalUnitName", "id-at-commonName"], c.Subject.Attributes.Select(a => a.Name));
        Assert.Equal("ecdsa-with-SHA256", c.SignatureAlgorithm!.Name);
        Assert.True(c.SignatureAlgorithm.Parameters.IsEmpty);
        Assert.Equal(PublicKeyType.Ec, c.PublicKey!.Type);
        Assert.Equal(Oids.Secp256r1, c.PublicKey.CurveOid);
        Assert.Equal("secp256r1", c.PublicKey.CurveName);
        Assert.Equal("P-256", c.PublicKey.CurveNistName);
        Assert.Equal(256, c.PublicKey.KeySizeBits);
        Assert.Equal(65, c.PublicKey.EcPoint!.Value.Length);
        Assert.Equal(4, c.PublicKey.EcPoint.Value.Span[0]);
    }

    [Fact]
    public void EcLeafHasEveryKindOfNameAndExtension()
    {
        var c = X509TestData.Load("ec-leaf");
        var root = X509TestData.Load("ec-root");
        Assert.True(c.IsComplete);
        Assert.Empty(c.Notes);
        Assert.Equal("0a1b2c3d4e5f", c.SerialNumberHex);
        Assert.Equal(SignatureCheck.Valid, c.VerifySignature(root));

        // Validity: UTCTime, then GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)
        Assert.True(c.NotBefore!.IsUtcTime);
        Assert.Equal("260601000000Z", c.NotBefore.Text);
        Assert.Equal("2026-06-01 00:00:00 (UTC)", c.NotBefore.FieldText);
        Assert.True(c.NotAfter!.IsGeneralizedTime);
        Assert.Equal("20510601120000Z", c.NotAfter.Text);
        Assert.Equal(new DateTimeOffset(2051, 6, 1, 12, 0, 0, TimeSpan.Zero), c.NotAfter.Value);
        Assert.Equal("Jun  1, 2051 12:00:00.000000000 UTC", c.NotAfter.FieldText);

        // Subject: a multi-valued RDN, a BMPString, IA5String e-mail, PrintableString serialNumber
        var s = c.Subject!;
        Assert.Equal("serialNumber=42,emailAddress=pki@httpsflow.example,CN=ec.httpsflow.example,OU=Lab+OU=Certificates,O=HttpsFlow Test,L=Zürich,ST=Berlin,C=DE", s.ToString());
        Assert.Equal(2, s.Rdns[4].Attributes.Count);
        var locality = s.Attributes.Single(a => a.Oid == Oids.LocalityName);
        Assert.Equal("Zürich", locality.Value);
        Assert.Equal("BMPString", locality.StringTypeName);
        Assert.Equal(UniversalTagNumber.IA5String, s.Attributes.Single(a => a.ShortName == "emailAddress").StringType);
        Assert.Equal("42", s.ValuesOf(Oids.SerialNumber).Single());
        Assert.Equal("ec.httpsflow.example", s.CommonName);
        Assert.Equal("HttpsFlow Test", s.Organization);
        Assert.Equal("DE", s.Country);
        Assert.Equal("C = DE, ST = Berlin, L = Z\\C3\\BCrich, O = HttpsFlow Test, OU = Lab + OU = Certificates, CN = ec.httpsflow.example, emailAddress = pki@httpsflow.example, serialNumber = 42",
            s.Format(NameStyle.OpenSsl));

        // subjectAltName of every kind
        var san = c.SubjectAltName!;
        Assert.Equal(["ec.httpsflow.example", "*.wild.httpsflow.example"], san.DnsNames);
        Assert.Equal([IPAddress.Parse("192.0.2.10"), IPAddress.Parse("2001:db8::1")], san.IPAddresses);
        Assert.Equal(["192.0.2.10", "2001:db8::1"], san.Names.Where(n => n.Kind == GeneralNameKind.IPAddress).Select(n => n.Value));
        Assert.Equal(["pki@httpsflow.example"], san.EmailAddresses);
        Assert.Equal(["https://httpsflow.example/"], san.Uris);
        var other = san.Others.ToList();
        Assert.Equal(GeneralNameKind.OtherName, other[0].Kind);
        Assert.Equal("1.3.6.1.4.1.311.20.2.3", other[0].OtherNameTypeId);
        Assert.Equal("upn@httpsflow.example", other[0].Value);
        Assert.Equal(GeneralNameKind.RegisteredId, other[1].Kind);
        Assert.Equal("1.2.3.4", other[1].Value);
        Assert.Equal("CN=Directory Name,O=HttpsFlow Test", other[2].DirectoryName!.ToString());

        // Key identifiers, with the issuer's name and serial
        var aki = c.AuthorityKeyIdentifier!;
        Assert.Equal(root.SubjectKeyIdentifier!.KeyIdentifier.ToArray(), aki.KeyIdentifier!.Value.ToArray());
        Assert.True(root.Subject!.Matches(aki.AuthorityCertIssuer!.Single().DirectoryName));
        Assert.Equal(root.SerialNumber.ToArray(), aki.AuthorityCertSerialNumber!.Value.ToArray());

        // Access, distribution points, policies
        Assert.Equal(["http://ocsp.httpsflow.example"], c.AuthorityInfoAccess!.OcspUris);
        Assert.Equal(["http://pki.httpsflow.example/ec-root.der"], c.AuthorityInfoAccess.CaIssuersUris);
        Assert.Equal(["id-ad-ocsp", "id-ad-caIssuers"], c.AuthorityInfoAccess.Descriptions.Select(d => d.MethodName));
        Assert.Equal(["http://pki.httpsflow.example/ec-root.crl", "ldap://ldap.httpsflow.example/cn=ec-root"], c.CrlDistributionPoints!.Uris);
        Assert.Equal(["2.23.140.1.2.1", "1.3.6.1.4.1.55555.1.2"], c.CertificatePolicies!.PolicyOids);
        Assert.Equal("domain-validated", c.CertificatePolicies.Policies[0].Name);
        Assert.Equal([new PolicyQualifier(Oids.CpsQualifier, "https://httpsflow.example/cps"), new PolicyQualifier(Oids.UserNoticeQualifier, "Test certificates only")],
            c.CertificatePolicies.Policies[1].Qualifiers);

        // Key usage and purposes
        Assert.Equal(["digitalSignature", "keyAgreement"], c.KeyUsage!.Names);
        Assert.Equal(["id-kp-serverAuth", "id-kp-clientAuth", "id-kp-codeSigning", "id-kp-emailProtection", "id-kp-timeStamping", "OCSPSigning"],
            c.ExtendedKeyUsage!.PurposeNames);

        // Signed certificate timestamps (RFC 6962 §3.3)
        var scts = c.SignedCertificateTimestamps!;
        Assert.Equal(2, scts.Count);
        Assert.Equal(SHA256.HashData("HttpsFlow test log 1"u8.ToArray()), scts.Timestamps[0].LogId.ToArray());
        Assert.Equal(SHA256.HashData("HttpsFlow test log 2"u8.ToArray()), scts.Timestamps[1].LogId.ToArray());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1780272000123), scts.Timestamps[0].Timestamp);
        Assert.Equal(1780272001456UL, scts.Timestamps[1].TimestampMilliseconds);
        Assert.All(scts.Timestamps, t =>
        {
            Assert.Equal(0, t.Version);
            Assert.Equal(4, t.HashAlgorithm);
            Assert.Equal(3, t.SignatureAlgorithm);
            Assert.Equal([1, 2, 3, 4], t.Signature.ToArray());
        });
        Assert.Equal(0, c.Der.Span[scts.Timestamps[0].Range.Offset]); // the SerializedSCT's length, high byte
    }

    [Fact]
    public void IpCertificateWithACriticalUnknownExtension()
    {
        var c = X509TestData.Load("ip-critical");
        Assert.True(c.IsComplete);
        Assert.Equal("00ff01", c.SerialNumberHex);
        Assert.Equal([IPAddress.Parse("192.0.2.44"), IPAddress.Parse("198.51.100.7"), IPAddress.Parse("2001:db8:0:1::44")], c.SubjectAltName!.IPAddresses);
        Assert.Empty(c.SubjectAltName.DnsNames);
        var unknown = c.FindExtension("1.3.6.1.4.1.55555.7.1")!;
        Assert.True(unknown.Critical);
        Assert.IsType<UnknownExtension>(unknown.Parsed);
        Assert.Equal("1.3.6.1.4.1.55555.7.1", unknown.Name);
        Assert.Equal(Convert.FromHexString("0c0568656c6c6f"), unknown.Value.ToArray());
        var note = Assert.Single(c.Notes);
        Assert.Equal(Severity.Warning, note.Severity);
        Assert.Contains("1.3.6.1.4.1.55555.7.1", note.Message);
        Assert.Equal(unknown.ValueRange, note.Range);
        Assert.Equal(SignatureCheck.Valid, c.VerifySignature(X509TestData.Load("ec-root")));
    }

    [Fact]
    public void MalformedExtensionsFailAlone()
    {
        var c = X509TestData.Load("bad-ext");
        Assert.True(c.IsComplete);
        Assert.Equal("CN=bad-ext.httpsflow.example", c.Subject!.ToString());
        Assert.Equal(SignatureCheck.Valid, c.VerifySignature(X509TestData.Load("ec-root")));
        var bc = c.FindExtension(Oids.BasicConstraints)!;
        var bad = Assert.IsType<MalformedExtension>(bc.Parsed);
        Assert.True(bc.Critical);
        Assert.Contains("cut short", bad.Error);
        var san = Assert.IsType<MalformedExtension>(c.FindExtension(Oids.SubjectAltName)!.Parsed);
        Assert.Contains("cut short", san.Error);
        Assert.Null(c.BasicConstraints);
        Assert.Null(c.SubjectAltName);
        Assert.NotNull(c.KeyUsage);
        Assert.NotNull(c.SubjectKeyIdentifier);
        Assert.NotNull(c.AuthorityKeyIdentifier);
        var errors = c.Notes.Where(n => n.Severity == Severity.Error).ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, n => Assert.Equal("x509ce", n.Note.Protocol));
        Assert.All(errors, n => Assert.Equal("Malformed", n.Note.Group));
        Assert.Contains(errors, n => n.Message.StartsWith("id-ce-basicConstraints: ", StringComparison.Ordinal) && bc.ValueRange.Contains(n.Range.Offset));

        // The base library reads the same bytes only until it is asked for the extension.
        using var x = X509CertificateLoader.LoadCertificate(X509TestData.Der("bad-ext"));
        Assert.ThrowsAny<CryptographicException>(() => x.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
    }

    [Fact]
    public void VersionOneCertificateHasNoVersionField()
    {
        var c = X509TestData.Load("v1-p384");
        Assert.True(c.IsComplete);
        Assert.Empty(c.Notes);
        Assert.False(c.VersionEncoded);
        Assert.Equal(0, c.RawVersion);
        Assert.Equal(1, c.Version);
        Assert.True(c.VersionRange.IsEmpty);
        Assert.Empty(c.Extensions);
        Assert.Equal("ecdsa-with-SHA384", c.SignatureAlgorithm!.Name);
        Assert.Equal("secp384r1", c.PublicKey!.CurveName);
        Assert.Equal(384, c.PublicKey.KeySizeBits);
        Assert.Equal(SignatureCheck.Valid, c.VerifySignature(X509TestData.Load("ec-root")));
        Assert.DoesNotContain(CertificateFields.Values(c), v => v.Key == "x509af.version");
    }

    [Theory]
    [InlineData("ed25519", PublicKeyType.Ed25519, "id-Ed25519", 32, 256)]
    [InlineData("ed448", PublicKeyType.Ed448, "id-Ed448", 57, 456)]
    public void EdDsaCertificates(string name, PublicKeyType type, string algorithm, int keyLength, int bits)
    {
        var c = X509TestData.Load(name);
        Assert.True(c.IsComplete);
        Assert.Empty(c.Notes);
        Assert.Equal(type, c.PublicKey!.Type);
        Assert.Equal(algorithm, c.PublicKey.Algorithm.Name);
        Assert.Equal(algorithm, c.SignatureAlgorithm!.Name);
        Assert.False(Oids.Find(c.SignatureAlgorithm.Oid)!.KnownToTshark);
        Assert.Equal(keyLength, c.PublicKey.PublicKey.Length);
        Assert.Equal(bits, c.PublicKey.KeySizeBits);
        Assert.True(c.IsSelfIssued);
        // The base library has no EdDSA: the signature cannot be checked, so the certificate is not called self-signed.
        Assert.Equal(SignatureCheck.UnsupportedAlgorithm, c.VerifySignature(c));
        Assert.False(c.IsSelfSigned);
    }

    [Fact]
    public void RsaPssCertificate()
    {
        var c = X509TestData.Load("rsa-pss");
        Assert.True(c.IsComplete);
        Assert.Empty(c.Notes);
        Assert.Equal(PublicKeyType.RsaPss, c.PublicKey!.Type);
        Assert.Equal(2048, c.PublicKey.KeySizeBits);
        Assert.Equal("id-RSASSA-PSS", c.SignatureAlgorithm!.Name);
        Assert.Equal("rsassa-pss", Oids.Find(Oids.RsassaPss)!.ShortName);
        var expected = new RsaPssParameters(Oids.Sha256, Oids.Mgf1, Oids.Sha256, 32, 1);
        Assert.Equal(expected, c.SignatureAlgorithm.Pss);
        Assert.Equal(expected, c.PublicKey.Algorithm.Pss);
        Assert.Equal([Oids.Sha256, Oids.Mgf1, Oids.Sha256], c.SignatureAlgorithm.NestedAlgorithmOids);
        Assert.Equal(HashAlgorithmName.SHA256, c.SignatureAlgorithm.SignatureHash);
        Assert.True(c.IsSelfSigned);
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void AgreesWithX509Certificate2(string name)
    {
        var der = X509TestData.Der(name);
        var c = Certificate.Parse(der);
        using var x = X509CertificateLoader.LoadCertificate(der);
        Assert.Equal(x.SerialNumber, Convert.ToHexString(c.SerialNumber.Span));
        Assert.Equal(x.Thumbprint, Convert.ToHexString(c.Sha1Fingerprint));
        Assert.Equal(x.GetCertHashString(HashAlgorithmName.SHA256), Convert.ToHexString(c.Sha256Fingerprint));
        Assert.Equal(x.Version, c.Version);
        Assert.Equal(new DateTimeOffset(x.NotBefore.ToUniversalTime()), c.NotBefore!.Value);
        Assert.Equal(new DateTimeOffset(x.NotAfter.ToUniversalTime()), c.NotAfter!.Value);
        Assert.Equal(x.SignatureAlgorithm.Value, c.SignatureAlgorithm!.Oid);
        Assert.Equal(x.PublicKey.Oid.Value, c.PublicKey!.Algorithm.Oid);
        Assert.Equal(x.PublicKey.EncodedKeyValue.RawData, c.PublicKey.PublicKey.ToArray());
        Assert.Equal(x.SubjectName.RawData, c.Subject!.Der.ToArray());
        Assert.Equal(x.IssuerName.RawData, c.Issuer!.Der.ToArray());
        Assert.Equal(x.Extensions.Select(e => (e.Oid!.Value, e.Critical, e.RawData)),
            c.Extensions.Select(e => ((string?)e.Oid, e.Critical, e.Value.ToArray())));
        if (name == "bad-ext") return;
        if (x.Extensions.OfType<X509SubjectAlternativeNameExtension>().SingleOrDefault() is { } san)
        {
            Assert.Equal(san.EnumerateDnsNames(), c.SubjectAltName!.DnsNames);
            Assert.Equal(san.EnumerateIPAddresses(), c.SubjectAltName.IPAddresses);
        }
        if (x.Extensions.OfType<X509BasicConstraintsExtension>().SingleOrDefault() is { } bc)
        {
            Assert.Equal(bc.CertificateAuthority, c.BasicConstraints!.CertificateAuthority);
            Assert.Equal(bc.HasPathLengthConstraint ? bc.PathLengthConstraint : null, c.BasicConstraints.PathLengthConstraint);
        }
        if (x.Extensions.OfType<X509KeyUsageExtension>().SingleOrDefault() is { } ku)
        {
            var flags = ku.KeyUsages;
            Assert.Equal(flags.HasFlag(X509KeyUsageFlags.DigitalSignature), c.KeyUsage!.Has(KeyUsageFlags.DigitalSignature));
            Assert.Equal(flags.HasFlag(X509KeyUsageFlags.KeyCertSign), c.KeyUsage.Has(KeyUsageFlags.KeyCertSign));
            Assert.Equal(flags.HasFlag(X509KeyUsageFlags.CrlSign), c.KeyUsage.Has(KeyUsageFlags.CrlSign));
            Assert.Equal(flags.HasFlag(X509KeyUsageFlags.KeyEncipherment), c.KeyUsage.Has(KeyUsageFlags.KeyEncipherment));
            Assert.Equal(flags.HasFlag(X509KeyUsageFlags.KeyAgreement), c.KeyUsage.Has(KeyUsageFlags.KeyAgreement));
        }
        if (x.Extensions.OfType<X509EnhancedKeyUsageExtension>().SingleOrDefault() is { } eku)
            Assert.Equal(eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value), c.ExtendedKeyUsage!.Purposes);
        if (x.Extensions.OfType<X509SubjectKeyIdentifierExtension>().SingleOrDefault() is { } ski)
            Assert.Equal(ski.SubjectKeyIdentifier, Convert.ToHexString(c.SubjectKeyIdentifier!.KeyIdentifier.Span));
        if (x.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().SingleOrDefault() is { } aki)
            Assert.Equal(aki.KeyIdentifier?.ToArray(), c.AuthorityKeyIdentifier!.KeyIdentifier?.ToArray());
        if (x.Extensions.OfType<X509AuthorityInformationAccessExtension>().SingleOrDefault() is { } aia)
        {
            Assert.Equal(aia.EnumerateOcspUris(), c.AuthorityInfoAccess!.OcspUris);
            Assert.Equal(aia.EnumerateCAIssuersUris(), c.AuthorityInfoAccess.CaIssuersUris);
        }
    }

    [Fact]
    public void PemWithSeveralCertificates()
    {
        var chain = Certificate.ParsePem(File.ReadAllText(Path.Combine(X509TestData.Pki, "fullchain.pem")));
        Assert.Equal(["test.httpsflow.example", "HttpsFlow Test R3"], chain.Select(c => c.Subject!.CommonName));
        Assert.Empty(Certificate.ParsePem("no PEM here"));
        Assert.Empty(Certificate.ParsePem("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"));
        Assert.Empty(Certificate.ParsePem(File.ReadAllText(Path.Combine(X509TestData.Pki, "leaf.key"))));
    }

    [Fact]
    public void ValidAtIncludesBothEnds()
    {
        var c = X509TestData.Load("ec-leaf");
        Assert.True(c.ValidAt(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.True(c.ValidAt(new DateTimeOffset(2051, 6, 1, 12, 0, 0, TimeSpan.Zero)));
        Assert.True(c.ValidAt(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.FromHours(5))));
        Assert.False(c.ValidAt(new DateTimeOffset(2026, 5, 31, 23, 59, 59, TimeSpan.Zero)));
        Assert.False(c.ValidAt(new DateTimeOffset(2051, 6, 1, 12, 0, 1, TimeSpan.Zero)));
        // 01:00 at UTC+2 is 23:00 UTC the day before notBefore.
        Assert.False(c.ValidAt(new DateTimeOffset(2026, 6, 1, 1, 0, 0, TimeSpan.FromHours(2))));
    }

    [Fact]
    public void FingerprintsFormatLikeOpenSsl()
    {
        Assert.Equal("00:AB:FF", Certificate.FormatFingerprint([0x00, 0xab, 0xff]));
        var c = X509TestData.Leaf;
        Assert.Equal(SHA256.HashData(X509TestData.Der("leaf")), c.Sha256Fingerprint.ToArray());
        Assert.Equal(SHA1.HashData(X509TestData.Der("leaf")), c.Sha1Fingerprint.ToArray());
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(c.PublicKey!.Der.Span)), c.PublicKey.PinSha256);
    }
}
