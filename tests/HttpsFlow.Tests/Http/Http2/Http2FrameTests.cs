using HttpsFlow.Http.Http2;
using static HttpsFlow.Tests.Http.Http2.H2;

namespace HttpsFlow.Tests.Http.Http2;

/// <summary>
/// Frames cut out of each direction's bytes however they arrive, the preface, and every frame type's payload decoded;
/// malformed payloads give notes and flagged frames, never exceptions.
/// </summary>
public class Http2FrameTests
{
    private static (Http2Connection Connection, RecordingSink Sink) New(Http2Limits? limits = null, bool notesInEvents = false)
    {
        var sink = new RecordingSink { KeepNotesInEvents = notesInEvents };
        return (new Http2Connection(sink, limits), sink);
    }

    private static byte[] ClientBytes() => Concat(
        Preface,
        Settings((1, 65536), (2, 0), (3, 1000), (4, 6291456), (6, 262144)),
        WindowUpdate(0, 15663105),
        Headers(1, Http2Flags.EndHeaders | Http2Flags.Priority | Http2Flags.EndStream, Concat([0x80, 0, 0, 0, 0xff], RequestBlock)),
        SettingsAck(),
        Frame(Http2FrameType.Ping, Http2Flags.Ack, 0, Hex("0102030405060708")),
        Headers(3, 0, RequestBlock[..5]),
        Frame(Http2FrameType.Continuation, 0, 3, RequestBlock[5..9]),
        Frame(Http2FrameType.Continuation, Http2Flags.EndHeaders, 3, RequestBlock[9..]),
        Data(3, Http2Flags.Padded | Http2Flags.EndStream, Concat([3], "body"u8.ToArray(), [0, 0, 0])),
        Frame(Http2FrameType.RstStream, 0, 3, U32(8)),
        Frame(Http2FrameType.GoAway, 0, 0, Concat(U32(3), U32(0), "bye"u8.ToArray())));

    private static byte[] ServerBytes() => Concat(
        Settings((3, 100), (4, 1048576), (6, 65536)),
        WindowUpdate(0, 983041),
        SettingsAck(),
        Headers(1, Http2Flags.EndHeaders, ResponseBlock),
        Data(1, Http2Flags.EndStream, "<html>"u8.ToArray()),
        Frame(Http2FrameType.Ping, 0, 0, Hex("0102030405060708")),
        Frame(0x42, 0x07, 5, Hex("aabb")));

    private static RecordingSink Run(Func<byte[], IEnumerable<byte[]>> cut)
    {
        var (c, sink) = New(notesInEvents: true);
        long frame = 1;
        foreach (var chunk in cut(ClientBytes())) c.Feed(true, chunk, frame++);
        frame = 1000;
        foreach (var chunk in cut(ServerBytes())) c.Feed(false, chunk, frame++);
        return sink;
    }

    private static readonly string[] Expected =
    [
        "c1 Magic",
        "c1 SETTINGS[0] len=30 flags=0x00 1=65536 2=0 3=1000 4=6291456 6=262144",
        "c1 WINDOW_UPDATE[0] len=4 flags=0x00 inc=15663105",
        "c1 HEADERS[1] len=25 flags=0x25 prio=E0/255 headers=Ok:4 {:method: GET; :scheme: http; :path: /; :authority: www.example.com}",
        "c1 SETTINGS[0] len=0 flags=0x01",
        "c1 PING[0] len=8 flags=0x01 opaque=0102030405060708",
        "c1 HEADERS[3] len=5 flags=0x00",
        "c1 CONTINUATION[3] len=4 flags=0x00",
        "c1 CONTINUATION[3] len=11 flags=0x04 headers=Ok:4 {:method: GET; :scheme: http; :path: /; :authority: www.example.com}",
        "c1 DATA[3] len=8 flags=0x09 data=626F6479 pad=3",
        "c1 RST_STREAM[3] len=4 flags=0x00 error=CANCEL",
        "c1 GOAWAY[0] len=11 flags=0x00 last=3 error=NO_ERROR debug=bye",
        "s1000 SETTINGS[0] len=18 flags=0x00 3=100 4=1048576 6=65536",
        "s1000 WINDOW_UPDATE[0] len=4 flags=0x00 inc=983041",
        "s1000 SETTINGS[0] len=0 flags=0x01",
        "s1000 HEADERS[1] len=12 flags=0x04 headers=Ok:2 {:status: 200; content-type: text/html}",
        "s1000 DATA[1] len=6 flags=0x01 data=3C68746D6C3E pad=-1",
        "s1000 PING[0] len=8 flags=0x00 opaque=0102030405060708",
        "s1000 Unknown type (66)[5] len=2 flags=0x07",
    ];

