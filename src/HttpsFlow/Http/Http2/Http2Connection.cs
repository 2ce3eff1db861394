using System.Buffers;
using System.Buffers.Binary;
using HttpsFlow.Common;

namespace HttpsFlow.Http.Http2;

/// <summary>The bounds one <see cref="Http2Connection"/> keeps to, whatever its bytes say.</summary>
public sealed record Http2Limits
{
    /// <summary>
    /// The longest frame payload held to be decoded; longer frames are skipped with a note. Default 2^24-1, the
    /// protocol's maximum, so that nothing valid is skipped (at most one such payload is held per direction).
    /// </summary>
    public int MaxFrameLength { get; init; } = Http2Names.MaxFrameLength;

    /// <summary>
    /// The most octets of one header block (HEADERS or PUSH_PROMISE and its CONTINUATION frames) assembled; a longer
    /// block is not decoded, and that direction's HPACK decoder fails. Default 1 MiB.
    /// </summary>
    public int MaxHeaderBlockSize { get; init; } = 1 << 20;

    /// <summary>The most streams tracked at once; beyond it the oldest is forgotten (with a note if still open). Default 1,000.</summary>
    public int MaxStreams { get; init; } = 1000;

    /// <summary>The most unacknowledged SETTINGS frames remembered per side (for when their values take effect). Default 16.</summary>
    public int MaxPendingSettings { get; init; } = 16;

    /// <summary>The limits of each direction's HPACK decoder.</summary>
    public HpackLimits Hpack { get; init; } = HpackLimits.Default;

    public static Http2Limits Default { get; } = new();
}

/// <summary>The SETTINGS values one side announced (RFC 9113 §6.5.2 defaults until it announces others).</summary>
public sealed class Http2PeerSettings
{
    public uint HeaderTableSize { get; internal set; } = 4096;
    public uint EnablePush { get; internal set; } = 1;
    /// <summary>Null until announced (no limit).</summary>
    public uint? MaxConcurrentStreams { get; internal set; }
    public uint InitialWindowSize { get; internal set; } = 65535;
    public uint MaxFrameSize { get; internal set; } = 16384;
    /// <summary>Null until announced (no limit).</summary>
    public uint? MaxHeaderListSize { get; internal set; }
    public uint EnableConnectProtocol { get; internal set; }
    public uint NoRfc7540Priorities { get; internal set; }
    /// <summary>SETTINGS frames (not ACKs) sent.</summary>
    public int Frames { get; internal set; }
    /// <summary>SETTINGS ACKs the other side sent for them.</summary>
    public int Acknowledged { get; internal set; }
}

/// <summary>
/// One HTTP/2 connection read from both directions' bytes (decrypted TLS records, in capture order per direction):
/// frames cut and decoded, header blocks assembled across CONTINUATION and decoded with each direction's HPACK
/// decoder, streams and flow-control windows followed. Everything found goes to an <see cref="IHttp2Sink"/>.
/// </summary>
/// <remarks>
/// <para><b>Header compression.</b> Each side has an <see cref="HpackDecoder"/> for the blocks it sends. A side's
/// SETTINGS_HEADER_TABLE_SIZE limits the other side's encoder (RFC 9113 §6.5.2), so it is applied to the decoder of the
/// other side's blocks: a larger value at once (the encoder may use it as soon as it receives it), a smaller one when
/// the other side acknowledges it, after which its next block must start with a table size update (RFC 7541 §4.2).</para>
/// <para><b>Flow control</b> (RFC 9113 §6.9). For each direction the connection window and every stream's window
/// start at 65,535 (streams: the receiver's SETTINGS_INITIAL_WINDOW_SIZE, whose later changes shift every stream's
/// window, as the sender applies them on receipt), shrink by every DATA frame's length (padding included) and
/// grow by the receiver's WINDOW_UPDATEs. A DATA frame that takes a window below zero, or an update that takes one
/// above 2^31-1, is a note.</para>
/// <para><b>Streams</b> are tracked from the frames that open them (HEADERS, PUSH_PROMISE, DATA of a stream seen
/// mid-connection), at most <see cref="Http2Limits.MaxStreams"/> at once.</para>
/// <para><b>Memory</b> per direction: at most one frame payload (<see cref="Http2Limits.MaxFrameLength"/>), one header
/// block (<see cref="Http2Limits.MaxHeaderBlockSize"/>), the HPACK decoder's bounds; plus the stream table.</para>
/// <para>Nothing here throws on any input: malformed frames are delivered flagged <see cref="Http2FrameEvent.Malformed"/>
/// with notes. Not thread-safe; the sink must not feed the connection from its callbacks.</para>
/// </remarks>
public sealed class Http2Connection : IDisposable
{
    private const long MaxWindow = int.MaxValue;
    private const int DefaultWindow = 65535;

