using System.Text.Json;
using HttpsFlow.Output;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Walkthrough;

/// <summary>`httpsflow handshakes`: agreement with tshark on every sample, Zeek's fields on known handshakes, formats, options, bad input.</summary>
public class HandshakesCommandTests
{
    private static string Sample(string name) => Path.Combine(Repo.Samples, name);
    private static readonly string Root = Path.Combine(Repo.Samples, "pki", "root.pem");

    public static TheoryData<string> Samples() => Recorded.TlsSamples();

    /// <summary>Version, cipher suite, SNI and ALPN of every TLS connection agree with tshark's (tests/golden/*.handshakes.tsv).</summary>
    [Theory]
    [MemberData(nameof(Samples))]
    public void HelloFactsAgreeWithTshark(string sample)
    {
        var tshark = HandshakeFacts.FromTshark(File.ReadAllText(Path.Combine(Repo.Golden, sample + ".handshakes.tsv")));
        var (exit, stdout, stderr) = Repo.Run("handshakes", Sample(sample), "--format", "json");
        Assert.True(exit == 0, stderr);
        var ours = HandshakeFacts.FromJson(stdout);
        Assert.NotEmpty(tshark);
        Assert.Empty(HandshakeFacts.Differences(tshark, ours));
    }

    private static JsonElement OnlyRow(string sample, params string[] more)
    {
        var (exit, stdout, stderr) = Repo.Run(["handshakes", Sample(sample), "--format", "json", .. more]);
        Assert.True(exit == 0, stderr);
        var rows = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(1, rows.GetArrayLength());
        return rows[0];
    }

