using HttpsFlow.Capture;
using HttpsFlow.Decryption;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Decryption;

public class KeyLogTests
{
    [Fact]
    public void Hex_digits_decode_as_the_base_library_decodes_them_and_nothing_else_does()
    {
        // Every pair of bytes: valid exactly where Convert accepts it, with the same value.
        Span<byte> one = stackalloc byte[1];
        for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++)
        {
            byte[] hex = [(byte)a, (byte)b];
            bool expected = Convert.FromHexString(hex, one, out _, out int written) == System.Buffers.OperationStatus.Done && written == 1;
            byte value = one[0];
            Assert.Equal(expected, KeyLog.TryHex(hex, one));
            if (expected) Assert.Equal(value, one[0]);
        }
        Assert.False(KeyLog.TryHex("abc"u8, new byte[2]));
    }

    private const string Random = "dd46c2dfd3353ca9be2ce54b19316153070a404299eb25cf1ea38c7f10ef69ad";
    private static readonly string Secret48 = new('a', 96);
    private static readonly string Secret32 = new('b', 64);

    [Fact]
    public void Reads_every_label_comments_and_blank_lines()
    {
        var log = KeyLog.Parse($"""
            # a comment

            CLIENT_RANDOM {Random} {Secret48}
            CLIENT_EARLY_TRAFFIC_SECRET {Random} {Secret32}
            CLIENT_HANDSHAKE_TRAFFIC_SECRET {Random} {Secret32}
            SERVER_HANDSHAKE_TRAFFIC_SECRET {Random} {Secret32}
            CLIENT_TRAFFIC_SECRET_0 {Random} {Secret32}
            SERVER_TRAFFIC_SECRET_0 {Random} {Secret32}
            EARLY_EXPORTER_SECRET {Random} {Secret32}
            EXPORTER_SECRET {Random} {Secret32}
            """);
        Assert.Empty(log.Warnings);
        Assert.Equal(1, log.Count);
        Assert.Equal(8, log.LineCount);
        var entry = log.Find(Convert.FromHexString(Random))!;
        foreach (var label in Enum.GetValues<KeyLogLabel>()) Assert.NotNull(entry.Get(label));
        Assert.Equal(48, entry.MasterSecret!.Length);
    }

    [Fact]
    public void Malformed_lines_are_skipped_with_their_line_numbers_and_never_show_the_secret()
    {
        string text = string.Join("\r\n",
            "# header",
            $"CLIENT_RANDOM {Random} {Secret48}",
            $"CLIENT_RANDOM {Random[..10]} {Secret48}",          // 3: short random
            $"CLIENT_RANDOM {Random} {Secret32}",                // 4: wrong length
            $"CLIENT_RANDOM {Random} zz{Secret48[2..]}",         // 5: not hex
            $"SOME_LABEL {Random} {Secret32}",                   // 6: unknown label
            $"CLIENT_RANDOM {Random}",                           // 7: missing field
            "this is not a key log",                             // 8
            $"RSA 0011223344556677 {Secret48}");                 // 9: unsupported
        var log = KeyLog.Parse(text, "my.keys");
        Assert.Equal([3, 4, 5, 6, 7, 8, 9], log.Warnings.Select(w => w.Line));
        Assert.All(log.Warnings, w => Assert.Equal("my.keys", w.Source));
        Assert.All(log.Warnings, w => Assert.DoesNotContain("aaaaaaaa", w.ToString()));
        Assert.All(log.Warnings, w => Assert.DoesNotContain("bbbbbbbb", w.ToString()));
        Assert.Contains("unknown label SOME_LABEL", log.Warnings[3].Message);
        Assert.Equal(1, log.LineCount);
    }

    [Fact]
    public void A_byte_order_mark_and_crlf_are_ignored()
    {
        var log = KeyLog.Parse($"\uFEFFCLIENT_RANDOM {Random} {Secret48}\r\n");
        Assert.Empty(log.Warnings);
        Assert.NotNull(log.Find(Convert.FromHexString(Random)));
    }

    [Fact]
    public void Lines_for_selects_by_client_random()
    {
        string other = new('1', 64);
        var log = KeyLog.Parse($"CLIENT_RANDOM {Random} {Secret48}\nCLIENT_RANDOM {other} {Secret48}\n");
        var lines = log.LinesFor([Convert.FromHexString(other)]).ToArray();
        Assert.Single(lines);
        Assert.Contains(other, lines[0]);
    }

    [Fact]
    public void Secrets_of_a_decryption_secrets_block_are_merged()
    {
        using var reader = CaptureReader.Open(Path.Combine(Repo.Samples, "test-site-tls12-dsb.pcapng"));
        var decryptor = new TlsDecryptor(new KeyLog());
        decryptor.UseSecretsOf(reader);
        while (reader.Read(out _) == ReadOutcome.Packet)
        {
        }
        Assert.Equal(1, decryptor.Keys.Count);
    }
}