    private sealed class Side(Http2Connection owner, bool isClient) : IHttp2FrameSink
    {
        public readonly bool IsClient = isClient;
        public Side Peer = null!;
        public Http2FrameParser Parser = null!;
        public HpackDecoder Decoder = null!;
        public readonly HpackHeaderList List = new();
        public readonly Http2PeerSettings Settings = new();
        // Unacknowledged SETTINGS frames of this side: the header table size each announced, or -1.
        public readonly Queue<long> Pending = new();
        public long AckedTableSize = 4096;
        public long SendWindow = DefaultWindow;

        // The header block being assembled from this side's frames.
        public bool BlockOpen;
        public int BlockStream;
        public int BlockTarget;
        public bool BlockIsPromise;
        public byte[]? Block;
        public int BlockLength;
        public bool BlockOverflow;

        public void OnMagic(long frame) => owner._sink.OnMagic(IsClient, frame);

        public void OnFrame(in Http2RawFrame frame) => owner.Handle(this, frame);

        public void OnNote(long frame, in Http2Note note) => owner.Note(this, frame, 0, note);
    }

    private readonly IHttp2Sink _sink;
    private readonly Side _client, _server;
    private readonly Dictionary<int, Http2Stream> _streams = new();
    private readonly Queue<Http2Stream> _streamOrder = new();
    private readonly ArrayPool<byte> _pool = ArrayPool<byte>.Shared;

    public Http2Connection(IHttp2Sink sink, Http2Limits? limits = null)
    {
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        Limits = limits ?? Http2Limits.Default;
        _client = new Side(this, true);
        _server = new Side(this, false);
        _client.Peer = _server;
        _server.Peer = _client;
        foreach (var s in new[] { _client, _server })
        {
            s.Parser = new Http2FrameParser(s, expectPreface: s.IsClient, Limits.MaxFrameLength);
            s.Decoder = new HpackDecoder(Limits.Hpack);
        }
    }

    public Http2Limits Limits { get; }

    /// <summary>Decodes the header blocks the client sends.</summary>
    public HpackDecoder ClientDecoder => _client.Decoder;

    /// <summary>Decodes the header blocks the server sends.</summary>
    public HpackDecoder ServerDecoder => _server.Decoder;

    /// <summary>What the client announced in its SETTINGS.</summary>
    public Http2PeerSettings ClientSettings => _client.Settings;

    /// <summary>What the server announced in its SETTINGS.</summary>
    public Http2PeerSettings ServerSettings => _server.Settings;

    /// <summary>The client's connection preface was seen.</summary>
    public bool PrefaceSeen => _client.Parser.PrefaceSeen;

    /// <summary>The connection-level window the client may still send DATA into.</summary>
    public long ClientToServerWindow => _client.SendWindow;

    /// <summary>The connection-level window the server may still send DATA into.</summary>
    public long ServerToClientWindow => _server.SendWindow;

    /// <summary>Frames read, both directions.</summary>
    public long FrameCount => _client.Parser.FrameCount + _server.Parser.FrameCount;

    /// <summary>Notes raised so far.</summary>
    public long NoteCount { get; private set; }

    /// <summary>Streams forgotten for <see cref="Http2Limits.MaxStreams"/>.</summary>
    public long StreamsForgotten { get; private set; }

    /// <summary>The streams tracked, oldest first.</summary>
    public IEnumerable<Http2Stream> Streams => _streamOrder.Where(s => _streams.TryGetValue(s.Id, out var t) && ReferenceEquals(s, t));

    /// <summary>The number of streams tracked.</summary>
    public int StreamCount => _streams.Count;

    /// <summary>A tracked stream, or null.</summary>
    public Http2Stream? FindStream(int id) => _streams.GetValueOrDefault(id);

    /// <summary>Bytes held for incomplete frames and header blocks (both directions).</summary>
    public long BufferedBytes => _client.Parser.BufferedBytes + _server.Parser.BufferedBytes + _client.BlockLength + _server.BlockLength;

