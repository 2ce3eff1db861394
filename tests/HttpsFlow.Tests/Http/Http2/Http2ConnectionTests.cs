using HttpsFlow.Http.Http2;
using static HttpsFlow.Tests.Http.Http2.H2;
using static HttpsFlow.Tests.Http.Http2.HpackTestSupport;

namespace HttpsFlow.Tests.Http.Http2;

/// <summary>
/// What the connection follows across frames: SETTINGS_HEADER_TABLE_SIZE applied to the other side's HPACK decoder,
/// streams and their headers, flow-control windows, and the bounds on all of it. Also the names tshark gives.
/// </summary>
public class Http2ConnectionTests
{
    private static (Http2Connection Connection, RecordingSink Sink) New(Http2Limits? limits = null)
    {
        var sink = new RecordingSink();
        var c = new Http2Connection(sink, limits);
        c.Feed(true, Preface, 1);
        return (c, sink);
    }

    // ---- SETTINGS_HEADER_TABLE_SIZE ----

    [Fact]
    public void ClientsTableSizeLimitsTheServersEncoder()
    {
        var (c, sink) = New();
        Assert.Equal(4096, c.ServerDecoder.SettingsMaxTableSize);
        // Above the default 4096: refused.
        c.Feed(false, Headers(1, Http2Flags.EndHeaders, [.. Integer(8192, 5, 0x20), 0x88]), 2);
        Assert.True(c.ServerDecoder.Failed);
        Assert.Contains(sink.Notes, n => n.Note.Key == Http2NoteKeys.Hpack && n.Note.Message.Contains("SETTINGS_HEADER_TABLE_SIZE"));
        Assert.False(c.ClientDecoder.Failed);
    }

    [Fact]
    public void LargerTableSizeAppliesAtOnce()
    {
        var (c, sink) = New();
        c.Feed(true, Settings((1, 8192)), 2);
        Assert.Equal(8192, c.ServerDecoder.SettingsMaxTableSize);
        Assert.Equal(4096, c.ClientDecoder.SettingsMaxTableSize);
        c.Feed(false, Headers(1, Http2Flags.EndHeaders, [.. Integer(8192, 5, 0x20), 0x88]), 3);
        Assert.False(c.ServerDecoder.Failed);
        Assert.Equal(8192, c.ServerDecoder.Table.MaxSize);
        c.Feed(false, SettingsAck(), 4);
        Assert.Equal(8192, c.ServerDecoder.SettingsMaxTableSize);
        Assert.Equal(1, c.ClientSettings.Acknowledged);
        Assert.Empty(sink.Notes);
    }

    [Fact]
    public void SmallerTableSizeAppliesWhenAcknowledgedAndNeedsAnUpdate()
    {
        var (c, sink) = New();
        c.Feed(false, Headers(1, Http2Flags.EndHeaders, [0x40, .. RawString("a"), .. RawString("b")]), 2);
        Assert.Equal(1, c.ServerDecoder.Table.Count);
        c.Feed(true, Settings((1, 0)), 3);
        Assert.Equal(4096, c.ServerDecoder.SettingsMaxTableSize); // not yet acknowledged
        c.Feed(false, SettingsAck(), 4);
        Assert.Equal(0, c.ServerDecoder.SettingsMaxTableSize);
        // The server's next block lacks the size update: noted, and the table shrinks anyway.
        c.Feed(false, Headers(3, Http2Flags.EndHeaders, [0x88]), 5);
        Assert.Contains(sink.Notes, n => n.Note.Key == Http2NoteKeys.Protocol && n.Note.Message.Contains("RFC 7541 §4.2"));
        Assert.Equal(0, c.ServerDecoder.Table.Count);
    }

    [Fact]
    public void SmallerTableSizeWithTheUpdateIsClean()
    {
        var (c, sink) = New();
        c.Feed(true, Settings((1, 256)), 2);
        c.Feed(false, Concat(SettingsAck(), Headers(1, Http2Flags.EndHeaders, [.. Integer(256, 5, 0x20), 0x88])), 3);
        Assert.Empty(sink.Notes);
        Assert.Equal(256, c.ServerDecoder.Table.MaxSize);
    }

    [Fact]
    public void TooManyUnacknowledgedSettingsAreBounded()
    {
        var (c, sink) = New(new Http2Limits { MaxPendingSettings = 4 });
        for (int i = 0; i < 10; i++) c.Feed(true, Settings((1, (uint)(1000 + i))), 2 + i);
        Assert.Equal(6, sink.Notes.Count(n => n.Note.Key == Http2NoteKeys.Limit));
        Assert.Equal(1009, c.ServerDecoder.SettingsMaxTableSize);
    }

