using System.Globalization;
using System.Text;
using HttpsFlow.Fields;
using HttpsFlow.Http.Http2;

namespace HttpsFlow.Http;

/// <summary>
/// HTTP/2 in decrypted TLS, for the packet list and the fields: each HTTP/2 frame is named in the capture frame whose
/// record completes it, as tshark names it — "TYPE[stream]", a request's ": METHOD PATH" or a response's ": STATUS
/// PHRASE" after a HEADERS, " (media type)" after the DATA that ends a stream whose headers gave a content type —
/// joined by ", " after what TLS wrote, with "HTTP2" in the Protocol column; the client's preface is "Magic".
/// </summary>
public sealed class Http2ListLayer : IApplicationLayer, IHttp2Sink, IDisposable
{
    private readonly Http2Connection _connection;
    private RecordCall _call;

    public Http2ListLayer(Http2Limits? limits = null) => _connection = new Http2Connection(this, limits);

    public string ProtocolName => "http2";

    public Http2Connection Connection => _connection;

    public void OnData(ReadOnlySpan<byte> data, long frame, bool fromClient, AppColumns columns)
    {
        int side = fromClient ? 0 : 1;
        _side = side;
        _call.Begin(columns, frame, _fed[side]);
        var records = _records[side];
        if (columns.Fields.Enabled) records.Add((_fed[side], data.Length, frame));
        _connection.Feed(fromClient, data, frame);
        _fed[side] += data.Length;
        // Keep only the records that hold bytes of a frame still incomplete.
        long needed = _fed[side] - _connection.BufferedBytesOf(fromClient);
        int done = 0;
        while (done < records.Count && records[done].Start + records[done].Length <= needed) done++;
        records.RemoveRange(0, done);
        _call.End(restWaits: _connection.BufferedBytesOf(fromClient) > 0);
    }

    private readonly long[] _fed = new long[2];
    private int _side;

    // Per direction, the records (stream offset, length, capture frame) that hold bytes of a frame not yet complete:
    // what tshark's TLS lists as the segments of the PDU it reassembles for HTTP/2.
    private readonly List<(long Start, int Length, long Frame)>[] _records = [[], []];
    private void Completed(long streamOffset) => _call.Completed(streamOffset);

    // The first frame named in a record clears the Info column (back to a fence), the next ones follow with ", ".
    private void Begin(AppColumns c)
    {
        if (_call.Named) return;
        _call.Named = true;
        c.Clear();
        c.Protocol("HTTP2");
    }

    // The first bytes of each stream's body per direction, for the media types that look at them (JPEG, GIF).
    private readonly Dictionary<(int Stream, bool FromClient), byte[]> _bodyStarts = [];

    public void OnMagic(bool fromClient, long frame)
    {
        if (_call.Columns is not { } c) return;
        Completed(0);
        Begin(c);
        c.Tls("Magic");
        if (c.Fields.Enabled) c.Fields.AddText(_call.Frame, Http2Fields.Http2, "http2");
    }

    /// <summary>
    /// A frame that began in an earlier record: as tshark's TLS reassembles the decrypted bytes HTTP/2 asks for, the
    /// records that carried it (a capture frame once per record), their count and the frame's length.
    /// </summary>
    private void AddReassembly(AppFrameFields fields, long f, long start, long length)
    {
        fields.AddPresence(f, TlsFields.Segments);
        int count = 0;
        foreach (var (recordStart, recordLength, frame) in _records[_side])
        {
            if (recordStart >= start + length || recordStart + recordLength <= start) continue;
            fields.AddInt(f, TlsFields.Segment, frame);
            count++;
        }
        fields.AddInt(f, TlsFields.SegmentCount, count);
        fields.AddInt(f, TlsFields.ReassembledLength, length);
    }

