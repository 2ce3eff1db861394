using B = HttpsFlow.Fields.FieldBase;
using T = HttpsFlow.Fields.FieldType;

namespace HttpsFlow.Fields;

/// <summary>http.*: HTTP/1.x messages read from decrypted TLS. Names, types and bases are tshark 4.0's.</summary>
public static class HttpFields
{
    // Defined after the X.509 fields (see TlsFields): the registry's order never depends on which class is touched first.
    private static readonly FieldDef s_after = X509Fields.After;

    public static readonly FieldDef Http = FieldRegistry.Define("http", "Hypertext Transfer Protocol", T.Protocol);
    public static readonly FieldDef Request = FieldRegistry.Define("http.request", "Request", T.Boolean);
    public static readonly FieldDef Response = FieldRegistry.Define("http.response", "Response", T.Boolean);
    public static readonly FieldDef RequestLine = FieldRegistry.Define("http.request.line", "Request line", T.String);
    public static readonly FieldDef ResponseLine = FieldRegistry.Define("http.response.line", "Response line", T.String);
    public static readonly FieldDef Method = FieldRegistry.Define("http.request.method", "Request Method", T.String);
    public static readonly FieldDef Uri = FieldRegistry.Define("http.request.uri", "Request URI", T.String);
    public static readonly FieldDef RequestVersion = FieldRegistry.Define("http.request.version", "Request Version", T.String);
    public static readonly FieldDef ResponseVersion = FieldRegistry.Define("http.response.version", "Response Version", T.String);
    public static readonly FieldDef Code = FieldRegistry.Define("http.response.code", "Status Code", T.UInt16, B.Dec);
    public static readonly FieldDef Phrase = FieldRegistry.Define("http.response.phrase", "Response Phrase", T.String);
    public static readonly FieldDef Host = FieldRegistry.Define("http.host", "Host", T.String);
    public static readonly FieldDef UserAgent = FieldRegistry.Define("http.user_agent", "User-Agent", T.String);
    public static readonly FieldDef Accept = FieldRegistry.Define("http.accept", "Accept", T.String);
    public static readonly FieldDef Connection = FieldRegistry.Define("http.connection", "Connection", T.String);
    public static readonly FieldDef Server = FieldRegistry.Define("http.server", "Server", T.String);
    public static readonly FieldDef Date = FieldRegistry.Define("http.date", "Date", T.String);
    public static readonly FieldDef LastModified = FieldRegistry.Define("http.last_modified", "Last-Modified", T.String);
    public static readonly FieldDef ContentType = FieldRegistry.Define("http.content_type", "Content-Type", T.String);
    public static readonly FieldDef ContentLengthHeader = FieldRegistry.Define("http.content_length_header", "Content-Length", T.String);
    public static readonly FieldDef ContentEncoding = FieldRegistry.Define("http.content_encoding", "Content-Encoding", T.String);
    public static readonly FieldDef TransferEncoding = FieldRegistry.Define("http.transfer_encoding", "Transfer-Encoding", T.String);
    public static readonly FieldDef FileData = FieldRegistry.Define("http.file_data", "File Data", T.String);

    internal static FieldDef After => FileData;
}

/// <summary>http2.*: HTTP/2 frames read from decrypted TLS. Names, types and bases are tshark 4.0's.</summary>
public static class Http2Fields
{
    private static readonly FieldDef s_after = HttpFields.After;

