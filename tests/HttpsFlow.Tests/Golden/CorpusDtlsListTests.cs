using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Golden;

/// <summary>
/// `httpsflow list` against tshark, run live, on the public captures of ../shared/corpus that carry DTLS: every line
/// equal (for the Arkime capture that mixes many protocols, every line tshark shows as DTLS). They run only where that
/// folder and tshark exist.
/// </summary>
public class CorpusDtlsListTests
{
    public static TheoryData<string> Captures() =>
    [
        "zeek/testing/btest/Traces/tls/dtls1_0.pcap",
        "zeek/testing/btest/Traces/tls/dtls1_2.pcap",
        "zeek/testing/btest/Traces/tls/dtls13-cid.pcap",
        "zeek/testing/btest/Traces/tls/dtls13-wolfssl.pcap",
        "zeek/testing/btest/Traces/tls/dtls-sequence-number-jumps.pcap",
        "zeek/testing/btest/Traces/tls/webrtc-stun.pcap",
        "zeek/testing/btest/Traces/quic/quicdoq.pcap",
        "arkime/tests/pcap/wireshark-dtls12.pcap",
        "arkime/tests/pcap/cloudshark-dtls1.pcap",
        "arkime/tests/pcap/arkime_synthetic.pcap",
    ];

    /// <summary>Captures whose other lines name protocols HttpsFlow does not dissect (STUN, DNS, HTTP…).</summary>
    private static readonly HashSet<string> DtlsLinesOnly =
    [
        "zeek/testing/btest/Traces/tls/webrtc-stun.pcap",
        "arkime/tests/pcap/cloudshark-dtls1.pcap",
        "arkime/tests/pcap/arkime_synthetic.pcap",
    ];

    [Theory]
    [MemberData(nameof(Captures))]
    public void DtlsLinesEqualTshark(string capture)
    {
        if (Repo.Corpus is null) return;
        string path = Path.Combine(Repo.Corpus, capture);
        if (!File.Exists(path)) return;
        string? tshark = Repo.Tshark("-n", "-r", path);
        if (tshark is null) return; // tshark not installed: nothing to compare with
        var expected = ListComparison.Lines(tshark);
        var (exit, stdout, stderr) = Repo.Run("list", path);
        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        var ours = ListComparison.Lines(stdout);
        Assert.Equal(expected.Length, ours.Length);
        int dtls = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            bool isDtls = ListComparison.Split(ListComparison.Fold(expected[i])).Protocol.StartsWith("DTLS", StringComparison.Ordinal);
            if (isDtls) dtls++;
            if (!isDtls && DtlsLinesOnly.Contains(capture)) continue;
            Assert.True(expected[i] == ours[i], $"line {i + 1}:\n  tshark:    {expected[i]}\n  httpsflow: {ours[i]}");
        }
        Assert.True(dtls > 0, "tshark shows no DTLS line");
    }
}
