using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Golden;

/// <summary>
/// The public captures of ../shared/corpus that come with their keys (a key log beside them, or secrets embedded in
/// the pcapng), read with those keys by HttpsFlow and by tshark, live: every line tshark shows for TCP, TLS, HTTP or
/// HTTP/2 must be equal, and so must the decrypted TLS, HTTP and HTTP/2 fields. Runs only where the corpus exists.
/// </summary>
public class CorpusDecryptedTests
{
    /// <summary>Capture and key log (null: secrets embedded), relative to the corpus.</summary>
    private static readonly (string Capture, string? KeyLog)[] WithKeys =
    [
        ("ja4/pcap/http2-with-cookies.pcapng", null),
        ("ja4/pcap/chrome-cloudflare-quic-with-secrets.pcapng", null),
        ("zeek/testing/btest/Traces/tls/tls12-decryption.pcap", "derived/zeek/tls12-decryption.nss-keylog.txt"),
        ("zeek/testing/btest/Traces/tls/tls-1.2-stream-keylog.pcap", "derived/zeek/tls-1.2-stream-keylog.nss-keylog.txt"),
        ("illustrated-tls12/captures/capture.pcap", "illustrated-tls12/captures/keylog.txt"),
        ("illustrated-tls13/captures/capture.pcap", "illustrated-tls13/captures/keylog.txt"),
    ];

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var (capture, _) in WithKeys) data.Add(capture);
        return data;
    }

    private static readonly string[] Fields =
    [
        "frame.number", "tls.record.content_type", "tls.record.opaque_type", "tls.handshake.type", "tls.handshake.length",
        "tls.handshake.verify_data", "tls.alert_message.desc", "tls.app_data_proto",
        "http.request.method", "http.request.uri", "http.request.version", "http.host", "http.user_agent", "http.response.code",
        "http.response.phrase", "http.content_type", "http.content_length_header",
        "http2.type", "http2.streamid", "http2.flags", "http2.length", "http2.header.name", "http2.header.value",
        "http2.headers.method", "http2.headers.path", "http2.headers.status", "http2.headers.authority", "http2.settings.id",
        "http2.window_update.window_size_increment", "frame.protocols",
    ];

    private static (string Path, string[] TsharkKeys, string[] OurKeys)? Locate(string capture)
    {
        if (Repo.Corpus is null) return null;
        var (_, keyLog) = WithKeys.Single(k => k.Capture == capture);
        string path = Path.Combine(Repo.Corpus, capture);
        if (!File.Exists(path)) return null;
        if (keyLog is null) return (path, [], []);
        string keys = Path.Combine(Repo.Corpus, keyLog);
        return (path, ["-o", "tls.keylog_file:" + keys], ["--keylog", keys]);
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void DecryptedListEqualsTsharkOnCorpus(string capture)
    {
        if (Locate(capture) is not var (path, tsharkKeys, ourKeys)) return;
        string? tshark = Repo.Tshark(["-n", "-r", path, .. tsharkKeys]);
        if (tshark is null) return; // tshark not installed
        var (exit, stdout, stderr) = Repo.Run(["list", .. ourKeys, path]);
        Assert.True(exit == 0, stderr);
        var expected = tshark.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var ours = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Length, ours.Length);
        var diffs = new List<string>();
        int compared = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            string protocol = ListComparison.Split(ListComparison.Fold(expected[i])).Protocol;
            // QUIC, UDP and the rest are outside decryption over TCP; their lines are the plain list test's.
            if (!(protocol is "TCP" or "HTTP" or "HTTP2" || protocol.StartsWith("TLS", StringComparison.Ordinal)
                  || protocol.StartsWith("HTTP/", StringComparison.Ordinal))) continue;
            compared++;
            if (expected[i] != ours[i]) diffs.Add($"tshark:    {expected[i]}\nhttpsflow: {ours[i]}");
        }
        Assert.True(diffs.Count == 0, $"{diffs.Count} lines differ:\n" + string.Join('\n', diffs.Take(10)));
        Assert.True(compared > 0);
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void DecryptedFieldsEqualTsharkOnCorpus(string capture)
    {
        if (Locate(capture) is not var (path, tsharkKeys, ourKeys)) return;
        var args = new List<string> { "-n", "-r", path };
        args.AddRange(tsharkKeys);
        args.AddRange(["-T", "fields"]);
        foreach (var f in Fields) { args.Add("-e"); args.Add(f); }
        string? tshark = Repo.Tshark([.. args]);
        if (tshark is null) return;
        var ours = new List<string> { "fields" };
        ours.AddRange(ourKeys);
        ours.Add(path);
        foreach (var f in Fields) { ours.Add("-e"); ours.Add(f); }
        var (exit, stdout, stderr) = Repo.Run([.. ours]);
        Assert.True(exit == 0, stderr);
        var expected = tshark.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var got = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Length, got.Length);
        var diffs = new List<string>();
        for (int row = 0; row < expected.Length; row++)
        {
            var t = expected[row].Split('\t');
            var o = got[row].Split('\t');
            if (!t[^1].Contains(":tcp", StringComparison.Ordinal)) continue; // TLS over TCP only (not QUIC)
            for (int c = 0; c < Fields.Length - 1; c++) // frame.protocols: see DecryptedGoldenTests
            {
                string tv = c < t.Length ? t[c] : "", ov = c < o.Length ? o[c] : "";
                if (tv != ov) diffs.Add($"frame {row + 1} {Fields[c]}: tshark '{Cut(tv)}', httpsflow '{Cut(ov)}'");
            }
        }
        Assert.True(diffs.Count == 0, $"{diffs.Count} cells differ:\n" + string.Join('\n', diffs.Take(20)));
    }

    private static string Cut(string s) => s.Length > 120 ? s[..120] + "…" : s;
}
