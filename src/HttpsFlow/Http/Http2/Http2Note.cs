using HttpsFlow.Common;

namespace HttpsFlow.Http.Http2;

/// <summary>The keys of <see cref="Http2Note"/>s, so that callers and tests match problems without parsing text.</summary>
public static class Http2NoteKeys
{
    /// <summary>A frame or header block that cannot be what its type says (Error, Malformed): tshark's "Malformed Packet".</summary>
    public const string Malformed = "_ws.malformed";
    /// <summary>A frame whose length field is wrong for its type (Error, Malformed): FRAME_SIZE_ERROR.</summary>
    public const string FrameSize = "httpsflow.http2.frame_size";
    /// <summary>Padding that does not fit in the frame (Error, Malformed).</summary>
    public const string Padding = "httpsflow.http2.padding";
    /// <summary>Something the protocol forbids although the bytes parse (Warning, Protocol): PROTOCOL_ERROR.</summary>
    public const string Protocol = "httpsflow.http2.protocol";
    /// <summary>A flow-control window pushed below zero or above 2^31-1 (Warning, Protocol): FLOW_CONTROL_ERROR.</summary>
    public const string FlowControl = "httpsflow.http2.flow_control";
    /// <summary>A header block HPACK cannot decode (Error, Malformed): COMPRESSION_ERROR.</summary>
    public const string Hpack = "httpsflow.http2.hpack";
    /// <summary>A header block not decoded because an earlier one failed and the dynamic table is lost (Warning, Undecoded).</summary>
    public const string HpackUndecodable = "httpsflow.http2.hpack.undecodable";
    /// <summary>A limit of ours reached: the rest of a header list, a frame's payload or a stream's state not kept (Warning, Undecoded).</summary>
    public const string Limit = "httpsflow.http2.limit";
    /// <summary>A CONTINUATION sequence cut short or out of place (Error, Protocol).</summary>
    public const string Continuation = "httpsflow.http2.continuation";
    /// <summary>The client's bytes do not start with the connection preface although they begin like it (Warning, Protocol).</summary>
    public const string Preface = "httpsflow.http2.preface";
}

/// <summary>
/// A problem found in HTTP/2 or HPACK bytes. The parsers never throw on bad bytes: they record one of these and go on.
/// </summary>
/// <param name="Key">One of <see cref="Http2NoteKeys"/>.</param>
/// <param name="Severity">How bad it is, with Wireshark's levels.</param>
/// <param name="Group">Wireshark's expert group ("Malformed", "Protocol", "Undecoded").</param>
/// <param name="Message">What a person reads.</param>
public readonly record struct Http2Note(string Key, Severity Severity, string Group, string Message)
{
    public ExpertNote ToExpertNote() => new(Severity, Group, "http2", Message);

    public override string ToString() => $"{Key}: {Message}";

    internal static Http2Note Malformed(string message) => new(Http2NoteKeys.Malformed, Severity.Error, "Malformed", message);

    internal static Http2Note FrameSize(string message) => new(Http2NoteKeys.FrameSize, Severity.Error, "Malformed", message);

    internal static Http2Note Protocol(string message) => new(Http2NoteKeys.Protocol, Severity.Warning, "Protocol", message);

    internal static Http2Note Limit(string message) => new(Http2NoteKeys.Limit, Severity.Warning, "Undecoded", message);
}
