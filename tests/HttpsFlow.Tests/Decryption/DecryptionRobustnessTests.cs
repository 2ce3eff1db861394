using HttpsFlow.Capture;
using HttpsFlow.Decryption;
using HttpsFlow.Pipeline;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Decryption;

/// <summary>Damaged bytes never make decryption throw, and never yield plaintext that did not authenticate.</summary>
public class DecryptionRobustnessTests
{
    public static TheoryData<string, string> Samples => new()
    {
        { "test-site-tls12.pcapng", "test-site-tls12.keys" },
        { "tls13.pcapng", "tls13.keys" },
        { "ciphers/tls12-cbc-sha-noetm.pcapng", "ciphers/tls12-cbc-sha-noetm.keys" },
        { "ciphers/tls10-cbc.pcapng", "ciphers/tls10-cbc.keys" },
        { "ciphers/tls12-cbc-sha-etm.pcapng", "ciphers/tls12-cbc-sha-etm.keys" },
        { "ciphers/tls13-hrr.pcapng", "ciphers/tls13-hrr.keys" },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Captures_with_bytes_changed_at_random_decrypt_without_a_bug(string capture, string keys)
    {
        var original = File.ReadAllBytes(Path.Combine(Repo.Samples, capture));
        var keyLog = KeyLog.Load(Path.Combine(Repo.Samples, keys));
        var random = new Random(capture.Length);
        for (int round = 0; round < 40; round++)
        {
            var bytes = (byte[])original.Clone();
            for (int i = 0; i < 1 + round % 4; i++) bytes[random.Next(200, bytes.Length)] ^= (byte)(1 + random.Next(255));
            var path = Path.Combine(Path.GetTempPath(), $"httpsflow-fuzz-{Guid.NewGuid():n}");
            File.WriteAllBytes(path, bytes);
            try
            {
                var decryptor = new TlsDecryptor(keyLog);
                using var reader = CaptureReader.Open(path);
                var dissector = new Dissector { TlsObserver = decryptor };
                while (dissector.Next(reader) is { } frame)
                    Assert.DoesNotContain(frame.Notes, n => n.Message.Contains("dissector bug"));
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    [Fact]
    public void Record_ciphers_reject_random_fragments()
    {
        var random = new Random(7);
        foreach (ushort suite in new ushort[] { 0xc02f, 0xc030, 0xcca8, 0xc09e, 0xc0a3, 0xc013, 0x003c, 0xc028, 0x1301, 0x1303, 0x1305 })
        {
            var spec = CipherSpec.For(suite, out _)!;
            foreach (ushort version in new ushort[] { 0x0301, 0x0303, 0x0304 })
            {
                if (spec.IsTls13 != (version == 0x0304)) continue;
                var key = new byte[spec.KeyLength];
                var iv = new byte[spec.FixedIvLength];
                var mac = new byte[spec.MacLength];
                using var cipher = RecordCipher.Create(spec, version, key, iv, mac, encryptThenMac: suite == 0xc013 && version == 0x0303);
                for (int length = 0; length < 120; length++)
                {
                    var fragment = new byte[length];
                    random.NextBytes(fragment);
                    byte[] header = [23, 3, 3, (byte)(length >> 8), (byte)length];
                    Assert.False(cipher.TryDecrypt(header, fragment, (ulong)length, out var plaintext, out _));
                    Assert.Empty(plaintext);
                }
            }
        }
    }

    [Fact]
    public void Unsupported_suites_say_why()
    {
        Assert.Null(CipherSpec.For(0x0005, out var rc4)); // TLS_RSA_WITH_RC4_128_SHA
        Assert.Contains("RC4", rc4);
        Assert.Null(CipherSpec.For(0x0041, out var camellia)); // TLS_RSA_WITH_CAMELLIA_128_CBC_SHA
        Assert.Contains("CAMELLIA", camellia);
        Assert.Null(CipherSpec.For(0x00ff, out _)); // SCSV
        Assert.Null(CipherSpec.For(0x0096, out var seed)); // TLS_RSA_WITH_SEED_CBC_SHA
        Assert.Contains("SEED", seed);
        Assert.Null(CipherSpec.For(0xc03c, out var aria)); // TLS_RSA_WITH_ARIA_128_CBC_SHA256
        Assert.Contains("ARIA", aria);
        Assert.Null(CipherSpec.For(0x0002, out var none)); // TLS_RSA_WITH_NULL_SHA
        Assert.Contains("NULL", none);
    }

    [Fact]
    public void Triple_des_cbc_record_built_by_hand_opens()
    {
        // TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS 1.2, MAC-then-encrypt: no capture has it (OpenSSL 3.0 here has no
        // 3DES suite), so the record is built from RFC 5246 §6.2.3.2 with .NET's TripleDES and HMAC-SHA1.
        var spec = CipherSpec.For(0x000a, out _)!;
        Assert.True(spec.TripleDes);
        var key = Enumerable.Range(1, 24).Select(i => (byte)i).ToArray();
        var macKey = Enumerable.Range(100, 20).Select(i => (byte)i).ToArray();
        var content = "GET / HTTP/1.1\r\n\r\n"u8.ToArray();
        ulong sequence = 5;
        byte[] pseudo = [0, 0, 0, 0, 0, 0, 0, 5, 23, 3, 3, (byte)(content.Length >> 8), (byte)content.Length];
        var mac = System.Security.Cryptography.HMACSHA1.HashData(macKey, pseudo.Concat(content).ToArray());
        var plain = content.Concat(mac).ToList();
        int pad = 8 - (plain.Count + 1) % 8;
        if (pad == 8) pad = 0;
        for (int i = 0; i <= pad; i++) plain.Add((byte)pad);
        var iv = new byte[8] { 9, 8, 7, 6, 5, 4, 3, 2 };
        using var des = System.Security.Cryptography.TripleDES.Create();
        des.Key = key;
        var encrypted = iv.Concat(des.EncryptCbc(plain.ToArray(), iv, System.Security.Cryptography.PaddingMode.None)).ToArray();
        byte[] header = [23, 3, 3, (byte)(encrypted.Length >> 8), (byte)encrypted.Length];
        using var cipher = RecordCipher.Create(spec, 0x0303, key, new byte[8], macKey);
        Assert.True(cipher.TryDecrypt(header, encrypted, sequence, out var opened, out var type));
        Assert.Equal(23, type);
        Assert.Equal(content, opened);
        Assert.False(cipher.TryDecrypt(header, encrypted, sequence + 1, out _, out _));
    }
}

/// <summary>A handshake changed on the way (here: one letter of the certificate) makes both Finished mismatch.</summary>
public class FinishedMismatchTests
{
    [Fact]
    public void Changed_certificate_is_caught_by_the_finished_check()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Repo.Samples, "test-site-tls12.pcapng"));
        int at = bytes.AsSpan().IndexOf("HttpsFlow Test R3"u8);
        Assert.True(at > 0);
        bytes[at] = (byte)'h';
        var path = Path.Combine(Path.GetTempPath(), $"httpsflow-mitm-{Guid.NewGuid():n}.pcapng");
        File.WriteAllBytes(path, bytes);
        try
        {
            var run = DecryptionRun.Of(path, KeyLog.Load(Path.Combine(Repo.Samples, "test-site-tls12.keys")));
            var s = Assert.Single(run.Sessions);
            // The records still decrypt (the key log gives the master secret), but neither Finished matches.
            Assert.Equal(DecryptionStatus.Decrypted, s.Status);
            Assert.Equal(0, s.FinishedVerified);
            Assert.Equal(2, s.FinishedMismatches);
            Assert.Contains(s.Notes, n => n.Contains("Finished does not match") && n.Contains("connection 0"));
            Assert.StartsWith("GET /test.html", run.Text(fromClient: true));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
