namespace HttpsFlow.Http.Http2;

/// <summary>A stream's state (RFC 9113 §5.1), from the capture's point of view: who has finished sending.</summary>
public enum Http2StreamState : byte
{
    /// <summary>Seen only in a frame that does not open it.</summary>
    Idle,
    /// <summary>Promised by a PUSH_PROMISE, no response HEADERS yet.</summary>
    Reserved,
    /// <summary>Both sides may send.</summary>
    Open,
    /// <summary>The client sent END_STREAM; the server may still send.</summary>
    HalfClosedByClient,
    /// <summary>The server sent END_STREAM; the client may still send.</summary>
    HalfClosedByServer,
    /// <summary>Both sent END_STREAM, or a RST_STREAM was sent.</summary>
    Closed,
}

/// <summary>
/// What the connection learnt about one stream: its state, who opened it, the request and response pseudo-headers
/// and content headers (to name and decode its DATA), byte counts and flow-control windows.
/// </summary>
public sealed class Http2Stream
{
    internal Http2Stream(int id, bool openedByClient, long frame)
    {
        Id = id;
        OpenedByClient = openedByClient;
        FirstFrame = LastFrame = frame;
    }

    public int Id { get; }

    /// <summary>The client opened it (a request); false for a stream the server promised (a push).</summary>
    public bool OpenedByClient { get; }

    /// <summary>The capture frame of its first HTTP/2 frame.</summary>
    public long FirstFrame { get; }

    /// <summary>The capture frame of its latest HTTP/2 frame.</summary>
    public long LastFrame { get; internal set; }

    public Http2StreamState State
    {
        get
        {
            if (ResetErrorCode is not null || (ClientEnded && ServerEnded)) return Http2StreamState.Closed;
            if (PromisedOn != 0 && !ResponseSeen) return Http2StreamState.Reserved;
            if (!RequestSeen && !ResponseSeen && !ClientEnded && !ServerEnded) return Http2StreamState.Idle;
            if (ClientEnded) return Http2StreamState.HalfClosedByClient;
            if (ServerEnded) return Http2StreamState.HalfClosedByServer;
            return Http2StreamState.Open;
        }
    }

    /// <summary>The client has sent END_STREAM (set at the promise for a pushed stream: the client sends nothing on it).</summary>
    public bool ClientEnded { get; internal set; }

    /// <summary>The server has sent END_STREAM.</summary>
    public bool ServerEnded { get; internal set; }

    /// <summary>For a pushed stream, the stream its PUSH_PROMISE came on; 0 otherwise.</summary>
    public int PromisedOn { get; internal set; }

    /// <summary>The request header block was seen (HEADERS from the client, or the PUSH_PROMISE).</summary>
    public bool RequestSeen { get; internal set; }

    /// <summary>A response header block was seen (HEADERS from the server).</summary>
    public bool ResponseSeen { get; internal set; }

    public string? Method { get; internal set; }
    public string? Path { get; internal set; }
    public string? Authority { get; internal set; }
    public string? Scheme { get; internal set; }

    /// <summary>The last :status (a final response after 1xx ones).</summary>
    public string? Status { get; internal set; }

    /// <summary>content-type of the request (the client's DATA).</summary>
    public string? RequestContentType { get; internal set; }

    /// <summary>content-encoding of the request, to decode the client's DATA.</summary>
    public string? RequestContentEncoding { get; internal set; }

    /// <summary>content-type of the response (the server's DATA).</summary>
    public string? ResponseContentType { get; internal set; }

    /// <summary>content-encoding of the response, to decode the server's DATA.</summary>
    public string? ResponseContentEncoding { get; internal set; }

    /// <summary>DATA octets the client sent (without padding).</summary>
    public long ClientDataBytes { get; internal set; }

    /// <summary>DATA octets the server sent (without padding).</summary>
    public long ServerDataBytes { get; internal set; }

    /// <summary>DATA frames the client sent.</summary>
    public int ClientDataFrames { get; internal set; }

    /// <summary>DATA frames the server sent.</summary>
    public int ServerDataFrames { get; internal set; }

    /// <summary>The flow-control window the client may still send into on this stream (the server's receive window).</summary>
    public long ClientToServerWindow { get; internal set; }

    /// <summary>The flow-control window the server may still send into on this stream.</summary>
    public long ServerToClientWindow { get; internal set; }

    /// <summary>The error code of the RST_STREAM that ended it, or null.</summary>
    public uint? ResetErrorCode { get; internal set; }

    /// <summary>The RST_STREAM came from the client.</summary>
    public bool ResetByClient { get; internal set; }

    /// <summary>content-type of the DATA sent by one side.</summary>
    public string? ContentType(bool fromClient) => fromClient ? RequestContentType : ResponseContentType;

    /// <summary>content-encoding of the DATA sent by one side.</summary>
    public string? ContentEncoding(bool fromClient) => fromClient ? RequestContentEncoding : ResponseContentEncoding;

    public override string ToString() => $"stream {Id} {State} {Method} {Path} {Status}".TrimEnd();
}
