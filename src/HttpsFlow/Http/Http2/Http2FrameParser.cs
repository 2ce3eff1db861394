using System.Buffers;
using System.Buffers.Binary;
using HttpsFlow.Common;

namespace HttpsFlow.Http.Http2;

/// <summary>The 9-octet header every HTTP/2 frame starts with (RFC 9113 §4.1).</summary>
/// <param name="Length">The payload length (24 bits).</param>
/// <param name="Type">The frame type; unknown types are kept as their number.</param>
/// <param name="Flags">The flag bits (<see cref="Http2Flags"/>).</param>
/// <param name="StreamId">The stream identifier, the reserved bit masked off.</param>
/// <param name="Reserved">The reserved bit was set (it must be ignored, and tshark shows it).</param>
public readonly record struct Http2FrameHeader(int Length, byte Type, byte Flags, int StreamId, bool Reserved)
{
    public const int Size = 9;

    public Http2FrameType FrameType => (Http2FrameType)Type;

    public bool HasFlag(byte flag) => (Flags & flag) != 0;

    /// <summary>Reads a frame header from the first 9 octets of <paramref name="bytes"/>.</summary>
    public static Http2FrameHeader Read(ReadOnlySpan<byte> bytes)
    {
        int length = bytes[0] << 16 | bytes[1] << 8 | bytes[2];
        uint id = BinaryPrimitives.ReadUInt32BigEndian(bytes[5..]);
        return new Http2FrameHeader(length, bytes[3], bytes[4], (int)(id & 0x7fffffff), (id & 0x80000000) != 0);
    }
}

/// <summary>A complete frame as the <see cref="Http2FrameParser"/> delivers it. Spans are valid only during the call.</summary>
public readonly ref struct Http2RawFrame
{
    internal Http2RawFrame(long frame, in Http2FrameHeader header, ReadOnlySpan<byte> payload, bool payloadSkipped, long streamOffset)
    {
        Frame = frame;
        Header = header;
        Payload = payload;
        PayloadSkipped = payloadSkipped;
        StreamOffset = streamOffset;
    }

    /// <summary>The capture frame whose bytes completed this HTTP/2 frame.</summary>
    public long Frame { get; }
    public Http2FrameHeader Header { get; }
    /// <summary>The payload (<see cref="Http2FrameHeader.Length"/> octets), or empty when it was skipped.</summary>
    public ReadOnlySpan<byte> Payload { get; }
    /// <summary>The payload was longer than the parser's limit: its bytes were consumed, not kept.</summary>
    public bool PayloadSkipped { get; }
    /// <summary>Offset of the frame header in the direction's byte stream (the preface counts).</summary>
    public long StreamOffset { get; }
}

/// <summary>What an <see cref="Http2FrameParser"/> reports.</summary>
public interface IHttp2FrameSink
{
    /// <summary>The client connection preface ("Magic") was read, completed by <paramref name="frame"/>.</summary>
    void OnMagic(long frame);

    /// <summary>A frame is complete.</summary>
    void OnFrame(in Http2RawFrame frame);

    /// <summary>A problem with the byte stream itself (a frame over the limit, a preface that is not one, lost bytes).</summary>
    void OnNote(long frame, in Http2Note note);
}

/// <summary>
/// Cuts one direction of an HTTP/2 connection into frames (RFC 9113 §4), from bytes arriving in chunks of any size
/// (a TLS record's plaintext at a time): a frame may span chunks, a chunk may hold several frames, and the frames
/// that come out are the same however the bytes are cut.
/// </summary>
/// <remarks>
/// <para><b>Preface.</b> For the client direction (<c>expectPreface</c>) the stream must start with
/// <c>PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n</c>, reported as <see cref="IHttp2FrameSink.OnMagic"/>. Bytes that do not start
/// with it are read as frames at once (a capture that began mid-connection); bytes that start like it and then differ
/// get a note and are read as frames too.</para>
/// <para><b>Buffering.</b> A frame wholly inside a chunk is delivered straight from the chunk's span. Only a frame that
/// continues into a later chunk is copied, into one buffer rented from the pool and returned once the frame is
/// delivered; so at most one frame's payload is held. A frame longer than <see cref="MaxFrameLength"/> (default the
/// protocol's maximum, 2^24-1) is not held: a note, its bytes are consumed as they come, and it is delivered with
/// <see cref="Http2RawFrame.PayloadSkipped"/> and an empty payload.</para>
/// <para><b>Lost bytes.</b> HTTP/2 frames cannot be found again after missing bytes, so after <see cref="Gap"/> the
/// parser ignores the rest of the direction (one note).</para>
/// <para>Nothing here throws on any input. Not thread-safe; the sink must not feed the parser from its callbacks.</para>
/// </remarks>
public sealed class Http2FrameParser : IDisposable
{
    private readonly IHttp2FrameSink _sink;
    private readonly ArrayPool<byte> _pool;
    private readonly byte[] _head = new byte[Http2FrameHeader.Size];
    private int _headLength;
    private bool _expectingPreface;
    private int _prefaceMatched;
    private Http2FrameHeader _header;
    private bool _inPayload;
    private byte[]? _payload;
    private int _payloadLength;
    private long _skipRemaining;
    private bool _skipping;
    private long _frameStart;
    private long _offset;
    private bool _lost;

    public Http2FrameParser(IHttp2FrameSink sink, bool expectPreface, int maxFrameLength = Http2Names.MaxFrameLength, ArrayPool<byte>? pool = null)
    {
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _expectingPreface = expectPreface;
        MaxFrameLength = Math.Clamp(maxFrameLength, 0, Http2Names.MaxFrameLength);
        _pool = pool ?? ArrayPool<byte>.Shared;
    }

