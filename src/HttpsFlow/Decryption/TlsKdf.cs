using System.Security.Cryptography;
using System.Text;

namespace HttpsFlow.Decryption;

/// <summary>
/// The key derivations of TLS: the TLS 1.0/1.1 PRF (MD5 and SHA-1, RFC 2246 §5) and the TLS 1.2 PRF (P_SHA256 or
/// P_SHA384, RFC 5246 §5), the key block and Finished of TLS 1.0–1.2, and TLS 1.3's HKDF-Expand-Label, traffic
/// keys, Finished and KeyUpdate (RFC 8446 §7).
/// </summary>
public static class TlsKdf
{
    /// <summary>The TLS 1.2 PRF: P_hash(secret, label + seed) cut to <paramref name="length"/> bytes.</summary>
    public static byte[] Prf12(HashAlgorithmName hash, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> seed, int length)
    {
        var output = new byte[length];
        Span<byte> labelBytes = stackalloc byte[Encoding.ASCII.GetByteCount(label)];
        Encoding.ASCII.GetBytes(label, labelBytes);
        PHash(hash, secret, labelBytes, seed, output, xor: false);
        return output;
    }

    /// <summary>The TLS 1.0/1.1 PRF: P_MD5 over the secret's first half XOR P_SHA1 over its second half.</summary>
    public static byte[] Prf10(ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> seed, int length)
    {
        var output = new byte[length];
        int half = (secret.Length + 1) / 2;
        Span<byte> labelBytes = stackalloc byte[Encoding.ASCII.GetByteCount(label)];
        Encoding.ASCII.GetBytes(label, labelBytes);
        PHash(HashAlgorithmName.MD5, secret[..half], labelBytes, seed, output, xor: false);
        PHash(HashAlgorithmName.SHA1, secret[(secret.Length - half)..], labelBytes, seed, output, xor: true);
        return output;
    }

    /// <summary>The PRF of <paramref name="version"/> (TLS 1.0–1.2) with the TLS 1.2 hash <paramref name="prfHash"/>.</summary>
    public static byte[] Prf(ushort version, HashAlgorithmName prfHash, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> seed, int length) =>
        version >= Tls.TlsVersion.Tls12 ? Prf12(prfHash, secret, label, seed, length) : Prf10(secret, label, seed, length);

    /// <summary>P_hash (RFC 5246 §5): A(i) = HMAC(secret, A(i-1)), A(0) = label + seed; output HMAC(secret, A(i) + label + seed)...</summary>
    private static void PHash(HashAlgorithmName hash, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> label, ReadOnlySpan<byte> seed, Span<byte> output, bool xor)
    {
        Span<byte> a = stackalloc byte[64];
        Span<byte> block = stackalloc byte[64];
        int aLength = Hmac(hash, secret, label, seed, default, a);
        int done = 0;
        while (done < output.Length)
        {
            int blockLength = Hmac(hash, secret, a[..aLength], label, seed, block);
            int n = Math.Min(blockLength, output.Length - done);
            for (int i = 0; i < n; i++)
                output[done + i] = xor ? (byte)(output[done + i] ^ block[i]) : block[i];
            done += n;
            if (done < output.Length) aLength = Hmac(hash, secret, a[..aLength], default, default, a);
        }
    }

    /// <summary>HMAC(key, a | b | c) into <paramref name="output"/> (64 bytes or more); returns its length.</summary>
    private static int Hmac(HashAlgorithmName hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c,
        Span<byte> output)
    {
        if (NativeDigest.TryHmac(hash, key, a, b, c, output, out int written)) return written;
        using var hmac = IncrementalHash.CreateHMAC(hash, key);
        hmac.AppendData(a);
        hmac.AppendData(b);
        hmac.AppendData(c);
        return hmac.GetHashAndReset(output);
    }

    /// <summary>
    /// The key block of TLS 1.0–1.2 (RFC 5246 §6.3): PRF(master, "key expansion", server_random + client_random).
    /// </summary>
    public static byte[] KeyBlock(ushort version, HashAlgorithmName prfHash, ReadOnlySpan<byte> masterSecret,
        ReadOnlySpan<byte> clientRandom, ReadOnlySpan<byte> serverRandom, int length) =>
        Prf(version, prfHash, masterSecret, "key expansion", Concat(serverRandom, clientRandom), length);

    /// <summary>
    /// The master secret from a pre-master secret (RFC 5246 §8.1), or with the extended master secret
    /// (RFC 7627 §4) from the session hash when <paramref name="sessionHash"/> is given.
    /// </summary>
    public static byte[] MasterSecret(ushort version, HashAlgorithmName prfHash, ReadOnlySpan<byte> preMasterSecret,
        ReadOnlySpan<byte> clientRandom, ReadOnlySpan<byte> serverRandom, byte[]? sessionHash) =>
        sessionHash is not null
            ? Prf(version, prfHash, preMasterSecret, "extended master secret", sessionHash, 48)
            : Prf(version, prfHash, preMasterSecret, "master secret", Concat(clientRandom, serverRandom), 48);

