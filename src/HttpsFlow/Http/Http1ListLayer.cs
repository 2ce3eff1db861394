using System.Text;
using HttpsFlow.Decryption;
using HttpsFlow.Fields;
using HttpsFlow.Http.Http1;

namespace HttpsFlow.Http;

/// <summary>
/// HTTP/1.x in decrypted TLS, for the packet list and the fields: each message is named in the frame whose record
/// completes it (headers and, when its length is known, its body), as tshark's HTTP names it when TLS reassembles for
/// it: its first line and a space, then " (media type)" when it has a body of a known type. A second message completed
/// in the same frame follows the first. Records that only carry part of a message add nothing (the list then shows
/// "[TLS segment of a reassembled PDU]"). A response that ends only with the connection is never named, as tshark's
/// single pass never names it.
/// </summary>
public sealed class Http1ListLayer : IApplicationLayer, IHttp1Sink, IDisposable
{
    private readonly Http1Parser _requests;
    private readonly Http1Parser _responses;
    private RecordCall _call = new() { Frame = -1 };

    public Http1ListLayer(Http1Limits? limits = null)
    {
        (_requests, _responses) = Http1Parser.CreatePair(this, this, limits);
    }

    public string ProtocolName => "http";

    /// <summary>Messages named so far.</summary>
    public long Messages { get; private set; }

    public void OnData(ReadOnlySpan<byte> data, long frame, bool fromClient, AppColumns columns)
    {
        var parser = fromClient ? _requests : _responses;
        _call.Begin(columns, frame, parser.Offset);
        parser.Feed(data, frame);
        _call.End(restWaits: parser.InMessage || parser.BufferedBytes > 0);
    }

    public bool TakesLengthOnly(bool fromClient, int length) => (fromClient ? _requests : _responses).TakesLengthOnly(length);

    public void OnLength(int length, long frame, bool fromClient, AppColumns columns)
    {
        var parser = fromClient ? _requests : _responses;
        _call.Begin(columns, frame, parser.Offset);
        parser.FeedLength(length, frame);
        _call.End(restWaits: parser.InMessage || parser.BufferedBytes > 0);
    }

    public void OnMessage(in Http1Message m)
    {
        if (!m.IsComplete || _call.Columns is not { } columns) return;
        Messages++;
        _call.Completed(m.StartOffset);
        string line = Latin1(m.StartLine) + " ";
        // The first message of the record sets the Info column, the next ones follow it.
        if (_call.Named) columns.Append(line);
        else columns.Set("HTTP", line);
        _call.Named = true;
        if (m.BodyLength > 0 && MediaTypes.Of(m.Headers.ContentType) is { } media)
        {
            var body = m.DecodedBody.IsEmpty ? m.Body : m.DecodedBody;
            var (suffix, info) = MediaTypes.Describe(media, body);
            if (suffix is not null) columns.ProtocolSuffix(suffix);
            if (info is not null) columns.Append(info);
        }
        if (columns.Fields.Enabled) AddFields(m, columns.Fields);
    }

    private void AddFields(in Http1Message m, AppFrameFields fields)
    {
        long f = _call.Frame;
        fields.AddText(f, HttpFields.Http, "http");
        // tshark's HTTP marks every request and response line (with its line end) as a Chat note.
        fields.AddExpert(f, new Common.ExpertNote(Common.Severity.Chat, "Sequence", "http", Latin1(m.StartLine) + "\r\n"));
        if (m.IsRequest)
        {
            fields.AddInt(f, HttpFields.Request, 1);
            fields.AddText(f, HttpFields.Method, Latin1(m.Method));
            fields.AddText(f, HttpFields.Uri, Latin1(m.Target));
            fields.AddText(f, HttpFields.RequestVersion, Latin1(m.Version));
        }
        else
        {
            fields.AddInt(f, HttpFields.Response, 1);
            fields.AddText(f, HttpFields.ResponseVersion, Latin1(m.Version));
            fields.AddInt(f, HttpFields.Code, m.StatusCode);
            fields.AddText(f, HttpFields.Phrase, Latin1(m.ReasonPhrase));
        }
        // tshark 4.0's http.request.line / http.response.line are the header lines, each with its CRLF.
        var lineField = m.IsRequest ? HttpFields.RequestLine : HttpFields.ResponseLine;
        foreach (var h in m.Headers)
        {
            var def = HeaderField(h.Name);
            if (def is not null) fields.AddText(f, def, Latin1(h.Value));
        }
        foreach (var line in HeaderLines(m.RawHeader)) fields.AddText(f, lineField, Latin1(line) + "\r\n");
        var body = m.DecodedBody.IsEmpty ? m.Body : m.DecodedBody;
        if (!body.IsEmpty) fields.AddText(f, HttpFields.FileData, Latin1(body));
    }

    /// <summary>The header block's lines after the start line, without their line ends, up to the empty line.</summary>
    private static List<byte[]> HeaderLines(ReadOnlySpan<byte> raw)
    {
        var lines = new List<byte[]>();
        bool first = true;
        while (!raw.IsEmpty)
        {
            int nl = raw.IndexOf((byte)'\n');
            var line = nl < 0 ? raw : raw[..nl];
            raw = nl < 0 ? default : raw[(nl + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
            if (first) { first = false; continue; }
            if (line.IsEmpty) break;
            lines.Add(line.ToArray());
        }
        return lines;
    }

    private static FieldDef? HeaderField(ReadOnlySpan<byte> name)
    {
        if (Ascii.EqualsIgnoreCase(name, "host"u8)) return HttpFields.Host;
        if (Ascii.EqualsIgnoreCase(name, "user-agent"u8)) return HttpFields.UserAgent;
        if (Ascii.EqualsIgnoreCase(name, "accept"u8)) return HttpFields.Accept;
        if (Ascii.EqualsIgnoreCase(name, "connection"u8)) return HttpFields.Connection;
        if (Ascii.EqualsIgnoreCase(name, "server"u8)) return HttpFields.Server;
        if (Ascii.EqualsIgnoreCase(name, "date"u8)) return HttpFields.Date;
        if (Ascii.EqualsIgnoreCase(name, "last-modified"u8)) return HttpFields.LastModified;
        if (Ascii.EqualsIgnoreCase(name, "content-type"u8)) return HttpFields.ContentType;
        if (Ascii.EqualsIgnoreCase(name, "content-length"u8)) return HttpFields.ContentLengthHeader;
        if (Ascii.EqualsIgnoreCase(name, "content-encoding"u8)) return HttpFields.ContentEncoding;
        if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8)) return HttpFields.TransferEncoding;
        return null;
    }

    public void Dispose()
    {
        _requests.Dispose();
        _responses.Dispose();
    }

    /// <summary>Text as tshark reads HTTP's ASCII: every byte above 0x7F becomes U+FFFD.</summary>
    internal static string Latin1(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
            if (b > 0x7f) return string.Create(bytes.Length, bytes.ToArray(), static (span, src) =>
            {
                for (int i = 0; i < src.Length; i++) span[i] = src[i] > 0x7f ? '\uFFFD' : (char)src[i];
            });
        return Encoding.ASCII.GetString(bytes);
    }
}