/// <summary>A missing or wrong key gives the right status, never garbage.</summary>
public class DecryptionStatusTests
{
    [Fact]
    public void No_key_log_at_all()
    {
        var run = DecryptionRun.Of("test-site-tls12.pcapng", (string?)null);
        Assert.Equal(DecryptionStatus.NoKeyLog, Assert.Single(run.Sessions).Status);
        Assert.Empty(run.Records);
    }

    [Theory]
    [InlineData("test-site-tls12.pcapng")]
    [InlineData("tls13.pcapng")]
    public void Key_log_of_another_connection(string capture)
    {
        var run = DecryptionRun.Of(capture, "test-site-tls12-gz.keys");
        Assert.Equal(DecryptionStatus.NoKeyForClientRandom, Assert.Single(run.Sessions).Status);
        Assert.Empty(run.Records);
    }

    [Theory]
    [InlineData("test-site-tls12.pcapng", "test-site-tls12.keys")]
    [InlineData("tls13.pcapng", "tls13.keys")]
    [InlineData("ciphers/tls12-cbc-sha-noetm.pcapng", "ciphers/tls12-cbc-sha-noetm.keys")]
    [InlineData("ciphers/tls12-chacha20.pcapng", "ciphers/tls12-chacha20.keys")]
    public void Wrong_secret_for_the_right_client_random(string capture, string keys)
    {
        // Flip one hex digit of every secret: the records fail authentication.
        var text = File.ReadAllLines(Path.Combine(Repo.Samples, keys))
            .Select(l => l.StartsWith('#') ? l : l[..^1] + (l[^1] == '0' ? '1' : '0'));
        var run = DecryptionRun.Of(capture, KeyLog.Parse(string.Join('\n', text)));
        var s = Assert.Single(run.Sessions);
        Assert.Equal(DecryptionStatus.WrongKey, s.Status);
        Assert.DoesNotContain(run.Records, r => r.Type == HttpsFlow.Tls.TlsContentType.ApplicationData);
        Assert.NotEmpty(s.Notes);
    }