    public void OnFrame(in Http2FrameEvent e)
    {
        if (_call.Columns is not { } c) return;
        Completed(e.StreamOffset);
        var h = e.Header;
        var text = new StringBuilder();
        text.Append(e.TypeName).Append('[').Append(h.StreamId.ToString(CultureInfo.InvariantCulture)).Append(']');
        var fields = c.Fields.Enabled ? c.Fields : null;
        long f = _call.Frame;
        string? mediaSuffix = null;
        if (fields is not null && e.StreamOffset < _call.RecordStart) AddReassembly(fields, f, e.StreamOffset, 9L + h.Length);
        fields?.AddText(f, Http2Fields.Http2, "http2");
        fields?.AddPresence(f, Http2Fields.Stream);
        fields?.AddInt(f, Http2Fields.Length, h.Length);
        fields?.AddInt(f, Http2Fields.Type, h.Type);
        fields?.AddInt(f, Http2Fields.Flags, h.Flags);
        fields?.AddInt(f, Http2Fields.StreamId, h.StreamId);
        switch (h.FrameType)
        {
            case Http2FrameType.Headers or Http2FrameType.PushPromise or Http2FrameType.Continuation when e.Headers is { } headers:
                AddHeaders(headers, text, fields, f);
                break;
            case Http2FrameType.Data:
            {
                var key = (h.StreamId, e.FromClient);
                if (!e.Data.IsEmpty && !_bodyStarts.ContainsKey(key) && _bodyStarts.Count < 1024)
                    _bodyStarts[key] = e.Data[..Math.Min(16, e.Data.Length)].ToArray();
                if (!h.HasFlag(Http2Flags.EndStream)) break;
                _bodyStarts.Remove(key, out var start);
                // A body of some bytes with a media type goes to that type's dissector, which names it.
                long bytes = e.Stream is { } st ? (e.FromClient ? st.ClientDataBytes : st.ServerDataBytes) : e.Data.Length;
                if (bytes > 0 && e.Stream?.ContentType(e.FromClient) is { } type && MediaTypes.Of(Encoding.Latin1.GetBytes(type)) is { } media)
                {
                    var (suffix, info) = MediaTypes.Describe(media, start);
                    if (suffix is not null) mediaSuffix = suffix;
                    if (info is not null) text.Append(info);
                }
                break;
            }
            case Http2FrameType.Settings:
                var settings = e.Settings;
                for (int i = 0; i < settings.Count; i++) fields?.AddInt(f, Http2Fields.SettingsId, settings[i].Id);
                break;
            case Http2FrameType.WindowUpdate when !e.Malformed:
                fields?.AddInt(f, Http2Fields.WindowIncrement, e.WindowIncrement);
                break;
            case Http2FrameType.RstStream when !e.Malformed:
                fields?.AddInt(f, Http2Fields.RstError, e.ErrorCode);
                break;
            case Http2FrameType.GoAway when !e.Malformed:
                fields?.AddInt(f, Http2Fields.GoawayError, e.ErrorCode);
                break;
        }
        Begin(c);
        c.Tls(text.ToString());
        if (mediaSuffix is not null) c.ProtocolSuffix(mediaSuffix);
    }

    private static void AddHeaders(HpackHeaderList headers, StringBuilder text, AppFrameFields? fields, long f)
    {
        string? method = null, path = null, status = null;
        for (int i = 0; i < headers.Count; i++)
        {
            var rawName = headers[i].Name;
            // Without fields only the pseudo-headers of the Info column are read.
            if (fields is null && (rawName.IsEmpty || rawName[0] != (byte)':')) continue;
            string name = headers.NameString(i), value = headers.ValueString(i);
            fields?.AddText(f, Http2Fields.HeaderName, name);
            fields?.AddText(f, Http2Fields.HeaderValue, value);
            switch (name)
            {
                case ":method": method = value; fields?.AddText(f, Http2Fields.Method, value); break;
                case ":path": path = value; fields?.AddText(f, Http2Fields.Path, value); break;
                case ":authority": fields?.AddText(f, Http2Fields.Authority, value); break;
                case ":scheme": fields?.AddText(f, Http2Fields.Scheme, value); break;
                case ":status":
                    status = value;
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int code)) fields?.AddInt(f, Http2Fields.Status, code);
                    break;
            }
        }
        if (method is not null) text.Append(": ").Append(method).Append(' ').Append(path);
        else if (status is not null)
        {
            text.Append(": ").Append(status);
            if (int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out int code) && HttpStatus.Phrase(code) is { } phrase)
                text.Append(' ').Append(phrase);
        }
    }

    public void Dispose() => _connection.Dispose();
}
