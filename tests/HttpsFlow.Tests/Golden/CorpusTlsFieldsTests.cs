using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Golden;

/// <summary>
/// Every TLS and X.509 field (and frame.protocols and the expert notes) of `httpsflow fields` against `tshark -T fields`, run live, cell by
/// cell, on the TLS captures of ../shared/corpus. Runs only where that folder and tshark exist. Cells may differ only
/// where <see cref="KnownDifferences"/> says so, with the reason, and every field it lists must still differ somewhere.
/// </summary>
public class CorpusTlsFieldsTests
{
    /// <summary>(capture, fields that may differ in it, reason). Everything else must be equal.</summary>
    private static readonly (string Capture, string Fields, string Reason)[] KnownDifferences = CorpusTlsKnownDifferences.All;

    public static TheoryData<string> Captures() => Repo.CorpusCaptures();

    [Theory]
    [MemberData(nameof(Captures))]
    public void TlsFieldsEqualTsharkOnCorpus(string capture)
    {
        if (capture == Repo.CorpusAbsent || Repo.Corpus is null) return;
        string path = Path.Combine(Repo.Corpus, capture);
        var (listExit, list, _) = Repo.Run("fields", "--list");
        Assert.Equal(0, listExit);
        var fields = list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0])
            .Where(n => n.Split('.')[0] is "tls" or "x509af" or "x509if" or "x509sat" or "x509ce" or "pkcs1" or "pkix1implicit")
            .Append("frame.protocols")
            .Concat(["_ws.expert", "_ws.expert.message", "_ws.expert.group", "_ws.expert.severity", "_ws.malformed"]).ToArray();
        const string sep = "\u001f"; // certificate strings may hold tabs and commas
        var args = new List<string> { "-n", "-r", path, "-T", "fields", "-E", "separator=" + sep };
        foreach (var f in fields) { args.Add("-e"); args.Add(f); }
        string? tshark = Repo.Tshark([.. args]);
        if (tshark is null) return; // tshark not installed
        var expected = tshark.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (!expected.Any(l => l.Split(sep[0])[0] != "")) return; // no TLS in this capture
        var ours = new List<string> { "fields", path, "-E", "separator=" + sep };
        foreach (var f in fields) { ours.Add("-e"); ours.Add(f); }
        var (exit, stdout, stderr) = Repo.Run([.. ours]);
        Assert.True(exit == 0, stderr);
        var got = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var known = KnownDifferences.Where(k => k.Capture == capture).SelectMany(k => k.Fields.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet();
        int protocols = Array.IndexOf(fields, "frame.protocols");
        var diffs = new List<string>();
        var differing = new HashSet<string>();
        for (int row = 0; row < expected.Length; row++)
        {
            var t = expected[row].Split(sep[0]);
            var o = row < got.Length ? got[row].Split(sep[0]) : [];
            // TLS inside QUIC (UDP) is not HttpsFlow's yet: only packets tshark carries over TCP are compared.
            if (protocols >= t.Length || !t[protocols].Contains(":tcp", StringComparison.Ordinal)) continue;
            for (int c = 0; c < fields.Length; c++)
            {
                string tv = c < t.Length ? t[c] : "", ov = c < o.Length ? o[c] : "";
                if (tv == ov) continue;
                differing.Add(fields[c]);
                if (known.Contains(fields[c]) || known.Contains("*")) continue;
                diffs.Add($"frame {row + 1} {fields[c]}: tshark '{Cut(tv)}', httpsflow '{Cut(ov)}'");
            }
        }
        Assert.True(diffs.Count == 0, $"{diffs.Count} cells differ:\n" + string.Join('\n', diffs.Take(20)));
        // The list stays exact: a field listed as differing that no longer differs is taken off it.
        var stale = known.Where(k => k != "*" && !differing.Contains(k)).Order().ToList();
        Assert.True(stale.Count == 0, $"listed as differing but equal to tshark now (narrow {nameof(CorpusTlsKnownDifferences)}): {string.Join(' ', stale)}");
    }

    private static string Cut(string s) => s.Length > 120 ? s[..120] + "…" : s;
}
