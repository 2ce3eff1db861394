using HttpsFlow.Decryption;
using HttpsFlow.Tls;

namespace HttpsFlow.Tests.Decryption;

/// <summary>Every bundled sample decrypts with its key log: the first request, the response, both Finished checked.</summary>
public class SampleDecryptionTests
{
    public static TheoryData<string, string?, string> TestSite => new()
    {
        { "test-site-tls12.pcapng", "test-site-tls12.keys", "GET /test.html HTTP/1.1" },
        { "test-site-tls12-dsb.pcapng", null, "GET /test.html HTTP/1.1" },
        { "test-site-tls12.pcap.gz", "test-site-tls12-gz.keys", "GET /test.html HTTP/1.1" },
        { "ipv6.pcap", "ipv6.keys", "GET /test.html HTTP/1.1" },
        { "cooked-sll.pcap", "cooked-sll.keys", "GET /test.html HTTP/1.1" },
        { "cooked-sll2.pcap", "cooked-sll2.keys", "GET /test.html HTTP/1.1" },
        { "classic-nano.pcap", "classic-nano.keys", "GET /test.html HTTP/1.1" },
        { "tls13.pcapng", "tls13.keys", "GET / HTTP/1.0" },
        { "lossy.pcap", "lossy.keys", "GET /big.txt HTTP/1.1" },
    };

    [Theory]
    [MemberData(nameof(TestSite))]
    public void Sample_decrypts_with_its_key_log(string capture, string? keys, string request)
    {
        var run = DecryptionRun.Of(capture, keys);
        var s = Assert.Single(run.Sessions);
        Assert.Equal(DecryptionStatus.Decrypted, s.Status);
        Assert.Equal(0, s.RecordsFailed);
        Assert.Equal(2, s.FinishedVerified);
        Assert.Equal(0, s.FinishedMismatches);
        Assert.Empty(s.Notes);
        Assert.StartsWith(request, run.Text(fromClient: true));
        string response = run.Text(fromClient: false);
        Assert.StartsWith("HTTP/1.", response);
        if (request.Contains("test.html")) Assert.EndsWith("\r\n\r\ntest", response);
        Assert.All(run.Handshakes.Where(h => h.Type == TlsHandshakeType.Finished), h => Assert.True(h.Verified));
    }

    [Fact]
    public void Tls13_sample_reports_its_encrypted_handshake_messages()
    {
        var run = DecryptionRun.Of("tls13.pcapng", "tls13.keys");
        var server = run.Handshakes.Where(h => !h.FromClient).Select(h => h.Type).ToArray();
        Assert.Equal(
            [TlsHandshakeType.EncryptedExtensions, TlsHandshakeType.Certificate, TlsHandshakeType.CertificateVerify,
             TlsHandshakeType.Finished, TlsHandshakeType.NewSessionTicket, TlsHandshakeType.NewSessionTicket], server);
        Assert.Equal([TlsHandshakeType.Finished], run.Handshakes.Where(h => h.FromClient).Select(h => h.Type));
    }

    [Fact]
    public void Lossy_download_decrypts_to_the_whole_body()
    {
        var run = DecryptionRun.Of("lossy.pcap", "lossy.keys");
        string response = run.Text(fromClient: false);
        int body = response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        var length = System.Text.RegularExpressions.Regex.Match(response, @"Content-Length: (\d+)").Groups[1].Value;
        Assert.Equal(long.Parse(length), response.Length - body);
    }

    public static TheoryData<string, ushort> CipherSamples => new()
    {
        { "tls12-aes256gcm", 0xc030 },
        { "tls12-chacha20", 0xcca8 },
        { "tls12-aes128ccm", 0xc09e },
        { "tls12-aes256ccm8", 0xc0a3 },
        { "tls12-cbc-sha-etm", 0xc013 },
        { "tls12-cbc-sha-noetm", 0xc013 },
        { "tls12-cbc-sha256", 0x003c },
        { "tls12-cbc-sha384", 0xc028 },
        { "tls11-cbc", 0xc014 },
        { "tls10-cbc", 0xc013 },
        { "tls13-chacha20", 0x1303 },
        { "tls13-aes128ccm", 0x1304 },
        { "tls13-aes128ccm8", 0x1305 },
        { "tls13-hrr", 0x1302 },
    };

    [Theory]
    [MemberData(nameof(CipherSamples))]
    public void Cipher_sample_decrypts(string name, ushort suite)
    {
        var run = DecryptionRun.Of($"ciphers/{name}.pcapng", $"ciphers/{name}.keys");
        var s = Assert.Single(run.Sessions);
        Assert.Equal(suite, s.CipherSuite);
        Assert.Equal(DecryptionStatus.Decrypted, s.Status);
        Assert.Equal(0, s.RecordsFailed);
        Assert.Equal(2, s.FinishedVerified);
        Assert.Empty(s.Notes);
        Assert.StartsWith("GET /test.html HTTP/1.0\r\n", run.Text(fromClient: true));
        Assert.StartsWith("HTTP/1.0 200 ok", run.Text(fromClient: false));
        Assert.EndsWith("test", run.Text(fromClient: false));
    }

