using System.Globalization;
using System.Net;
using HttpsFlow.X509;

namespace HttpsFlow.Tests.X509;

/// <summary>
/// Every certificate of samples/pki and tests/HttpsFlow.Tests/X509/data read by HttpsFlow and by
/// <c>openssl x509 -text -noout</c> (run live; skipped where openssl is not installed), field by field: version,
/// serial, algorithms, names, dates, key, every extension and its value, fingerprints, the RFC 2253 names.
/// </summary>
public class OpenSslComparisonTests
{
    public static TheoryData<string> Names() => ["root", "r3", "leaf", .. X509TestData.DataNames];

    private static readonly Dictionary<string, string> AlgorithmByOpenSslName = new()
    {
        ["sha256WithRSAEncryption"] = Oids.Sha256WithRsa,
        ["ecdsa-with-SHA256"] = Oids.EcdsaWithSha256,
        ["ecdsa-with-SHA384"] = Oids.EcdsaWithSha384,
        ["ED25519"] = Oids.Ed25519,
        ["ED448"] = Oids.Ed448,
        ["rsassaPss"] = Oids.RsassaPss,
        ["rsaEncryption"] = Oids.RsaEncryption,
        ["id-ecPublicKey"] = Oids.EcPublicKey,
    };

    private static readonly Dictionary<string, string> ExtensionByOpenSslName = new()
    {
        ["X509v3 Basic Constraints"] = Oids.BasicConstraints,
        ["X509v3 Key Usage"] = Oids.KeyUsage,
        ["X509v3 Extended Key Usage"] = Oids.ExtKeyUsage,
        ["X509v3 Subject Key Identifier"] = Oids.SubjectKeyIdentifier,
        ["X509v3 Authority Key Identifier"] = Oids.AuthorityKeyIdentifier,
        ["X509v3 Subject Alternative Name"] = Oids.SubjectAltName,
        ["Authority Information Access"] = Oids.AuthorityInfoAccess,
        ["X509v3 CRL Distribution Points"] = Oids.CrlDistributionPoints,
        ["X509v3 Certificate Policies"] = Oids.CertificatePolicies,
        ["CT Precertificate SCTs"] = Oids.SctList,
    };

    private static readonly string[] KeyUsageNames =
    [
        "Digital Signature", "Non Repudiation", "Key Encipherment", "Data Encipherment", "Key Agreement",
        "Certificate Sign", "CRL Sign", "Encipher Only", "Decipher Only",
    ];

