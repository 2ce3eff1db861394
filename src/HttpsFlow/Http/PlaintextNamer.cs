using HttpsFlow.Decryption;
using HttpsFlow.Net;
using HttpsFlow.Tcp;
using HttpsFlow.Tls;
using HttpsFlow.Tls.List;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Http;

/// <summary>
/// What an application protocol (HTTP/1.x, HTTP/2) writes in the packet list for the plaintext of one TLS record:
/// recorded while the record is decrypted, written into the frame's columns when the list names the record.
/// </summary>
public sealed class AppColumns
{
    internal enum OpKind : byte { Set, Append, Protocol, Tls, Clear, ProtocolSuffix }

    internal readonly List<(OpKind Kind, string A, string? B)> Ops = [];

    /// <summary>Where the layer puts the http.* / http2.* fields of the frame.</summary>
    public Fields.AppFrameFields Fields { get; } = new();

    /// <summary>Sets the Protocol column and replaces the Info column (HTTP's first message of a frame).</summary>
    public void Set(string protocol, string info) => Ops.Add((OpKind.Set, protocol, info));

    /// <summary>Appends to the Info column without a separator.</summary>
    public void Append(string text) => Ops.Add((OpKind.Append, text, null));

    /// <summary>Sets the Protocol column only.</summary>
    public void Protocol(string protocol) => Ops.Add((OpKind.Protocol, protocol, null));

    /// <summary>Adds a text after ", " when the column holds one (TLS's and HTTP/2's way).</summary>
    public void Tls(string text) => Ops.Add((OpKind.Tls, text, null));

    /// <summary>Clears the Info column back to what a fence protects (HTTP/2's first frame of a record).</summary>
    public void Clear() => Ops.Add((OpKind.Clear, "", null));

    /// <summary>Appends to the Protocol column (a media dissector's "/XML", "/JSON").</summary>
    public void ProtocolSuffix(string suffix) => Ops.Add((OpKind.ProtocolSuffix, suffix, null));

    internal void Reset() => Ops.Clear();
}

/// <summary>An application protocol fed the decrypted application data of one TLS connection, in stream order per direction.</summary>
public interface IApplicationLayer
{
    /// <summary>Reads the plaintext of one record and says what the packet list shows for it.</summary>
    void OnData(ReadOnlySpan<byte> data, long frame, bool fromClient, AppColumns columns);

    /// <summary>The protocol's name in frame.protocols ("http", "http2").</summary>
    string ProtocolName { get; }

    /// <summary>True when the next <paramref name="length"/> bytes from this side would only be counted, not read.</summary>
    bool TakesLengthOnly(bool fromClient, int length) => false;

    /// <summary>As <see cref="OnData"/> for <paramref name="length"/> bytes <see cref="TakesLengthOnly"/> allowed.</summary>
    void OnLength(int length, long frame, bool fromClient, AppColumns columns) =>
        throw new NotSupportedException("this application layer reads every byte");
}

/// <summary>
/// Names decrypted TLS records in the packet list as tshark does when it has the keys: the handshake messages inside
/// (Finished, New Session Ticket, Encrypted Extensions, Key Update, …), the alerts, and the application data, handed to
/// HTTP/1.x or HTTP/2 — chosen as tshark chooses: by ALPN, else by port (443 is HTTP), else by the first bytes (an
/// HTTP/2 preface, an HTTP/1.x request or status line). Attach it as both <see cref="TlsDecryptor.Sink"/> and
/// <see cref="Pipeline.Dissector.TlsNamer"/>; the decryptor must be the dissector's TLS observer (or one of them).
/// </summary>
public sealed class PlaintextNamer : IDecryptedSink, ITlsRecordNamer
{
    private sealed class Connection
    {
        public IApplicationLayer? App;
        public bool Undecided = true;
    }

    // Keyed by the session's tcp.stream (unique per dissector): an int key needs no call through the comparer.
    private readonly Dictionary<int, Connection> _connections = new();
    private readonly Func<TlsSession, ReadOnlySpan<byte>, bool, IApplicationLayer?> _choose;

    // The record decrypted last, and what it holds.
    private long _frame = -1;
    private ulong _offset;
    private bool _fromClient;
    private TlsContentType _type;
    private readonly List<string> _texts = [];
    private readonly AppColumns _app = new();
    private bool _appNamed;

    /// <param name="choose">Picks the application layer of a connection from its first application data (null: the
    /// default choice, see <see cref="ChooseApplication"/>); it is asked again at each record until it picks one.</param>
    public PlaintextNamer(Func<TlsSession, ReadOnlySpan<byte>, bool, IApplicationLayer?>? choose = null)
        => _choose = choose ?? ChooseApplication;

    /// <summary>Made for each connection whose application data is HTTP/1.x (null: not read).</summary>
    public Func<TlsSession, IApplicationLayer>? Http1 { get; set; }

    /// <summary>Made for each connection whose application data is HTTP/2 (null: not read).</summary>
    public Func<TlsSession, IApplicationLayer>? Http2 { get; set; }

    /// <summary>The http.* and http2.* fields of the frame being dissected.</summary>
    public Fields.AppFrameFields Fields => _app.Fields;

    /// <summary>The application layer of a connection, once chosen.</summary>
    public IApplicationLayer? ApplicationOf(TlsSession session) => _connections.GetValueOrDefault(session.Conversation.Stream)?.App;

