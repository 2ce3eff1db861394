using System.Buffers.Binary;

namespace HttpsFlow.Http.Http2;

/// <summary>A HEADERS or PRIORITY frame's priority fields (RFC 9113 §5.3.2, deprecated but still sent).</summary>
/// <param name="Exclusive">The E bit.</param>
/// <param name="StreamDependency">The stream this one depends on.</param>
/// <param name="Weight">The weight field (0–255; tshark's "Weight real" is one more).</param>
public readonly record struct Http2Priority(bool Exclusive, int StreamDependency, byte Weight)
{
    internal static Http2Priority Read(ReadOnlySpan<byte> five)
    {
        uint d = BinaryPrimitives.ReadUInt32BigEndian(five);
        return new Http2Priority((d & 0x80000000) != 0, (int)(d & 0x7fffffff), five[4]);
    }
}

/// <summary>One SETTINGS parameter.</summary>
public readonly record struct Http2Setting(ushort Id, uint Value)
{
    /// <summary>tshark's name for the identifier, or null when it has none.</summary>
    public string? Name => Http2Names.Setting(Id);
}

/// <summary>The parameters of a SETTINGS frame, read in place (6 octets each). Valid only while its span is.</summary>
public readonly ref struct Http2SettingsList
{
    private readonly ReadOnlySpan<byte> _bytes;

    internal Http2SettingsList(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public int Count => _bytes.Length / 6;

    public Http2Setting this[int index]
    {
        get
        {
            var e = _bytes.Slice(index * 6, 6);
            return new Http2Setting(BinaryPrimitives.ReadUInt16BigEndian(e), BinaryPrimitives.ReadUInt32BigEndian(e[2..]));
        }
    }

    /// <summary>The last value given for <paramref name="id"/> (the one that takes effect); false when absent.</summary>
    public bool TryGet(Http2SettingId id, out uint value)
    {
        value = 0;
        bool found = false;
        for (int i = 0; i < Count; i++)
        {
            var s = this[i];
            if (s.Id != (ushort)id) continue;
            value = s.Value;
            found = true;
        }
        return found;
    }
}

/// <summary>
/// One complete HTTP/2 frame with its payload decoded, as <see cref="IHttp2Sink.OnFrame"/> receives it. Spans (and
/// <see cref="Headers"/>, which is reused) are valid only during the call. Fields that do not belong to the frame's
/// type are empty or zero.
/// </summary>
public ref struct Http2FrameEvent
{
    /// <summary>The capture frame whose bytes completed this HTTP/2 frame.</summary>
    public long Frame { get; internal set; }

    /// <summary>Sent by the client.</summary>
    public bool FromClient { get; internal set; }

    /// <summary>Length, type, flags and stream identifier.</summary>
    public Http2FrameHeader Header { get; internal set; }

    /// <summary>Offset of the frame header in its direction's stream.</summary>
    public long StreamOffset { get; internal set; }

    /// <summary>The whole payload; empty when <see cref="PayloadSkipped"/>.</summary>
    public ReadOnlySpan<byte> Payload { get; internal set; }

    /// <summary>The payload was longer than the parser's limit and was not kept (a note says so).</summary>
    public bool PayloadSkipped { get; internal set; }

    /// <summary>The payload does not fit its type (a wrong length, padding past the end): what could be read is set, and a note says what is wrong.</summary>
    public bool Malformed { get; internal set; }

    /// <summary>DATA: the data without the padding.</summary>
    public ReadOnlySpan<byte> Data { get; internal set; }

    /// <summary>DATA, HEADERS, PUSH_PROMISE with the PADDED flag: the Pad Length field; -1 without the flag.</summary>
    public int PadLength { get; internal set; }

    /// <summary>HEADERS, PUSH_PROMISE, CONTINUATION: this frame's fragment of the header block.</summary>
    public ReadOnlySpan<byte> HeaderBlockFragment { get; internal set; }

    /// <summary>HEADERS with the PRIORITY flag, PRIORITY: the priority fields.</summary>
    public Http2Priority? Priority { get; internal set; }

    /// <summary>RST_STREAM, GOAWAY: the error code (<see cref="Http2Names.ErrorCode"/> names it).</summary>
    public uint ErrorCode { get; internal set; }

    /// <summary>SETTINGS: the parameters (none for an ACK).</summary>
    public Http2SettingsList Settings { get; internal set; }

    /// <summary>PING: the 8 octets of opaque data; GOAWAY: the additional debug data.</summary>
    public ReadOnlySpan<byte> Opaque { get; internal set; }

    /// <summary>GOAWAY: the last stream identifier.</summary>
    public int LastStreamId { get; internal set; }

    /// <summary>PUSH_PROMISE: the promised stream identifier.</summary>
    public int PromisedStreamId { get; internal set; }

    /// <summary>WINDOW_UPDATE: the window size increment.</summary>
    public uint WindowIncrement { get; internal set; }

    /// <summary>
    /// On the frame that ends a header block (HEADERS or PUSH_PROMISE with END_HEADERS, or the last CONTINUATION):
    /// the decoded header list of the whole block, with its status; otherwise null.
    /// </summary>
    public HpackHeaderList? Headers { get; internal set; }

    /// <summary>The stream the frame belongs to (for a header block ended by CONTINUATION, the block's stream); null for stream 0 or a stream not tracked.</summary>
    public Http2Stream? Stream { get; internal set; }

    /// <summary>The frame type's name as tshark shows it.</summary>
    public readonly string TypeName => Http2Names.FrameTypeOrUnknown(Header.Type);
}

/// <summary>A note raised while the connection was read, with where it was raised.</summary>
/// <param name="FromClient">The direction whose bytes raised it.</param>
/// <param name="Frame">The capture frame being read.</param>
/// <param name="StreamId">The HTTP/2 stream concerned (0 for the connection).</param>
/// <param name="Note">The note.</param>
public readonly record struct Http2NoteEvent(bool FromClient, long Frame, int StreamId, Http2Note Note);

/// <summary>What an <see cref="Http2Connection"/> reports, in the order the bytes give it.</summary>
public interface IHttp2Sink
{
    /// <summary>The client connection preface ("Magic").</summary>
    void OnMagic(bool fromClient, long frame)
    {
    }

    /// <summary>A complete frame, its payload decoded. The notes about it arrive before it.</summary>
    void OnFrame(in Http2FrameEvent frame);

    /// <summary>A problem: a malformed frame, a protocol violation, an HPACK error, a limit reached.</summary>
    void OnNote(in Http2NoteEvent note)
    {
    }
}