    // ---- streams ----

    [Fact]
    public void StreamsRecordRequestAndResponse()
    {
        var (c, sink) = New();
        var request = Concat(RequestBlock, [0x5f, 0x10], "application/json"u8.ToArray(), [0x5a, 0x04], "gzip"u8.ToArray());
        c.Feed(true, Concat(Headers(1, Http2Flags.EndHeaders, request), Data(1, Http2Flags.EndStream, new byte[10])), 2);
        var s = c.FindStream(1)!;
        Assert.Equal(Http2StreamState.HalfClosedByClient, s.State);
        Assert.True(s.OpenedByClient);
        Assert.Equal(("GET", "/", "www.example.com", "http"), (s.Method, s.Path, s.Authority, s.Scheme));
        Assert.Equal(("application/json", "gzip"), (s.RequestContentType, s.RequestContentEncoding));
        Assert.Equal(10, s.ClientDataBytes);

        c.Feed(false, Concat(Headers(1, Http2Flags.EndHeaders, ResponseBlock), Data(1, 0, new byte[100]), Data(1, Http2Flags.EndStream | Http2Flags.Padded, Concat([5], new byte[50], new byte[5]))), 3);
        Assert.Equal("200", s.Status);
        Assert.Equal("text/html", s.ContentType(fromClient: false));
        Assert.Null(s.ContentEncoding(fromClient: false));
        Assert.Equal(150, s.ServerDataBytes);
        Assert.Equal(2, s.ServerDataFrames);
        Assert.Equal(Http2StreamState.Closed, s.State);
        Assert.Equal(2, s.FirstFrame);
        Assert.Equal(3, s.LastFrame);
        Assert.Empty(sink.Notes);
    }

    [Fact]
    public void DataAfterEndStreamIsNoted()
    {
        var (c, sink) = New();
        c.Feed(true, Concat(Headers(1, Http2Flags.EndHeaders | Http2Flags.EndStream, RequestBlock), Data(1, 0, [1])), 2);
        Assert.Contains("STREAM_CLOSED", Assert.Single(sink.Notes).Note.Message);
    }

    [Fact]
    public void StreamTableIsBounded()
    {
        var (c, sink) = New(new Http2Limits { MaxStreams = 10 });
        for (int i = 0; i < 50; i++) c.Feed(true, Headers(2 * i + 1, Http2Flags.EndHeaders, [0x82]), 2 + i);
        Assert.Equal(10, c.StreamCount);
        Assert.Equal(40, c.StreamsForgotten);
        Assert.Equal(40, sink.Notes.Count(n => n.Note.Key == Http2NoteKeys.Limit));
        Assert.Null(c.FindStream(1));
        Assert.NotNull(c.FindStream(99));
        Assert.Equal(10, c.Streams.Count());
        // Closed streams are forgotten without a note.
        var (d, dsink) = New(new Http2Limits { MaxStreams = 2 });
        for (int i = 0; i < 5; i++) d.Feed(true, Frame(Http2FrameType.Headers, Http2Flags.EndHeaders, 2 * i + 1, [0x82]), 2);
        for (int i = 0; i < 5; i++) d.Feed(true, Frame(Http2FrameType.RstStream, 0, 2 * i + 1, U32(8)), 3);
        Assert.Equal(3, dsink.Notes.Count);
    }

    [Fact]
    public void HeaderListLimitsApplyThroughTheConnection()
    {
        var limits = new Http2Limits { Hpack = new HpackLimits { MaxHeaderListSize = 300, MaxHeaderCount = 100 } };
        var (c, sink) = New(limits);
        var block = new List<byte> { 0x82 };
        for (int i = 0; i < 20; i++) block.AddRange(LiteralNew("x-h", new string('v', 50)));
        c.Feed(true, Headers(1, Http2Flags.EndHeaders, [.. block]), 2);
        Assert.Contains(sink.Notes, n => n.Note.Key == Http2NoteKeys.Limit && n.Note.Message.Contains("300"));
        Assert.Equal("GET", c.FindStream(1)!.Method);
        Assert.True(sink.HeaderLines.Count < 20);
    }

    // ---- flow control ----

