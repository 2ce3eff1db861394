using System.Security.Cryptography;
using HttpsFlow.Tls.Registry;

namespace HttpsFlow.Decryption;

/// <summary>How records are protected.</summary>
public enum RecordMode : byte
{
    Gcm,
    Ccm,
    Ccm8,
    ChaCha20Poly1305,
    /// <summary>A block cipher in CBC mode with an HMAC (MAC-then-encrypt, or encrypt-then-MAC with RFC 7366).</summary>
    Cbc,
}

/// <summary>
/// What decryption needs to know of a cipher suite: the record protection, key and IV lengths, the MAC, and the PRF
/// (TLS 1.2) or HKDF (TLS 1.3) hash. Built from the suite's decomposition in <see cref="CipherSuites"/>.
/// </summary>
public sealed record CipherSpec(ushort Suite, RecordMode Mode, bool TripleDes, int KeyLength, int FixedIvLength,
    int RecordIvLength, HashAlgorithmName? MacHash, int MacLength, HashAlgorithmName PrfHash, int TagLength, bool IsTls13)
{
    /// <summary>Block size of a CBC cipher (16 for AES, 8 for 3DES).</summary>
    public int BlockSize => TripleDes ? 8 : 16;

    /// <summary>
    /// The spec of <paramref name="suite"/>, or null when decryption does not support it (<paramref name="why"/> names
    /// the part: RC4, Camellia, ARIA, NULL, … — .NET offers none of them, or they are not worth the risk).
    /// </summary>
    public static CipherSpec? For(ushort suite, out string? why)
    {
        // Looked up once per suite: a capture of thousands of connections asks for the same few.
        var (spec, reason) = s_specs.GetOrAdd(suite, static s => (Create(s, out var w), w));
        why = reason;
        return spec;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<ushort, (CipherSpec? Spec, string? Why)> s_specs = new();

    private static CipherSpec? Create(ushort suite, out string? why)
    {
        why = null;
        var info = CipherSuites.Get(suite);
        if (info is null || info.IsSignaling)
        {
            why = $"unknown cipher suite 0x{suite:x4}";
            return null;
        }
        var prf = info.Hash == "SHA384" ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
        bool aes = info.Cipher.StartsWith("AES_", StringComparison.Ordinal);
        int key = info.KeyBits / 8;
        switch (info.Mode)
        {
            case "GCM" when aes:
                return new CipherSpec(suite, RecordMode.Gcm, false, key, info.IsTls13 ? 12 : 4, info.IsTls13 ? 0 : 8, null, 0, prf, 16, info.IsTls13);
            case "CCM" when aes:
                return new CipherSpec(suite, RecordMode.Ccm, false, key, info.IsTls13 ? 12 : 4, info.IsTls13 ? 0 : 8, null, 0, prf, 16, info.IsTls13);
            case "CCM_8" when aes:
                return new CipherSpec(suite, RecordMode.Ccm8, false, key, info.IsTls13 ? 12 : 4, info.IsTls13 ? 0 : 8, null, 0, prf, 8, info.IsTls13);
            case "POLY1305" when info.Cipher == "CHACHA20_POLY1305":
                if (!ChaCha20Poly1305.IsSupported) { why = "ChaCha20-Poly1305 is not available on this system"; return null; }
                return new CipherSpec(suite, RecordMode.ChaCha20Poly1305, false, 32, 12, 0, null, 0, prf, 16, info.IsTls13);
            case "CBC" when aes || info.Cipher == "3DES_EDE_CBC":
                HashAlgorithmName mac;
                switch (info.Hash)
                {
                    case "SHA": mac = HashAlgorithmName.SHA1; break;
                    case "SHA256": mac = HashAlgorithmName.SHA256; break;
                    case "SHA384": mac = HashAlgorithmName.SHA384; break;
                    case "MD5": mac = HashAlgorithmName.MD5; break;
                    default: why = $"MAC {info.Hash} is not supported"; return null;
                }
                bool des = !aes;
                return new CipherSpec(suite, RecordMode.Cbc, des, des ? 24 : key, des ? 8 : 16, des ? 8 : 16, mac,
                    TlsKdf.HashLength(mac), prf, 0, false);
            default:
                why = $"cipher {info.Cipher} is not supported";
                return null;
        }
    }
}