    /// <summary>The longest payload held to be delivered whole; longer frames are skipped with a note.</summary>
    public int MaxFrameLength { get; }

    /// <summary>The connection preface was read.</summary>
    public bool PrefaceSeen { get; private set; }

    /// <summary>Frames delivered so far.</summary>
    public long FrameCount { get; private set; }

    /// <summary>Bytes of the direction consumed so far.</summary>
    public long Offset => _offset;

    /// <summary>Bytes of an incomplete frame held.</summary>
    public int BufferedBytes => _headLength + (_inPayload ? _payloadLength : 0);

    /// <summary>The direction lost bytes (<see cref="Gap"/>); nothing more is parsed.</summary>
    public bool Lost => _lost;

    /// <summary>Feeds the next bytes of the direction, carried by capture frame <paramref name="frame"/>.</summary>
    public void Feed(ReadOnlySpan<byte> data, long frame)
    {
        if (_lost) return;
        if (_expectingPreface && !data.IsEmpty)
        {
            var preface = Http2Names.Preface;
            int n = Math.Min(preface.Length - _prefaceMatched, data.Length);
            int common = data[..n].CommonPrefixLength(preface.Slice(_prefaceMatched, n));
            if (common == n)
            {
                _prefaceMatched += n;
                _offset += n;
                data = data[n..];
                if (_prefaceMatched == preface.Length)
                {
                    _expectingPreface = false;
                    PrefaceSeen = true;
                    _sink.OnMagic(frame);
                }
                if (data.IsEmpty) return;
            }
            else
            {
                _expectingPreface = false;
                if (_prefaceMatched + common > 0)
                    _sink.OnNote(frame, new Http2Note(Http2NoteKeys.Preface, Severity.Warning, "Protocol",
                        $"The client's bytes begin like the connection preface but differ at byte {_prefaceMatched + common}"));
                // The bytes held back while they matched are frame bytes after all.
                int matched = _prefaceMatched;
                _prefaceMatched = 0;
                _offset -= matched;
                Process(preface[..matched], frame);
            }
        }
        Process(data, frame);
    }

    /// <summary>Bytes of the direction are missing: the frame in progress is dropped and nothing more is parsed.</summary>
    public void Gap(long frame)
    {
        if (_lost) return;
        _lost = true;
        _expectingPreface = false;
        _sink.OnNote(frame, Http2Note.Limit($"Bytes missing from the HTTP/2 stream after offset {_offset}: later frames are not parsed"));
        ReturnPayload();
        _headLength = 0;
        _inPayload = _skipping = false;
    }

    public void Dispose() => ReturnPayload();

    private void Process(ReadOnlySpan<byte> data, long frame)
    {
        int pos = 0;
        while (pos < data.Length)
        {
            if (_skipping)
            {
                int n = (int)Math.Min(_skipRemaining, data.Length - pos);
                pos += n;
                _offset += n;
                _skipRemaining -= n;
                if (_skipRemaining == 0)
                {
                    _skipping = false;
                    Deliver(frame, default, skipped: true);
                }
                continue;
            }

            if (_inPayload)
            {
                int n = Math.Min(_header.Length - _payloadLength, data.Length - pos);
                data.Slice(pos, n).CopyTo(_payload.AsSpan(_payloadLength));
                _payloadLength += n;
                pos += n;
                _offset += n;
                if (_payloadLength == _header.Length)
                {
                    _inPayload = false;
                    Deliver(frame, _payload.AsSpan(0, _payloadLength), skipped: false);
                    ReturnPayload();
                }
                continue;
            }

            // A frame header.
            bool direct = _headLength == 0 && data.Length - pos >= Http2FrameHeader.Size;
            if (direct)
            {
                _header = Http2FrameHeader.Read(data[pos..]);
                _frameStart = _offset;
                pos += Http2FrameHeader.Size;
                _offset += Http2FrameHeader.Size;
            }
            else
            {
                if (_headLength == 0) _frameStart = _offset;
                int n = Math.Min(Http2FrameHeader.Size - _headLength, data.Length - pos);
                data.Slice(pos, n).CopyTo(_head.AsSpan(_headLength));
                _headLength += n;
                pos += n;
                _offset += n;
                if (_headLength < Http2FrameHeader.Size) continue;
                _header = Http2FrameHeader.Read(_head);
                _headLength = 0;
            }

            int length = _header.Length;
            if (length > MaxFrameLength)
            {
                _sink.OnNote(frame, Http2Note.Limit($"{Http2Names.FrameTypeOrUnknown(_header.Type)} frame of {length} bytes is longer than the limit ({MaxFrameLength}): payload skipped"));
                _skipping = true;
                _skipRemaining = length;
                continue;
            }
            if (data.Length - pos >= length)
            {
                // Wholly in this chunk: no copy.
                Deliver(frame, data.Slice(pos, length), skipped: false);
                pos += length;
                _offset += length;
                continue;
            }
            _payload = _pool.Rent(Math.Max(length, 1));
            _payloadLength = 0;
            _inPayload = true;
        }
    }

    private void Deliver(long frame, ReadOnlySpan<byte> payload, bool skipped)
    {
        FrameCount++;
        _sink.OnFrame(new Http2RawFrame(frame, _header, payload, skipped, _frameStart));
    }

    private void ReturnPayload()
    {
        if (_payload is null) return;
        _pool.Return(_payload);
        _payload = null;
        _payloadLength = 0;
    }
}
