using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Golden;

/// <summary>
/// `httpsflow conversations` against tshark's own TCP conversation table (`tshark -n -q -z conv,tcp -r`) for every
/// bundled sample and edge-case capture (tests/golden/*.conv-tcp.txt and tests/edge/golden/*.conv-tcp.txt, written by
/// tests/golden/make-golden.sh). The table must be equal character for character.
/// </summary>
public class ConversationsGoldenTests
{
    /// <summary>(folder of captures, folder of tshark outputs) pairs, relative to the repository root.</summary>
    private static readonly (string Captures, string Golden)[] Sets =
    [
        ("samples", "tests/golden"),
        ("tests/edge", "tests/edge/golden"),
    ];

    private const string Suffix = ".conv-tcp.txt";

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var (captures, golden) in Sets)
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Repo.Root, golden), "*" + Suffix).Order())
                data.Add(captures + "/" + Path.GetFileName(file)[..^Suffix.Length]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void ConversationsEqualTshark(string capture)
    {
        var set = Sets.Single(s => capture.StartsWith(s.Captures + "/", StringComparison.Ordinal) && !capture[(s.Captures.Length + 1)..].Contains('/'));
        string name = capture[(set.Captures.Length + 1)..];
        string expected = File.ReadAllText(Path.Combine(Repo.Root, set.Golden, name + Suffix));
        var (exit, stdout, stderr) = Repo.Run("conversations", Path.Combine(Repo.Root, capture));
        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        Assert.Equal(expected, stdout);
    }

    [Fact]
    public void EveryCaptureHasAConversationTable()
    {
        foreach (var (captures, golden) in Sets)
        {
            var files = Directory.EnumerateFiles(Path.Combine(Repo.Root, captures))
                .Where(f => f.EndsWith(".pcap") || f.EndsWith(".pcapng") || f.EndsWith(".pcap.gz"))
                .Select(Path.GetFileName)
                .ToList();
            Assert.NotEmpty(files);
            foreach (var c in files)
                Assert.True(File.Exists(Path.Combine(Repo.Root, golden, c + Suffix)), $"{captures}/{c} has no {golden}/{c}{Suffix}");
        }
    }

    [Fact]
    public void TheGoldenTablesHaveRows()
    {
        // Guards against golden files written by a tshark that failed: most captures have TCP connections.
        int rows = Sets.Sum(s => Directory.EnumerateFiles(Path.Combine(Repo.Root, s.Golden), "*" + Suffix)
            .Sum(f => File.ReadLines(f).Count(l => l.Contains(" <-> "))));
        Assert.True(rows >= 30, $"only {rows} rows in all golden tables");
    }
}

/// <summary>
/// `httpsflow conversations` against `tshark -n -q -z conv,tcp`, run live, on the public captures in ../shared/corpus.
/// They are not part of this repository; these tests run only where that folder and tshark exist.
/// </summary>
public class CorpusConversationsTests
{
    private const string Absent = "(../shared/corpus is not present)";

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        if (Repo.Corpus is { } dir)
        {
            foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                         .Where(f => f.EndsWith(".pcap") || f.EndsWith(".pcapng") || f.EndsWith(".pcap.gz") || f.EndsWith(".cap"))
                         .Order())
                data.Add(Path.GetRelativePath(dir, f));
        }
        if (data.Count == 0) data.Add(Absent);
        return data;
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void ConversationsEqualTsharkOnCorpus(string capture)
    {
        if (capture == Absent || Repo.Corpus is null) return;
        string path = Path.Combine(Repo.Corpus, capture);
        string? tshark = Repo.Tshark("-n", "-q", "-z", "conv,tcp", "-r", path);
        if (string.IsNullOrEmpty(tshark)) return; // tshark not installed, or it could not read the file
        var (exit, stdout, stderr) = Repo.Run("conversations", path);
        Assert.True(exit is 0 or 2, $"exit {exit}: {stderr}");
        Assert.Equal(tshark, stdout);
    }
}
