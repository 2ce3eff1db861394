using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HttpsFlow.Cli.Live;

/// <summary>
/// A fresh certificate chain for the lab's test site, shaped like a public web PKI: a self-signed root, an
/// intermediate that issues server certificates (as Let's Encrypt's R3 does), and a leaf for the site's name with an
/// RSA 2048 key (so a TLS 1.2 handshake can use ECDHE-RSA, as in the walkthrough this lab reproduces).
/// Made in memory for each run; nothing is written to the machine's trust store.
/// </summary>
internal sealed class LabPki : IDisposable
{
    public required X509Certificate2 Root { get; init; }
    public required X509Certificate2 Intermediate { get; init; }
    /// <summary>The site's certificate, with its private key.</summary>
    public required X509Certificate2 Leaf { get; init; }

    public static LabPki Create(string siteName, DateTimeOffset now)
    {
        using var rootKey = RSA.Create(2048);
        var rootRequest = new CertificateRequest("CN=HttpsFlow Lab Root X1, O=HttpsFlow Lab, C=US", rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        var root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));

        using var intermediateKey = RSA.Create(2048);
        var intermediateRequest = new CertificateRequest("CN=HttpsFlow Lab R3, O=HttpsFlow Lab, C=US", intermediateKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        intermediateRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediateRequest.PublicKey, false));
        intermediateRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        var intermediatePublic = intermediateRequest.Create(root, now.AddDays(-1), now.AddYears(5), Serial());
        var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);
        intermediatePublic.Dispose();

        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest($"CN={siteName}", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(siteName);
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(leafRequest.PublicKey, false));
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(intermediate, true, false));
        using var leafPublic = leafRequest.Create(intermediate, now.AddDays(-1), now.AddDays(90), Serial());
        var leaf = leafPublic.CopyWithPrivateKey(leafKey);
        // SslStream on Linux wants a key it can export to OpenSSL: round-trip through PKCS#12 in memory.
        var usable = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
        leaf.Dispose();
        return new LabPki { Root = root, Intermediate = intermediate, Leaf = usable };
    }

    /// <summary>A random positive 128-bit serial number.</summary>
    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        return serial;
    }

    /// <summary>Whether <paramref name="certificate"/> chains to this lab's root (and only to it).</summary>
    public bool Trusts(X509Certificate2 certificate, X509Chain? presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        chain.ChainPolicy.ExtraStore.Add(Intermediate);
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Root.Dispose();
        Intermediate.Dispose();
        Leaf.Dispose();
    }
}
