using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Golden;

/// <summary>
/// `httpsflow list` against tshark, run live, on the public captures in ../shared/corpus (Zeek, Arkime, Suricata,
/// FoxIO, …). They are not part of this repository; these tests run only where that folder and tshark exist.
/// </summary>
public class CorpusListTests
{
    public static TheoryData<string> Captures() => Repo.CorpusCaptures();

    [Theory]
    [MemberData(nameof(Captures))]
    public void ListEqualsTsharkOnCorpus(string capture)
    {
        if (capture == Repo.CorpusAbsent || Repo.Corpus is null) return;
        string path = Path.Combine(Repo.Corpus, capture);
        string? tshark = Repo.Tshark("-n", "-r", path);
        if (tshark is null) return; // tshark not installed: nothing to compare with
        var expected = ListComparison.Lines(tshark);
        var (exit, stdout, stderr) = Repo.Run("list", path);
        var ours = ListComparison.Lines(stdout);
        // Some dissectors (IRC, FTP…) put line breaks inside Info; compare only captures whose lines tshark keeps single.
        if (expected.Length > 0 && expected.Length != ours.Length && !expected.All(l => char.IsWhiteSpace(l[0]) || char.IsDigit(l[0])))
            return;
        var diffs = ListComparison.Differences(expected, ours, out _);
        // Here the TCP layer is held to tshark: lines both tools show as TCP, with no mark of a protocol above TCP
        // (the TLS lines are compared on the bundled samples; the TLS layer's own tests compare its Info text with
        // tshark on these captures).
        var tcpDiffs = diffs.Where(d =>
        {
            var lines = d.Split('\n');
            return lines.Length >= 3 && lines[1].Contains(" TCP ") && lines[2].Contains(" TCP ")
                && !lines[1].Contains("reassembled PDU") && !lines[2].Contains("reassembled PDU");
        }).ToList();
        Assert.True(tcpDiffs.Count == 0, $"exit {exit} {stderr}\n{tcpDiffs.Count} TCP differences:\n" + string.Join('\n', tcpDiffs.Take(10)));
    }
}
