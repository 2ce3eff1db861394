using System.Security.Cryptography;

namespace HttpsFlow.X509;

/// <summary>
/// Checks a certificate's signature over its TBSCertificate bytes with a public key, using the base library's
/// RSA, ECDsa and DSA. EdDSA has no implementation there, and is reported as unsupported.
/// </summary>
internal static class SignatureVerifier
{
    public static SignatureCheck Verify(Certificate cert, SubjectPublicKeyInfo? key)
    {
        if (key is null || cert.SignatureAlgorithm is not { } alg || cert.TbsRange.IsEmpty || cert.SignatureValue.IsEmpty || !cert.IsComplete)
            return SignatureCheck.Incomplete;
        var tbs = cert.TbsRange.Of(cert.Der.Span);
        var signature = cert.SignatureValue.Span;
        try
        {
            switch (alg.Oid)
            {
                case Oids.Md5WithRsa or Oids.Sha1WithRsa or Oids.Sha256WithRsa or Oids.Sha384WithRsa or Oids.Sha512WithRsa or "1.3.14.3.2.29":
                {
                    if (key.Type != PublicKeyType.Rsa || alg.SignatureHash is not { } hash) return SignatureCheck.KeyMismatch;
                    using var rsa = LoadRsa(key);
                    if (rsa is null) return SignatureCheck.KeyMismatch;
                    return Result(rsa.VerifyData(tbs, signature, hash, RSASignaturePadding.Pkcs1));
                }
                case Oids.RsassaPss:
                {
                    if (key.Type is not (PublicKeyType.Rsa or PublicKeyType.RsaPss)) return SignatureCheck.KeyMismatch;
                    // .NET's PSS uses MGF1 with the message hash and a salt as long as the hash.
                    var p = alg.Pss ?? RsaPssParameters.Defaults;
                    if (alg.SignatureHash is not { } hash || p.MaskGenOid != Oids.Mgf1 || p.MaskGenHashOid != p.HashOid
                        || p.TrailerField != 1 || p.SaltLength != HashLength(hash))
                        return SignatureCheck.UnsupportedAlgorithm;
                    using var rsa = LoadRsa(key);
                    if (rsa is null) return SignatureCheck.KeyMismatch;
                    return Result(rsa.VerifyData(tbs, signature, hash, RSASignaturePadding.Pss));
                }
                case Oids.EcdsaWithSha1 or Oids.EcdsaWithSha256 or Oids.EcdsaWithSha384 or Oids.EcdsaWithSha512:
                {
                    if (key.Type != PublicKeyType.Ec || alg.SignatureHash is not { } hash) return SignatureCheck.KeyMismatch;
                    using var ecdsa = ECDsa.Create();
                    if (!TryImport(ecdsa, key)) return SignatureCheck.KeyMismatch;
                    return Result(ecdsa.VerifyData(tbs, signature, hash, DSASignatureFormat.Rfc3279DerSequence));
                }
                case "1.2.840.10040.4.3" or "2.16.840.1.101.3.4.3.2":
                {
                    if (key.Type != PublicKeyType.Dsa || alg.SignatureHash is not { } hash) return SignatureCheck.KeyMismatch;
                    using var dsa = DSA.Create();
                    if (!TryImport(dsa, key)) return SignatureCheck.KeyMismatch;
                    return Result(dsa.VerifyData(tbs, signature, hash, DSASignatureFormat.Rfc3279DerSequence));
                }
                default:
                    return SignatureCheck.UnsupportedAlgorithm;
            }
        }
        catch (CryptographicException)
        {
            return SignatureCheck.Invalid;
        }
        catch (PlatformNotSupportedException)
        {
            return SignatureCheck.UnsupportedAlgorithm;
        }
    }

    private static SignatureCheck Result(bool ok) => ok ? SignatureCheck.Valid : SignatureCheck.Invalid;

    private static int HashLength(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA1 ? 20 : hash == HashAlgorithmName.SHA256 ? 32 : hash == HashAlgorithmName.SHA384 ? 48
        : hash == HashAlgorithmName.SHA512 ? 64 : hash == HashAlgorithmName.MD5 ? 16 : -1;

    /// <summary>An RSA key from the parsed modulus and exponent (which also serves id-RSASSA-PSS keys, whose
    /// SubjectPublicKeyInfo the base library does not import).</summary>
    private static RSA? LoadRsa(SubjectPublicKeyInfo key)
    {
        if (key.RsaModulus is not { } n || key.RsaExponent is not { } e || e.Sign <= 0) return null;
        var modulus = n.Span;
        int skip = modulus.IndexOfAnyExcept((byte)0);
        if (skip < 0) return null;
        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(new RSAParameters
            {
                Modulus = modulus[skip..].ToArray(),
                Exponent = e.ToByteArray(isUnsigned: true, isBigEndian: true),
            });
            return rsa;
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
            return null;
        }
    }

    private static bool TryImport(AsymmetricAlgorithm algorithm, SubjectPublicKeyInfo key)
    {
        try
        {
            algorithm.ImportSubjectPublicKeyInfo(key.Der.Span, out _);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
