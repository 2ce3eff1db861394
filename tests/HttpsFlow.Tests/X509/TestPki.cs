using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HttpsFlow.X509;

namespace HttpsFlow.Tests.X509;

/// <summary>Certificates made on the spot with .NET's CertificateRequest (EC P-256 keys), for chain and host name
/// cases the committed certificates do not cover.</summary>
internal static class TestPki
{
    public static Certificate Parse(X509Certificate2 x) => Certificate.Parse(x.RawData);

    /// <summary>A self-signed CA valid from a day ago for a year.</summary>
    public static X509Certificate2 Ca(string subject, bool keyIdentifiers = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        if (keyIdentifiers) request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>A certificate issued by <paramref name="issuer"/> (which must have its private key), with its key.</summary>
    public static X509Certificate2 Leaf(X509Certificate2 issuer, string subject, bool? ca = null, int? pathLength = null,
        bool keyIdentifiers = true, X509Extension? subjectAltName = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (ca is { } isCa)
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, pathLength is not null, pathLength ?? 0, true));
        if (ca == true)
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        if (keyIdentifiers)
        {
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            if (issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Any())
                request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        }
        if (subjectAltName is not null) request.CertificateExtensions.Add(subjectAltName);
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        // The generator overload signs whatever the issuer is (the certificate overload refuses a non-CA issuer).
        using var issuerKey = issuer.GetECDsaPrivateKey()!;
        using var signed = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey),
            DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>A self-signed end-entity certificate with the given subject and, when given, subjectAltName.</summary>
    public static Certificate SelfSigned(string subject, X509Extension? subjectAltName = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (subjectAltName is not null) request.CertificateExtensions.Add(subjectAltName);
        using var x = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return Certificate.Parse(x.RawData);
    }

    /// <summary>A subjectAltName of dNSNames and iPAddresses written as given (no IDN conversion, wildcards kept).</summary>
    public static X509Extension SubjectAltName(string[] dnsNames, string[]? addresses = null)
    {
        var w = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            foreach (var d in dnsNames)
                w.WriteCharacterString(System.Formats.Asn1.UniversalTagNumber.IA5String, d,
                    new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 2));
            foreach (var a in addresses ?? [])
                w.WriteOctetString(System.Net.IPAddress.Parse(a).GetAddressBytes(),
                    new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 7));
        }
        return new X509Extension(Oids.SubjectAltName, w.Encode(), false);
    }
}
