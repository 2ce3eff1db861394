using System.Formats.Asn1;
using System.Globalization;
using System.Net.Sockets;

namespace HttpsFlow.X509;

/// <summary>
/// A certificate's values under tshark 4.0's display-filter field names, in the order tshark meets them, formatted
/// as <c>tshark -T fields</c> prints them (<c>x509af.serialNumber</c> → <c>19e678ae…</c>, <c>x509af.utcTime</c> →
/// <c>2026-11-29 16:20:04 (UTC)</c>, <c>pkcs1.modulus</c> → <c>00ce59…</c>). For the field registry and for
/// comparing with tshark; a field that occurs several times (issuer and subject strings) yields one entry each time.
/// </summary>
/// <remarks>
/// tshark 4.0.17 registers <c>x509ce.iPAddress</c> but puts addresses in <c>x509ce.IPAddress.ipv4</c> and
/// <c>x509ce.IPAddress.ipv6</c>, and <c>x509if.id</c> is an INTEGER of directory structures that certificates do not
/// contain: both stay empty here as they do in tshark.
/// Each embedded SCT also gives its signature algorithm as <c>tls.handshake.sig_hash_alg</c> (a number, which the
/// field registry prints as <c>0x0403</c>): a TLS field, not in <see cref="Supported"/>.
/// </remarks>
public static class CertificateFields
{
    /// <summary>The fields <see cref="Values(Certificate)"/> and its overloads can produce.</summary>
    public static readonly IReadOnlyList<string> Supported =
    [
        "x509af.version", "x509af.serialNumber", "x509af.algorithm.id", "x509if.oid", "x509if.id",
        "x509sat.printableString", "x509sat.uTF8String", "x509sat.bmpString", "x509sat.teletexString", "x509sat.universalString",
        "x509sat.CountryName", "x509sat.PrintableString", "x509sat.IA5String", "x509sat.UTF8String",
        "x509af.utcTime", "x509af.generalizedTime", "pkcs1.namedCurve", "x509af.subjectPublicKey", "pkcs1.modulus", "pkcs1.publicExponent",
        "x509af.extension.id", "x509af.critical", "x509ce.cA", "x509ce.pathLenConstraint", "x509ce.KeyPurposeId",
        "x509ce.SubjectKeyIdentifier", "x509ce.keyIdentifier", "x509ce.authorityCertSerialNumber",
        "x509ce.dNSName", "x509ce.rfc822Name", "x509ce.uniformResourceIdentifier", "x509ce.iPAddress",
        "x509ce.IPAddress.ipv4", "x509ce.IPAddress.ipv6", "x509ce.registeredID", "pkix1implicit.accessMethod",
        "x509ce.policyIdentifier", "tls.sct.sct_logid", "tls.sct.sct_timestamp", "x509af.encrypted",
    ];

    /// <summary>(field, value) pairs in encoding order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Values(Certificate c)
    {
        var f = new List<KeyValuePair<string, string>>();
        Fill(c, f);
        CutAtNul(f);
        return f;
    }

    /// <summary>
    /// The X.509 fields tshark shows inside a stapled OCSP response, in encoding order: the responder's name
    /// (<c>x509if.oid</c>, <c>x509sat.*</c>), each CertID's hash algorithm and the response's signature algorithm
    /// (<c>x509af.algorithm.id</c>), the fields inside the response's extensions (an SCT list's <c>tls.sct.*</c>),
    /// then every field of each certificate sent with it. OCSP's own fields (ocsp.*, the extensions' pkix1explicit
    /// identifiers) are not among them.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Values(OcspResponse r)
    {
        var f = new List<KeyValuePair<string, string>>();
        if (r.ResponderName is { } name) Name(f, name);
        foreach (var single in r.Responses)
        {
            Algorithm(f, single.HashAlgorithm);
            foreach (var x in single.Extensions) ExtensionValue(f, x.Parsed);
        }
        foreach (var x in r.Extensions) ExtensionValue(f, x.Parsed);
        if (r.SignatureAlgorithm is { } alg) Algorithm(f, alg);
        foreach (var c in r.Certificates) Fill(c, f);
        CutAtNul(f);
        return f;
    }

    /// <summary>A Name's fields (<c>x509if.oid</c>, <c>x509sat.*</c>), as tshark shows a CertificateRequest's
    /// certificate authorities.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Values(DistinguishedName name)
    {
        var f = new List<KeyValuePair<string, string>>();
        Name(f, name);
        CutAtNul(f);
        return f;
    }

    /// <summary>
    /// The fields of a TLS signed_certificate_timestamp extension's list (<c>tls.sct.*</c>, and each signature's
    /// algorithm as <c>tls.handshake.sig_hash_alg</c> when the connection's version puts it on the wire).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Values(IReadOnlyList<SignedCertificateTimestamp> scts, bool algorithms = true)
    {
        var f = new List<KeyValuePair<string, string>>();
        Timestamps(f, scts, algorithms);
        return f;
    }