    public static readonly FieldDef Http2 = FieldRegistry.Define("http2", "HyperText Transfer Protocol 2", T.Protocol);
    public static readonly FieldDef Stream = FieldRegistry.Define("http2.stream", "Stream", T.None);
    public static readonly FieldDef Length = FieldRegistry.Define("http2.length", "Length", T.UInt24, B.Dec);
    public static readonly FieldDef Type = FieldRegistry.Define("http2.type", "Type", T.UInt8, B.Dec);
    public static readonly FieldDef Flags = FieldRegistry.Define("http2.flags", "Flags", T.UInt8, B.Hex);
    public static readonly FieldDef StreamId = FieldRegistry.Define("http2.streamid", "Stream Identifier", T.UInt32, B.Dec);
    public static readonly FieldDef HeaderName = FieldRegistry.Define("http2.header.name", "Name", T.String);
    public static readonly FieldDef HeaderValue = FieldRegistry.Define("http2.header.value", "Value", T.String);
    public static readonly FieldDef Method = FieldRegistry.Define("http2.headers.method", ":method", T.String);
    public static readonly FieldDef Path = FieldRegistry.Define("http2.headers.path", ":path", T.String);
    public static readonly FieldDef Status = FieldRegistry.Define("http2.headers.status", ":status", T.UInt16, B.Dec);
    public static readonly FieldDef Authority = FieldRegistry.Define("http2.headers.authority", ":authority", T.String);
    public static readonly FieldDef Scheme = FieldRegistry.Define("http2.headers.scheme", ":scheme", T.String);
    public static readonly FieldDef SettingsId = FieldRegistry.Define("http2.settings.id", "Settings Identifier", T.UInt16, B.Dec);
    public static readonly FieldDef WindowIncrement = FieldRegistry.Define("http2.window_update.window_size_increment", "Window Size Increment", T.UInt32, B.Dec);
    public static readonly FieldDef RstError = FieldRegistry.Define("http2.rst_stream.error", "Error", T.UInt32, B.Dec);
    public static readonly FieldDef GoawayError = FieldRegistry.Define("http2.goaway.error", "Error", T.UInt32, B.Dec);
}

/// <summary>
/// _ws.col.*: the packet list's Protocol and Info columns as fields (tshark's column pseudo-fields). Emitted only when
/// asked for by name, as tshark emits them.
/// </summary>
public static class ColumnFields
{
    private static readonly FieldDef s_after = Http2Fields.GoawayError;

    public static readonly FieldDef Protocol = FieldRegistry.Define("_ws.col.Protocol", "Protocol", T.String);
    public static readonly FieldDef Info = FieldRegistry.Define("_ws.col.Info", "Info", T.String);
}

/// <summary>
/// The application-layer fields (http.*, http2.*) of the frame being dissected, written by the HTTP layers that read
/// decrypted TLS and emitted after the frame's tls.* fields. Reset when a new frame begins.
/// </summary>
public sealed class AppFrameFields
{
    private readonly List<(FieldDef Def, long Int, string? Text)> _values = [];

    /// <summary>
    /// Whether anyone reads these fields (a `fields`, `json` or filter run). The packet list leaves it off, and the HTTP
    /// layers then skip building field values (the body's text above all).
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>The frame the values belong to (-1 before the first).</summary>
    public long FrameNumber { get; private set; } = -1;

    public int Count => _values.Count;

    private readonly List<Common.ExpertNote> _experts = [];

    private void Begin(long frame)
    {
        if (FrameNumber == frame) return;
        FrameNumber = frame;
        _values.Clear();
        _experts.Clear();
    }

    /// <summary>An expert note of frame <paramref name="frame"/> (tshark's HTTP notes: the start line of each message, …).</summary>
    public void AddExpert(long frame, Common.ExpertNote note)
    {
        Begin(frame);
        _experts.Add(note);
    }

    /// <summary>The expert notes of frame <paramref name="frame"/>, in the order they were added.</summary>
    public IReadOnlyList<Common.ExpertNote> ExpertsOf(long frame) => frame == FrameNumber ? _experts : [];

    public void AddInt(long frame, FieldDef def, long value)
    {
        Begin(frame);
        _values.Add((def, value, null));
    }

    public void AddText(long frame, FieldDef def, string value)
    {
        Begin(frame);
        _values.Add((def, 0, value));
    }

    public void AddPresence(long frame, FieldDef def)
    {
        Begin(frame);
        _values.Add((def, 0, null));
    }

    /// <summary>Adds the values of frame <paramref name="frame"/> to <paramref name="set"/>.</summary>
    public void Emit(long frame, FieldSet set)
    {
        if (frame != FrameNumber) return;
        foreach (var (def, i, text) in _values)
        {
            if (!set.Wants(def)) continue;
            if (text is not null) set.AddText(def, text);
            else if (def.Type is FieldType.None) set.AddPresence(def);
            else if (def.Type is FieldType.Protocol) set.AddText(def, def.Name);
            else set.AddInt(def, i);
        }
    }
}
