using HttpsFlow.Decryption;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Decryption;

/// <summary>
/// Public captures with secrets (../shared/corpus, when present): every TLS connection decrypts and both Finished
/// check, and the first client data is what tshark shows there.
/// </summary>
public class CorpusDecryptionTests
{
    public static TheoryData<string, string?, string> Cases => new()
    {
        { "illustrated-tls12/captures/capture.pcap", "illustrated-tls12/captures/keylog.txt", "ping" },
        { "illustrated-tls13/captures/capture.pcap", "illustrated-tls13/captures/keylog.txt", "ping" },
        { "zeek/testing/btest/Traces/tls/tls12-decryption.pcap", "derived/zeek/tls12-decryption.nss-keylog.txt", "GET " },
        { "zeek/testing/btest/Traces/tls/tls-1.2-stream-keylog.pcap", "derived/zeek/tls-1.2-stream-keylog.nss-keylog.txt", "GET " },
        { "ja4/pcap/http2-with-cookies.pcapng", null, "PRI * HTTP/2.0" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Corpus_capture_decrypts(string capture, string? keys, string start)
    {
        if (Repo.Corpus is not { } corpus) return;
        var keyLog = keys is null ? new KeyLog() : KeyLog.Load(Path.Combine(corpus, keys));
        var run = DecryptionRun.Of(Path.Combine(corpus, capture), keyLog);
        var decrypted = run.Sessions.Where(s => s.Status == DecryptionStatus.Decrypted).ToList();
        Assert.NotEmpty(decrypted);
        foreach (var s in decrypted)
        {
            Assert.Equal(0, s.RecordsFailed);
            Assert.Equal(0, s.FinishedMismatches);
        }
        Assert.All(decrypted.Where(s => s.FirstClientData is not null),
            s => Assert.StartsWith(start, System.Text.Encoding.Latin1.GetString(s.FirstClientData!)));
    }
}