    /// <summary>tshark's choice: ALPN first, then the port (tls.port 443 is HTTP), then the first bytes.</summary>
    public IApplicationLayer? ChooseApplication(TlsSession session, ReadOnlySpan<byte> data, bool fromClient)
    {
        switch (session.Alpn)
        {
            case "h2": return Http2?.Invoke(session);
            case "http/1.1" or "http/1.0" or "http/0.9": return Http1?.Invoke(session);
        }
        var c = session.Conversation;
        if (c.PortA == 443 || c.PortB == 443) return Http1?.Invoke(session);
        if (fromClient && data.StartsWith(Http2Preface)) return Http2?.Invoke(session);
        if (HttpStart.LooksLikeHttp1(data)) return Http1?.Invoke(session);
        return null;
    }

    /// <summary>What tshark's TLS says of a record whose data waits for more.</summary>
    public const string SegmentText = "[TLS segment of a reassembled PDU]";

    /// <summary>The first bytes of an HTTP/2 client connection preface (RFC 9113 §3.4).</summary>
    public static ReadOnlySpan<byte> Http2Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public bool TakesLengthOnly(TlsSession session, bool fromClient, int length) =>
        _connections.TryGetValue(session.Conversation.Stream, out var c) && c.App is { } app && app.TakesLengthOnly(fromClient, length);

    public void OnPlaintext(in DecryptedRecord record)
    {
        _frame = record.Frame;
        _offset = record.StreamOffset;
        _fromClient = record.FromClient;
        _type = record.ContentType;
        _texts.Clear();
        _app.Reset();
        _appNamed = false;
        switch (record.ContentType)
        {
            case TlsContentType.Alert:
                _texts.Add(TlsAlert.Parse(record.Plaintext).InfoText);
                break;
            case TlsContentType.ApplicationData:
                if (!_connections.TryGetValue(record.Session.Conversation.Stream, out var c))
                {
                    c = new Connection();
                    _connections[record.Session.Conversation.Stream] = c;
                }
                if (c.Undecided && !record.Plaintext.IsEmpty)
                {
                    c.App = _choose(record.Session, record.Plaintext, record.FromClient);
                    c.Undecided = c.App is null;
                }
                if (c.App is { } app)
                {
                    if (record.LengthOnly) app.OnLength(record.Length, record.Frame, record.FromClient, _app);
                    else app.OnData(record.Plaintext, record.Frame, record.FromClient, _app);
                    _appNamed = true;
                }
                break;
        }
    }

    public void OnSessionForgotten(TlsSession session)
    {
        if (_connections.Remove(session.Conversation.Stream, out var c)) (c.App as IDisposable)?.Dispose();
    }

    public void OnHandshake(in DecryptedHandshake message)
    {
        if (message.Frame != _frame) return;
        _texts.Add(TlsNames.HandshakeInfo((byte)message.Type));
    }

    private long _markedFrame = -1;
    private int _markedCalls;

    public bool TryName(Frame frame, TcpConversation conversation, bool fromA, in TlsRecord record, TlsListColumns columns)
    {
        if (record.Frame != _frame || record.StreamOffset != _offset || frame.Number != _frame) return false;
        if (_type == TlsContentType.ApplicationData && _appNamed && _app.Ops.Count == 0)
        {
            // Data the application layer holds for more: TLS marks it, without a separator, once per time TCP hands
            // it bytes (for a record TCP reassembled from earlier segments, then for the rest of the segment). What
            // the application names later in the frame clears the mark, except behind the fence TCP sets after the
            // reassembled record.
            int call = columns.IsFirstRecord && record.SpansFrames ? 1 : 2;
            if (_markedFrame != frame.Number) { _markedFrame = frame.Number; _markedCalls = 0; }
            if ((_markedCalls & call) == 0)
            {
                _markedCalls |= call;
                columns.Append(SegmentText);
            }
            columns.Consumed();
            return true;
        }
        switch (_type)
        {
            case TlsContentType.Handshake or TlsContentType.Alert:
                foreach (var t in _texts) columns.AddTls(t);
                columns.Consumed();
                return true;
            case TlsContentType.ApplicationData:
                if (!_appNamed)
                {
                    columns.AddTls(TlsNames.ApplicationData);
                    return true;
                }
                foreach (var (kind, a, b) in _app.Ops)
                {
                    switch (kind)
                    {
                        case AppColumns.OpKind.Set: columns.SetApplication(a, b!); break;
                        case AppColumns.OpKind.Append: columns.Append(a); break;
                        case AppColumns.OpKind.Protocol: columns.SetProtocol(a); break;
                        case AppColumns.OpKind.Tls: columns.AddTls(a); break;
                        case AppColumns.OpKind.Clear: columns.Clear(); break;
                        case AppColumns.OpKind.ProtocolSuffix: columns.AppendProtocol(a); break;
                    }
                }
                columns.Consumed();
                return true;
            default:
                return false;
        }
    }
}

/// <summary>Recognises the start of HTTP/1.x, as tshark's heuristic for HTTP inside TLS does.</summary>
public static class HttpStart
{
    private static readonly string[] Methods =
        ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK"];

    /// <summary>True when <paramref name="data"/> begins with a status line ("HTTP/1.") or a request line (a method, a space).</summary>
    public static bool LooksLikeHttp1(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith("HTTP/1."u8)) return true;
        foreach (var m in Methods)
        {
            if (data.Length > m.Length && data[m.Length] == (byte)' ' && StartsWithAscii(data, m)) return true;
        }
        return false;
    }

    private static bool StartsWithAscii(ReadOnlySpan<byte> data, string text)
    {
        for (int i = 0; i < text.Length; i++)
            if (data[i] != text[i]) return false;
        return true;
    }
}
