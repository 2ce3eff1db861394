using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Golden;

/// <summary>
/// `httpsflow list` against tshark's own output (`tshark -n -r`) for every bundled sample, DTLS sample and edge-case
/// capture (tests/golden/*.list.txt, tests/golden/dtls/*.list.txt and tests/edge/golden/*.list.txt, written by
/// tests/golden/make-golden.sh with the tshark version in tests/golden/TSHARK_VERSION).
/// </summary>
public class ListGoldenTests
{
    /// <summary>(folder of captures, folder of tshark outputs) pairs, relative to the repository root.</summary>
    private static readonly (string Captures, string Golden)[] Sets =
    [
        ("samples", "tests/golden"),
        ("samples/dtls", "tests/golden/dtls"),
        ("tests/edge", "tests/edge/golden"),
    ];

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var (captures, golden) in Sets)
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Repo.Root, golden), "*.list.txt").Order())
                data.Add(captures + "/" + Path.GetFileName(file)[..^".list.txt".Length]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void ListEqualsTshark(string capture)
    {
        var set = Sets.Single(s => capture.StartsWith(s.Captures + "/", StringComparison.Ordinal) && !capture[(s.Captures.Length + 1)..].Contains('/'));
        string name = capture[(set.Captures.Length + 1)..];
        var expected = ListComparison.Lines(File.ReadAllText(Path.Combine(Repo.Root, set.Golden, name + ".list.txt")));
        var (exit, stdout, stderr) = Repo.Run("list", Path.Combine(Repo.Root, capture));
        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        var ours = ListComparison.Lines(stdout);
        var diffs = ListComparison.Differences(expected, ours, out int exact, ColumnsOnly(capture, expected));
        Assert.True(diffs.Count == 0, $"{diffs.Count} differences:\n" + string.Join('\n', diffs.Take(20)));
        Assert.NotEmpty(expected);
        if (set.Captures.StartsWith("samples", StringComparison.Ordinal)) Assert.True(exact > 0, "no line was compared whole");
    }

    /// <summary>Lines where HttpsFlow knowingly differs (only their columns are compared): none today.</summary>
    private static Func<int, string, bool>? ColumnsOnly(string capture, string[] _) => null;

    [Fact]
    public void EveryCaptureHasAGoldenFile()
    {
        foreach (var (captures, golden) in Sets)
        {
            var files = Directory.EnumerateFiles(Path.Combine(Repo.Root, captures))
                .Where(f => f.EndsWith(".pcap") || f.EndsWith(".pcapng") || f.EndsWith(".pcap.gz"))
                .Select(Path.GetFileName)
                .ToList();
            Assert.NotEmpty(files);
            foreach (var c in files)
                Assert.True(File.Exists(Path.Combine(Repo.Root, golden, c + ".list.txt")), $"{captures}/{c} has no {golden}/{c}.list.txt");
        }
    }
}