    [Fact]
    public void Tls12RowHasZeeksFields()
    {
        var r = OnlyRow("test-site-tls12.pcapng", "--trust", Root);
        Assert.Equal("127.0.0.1", r.GetProperty("id.orig_h").GetString());
        Assert.Equal(56536, r.GetProperty("id.orig_p").GetInt32());
        Assert.Equal(443, r.GetProperty("id.resp_p").GetInt32());
        Assert.Equal("TLSv12", r.GetProperty("version").GetString());
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", r.GetProperty("cipher").GetString());
        Assert.Equal("x25519", r.GetProperty("curve").GetString());
        Assert.Equal("test.httpsflow.example", r.GetProperty("server_name").GetString());
        Assert.Equal("http/1.1", r.GetProperty("next_protocol").GetString());
        Assert.False(r.GetProperty("resumed").GetBoolean());
        Assert.True(r.GetProperty("established").GetBoolean());
        // Client and server hello, certificate, key exchange, hello done; the client's key exchange and
        // ChangeCipherSpec; the server's ticket and ChangeCipherSpec; established at the server's Finished.
        Assert.Equal("CsxknGIti", r.GetProperty("ssl_history").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("last_alert").ValueKind);
        var fps = r.GetProperty("cert_chain_fps").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["a9144022af46f5ef878c20e89958ca233690978a863c5242e1f76c01563b006b", "0ba118f2047f6e1889aab40624f0fa9caf9767f49e43e3015d654bf3fff2df1e"], fps);
        Assert.Equal("CN=test.httpsflow.example", r.GetProperty("subject").GetString());
        Assert.Equal("CN=HttpsFlow Test R3,O=HttpsFlow Test,C=US", r.GetProperty("issuer").GetString());
        Assert.Equal("ok", r.GetProperty("validation_status").GetString());
        Assert.Matches("^[0-9a-f]{32}$", r.GetProperty("ja3").GetString());
        Assert.Matches("^t13d", r.GetProperty("ja4").GetString());
        Assert.True(r.GetProperty("tcp_rtt").GetDouble() > 0);
        Assert.True(r.GetProperty("handshake_time").GetDouble() > r.GetProperty("tcp_rtt").GetDouble());
        Assert.True(r.GetProperty("time_to_first_byte").GetDouble() >= r.GetProperty("handshake_time").GetDouble());
        Assert.Equal("not decrypted: no key log", r.GetProperty("decryption").GetString());
    }

    [Fact]
    public void Tls13HistoryHasTheCompatibilityChangeCipherSpecsAndNoCertificates()
    {
        var r = OnlyRow("tls13.pcapng");
        Assert.Equal("TLSv13", r.GetProperty("version").GetString());
        Assert.Equal("CsiI", r.GetProperty("ssl_history").GetString());
        Assert.True(r.GetProperty("established").GetBoolean());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("cert_chain_fps").ValueKind);
        Assert.Equal(JsonValueKind.Null, r.GetProperty("validation_status").ValueKind);
    }

    [Fact]
    public void WithoutTheTestRootTheChainHasNoKnownIssuer()
    {
        var r = OnlyRow("test-site-tls12.pcapng"); // this machine's trust store does not hold the test root
        Assert.Equal("unable to get local issuer certificate", r.GetProperty("validation_status").GetString());
        Assert.Contains("not a trust anchor", r.GetProperty("validation_reason").GetString());
    }

    [Fact]
    public void UidIsStableAndShapedLikeZeeks()
    {
        string a = OnlyRow("test-site-tls12.pcapng").GetProperty("uid").GetString()!;
        string b = OnlyRow("test-site-tls12.pcapng").GetProperty("uid").GetString()!;
        string c = OnlyRow("tls13.pcapng").GetProperty("uid").GetString()!;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Matches("^C[0-9A-Za-z]{17}$", a);
    }

    [Fact]
    public void CsvHasEveryColumnAndOneLinePerConnection()
    {
        var (exit, stdout, _) = Repo.Run("handshakes", Sample("test-site-tls12.pcapng"), "--format", "csv");
        Assert.Equal(0, exit);
        var lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Equal(string.Join(',', HandshakeTable.Columns), lines[0]);
        Assert.Contains(",TLSv12,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,x25519,test.httpsflow.example,false,,http/1.1,true,CsxknGIti,\"a914", lines[1]);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void TableFitsTheWidth(int width)
    {
        var (exit, stdout, _) = Repo.Run("handshakes", Sample("ipv6.pcap"), "--width", width.ToString());
        Assert.Equal(0, exit);
        var lines = stdout.TrimEnd('\n').Split('\n');
        Assert.StartsWith("stream  server", lines[0]);
        Assert.All(lines, l => Assert.True(l.Length <= width, $"{l.Length} > {width}: {l}"));
        Assert.Contains("[::1]:443", lines[1]);
    }

    [Fact]
    public void StreamChoosesOneConnection()
    {
        var (exit, stdout, _) = Repo.Run("handshakes", Sample("test-site-tls12.pcapng"), "--stream", "0", "--format", "csv");
        Assert.Equal(0, exit);
        Assert.Equal(2, stdout.TrimEnd('\n').Split('\n').Length);
        var (exit2, _, stderr2) = Repo.Run("handshakes", Sample("test-site-tls12.pcapng"), "--stream", "7");
        Assert.Equal(1, exit2);
        Assert.Equal("httpsflow: " + Sample("test-site-tls12.pcapng") + ": tcp.stream 7 carries no TLS\n", stderr2);
    }

    [Fact]
    public void BadInputIsOneLineAndExitTwo()
    {
        string bad = Path.Combine(Path.GetTempPath(), $"httpsflow-bad-{Guid.NewGuid():N}.pcap");
        File.WriteAllBytes(bad, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        try
        {
            foreach (var command in new[] { "handshakes", "certs" })
            {
                var (exit, stdout, stderr) = Repo.Run(command, bad);
                Assert.Equal(2, exit);
                Assert.Equal("", stdout);
                Assert.Single(stderr.TrimEnd('\n').Split('\n'));
                Assert.StartsWith("httpsflow: " + bad + ": ", stderr);
                var (exit2, _, stderr2) = Repo.Run(command, "/nonexistent/capture.pcap");
                Assert.Equal(2, exit2);
                Assert.Single(stderr2.TrimEnd('\n').Split('\n'));
            }
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public void TruncatedCaptureReportsWhatWasReadThenExitsTwo()
    {
        byte[] whole = File.ReadAllBytes(Sample("test-site-tls12.pcapng"));
        string cut = Path.Combine(Path.GetTempPath(), $"httpsflow-cut-{Guid.NewGuid():N}.pcapng");
        File.WriteAllBytes(cut, whole[..(whole.Length - 100)]);
        try
        {
            var (exit, stdout, stderr) = Repo.Run("handshakes", cut, "--format", "csv");
            Assert.Equal(2, exit);
            Assert.Contains("TLSv12", stdout);
            Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        }
        finally
        {
            File.Delete(cut);
        }
    }

    [Theory]
    [InlineData("handshakes")]
    [InlineData("certs")]
    public void HelpHasExamples(string command)
    {
        var (exit, stdout, _) = Repo.Run(command, "--help");
        Assert.Equal(0, exit);
        Assert.Contains("Examples:", stdout);
        Assert.Contains($"httpsflow {command} samples/", stdout);
    }
}
