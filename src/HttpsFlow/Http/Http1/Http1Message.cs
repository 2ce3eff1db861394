namespace HttpsFlow.Http.Http1;

/// <summary>Which messages a parser reads: the client's requests or the server's responses.</summary>
public enum Http1Direction : byte { Requests, Responses }

/// <summary>How a message's body is delimited (RFC 9112 §6.3).</summary>
public enum Http1BodyKind : byte
{
    /// <summary>No body: a request without length, a response to HEAD, 1xx, 204, 304, a 2xx to CONNECT.</summary>
    None,
    /// <summary>Content-Length bytes.</summary>
    ContentLength,
    /// <summary>Transfer-Encoding ending in chunked.</summary>
    Chunked,
    /// <summary>A response without length: everything until the connection closes.</summary>
    UntilClose,
}

/// <summary>What became of the body's content and transfer codings.</summary>
public enum Http1Decoding : byte
{
    /// <summary>No coding (or identity only), or an empty body: the decoded body is the raw body.</summary>
    NotEncoded,
    /// <summary>Every coding undone.</summary>
    Decoded,
    /// <summary>Decoding stopped early (a limit, corrupt or cut data, a body not wholly kept): the decoded body is what came out, with a note.</summary>
    Partial,
    /// <summary>A coding the parser cannot undo (or too many): the decoded body is the raw body, with a note.</summary>
    Unsupported,
    /// <summary>Decoding is turned off (<see cref="Http1Limits.DecodeBodies"/>): the decoded body is the raw body.</summary>
    Off,
}

