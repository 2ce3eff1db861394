using System.Security.Cryptography;
using HttpsFlow.Decryption;

namespace HttpsFlow.Tests.Decryption;

/// <summary>
/// The libcrypto paths (<see cref="NativeDigest"/>, <see cref="NativeAead"/>) give the same bytes as the .NET classes
/// they stand in for, for every algorithm and key size decryption uses (where libcrypto.so.3 is present).
/// </summary>
public class NativeCryptoTests
{
    public static TheoryData<string> Hashes => ["MD5", "SHA1", "SHA256", "SHA384", "SHA512"];

    [Theory]
    [MemberData(nameof(Hashes))]
    public void Hmac_equals_the_dotnet_hmac_for_short_block_sized_and_long_keys(string name)
    {
        if (!NativeCrypto.Available) return;
        var hash = new HashAlgorithmName(name);
        var random = new Random(7);
        foreach (int keyLength in new[] { 0, 1, 32, 48, 64, 65, 128, 129, 300 })
        foreach (int dataLength in new[] { 0, 1, 77, 200, 5000 })
        {
            var key = new byte[keyLength];
            var data = new byte[dataLength];
            random.NextBytes(key);
            random.NextBytes(data);
            var expected = CryptographicOperations.HmacData(hash, key, data);
            // The message in three parts, cut anywhere, is the same message.
            int cut1 = dataLength / 3, cut2 = 2 * dataLength / 3;
            var actual = new byte[64];
            Assert.True(NativeDigest.TryHmac(hash, key, data.AsSpan(0, cut1), data.AsSpan(cut1, cut2 - cut1), data.AsSpan(cut2), actual, out int written));
            Assert.Equal(expected, actual[..written]);
        }
    }

    [Theory]
    [MemberData(nameof(Hashes))]
    public void Hash_equals_the_dotnet_hash(string name)
    {
        if (!NativeCrypto.Available) return;
        var hash = new HashAlgorithmName(name);
        var data = new byte[6000];
        new Random(3).NextBytes(data);
        var actual = new byte[64];
        Assert.True(NativeDigest.TryHash(hash, data.AsSpan(0, 1000), data.AsSpan(1000), actual, out int written));
        Assert.Equal(CryptographicOperations.HashData(hash, data), actual[..written]);
    }

    [Theory]
    [InlineData(RecordMode.Gcm, 16)]
    [InlineData(RecordMode.Gcm, 32)]
    [InlineData(RecordMode.ChaCha20Poly1305, 32)]
    public void Aead_opens_what_dotnet_sealed_and_refuses_a_changed_tag(RecordMode mode, int keyLength)
    {
        if (!NativeCrypto.Available) return;
        var random = new Random(keyLength);
        var key = new byte[keyLength];
        random.NextBytes(key);
        // Several records under one key, each with its nonce, as a connection sends them; contexts are reused after Dispose.
        for (int round = 0; round < 2; round++)
        {
            using var native = NativeAead.TryCreate(mode, key);
            Assert.NotNull(native);
            foreach (int length in new[] { 0, 1, 100, 16384 })
            {
                var nonce = new byte[12];
                var aad = new byte[13];
                var plain = new byte[length];
                random.NextBytes(nonce);
                random.NextBytes(aad);
                random.NextBytes(plain);
                var sealedBytes = new byte[length];
                var tag = new byte[16];
                if (mode == RecordMode.Gcm)
                {
                    using var gcm = new AesGcm(key, 16);
                    gcm.Encrypt(nonce, plain, sealedBytes, tag, aad);
                }
                else
                {
                    using var chacha = new ChaCha20Poly1305(key);
                    chacha.Encrypt(nonce, plain, sealedBytes, tag, aad);
                }
                var opened = new byte[length];
                Assert.True(native!.Decrypt(nonce, sealedBytes, tag, opened, aad));
                Assert.Equal(plain, opened);
                tag[0] ^= 1;
                Assert.False(native.Decrypt(nonce, sealedBytes, tag, opened, aad));
            }
        }
    }

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void Gcm_records_with_a_fixed_nonce_head_open_in_sequence(int keyLength)
    {
        // As TLS sends them: the nonce's first four bytes stay, the other eight change per record (TLS 1.2's explicit
        // nonce, TLS 1.3's IV XOR the sequence number); one record in the middle has another head.
        if (!NativeCrypto.Available) return;
        var random = new Random(keyLength + 1);
        var key = new byte[keyLength];
        var iv = new byte[12];
        random.NextBytes(key);
        random.NextBytes(iv);
        using var gcm = new AesGcm(key, 16);
        using var native = NativeAead.TryCreate(RecordMode.Gcm, key);
        Assert.NotNull(native);
        for (ulong seq = 0; seq < 40; seq++)
        {
            var nonce = (byte[])iv.Clone();
            for (int i = 0; i < 8; i++) nonce[4 + i] ^= (byte)(seq >> (56 - 8 * i));
            if (seq == 17) nonce[0] ^= 0xff;
            var plain = new byte[random.Next(0, 3000)];
            random.NextBytes(plain);
            byte[] aad = [23, 3, 3, (byte)(plain.Length >> 8), (byte)plain.Length];
            var sealedBytes = new byte[plain.Length];
            var tag = new byte[16];
            gcm.Encrypt(nonce, plain, sealedBytes, tag, aad);
            var opened = new byte[plain.Length];
            Assert.True(native!.Decrypt(nonce, sealedBytes, tag, opened, aad), $"record {seq}");
            Assert.Equal(plain, opened);
            if (seq % 7 == 3)
            {
                tag[5] ^= 0x40;
                Assert.False(native.Decrypt(nonce, sealedBytes, tag, opened, aad));
            }
        }
    }

    [Fact]
    public void Key_derivations_agree_with_and_without_libcrypto()
    {
        // TlsKdf uses libcrypto where it can; the .NET HMAC gives the same PRF and HKDF outputs.
        var secret = Convert.FromHexString("9b1b2a2f5a1e6c8d0e3f4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        var seed = new byte[64];
        new Random(5).NextBytes(seed);
        foreach (var hash in new[] { HashAlgorithmName.SHA256, HashAlgorithmName.SHA384 })
        {
            var prf = TlsKdf.Prf12(hash, secret, "key expansion", seed, 200);
            Assert.Equal(ManagedPHash(hash, secret, [.. "key expansion"u8, .. seed], 200), prf);
            int prkLength = TlsKdf.HashLength(hash);
            var expanded = TlsKdf.HkdfExpandLabel(hash, secret.AsSpan(0, prkLength), "key", default, 100);
            byte[] info = [0, 100, 9, .. "tls13 key"u8, 0];
            Assert.Equal(HKDF.Expand(hash, secret.AsSpan(0, prkLength).ToArray(), 100, info), expanded);
        }
    }

    private static byte[] ManagedPHash(HashAlgorithmName hash, byte[] secret, byte[] seed, int length)
    {
        var output = new List<byte>();
        byte[] a = seed;
        while (output.Count < length)
        {
            a = CryptographicOperations.HmacData(hash, secret, a);
            output.AddRange(CryptographicOperations.HmacData(hash, secret, (byte[])[.. a, .. seed]));
        }
        return [.. output.Take(length)];
    }
}
