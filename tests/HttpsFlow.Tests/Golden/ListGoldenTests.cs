using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Golden;

/// <summary>
/// `httpsflow list` against tshark's own output for every bundled sample (tests/golden/*.list.txt, written by
/// tests/golden/make-golden.sh with the tshark version in tests/golden/TSHARK_VERSION).
/// </summary>
public class ListGoldenTests
{
    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Repo.Golden, "*.list.txt").Order())
            data.Add(Path.GetFileName(file)[..^".list.txt".Length]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void ListEqualsTshark(string sample)
    {
        var expected = ListComparison.Lines(File.ReadAllText(Path.Combine(Repo.Golden, sample + ".list.txt")));
        var (exit, stdout, stderr) = Repo.Run("list", Path.Combine(Repo.Samples, sample));
        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        var ours = ListComparison.Lines(stdout);
        var diffs = ListComparison.Differences(expected, ours, out int exact);
        Assert.True(diffs.Count == 0, $"{diffs.Count} differences:\n" + string.Join('\n', diffs.Take(20)));
        Assert.True(exact > 0, "no line was compared whole");
    }

    [Fact]
    public void EverySampleHasAGoldenFile()
    {
        var captures = Directory.EnumerateFiles(Repo.Samples)
            .Where(f => f.EndsWith(".pcap") || f.EndsWith(".pcapng") || f.EndsWith(".pcap.gz"))
            .Select(Path.GetFileName)
            .Order()
            .ToList();
        Assert.NotEmpty(captures);
        foreach (var c in captures)
            Assert.True(File.Exists(Path.Combine(Repo.Golden, c + ".list.txt")), $"{c} has no tests/golden/{c}.list.txt");
    }
}
