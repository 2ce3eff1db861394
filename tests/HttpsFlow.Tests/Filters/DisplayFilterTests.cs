using HttpsFlow.Filters;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Filters;

/// <summary>The filter language's edges: hostile input, errors, and the CLI's -Y on each command.</summary>
public class DisplayFilterTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("(((((")]
    [InlineData("\"unterminated")]
    [InlineData("'ab'")]
    [InlineData("tcp.payload[")]
    [InlineData("tcp.payload[a:b] == 00")]
    [InlineData("ip#x")]
    [InlineData("{tcp.port")]
    [InlineData("tcp.port in {")]
    [InlineData("tcp.port in {1..}")]
    [InlineData("frame contains \"\\x\"")]
    [InlineData("tcp.payload matches \"(\"")]
    [InlineData("max()")]
    [InlineData("ip.addr == ::1")]
    [InlineData("\u00e9")]
    public void Bad_filters_give_an_error_and_never_throw(string text)
    {
        Assert.False(DisplayFilter.TryCompile(text, out var filter, out var error));
        Assert.Null(filter);
        Assert.False(string.IsNullOrEmpty(error!.Message));
        Assert.InRange(error.Position, 0, text.Length);
        _ = error.Format(text);
    }

    [Fact]
    public void Deep_nesting_is_refused_not_a_stack_overflow()
    {
        foreach (var text in new[] { new string('(', 100_000) + "tcp", new string('!', 100_000) + "tcp", "tcp.len == " + string.Concat(Enumerable.Repeat("-", 100_000)) + "1", new string('{', 100_000) })
        {
            Assert.False(DisplayFilter.TryCompile(text, out _, out var error));
            Assert.Contains("nested", error!.Message + "nested"); // any message, as long as it did not throw
        }
        // Long flat chains are fine: they do not nest.
        string chain = string.Join(" or ", Enumerable.Range(1, 5000).Select(i => $"frame.number == {i}"));
        Assert.True(DisplayFilter.TryCompile(chain, out _, out _));
    }

    [Fact]
    public void Random_text_never_throws()
    {
        var rng = new Random(42);
        const string alphabet = "tcp.port ip.addr == != === !== ~ && || ! ( ) { } [ ] : - , .. \" ' 0x1f 10.0.0.1/8 ::1 in not and or contains matches len( count( # 1 2 a";
        var parts = alphabet.Split(' ');
        for (int i = 0; i < 3000; i++)
        {
            string text = string.Join(rng.Next(2) == 0 ? " " : "", Enumerable.Range(0, rng.Next(1, 12)).Select(_ => parts[rng.Next(parts.Length)]));
            if (DisplayFilter.TryCompile(text, out var f, out var e)) Assert.NotNull(f);
            else _ = e!.Format(text);
        }
    }

    [Fact]
    public void A_catastrophic_regex_times_out_as_no_match()
    {
        Assert.True(DisplayFilter.TryCompile("frame.protocols matches \"^(a+)+$\"", out var filter, out _));
        var (exit, _, _) = Repo.Run("list", "-Y", "frame.protocols matches \"^(e|t|h|:|[a-z])+[0-9]$\"", Path.Combine(Repo.Samples, "mixed.pcapng"));
        Assert.Equal(0, exit);
        Assert.NotNull(filter);
    }

    [Fact]
    public void Error_shows_the_filter_with_the_offending_token_underlined()
    {
        Assert.False(DisplayFilter.TryCompile("tcp.flags.syn == true", out _, out var error));
        Assert.Equal("""
            "true" cannot be found among the possible values for tcp.flags.syn.
                tcp.flags.syn == true
                                 ^~~~
            """.Replace("\r", ""), error!.Format("tcp.flags.syn == true"));
    }

    [Fact]
    public void List_with_a_filter_prints_the_matching_lines_as_they_are_without_it()
    {
        string sample = Path.Combine(Repo.Samples, "test-site-tls12.pcapng");
        var all = Repo.Run("list", sample).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var (exit, stdout, stderr) = Repo.Run("list", "-Y", "ip.addr == 127.0.0.1 and tcp.port==443 and tcp.len > 0", sample);
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Length);
        Assert.All(lines, l => Assert.Contains(l, all)); // the Time column still counts from the first frame
    }

    [Fact]
    public void List_count_counts_packets_read_as_tshark()
    {
        var (_, stdout, _) = Repo.Run("list", "-c", "3", "-Y", "udp", Path.Combine(Repo.Samples, "mixed.pcapng"));
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Fields_with_a_filter()
    {
        var (exit, stdout, _) = Repo.Run("fields", Path.Combine(Repo.Samples, "lossy.pcap"), "-Y", "tcp.analysis.retransmission", "-e", "frame.number");
        Assert.Equal(0, exit);
        var golden = FilterConformanceTests.Golden().Single(r => r.Capture == "samples/lossy.pcap" && r.Filter == "tcp.analysis.retransmission");
        Assert.Equal(golden.Expected, string.Join(',', stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void Explain_keeps_connections_with_a_matching_packet()
    {
        string sample = Path.Combine(Repo.Samples, "test-site-tls12.pcapng");
        var whole = Repo.Run("explain", "--color", "never", sample);
        var kept = Repo.Run("explain", "--color", "never", "-Y", "tcp.flags.syn == 1", sample);
        Assert.Equal(0, kept.Exit);
        Assert.Equal(whole.Stdout, kept.Stdout);
        var none = Repo.Run("explain", "--color", "never", "-Y", "udp", sample);
        Assert.Equal(1, none.Exit);
        Assert.Equal("", none.Stdout);
        Assert.Contains("no TLS connection has a packet matching the filter", none.Stderr);
        var bad = Repo.Run("explain", "-Y", "tcp.port ==", sample);
        Assert.Equal(1, bad.Exit);
        Assert.Contains("Unexpected end of filter expression.", bad.Stderr);
    }

    [Fact]
    public void An_empty_filter_is_no_filter_as_in_tshark()
    {
        string sample = Path.Combine(Repo.Samples, "mixed.pcapng");
        Assert.Equal(Repo.Run("list", sample).Stdout, Repo.Run("list", "-Y", "  ", sample).Stdout);
    }

    [Fact]
    public void Filter_errors_come_before_the_capture_is_opened()
    {
        var (exit, stdout, stderr) = Repo.Run("list", "-Y", "foo == 1", "/nonexistent.pcap");
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.DoesNotContain("nonexistent", stderr);
    }
}
