using HttpsFlow.Cli.Live;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.X509;

namespace HttpsFlow.Tests.Live;

/// <summary>
/// `httpsflow lab` and `httpsflow capture` on the loopback interface. The parts that need no privileges (the chain the
/// lab makes, errors) run everywhere; the captures run where the process may capture (root, as in CI).
/// </summary>
public class LabTests : IDisposable
{
    private readonly DirectoryInfo _tmp = Directory.CreateTempSubdirectory("httpsflow-lab");

    public void Dispose() => _tmp.Delete(true);

    [Fact]
    public void TheLabsChainValidatesAgainstItsRootAndNamesTheSite()
    {
        using var pki = LabPki.Create(Lab.SiteName, DateTimeOffset.UtcNow);
        var leaf = Certificate.Parse(pki.Leaf.RawData);
        var intermediate = Certificate.Parse(pki.Intermediate.RawData);
        var root = Certificate.Parse(pki.Root.RawData);
        var result = ChainValidator.Validate([leaf, intermediate], DateTimeOffset.UtcNow, [root], Lab.SiteName);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal("HttpsFlow Lab R3", leaf.Issuer!.CommonName);
        Assert.Equal(2048, leaf.PublicKey!.KeySizeBits);
        Assert.True(pki.Leaf.HasPrivateKey);
        Assert.True(pki.Trusts(pki.Leaf, null));
        using var other = LabPki.Create(Lab.SiteName, DateTimeOffset.UtcNow);
        Assert.False(other.Trusts(pki.Leaf, null));
    }

    [Fact]
    public void CaptureNeedsAnExistingInterface()
    {
        var (exit, stdout, stderr) = Repo.Run("capture");
        Assert.Equal(1, exit);
        Assert.Contains("-i IFACE", stderr);
        Assert.Equal("", stdout);
        if (!LiveTestSupport.CanCapture) return;
        var (exit2, _, stderr2) = Repo.Run("capture", "-i", "no-such-interface0", "-c", "1");
        Assert.Equal(2, exit2);
        Assert.Equal("httpsflow: no such interface: no-such-interface0 (httpsflow capture --list-interfaces shows them)", stderr2.Trim());
        var (exit3, _, stderr3) = Repo.Run("capture", "-i", "lo", "-f", "tcp port nonsense", "-c", "1");
        Assert.Equal(2, exit3);
        Assert.StartsWith("httpsflow: capture filter \"tcp port nonsense\":", stderr3.Trim());
    }

    [Theory]
    [InlineData("1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS 1.2")]
    [InlineData("1.3", "TLS_AES_", "TLS 1.3")]
    public void TheLabCapturesAndExplainsARealExchange(string tls, string suite, string version)
    {
        if (!LiveTestSupport.CanCapture) return; // needs root or CAP_NET_RAW: runs in CI
        string file = Path.Combine(_tmp.FullName, $"lab{tls}.pcapng");
        int port = LiveTestSupport.FreePort();
        var (exit, stdout, stderr) = LiveTestSupport.RunProcess(TimeSpan.FromMinutes(2), "lab", "--tls", tls, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-w", file);
        Assert.True(exit == 0, stderr);
        Assert.Contains("GET /test.html -> 200, body \"test\"", stderr);
        Assert.Contains($"TLS version        {version}", stdout);
        Assert.Contains(suite, stdout);
        Assert.Contains("Server name (SNI)  test.httpsflow.lab", stdout);
        Assert.Contains("Client Hello", stdout);
        Assert.Contains("The client closes its side first with FIN", stdout);
        // Decrypted with the secrets it embedded: the request, and the page's one word.
        Assert.Contains("“GET /test.html HTTP/1.1”", stdout);
        Assert.Contains("The page it returns is just “test”.", stdout);
        // The chain is checked against the lab's own root, which the client trusted.
        Assert.DoesNotContain("trust anchor", stdout);

        // What was written reads back the same in tshark and in HttpsFlow, and tshark decrypts it with the secrets
        // embedded in it: the keys were right.
        if (Repo.Tshark("-r", file, "-T", "fields", "-e", "frame.number", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "tcp.stream") is not { } theirs) return;
        var (_, ours, _) = Repo.Run("fields", file, "-e", "frame.number", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "tcp.stream");
        Assert.Equal(theirs, ours);
        Assert.Equal("", LiveTestSupport.TsharkReads(file)!.Value.Stderr);
        string? http = Repo.Tshark("-r", file, "-Y", "http", "-T", "fields", "-e", "http.request.uri", "-e", "http.file_data");
        Assert.Contains("/test.html", http);
        Assert.Contains("test", http!.Replace("/test.html", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CaptureWritesWhatItSawAndTsharkAgrees()
    {
        if (!LiveTestSupport.CanCapture) return; // needs root or CAP_NET_RAW: runs in CI
        string file = Path.Combine(_tmp.FullName, "cap.pcapng");
        int port = LiveTestSupport.FreePort();
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        listener.Start();
        var traffic = Task.Run(async () =>
        {
            await Task.Delay(1500);
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            using var server = await listener.AcceptTcpClientAsync();
            await client.GetStream().WriteAsync("hello"u8.ToArray());
            var buffer = new byte[5];
            await server.GetStream().ReadExactlyAsync(buffer);
        });
        var (exit, stdout, stderr) = LiveTestSupport.RunProcess(TimeSpan.FromMinutes(1), "capture", "-i", "lo", "-f", $"tcp port {port}", "-w", file, "-c", "4", "--duration", "20");
        await traffic;
        listener.Stop();
        Assert.True(exit == 0, stderr);
        Assert.Contains("4 packets captured on lo", stderr);
        // The printed lines are the list of the written file.
        var (_, listed, _) = Repo.Run("list", file);
        Assert.Equal(listed, stdout);
        Assert.Contains("[SYN]", stdout);
        if (Repo.Tshark("-n", "-r", file) is not { } theirs) return;
        Assert.Equal(Fold(theirs), Fold(listed));
    }

    private static string Fold(string s) => System.Text.RegularExpressions.Regex.Replace(s, " +", " ");
}