    [Fact]
    public void Handshake_not_captured()
    {
        // Drop the first frames (the handshake) by decrypting only frames after it: a capture cut from frame 10 on.
        var path = Path.Combine(Path.GetTempPath(), $"httpsflow-cut-{Guid.NewGuid():n}.pcapng");
        try
        {
            var output = Repo.Tshark("-r", Path.Combine(Repo.Samples, "test-site-tls12.pcapng"), "-Y", "frame.number >= 10", "-w", path);
            if (output is null) return; // tshark not installed
            var run = DecryptionRun.Of(path, KeyLog.Load(Path.Combine(Repo.Samples, "test-site-tls12.keys")));
            Assert.All(run.Sessions, s => Assert.Equal(DecryptionStatus.HandshakeNotCaptured, s.Status));
            Assert.Empty(run.Records);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>Finished is checked for the walkthrough and the report; the packet views skip it and decrypt the same.</summary>
public class FinishedVerificationTests
{
    [Theory]
    [InlineData("test-site-tls12.pcapng", "test-site-tls12.keys")]
    [InlineData("tls13.pcapng", "tls13.keys")]
    public void Without_verification_the_same_records_decrypt_and_no_finished_is_judged(string capture, string keys)
    {
        var keyLog = KeyLog.Load(Path.Combine(Repo.Samples, keys));
        var verified = DecryptionRun.Of(capture, keyLog);
        var unverified = DecryptionRun.Of(capture, keyLog, verifyFinished: false);
        Assert.Equal(2, Assert.Single(verified.Sessions).FinishedVerified);
        Assert.Contains(verified.Handshakes, h => h.Verified == true);
        var s = Assert.Single(unverified.Sessions);
        Assert.Equal(0, s.FinishedVerified + s.FinishedMismatches);
        Assert.All(unverified.Handshakes, h => Assert.Null(h.Verified));
        Assert.Equal(DecryptionStatus.Decrypted, s.Status);
        Assert.Equal(verified.Records.Select(r => (r.Frame, r.Type, Convert.ToHexString(r.Plaintext))),
            unverified.Records.Select(r => (r.Frame, r.Type, Convert.ToHexString(r.Plaintext))));
    }
}

/// <summary>A large key log read in two halves at once gives what reading it line after line gives.</summary>
public class LargeKeyLogTests
{
    [Fact]
    public void Halves_read_at_once_equal_one_line_after_another()
    {
        var random = new Random(9);
        var lines = new List<string>();
        var randoms = new List<byte[]>();
        for (int i = 0; i < 6000; i++)
        {
            var clientRandom = new byte[32];
            random.NextBytes(clientRandom);
            randoms.Add(clientRandom);
            string hex = Convert.ToHexString(clientRandom);
            lines.Add($"CLIENT_HANDSHAKE_TRAFFIC_SECRET {hex} {Convert.ToHexString(RandomBytes(random, 32))}");
            lines.Add($"CLIENT_RANDOM {hex.ToLowerInvariant()} {Convert.ToHexString(RandomBytes(random, 48))}");
            if (i % 997 == 0) lines.Add($"CLIENT_RANDOM {hex[..10]} zz");             // a bad line
            if (i % 1500 == 7) lines.Add("# a comment\r");
        }
        // The same client random again late in the file: its later secret wins either way.
        lines.Add($"CLIENT_RANDOM {Convert.ToHexString(randoms[5])} {new string('e', 96)}");
        string text = string.Join('\n', lines) + "\n";
        Assert.True(text.Length > 512 << 10);

        var together = KeyLog.Parse(text, "big.keys");
        KeyLog apart;
        KeyLog.ReadHalvesAtOnce = false;
        try { apart = KeyLog.Parse(text, "big.keys"); }
        finally { KeyLog.ReadHalvesAtOnce = true; }

        Assert.Equal(apart.Count, together.Count);
        Assert.Equal(apart.LineCount, together.LineCount);
        Assert.Equal(apart.Warnings.Select(w => w.ToString()), together.Warnings.Select(w => w.ToString()));
        Assert.NotEmpty(together.Warnings);
        foreach (var r in randoms)
            foreach (var label in Enum.GetValues<KeyLogLabel>())
                Assert.Equal(apart.Find(r)!.Get(label), together.Find(r)!.Get(label));
        Assert.Equal(Convert.FromHexString(new string('e', 96)), together.Find(randoms[5])!.MasterSecret);
        Assert.Equal(apart.LinesFor(randoms.Take(50).Append(randoms[5])), together.LinesFor(randoms.Take(50).Append(randoms[5])));
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}

/// <summary>Any bytes as a key log (a file, or a capture's Decryption Secrets Block): lines skipped with warnings, never an exception.</summary>
public class KeyLogBytesTests
{
    [Fact]
    public void Random_and_damaged_bytes_never_throw()
    {
        var random = new Random(21);
        string good = $"CLIENT_RANDOM {new string('a', 64)} {new string('b', 96)}\n";
        byte[][] pieces = ["\uFEFF"u8.ToArray(), "\u00a0"u8.ToArray(), [0xff, 0xfe], [0xc3], "\r\n"u8.ToArray(), "\t"u8.ToArray(),
            System.Text.Encoding.UTF8.GetBytes(good), "# x\n"u8.ToArray(), [0], "CLIENT_RANDOM "u8.ToArray(), "\n"u8.ToArray()];
        for (int round = 0; round < 2000; round++)
        {
            var bytes = new List<byte>();
            int parts = random.Next(1, 12);
            for (int i = 0; i < parts; i++)
            {
                if (random.Next(3) == 0)
                {
                    var noise = new byte[random.Next(0, 40)];
                    random.NextBytes(noise);
                    bytes.AddRange(noise);
                }
                else bytes.AddRange(pieces[random.Next(pieces.Length)]);
            }
            var log = new KeyLog();
            log.Add(new DecryptionSecrets(DecryptionSecrets.TlsKeyLog, [.. bytes]), 1);
            _ = KeyLog.Parse(System.Text.Encoding.Latin1.GetString([.. bytes]));
            Assert.All(log.Warnings, w => Assert.True(w.Line >= 1));
        }
    }
}