    [Fact]
    public void OneChunkGivesEveryFrame()
    {
        var sink = Run(b => [b]);
        Assert.Equal(Expected, sink.Events);
        Assert.Empty(sink.Notes);
    }

    [Fact]
    public void ByteByByteGivesTheSameFrames()
    {
        var sink = Run(b => b.Select(x => new[] { x }));
        // Frame numbers differ (each byte is a capture frame); the frames themselves are the same.
        static string Strip(string s) => System.Text.RegularExpressions.Regex.Replace(s, "^[cs][0-9]+ ", "");
        Assert.Equal(Expected.Select(Strip), sink.Events.Select(Strip));
        Assert.Empty(sink.Notes);
    }

    [Fact]
    public void RandomCutsGiveTheSameFrames()
    {
        static string Strip(string s) => System.Text.RegularExpressions.Regex.Replace(s, "^[cs][0-9]+ ", "");
        var rng = new Random(3);
        for (int round = 0; round < 50; round++)
        {
            var sink = Run(b =>
            {
                var chunks = new List<byte[]>();
                for (int i = 0; i < b.Length;)
                {
                    int n = Math.Min(b.Length - i, rng.Next(0, 40));
                    chunks.Add(b[i..(i + n)]);
                    i += n;
                }
                return chunks;
            });
            Assert.Equal(Expected.Select(Strip), sink.Events.Select(Strip));
        }
    }

    [Fact]
    public void FrameNumberIsTheOneThatCompletesTheFrame()
    {
        var (c, sink) = New();
        var bytes = Concat(Preface, Settings((4, 100)));
        c.Feed(true, bytes[..10], 1);
        c.Feed(true, bytes[10..30], 2); // preface complete in frame 2, SETTINGS header begun
        c.Feed(true, bytes[30..], 3);
        Assert.Equal(["c2 Magic", "c3 SETTINGS[0] len=6 flags=0x00 4=100"], sink.Events);
    }

    // ---- preface ----

    [Fact]
    public void ServerDirectionHasNoPreface()
    {
        var (c, sink) = New();
        c.Feed(false, Concat(Preface[..0], Settings()), 1);
        Assert.Equal(["s1 SETTINGS[0] len=0 flags=0x00"], sink.Events);
        Assert.False(c.PrefaceSeen);
    }

    [Fact]
    public void ClientWithoutPrefaceIsReadAsFrames()
    {
        // A capture that began mid-connection: frames at once, no note.
        var (c, sink) = New();
        c.Feed(true, Concat(SettingsAck(), WindowUpdate(0, 5)), 1);
        Assert.Equal(["c1 SETTINGS[0] len=0 flags=0x01", "c1 WINDOW_UPDATE[0] len=4 flags=0x00 inc=5"], sink.Events);
        Assert.Empty(sink.Notes);
        Assert.False(c.PrefaceSeen);
    }

    [Fact]
    public void PrefaceThatDiffersIsNotedAndReadAsFrames()
    {
        var (c, sink) = New();
        c.Feed(true, "PRI * HTTP/1.1\r\n"u8.ToArray()[..8], 1);
        c.Feed(true, "PRI * HTTP/1.1\r\n"u8.ToArray()[8..], 2);
        var note = Assert.Single(sink.Notes);
        Assert.Equal(Http2NoteKeys.Preface, note.Note.Key);
        Assert.Contains("byte 11", note.Note.Message);
        Assert.False(c.PrefaceSeen);
        // The 16 bytes are a frame header "PRI" (length 0x505249 > 16384) and the start of its payload.
        Assert.Empty(sink.Events);
    }

