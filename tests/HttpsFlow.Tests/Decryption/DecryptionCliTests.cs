using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Decryption;

/// <summary>`inject-secrets` (checked with tshark) and `explain --keylog`.</summary>
public class DecryptionCliTests
{
    private static string S(string name) => Path.Combine(Repo.Samples, name);

    [Theory]
    [InlineData("test-site-tls12.pcapng", "test-site-tls12.keys", "GET /test.html HTTP/1.1")]
    [InlineData("classic-nano.pcap", "classic-nano.keys", "GET /test.html HTTP/1.1")]
    [InlineData("test-site-tls12.pcap.gz", "test-site-tls12-gz.keys", "GET /test.html HTTP/1.1")]
    [InlineData("tls13.pcapng", "tls13.keys", "GET / HTTP/1.0")]
    public void Inject_secrets_writes_a_capture_tshark_decrypts(string capture, string keys, string request)
    {
        var output = Path.Combine(Path.GetTempPath(), $"httpsflow-dsb-{Guid.NewGuid():n}.pcapng");
        try
        {
            var (exit, stdout, stderr) = Repo.Run("inject-secrets", S(capture), "--keylog", S(keys), "-w", output);
            Assert.Equal(0, exit);
            Assert.Equal("", stderr);
            Assert.Contains("embedded", stdout);
            // Our own reader finds the block, and the connection decrypts without --keylog.
            var run = DecryptionRun.Of(output, (string?)null);
            Assert.Equal(HttpsFlow.Decryption.DecryptionStatus.Decrypted, Assert.Single(run.Sessions).Status);
            Assert.StartsWith(request, run.Text(fromClient: true));
            var tshark = Repo.Tshark("-r", output, "-Y", "http");
            if (tshark is null) return;
            Assert.Contains(request, tshark);
            // The packets are those of the input.
            Assert.Equal(Repo.Tshark("-r", S(capture), "-T", "fields", "-e", "frame.len", "-e", "frame.time_epoch"),
                Repo.Tshark("-r", output, "-T", "fields", "-e", "frame.len", "-e", "frame.time_epoch"));
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void Inject_secrets_embeds_only_the_lines_of_the_capture_s_connections()
    {
        var keys = Path.Combine(Path.GetTempPath(), $"httpsflow-keys-{Guid.NewGuid():n}.keys");
        var output = Path.ChangeExtension(keys, ".pcapng");
        try
        {
            File.WriteAllText(keys, File.ReadAllText(S("test-site-tls12-gz.keys")) + File.ReadAllText(S("test-site-tls12.keys")));
            var (exit, stdout, _) = Repo.Run("inject-secrets", S("test-site-tls12.pcapng"), "--keylog", keys, "-w", output);
            Assert.Equal(0, exit);
            Assert.Contains("1 key log line(s)", stdout);
            using var reader = HttpsFlow.Capture.CaptureReader.Open(output);
            while (reader.Read(out _) == HttpsFlow.Capture.ReadOutcome.Packet)
            {
            }
            var block = Assert.Single(reader.Secrets);
            Assert.Equal(File.ReadAllText(S("test-site-tls12.keys")).Trim(), System.Text.Encoding.UTF8.GetString(block.Data).Trim());
        }
        finally
        {
            File.Delete(keys);
            File.Delete(output);
        }
    }

    [Fact]
    public void Inject_secrets_refuses_a_key_log_of_other_connections()
    {
        var output = Path.Combine(Path.GetTempPath(), $"httpsflow-none-{Guid.NewGuid():n}.pcapng");
        var (exit, _, stderr) = Repo.Run("inject-secrets", S("tls13.pcapng"), "--keylog", S("test-site-tls12.keys"), "-w", output);
        Assert.Equal(1, exit);
        Assert.Contains("no line matches", stderr);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("en", "Decrypted          yes", "“GET /test.html HTTP/1.1”", "“HTTP/1.1 200 OK”")]
    [InlineData("zh", "是（使用密钥日志中的密钥）", "“GET /test.html HTTP/1.1”", "“HTTP/1.1 200 OK”")]
    public void Explain_with_a_key_log_says_decrypted_and_what_the_first_records_start_with(string lang, params string[] expected)
    {
        var (exit, stdout, stderr) = Repo.Run("explain", S("test-site-tls12.pcapng"), "--keylog", S("test-site-tls12.keys"), "--lang", lang, "--width", "200");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        foreach (var text in expected) Assert.Contains(text, stdout);
    }

    [Fact]
    public void Explain_decrypts_a_capture_with_embedded_secrets_without_a_key_log()
    {
        var (_, stdout, _) = Repo.Run("explain", S("test-site-tls12-dsb.pcapng"), "--width", "200");
        Assert.Contains("Decrypted          yes", stdout);
    }

    [Fact]
    public void Explain_says_why_not_and_reports_bad_key_log_lines_without_secrets()
    {
        var keys = Path.Combine(Path.GetTempPath(), $"httpsflow-bad-{Guid.NewGuid():n}.keys");
        try
        {
            string secret = new('c', 96);
            File.WriteAllText(keys, $"# test\nCLIENT_RANDOM {new string('1', 64)} {secret}\nCLIENT_RANDOM 1234 {secret}\n");
            var (exit, stdout, stderr) = Repo.Run("explain", S("test-site-tls12.pcapng"), "--keylog", keys, "--width", "200");
            Assert.Equal(0, exit);
            Assert.Contains("Decrypted          no (the key log has no secret for this connection's client random)", stdout);
            Assert.Contains($"{keys}:3: CLIENT_RANDOM: the client random is not 64 hex digits", stderr);
            Assert.DoesNotContain("cccccc", stderr + stdout);
        }
        finally
        {
            File.Delete(keys);
        }
    }

    [Fact]
    public void Explain_with_a_missing_key_log_fails_cleanly()
    {
        var (exit, _, stderr) = Repo.Run("explain", S("test-site-tls12.pcapng"), "--keylog", S("no-such.keys"));
        Assert.Equal(2, exit);
        Assert.StartsWith("httpsflow: ", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}

public class DecryptionFindingTests
{
    [Fact]
    public void Explain_reports_finished_messages_that_do_not_match()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Repo.Samples, "test-site-tls12.pcapng"));
        bytes[bytes.AsSpan().IndexOf("HttpsFlow Test R3"u8)] = (byte)'h';
        var path = Path.Combine(Path.GetTempPath(), $"httpsflow-mitm-{Guid.NewGuid():n}.pcapng");
        File.WriteAllBytes(path, bytes);
        try
        {
            var (_, stdout, _) = Repo.Run("explain", path, "--keylog", Path.Combine(Repo.Samples, "test-site-tls12.keys"), "--width", "300");
            Assert.Contains("error: Decrypted, both Finished messages do not match the handshake in the capture", stdout);
            (_, stdout, _) = Repo.Run("explain", path, "--keylog", Path.Combine(Repo.Samples, "test-site-tls12.keys"), "--width", "300", "--lang", "zh");
            Assert.Contains("双方的 Finished 消息与抓包中的握手不一致", stdout);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