    /// <summary>Bytes one direction's parser holds for a frame not complete yet.</summary>
    public long BufferedBytesOf(bool fromClient) => (fromClient ? _client : _server).Parser.BufferedBytes;

    /// <summary>Feeds the next bytes of one direction, carried by capture frame <paramref name="frame"/>.</summary>
    public void Feed(bool fromClient, ReadOnlySpan<byte> data, long frame) => (fromClient ? _client : _server).Parser.Feed(data, frame);

    /// <summary>Bytes of one direction are missing: that direction is read no further (frames cannot be found again).</summary>
    public void Gap(bool fromClient, long frame)
    {
        var side = fromClient ? _client : _server;
        side.Parser.Gap(frame);
        if (side.BlockOpen) AbandonBlock(side, "bytes missing inside a header block");
    }

    public void Dispose()
    {
        foreach (var s in new[] { _client, _server })
        {
            s.Parser.Dispose();
            ReturnBlock(s);
        }
    }

    private void Note(Side side, long frame, int stream, in Http2Note note)
    {
        NoteCount++;
        _sink.OnNote(new Http2NoteEvent(side.IsClient, frame, stream, note));
    }

    private void Handle(Side side, in Http2RawFrame raw)
    {
        var h = raw.Header;
        var e = new Http2FrameEvent
        {
            Frame = raw.Frame,
            FromClient = side.IsClient,
            Header = h,
            StreamOffset = raw.StreamOffset,
            Payload = raw.Payload,
            PayloadSkipped = raw.PayloadSkipped,
            PadLength = -1,
        };
        long frame = raw.Frame;

        if (side.BlockOpen && !(h.FrameType == Http2FrameType.Continuation && h.StreamId == side.BlockStream))
        {
            Note(side, frame, h.StreamId, new Http2Note(Http2NoteKeys.Continuation, Severity.Error, "Protocol",
                $"Header block on stream {side.BlockStream} not finished: {e.TypeName} on stream {h.StreamId} where a CONTINUATION was expected"));
            AbandonBlock(side, $"the header block on stream {side.BlockStream} was never finished");
        }
        if (h.Length > side.Peer.Settings.MaxFrameSize)
            Note(side, frame, h.StreamId, Http2Note.Protocol(
                $"{e.TypeName} frame of {h.Length} bytes is longer than the receiver's SETTINGS_MAX_FRAME_SIZE ({side.Peer.Settings.MaxFrameSize})"));

        if (raw.PayloadSkipped)
        {
            HandleSkipped(side, ref e);
            _sink.OnFrame(e);
            return;
        }

        switch (h.FrameType)
        {
            case Http2FrameType.Data: OnData(side, ref e); break;
            case Http2FrameType.Headers: OnHeaders(side, ref e); break;
            case Http2FrameType.Priority: OnPriority(side, ref e); break;
            case Http2FrameType.RstStream: OnRstStream(side, ref e); break;
            case Http2FrameType.Settings: OnSettings(side, ref e); break;
            case Http2FrameType.PushPromise: OnPushPromise(side, ref e); break;
            case Http2FrameType.Ping: OnPing(side, ref e); break;
            case Http2FrameType.GoAway: OnGoAway(side, ref e); break;
            case Http2FrameType.WindowUpdate: OnWindowUpdate(side, ref e); break;
            case Http2FrameType.Continuation: OnContinuation(side, ref e); break;
            default: e.Stream = h.StreamId != 0 ? FindStream(h.StreamId) : null; break; // kept raw
        }
        _sink.OnFrame(e);
    }

    private void HandleSkipped(Side side, ref Http2FrameEvent e)
    {
        var h = e.Header;
        switch (h.FrameType)
        {
            case Http2FrameType.Data when h.StreamId != 0:
                var stream = GetOrCreate(h.StreamId, e.Frame);
                e.Stream = stream;
                CountData(side, ref e, stream, h.Length);
                break;
            case Http2FrameType.Headers or Http2FrameType.PushPromise or Http2FrameType.Continuation:
                if (side.BlockOpen) AbandonBlock(side, $"a {e.TypeName} frame longer than the limit was skipped");
                else side.Decoder.MarkFailed($"a {e.TypeName} frame longer than the limit was skipped");
                break;
        }
    }

    // ---- frame types ----

