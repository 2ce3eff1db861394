using HttpsFlow.Http.Http2;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Http.Http2;

/// <summary>
/// The hand-made seeds of the hpack and http2 fuzzing harnesses (fuzz/seeds) decode as they were meant to: the RFC
/// vectors and the clean conversations without a note, the bad ones with theirs. (FuzzCorpusTests replays them all
/// through the harnesses, whose checks must hold.)
/// </summary>
public class Http2FuzzSeedTests
{
    private static byte[] Seed(string harness, string name) => File.ReadAllBytes(Path.Combine(Repo.Root, "fuzz", "seeds", harness, name));

    [Theory]
    [InlineData("rfc7541-c2")]
    [InlineData("rfc7541-c3")]
    [InlineData("rfc7541-c4")]
    [InlineData("rfc7541-c5")]
    [InlineData("rfc7541-c6")]
    [InlineData("eviction")]
    public void RfcSeedsDecode(string name)
    {
        var data = Seed("hpack", name);
        var d = new HpackDecoder { SettingsMaxTableSize = data[0] * 256 };
        var list = new HpackHeaderList();
        int blocks = 0;
        for (int at = 1; at < data.Length;)
        {
            int n = data[at] << 8 | data[at + 1];
            Assert.Equal(HpackBlockStatus.Ok, d.Decode(data.AsSpan(at + 2, n), list));
            Assert.Empty(list.Notes);
            at += 2 + n;
            blocks++;
        }
        Assert.True(blocks >= 3);
    }

    [Theory]
    [InlineData("get", 0)]
    [InlineData("push", 0)]
    [InlineData("continuation", 0)]
    [InlineData("flow", 3)]
    [InlineData("malformed", 10)]
    public void ConversationSeedsGiveTheirFrames(string name, int notes)
    {
        var data = Seed("http2", name);
        var sink = new RecordingSink();
        var c = new Http2Connection(sink, HttpsFlow.Fuzz.Harnesses.FuzzHttp2Limits);
        long frame = 0;
        for (int at = 1; at < data.Length;)
        {
            int n = (data[at] & 0x7f) << 8 | data[at + 1];
            c.Feed((data[at] & 0x80) == 0, data.AsSpan(at + 2, n), ++frame);
            at += 2 + n;
        }
        Assert.True(c.PrefaceSeen);
        Assert.True(sink.Events.Count >= 6, string.Join("\n", sink.Events));
        Assert.True(notes == sink.Notes.Count, string.Join("\n", sink.Notes.Select(x => x.Note.ToString())));
        Assert.Equal(0, c.BufferedBytes);
    }
}
