using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Walkthrough;

/// <summary>`explain` on decrypted HTTP/2: the first request and response are told from their HEADERS frames.</summary>
public class Http2NarrationTests
{
    [Theory]
    [InlineData("en", "sends a HEADERS frame on stream 1 asking for “GET /test.html”", ":status is 200", "The page it returns is just “test”.")]
    [InlineData("zh", "再在流 1 上用一个 HEADERS 帧请求“GET /test.html”", ":status 为 200", "返回的页面内容只有“test”。")]
    public void TheFirstRequestAndResponseAreReadFromHeadersFrames(string lang, string request, string status, string body)
    {
        var (exit, stdout, stderr) = Repo.Run("explain", Path.Combine(Repo.Samples, "http", "h2-get.pcapng"),
            "--keylog", Path.Combine(Repo.Samples, "http", "h2-get.keys"), "--lang", lang, "--width", "400", "--color", "never");
        Assert.True(exit == 0, stderr);
        Assert.Contains(request, stdout);
        Assert.Contains(status, stdout);
        Assert.Contains(body, stdout);
    }

    [Fact]
    public void WithoutKeysNothingIsClaimedAboutHttp2()
    {
        var (exit, stdout, _) = Repo.Run("explain", Path.Combine(Repo.Samples, "http", "h2-get.pcapng"), "--color", "never");
        Assert.Equal(0, exit);
        Assert.DoesNotContain("HEADERS frame", stdout);
    }
}