    // ---- CONTINUATION ----

    [Fact]
    public void ContinuationInterruptedByAnotherFrameIsNotedAndFailsTheDecoder()
    {
        var (c, sink) = New();
        c.Feed(true, Concat(Preface, Headers(1, 0, RequestBlock[..5]), Data(1, 0, [1]), Headers(3, Http2Flags.EndHeaders, [0x82])), 1);
        Assert.True(sink.HasNote(Http2NoteKeys.Continuation));
        Assert.True(c.ClientDecoder.Failed);
        Assert.Contains(sink.Events, e => e.StartsWith("c1 HEADERS[3]") && e.Contains("headers=Undecodable:0"));
        Assert.True(sink.HasNote(Http2NoteKeys.HpackUndecodable));
    }

    [Fact]
    public void ContinuationWithoutHeadersIsNoted()
    {
        var (c, sink) = New();
        c.Feed(true, Concat(Preface, Frame(Http2FrameType.Continuation, Http2Flags.EndHeaders, 1, [0x82])), 1);
        Assert.Equal(Http2NoteKeys.Continuation, Assert.Single(sink.Notes).Note.Key);
        Assert.DoesNotContain("headers=", sink.Events[^1]);
    }

    [Fact]
    public void ContinuationOnAnotherStreamIsNoted()
    {
        var (c, sink) = New();
        c.Feed(true, Concat(Preface, Headers(1, 0, RequestBlock[..5]), Frame(Http2FrameType.Continuation, Http2Flags.EndHeaders, 3, RequestBlock[5..])), 1);
        Assert.Equal(2, sink.Notes.Count(n => n.Note.Key == Http2NoteKeys.Continuation));
    }

    [Fact]
    public void HeaderBlockLongerThanTheLimitIsNotDecoded()
    {
        var (c, sink) = New(new Http2Limits { MaxHeaderBlockSize = 100 });
        var big = Enumerable.Repeat((byte)0x82, 60).ToArray();
        c.Feed(true, Concat(Preface, Headers(1, 0, big), Frame(Http2FrameType.Continuation, 0, 1, big),
            Frame(Http2FrameType.Continuation, Http2Flags.EndHeaders, 1, big)), 1);
        Assert.True(sink.HasNote(Http2NoteKeys.Limit));
        Assert.Contains("headers=Undecodable:0", sink.Events[^1]);
        Assert.True(c.ClientDecoder.Failed);
        Assert.Equal(0, c.BufferedBytes);
    }

    // ---- frame types and their malformed lengths ----

    private static RecordingSink Client(params byte[][] frames)
    {
        var (c, sink) = New();
        c.Feed(true, Concat([Preface, .. frames]), 1);
        return sink;
    }

    [Fact]
    public void SettingsAreDecoded()
    {
        var sink = Client(Settings((1, 4096), (2, 0), (3, 100), (4, 65535), (5, 16384), (6, 8192), (8, 1), (9, 1), (0x99, 7)));
        Assert.Equal([(1, 4096u), (2, 0u), (3, 100u), (4, 65535u), (5, 16384u), (6, 8192u), (8, 1u), (9, 1u), (0x99, 7u)], sink.Settings.Select(s => ((int)s.Item1, s.Item2)).ToList().Select(x => ((int, uint))x));
        Assert.Empty(sink.Notes);
    }

    [Fact]
    public void SettingsLengthNotAMultipleOfSixIsMalformed()
    {
        var sink = Client(Frame(Http2FrameType.Settings, 0, 0, Hex("0004 0000ffff 00")), Settings((3, 1)));
        Assert.Contains("MALFORMED", sink.Events[1]);
        Assert.Contains(" 4=65535", sink.Events[1]); // the complete parameter is still read
        Assert.Equal(Http2NoteKeys.FrameSize, Assert.Single(sink.Notes).Note.Key);
        Assert.Equal("c1 SETTINGS[0] len=6 flags=0x00 3=1", sink.Events[2]);
    }