    // Strips the Pad Length field and the padding when PADDED is set; `fixedLength` octets follow the Pad Length field.
    private bool Unpad(Side side, ref Http2FrameEvent e, int fixedLength, out Range fields, out Range rest)
    {
        var p = e.Payload;
        fields = rest = default;
        int start = 0, pad = 0;
        if (e.Header.HasFlag(Http2Flags.Padded))
        {
            if (p.Length < 1)
            {
                Malformed(side, ref e, Http2Note.FrameSize($"{e.TypeName} frame with the PADDED flag has no Pad Length field"));
                return false;
            }
            pad = p[0];
            e.PadLength = pad;
            start = 1;
        }
        if (p.Length - start < fixedLength)
        {
            Malformed(side, ref e, Http2Note.FrameSize($"{e.TypeName} frame of {p.Length} bytes is too short for its fields ({start + fixedLength})"));
            return false;
        }
        if (pad > p.Length - start - fixedLength)
        {
            Malformed(side, ref e, new Http2Note(Http2NoteKeys.Padding, Severity.Error, "Malformed",
                $"{e.TypeName} frame's padding ({pad} bytes) is longer than its payload allows ({p.Length - start - fixedLength})"));
            return false;
        }
        fields = new Range(start, start + fixedLength);
        rest = new Range(start + fixedLength, p.Length - pad);
        return true;
    }

    private void Malformed(Side side, ref Http2FrameEvent e, in Http2Note note)
    {
        e.Malformed = true;
        Note(side, e.Frame, e.Header.StreamId, note);
    }

    private void RequireStream(Side side, ref Http2FrameEvent e)
    {
        if (e.Header.StreamId == 0) Note(side, e.Frame, 0, Http2Note.Protocol($"{e.TypeName} frame on stream 0"));
    }

    private void RequireConnection(Side side, ref Http2FrameEvent e)
    {
        if (e.Header.StreamId != 0) Note(side, e.Frame, e.Header.StreamId, Http2Note.Protocol($"{e.TypeName} frame on stream {e.Header.StreamId} instead of 0"));
    }

    private void RequireLength(Side side, ref Http2FrameEvent e, int length)
    {
        if (e.Header.Length != length)
            Malformed(side, ref e, Http2Note.FrameSize($"{e.TypeName} frame of {e.Header.Length} bytes; it must have {length}"));
    }

    private void OnData(Side side, ref Http2FrameEvent e)
    {
        RequireStream(side, ref e);
        if (Unpad(side, ref e, 0, out _, out var data)) e.Data = e.Payload[data];
        if (e.Header.StreamId == 0) return;
        var stream = GetOrCreate(e.Header.StreamId, e.Frame);
        e.Stream = stream;
        CountData(side, ref e, stream, e.Malformed ? e.Header.Length : e.Data.Length);
    }

    private void CountData(Side side, ref Http2FrameEvent e, Http2Stream stream, int dataLength)
    {
        var h = e.Header;
        if (side.IsClient ? stream.ClientEnded : stream.ServerEnded)
            Note(side, e.Frame, h.StreamId, Http2Note.Protocol($"DATA on stream {h.StreamId} after the {(side.IsClient ? "client" : "server")} ended it (STREAM_CLOSED)"));
        if (side.IsClient)
        {
            stream.ClientDataBytes += dataLength;
            stream.ClientDataFrames++;
        }
        else
        {
            stream.ServerDataBytes += dataLength;
            stream.ServerDataFrames++;
        }

        // Flow control counts the whole payload, padding included.
        side.SendWindow -= h.Length;
        if (side.SendWindow < 0 && side.SendWindow + h.Length >= 0)
            Note(side, e.Frame, h.StreamId, FlowNote($"DATA exceeds the connection's flow-control window by {-side.SendWindow} bytes"));
        long window = side.IsClient ? stream.ClientToServerWindow -= h.Length : stream.ServerToClientWindow -= h.Length;
        if (window < 0 && window + h.Length >= 0)
            Note(side, e.Frame, h.StreamId, FlowNote($"DATA exceeds stream {h.StreamId}'s flow-control window by {-window} bytes"));

        if (h.HasFlag(Http2Flags.EndStream)) End(side, stream);
    }

    private static Http2Note FlowNote(string message) => new(Http2NoteKeys.FlowControl, Severity.Warning, "Protocol", message);

    private static void End(Side side, Http2Stream stream)
    {
        if (side.IsClient) stream.ClientEnded = true;
        else stream.ServerEnded = true;
    }

