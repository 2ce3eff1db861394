using System.Buffers;
using System.Runtime.InteropServices;
using HttpsFlow.Common;

namespace HttpsFlow.Http.Http1;

/// <summary>
/// Reads one direction of an HTTP/1.x connection (RFC 9112) as its bytes arrive, in chunks of any size (normally the
/// plaintext of one TLS record at a time, in stream order), and tells a sink of each message: when its header block
/// is complete and when the message is. The messages that come out are the same however the stream is cut.
/// </summary>
/// <remarks>
/// <para><b>Framing</b> follows RFC 9112 §6.3: a response to HEAD, a 1xx, 204 or 304 has no body, a 2xx to CONNECT
/// and a 101 end HTTP/1 on the connection; Transfer-Encoding ending in chunked wins over Content-Length (with a
/// note); then Content-Length; then a request has no body and a response runs until <see cref="Close"/>. The
/// response parser learns the request methods from a <see cref="Http1MethodQueue"/> the request parser fills
/// (<see cref="CreatePair"/>). Several messages in one chunk (pipelining) and interim responses (100 Continue) are
/// read one after the other.</para>
/// <para><b>Tolerance.</b> Bare LF line ends, empty lines before a start line, obsolete line folding and whitespace
/// before a header's colon are accepted (the last two with a note). A start line that is not HTTP/1, a header block
/// over the limit, a bad chunk size or an invalid Content-Length end the message with a note; the parser then skips
/// to the next line that starts like a request or response (resynchronises), noting how many bytes it skipped.</para>
/// <para><b>Bounds.</b> Everything held between calls is under <see cref="Http1Limits"/>
/// (<see cref="Http1Limits.MaxBufferedBytes"/>), in buffers rented from the shared pool and returned when the
/// message is done; every input byte is looked at a bounded number of times, so time is linear in the input.</para>
/// <para>Nothing here throws on any input: problems are <see cref="Http1Note"/>s. Not thread-safe.</para>
/// </remarks>
public sealed class Http1Parser : IDisposable
{
    /// <summary>Bytes looked at, at the start of a line, to decide whether a message starts there while resynchronising.</summary>
    public const int ProbeBytes = 32;

    private enum State : byte { Start, Head, Body, ChunkLine, ChunkData, ChunkEnd, Trailers, UntilClose, Probe, SkipLine, Tunnel, GivenUp, Closed }

    private enum After : byte { Next, Resync, MaybeTunnel, Tunnel }

    private readonly IHttp1Sink _sink;
    private readonly Http1Limits _limits;
    private readonly Http1MethodQueue? _methods;
    private State _state = State.Start;
    private long _offset;
    private long _lastFrame = -1;
    private bool _inSink;

    // The message in progress.
    private bool _inMessage;
    private bool _startChecked;
    private long _messagesReported;
    private long _index = -1;
    private After _after;
    private long[] _frames = new long[4];
    private int _framesListed;
    private readonly List<Http1Note> _notes = [];
    private int _notesDropped;
    private byte[]? _body;
    private int _bodyKept;
    private bool _bodyNoted;
    private long _remaining;
    private bool _chunkCr;
    private bool _chunkCrlfNoted;
    private byte[]? _line;
    private int _lineLength;
    private Http1Coding[] _codings = []; // grown when a message has codings (most have none)
    private int _codingCount;
    private string? _unknownCoding;
    private bool _tooManyCodings;

    // Resynchronising.
    private byte[]? _probe; // only while resynchronising
    private int _probeLength;
    private long _probeFrame, _probeOffset;
    private long _skipped;
    private bool _skippingTunnel;
    private bool _switched;
    private bool _gaveUp;
    private long _tunnelBytes;

    public Http1Parser(Http1Direction direction, IHttp1Sink sink, Http1MethodQueue? methods = null, Http1Limits? limits = null)
    {
        Direction = direction;
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _methods = methods;
        _limits = limits ?? Http1Limits.Default;
    }

    /// <summary>
    /// A request parser and a response parser for the two directions of one connection, linked by a new
    /// <see cref="Http1MethodQueue"/> so that responses are matched with the requests' methods.
    /// </summary>
    public static (Http1Parser Requests, Http1Parser Responses) CreatePair(IHttp1Sink requestSink, IHttp1Sink responseSink, Http1Limits? limits = null)
    {
        var queue = new Http1MethodQueue();
        return (new Http1Parser(Http1Direction.Requests, requestSink, queue, limits), new Http1Parser(Http1Direction.Responses, responseSink, queue, limits));
    }

    public Http1Direction Direction { get; }

    public Http1Limits Limits => _limits;

    /// <summary>The queue shared with the other direction, if any.</summary>
    public Http1MethodQueue? Methods => _methods;

    /// <summary>
    /// Bytes held for an unfinished message: header block, trailer section, chunk-size line, kept body, and the few
    /// bytes looked at while resynchronising. Never more than <see cref="Http1Limits.MaxBufferedBytes"/>.
    /// </summary>
    public long BufferedBytes => (long)Head.Length + Trailers.Length + _lineLength + _bodyKept + _probeLength;