    [Fact]
    public void SettingsAckWithPayloadIsMalformed()
    {
        var sink = Client(Frame(Http2FrameType.Settings, Http2Flags.Ack, 0, Hex("000100001000")));
        Assert.Contains("MALFORMED", sink.Events[1]);
        Assert.Equal(Http2NoteKeys.FrameSize, Assert.Single(sink.Notes).Note.Key);
    }

    [Fact]
    public void SettingsOnAStreamAndBadValuesAreNoted()
    {
        var sink = Client(Frame(Http2FrameType.Settings, 0, 1, []), Settings((2, 2), (4, 0x80000000), (5, 100), (8, 3)));
        Assert.Equal(5, sink.Notes.Count);
        Assert.Single(sink.Notes, n => n.Note.Key == Http2NoteKeys.FlowControl);
    }

    [Fact]
    public void WindowUpdateIsDecoded()
    {
        var sink = Client(WindowUpdate(0, 0x80000005)); // reserved bit ignored
        Assert.Equal("c1 WINDOW_UPDATE[0] len=4 flags=0x00 inc=5", sink.Events[1]);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(0)]
    public void WindowUpdateNotFourBytesIsMalformed(int length)
    {
        var sink = Client(Frame(Http2FrameType.WindowUpdate, 0, 0, new byte[length]));
        Assert.Contains("MALFORMED", sink.Events[1]);
        Assert.Equal(Http2NoteKeys.FrameSize, sink.Notes[0].Note.Key);
    }

    [Fact]
    public void WindowUpdateOfZeroIsNoted()
    {
        var sink = Client(WindowUpdate(0, 0));
        Assert.Equal(Http2NoteKeys.Protocol, Assert.Single(sink.Notes).Note.Key);
    }

    [Fact]
    public void GoAwayIsDecoded()
    {
        var sink = Client(Frame(Http2FrameType.GoAway, 0, 0, Concat(U32(0x80000007), U32(11), "calm down"u8.ToArray())));
        Assert.Equal("c1 GOAWAY[0] len=17 flags=0x00 last=7 error=ENHANCE_YOUR_CALM debug=calm down", sink.Events[1]);
        Assert.Empty(sink.Notes);
    }

    [Fact]
    public void GoAwayShorterThanEightIsMalformed()
    {
        var sink = Client(Frame(Http2FrameType.GoAway, 0, 0, U32(1)));
        Assert.Contains("MALFORMED", sink.Events[1]);
        Assert.Equal(Http2NoteKeys.FrameSize, Assert.Single(sink.Notes).Note.Key);
    }

    [Fact]
    public void RstStreamIsDecoded()
    {
        var (c, sink) = New();
        c.Feed(true, Concat(Preface, Headers(1, Http2Flags.EndHeaders, RequestBlock), Frame(Http2FrameType.RstStream, 0, 1, U32(7))), 1);
        Assert.Equal("c1 RST_STREAM[1] len=4 flags=0x00 error=REFUSED_STREAM", sink.Events[^1]);
        var s = c.FindStream(1)!;
        Assert.Equal(7u, s.ResetErrorCode);
        Assert.True(s.ResetByClient);
        Assert.Equal(Http2StreamState.Closed, s.State);
    }

    [Fact]
    public void RstStreamNotFourBytesIsMalformed()
    {
        var sink = Client(Frame(Http2FrameType.RstStream, 0, 1, new byte[5]));
        Assert.Contains("MALFORMED", sink.Events[1]);
    }

    [Fact]
    public void PingNotEightBytesIsMalformed()
    {
        var sink = Client(Frame(Http2FrameType.Ping, 0, 0, new byte[7]), Frame(Http2FrameType.Ping, 0, 3, new byte[8]));
        Assert.Contains("MALFORMED", sink.Events[1]);
        Assert.DoesNotContain("MALFORMED", sink.Events[2]);
        Assert.Equal([Http2NoteKeys.FrameSize, Http2NoteKeys.Protocol], sink.Notes.Select(n => n.Note.Key));
    }