    private void OnHeaders(Side side, ref Http2FrameEvent e)
    {
        var h = e.Header;
        RequireStream(side, ref e);
        bool priority = h.HasFlag(Http2Flags.Priority);
        bool ok = Unpad(side, ref e, priority ? 5 : 0, out var fields, out var rest);
        if (ok && priority) e.Priority = Http2Priority.Read(e.Payload[fields]);
        var fragment = ok ? e.Payload[rest] : default;
        e.HeaderBlockFragment = fragment;
        Http2Stream? stream = null;
        if (h.StreamId != 0)
        {
            stream = GetOrCreate(h.StreamId, e.Frame);
            e.Stream = stream;
            if (side.IsClient ? stream.ClientEnded : stream.ServerEnded)
                Note(side, e.Frame, h.StreamId, Http2Note.Protocol($"HEADERS on stream {h.StreamId} after the {(side.IsClient ? "client" : "server")} ended it (STREAM_CLOSED)"));
        }
        if (!ok) side.Decoder.MarkFailed($"a malformed HEADERS frame in frame {e.Frame}");
        StartBlock(side, ref e, fragment, h.StreamId, h.StreamId, promise: false);
        if (stream is not null && h.HasFlag(Http2Flags.EndStream)) End(side, stream);
    }

    private void OnPushPromise(Side side, ref Http2FrameEvent e)
    {
        var h = e.Header;
        RequireStream(side, ref e);
        if (side.IsClient) Note(side, e.Frame, h.StreamId, Http2Note.Protocol("PUSH_PROMISE sent by the client"));
        else if (_client.Settings.EnablePush == 0) Note(side, e.Frame, h.StreamId, Http2Note.Protocol("PUSH_PROMISE although the client disabled push (SETTINGS_ENABLE_PUSH 0)"));
        bool ok = Unpad(side, ref e, 4, out var fields, out var rest);
        var fragment = ok ? e.Payload[rest] : default;
        e.HeaderBlockFragment = fragment;
        e.Stream = h.StreamId != 0 ? FindStream(h.StreamId) : null;
        int promised = 0;
        if (ok)
        {
            promised = (int)(BinaryPrimitives.ReadUInt32BigEndian(e.Payload[fields]) & 0x7fffffff);
            e.PromisedStreamId = promised;
            if (promised == 0 || promised % 2 == 1)
                Note(side, e.Frame, h.StreamId, Http2Note.Protocol($"PUSH_PROMISE promises stream {promised}, not a server stream"));
            if (promised != 0 && FindStream(promised) is null)
            {
                var pushed = GetOrCreate(promised, e.Frame, openedByClient: false);
                pushed.PromisedOn = h.StreamId;
                pushed.ClientEnded = true;
            }
        }
        else side.Decoder.MarkFailed($"a malformed PUSH_PROMISE frame in frame {e.Frame}");
        StartBlock(side, ref e, fragment, h.StreamId, promised, promise: true);
    }

    private void OnContinuation(Side side, ref Http2FrameEvent e)
    {
        var h = e.Header;
        RequireStream(side, ref e);
        e.HeaderBlockFragment = e.Payload;
        if (!side.BlockOpen)
        {
            Note(side, e.Frame, h.StreamId, new Http2Note(Http2NoteKeys.Continuation, Severity.Error, "Protocol",
                $"CONTINUATION on stream {h.StreamId} without a HEADERS or PUSH_PROMISE before it"));
            e.Stream = h.StreamId != 0 ? FindStream(h.StreamId) : null;
            return;
        }
        AppendBlock(side, ref e, e.Payload);
        e.Stream = side.BlockTarget != 0 ? FindStream(side.BlockTarget) : null;
        if (h.HasFlag(Http2Flags.EndHeaders)) FinishBlock(side, ref e, side.Block.AsSpan(0, side.BlockLength));
    }

    private void StartBlock(Side side, ref Http2FrameEvent e, scoped ReadOnlySpan<byte> fragment, int streamId, int target, bool promise)
    {
        side.BlockStream = streamId;
        side.BlockTarget = target;
        side.BlockIsPromise = promise;
        if (e.Header.HasFlag(Http2Flags.EndHeaders))
        {
            // The whole block is in this frame: decoded in place.
            FinishBlock(side, ref e, fragment);
            return;
        }
        side.BlockOpen = true;
        side.BlockLength = 0;
        side.BlockOverflow = false;
        AppendBlock(side, ref e, fragment);
    }