    /// <summary>True between a message's first byte and its end.</summary>
    public bool InMessage => _inMessage;

    /// <summary>Messages reported so far (interim responses included).</summary>
    public long MessageCount => _messagesReported;

    /// <summary>Bytes fed so far (the stream offset of the next byte).</summary>
    public long Offset => _offset;

    /// <summary>Bytes not parsed because the connection switched protocols (or a CONNECT or Upgrade request seemed to).</summary>
    public long TunnelBytes => _tunnelBytes;

    /// <summary>True once the connection switched protocols: everything after is counted (<see cref="TunnelBytes"/>), not parsed.</summary>
    public bool IsTunnel => _switched;

    /// <summary>True when the parser stopped because of a bug of its own (a <see cref="Http1NoteKeys.Bug"/> note said so).</summary>
    public bool GaveUp => _gaveUp;

    /// <summary>True after <see cref="Close"/>.</summary>
    public bool IsClosed => _state == State.Closed;

    // ---- what the message event reads ----
    internal HeaderBlock Head { get; } = new();
    internal HeaderBlock Trailers { get; } = new();
    internal long MessageIndex => _index;
    internal Range MethodRange, TargetRange, VersionRange, ReasonRange;
    internal int Major, Minor, Status;
    internal string? MatchedMethod;
    internal long StartOffset, HeadersEndOffset;
    internal long FirstFrame, HeadersFrame, CompleteFrame;
    internal int FrameTotal;
    internal long LastMessageFrame;
    internal Http1BodyKind BodyKind;
    internal long ContentLength;
    internal long BodyTotal;
    internal long ChunkCount;
    internal ReadOnlySpan<long> FrameList => _frames.AsSpan(0, _framesListed);
    internal ReadOnlySpan<byte> BodyKept => _body is null ? default : _body.AsSpan(0, _bodyKept);
    internal ReadOnlySpan<Http1Note> MessageNotes => CollectionsMarshal.AsSpan(_notes);
    internal ReadOnlySpan<byte> Part(Range r) => Head.FirstLine[r];

    /// <summary>Feeds the next bytes of the direction, carried by frame <paramref name="frameNumber"/>.</summary>
    public void Feed(ReadOnlySpan<byte> data, long frameNumber)
    {
        if (_state == State.Closed || data.IsEmpty) return;
        _lastFrame = frameNumber;
        try
        {
            if (_inMessage) TouchFrame(frameNumber);
            while (!data.IsEmpty)
            {
                var before = _state;
                int used = _state switch
                {
                    State.Start => OnStart(data, frameNumber),
                    State.Head => OnHead(data, frameNumber),
                    State.Body => OnBody(data, frameNumber, State.Body),
                    State.ChunkLine => OnChunkLine(data, frameNumber),
                    State.ChunkData => OnBody(data, frameNumber, State.ChunkData),
                    State.ChunkEnd => OnChunkEnd(data, frameNumber),
                    State.Trailers => OnTrailers(data, frameNumber),
                    State.UntilClose => OnUntilClose(data),
                    State.Probe => OnProbe(data, frameNumber),
                    State.SkipLine => OnSkipLine(data),
                    State.Tunnel => OnTunnel(data),
                    _ => data.Length, // given up after a bug of ours
                };
                if (used == 0 && _state == before) throw new InvalidOperationException($"no progress in state {before}");
                data = data[used..];
                _offset += used;
            }
        }
        catch (Exception e) when (!_inSink)
        {
            GiveUp(e, frameNumber);
        }
    }

    /// <summary>
    /// The direction ended (FIN, RST or the end of the capture): a response read until close is complete; a message
    /// still waiting for bytes is reported cut short, with a note. Later <see cref="Feed"/> calls are ignored.
    /// </summary>
    public void Close(long frameNumber = -1)
    {
        if (_state == State.Closed) return;
        if (frameNumber < 0) frameNumber = _lastFrame;
        try
        {
            switch (_state)
            {
                case State.Head:
                    OutsideNote(Http1NoteKeys.Incomplete, Severity.Warning, "Malformed",
                        $"the stream ended inside a header block ({Head.Length} bytes): message dropped", frameNumber);
                    EndMessage();
                    break;
                case State.UntilClose:
                    Complete(frameNumber, cut: false);
                    break;
                case State.Body or State.ChunkLine or State.ChunkData or State.ChunkEnd or State.Trailers:
                    Note(Http1NoteKeys.Incomplete, Severity.Warning, "Malformed", $"the stream ended inside the message ({Missing()})");
                    Complete(frameNumber, cut: true);
                    break;
            }
            FlushSkipped(frameNumber);
            if (_tunnelBytes > 0)
                OutsideNote(Http1NoteKeys.Tunnel, Severity.Chat, "Protocol", $"{_tunnelBytes} bytes after the switch of protocols not parsed as HTTP/1", frameNumber);
        }
        catch (Exception e) when (!_inSink)
        {
            GiveUp(e, frameNumber);
        }
        Release();
        _state = State.Closed;
    }