    [Theory]
    [InlineData("tls12-resumed")]
    [InlineData("tls13-resumed")]
    public void Resumed_connection_decrypts(string name)
    {
        var run = DecryptionRun.Of($"ciphers/{name}.pcapng", $"ciphers/{name}.keys");
        Assert.Equal(2, run.Sessions.Count);
        foreach (var s in run.Sessions)
        {
            Assert.Equal(DecryptionStatus.Decrypted, s.Status);
            Assert.Equal(2, s.FinishedVerified);
            Assert.Empty(s.Notes);
        }
        Assert.Equal(2, run.Records.Count(r => r.FromClient && r.Type == TlsContentType.ApplicationData));
    }

    [Fact]
    public void Tls12_resumption_without_the_resumed_line_uses_the_first_connection_s_master_secret()
    {
        // Keep only the first connection's CLIENT_RANDOM line: the second connection resumes its session by ticket.
        var lines = File.ReadAllLines(Path.Combine(TestSupport.Repo.Samples, "ciphers/tls12-resumed.keys"))
            .Where(l => l.StartsWith("CLIENT_RANDOM", StringComparison.Ordinal)).ToArray();
        var run = DecryptionRun.Of("ciphers/tls12-resumed.pcapng", KeyLog.Parse(lines[0]));
        Assert.All(run.Sessions, s => Assert.Equal(DecryptionStatus.Decrypted, s.Status));
        Assert.All(run.Sessions, s => Assert.Equal(2, s.FinishedVerified));
    }

    [Fact]
    public void Tls13_key_update_switches_keys()
    {
        var run = DecryptionRun.Of("ciphers/tls13-keyupdate.pcapng", "ciphers/tls13-keyupdate.keys");
        var s = Assert.Single(run.Sessions);
        Assert.Equal(DecryptionStatus.Decrypted, s.Status);
        Assert.True(s.KeyUpdates >= 1);
        Assert.Equal(0, s.RecordsFailed);
        Assert.Contains("after the K command", run.Text(fromClient: true));
    }
}

/// <summary>TLS 1.3 0-RTT: the resumed connection's request travels as early data.</summary>
public class EarlyDataTests
{
    [Fact]
    public void Early_data_decrypts_with_the_client_early_traffic_secret()
    {
        var run = DecryptionRun.Of("ciphers/tls13-early-data.pcapng", "ciphers/tls13-early-data.keys");
        Assert.Equal(2, run.Sessions.Count);
        var resumed = run.Sessions[1];
        Assert.Equal(DecryptionStatus.Decrypted, resumed.Status);
        Assert.Equal(2, resumed.EarlyRecordsDecrypted); // the request and the EndOfEarlyData
        Assert.Equal(0, resumed.EarlyRecordsSkipped);
        Assert.Equal(0, resumed.RecordsFailed);
        Assert.Equal(2, resumed.FinishedVerified); // the client's covers EndOfEarlyData
        Assert.Empty(resumed.Notes);
        Assert.StartsWith("GET /test.html HTTP/1.0", System.Text.Encoding.ASCII.GetString(resumed.FirstClientData!));
        Assert.Contains(run.Handshakes, h => h.FromClient && h.Type == TlsHandshakeType.EndOfEarlyData);
    }

    [Fact]
    public void Early_data_without_its_secret_is_skipped_and_the_rest_decrypts()
    {
        var lines = File.ReadAllLines(Path.Combine(TestSupport.Repo.Samples, "ciphers/tls13-early-data.keys"))
            .Where(l => !l.StartsWith("CLIENT_EARLY_TRAFFIC_SECRET", StringComparison.Ordinal));
        var run = DecryptionRun.Of("ciphers/tls13-early-data.pcapng", KeyLog.Parse(string.Join('\n', lines)));
        var resumed = run.Sessions[1];
        Assert.Equal(DecryptionStatus.Decrypted, resumed.Status);
        Assert.True(resumed.EarlyRecordsSkipped >= 1);
        Assert.Equal(0, resumed.EarlyRecordsDecrypted);
        Assert.Equal(2, resumed.FinishedVerified); // the client's covers the EndOfEarlyData we could not read
        Assert.Empty(resumed.Notes);
    }
}

public class RenegotiationTests
{
    [Fact]
    public void Tls12_renegotiation_is_followed()
    {
        var run = DecryptionRun.Of("ciphers/tls12-renegotiation.pcapng", "ciphers/tls12-renegotiation.keys");
        var s = Assert.Single(run.Sessions);
        Assert.Equal(DecryptionStatus.Decrypted, s.Status);
        Assert.Equal(1, s.Renegotiations);
        Assert.Equal(4, s.FinishedVerified);
        Assert.Equal(0, s.RecordsFailed);
        Assert.Empty(s.Notes);
        Assert.Contains("after the R command", run.Text(fromClient: true));
        Assert.Contains(run.Handshakes, h => h.FromClient && h.Type == TlsHandshakeType.ClientHello);
    }

    [Fact]
    public void Renegotiation_without_its_key_says_so()
    {
        var first = File.ReadAllLines(System.IO.Path.Combine(TestSupport.Repo.Samples, "ciphers/tls12-renegotiation.keys"))
            .First(l => l.StartsWith("CLIENT_RANDOM", StringComparison.Ordinal));
        var run = DecryptionRun.Of("ciphers/tls12-renegotiation.pcapng", KeyLog.Parse(first));
        var s = Assert.Single(run.Sessions);
        Assert.Equal(2, s.FinishedVerified);
        Assert.Contains(s.Notes, n => n.Contains("renegotiated handshake"));
        Assert.DoesNotContain("after the R command", run.Text(fromClient: true));
    }
}