    private void AppendBlock(Side side, ref Http2FrameEvent e, scoped ReadOnlySpan<byte> fragment)
    {
        if (side.BlockOverflow) return;
        long need = (long)side.BlockLength + fragment.Length;
        if (need > Limits.MaxHeaderBlockSize)
        {
            side.BlockOverflow = true;
            side.BlockLength = 0;
            Note(side, e.Frame, side.BlockStream, Http2Note.Limit(
                $"Header block on stream {side.BlockStream} longer than the limit ({Limits.MaxHeaderBlockSize} bytes): not decoded"));
            ReturnBlock(side);
            return;
        }
        if (side.Block is null || side.Block.Length < need)
        {
            var larger = _pool.Rent((int)Math.Max(need, Math.Min(Limits.MaxHeaderBlockSize, Math.Max(4096L, (side.Block?.Length ?? 0) * 2L))));
            if (side.Block is not null)
            {
                side.Block.AsSpan(0, side.BlockLength).CopyTo(larger);
                _pool.Return(side.Block);
            }
            side.Block = larger;
        }
        fragment.CopyTo(side.Block.AsSpan(side.BlockLength));
        side.BlockLength += fragment.Length;
    }

    private void FinishBlock(Side side, ref Http2FrameEvent e, scoped ReadOnlySpan<byte> block)
    {
        if (side.BlockOverflow) side.Decoder.MarkFailed($"a header block longer than {Limits.MaxHeaderBlockSize} bytes was not decoded");
        var list = side.List;
        side.Decoder.Decode(side.BlockOverflow ? default : block, list);
        e.Headers = list;
        foreach (var note in list.Notes) Note(side, e.Frame, side.BlockTarget != 0 ? side.BlockTarget : side.BlockStream, note);
        var stream = side.BlockTarget != 0 ? FindStream(side.BlockTarget) : null;
        if (stream is not null) ApplyHeaders(side, stream, list, side.BlockIsPromise);
        side.BlockOpen = false;
        side.BlockOverflow = false;
        side.BlockLength = 0;
        ReturnBlock(side);
    }

    private void AbandonBlock(Side side, string reason)
    {
        side.Decoder.MarkFailed(reason);
        side.BlockOpen = false;
        side.BlockOverflow = false;
        side.BlockLength = 0;
        ReturnBlock(side);
    }

    private void ReturnBlock(Side side)
    {
        if (side.Block is null) return;
        _pool.Return(side.Block);
        side.Block = null;
    }

    private static void ApplyHeaders(Side side, Http2Stream stream, HpackHeaderList list, bool promise)
    {
        if (promise || side.IsClient)
        {
            stream.RequestSeen = true;
            stream.Method = list.GetString(":method"u8) ?? stream.Method;
            stream.Path = list.GetString(":path"u8) ?? stream.Path;
            stream.Authority = list.GetString(":authority"u8) ?? stream.Authority;
            stream.Scheme = list.GetString(":scheme"u8) ?? stream.Scheme;
            stream.RequestContentType = list.GetString("content-type"u8) ?? stream.RequestContentType;
            stream.RequestContentEncoding = list.GetString("content-encoding"u8) ?? stream.RequestContentEncoding;
        }
        else
        {
            stream.ResponseSeen = true;
            stream.Status = list.GetString(":status"u8) ?? stream.Status;
            stream.ResponseContentType = list.GetString("content-type"u8) ?? stream.ResponseContentType;
            stream.ResponseContentEncoding = list.GetString("content-encoding"u8) ?? stream.ResponseContentEncoding;
        }
    }

    private void OnPriority(Side side, ref Http2FrameEvent e)
    {
        RequireStream(side, ref e);
        RequireLength(side, ref e, 5);
        e.Stream = e.Header.StreamId != 0 ? FindStream(e.Header.StreamId) : null;
        if (e.Payload.Length < 5) return;
        var p = Http2Priority.Read(e.Payload);
        e.Priority = p;
        if (p.StreamDependency == e.Header.StreamId && p.StreamDependency != 0)
            Note(side, e.Frame, e.Header.StreamId, Http2Note.Protocol($"Stream {p.StreamDependency} depends on itself"));
    }