    /// <summary>
    /// The verify_data of a TLS 1.0–1.2 Finished (RFC 5246 §7.4.9): PRF(master, "client finished" or "server
    /// finished", Hash(handshake messages)), 12 bytes; TLS 1.0/1.1 hash with MD5 and SHA-1 together.
    /// </summary>
    public static byte[] FinishedVerifyData12(ushort version, HashAlgorithmName prfHash, ReadOnlySpan<byte> masterSecret,
        bool client, ReadOnlySpan<byte> handshakeMessages)
    {
        byte[] hash = version >= Tls.TlsVersion.Tls12
            ? Hash(prfHash, handshakeMessages)
            : Concat(Hash(HashAlgorithmName.MD5, handshakeMessages), Hash(HashAlgorithmName.SHA1, handshakeMessages));
        return Prf(version, prfHash, masterSecret, client ? "client finished" : "server finished", hash, 12);
    }

    /// <summary>HKDF-Expand-Label (RFC 8446 §7.1): HKDF-Expand(secret, HkdfLabel(length, "tls13 " + label, context), length).</summary>
    public static byte[] HkdfExpandLabel(HashAlgorithmName hash, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> context, int length)
    {
        int labelLength = 6 + Encoding.ASCII.GetByteCount(label);
        int infoLength = 2 + 1 + labelLength + 1 + context.Length;
        Span<byte> info = infoLength <= 512 ? stackalloc byte[infoLength] : new byte[infoLength];
        info[0] = (byte)(length >> 8);
        info[1] = (byte)length;
        info[2] = (byte)labelLength;
        "tls13 "u8.CopyTo(info[3..]);
        Encoding.ASCII.GetBytes(label, info[9..]);
        info[3 + labelLength] = (byte)context.Length;
        context.CopyTo(info[(4 + labelLength)..]);
        var output = new byte[length];
        Expand(hash, secret, info, output);
        return output;
    }

    /// <summary>
    /// HKDF-Expand (RFC 5869 §2.3): T(i) = HMAC(PRK, T(i-1) | info | i). Ours rather than
    /// <see cref="HKDF.Expand(HashAlgorithmName, ReadOnlySpan{byte}, Span{byte}, ReadOnlySpan{byte})"/>, which sets up a
    /// native key-derivation context per call: a capture with thousands of TLS 1.3 connections derives a dozen keys
    /// for each, and the context set-up cost more than the hashing.
    /// </summary>
    private static void Expand(HashAlgorithmName hash, ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output)
    {
        Span<byte> t = stackalloc byte[64];
        Span<byte> counter = stackalloc byte[1];
        int previous = 0, written = 0;
        for (byte i = 1; written < output.Length; i++)
        {
            counter[0] = i;
            int got = Hmac(hash, prk, t[..previous], info, counter, t);
            previous = got;
            int take = Math.Min(got, output.Length - written);
            t[..take].CopyTo(output[written..]);
            written += take;
        }
    }

    /// <summary>A TLS 1.3 traffic secret's write key and IV (RFC 8446 §7.3).</summary>
    public static (byte[] Key, byte[] Iv) TrafficKeys(HashAlgorithmName hash, ReadOnlySpan<byte> trafficSecret, int keyLength, int ivLength = 12) =>
        (HkdfExpandLabel(hash, trafficSecret, "key", default, keyLength), HkdfExpandLabel(hash, trafficSecret, "iv", default, ivLength));

    /// <summary>The next traffic secret after a KeyUpdate (RFC 8446 §7.2).</summary>
    public static byte[] NextTrafficSecret(HashAlgorithmName hash, ReadOnlySpan<byte> trafficSecret) =>
        HkdfExpandLabel(hash, trafficSecret, "traffic upd", default, HashLength(hash));

    /// <summary>A TLS 1.3 Finished's verify_data (RFC 8446 §4.4.4): HMAC(finished_key, transcript hash).</summary>
    public static byte[] FinishedVerifyData13(HashAlgorithmName hash, ReadOnlySpan<byte> baseKey, ReadOnlySpan<byte> transcriptHash)
    {
        var finishedKey = HkdfExpandLabel(hash, baseKey, "finished", default, HashLength(hash));
        Span<byte> mac = stackalloc byte[64];
        return mac[..Hmac(hash, finishedKey, transcriptHash, default, default, mac)].ToArray();
    }

    public static int HashLength(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA384 ? 48 : hash == HashAlgorithmName.SHA512 ? 64 : hash == HashAlgorithmName.SHA1 ? 20 : hash == HashAlgorithmName.MD5 ? 16 : 32;

    public static byte[] Hash(HashAlgorithmName hash, ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[64];
        return NativeDigest.TryHash(hash, data, default, digest, out int written) ? digest[..written].ToArray()
            : CryptographicOperations.HashData(hash, data);
    }

    internal static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var r = new byte[a.Length + b.Length];
        a.CopyTo(r);
        b.CopyTo(r.AsSpan(a.Length));
        return r;
    }
}
