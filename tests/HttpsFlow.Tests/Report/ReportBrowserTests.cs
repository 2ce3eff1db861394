using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tests.Walkthrough;
using Microsoft.Playwright;

namespace HttpsFlow.Tests.Report;

/// <summary>
/// `httpsflow report` in a real browser: Debian's Chromium driven by Playwright (installed by .ci/run; the tests
/// return early where /usr/bin/chromium is missing). The page must work offline: no request leaves it.
/// </summary>
public class ReportBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly DirectoryInfo _tmp = Directory.CreateTempSubdirectory("httpsflow-report");
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium)) return;
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        _tmp.Delete(true);
    }

    private string Report(string sample, params string[] extra)
    {
        string path = Path.Combine(_tmp.FullName, sample + ".html");
        var (exit, _, stderr) = Repo.Run(["report", Path.Combine(Repo.Samples, sample), "-o", path, .. extra]);
        Assert.True(exit == 0, stderr);
        return path;
    }

    /// <summary>Opens a report and records every request and console error while it is used.</summary>
    private async Task<(IPage Page, List<string> Requests, List<string> Errors)> Open(string path)
    {
        var page = await _browser!.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var requests = new List<string>();
        var errors = new List<string>();
        string url = new Uri(path).AbsoluteUri;
        page.Request += (_, r) => { if (r.Url != url) requests.Add(r.Url); };
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(url);
        await page.WaitForSelectorAsync("body[data-ready='1']");
        return (page, requests, errors);
    }

    [Theory]
    [MemberData(nameof(Recorded.TlsSamples), MemberType = typeof(Recorded))]
    public async Task EverySamplesReportDrawsOneArrowPerFrameOffline(string sample)
    {
        if (_browser is null) return;
        var connection = Recorded.Read(Path.Combine(Repo.Samples, sample)).Connections[0];
        var (page, requests, errors) = await Open(Report(sample));
        Assert.Equal(connection.Frames.Count, await page.Locator("#diagram .arrow").CountAsync());
        Assert.Equal(Recorded.Read(Path.Combine(Repo.Samples, sample)).Connections.Count, await page.Locator("#conn-table tbody tr").CountAsync());
        // Selecting the Client Hello's arrow opens the packet pane and marks the steps that tell of it.
        long hello = connection.ClientHello!.Frame;
        await page.Locator($"#diagram .arrow[data-frame='{hello}']").ClickAsync();
        Assert.Equal($"Packet #{hello}", await page.Locator("#packet-title").TextContentAsync());
        var selected = page.Locator("#steps .step.selected");
        Assert.True(await selected.CountAsync() >= 2);
        Assert.Contains("Client Hello", await selected.Nth(1).TextContentAsync());
        // Its detail tree and bytes: clicking the Handshake Protocol node highlights exactly its bytes.
        var node = page.Locator("#tree .node", new() { HasTextString = "Handshake Protocol: Client Hello" }).First;
        await page.EvaluateAsync("() => document.querySelectorAll('#tree details').forEach(d => d.open = true)");
        int length = int.Parse((await node.GetAttributeAsync("data-length"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(length > 0);
        await node.ClickAsync();
        Assert.Equal(length, await page.Locator("#hex span.b.hl").CountAsync());
        Assert.True(await page.Locator("#hex span.b").CountAsync() > length);
        Assert.Empty(requests);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task TheTestSiteReportShowsTheChainAsCardsAndSearches()
    {
        if (_browser is null) return;
        var (page, requests, errors) = await Open(Report("test-site-tls12.pcapng"));
        Assert.Equal(2, await page.Locator(".cards .card").CountAsync());
        Assert.Contains("test.httpsflow.example", await page.Locator(".cards .card").First.TextContentAsync());
        Assert.Contains("HttpsFlow Test R3", await page.Locator(".cards .card").Nth(1).TextContentAsync());
        Assert.Equal(4, await page.Locator(".waterfall rect").CountAsync());
        // Clicking a step selects its arrow.
        await page.Locator("#steps .step[data-frame='9']").First.ClickAsync();
        Assert.Equal("9", await page.Locator("#diagram .arrow.selected").GetAttributeAsync("data-frame"));
        await page.Locator("#search").FillAsync("no such connection");
        Assert.Equal(0, await page.Locator("#conn-table tbody tr").CountAsync());
        await page.Locator("#search").FillAsync("test.httpsflow");
        Assert.Equal(1, await page.Locator("#conn-table tbody tr").CountAsync());
        string shots = Path.Combine(Repo.Root, "tests", "artifacts");
        Directory.CreateDirectory(shots);
        await page.Locator("#diagram .arrow[data-frame='4']").ClickAsync();
        await page.EvaluateAsync("() => document.querySelector('#tree > ul > li:last-child > details').open = true");
        await page.EvaluateAsync("() => document.querySelector('#tree > ul > li:last-child > details > ul > li > details').open = true");
        await page.Locator("#tree .node", new() { HasTextString = "Handshake Protocol: Client Hello" }).First.ClickAsync();
        Assert.True(await page.Locator("#hex span.b.hl").CountAsync() > 100);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "report-test-site.png"), FullPage = true });
        Assert.Empty(requests);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task TheChineseReportIsInChinese()
    {
        if (_browser is null) return;
        var (page, _, errors) = await Open(Report("tls13.pcapng", "--lang", "zh"));
        Assert.Equal("HttpsFlow 报告", await page.Locator("#page-title").TextContentAsync());
        Assert.Contains("客户端发送 SYN 发起连接", await page.Locator("#steps").TextContentAsync());
        Assert.Empty(errors);
    }
}

/// <summary>
/// The report of a capture of 100,000 packets (the test-site connection repeated 6,667 times on different client
/// ports) opens in the browser in under 3 seconds, and the file grows linearly with the capture.
/// </summary>
public class LargeReportTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _tmp = Directory.CreateTempSubdirectory("httpsflow-large-report");

    public void Dispose() => _tmp.Delete(true);

    /// <summary>Writes the test-site connection <paramref name="copies"/> times, each from its own client port.</summary>
    internal static string RepeatTestSite(string path, int copies)
    {
        var packets = new List<(HttpsFlow.Common.Timestamp Time, byte[] Data)>();
        using (var reader = HttpsFlow.Capture.CaptureReader.Open(Path.Combine(Repo.Samples, "test-site-tls12.pcapng")))
            while (reader.Read(out var p) == HttpsFlow.Capture.ReadOutcome.Packet) packets.Add((p.Time, p.Data.ToArray()));
        using var w = new HttpsFlow.Capture.PcapNgWriter(File.Create(path), "HttpsFlow test");
        int id = w.AddInterface(1, "lo");
        const int tcp = 14 + 20; // Ethernet and a 20-byte IPv4 header
        for (int k = 0; k < copies; k++)
        {
            ushort port = (ushort)(10000 + k);
            foreach (var (time, data) in packets)
            {
                var copy = (byte[])data.Clone();
                int at = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(tcp)) == 56536 ? tcp : tcp + 2;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(at), port);
                w.WritePacket(id, new HttpsFlow.Common.Timestamp(time.Seconds + k / 100, time.Nanoseconds + (k % 100) * 1_000_000), copy, copy.Length);
            }
        }
        return path;
    }

    [Fact]
    public async Task AReportOf100000PacketsOpensInUnder3Seconds()
    {
        const string chromium = "/usr/bin/chromium";
        if (!File.Exists(chromium)) return;
        string small = RepeatTestSite(Path.Combine(_tmp.FullName, "small.pcapng"), 667);
        string large = RepeatTestSite(Path.Combine(_tmp.FullName, "large.pcapng"), 6667);
        string smallReport = Path.Combine(_tmp.FullName, "small.html"), largeReport = Path.Combine(_tmp.FullName, "large.html");
        // Packet trees are capped (--packet-trees, 2000 by default): without them the size must scale with the capture.
        Assert.Equal(0, Repo.Run("report", small, "-o", smallReport, "--packet-trees", "0", "--trust", Path.Combine(Repo.Samples, "pki", "root.pem")).Exit);
        Assert.Equal(0, Repo.Run("report", large, "-o", largeReport, "--packet-trees", "0", "--trust", Path.Combine(Repo.Samples, "pki", "root.pem")).Exit);
        // Linear growth: ten times the connections, ten times the bytes (within 15%).
        double ratio = (double)new FileInfo(largeReport).Length / new FileInfo(smallReport).Length;
        Assert.InRange(ratio, 8.5, 11.5);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await page.GotoAsync(new Uri(largeReport).AbsoluteUri);
        await page.WaitForSelectorAsync("body[data-ready='1']");
        clock.Stop();
        output.WriteLine($"10,005 packets: {new FileInfo(smallReport).Length:N0} bytes; 100,005 packets: {new FileInfo(largeReport).Length:N0} bytes, opened in {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"opened in {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal("1 / 134", (await page.Locator("#pager").TextContentAsync())!.Trim(' ', '‹', '›'));
        Assert.Equal(15, await page.Locator("#diagram .arrow").CountAsync());

        // With the default 2,000 packet trees the large report still opens in time.
        string withTrees = Path.Combine(_tmp.FullName, "large-trees.html");
        Assert.Equal(0, Repo.Run("report", large, "-o", withTrees, "--trust", Path.Combine(Repo.Samples, "pki", "root.pem")).Exit);
        var page2 = await browser.NewPageAsync();
        clock.Restart();
        await page2.GotoAsync(new Uri(withTrees).AbsoluteUri);
        await page2.WaitForSelectorAsync("body[data-ready='1']");
        clock.Stop();
        output.WriteLine($"with 2,000 packet trees: {new FileInfo(withTrees).Length:N0} bytes, opened in {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"opened in {clock.Elapsed.TotalSeconds:0.00} s");
    }
}
