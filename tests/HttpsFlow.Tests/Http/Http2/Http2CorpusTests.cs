using HttpsFlow.Capture;
using HttpsFlow.Decryption;
using HttpsFlow.Http.Http2;
using HttpsFlow.Pipeline;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tls;

namespace HttpsFlow.Tests.Http.Http2;

/// <summary>
/// A real HTTP/2 connection (FoxIO's http2-with-cookies.pcapng from ../shared/corpus, Chrome to youtube.com, decrypted
/// from the capture's own secrets): every HEADERS frame is decoded as tshark decodes it (frame, stream, header count,
/// :method, :path, :status; tests/golden/http2), with Huffman strings and a dynamic table that evolves over the whole
/// connection, and nothing is noted.
/// </summary>
public class Http2CorpusTests
{
    private sealed class Feeder : IDecryptedSink
    {
        public readonly Dictionary<TlsSession, Http2Connection> Connections = [];
        public readonly RecordingSink Sink = new();
        public readonly List<string> Headers = [];
        private readonly HeaderSink _headers;

        public Feeder() => _headers = new HeaderSink(this);

        public void OnPlaintext(in DecryptedRecord record)
        {
            if (record.ContentType != TlsContentType.ApplicationData) return;
            if (!Connections.TryGetValue(record.Session, out var c))
            {
                if (!record.FromClient || !record.Plaintext.StartsWith("PRI * HTTP/2.0"u8)) return;
                Connections[record.Session] = c = new Http2Connection(_headers);
            }
            c.Feed(record.FromClient, record.Plaintext, record.Frame);
        }

        private sealed class HeaderSink(Feeder owner) : IHttp2Sink
        {
            public void OnFrame(in Http2FrameEvent e)
            {
                owner.Sink.OnFrame(e);
                if (e.Headers is not { } h || e.Header.FrameType != Http2FrameType.Headers) return;
                Assert.Equal(HpackBlockStatus.Ok, h.Status);
                // tshark's header count counts a dynamic table size update as one.
                owner.Headers.Add(string.Join('\t', e.Frame, e.Header.StreamId, h.Count + h.SizeUpdates.Length,
                    h.GetString(":method"u8) ?? "", h.GetString(":path"u8) ?? "", h.GetString(":status"u8) ?? ""));
            }

            public void OnNote(in Http2NoteEvent note) => owner.Sink.OnNote(note);
        }
    }

    [Fact]
    public void HeadersAreTsharks()
    {
        if (Repo.Corpus is not { } corpus) return;
        var feeder = new Feeder();
        var decryptor = new TlsDecryptor(new KeyLog()) { Sink = feeder };
        using (var reader = CaptureReader.Open(Path.Combine(corpus, "ja4", "pcap", "http2-with-cookies.pcapng")))
        {
            decryptor.UseSecretsOf(reader);
            var dissector = new Dissector { TlsObserver = decryptor };
            while (dissector.Next(reader) is not null)
            {
            }
        }
        var expected = File.ReadAllLines(Path.Combine(Repo.Root, "tests", "golden", "http2", "http2-with-cookies.headers.tsv"))
            .Where(l => !l.StartsWith('#')).ToList();
        Assert.Single(feeder.Connections);
        Assert.Equal(expected, feeder.Headers);
        Assert.Empty(feeder.Sink.Notes.Select(n => n.Note.ToString()));
        var c = feeder.Connections.Values.Single();
        Assert.True(c.PrefaceSeen);
        Assert.False(c.ClientDecoder.Failed);
        Assert.False(c.ServerDecoder.Failed);
        Assert.Equal("youtube.com", c.FindStream(1)!.Authority);
        Assert.Equal("301", c.FindStream(1)!.Status);
        Assert.Equal(65536, c.ServerDecoder.SettingsMaxTableSize); // the client's SETTINGS_HEADER_TABLE_SIZE
    }
}