    private void OnRstStream(Side side, ref Http2FrameEvent e)
    {
        RequireStream(side, ref e);
        RequireLength(side, ref e, 4);
        var stream = e.Header.StreamId != 0 ? FindStream(e.Header.StreamId) : null;
        e.Stream = stream;
        if (e.Payload.Length < 4) return;
        e.ErrorCode = BinaryPrimitives.ReadUInt32BigEndian(e.Payload);
        if (stream is null) return;
        stream.ResetErrorCode = e.ErrorCode;
        stream.ResetByClient = side.IsClient;
    }

    private void OnPing(Side side, ref Http2FrameEvent e)
    {
        RequireConnection(side, ref e);
        RequireLength(side, ref e, 8);
        e.Opaque = e.Payload;
    }

    private void OnGoAway(Side side, ref Http2FrameEvent e)
    {
        RequireConnection(side, ref e);
        if (e.Payload.Length < 8)
        {
            Malformed(side, ref e, Http2Note.FrameSize($"GOAWAY frame of {e.Payload.Length} bytes; it must have at least 8"));
            return;
        }
        e.LastStreamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(e.Payload) & 0x7fffffff);
        e.ErrorCode = BinaryPrimitives.ReadUInt32BigEndian(e.Payload[4..]);
        e.Opaque = e.Payload[8..];
    }

    private void OnWindowUpdate(Side side, ref Http2FrameEvent e)
    {
        RequireLength(side, ref e, 4);
        int id = e.Header.StreamId;
        var stream = id != 0 ? FindStream(id) : null;
        e.Stream = stream;
        if (e.Payload.Length < 4) return;
        uint increment = BinaryPrimitives.ReadUInt32BigEndian(e.Payload) & 0x7fffffff;
        e.WindowIncrement = increment;
        if (increment == 0)
        {
            Note(side, e.Frame, id, Http2Note.Protocol($"WINDOW_UPDATE with an increment of 0 on stream {id}"));
            return;
        }
        // A side's WINDOW_UPDATE lets the other side send more.
        var grantee = side.Peer;
        if (id == 0)
        {
            grantee.SendWindow += increment;
            if (grantee.SendWindow > MaxWindow)
                Note(side, e.Frame, 0, FlowNote($"WINDOW_UPDATE takes the connection's flow-control window to {grantee.SendWindow}, above 2^31-1"));
            return;
        }
        if (stream is null) return;
        long window = grantee.IsClient ? stream.ClientToServerWindow += increment : stream.ServerToClientWindow += increment;
        if (window > MaxWindow)
            Note(side, e.Frame, id, FlowNote($"WINDOW_UPDATE takes stream {id}'s flow-control window to {window}, above 2^31-1"));
    }

    private void OnSettings(Side side, ref Http2FrameEvent e)
    {
        RequireConnection(side, ref e);
        var p = e.Payload;
        if (e.Header.HasFlag(Http2Flags.Ack))
        {
            if (p.Length != 0) Malformed(side, ref e, Http2Note.FrameSize($"SETTINGS ACK with a payload of {p.Length} bytes"));
            Acknowledge(side.Peer);
            return;
        }
        if (p.Length % 6 != 0)
            Malformed(side, ref e, Http2Note.FrameSize($"SETTINGS frame of {p.Length} bytes, not a multiple of 6"));
        var list = new Http2SettingsList(p[..(p.Length / 6 * 6)]);
        e.Settings = list;

        var s = side.Settings;
        s.Frames++;
        long tableSize = -1;
        for (int i = 0; i < list.Count; i++)
        {
            var (id, value) = list[i];
            switch ((Http2SettingId)id)
            {
                case Http2SettingId.HeaderTableSize:
                    s.HeaderTableSize = value;
                    tableSize = value;
                    break;
                case Http2SettingId.EnablePush:
                    if (value > 1) Note(side, e.Frame, 0, Http2Note.Protocol($"SETTINGS_ENABLE_PUSH of {value}; it must be 0 or 1"));
                    s.EnablePush = value;
                    break;
                case Http2SettingId.MaxConcurrentStreams:
                    s.MaxConcurrentStreams = value;
                    break;
                case Http2SettingId.InitialWindowSize:
                    if (value > MaxWindow)
                    {
                        Note(side, e.Frame, 0, FlowNote($"SETTINGS_INITIAL_WINDOW_SIZE of {value}, above 2^31-1"));
                        break;
                    }
                    ShiftStreamWindows(side, ref e, (long)value - s.InitialWindowSize);
                    s.InitialWindowSize = value;
                    break;
                case Http2SettingId.MaxFrameSize:
                    if (value is < 16384 or > Http2Names.MaxFrameLength)
                        Note(side, e.Frame, 0, Http2Note.Protocol($"SETTINGS_MAX_FRAME_SIZE of {value}, outside 16384 to 16777215"));
                    else s.MaxFrameSize = value;
                    break;
                case Http2SettingId.MaxHeaderListSize:
                    s.MaxHeaderListSize = value;
                    break;
                case Http2SettingId.EnableConnectProtocol:
                    if (value > 1) Note(side, e.Frame, 0, Http2Note.Protocol($"SETTINGS_ENABLE_CONNECT_PROTOCOL of {value}; it must be 0 or 1"));
                    s.EnableConnectProtocol = value;
                    break;
                case Http2SettingId.NoRfc7540Priorities:
                    if (value > 1) Note(side, e.Frame, 0, Http2Note.Protocol($"SETTINGS_NO_RFC7540_PRIORITIES of {value}; it must be 0 or 1"));
                    s.NoRfc7540Priorities = value;
                    break;
            }
        }

        if (side.Pending.Count >= Limits.MaxPendingSettings)
        {
            Note(side, e.Frame, 0, Http2Note.Limit($"More than {Limits.MaxPendingSettings} SETTINGS frames unacknowledged: the oldest is taken as acknowledged"));
            Acknowledge(side);
        }
        side.Pending.Enqueue(tableSize);
        UpdateTableLimit(side);
    }

    // The other side acknowledged `announcer`'s oldest unacknowledged SETTINGS.
    private void Acknowledge(Side announcer)
    {
        if (announcer.Pending.Count == 0) return;
        long tableSize = announcer.Pending.Dequeue();
        announcer.Settings.Acknowledged++;
        if (tableSize < 0)
        {
            UpdateTableLimit(announcer);
            return;
        }
        announcer.AckedTableSize = tableSize;
        UpdateTableLimit(announcer);
        var decoder = announcer.Peer.Decoder;
        if (tableSize < decoder.Table.MaxSize) decoder.PendingReducedSize = (int)tableSize;
    }

    // The other side's encoder may use up to the larger of the acknowledged and the announced sizes.
    private static void UpdateTableLimit(Side announcer)
    {
        long limit = announcer.AckedTableSize;
        foreach (long t in announcer.Pending) limit = Math.Max(limit, t);
        announcer.Peer.Decoder.SettingsMaxTableSize = (int)Math.Min(limit, int.MaxValue);
    }

    // `side` changed its SETTINGS_INITIAL_WINDOW_SIZE by `delta`: every window the other side sends into shifts by it.
    private void ShiftStreamWindows(Side side, ref Http2FrameEvent e, long delta)
    {
        if (delta == 0) return;
        bool noted = false;
        foreach (var stream in _streams.Values)
        {
            long window = side.IsClient ? stream.ServerToClientWindow += delta : stream.ClientToServerWindow += delta;
            if (window > MaxWindow && !noted)
            {
                noted = true;
                Note(side, e.Frame, stream.Id, FlowNote($"SETTINGS_INITIAL_WINDOW_SIZE takes stream {stream.Id}'s flow-control window to {window}, above 2^31-1"));
            }
        }
    }

    private Http2Stream GetOrCreate(int id, long frame, bool? openedByClient = null)
    {
        if (_streams.TryGetValue(id, out var stream))
        {
            stream.LastFrame = frame;
            return stream;
        }
        stream = new Http2Stream(id, openedByClient ?? (id & 1) == 1, frame)
        {
            ClientToServerWindow = _server.Settings.InitialWindowSize,
            ServerToClientWindow = _client.Settings.InitialWindowSize,
        };
        _streams[id] = stream;
        _streamOrder.Enqueue(stream);
        while (_streams.Count > Math.Max(1, Limits.MaxStreams) && _streamOrder.TryDequeue(out var oldest))
        {
            if (!_streams.TryGetValue(oldest.Id, out var current) || !ReferenceEquals(current, oldest)) continue;
            _streams.Remove(oldest.Id);
            StreamsForgotten++;
            if (oldest.State != Http2StreamState.Closed)
                Note(oldest.OpenedByClient ? _client : _server, frame, oldest.Id,
                    Http2Note.Limit($"Stream {oldest.Id} forgotten while {oldest.State}: more than {Limits.MaxStreams} streams tracked"));
        }
        return stream;
    }
}