    /// <summary>
    /// Each v1 SCT's log ID and timestamp, then its digitally-signed algorithm as the TLS field
    /// <c>tls.handshake.sig_hash_alg</c> (a number, which the field registry prints as <c>0x0403</c>): tshark reads
    /// the SCTs of certificates and OCSP responses as TLS 1.2's, with the algorithm.
    /// </summary>
    private static void Timestamps(List<KeyValuePair<string, string>> f, IReadOnlyList<SignedCertificateTimestamp> scts, bool algorithms = true)
    {
        foreach (var sct in scts)
        {
            if (sct.Version != 0) continue;
            f.Add(new("tls.sct.sct_logid", sct.LogIdHex));
            f.Add(new("tls.sct.sct_timestamp", CertificateTime.FormatAbsolute(sct.Timestamp, (int)(sct.TimestampMilliseconds % 1000) * 1_000_000)));
            if (algorithms)
                f.Add(new("tls.handshake.sig_hash_alg", (sct.HashAlgorithm << 8 | sct.SignatureAlgorithm).ToString(CultureInfo.InvariantCulture)));
        }
    }

    // tshark's strings are C strings: a value stops at its first NUL.
    private static void CutAtNul(List<KeyValuePair<string, string>> f)
    {
        for (int i = 0; i < f.Count; i++)
            if (f[i].Value.IndexOf('\0') is int nul and >= 0) f[i] = new(f[i].Key, f[i].Value[..nul]);
    }

    private static void Fill(Certificate c, List<KeyValuePair<string, string>> f)
    {
        void Add(string field, string value) => f.Add(new(field, value));

        if (c.VersionEncoded && c.RawVersion is { } v) Add("x509af.version", v.ToString(CultureInfo.InvariantCulture));
        if (!c.SerialNumberRange.IsEmpty) Add("x509af.serialNumber", c.SerialNumberHex);
        if (c.TbsSignatureAlgorithm is { } tbsAlg) Algorithm(f, tbsAlg);
        if (c.Issuer is { } issuer) Name(f, issuer);
        if (c.NotBefore is { } nb) Time(f, nb);
        if (c.NotAfter is { } na) Time(f, na);
        if (c.Subject is { } subject) Name(f, subject);
        if (c.PublicKey is { } key)
        {
            Algorithm(f, key.Algorithm);
            if (key.CurveOid is { } curve) Add("pkcs1.namedCurve", curve);
            Add("x509af.subjectPublicKey", Convert.ToHexStringLower(SubjectPublicKeyField(key)));
            // tshark reads an RSAPublicKey only under rsaEncryption (x509af.cnf), not under id-RSASSA-PSS.
            if (key.Algorithm.Oid == Oids.RsaEncryption && key.RsaModulus is { } n && key.RsaExponent is { } e)
            {
                Add("pkcs1.modulus", Convert.ToHexStringLower(n.Span));
                Add("pkcs1.publicExponent", e.ToString(CultureInfo.InvariantCulture));
            }
        }
        foreach (var x in c.Extensions)
        {
            Add("x509af.extension.id", x.Oid);
            if (x.CriticalEncoded) Add("x509af.critical", x.Critical ? "1" : "0");
            ExtensionValue(f, x.Parsed);
        }
        if (c.SignatureAlgorithm is { } alg) Algorithm(f, alg);
        if (!c.SignatureValueRange.IsEmpty) Add("x509af.encrypted", Convert.ToHexStringLower(c.SignatureValue.Span));
    }

    /// <summary>The fields inside one extension's value, as the dissector tshark calls by the extension's OID shows them.</summary>
    private static void ExtensionValue(List<KeyValuePair<string, string>> f, ParsedExtension parsed)
    {
        void Add(string field, string value) => f.Add(new(field, value));
        switch (parsed)
        {
            case BasicConstraintsExtension bc:
                if (bc.CaEncoded) Add("x509ce.cA", bc.CertificateAuthority ? "1" : "0");
                if (bc.PathLengthConstraint is { } p) Add("x509ce.pathLenConstraint", p.ToString(CultureInfo.InvariantCulture));
                break;
            case ExtendedKeyUsageExtension eku:
                foreach (var purpose in eku.Purposes) Add("x509ce.KeyPurposeId", purpose);
                break;
            case SubjectKeyIdentifierExtension ski:
                Add("x509ce.SubjectKeyIdentifier", Convert.ToHexStringLower(ski.KeyIdentifier.Span));
                break;
            case AuthorityKeyIdentifierExtension aki:
                if (aki.KeyIdentifier is { } id) Add("x509ce.keyIdentifier", Convert.ToHexStringLower(id.Span));
                foreach (var g in aki.AuthorityCertIssuer ?? []) GeneralName(f, g);
                if (aki.AuthorityCertSerialNumber is { } s) Add("x509ce.authorityCertSerialNumber", Convert.ToHexStringLower(s.Span));
                break;
            case AlternativeNameExtension alt:
                foreach (var g in alt.Names) GeneralName(f, g);
                break;
            case AuthorityInfoAccessExtension aia:
                foreach (var d in aia.Descriptions)
                {
                    Add("pkix1implicit.accessMethod", d.Method);
                    GeneralName(f, d.Location);
                }
                break;
            case CrlDistributionPointsExtension crl:
                foreach (var point in crl.Points)
                {
                    foreach (var g in point.FullName ?? []) GeneralName(f, g);
                    foreach (var g in point.CrlIssuer ?? []) GeneralName(f, g);
                }
                break;
            case CertificatePoliciesExtension policies:
                foreach (var policy in policies.Policies) Add("x509ce.policyIdentifier", policy.Oid);
                break;
            case SctListExtension scts:
                Timestamps(f, scts.Timestamps);
                break;
            case LogotypeExtension logotype:
                foreach (var hash in logotype.HashAlgorithms) Algorithm(f, hash);
                break;
        }
    }