    private static readonly Dictionary<string, string> PurposeByOpenSslName = new()
    {
        ["TLS Web Server Authentication"] = Oids.ServerAuth,
        ["TLS Web Client Authentication"] = Oids.ClientAuth,
        ["Code Signing"] = Oids.CodeSigning,
        ["E-mail Protection"] = Oids.EmailProtection,
        ["Time Stamping"] = Oids.TimeStamping,
        ["OCSP Signing"] = Oids.OcspSigning,
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void FieldsEqualOpenSslText(string name)
    {
        string path = X509TestData.PemPath(name);
        string? text = X509TestData.OpenSsl("x509", "-in", path, "-text", "-noout");
        if (text is null) return; // openssl is not installed
        var o = new OpenSslText(text);
        var c = X509TestData.Load(name);
        Assert.True(c.IsComplete, string.Join("; ", c.Notes));

        // Version: 3 (0x2)
        Assert.Equal($"{c.Version} (0x{c.RawVersion})", o.Value("Version"));

        // Serial Number: 65281 (0xff01) on one line, or 07:8c:… on the next
        string serial = o.Value("Serial Number");
        string serialHex = serial.Length > 0
            ? serial[(serial.IndexOf("(0x", StringComparison.Ordinal) + 3)..^1]
            : o.Block("Serial Number").Single().Replace(":", "");
        Assert.Equal(serialHex.TrimStart('0'), c.SerialNumberHex.TrimStart('0'));

        Assert.Equal(AlgorithmByOpenSslName[o.Value("Signature Algorithm").Split(' ')[0]], c.TbsSignatureAlgorithm!.Oid);
        Assert.Equal(c.TbsSignatureAlgorithm.Oid, c.SignatureAlgorithm!.Oid);
        Assert.Equal(o.Value("Issuer"), c.Issuer!.Format(NameStyle.OpenSsl));
        Assert.Equal(o.Value("Subject"), c.Subject!.Format(NameStyle.OpenSsl));
        Assert.Equal(o.Value("Not Before"), OpenSslDate(c.NotBefore!.Value!.Value));
        Assert.Equal(o.Value("Not After "), OpenSslDate(c.NotAfter!.Value!.Value));

        // Subject Public Key Info
        var key = c.PublicKey!;
        Assert.Equal(AlgorithmByOpenSslName[o.Value("Public Key Algorithm")], key.Algorithm.Oid);
        if (key.Type is PublicKeyType.Rsa or PublicKeyType.RsaPss)
        {
            Assert.Equal($"({key.KeySizeBits} bit)", o.Value("Public-Key"));
            Assert.Equal(string.Concat(o.Block("Modulus")).Replace(":", ""), Convert.ToHexStringLower(key.RsaModulus!.Value.Span));
            Assert.Equal($"{key.RsaExponent} (0x{key.RsaExponent:x})", o.Value("Exponent"));
        }
        else if (key.Type == PublicKeyType.Ec)
        {
            Assert.Equal($"({key.KeySizeBits} bit)", o.Value("Public-Key"));
            Assert.Equal(string.Concat(o.Block("pub")).Replace(":", ""), Convert.ToHexStringLower(key.EcPoint!.Value.Span));
            Assert.Equal(o.Value("ASN1 OID") switch { "prime256v1" => "secp256r1", var other => other }, key.CurveName);
            Assert.Equal(o.Value("NIST CURVE"), key.CurveNistName);
        }
        else
        {
            Assert.Equal(string.Concat(o.Block("pub")).Replace(":", ""), Convert.ToHexStringLower(key.PublicKey.Span));
        }

        // Extensions: names, criticality and order
        var headers = o.ExtensionHeaders();
        Assert.Equal(headers.Select(h => (ExtensionByOpenSslName.GetValueOrDefault(h.Name, h.Name), h.Critical)),
            c.Extensions.Select(x => (x.Oid, x.Critical)));
        foreach (var x in c.Extensions.Where(x => !x.Parsed.IsError))
        {
            var header = headers.Single(h => ExtensionByOpenSslName.GetValueOrDefault(h.Name, h.Name) == x.Oid);
            var lines = header.Lines;
            switch (x.Parsed)
            {
                case BasicConstraintsExtension bc:
                    Assert.Equal(lines.Single(), bc.ToString());
                    break;
                case KeyUsageExtension ku:
                    Assert.Equal(lines.Single(), string.Join(", ", Enumerable.Range(0, 9).Where(i => ((int)ku.Flags & 1 << i) != 0).Select(i => KeyUsageNames[i])));
                    break;
                case ExtendedKeyUsageExtension eku:
                    Assert.Equal(lines.Single().Split(", ").Select(n => PurposeByOpenSslName[n]), eku.Purposes);
                    break;
                case SubjectKeyIdentifierExtension ski:
                    Assert.Equal(lines.Single(), Certificate.FormatFingerprint(ski.KeyIdentifier.Span));
                    break;
                case AuthorityKeyIdentifierExtension aki:
                    Assert.Equal(lines[0].Replace("keyid:", ""), Certificate.FormatFingerprint(aki.KeyIdentifier!.Value.Span));
                    if (aki.AuthorityCertSerialNumber is { } s)
                        Assert.Equal(lines.Single(l => l.StartsWith("serial:")), "serial:" + Certificate.FormatFingerprint(s.Span));
                    if (aki.AuthorityCertIssuer is { } issuer)
                        Assert.Equal(lines.Single(l => l.StartsWith("DirName:")),
                            "DirName:" + string.Concat(issuer.Single().DirectoryName!.Attributes.Select(a => $"/{a.ShortName}={a.Value}")));
                    break;
                case AlternativeNameExtension san:
                    CompareGeneralNames(lines.Single().Split(", "), san.Names);
                    break;
                case AuthorityInfoAccessExtension aia:
                    Assert.Equal(lines, aia.Descriptions.Select(d => $"{(d.Method == Oids.Ocsp ? "OCSP" : "CA Issuers")} - URI:{d.Location.Value}"));
                    break;
                case CrlDistributionPointsExtension crl:
                    Assert.Equal(lines.Where(l => l.StartsWith("URI:")), crl.Uris.Select(u => "URI:" + u));
                    break;
                case CertificatePoliciesExtension cp:
                    Assert.Equal(lines.Where(l => l.StartsWith("Policy: ")).Select(l => l[8..]), cp.PolicyOids);
                    var qualifiers = cp.Policies.SelectMany(p => p.Qualifiers).ToList();
                    Assert.Equal(lines.Where(l => l.StartsWith("CPS: ")).Select(l => l[5..]), qualifiers.Where(q => q.Oid == Oids.CpsQualifier).Select(q => q.Value));
                    Assert.Equal(lines.Where(l => l.StartsWith("Explicit Text: ")).Select(l => l[15..]), qualifiers.Where(q => q.Oid == Oids.UserNoticeQualifier).Select(q => q.Value));
                    break;
                case SctListExtension scts:
                    var logIds = new List<string>();
                    for (int i = 0; i < lines.Count; i++)
                        if (lines[i].StartsWith("Log ID")) logIds.Add((lines[i][(lines[i].IndexOf(':') + 1)..].Trim() + lines[i + 1]).Replace(":", ""));
                    Assert.Equal(logIds, scts.Timestamps.Select(t => Convert.ToHexString(t.LogId.Span)));
                    Assert.Equal(lines.Where(l => l.StartsWith("Timestamp")).Select(l => l[(l.IndexOf(':') + 1)..].Trim()),
                        scts.Timestamps.Select(t => OpenSslDate(t.Timestamp, milliseconds: true)));
                    break;
            }
        }

        // Fingerprints and RFC 2253 names
        Assert.Equal("sha256 Fingerprint=" + Certificate.FormatFingerprint(c.Sha256Fingerprint),
            X509TestData.OpenSsl("x509", "-in", path, "-noout", "-fingerprint", "-sha256")!.Trim());
        Assert.Equal("sha1 Fingerprint=" + Certificate.FormatFingerprint(c.Sha1Fingerprint),
            X509TestData.OpenSsl("x509", "-in", path, "-noout", "-fingerprint", "-sha1")!.Trim());
        var rfc2253 = X509TestData.OpenSsl("x509", "-in", path, "-noout", "-subject", "-issuer", "-nameopt", "RFC2253,-esc_msb")!
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(SortedRdns(rfc2253[0]["subject=".Length..]), SortedRdns(c.Subject.ToString()));
        Assert.Equal(SortedRdns(rfc2253[1]["issuer=".Length..]), SortedRdns(c.Issuer.ToString()));
    }

    /// <summary>OpenSSL writes the attributes of a multi-valued RDN in reverse; RFC 4514 leaves their order open.</summary>
    private static string SortedRdns(string dn) => string.Join(',', dn.Split(',').Select(r => string.Join('+', r.Split('+').Order(StringComparer.Ordinal))));

    private static void CompareGeneralNames(string[] openssl, IReadOnlyList<GeneralName> ours)
    {
        Assert.Equal(openssl.Length, ours.Count);
        for (int i = 0; i < ours.Count; i++)
        {
            var n = ours[i];
            string o = openssl[i];
            switch (n.Kind)
            {
                case GeneralNameKind.IPAddress:
                    Assert.StartsWith("IP Address:", o);
                    Assert.Equal(IPAddress.Parse(o["IP Address:".Length..]), n.IPAddress);
                    break;
                case GeneralNameKind.OtherName:
                    Assert.Equal(Oids.Find(n.OtherNameTypeId!)!.ShortName, o["othername: ".Length..o.IndexOf("::")]);
                    Assert.Equal(o[(o.IndexOf("::") + 2)..], n.Value);
                    break;
                case GeneralNameKind.DirectoryName:
                    Assert.Equal(o, "DirName:" + string.Concat(n.DirectoryName!.Attributes.Select(a => $"/{a.ShortName}={a.Value}")));
                    break;
                default:
                    Assert.Equal(o, n.ToString());
                    break;
            }
        }
    }

    private static string OpenSslDate(DateTimeOffset t, bool milliseconds = false)
    {
        var u = t.UtcDateTime;
        string time = milliseconds ? u.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) : u.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"{u:MMM} {u.Day,2} {time} {u:yyyy} GMT");
    }

    /// <summary>The lines of <c>openssl x509 -text</c>, looked up by label.</summary>
    private sealed class OpenSslText(string text)
    {
        private readonly string[] _lines = text.Split('\n').Select(l => l.TrimEnd()).ToArray();

        /// <summary>The text after "label:" on the first line that starts (after indentation) with it.</summary>
        public string Value(string label)
        {
            var line = _lines.First(l => l.TrimStart().StartsWith(label + ":", StringComparison.Ordinal));
            return line.TrimStart()[(label.Length + 1)..].Trim();
        }

        /// <summary>The more indented lines under the first line labelled <paramref name="label"/>.</summary>
        public List<string> Block(string label)
        {
            int i = Array.FindIndex(_lines, l => l.TrimStart().StartsWith(label + ":", StringComparison.Ordinal));
            return Under(i);
        }

        private List<string> Under(int i)
        {
            int indent = Indent(_lines[i]);
            var block = new List<string>();
            for (int j = i + 1; j < _lines.Length && _lines[j].Length > 0 && Indent(_lines[j]) > indent; j++) block.Add(_lines[j].Trim());
            return block;
        }

        /// <summary>The extensions' header lines ("X509v3 Key Usage: critical") and the lines under each.</summary>
        public List<(string Name, bool Critical, List<string> Lines)> ExtensionHeaders()
        {
            var result = new List<(string, bool, List<string>)>();
            int start = Array.FindIndex(_lines, l => l.Trim() == "X509v3 extensions:");
            if (start < 0) return result;
            int indent = Indent(_lines[start + 1]);
            for (int i = start + 1; i < _lines.Length && Indent(_lines[i]) >= indent; i++)
            {
                if (Indent(_lines[i]) != indent) continue;
                string h = _lines[i].Trim();
                int colon = h.LastIndexOf(':');
                result.Add((h[..colon], h[(colon + 1)..].Trim() == "critical", Under(i)));
            }
            return result;
        }

        private static int Indent(string line) => line.Length - line.TrimStart().Length;
    }
}
