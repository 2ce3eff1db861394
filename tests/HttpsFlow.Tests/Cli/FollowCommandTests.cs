using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Cli;

/// <summary>
/// `httpsflow follow`: byte for byte what `tshark -q -z follow,tls|tcp,MODE,N` prints (tests/golden/follow, made by
/// make-follow-golden.sh), and what it says when there is nothing to follow.
/// </summary>
public class FollowCommandTests
{
    private static readonly string GoldenDir = Path.Combine(Repo.Golden, "follow");
    private static readonly string TestSite = Path.Combine(Repo.Samples, "test-site-tls12.pcapng");

    /// <summary>Every reference output: CAPTURE[.nokeys].PROTO.N.MODE.txt, CAPTURE being the path under samples/ with '/' as "__".</summary>
    public static TheoryData<string> Goldens()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(GoldenDir, "*.txt").Order()) data.Add(Path.GetFileName(f));
        return data;
    }

    /// <summary>The command line that should print what tshark printed into <paramref name="golden"/>.</summary>
    private static string[] ArgsFor(string golden)
    {
        var parts = golden[..^".txt".Length].Split('.');
        string mode = parts[^1], stream = parts[^2], proto = parts[^3];
        string capture = string.Join('.', parts[..^3]);
        bool noKeys = capture.EndsWith(".nokeys");
        if (noKeys) capture = capture[..^".nokeys".Length];
        string path = Path.Combine(Repo.Samples, capture.Replace("__", "/"));
        var args = new List<string> { "follow", path, "--stream", stream, "--format", mode };
        if (proto == "tcp") args.Add("--tcp");
        string keys = path.EndsWith(".pcapng") ? path[..^".pcapng".Length] + ".keys" : path[..^".pcap".Length] + ".keys";
        if (!noKeys && proto == "tls" && File.Exists(keys)) args.AddRange(["--keylog", keys]);
        return [.. args];
    }

    [Fact]
    public void TheGoldenOutputsCoverEveryModeAndBothProtocols()
    {
        var names = Directory.EnumerateFiles(GoldenDir, "*.txt").Select(Path.GetFileName).OfType<string>().ToList();
        foreach (var mode in new[] { "ascii", "hex", "raw", "yaml" })
        {
            Assert.Contains(names, n => n.EndsWith($".tls.0.{mode}.txt"));
            Assert.Contains(names, n => n.EndsWith($".tcp.0.{mode}.txt"));
        }
        Assert.Contains("test-site-tls12-dsb.pcapng.tls.0.ascii.txt", names);
        Assert.Contains("tls13.pcapng.tls.0.ascii.txt", names);
        Assert.True(names.Count(n => n.StartsWith("ciphers__")) >= 8);
    }

    [Theory]
    [MemberData(nameof(Goldens))]
    public void FollowPrintsWhatTsharkPrints(string golden)
    {
        string expected = File.ReadAllText(Path.Combine(GoldenDir, golden));
        var (exit, stdout, stderr) = Repo.Run(ArgsFor(golden));
        Assert.True(exit == 0, stderr);
        Assert.Equal(expected, stdout);
    }

    [Fact]
    public void EmbeddedSecretsNeedNoKeyLog()
    {
        var (exit, stdout, stderr) = Repo.Run("follow", Path.Combine(Repo.Samples, "test-site-tls12-dsb.pcapng"), "--stream", "0");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("GET /test.html HTTP/1.1\r\n", stdout);
        Assert.Contains("\t238\nHTTP/1.1 200 OK\r\n", stdout);
    }

    [Fact]
    public void ANotDecryptedConnectionGetsTheHeaderAndTheReasonOnStderr()
    {
        var (exit, stdout, stderr) = Repo.Run("follow", TestSite, "--stream", "0");
        Assert.Equal(0, exit);
        Assert.Equal(File.ReadAllText(Path.Combine(GoldenDir, "test-site-tls12.pcapng.nokeys.tls.0.ascii.txt")), stdout);
        Assert.Equal("httpsflow: warning: tcp.stream 0 was not decrypted: no key log was given (--keylog) and the capture embeds none\n",
            stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void AKeyLogWithoutTheConnectionsSecretIsNamedAsTheReason()
    {
        var (exit, stdout, stderr) = Repo.Run("follow", TestSite, "--stream", "0", "--keylog", Path.Combine(Repo.Samples, "tls13.keys"));
        Assert.Equal(0, exit);
        Assert.Contains("Node 0: :0\nNode 1: :0\n====", stdout);
        Assert.Contains("not decrypted: the key log has no secret for this connection's client random", stderr);
    }

    [Fact]
    public void AMissingStreamIsOneLineOnStderrAndExitOne()
    {
        var (exit, stdout, stderr) = Repo.Run("follow", TestSite, "--stream", "7", "--keylog", Path.Combine(Repo.Samples, "test-site-tls12.keys"));
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"httpsflow: {TestSite}: no tcp.stream 7: the capture's TCP connections are 0–0\n", stderr.ReplaceLineEndings("\n"));

        (exit, stdout, stderr) = Repo.Run("follow", TestSite, "--stream", "7", "--tcp");
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void AStreamWithoutTlsGetsTheHeaderAndExitOne()
    {
        string mixed = Path.Combine(Repo.Samples, "mixed.pcapng");
        var (exit, stdout, stderr) = Repo.Run("follow", mixed, "--stream", "0");
        Assert.Equal(1, exit);
        Assert.Equal("\n" + new string('=', 67) + "\nFollow: tls,ascii\nFilter: tcp.stream eq 0\nNode 0: :0\nNode 1: :0\n" + new string('=', 67) + "\n", stdout);
        Assert.Equal($"httpsflow: {mixed}: tcp.stream 0 carries no TLS (--tcp follows its TCP payload)\n", stderr.ReplaceLineEndings("\n"));

        // Its TCP payload can be followed.
        (exit, stdout, stderr) = Repo.Run("follow", mixed, "--stream", "0", "--tcp");
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("\n" + new string('=', 67) + "\nFollow: tcp,ascii\nFilter: tcp.stream eq 0\nNode 0: ", stdout);
    }

    [Fact]
    public void TheStreamIsRequiredAndNotNegative()
    {
        var (exit, _, stderr) = Repo.Run("follow", TestSite);
        Assert.Equal(1, exit);
        Assert.Contains("--stream", stderr);
        (exit, _, stderr) = Repo.Run("follow", TestSite, "--stream", "-1");
        Assert.Equal(1, exit);
        Assert.Contains("must not be negative", stderr);
    }

    [Fact]
    public void HelpHasExamples()
    {
        var (exit, stdout, _) = Repo.Run("follow", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("Examples:", stdout);
        Assert.Contains("httpsflow follow samples/test-site-tls12.pcapng --stream 0 --keylog samples/test-site-tls12.keys", stdout);
        Assert.Contains("--format <ascii|hex|raw|yaml>", stdout);
    }
}
