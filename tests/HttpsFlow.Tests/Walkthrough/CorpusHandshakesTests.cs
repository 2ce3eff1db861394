using HttpsFlow.Tests.TestSupport;
using Xunit.Abstractions;

namespace HttpsFlow.Tests.Walkthrough;

/// <summary>
/// `httpsflow handshakes` on the public captures in ../shared/corpus (run only where that folder and tshark exist):
/// every TLS connection over TCP against tshark, run live.
/// </summary>
public class CorpusHandshakesTests(ITestOutputHelper output)
{
    /// <summary>Captures where we knowingly differ from tshark, and why.</summary>
    public static readonly Dictionary<string, string> KnownDifferences = new()
    {
        ["arkime/tests/pcap/arkime_synthetic.pcap"] = "stream 97's ServerHello has an empty supported_versions extension; "
            + "tshark reads a version (0x002c) from the bytes after it, we keep legacy_version (TLS 1.2)",
        ["arkime/tests/pcap/socks-https-example.pcap"] = "tshark numbers the three SOCKS connections tcp.stream 0, 2, 4 (its "
            + "SOCKS dissector takes a stream number per connection), we number them 0, 1, 2; the facts agree connection by connection",
        ["ja4/pcap/socks-https-example.pcap"] = "the same capture as arkime's socks-https-example.pcap",
        ["zeek/testing/btest/Traces/tls/irc-starttls.pcap"] = "tshark 4.0 does not follow IRC's STARTTLS, so it sees no TLS; "
            + "we recognise the TLS records after the upgrade",
        ["zeek/testing/btest/Traces/tls/ssl-v2.pcap"] = "an SSL 2.0 SERVER-HELLO: tshark lists it as handshake type 2 with no "
            + "tls.handshake.version or cipher suite; we record no ServerHello for SSL 2.0",
    };

    /// <summary>Every capture of the corpus, in path order.</summary>
    public static IEnumerable<string> CorpusCaptures(string corpus) =>
        Directory.EnumerateFiles(corpus, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".pcap") || f.EndsWith(".pcapng") || f.EndsWith(".pcap.gz") || f.EndsWith(".cap"))
            .Order(StringComparer.Ordinal);

    [Fact]
    public void HelloFactsAgreeWithTsharkOnCorpus()
    {
        if (Repo.Corpus is not { } corpus) return;
        int captures = 0, connections = 0, equal = 0;
        var failures = new List<string>();
        foreach (var path in CorpusCaptures(corpus))
        {
            string capture = Path.GetRelativePath(corpus, path);
            string? tsv = Repo.Tshark("-n", "-r", path, "-Y", "tcp && (tls.handshake.type == 1 || tls.handshake.type == 2)",
                "-T", "fields", "-E", "header=y", "-E", "separator=/t", "-e", "tcp.stream", "-e", "tls.handshake.type",
                "-e", "tls.handshake.version", "-e", "tls.handshake.extensions.supported_version", "-e", "tls.handshake.ciphersuite",
                "-e", "tls.handshake.extensions_server_name", "-e", "tls.handshake.extensions_alpn_str", "-e", "tls.handshake.random");
            if (tsv is null) return; // tshark not installed
            var tshark = HandshakeFacts.FromTshark(tsv);
            var (_, stdout, _) = Repo.Run("handshakes", path, "--format", "json");
            int start = stdout.IndexOf('[');
            var ours = start < 0 ? [] : HandshakeFacts.FromJson(stdout[start..]);
            if (tshark.Count == 0 && ours.Count == 0) continue;
            captures++;
            var diffs = HandshakeFacts.Differences(tshark, ours);
            connections += tshark.Keys.Union(ours.Keys).Count();
            equal += tshark.Keys.Union(ours.Keys).Count() - diffs.Count;
            if (diffs.Count > 0 && !KnownDifferences.ContainsKey(capture))
                failures.Add(capture + ":\n  " + string.Join("\n  ", diffs.Take(5)));
        }
        output.WriteLine($"{captures} captures, {connections} TLS connections compared with tshark, {equal} equal");
        Assert.True(failures.Count == 0, $"{failures.Count} captures differ from tshark:\n" + string.Join('\n', failures));
    }
}
