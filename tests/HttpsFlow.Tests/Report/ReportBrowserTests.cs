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
