using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HttpsFlow.Decryption;

/// <summary>
/// RSA key exchange (TLS 1.0–1.2 suites TLS_RSA_WITH_*): with the server's private key, the ClientKeyExchange gives
/// the pre-master secret (RFC 5246 §7.4.7.1). Bad bytes and foreign keys give null, never an exception.
/// </summary>
public static class RsaKeyExchange
{
    /// <summary>Reads the private keys of a PEM file (unencrypted PKCS#1 or PKCS#8); empty when it holds none.</summary>
    public static List<RSA> LoadPem(string pem)
    {
        var keys = new List<RSA>();
        foreach (var label in new[] { "PRIVATE KEY", "RSA PRIVATE KEY" })
        {
            int at = 0;
            string begin = $"-----BEGIN {label}-----", end = $"-----END {label}-----";
            while ((at = pem.IndexOf(begin, at, StringComparison.Ordinal)) >= 0)
            {
                int stop = pem.IndexOf(end, at, StringComparison.Ordinal);
                if (stop < 0) break;
                var rsa = RSA.Create();
                try
                {
                    rsa.ImportFromPem(pem.AsSpan(at, stop + end.Length - at));
                    keys.Add(rsa);
                }
                catch (Exception e) when (e is CryptographicException or ArgumentException)
                {
                    rsa.Dispose();
                }
                at = stop + end.Length;
            }
        }
        return keys;
    }

    /// <summary>The key among <paramref name="keys"/> whose modulus is that of the first certificate of a Certificate body, or null.</summary>
    public static RSA? MatchCertificate(IReadOnlyList<RSA> keys, ReadOnlySpan<byte> certificateBody)
    {
        if (certificateBody.Length < 6) return null;
        int length = certificateBody[3] << 16 | certificateBody[4] << 8 | certificateBody[5];
        if (length == 0 || certificateBody.Length < 6 + length) return null;
        byte[] modulus;
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(certificateBody.Slice(6, length));
            using var publicKey = certificate.GetRSAPublicKey();
            if (publicKey is null) return null;
            modulus = publicKey.ExportParameters(false).Modulus ?? [];
        }
        catch (CryptographicException)
        {
            return null;
        }
        foreach (var key in keys)
        {
            try
            {
                if (key.ExportParameters(false).Modulus.AsSpan().SequenceEqual(modulus)) return key;
            }
            catch (CryptographicException)
            {
            }
        }
        return null;
    }

    /// <summary>The 48-byte pre-master secret of a ClientKeyExchange body, or null when the key does not decrypt it.</summary>
    public static byte[]? DecryptPreMasterSecret(RSA key, ReadOnlySpan<byte> body, ushort version)
    {
        var encrypted = body;
        if (version >= Tls.TlsVersion.Tls10)
        {
            if (body.Length < 2) return null;
            int length = body[0] << 8 | body[1];
            if (body.Length < 2 + length) return null;
            encrypted = body.Slice(2, length);
        }
        try
        {
            var secret = key.Decrypt(encrypted.ToArray(), RSAEncryptionPadding.Pkcs1);
            return secret.Length == 48 ? secret : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
