using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace HttpsFlow.Decryption;

/// <summary>
/// The system's OpenSSL 3 (libcrypto.so.3) for the operations decryption repeats thousands of times per capture: the
/// AEAD record ciphers (<see cref="NativeAead"/>), hashes and HMACs (<see cref="NativeDigest"/>). Why not only the
/// .NET classes, which use the same library: with OpenSSL 3 each of their one-shot calls looks its algorithm up again
/// by name ("implicit fetch": a lock, a property query and a new context), and for the short inputs of a key
/// derivation that lookup cost several times the hashing. Here every algorithm is fetched once and contexts are
/// reused. Where libcrypto.so.3 cannot be loaded (another OS, another OpenSSL) or HTTPSFLOW_MANAGED_CRYPTO=1 is set,
/// <see cref="Available"/> is false and callers use the .NET classes; both give the same bytes (tested).
/// </summary>
public static class NativeCrypto
{
    internal const string Lib = "libcrypto.so.3";

    [DllImport(Lib)] private static extern IntPtr EVP_CIPHER_fetch(IntPtr libraryContext, ref byte algorithm, IntPtr properties);
    [DllImport(Lib)] private static extern IntPtr EVP_MD_fetch(IntPtr libraryContext, ref byte algorithm, IntPtr properties);

    private static readonly Lazy<Algorithms?> s_algorithms = new(Load);

    /// <summary>Starts loading libcrypto and fetching the algorithms on a pool thread, so that the first decryption need not wait for it.</summary>
    public static void WarmUp()
    {
        if (!s_algorithms.IsValueCreated) ThreadPool.UnsafeQueueUserWorkItem(static _ => _ = s_algorithms.Value, null);
    }

    /// <summary>Whether libcrypto is used (loaded, and not turned off by the environment).</summary>
    public static bool Available => s_algorithms.Value is not null;

    /// <summary>The fetched algorithms, or null when libcrypto is not used.</summary>
    internal static Algorithms? Fetched => s_algorithms.Value;

    internal sealed record Algorithms(IntPtr Aes128Gcm, IntPtr Aes256Gcm, IntPtr ChaCha20Poly1305,
        IntPtr Md5, IntPtr Sha1, IntPtr Sha256, IntPtr Sha384, IntPtr Sha512)
    {
        /// <summary>The digest of <paramref name="hash"/>, or zero when it is not one of these.</summary>
        public IntPtr Digest(HashAlgorithmName hash) =>
            hash == HashAlgorithmName.SHA256 ? Sha256 : hash == HashAlgorithmName.SHA384 ? Sha384
            : hash == HashAlgorithmName.SHA1 ? Sha1 : hash == HashAlgorithmName.MD5 ? Md5
            : hash == HashAlgorithmName.SHA512 ? Sha512 : IntPtr.Zero;
    }

    private static Algorithms? Load()
    {
        if (Environment.GetEnvironmentVariable("HTTPSFLOW_MANAGED_CRYPTO") == "1") return null;
        try
        {
            var a = new Algorithms(
                Cipher("AES-128-GCM\0"u8), Cipher("AES-256-GCM\0"u8), Cipher("ChaCha20-Poly1305\0"u8),
                Md("MD5\0"u8), Md("SHA1\0"u8), Md("SHA256\0"u8), Md("SHA384\0"u8), Md("SHA512\0"u8));
            // Every one or none: a libcrypto without one of these (a FIPS build lacks MD5) is left to .NET entirely.
            return a.Aes128Gcm != 0 && a.Aes256Gcm != 0 && a.ChaCha20Poly1305 != 0 && a.Md5 != 0 && a.Sha1 != 0
                && a.Sha256 != 0 && a.Sha384 != 0 && a.Sha512 != 0 ? a : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return null;
        }

        static IntPtr Cipher(ReadOnlySpan<byte> name) => EVP_CIPHER_fetch(0, ref MemoryMarshal.GetReference(name), 0);
        static IntPtr Md(ReadOnlySpan<byte> name) => EVP_MD_fetch(0, ref MemoryMarshal.GetReference(name), 0);
    }
}