    [Fact]
    public void PriorityIsDecoded()
    {
        var sink = Client(Frame(Http2FrameType.Priority, 0, 3, Hex("80000001 0f")), Frame(Http2FrameType.Priority, 0, 3, Hex("00000001")));
        Assert.Equal("c1 PRIORITY[3] len=5 flags=0x00 prio=E1/15", sink.Events[1]);
        Assert.Contains("MALFORMED", sink.Events[2]);
        Assert.Equal(Http2NoteKeys.FrameSize, Assert.Single(sink.Notes).Note.Key);
    }

    [Fact]
    public void DataPaddingLongerThanThePayloadIsMalformed()
    {
        var sink = Client(Data(1, Http2Flags.Padded, [5, 1, 2, 3]), Data(1, Http2Flags.Padded, []), Data(1, Http2Flags.Padded, [3, 0, 0, 0]));
        Assert.Contains("MALFORMED", sink.Events[1]);
        Assert.Contains("MALFORMED", sink.Events[2]);
        Assert.Equal("c1 DATA[1] len=4 flags=0x08 data= pad=3", sink.Events[3]); // padding may fill the rest
        Assert.Equal([Http2NoteKeys.Padding, Http2NoteKeys.FrameSize], sink.Notes.Select(n => n.Note.Key));
    }

    [Fact]
    public void HeadersPaddingAndPriorityLongerThanThePayloadAreMalformed()
    {
        var (c, sink) = New();
        c.Feed(true, Concat(Preface,
            Headers(1, Http2Flags.Padded | Http2Flags.EndHeaders, Concat([21], RequestBlock)),
            Headers(3, Http2Flags.Priority | Http2Flags.EndHeaders, [0, 0, 0])), 1);
        Assert.Contains("MALFORMED", sink.Events[1]);
        Assert.Contains("MALFORMED", sink.Events[2]);
        Assert.Contains(sink.Notes, n => n.Note.Key == Http2NoteKeys.Padding);
        Assert.Contains(sink.Notes, n => n.Note.Key == Http2NoteKeys.FrameSize);
        Assert.True(c.ClientDecoder.Failed);
    }

    [Fact]
    public void PaddedHeadersWithPriorityAreDecoded()
    {
        var sink = Client(Headers(1, Http2Flags.Padded | Http2Flags.Priority | Http2Flags.EndHeaders | Http2Flags.EndStream,
            Concat([2], [0, 0, 0, 3, 15], RequestBlock, [0, 0])));
        Assert.Contains("prio=3/15", sink.Events[1]);
        Assert.Contains("headers=Ok:4", sink.Events[1]);
        Assert.Empty(sink.Notes);
    }

    [Fact]
    public void PushPromiseIsDecoded()
    {
        var (c, sink) = New();
        c.Feed(true, Concat(Preface, Headers(1, Http2Flags.EndHeaders | Http2Flags.EndStream, RequestBlock)), 1);
        // :method GET, :path /index.html, :scheme https, :authority www.example.com (dynamic index 62 is the client's, not the server's)
        var promise = Concat(U32(2), [0x82, 0x85, 0x87, 0x41, 0x0f], "www.example.com"u8.ToArray());
        c.Feed(false, Concat(Frame(Http2FrameType.PushPromise, Http2Flags.EndHeaders, 1, promise), Headers(2, Http2Flags.EndHeaders, ResponseBlock)), 2);
        Assert.Contains("s2 PUSH_PROMISE[1] len=24 flags=0x04 promised=2 headers=Ok:4", sink.Events[2]);
        var pushed = c.FindStream(2)!;
        Assert.False(pushed.OpenedByClient);
        Assert.Equal(1, pushed.PromisedOn);
        Assert.Equal("/index.html", pushed.Path);
        Assert.Equal("200", pushed.Status);
        Assert.Equal(Http2StreamState.HalfClosedByClient, pushed.State);
        Assert.Empty(sink.Notes);
    }