    /// <summary>
    /// Bytes of the direction are missing (a hole the TCP layer could not fill): the message in progress is reported
    /// cut short, and the parser looks for the next start line in what follows.
    /// </summary>
    public void Gap(long frameNumber)
    {
        if (_state is State.Closed or State.Tunnel or State.GivenUp) return;
        try
        {
            if (_state == State.Head)
            {
                OutsideNote(Http1NoteKeys.Incomplete, Severity.Warning, "Malformed", $"bytes missing inside a header block ({Head.Length} bytes seen): message dropped", frameNumber);
                EndMessage();
            }
            else if (_inMessage)
            {
                Note(Http1NoteKeys.Incomplete, Severity.Warning, "Malformed", $"bytes missing from the stream inside the message ({Missing()})");
                _after = After.Resync;
                Complete(frameNumber, cut: true);
            }
            if (_state != State.Tunnel) ToProbe(tunnel: _state == State.Probe && _skippingTunnel);
        }
        catch (Exception e) when (!_inSink)
        {
            GiveUp(e, frameNumber);
        }
    }

    public void Dispose() => Release();

    private string Missing() => BodyKind switch
    {
        Http1BodyKind.ContentLength => $"{BodyTotal} of {ContentLength} body bytes",
        Http1BodyKind.Chunked => $"{BodyTotal} body bytes in {ChunkCount} chunks, no last chunk",
        _ => $"{BodyTotal} body bytes",
    };

    // ---- states ----

    private int OnStart(ReadOnlySpan<byte> data, long frame)
    {
        // RFC 9112 §2.2: empty lines before a start line are ignored.
        int i = 0;
        while (i < data.Length && data[i] is (byte)'\r' or (byte)'\n') i++;
        if (i < data.Length) BeginMessage(frame, _offset + i);
        return i;
    }

    private int OnHead(ReadOnlySpan<byte> data, long frame)
    {
        bool checking = !_startChecked;
        int used = Head.Append(data, _limits.HeaderBytes, stopAfterFirstLine: checking, out bool complete, out bool overflow);
        if (overflow)
        {
            HeadTooLong(frame);
            return used;
        }
        if (checking && Head.FirstLineDone)
        {
            if (!ReadStartLine(frame)) return used;
            _startChecked = true;
        }
        if (complete)
        {
            HeadersEndOffset = _offset + used;
            HeadersFrame = frame;
            _offset += used; // so that the events see the offset past the block
            try
            {
                HeadComplete(frame);
            }
            finally
            {
                _offset -= used;
            }
        }
        return used;
    }

    private int OnBody(ReadOnlySpan<byte> data, long frame, State state)
    {
        int n = (int)Math.Min(_remaining, data.Length);
        Keep(data[..n], frame);
        _remaining -= n;
        if (_remaining == 0)
        {
            if (state == State.ChunkData)
            {
                _state = State.ChunkEnd;
                _chunkCr = false;
            }
            else CompleteAt(n, frame);
        }
        return n;
    }

    private int OnUntilClose(ReadOnlySpan<byte> data)
    {
        Keep(data, _lastFrame);
        return data.Length;
    }