    /// <summary>
    /// Under rsaEncryption tshark gives <c>x509af.subjectPublicKey</c> to the RSAPublicKey SEQUENCE it reads from the
    /// bits (x509af.cnf), so the field covers that first TLV only; under any other algorithm, all the bits.
    /// </summary>
    private static ReadOnlySpan<byte> SubjectPublicKeyField(SubjectPublicKeyInfo key)
    {
        var bits = key.PublicKey.Span;
        if (key.Algorithm.Oid != Oids.RsaEncryption || bits.IsEmpty) return bits;
        var r = new DerReader(bits, 0, bits.Length);
        var status = r.Read(out var tlv, out _);
        return status == DerRead.Malformed ? bits : tlv.Bytes(bits);
    }

    /// <summary>The values of one field, joined by commas as <c>tshark -T fields</c> joins repeated occurrences.</summary>
    public static string Join(IEnumerable<KeyValuePair<string, string>> values, string field) =>
        string.Join(',', values.Where(v => v.Key == field).Select(v => v.Value));

    private static void Algorithm(List<KeyValuePair<string, string>> f, AlgorithmIdentifier a)
    {
        f.Add(new("x509af.algorithm.id", a.Oid));
        foreach (var nested in a.NestedAlgorithmOids) f.Add(new("x509af.algorithm.id", nested));
    }

    private static void Time(List<KeyValuePair<string, string>> f, CertificateTime t) =>
        f.Add(new(t.IsGeneralizedTime ? "x509af.generalizedTime" : "x509af.utcTime", t.FieldText));

    private static void Name(List<KeyValuePair<string, string>> f, DistinguishedName name)
    {
        foreach (var a in name.Attributes)
        {
            f.Add(new("x509if.oid", a.Oid));
            string? field = Oids.SyntaxOf(a.Oid) switch
            {
                AttributeSyntax.DirectoryString => a.StringType switch
                {
                    UniversalTagNumber.T61String => "x509sat.teletexString",
                    UniversalTagNumber.PrintableString => "x509sat.printableString",
                    UniversalTagNumber.UniversalString => "x509sat.universalString",
                    UniversalTagNumber.UTF8String => "x509sat.uTF8String",
                    UniversalTagNumber.BMPString => "x509sat.bmpString",
                    _ => null,
                },
                AttributeSyntax.CountryName when a.StringType == UniversalTagNumber.PrintableString => "x509sat.CountryName",
                AttributeSyntax.PrintableString when a.StringType == UniversalTagNumber.PrintableString => "x509sat.PrintableString",
                AttributeSyntax.Ia5String when a.StringType == UniversalTagNumber.IA5String => "x509sat.IA5String",
                AttributeSyntax.Utf8String when a.StringType == UniversalTagNumber.UTF8String => "x509sat.UTF8String",
                _ => null,
            };
            if (field is not null && a.ValueTag.TagClass == TagClass.Universal) f.Add(new(field, a.Value));
        }
    }

    private static void GeneralName(List<KeyValuePair<string, string>> f, GeneralName g)
    {
        switch (g.Kind)
        {
            case GeneralNameKind.DnsName: f.Add(new("x509ce.dNSName", g.Value)); break;
            case GeneralNameKind.Rfc822Name: f.Add(new("x509ce.rfc822Name", g.Value)); break;
            case GeneralNameKind.Uri: f.Add(new("x509ce.uniformResourceIdentifier", g.Value)); break;
            case GeneralNameKind.RegisteredId: f.Add(new("x509ce.registeredID", g.Value)); break;
            case GeneralNameKind.IPAddress when g.IPAddress is { } ip:
                f.Add(new(ip.AddressFamily == AddressFamily.InterNetwork ? "x509ce.IPAddress.ipv4" : "x509ce.IPAddress.ipv6", ip.ToString()));
                break;
            case GeneralNameKind.DirectoryName when g.DirectoryName is { } dn: Name(f, dn); break;
            case GeneralNameKind.OtherName when g.OtherNameTypeId is { } type && Oids.SyntaxOf(type) == AttributeSyntax.Utf8String
                                                && g.OtherNameStringType == UniversalTagNumber.UTF8String:
                f.Add(new("x509sat.UTF8String", g.Value));
                break;
        }
    }
}