/// <summary>
/// One HTTP/1.x message as the sink receives it: first when its header block is complete
/// (<see cref="IHttp1Sink.OnHeaders"/>, no body yet), then when it is complete (<see cref="IHttp1Sink.OnMessage"/>).
/// Every span points into the parser's buffers and is valid only during that call; copy what must be kept.
/// </summary>
public readonly ref struct Http1Message
{
    private readonly Http1Parser _p;

    internal Http1Message(Http1Parser parser, bool completed, ReadOnlySpan<byte> decoded, Http1Decoding decoding)
    {
        _p = parser;
        IsComplete = completed;
        DecodedBody = decoded;
        Decoding = decoding;
    }

    /// <summary>True for a request, false for a response.</summary>
    public bool IsRequest => _p.Direction == Http1Direction.Requests;

    /// <summary>The message's number in its direction, from 0 (interim responses count).</summary>
    public long Index => _p.MessageIndex;

    /// <summary>
    /// In <see cref="IHttp1Sink.OnMessage"/>: true when the message ended as its framing says (or, for
    /// <see cref="Http1BodyKind.UntilClose"/>, at the end of the stream); false when it was cut by the end of the
    /// stream, missing bytes or malformed framing (a note says which). Always false in <see cref="IHttp1Sink.OnHeaders"/>.
    /// </summary>
    public bool IsComplete { get; }

    /// <summary>A 1xx response other than 101 (e.g. 100 Continue): the final response follows.</summary>
    public bool IsInterim => !IsRequest && _p.Status is >= 100 and < 200 && _p.Status != 101;

    /// <summary>The start line without its line end.</summary>
    public ReadOnlySpan<byte> StartLine => _p.Head.FirstLine;

    /// <summary>Request method (empty for a response).</summary>
    public ReadOnlySpan<byte> Method => _p.Part(_p.MethodRange);

    /// <summary>Request-target as sent (empty for a response).</summary>
    public ReadOnlySpan<byte> Target => _p.Part(_p.TargetRange);

    /// <summary>HTTP-version as sent, e.g. "HTTP/1.1".</summary>
    public ReadOnlySpan<byte> Version => _p.Part(_p.VersionRange);

    public int VersionMajor => _p.Major;

    public int VersionMinor => _p.Minor;

    /// <summary>Status code (0 for a request).</summary>
    public int StatusCode => _p.Status;

    /// <summary>Reason phrase (may be empty; empty for a request).</summary>
    public ReadOnlySpan<byte> ReasonPhrase => _p.Part(_p.ReasonRange);

    /// <summary>For a response, the method of the request it answers, when the request parser told it (null otherwise).</summary>
    public string? RequestMethod => _p.MatchedMethod;

    /// <summary>The header block exactly as received: start line, fields, blank line.</summary>
    public ReadOnlySpan<byte> RawHeader => _p.Head.Raw;

    public Http1Headers Headers => _p.Head.Fields;

    /// <summary>The trailer fields of a chunked body (empty otherwise, and in <see cref="IHttp1Sink.OnHeaders"/>).</summary>
    public Http1Headers Trailers => _p.Trailers.Fields;

    /// <summary>The trailer section as received (after the last chunk, up to the final blank line).</summary>
    public ReadOnlySpan<byte> RawTrailers => _p.Trailers.Raw;

    /// <summary>Offset of the start line's first byte in the direction's stream (bytes fed since the parser began).</summary>
    public long StartOffset => _p.StartOffset;

    /// <summary>Stream offset just past the header block.</summary>
    public long HeadersEndOffset => _p.HeadersEndOffset;

    /// <summary>Stream offset just past the message (in <see cref="IHttp1Sink.OnHeaders"/>: past the header block).</summary>
    public long EndOffset => _p.Offset;

    /// <summary>The frame that carried the start line's first byte.</summary>
    public long FirstFrame => _p.FirstFrame;

    /// <summary>The frame that completed the header block.</summary>
    public long HeadersFrame => _p.HeadersFrame;

    /// <summary>The frame that completed the message (-1 in <see cref="IHttp1Sink.OnHeaders"/>).</summary>
    public long CompleteFrame => _p.CompleteFrame;

    /// <summary>The frames that carried the message's bytes, in order, each once: the first <see cref="Http1Limits.MaxFramesListed"/> of them.</summary>
    public ReadOnlySpan<long> Frames => _p.FrameList;

    /// <summary>How many frames carried the message's bytes (may exceed <see cref="Frames"/>' length).</summary>
    public int FrameCount => _p.FrameTotal;

    /// <summary>The last frame that carried the message's bytes.</summary>
    public long LastFrame => _p.LastMessageFrame;

    public Http1BodyKind BodyKind => _p.BodyKind;

    /// <summary>The Content-Length that framed the body, or -1.</summary>
    public long ContentLength => _p.ContentLength;

    /// <summary>The body (de-chunked) as far as it is kept: its first <see cref="Http1Limits.MaxBodyBytes"/> bytes.</summary>
    public ReadOnlySpan<byte> Body => _p.BodyKept;

    /// <summary>Body bytes received (de-chunked), kept or not.</summary>
    public long BodyLength => _p.BodyTotal;

    /// <summary>True when more body bytes arrived than were kept.</summary>
    public bool BodyTruncated => _p.BodyTotal > _p.BodyKept.Length;

    /// <summary>Chunks of a chunked body, the last (zero-size) one not counted.</summary>
    public long ChunkCount => _p.ChunkCount;

    /// <summary>
    /// The body with its content codings (and transfer codings other than chunked) undone: gzip, x-gzip, deflate
    /// (zlib-wrapped or raw), br; several applied in reverse order. Empty in <see cref="IHttp1Sink.OnHeaders"/>.
    /// See <see cref="Decoding"/>.
    /// </summary>
    public ReadOnlySpan<byte> DecodedBody { get; }

    public Http1Decoding Decoding { get; }

    /// <summary>Problems found in this message so far.</summary>
    public ReadOnlySpan<Http1Note> Notes => _p.MessageNotes;
}

/// <summary>
/// Receives what an <see cref="Http1Parser"/> finds. The events' spans are valid only during the call. A sink must
/// not feed the parser that calls it; an exception thrown by a sink leaves that parser unusable.
/// </summary>
public interface IHttp1Sink
{
    /// <summary>A message's header block is complete (its body, if any, has not been read yet).</summary>
    void OnHeaders(in Http1Message message)
    {
    }

    /// <summary>A message is complete (or was cut short: <see cref="Http1Message.IsComplete"/>).</summary>
    void OnMessage(in Http1Message message);

    /// <summary>A problem that belongs to no message: bytes skipped between messages, a header block dropped, bytes after a protocol switch.</summary>
    void OnNote(in Http1Note note)
    {
    }
}