    private int OnChunkLine(ReadOnlySpan<byte> data, long frame)
    {
        int nl = data.IndexOf((byte)'\n');
        int take = nl < 0 ? data.Length : nl + 1;
        int max = _limits.ChunkLineBytes;
        if (take > max - _lineLength)
        {
            Note(Http1NoteKeys.BadChunk, Severity.Error, "Malformed", $"chunk-size line longer than {max} bytes");
            _after = After.Resync;
            _lineLength = 0;
            CompleteAt(0, frame, cut: true);
            _state = State.SkipLine;
            return 0;
        }
        if (_line is null || _line.Length < _lineLength + take)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(max, Math.Max(_lineLength + take, 64)));
            if (_line is not null)
            {
                _line.AsSpan(0, _lineLength).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_line);
            }
            _line = bigger;
        }
        data[..take].CopyTo(_line.AsSpan(_lineLength));
        _lineLength += take;
        if (nl < 0) return take;

        var line = Http1Text.WithoutEol(_line.AsSpan(0, _lineLength));
        long size = ReadChunkSize(line, out string? problem);
        if (problem is not null)
        {
            Note(Http1NoteKeys.BadChunk, Severity.Error, "Malformed", $"{problem}: \"{Http1Text.Show(line)}\"");
            _lineLength = 0;
            _after = After.Resync;
            CompleteAt(take, frame, cut: true);
            return take;
        }
        _lineLength = 0;
        if (size == 0)
        {
            _state = State.Trailers;
            return take;
        }
        ChunkCount++;
        _remaining = size;
        _state = State.ChunkData;
        return take;
    }

    // chunk-size [ BWS ";" chunk-ext ] (RFC 9112 §7.1): hex digits, then optional extensions, which are not kept.
    private static long ReadChunkSize(ReadOnlySpan<byte> line, out string? problem)
    {
        problem = null;
        int i = 0;
        long size = 0;
        while (i < line.Length && HexValue(line[i]) is var d && d >= 0)
        {
            if (size > (long.MaxValue >> 4))
            {
                problem = "chunk size too large";
                return -1;
            }
            size = (size << 4) | (uint)d;
            i++;
        }
        if (i == 0)
        {
            problem = "bad chunk size";
            return -1;
        }
        while (i < line.Length && Http1Text.IsWhite(line[i])) i++;
        if (i < line.Length && line[i] != (byte)';')
        {
            problem = "bad chunk size";
            return -1;
        }
        return size;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private int OnChunkEnd(ReadOnlySpan<byte> data, long frame)
    {
        byte b = data[0];
        if (b == (byte)'\r' && !_chunkCr)
        {
            _chunkCr = true;
            return 1;
        }
        _state = State.ChunkLine;
        if (b == (byte)'\n') return 1;
        if (!_chunkCrlfNoted)
        {
            _chunkCrlfNoted = true;
            Note(Http1NoteKeys.BadChunk, Severity.Warning, "Malformed", "chunk data not followed by CRLF");
        }
        return 0;
    }

    private int OnTrailers(ReadOnlySpan<byte> data, long frame)
    {
        int used = Trailers.Append(data, _limits.HeaderBytes, stopAfterFirstLine: false, out bool complete, out bool overflow);
        if (overflow)
        {
            Note(Http1NoteKeys.HeaderTooLong, Severity.Error, "Malformed", $"trailer section longer than {_limits.HeaderBytes} bytes");
            _after = After.Resync;
            CompleteAt(used, frame, cut: true);
            _state = State.SkipLine;
            return used;
        }
        if (complete)
        {
            Trailers.ParseFields(hasStartLine: false, _limits.HeaderCount, this, "Trailer field");
            CompleteAt(used, frame);
        }
        return used;
    }

    private int OnProbe(ReadOnlySpan<byte> data, long frame)
    {
        if (_skippingTunnel && _methods is { Tunnelled: true })
        {
            FlushSkipped(frame);
            EnterTunnel();
            return 0;
        }
        int i = 0;
        while (i < data.Length)
        {
            byte b = data[i++];
            if (_probeLength == 0)
            {
                if (b is (byte)'\r' or (byte)'\n')
                {
                    _skipped++;
                    continue;
                }
                _probeFrame = frame;
                _probeOffset = _offset + i - 1;
            }
            (_probe ??= new byte[ProbeBytes])[_probeLength++] = b;
            var verdict = Direction == Http1Direction.Requests
                ? Http1Detector.ProbeRequest(_probe.AsSpan(0, _probeLength), wholeLine: false)
                : Http1Detector.ProbeResponse(_probe.AsSpan(0, _probeLength));
            if (verdict == Http1Detector.Probe.NeedMore && _probeLength < ProbeBytes) continue;
            if (verdict == Http1Detector.Probe.Yes)
            {
                int probeLength = _probeLength;
                _probeLength = 0;
                FlushSkipped(frame);
                _probeLength = probeLength;
                BeginMessage(_probeFrame, _probeOffset);
                if (_probeFrame != frame) TouchFrame(frame);
                var probe = _probe.AsSpan(0, _probeLength);
                _probeLength = 0;
                Head.Append(probe, _limits.HeaderBytes, stopAfterFirstLine: true, out _, out _);
                return i;
            }
            _skipped += _probeLength;
            _probeLength = 0;
            if (b != (byte)'\n')
            {
                _state = State.SkipLine;
                return i;
            }
        }
        return i;
    }

    private int OnSkipLine(ReadOnlySpan<byte> data)
    {
        int nl = data.IndexOf((byte)'\n');
        int take = nl < 0 ? data.Length : nl + 1;
        _skipped += take;
        if (nl >= 0) _state = State.Probe;
        return take;
    }

    private int OnTunnel(ReadOnlySpan<byte> data)
    {
        _tunnelBytes += data.Length;
        return data.Length;
    }

    // ---- messages ----

    private void BeginMessage(long frame, long offset)
    {
        _inMessage = true;
        _startChecked = false;
        _index++;
        _state = State.Head;
        _after = After.Next;
        StartOffset = HeadersEndOffset = offset;
        FirstFrame = HeadersFrame = frame;
        CompleteFrame = -1;
        _framesListed = 0;
        FrameTotal = 0;
        TouchFrame(frame);
        MethodRange = TargetRange = VersionRange = ReasonRange = default;
        Major = Minor = Status = 0;
        MatchedMethod = null;
        BodyKind = Http1BodyKind.None;
        ContentLength = -1;
        BodyTotal = 0;
        ChunkCount = 0;
        _remaining = 0;
        _bodyNoted = _chunkCrlfNoted = false;
        _codingCount = 0;
        _unknownCoding = null;
        _tooManyCodings = false;
    }

    private void TouchFrame(long frame)
    {
        if (FrameTotal > 0 && LastMessageFrame == frame) return;
        FrameTotal++;
        LastMessageFrame = frame;
        int max = _limits.FramesListed;
        if (_framesListed >= max) return;
        if (_framesListed == _frames.Length) Array.Resize(ref _frames, Math.Min(max, _frames.Length * 2));
        _frames[_framesListed++] = frame;
    }

    /// <summary>Checks the start line as soon as it is complete; false (and the message is dropped) when it is not HTTP/1.</summary>
    private bool ReadStartLine(long frame)
    {
        var line = Head.FirstLine;
        if (Direction == Http1Direction.Requests && line.SequenceEqual("PRI * HTTP/2.0"u8))
        {
            OutsideNote(Http1NoteKeys.Tunnel, Severity.Chat, "Protocol", "HTTP/2 connection preface: the rest of the stream is not HTTP/1", frame);
            _tunnelBytes += Head.Length; // counted from the preface's first byte; the rest of the stream follows
            EndMessage();
            _index--;
            EnterTunnel();
            return false;
        }
        string? problem = Direction == Http1Direction.Requests ? ReadRequestLine(line) : ReadStatusLine(line);
        if (problem is null) return true;
        OutsideNote(Http1NoteKeys.BadStartLine, Severity.Error, "Malformed", $"{problem}: \"{Http1Text.Show(line)}\"", frame);
        _skipped += Head.Length;
        EndMessage();
        _index--;
        ToProbe(tunnel: false);
        return false;
    }

    private string? ReadRequestLine(ReadOnlySpan<byte> line)
    {
        // method SP request-target SP HTTP-version, read on runs of whitespace (RFC 9112 §3).
        while (line.Length > 0 && Http1Text.IsWhite(line[^1])) line = line[..^1];
        int m = 0;
        while (m < line.Length && Http1Text.IsTokenChar(line[m])) m++;
        if (m == 0) return "not an HTTP/1 request line";
        if (m == line.Length || !Http1Text.IsWhite(line[m])) return "not an HTTP/1 request line (bad method)";
        int t = m;
        while (t < line.Length && Http1Text.IsWhite(line[t])) t++;
        int v = line.Length;
        while (v > t && !Http1Text.IsWhite(line[v - 1])) v--;
        if (v <= t) return "request line without an HTTP version";
        int te = v;
        while (te > t && Http1Text.IsWhite(line[te - 1])) te--;
        if (!ReadVersion(line[v..], out Major, out Minor)) return "request line without an HTTP version";
        MethodRange = 0..m;
        TargetRange = t..te;
        VersionRange = v..line.Length;
        if (line[t..te].IndexOfAny((byte)' ', (byte)'\t') >= 0)
            Note(Http1NoteKeys.BadStartLine, Severity.Warning, "Malformed", "whitespace inside the request-target");
        if (Major != 1) Note(Http1NoteKeys.Version, Severity.Warning, "Protocol", $"HTTP version {Major}.{Minor} in an HTTP/1 stream");
        return null;
    }

    private string? ReadStatusLine(ReadOnlySpan<byte> line)
    {
        // HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4); the space before an empty reason may be missing.
        int sp = line.IndexOfAny((byte)' ', (byte)'\t');
        if (sp < 0 || !ReadVersion(line[..sp], out Major, out Minor)) return "not an HTTP/1 status line";
        int c = sp;
        while (c < line.Length && Http1Text.IsWhite(line[c])) c++;
        if (line.Length - c < 3 || !IsDigits(line.Slice(c, 3)) || (line.Length > c + 3 && !Http1Text.IsWhite(line[c + 3])))
            return "status line without a three-digit status code";
        Status = (line[c] - '0') * 100 + (line[c + 1] - '0') * 10 + (line[c + 2] - '0');
        VersionRange = 0..sp;
        int r = Math.Min(line.Length, c + 4);
        ReasonRange = r..line.Length;
        if (Major != 1) Note(Http1NoteKeys.Version, Severity.Warning, "Protocol", $"HTTP version {Major}.{Minor} in an HTTP/1 stream");
        return null;
    }

    private static bool IsDigits(ReadOnlySpan<byte> s)
    {
        foreach (byte b in s)
            if (b is < (byte)'0' or > (byte)'9') return false;
        return true;
    }

    private static bool ReadVersion(ReadOnlySpan<byte> s, out int major, out int minor)
    {
        major = minor = 0;
        if (s.Length != 8 || !s.StartsWith("HTTP/"u8) || s[6] != (byte)'.' || !IsDigits(s.Slice(5, 1)) || !IsDigits(s.Slice(7, 1))) return false;
        major = s[5] - '0';
        minor = s[7] - '0';
        return true;
    }

    private void HeadTooLong(long frame)
    {
        OutsideNote(Http1NoteKeys.HeaderTooLong, Severity.Error, "Malformed",
            $"header block longer than {_limits.HeaderBytes} bytes: message skipped", frame);
        // Keep request and response in step: the method is on the start line, already checked.
        if (Direction == Http1Direction.Requests && Head.FirstLineDone) _methods?.Enqueue(Http1Methods.Name(Part(MethodRange)));
        _skipped += Head.Length;
        EndMessage();
        ToProbe(tunnel: false);
        _state = State.SkipLine;
    }

    private void HeadComplete(long frame)
    {
        Head.ParseFields(hasStartLine: true, _limits.HeaderCount, this, "Header field");
        var headers = Head.Fields;
        bool request = Direction == Http1Direction.Requests;
        string? method = null;
        if (request)
        {
            method = Http1Methods.Name(Part(MethodRange));
            _methods?.Enqueue(method);
            if (method == Http1Methods.Connect || headers.Contains("upgrade"u8)) _after = After.MaybeTunnel;
        }
        else if (Status is < 100 or >= 200 || Status == 101)
        {
            if (_methods is not null)
            {
                if (_methods.TryDequeue(out var m)) MatchedMethod = m;
                else Note(Http1NoteKeys.UnmatchedResponse, Severity.Note, "Sequence", "response without a request known to the parser");
            }
            method = MatchedMethod;
        }

        Framing(request, method, headers);
        ReadCodings(headers);
        EmitHeaders();

        switch (BodyKind)
        {
            case Http1BodyKind.None:
                Complete(frame, cut: false);
                break;
            case Http1BodyKind.ContentLength:
                _remaining = ContentLength;
                _state = State.Body;
                if (_remaining == 0) Complete(frame, cut: false);
                break;
            case Http1BodyKind.Chunked:
                _state = State.ChunkLine;
                break;
            default:
                _state = State.UntilClose;
                break;
        }
    }

    // RFC 9112 §6.3, in its order.
    private void Framing(bool request, string? method, Http1Headers headers)
    {
        BodyKind = Http1BodyKind.None;
        if (!request)
        {
            if (method == Http1Methods.Head || Status is >= 100 and < 200 || Status is 204 or 304)
            {
                if (Status == 101) SwitchProtocols("101 Switching Protocols");
                return;
            }
            if (method == Http1Methods.Connect && Status is >= 200 and < 300)
            {
                SwitchProtocols("a 2xx response to CONNECT");
                return;
            }
        }
        var lengthStatus = headers.ReadContentLength(out long length);
        if (headers.TryGetValue("transfer-encoding"u8, out _))
        {
            if (lengthStatus != Http1Headers.LengthStatus.Absent)
                Note(Http1NoteKeys.LengthAndTransferEncoding, Severity.Warning, "Protocol", "both Transfer-Encoding and Content-Length: the length is ignored");
            if (LastTransferCodingIsChunked(headers))
            {
                BodyKind = Http1BodyKind.Chunked;
                return;
            }
            Note(Http1NoteKeys.BadTransferEncoding, Severity.Warning, "Protocol", request
                ? "Transfer-Encoding of a request does not end in chunked: its length cannot be known"
                : "Transfer-Encoding does not end in chunked: the body runs until the connection closes");
            if (request) _after = After.Resync;
            else BodyKind = Http1BodyKind.UntilClose;
            return;
        }
        switch (lengthStatus)
        {
            case Http1Headers.LengthStatus.Valid:
                BodyKind = Http1BodyKind.ContentLength;
                ContentLength = length;
                return;
            case Http1Headers.LengthStatus.Invalid or Http1Headers.LengthStatus.Differing:
                Note(Http1NoteKeys.BadContentLength, Severity.Error, "Malformed", lengthStatus == Http1Headers.LengthStatus.Differing
                    ? "Content-Length values differ: the message's length cannot be known"
                    : $"invalid Content-Length \"{Http1Text.Show(headers.TryGetValue("content-length"u8, out var v) ? v : default)}\": the message's length cannot be known");
                _after = After.Resync;
                return;
        }
        if (!request) BodyKind = Http1BodyKind.UntilClose;
    }

    private void SwitchProtocols(string why)
    {
        Note(Http1NoteKeys.Tunnel, Severity.Chat, "Protocol", $"{why}: the bytes that follow are not HTTP/1");
        _after = After.Tunnel;
        if (_methods is not null) _methods.Tunnelled = true;
    }

    private static bool LastTransferCodingIsChunked(Http1Headers headers)
    {
        ReadOnlySpan<byte> last = default;
        foreach (var h in headers)
        {
            if (!h.Is("transfer-encoding"u8)) continue;
            var list = h.Value;
            int comma = list.LastIndexOf((byte)',');
            var item = Http1Text.Trim(comma < 0 ? list : list[(comma + 1)..]);
            if (!item.IsEmpty || comma >= 0) last = item;
        }
        int semi = last.IndexOf((byte)';');
        return System.Text.Ascii.EqualsIgnoreCase(Http1Text.Trim(semi < 0 ? last : last[..semi]), "chunked"u8);
    }

    // Content codings in the order applied, then transfer codings other than chunked (applied after them).
    private void ReadCodings(Http1Headers headers)
    {
        _codingCount = 0;
        AddCodings(headers, "content-encoding"u8);
        AddCodings(headers, "transfer-encoding"u8);
    }

    private void AddCodings(Http1Headers headers, ReadOnlySpan<byte> field)
    {
        foreach (var h in headers)
        {
            if (!h.Is(field)) continue;
            var list = h.Value;
            while (true)
            {
                int comma = list.IndexOf((byte)',');
                var item = Http1Text.Trim(comma < 0 ? list : list[..comma]);
                int semi = item.IndexOf((byte)';');
                if (semi >= 0) item = Http1Text.Trim(item[..semi]);
                if (!item.IsEmpty && !System.Text.Ascii.EqualsIgnoreCase(item, "chunked"u8))
                {
                    var coding = Http1BodyDecoder.Parse(item);
                    if (coding == Http1Coding.Unknown) _unknownCoding ??= Http1Text.Show(item, 32);
                    if (coding != Http1Coding.Identity)
                    {
                        if (_codingCount >= _limits.Codings) _tooManyCodings = true;
                        else
                        {
                            if (_codingCount == _codings.Length) Array.Resize(ref _codings, Math.Min(_limits.Codings, Math.Max(2, _codings.Length * 2)));
                            _codings[_codingCount++] = coding;
                        }
                    }
                }
                if (comma < 0) break;
                list = list[(comma + 1)..];
            }
        }
    }

    private void Keep(ReadOnlySpan<byte> data, long frame)
    {
        BodyTotal += data.Length;
        int max = _limits.BodyBytes;
        int keep = Math.Min(data.Length, max - _bodyKept);
        if (keep < data.Length) NoteBodyNotKept();
        if (keep <= 0) return;
        if (_body is null || _body.Length < _bodyKept + keep)
        {
            int size = Math.Min(max, Math.Max(_bodyKept + keep, Math.Max(4096, (_body?.Length ?? 0) * 2)));
            var bigger = ArrayPool<byte>.Shared.Rent(size);
            if (_body is not null)
            {
                _body.AsSpan(0, _bodyKept).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_body);
            }
            _body = bigger;
        }
        data[..keep].CopyTo(_body.AsSpan(_bodyKept));
        _bodyKept += keep;
    }

    private void NoteBodyNotKept()
    {
        if (_bodyNoted) return;
        _bodyNoted = true;
        if (_limits.KeepNotes)
            Note(Http1NoteKeys.BodyNotKept, Severity.Note, "Undecoded", $"body longer than {_limits.BodyBytes} bytes: the rest is counted, not kept");
    }

    /// <summary>
    /// True when the next <paramref name="length"/> bytes are body bytes that would only be counted: inside a body
    /// (or a chunk, short of its end) whose length is known, after as much of it as is kept.
    /// </summary>
    public bool TakesLengthOnly(int length) =>
        length > 0 && _bodyKept >= _limits.BodyBytes
        && (_state == State.Body ? length <= _remaining : _state == State.ChunkData && length < _remaining);

    /// <summary>
    /// As <see cref="Feed"/> for <paramref name="length"/> bytes that <see cref="TakesLengthOnly"/> allowed, given by
    /// their length alone: the same state follows as from the bytes themselves.
    /// </summary>
    public void FeedLength(int length, long frameNumber)
    {
        if (!TakesLengthOnly(length)) throw new InvalidOperationException("these bytes are read, not only counted");
        _lastFrame = frameNumber;
        try
        {
            if (_inMessage) TouchFrame(frameNumber);
            BodyTotal += length;
            NoteBodyNotKept();
            _remaining -= length;
            if (_remaining == 0) CompleteAt(length, frameNumber); // only in State.Body: a chunk is never taken to its end
            _offset += length;
        }
        catch (Exception e) when (!_inSink)
        {
            GiveUp(e, frameNumber);
        }
    }

    /// <summary>Completes the message after <paramref name="used"/> more bytes of the current chunk.</summary>
    private void CompleteAt(int used, long frame, bool cut = false)
    {
        _offset += used;
        try
        {
            Complete(frame, cut);
        }
        finally
        {
            _offset -= used;
        }
    }

    private void Complete(long frame, bool cut)
    {
        CompleteFrame = frame;
        byte[]? decoded = null;
        try
        {
            var decoding = Http1Decoding.NotEncoded;
            ReadOnlySpan<byte> body = BodyKept;
            if (_codingCount > 0 || _unknownCoding is not null || _tooManyCodings)
            {
                if (BodyTotal == 0) decoding = Http1Decoding.NotEncoded;
                else if (!_limits.DecodeBodies) decoding = Http1Decoding.Off;
                else if (_unknownCoding is not null)
                {
                    decoding = Http1Decoding.Unsupported;
                    Note(Http1NoteKeys.UnknownCoding, Severity.Note, "Undecoded", $"coding \"{_unknownCoding}\" not supported: the body is shown as received");
                }
                else if (_tooManyCodings)
                {
                    decoding = Http1Decoding.Unsupported;
                    Note(Http1NoteKeys.UnknownCoding, Severity.Note, "Undecoded", $"more than {_limits.Codings} codings: the body is shown as received");
                }
                else
                {
                    decoded = Http1BodyDecoder.Decode(_body ?? [], _bodyKept, _codings.AsSpan(0, _codingCount), _limits, this, out int length, out bool partial);
                    if (decoded is not null) body = decoded.AsSpan(0, length);
                    decoding = partial ? Http1Decoding.Partial : Http1Decoding.Decoded;
                    if (BodyTotal > _bodyKept)
                    {
                        decoding = Http1Decoding.Partial;
                        Note(Http1NoteKeys.BodyNotKept, Severity.Note, "Undecoded", $"decoded from the first {_bodyKept} bytes of the body only");
                    }
                    else if (cut) decoding = Http1Decoding.Partial;
                }
            }
            EmitMessage(body, decoding, !cut);
        }
        finally
        {
            if (decoded is not null) ArrayPool<byte>.Shared.Return(decoded);
        }
        var after = _after;
        EndMessage();
        switch (after)
        {
            case After.Tunnel:
                EnterTunnel();
                break;
            case After.MaybeTunnel:
                ToProbe(tunnel: true);
                break;
            case After.Resync:
                ToProbe(tunnel: false);
                break;
            default:
                _state = State.Start;
                break;
        }
    }

    private void EmitHeaders()
    {
        var message = new Http1Message(this, completed: false, default, Http1Decoding.NotEncoded);
        _inSink = true;
        try
        {
            _sink.OnHeaders(in message);
        }
        finally
        {
            _inSink = false;
        }
    }

    private void EmitMessage(ReadOnlySpan<byte> decoded, Http1Decoding decoding, bool complete)
    {
        var message = new Http1Message(this, complete, decoded, decoding);
        _messagesReported++;
        _inSink = true;
        try
        {
            _sink.OnMessage(in message);
        }
        finally
        {
            _inSink = false;
        }
    }

    private void EndMessage()
    {
        _inMessage = false;
        Head.Clear();
        Trailers.Clear();
        _notes.Clear();
        _notesDropped = 0;
        if (_body is not null) ArrayPool<byte>.Shared.Return(_body);
        _body = null;
        _bodyKept = 0;
        if (_line is not null) ArrayPool<byte>.Shared.Return(_line);
        _line = null;
        _lineLength = 0;
        _state = State.Start;
    }

    private void EnterTunnel()
    {
        _state = State.Tunnel;
        _switched = true;
    }

    private void ToProbe(bool tunnel)
    {
        _state = State.Probe;
        _skippingTunnel = tunnel;
        _skipped += _probeLength;
        _probeLength = 0;
    }

    private void FlushSkipped(long frame)
    {
        long skipped = _skipped + _probeLength;
        _skipped = 0;
        _probeLength = 0;
        if (skipped == 0) return;
        if (_skippingTunnel)
        {
            _tunnelBytes += skipped;
            return;
        }
        OutsideNote(Http1NoteKeys.Skipped, Severity.Warning, "Malformed", $"{skipped} bytes that are not an HTTP/1 message skipped", frame);
    }

    /// <summary>Adds a note to the message in progress (bounded).</summary>
    internal void Note(string key, Severity severity, string group, string message)
    {
        if (!_limits.KeepNotes) return;
        int max = _limits.NotesPerMessage;
        if (_notes.Count < max - 1)
        {
            _notes.Add(new Http1Note(key, severity, group, message, _lastFrame));
            return;
        }
        _notesDropped++;
        var last = new Http1Note(Http1NoteKeys.TooManyNotes, Severity.Note, "Malformed", $"{_notesDropped} more notes not kept", _lastFrame);
        if (_notes.Count < max) _notes.Add(last);
        else _notes[^1] = last;
    }

    private void OutsideNote(string key, Severity severity, string group, string message, long frame)
    {
        var note = new Http1Note(key, severity, group, message, frame);
        _inSink = true;
        try
        {
            _sink.OnNote(in note);
        }
        finally
        {
            _inSink = false;
        }
    }

    private void GiveUp(Exception e, long frame)
    {
        Release();
        _state = State.GivenUp;
        _gaveUp = true;
        var note = new Http1Note(Http1NoteKeys.Bug, Severity.Error, "Malformed",
            $"HTTP/1 parser bug ({e.GetType().Name}: {e.Message}): the rest of the direction is not parsed", frame);
        _sink.OnNote(in note);
    }

    private void Release()
    {
        EndMessage();
        _probeLength = 0;
    }
}