/// <summary>
/// Hashes and HMACs through <see cref="NativeCrypto"/>: one digest context per thread, re-initialised with an algorithm
/// fetched once. HMAC is built from the digest (RFC 2104) rather than OpenSSL's MAC interface, whose initialisation
/// looks the digest up by name again.
/// </summary>
internal static class NativeDigest
{
    [DllImport(NativeCrypto.Lib)] private static extern IntPtr EVP_MD_CTX_new();
    [DllImport(NativeCrypto.Lib)] private static extern int EVP_DigestInit_ex2(IntPtr ctx, IntPtr md, IntPtr parameters);
    [DllImport(NativeCrypto.Lib)] private static extern int EVP_DigestUpdate(IntPtr ctx, ref byte data, nuint length);
    [DllImport(NativeCrypto.Lib)] private static extern int EVP_DigestFinal_ex(IntPtr ctx, ref byte output, out uint length);

    // Never freed: one small context per thread that decrypts, for the life of the process.
    [ThreadStatic] private static IntPtr t_ctx;

    private static IntPtr Context => t_ctx != 0 ? t_ctx : t_ctx = EVP_MD_CTX_new();

    /// <summary>Hashes the concatenation of the parts into <paramref name="output"/>; false when libcrypto is not used or fails.</summary>
    public static bool TryHash(HashAlgorithmName hash, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output, out int written)
    {
        written = 0;
        if (NativeCrypto.Fetched is not { } algorithms || algorithms.Digest(hash) is var md && md == 0) return false;
        var ctx = Context;
        if (ctx == 0 || EVP_DigestInit_ex2(ctx, md, 0) != 1 || !Update(ctx, a) || !Update(ctx, b)) return false;
        Span<byte> digest = stackalloc byte[64];
        if (EVP_DigestFinal_ex(ctx, ref MemoryMarshal.GetReference(digest), out uint length) != 1 || length > output.Length) return false;
        digest[..(int)length].CopyTo(output);
        written = (int)length;
        return true;
    }

    /// <summary>HMAC(key, a | b | c) into <paramref name="output"/>; false when libcrypto is not used or fails.</summary>
    public static bool TryHmac(HashAlgorithmName hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b,
        ReadOnlySpan<byte> c, Span<byte> output, out int written)
    {
        written = 0;
        if (NativeCrypto.Fetched is not { } algorithms || algorithms.Digest(hash) is var md && md == 0) return false;
        var ctx = Context;
        if (ctx == 0) return false;
        int blockSize = hash == HashAlgorithmName.SHA384 || hash == HashAlgorithmName.SHA512 ? 128 : 64;
        Span<byte> pad = stackalloc byte[128];
        pad = pad[..blockSize];
        pad.Clear();
        if (key.Length > blockSize)
        {
            if (!TryHash(hash, key, default, pad, out _)) return false;
        }
        else key.CopyTo(pad);
        for (int i = 0; i < pad.Length; i++) pad[i] ^= 0x36;
        Span<byte> inner = stackalloc byte[64];
        if (EVP_DigestInit_ex2(ctx, md, 0) != 1 || !Update(ctx, pad) || !Update(ctx, a) || !Update(ctx, b) || !Update(ctx, c)
            || EVP_DigestFinal_ex(ctx, ref MemoryMarshal.GetReference(inner), out uint innerLength) != 1) return false;
        for (int i = 0; i < pad.Length; i++) pad[i] ^= 0x36 ^ 0x5c;
        Span<byte> mac = stackalloc byte[64];
        if (EVP_DigestInit_ex2(ctx, md, 0) != 1 || !Update(ctx, pad) || !Update(ctx, inner[..(int)innerLength])
            || EVP_DigestFinal_ex(ctx, ref MemoryMarshal.GetReference(mac), out uint length) != 1 || length > output.Length) return false;
        mac[..(int)length].CopyTo(output);
        written = (int)length;
        return true;
    }

    private static bool Update(IntPtr ctx, ReadOnlySpan<byte> data) =>
        data.IsEmpty || EVP_DigestUpdate(ctx, ref MemoryMarshal.GetReference(data), (nuint)data.Length) == 1;
}
