using HttpsFlow.Common;

namespace HttpsFlow.Http.Http1;

/// <summary>Stable keys of the notes the HTTP/1.x parser raises, so that callers and tests can tell them apart without reading the text.</summary>
public static class Http1NoteKeys
{
    /// <summary>A first line that is neither a request line nor a status line (Error, Malformed).</summary>
    public const string BadStartLine = "httpsflow.http.bad_start_line";
    /// <summary>A version other than HTTP/1.x in a start line that is otherwise fine (Warning, Protocol).</summary>
    public const string Version = "httpsflow.http.version";
    /// <summary>A header block or trailer section longer than <see cref="Http1Limits.MaxHeaderBytes"/> (Error, Malformed).</summary>
    public const string HeaderTooLong = "httpsflow.http.header_too_long";
    /// <summary>More header fields than <see cref="Http1Limits.MaxHeaderCount"/> (Warning, Malformed).</summary>
    public const string TooManyHeaders = "httpsflow.http.too_many_headers";
    /// <summary>A header line without a colon, with an empty name, a bad character in its name or whitespace before the colon (Warning, Malformed).</summary>
    public const string BadHeader = "httpsflow.http.bad_header";
    /// <summary>A header value continued on the next line (obsolete line folding, RFC 9112 §5.2) (Note, Protocol).</summary>
    public const string ObsFold = "httpsflow.http.obs_fold";
    /// <summary>A Content-Length that is not a number, or several that differ (Error, Malformed).</summary>
    public const string BadContentLength = "httpsflow.http.bad_content_length";
    /// <summary>Both Transfer-Encoding and Content-Length: the length is ignored (RFC 9112 §6.3) (Warning, Protocol).</summary>
    public const string LengthAndTransferEncoding = "httpsflow.http.length_and_transfer_encoding";
    /// <summary>A Transfer-Encoding whose last coding is not chunked (Warning, Protocol).</summary>
    public const string BadTransferEncoding = "httpsflow.http.bad_transfer_encoding";
    /// <summary>A chunk-size line that cannot be read, is too long, or chunk data not followed by CRLF (Error, Malformed).</summary>
    public const string BadChunk = "httpsflow.http.bad_chunk";
    /// <summary>A body longer than <see cref="Http1Limits.MaxBodyBytes"/>: the rest is counted, not kept (Note, Undecoded).</summary>
    public const string BodyNotKept = "httpsflow.http.body_not_kept";
    /// <summary>A message cut by the end of the stream or by missing bytes (Warning, Malformed).</summary>
    public const string Incomplete = "httpsflow.http.incomplete";
    /// <summary>Decompression stopped at <see cref="Http1Limits.MaxDecodedBytes"/> or the ratio limit (Warning, Undecoded).</summary>
    public const string DecompressionLimit = "httpsflow.http.decompression_limit";
    /// <summary>Compressed data that is corrupt or ends early (Warning, Malformed).</summary>
    public const string DecodeError = "httpsflow.http.decode_error";
    /// <summary>A content or transfer coding the parser cannot undo: the decoded body is the raw body (Note, Undecoded).</summary>
    public const string UnknownCoding = "httpsflow.http.unknown_coding";
    /// <summary>Bytes between messages that are not an HTTP/1.x message, skipped (Warning, Malformed).</summary>
    public const string Skipped = "httpsflow.http.skipped";
    /// <summary>The connection switched protocols (101, a 2xx to CONNECT, an HTTP/2 preface): the bytes that follow are not parsed (Chat, Protocol).</summary>
    public const string Tunnel = "httpsflow.http.tunnel";
    /// <summary>A response for which no request method was known (Note, Sequence).</summary>
    public const string UnmatchedResponse = "httpsflow.http.unmatched_response";
    /// <summary>More notes than <see cref="Http1Limits.MaxNotesPerMessage"/> for one message (Note, Malformed).</summary>
    public const string TooManyNotes = "httpsflow.http.too_many_notes";
    /// <summary>An exception inside the parser (a bug of ours): the rest of the direction is ignored (Error, Malformed).</summary>
    public const string Bug = "httpsflow.http.bug";
}

/// <summary>
/// A problem found in one direction's HTTP/1.x bytes. Notes about a message travel with it (<see cref="Http1Message.Notes"/>);
/// the others (bytes skipped between messages, a header block dropped, the stream ending inside one) go to
/// <see cref="IHttp1Sink.OnNote"/>.
/// </summary>
/// <param name="Key">One of <see cref="Http1NoteKeys"/>.</param>
/// <param name="Severity">How bad it is.</param>
/// <param name="Group">Wireshark's expert group: "Malformed", "Protocol", "Undecoded", "Sequence".</param>
/// <param name="Message">What a person reads.</param>
/// <param name="Frame">The frame being parsed when the problem was seen.</param>
public readonly record struct Http1Note(string Key, Severity Severity, string Group, string Message, long Frame)
{
    public ExpertNote ToExpertNote() => new(Severity, Group, "http", Message);

    public override string ToString() => $"{Key} (frame {Frame}): {Message}";
}
