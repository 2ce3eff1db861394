using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Walkthrough;

/// <summary>`httpsflow explain`: goldens of the narration (en and zh), formats, options and bad input.</summary>
public class ExplainCommandTests
{
    private static string Sample(string name) => Path.Combine(Repo.Samples, name);
    private static string GoldenPath(string name) => Path.Combine(Repo.Golden, "explain", name);

    public static TheoryData<string, string> Goldens() => new()
    {
        { "test-site-tls12.pcapng", "en" }, { "test-site-tls12.pcapng", "zh" },
        { "tls13.pcapng", "en" }, { "tls13.pcapng", "zh" },
        { "lossy.pcap", "en" },
    };

    /// <summary>
    /// The walkthrough of each sample, word for word. A change to the narration shows here as a diff to review;
    /// after reviewing, regenerate with HTTPSFLOW_UPDATE_GOLDEN=1 dotnet test --filter ExplainCommandTests.
    /// </summary>
    [Theory]
    [MemberData(nameof(Goldens))]
    public void NarrationMatchesItsGolden(string sample, string lang)
    {
        var (exit, stdout, stderr) = Repo.Run("explain", Sample(sample), "--lang", lang, "--trust", Path.Combine(Repo.Samples, "pki", "root.pem"));
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        string golden = GoldenPath($"{sample}.{lang}.txt");
        if (Environment.GetEnvironmentVariable("HTTPSFLOW_UPDATE_GOLDEN") == "1") File.WriteAllText(golden, stdout);
        Assert.Equal(File.ReadAllText(golden), stdout);
    }

    [Fact]
    public void MarkdownHasHeadingsAFactsTableAndTheDiagramFenced()
    {
        var (exit, stdout, _) = Repo.Run("explain", Sample("test-site-tls12.pcapng"), "--format", "markdown");
        Assert.Equal(0, exit);
        Assert.StartsWith("# TLS connection 0: 127.0.0.1:56536 → 127.0.0.1:443 (test.httpsflow.example)\n", stdout);
        Assert.Contains("| Cipher suite | TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 |", stdout);
        Assert.Contains("## Sequence diagram\n\n```text\n", stdout);
        Assert.Contains("## Step by step", stdout);
    }

    [Fact]
    public void AsciiDrawsWithAsciiOnly()
    {
        var (exit, stdout, _) = Repo.Run("explain", Sample("test-site-tls12.pcapng"), "--ascii");
        Assert.Equal(0, exit);
        string diagram = stdout[stdout.IndexOf("Sequence diagram", StringComparison.Ordinal)..stdout.IndexOf("Step by step", StringComparison.Ordinal)];
        Assert.All(diagram, ch => Assert.True(ch < 128, $"non-ASCII {ch}"));
        Assert.Contains("|---- Client Hello ---", diagram);
        Assert.Contains("|<--- [SYN, ACK] ---", diagram);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(100)]
    [InlineData(160)]
    public void TheDiagramFitsTheWidth(int width)
    {
        var (exit, stdout, _) = Repo.Run("explain", Sample("test-site-tls12.pcapng"), "--width", width.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, exit);
        var diagram = stdout[stdout.IndexOf("Sequence diagram", StringComparison.Ordinal)..stdout.IndexOf("Step by step", StringComparison.Ordinal)];
        // The diagram keeps a lane of at least 30 columns, so below 90 columns it may overflow a little.
        foreach (var line in diagram.Split('\n'))
            Assert.True(line.Length <= Math.Max(width, 90), $"{line.Length}: {line}");
        string rest = stdout.Replace(diagram, "", StringComparison.Ordinal);
        Assert.All(rest.Split('\n'), l => Assert.True(l.Length <= width, l));
    }

    [Fact]
    public void StreamChoosesOneConnection()
    {
        var (exit, stdout, _) = Repo.Run("explain", Sample("lossy.pcap"), "--stream", "0");
        Assert.Equal(0, exit);
        Assert.StartsWith("TLS connection 0:", stdout);
        var (exit2, stdout2, stderr2) = Repo.Run("explain", Sample("lossy.pcap"), "--stream", "99");
        Assert.Equal(1, exit2);
        Assert.Equal("", stdout2);
        Assert.Contains("tcp.stream 99 carries no TLS", stderr2);
    }

    [Fact]
    public void ACaptureWithoutTlsSaysSo()
    {
        var (exit, stdout, stderr) = Repo.Run("explain", Sample("mixed.pcapng"));
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"httpsflow: {Sample("mixed.pcapng")}: no TLS connection found\n", stderr.Replace("\r", ""));
    }

    [Fact]
    public void ColourOnlyWhenAsked()
    {
        var (_, plain, _) = Repo.Run("explain", Sample("test-site-tls12.pcapng"));
        Assert.DoesNotContain('\u001b', plain);
        var (_, coloured, _) = Repo.Run("explain", Sample("test-site-tls12.pcapng"), "--color", "always");
        Assert.Contains("\u001b[1m", coloured);
    }

    [Fact]
    public void BadTrustFileAndBadCaptureAreOneLineErrors()
    {
        var (exit, stdout, stderr) = Repo.Run("explain", Sample("test-site-tls12.pcapng"), "--trust", "/nonexistent/root.pem");
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        var (exit2, _, stderr2) = Repo.Run("explain", Path.Combine(Repo.Samples, "README.md"));
        Assert.Equal(2, exit2);
        Assert.Single(stderr2.Trim().Split('\n'));
    }

    [Fact]
    public void HelpHasExamples()
    {
        var (exit, stdout, _) = Repo.Run("explain", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("Examples:", stdout);
        Assert.Contains("--lang", stdout);
    }
}
