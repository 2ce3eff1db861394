using HttpsFlow.Fuzz;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Fuzz;

/// <summary>
/// Replays what fuzzing left behind through the fuzzing harnesses (fuzz/HttpsFlow.Fuzz/Harnesses.cs), without AFL:
/// every input that once crashed a harness (Fuzz/regressions/HARNESS, named after the bug), the seeds (fuzz/seeds)
/// and the minimised corpus the fuzzer grew from them (fuzz/corpus). None may throw.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static string Regressions => Path.Combine(Repo.Root, "tests", "HttpsFlow.Tests", "Fuzz", "regressions");

    public static TheoryData<string, string> RegressionInputs() => Inputs(Regressions);

    public static TheoryData<string, string> CorpusHarnesses()
    {
        var data = new TheoryData<string, string>();
        foreach (var h in Harnesses.Names)
            foreach (var root in new[] { "seeds", "corpus" })
                if (Directory.Exists(Path.Combine(Repo.Root, "fuzz", root, h))) data.Add(h, root);
        return data;
    }

    private static TheoryData<string, string> Inputs(string dir)
    {
        var data = new TheoryData<string, string>();
        foreach (var h in Harnesses.Names)
        {
            var d = Path.Combine(dir, h);
            if (!Directory.Exists(d)) continue;
            foreach (var f in Directory.GetFiles(d).Order()) data.Add(h, Path.GetFileName(f));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(RegressionInputs))]
    public void RegressionDoesNotThrow(string harness, string input) =>
        Harnesses.Find(harness)!(File.ReadAllBytes(Path.Combine(Regressions, harness, input)));

    [Theory]
    [MemberData(nameof(CorpusHarnesses))]
    public void CorpusDoesNotThrow(string harness, string root)
    {
        var run = Harnesses.Find(harness)!;
        var files = Directory.GetFiles(Path.Combine(Repo.Root, "fuzz", root, harness)).Order().ToList();
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            try
            {
                run(File.ReadAllBytes(f));
            }
            catch (Exception e)
            {
                Assert.Fail($"{Path.GetRelativePath(Repo.Root, f)}: {e}");
            }
        }
    }
}
