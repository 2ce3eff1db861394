namespace HttpsFlow.Http.Http1;

/// <summary>
/// Decides from the first bytes of a direction's plaintext whether it is HTTP/1.x, for connections whose ALPN did not
/// say (no ALPN, or a capture that starts after the handshake). A request must start with a method and a space and
/// then a request-target (a known method such as GET, or any upper-case token when the line also ends in
/// "HTTP/1.x"); a response must start with "HTTP/1.x NNN". The HTTP/2 connection preface ("PRI * HTTP/2.0") is not
/// HTTP/1.
/// </summary>
public static class Http1Detector
{
    internal enum Probe : byte { No, Yes, NeedMore }

    /// <summary>Longest method accepted by the detector (an upper-case token).</summary>
    internal const int MaxMethodLength = 24;

    /// <summary>True when <paramref name="data"/> starts like an HTTP/1.x request.</summary>
    public static bool LooksLikeRequest(ReadOnlySpan<byte> data) => ProbeRequest(data, wholeLine: true) == Probe.Yes;

    /// <summary>True when <paramref name="data"/> starts like an HTTP/1.x response.</summary>
    public static bool LooksLikeResponse(ReadOnlySpan<byte> data) => ProbeResponse(data) == Probe.Yes;

    /// <summary>
    /// Whether the bytes start a request: Yes, No, or NeedMore when they are a prefix of one. An unknown method needs
    /// the whole request line (up to "HTTP/1.x") when <paramref name="wholeLine"/>; otherwise it is refused.
    /// </summary>
    internal static Probe ProbeRequest(ReadOnlySpan<byte> data, bool wholeLine)
    {
        int i = 0;
        while (i < data.Length && i <= MaxMethodLength && IsMethodChar(data[i])) i++;
        if (i == data.Length) return i <= MaxMethodLength ? Probe.NeedMore : Probe.No;
        if (i == 0 || i > MaxMethodLength || data[i] != (byte)' ') return Probe.No;
        var method = data[..i];
        if (method.SequenceEqual("PRI"u8)) return Probe.No; // the HTTP/2 preface
        if (i + 1 == data.Length) return Probe.NeedMore;
        byte t = data[i + 1];
        bool targetStart = t is (byte)'/' or (byte)'*' || IsAlnum(t) || t == (byte)'[';
        if (!targetStart) return Probe.No;
        if (Http1Methods.Known(method) is not null) return Probe.Yes;
        if (!wholeLine || method.Length < 3) return Probe.No;
        int nl = data.IndexOf((byte)'\n');
        if (nl < 0) return data.Length < 8192 ? Probe.NeedMore : Probe.No;
        var line = Http1Text.WithoutEol(data[..(nl + 1)]);
        return line.Length >= 9 && line[^9] == (byte)' ' && line[^8..^1].SequenceEqual("HTTP/1."u8) && IsDigit(line[^1]) ? Probe.Yes : Probe.No;
    }

    /// <summary>Whether the bytes start a response ("HTTP/1.x NNN" then a space or the end of the line).</summary>
    internal static Probe ProbeResponse(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> prefix = "HTTP/1."u8;
        for (int i = 0; i < 13; i++)
        {
            if (i == data.Length) return Probe.NeedMore;
            byte b = data[i];
            bool ok = i switch
            {
                < 7 => b == prefix[i],
                7 => IsDigit(b),
                8 => b == (byte)' ',
                9 or 10 or 11 => IsDigit(b),
                _ => b is (byte)' ' or (byte)'\r' or (byte)'\n',
            };
            if (!ok) return Probe.No;
        }
        return Probe.Yes;
    }

    private static bool IsMethodChar(byte b) => b is >= (byte)'A' and <= (byte)'Z' or (byte)'-' or (byte)'_';

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool IsAlnum(byte b) => IsDigit(b) || b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z';
}

/// <summary>Request methods with a name the parser keeps once (RFC 9110 §9, WebDAV's, PATCH).</summary>
internal static class Http1Methods
{
    public const string Head = "HEAD";
    public const string Connect = "CONNECT";

    private static readonly string[] s_known =
        ["GET", "POST", Head, "PUT", "DELETE", Connect, "OPTIONS", "TRACE", "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT", "SEARCH", "QUERY"];

    /// <summary>The shared name of a known method, or null.</summary>
    public static string? Known(ReadOnlySpan<byte> method)
    {
        foreach (var m in s_known)
            if (method.Length == m.Length && System.Text.Ascii.Equals(method, m)) return m;
        return null;
    }

    /// <summary>The method as text: a known one shared, another one made (at most 64 characters).</summary>
    public static string Name(ReadOnlySpan<byte> method) =>
        Known(method) ?? System.Text.Encoding.Latin1.GetString(method.Length > 64 ? method[..64] : method);
}

/// <summary>
/// What the client direction tells the server direction of one connection: the methods of the requests, in order,
/// so that a response to HEAD is known to have no body and a 2xx to CONNECT to start a tunnel (RFC 9112 §6.3);
/// and, set by the server direction, whether the connection switched protocols. Give the same queue to both
/// parsers (<see cref="Http1Parser.CreatePair"/> does). Bounded: requests beyond <see cref="Capacity"/> not yet
/// answered are not queued (counted in <see cref="Dropped"/>), and their responses are read as answering a GET.
/// </summary>
public sealed class Http1MethodQueue
{
    private readonly Queue<string> _queue = new();

    public Http1MethodQueue(int capacity = 1024) => Capacity = Math.Clamp(capacity, 1, 1 << 20);

    public int Capacity { get; }

    public int Count => _queue.Count;

    /// <summary>Requests that were not queued because the queue was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>Set by the response parser when the server switched protocols (101) or accepted a CONNECT: the client's bytes from then on are not HTTP/1.</summary>
    public bool Tunnelled { get; set; }

    public bool Enqueue(string method)
    {
        if (_queue.Count >= Capacity)
        {
            Dropped++;
            return false;
        }
        _queue.Enqueue(method);
        return true;
    }

    public bool TryDequeue(out string method) => _queue.TryDequeue(out method!);

    public void Clear() => _queue.Clear();
}