    [Fact]
    public void WindowsFollowDataAndUpdates()
    {
        var (c, sink) = New();
        c.Feed(true, Headers(1, Http2Flags.EndHeaders, RequestBlock), 2);
        c.Feed(false, Concat(Headers(1, Http2Flags.EndHeaders, ResponseBlock), Data(1, 0, new byte[1000])), 3);
        Assert.Equal(65535 - 1000, c.ServerToClientWindow);
        Assert.Equal(65535 - 1000, c.FindStream(1)!.ServerToClientWindow);
        c.Feed(true, Concat(WindowUpdate(0, 1000), WindowUpdate(1, 500)), 4);
        Assert.Equal(65535, c.ServerToClientWindow);
        Assert.Equal(65535 - 500, c.FindStream(1)!.ServerToClientWindow);
        Assert.Equal(65535, c.ClientToServerWindow);
        Assert.Empty(sink.Notes);
    }

    [Fact]
    public void DataBeyondTheWindowIsNoted()
    {
        var (c, sink) = New();
        c.Feed(false, Settings((4, 100)), 2); // the server lets the client send 100 per stream
        c.Feed(true, Concat(Headers(1, Http2Flags.EndHeaders, RequestBlock), Data(1, 0, new byte[100]), Data(1, 0, new byte[1])), 3);
        var note = Assert.Single(sink.Notes);
        Assert.Equal(Http2NoteKeys.FlowControl, note.Note.Key);
        Assert.Contains("stream 1", note.Note.Message);
        Assert.Equal(-1, c.FindStream(1)!.ClientToServerWindow);
    }

    [Fact]
    public void ConnectionWindowBelowZeroIsNoted()
    {
        var (c, sink) = New();
        c.Feed(false, Settings((4, 1 << 20)), 2);
        c.Feed(true, Headers(1, Http2Flags.EndHeaders, RequestBlock), 3);
        for (int i = 0; i < 5; i++) c.Feed(true, Data(1, 0, new byte[16000]), 4 + i);
        Assert.Equal(65535 - 80000, c.ClientToServerWindow);
        Assert.Equal(Http2NoteKeys.FlowControl, Assert.Single(sink.Notes).Note.Key);
    }

    [Fact]
    public void WindowAboveTheMaximumIsNoted()
    {
        var (c, sink) = New();
        c.Feed(true, Headers(1, Http2Flags.EndHeaders, RequestBlock), 2);
        c.Feed(false, Concat(WindowUpdate(0, 0x7fffffff), WindowUpdate(1, 0x7fffffff)), 3);
        Assert.Equal(2, sink.Notes.Count(n => n.Note.Key == Http2NoteKeys.FlowControl));
    }

    [Fact]
    public void InitialWindowSizeChangesShiftOpenStreams()
    {
        var (c, sink) = New();
        c.Feed(true, Headers(1, Http2Flags.EndHeaders, RequestBlock), 2);
        c.Feed(false, Settings((4, 1000)), 3);
        Assert.Equal(1000, c.FindStream(1)!.ClientToServerWindow);
        c.Feed(true, Settings((4, 2000)), 4);
        Assert.Equal(2000, c.FindStream(1)!.ServerToClientWindow);
        c.Feed(true, Headers(3, Http2Flags.EndHeaders, [0x82]), 5);
        Assert.Equal((1000, 2000), (c.FindStream(3)!.ClientToServerWindow, c.FindStream(3)!.ServerToClientWindow));
        Assert.Empty(sink.Notes);
    }

    // ---- names as tshark shows them ----

    [Fact]
    public void NamesAreTsharks()
    {
        // tshark -G values: http2.type, http2.rst_stream.error / http2.goaway.error, http2.settings.id.
        Assert.Equal(["DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION", "ALTSVC", "BLOCKED", "ORIGIN"],
            Enumerable.Range(0, 13).Select(i => Http2Names.FrameType((byte)i)));
        Assert.Equal("PRIORITY_UPDATE", Http2Names.FrameType(16));
        Assert.Null(Http2Names.FrameType(13));
        Assert.Equal(["NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR",
            "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"],
            Enumerable.Range(0, 14).Select(i => Http2Names.ErrorCode((uint)i)));
        Assert.Equal(["Header table size", "Enable PUSH", "Max concurrent streams", "Initial Windows size", "Max frame size", "Max header list size", null, "Extended CONNECT"],
            Enumerable.Range(1, 8).Select(i => Http2Names.Setting((ushort)i)));
        Assert.Equal("No RFC7540 Priorities", Http2Names.Setting(9));
        Assert.Equal("Priority, End Headers, End Stream", Http2Names.FlagsText(1, 0x25));
        Assert.Equal("ACK", Http2Names.FlagsText(4, 0x01));
        Assert.Equal("Literal Header Field with Incremental Indexing - Indexed Name", HpackHeaderList.RepresentationName(HpackRepresentation.IncrementalIndexingIndexedName));
    }
}