    [Fact]
    public void UnknownTypesAreKeptRaw()
    {
        var (c, sink) = New();
        var got = new List<string>();
        c.Feed(true, Concat(Preface, Frame(0xfa, 0xff, 9, [1, 2, 3])), 1);
        Assert.Equal("c1 Unknown type (250)[9] len=3 flags=0xff", sink.Events[1]);
        Assert.Empty(sink.Notes);
    }

    [Fact]
    public void ReservedBitIsMaskedOff()
    {
        var sink = Client(Frame(Http2FrameType.Ping, 0, unchecked((int)0x80000000), new byte[8]));
        Assert.StartsWith("c1 PING[0]", sink.Events[1]);
    }

    // ---- limits ----

    [Fact]
    public void FrameLongerThanTheLimitIsSkippedNotBuffered()
    {
        var (c, sink) = New(new Http2Limits { MaxFrameLength = 1000 });
        c.Feed(true, Preface, 1);
        c.Feed(true, Frame(0, 0, 1, [], length: 5_000_000), 2);
        var chunk = new byte[65536];
        for (int i = 0; i < 5_000_000 / chunk.Length; i++)
        {
            c.Feed(true, chunk, 3);
            Assert.True(c.BufferedBytes <= 9);
        }
        c.Feed(true, Concat(new byte[5_000_000 % chunk.Length], WindowUpdate(0, 1)), 4);
        Assert.Equal(["c1 Magic", "c4 DATA[1] len=5000000 flags=0x00 SKIPPED data= pad=-1", "c4 WINDOW_UPDATE[0] len=4 flags=0x00 inc=1"], sink.Events);
        Assert.Contains(sink.Notes, n => n.Note.Key == Http2NoteKeys.Limit);
        Assert.Equal(5_000_000, c.FindStream(1)!.ClientDataBytes);
    }

    [Fact]
    public void LargestFrameLengthIsBufferedOnlyAsItArrives()
    {
        var (c, sink) = New();
        c.Feed(false, Frame(0, 0, 1, [], length: Http2Names.MaxFrameLength), 1);
        Assert.Equal(0, c.BufferedBytes);
        c.Feed(false, new byte[1000], 2);
        Assert.Equal(1000, c.BufferedBytes);
        Assert.Empty(sink.Events);
        // The frame is over SETTINGS_MAX_FRAME_SIZE (16384 until the client says more): a note when it completes.
        c.Feed(false, new byte[Http2Names.MaxFrameLength - 1000], 3);
        Assert.Single(sink.Events);
        Assert.Equal(0, c.BufferedBytes);
        Assert.Contains(sink.Notes, n => n.Note.Message.Contains("SETTINGS_MAX_FRAME_SIZE"));
    }

    [Fact]
    public void GapStopsTheDirection()
    {
        var (c, sink) = New();
        c.Feed(false, Settings()[..5], 1);
        c.Gap(false, 2);
        c.Feed(false, Settings(), 3);
        Assert.Empty(sink.Events);
        Assert.Equal(Http2NoteKeys.Limit, Assert.Single(sink.Notes).Note.Key);
        Assert.Equal(0, c.BufferedBytes);
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var rng = new Random(11);
        for (int round = 0; round < 3000; round++)
        {
            var (c, _) = New(new Http2Limits { MaxFrameLength = rng.Next(0, 3) == 0 ? 100 : Http2Names.MaxFrameLength, MaxStreams = 8 });
            // Real frame headers with random types, flags, lengths and payloads, so that the payload decoders run.
            for (int i = 0; i < 30; i++)
            {
                var payload = new byte[rng.Next(0, 24)];
                rng.NextBytes(payload);
                var f = Frame((byte)rng.Next(0, 12), (byte)rng.Next(256), rng.Next(0, 6), payload, rng.Next(0, 8) == 0 ? rng.Next(0, 30) : null);
                bool client = rng.Next(2) == 0;
                int at = 0;
                while (at < f.Length)
                {
                    int n = Math.Min(f.Length - at, rng.Next(1, 16));
                    c.Feed(client, f.AsSpan(at, n), i);
                    at += n;
                }
            }
            Assert.True(c.StreamCount <= 8);
        }
    }
}
