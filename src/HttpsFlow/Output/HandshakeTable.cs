using System.Globalization;
using HttpsFlow.Common;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Output;

/// <summary>
/// Writes <see cref="HandshakeRow"/>s: a table for people (a subset of the columns, fitted to a width), or every
/// column as CSV (a header line; an absent value is an empty cell, lists are joined by ',', booleans are true/false)
/// or JSON (one array of objects; absent values are null, lists are arrays, times and durations are seconds).
/// Column names are Zeek's ssl.log names, then ours.
/// </summary>
public static class HandshakeTable
{
    /// <summary>Every column, in order, for CSV and JSON.</summary>
    public static readonly string[] Columns =
    [
        "ts", "uid", "stream", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "version", "cipher", "curve", "server_name",
        "resumed", "last_alert", "next_protocol", "established", "ssl_history", "cert_chain_fps", "client_cert_chain_fps",
        "subject", "issuer", "client_subject", "client_issuer", "validation_status", "validation_reason",
        "ja3", "ja3s", "ja4", "tcp_rtt", "handshake_time", "time_to_first_byte", "decryption",
    ];

    private static object? Value(HandshakeRow r, string column) => column switch
    {
        "ts" => r.Ts,
        "uid" => r.Uid,
        "stream" => (long)r.Stream,
        "id.orig_h" => r.OrigH,
        "id.orig_p" => (long)r.OrigP,
        "id.resp_h" => r.RespH,
        "id.resp_p" => (long)r.RespP,
        "version" => r.Version,
        "cipher" => r.Cipher,
        "curve" => r.Curve,
        "server_name" => r.ServerName,
        "resumed" => r.Resumed,
        "last_alert" => r.LastAlert,
        "next_protocol" => r.NextProtocol,
        "established" => r.Established,
        "ssl_history" => r.SslHistory,
        "cert_chain_fps" => r.CertChainFps,
        "client_cert_chain_fps" => r.ClientCertChainFps,
        "subject" => r.Subject,
        "issuer" => r.Issuer,
        "client_subject" => r.ClientSubject,
        "client_issuer" => r.ClientIssuer,
        "validation_status" => r.ValidationStatus,
        "validation_reason" => r.ValidationReason,
        "ja3" => r.Ja3,
        "ja3s" => r.Ja3s,
        "ja4" => r.Ja4,
        "tcp_rtt" => r.TcpRtt,
        "handshake_time" => r.HandshakeTime,
        "time_to_first_byte" => r.TimeToFirstByte,
        "decryption" => r.Decryption,
        _ => null,
    };

    /// <summary>Seconds with six decimals, as Zeek writes times and intervals.</summary>
    public static string Seconds(long seconds, int nanoseconds)
    {
        long micros = seconds * 1_000_000 + nanoseconds / 1000;
        string sign = micros < 0 ? "-" : "";
        micros = Math.Abs(micros);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{micros / 1_000_000}.{micros % 1_000_000:D6}");
    }

    private static string? Text(object? v) => v switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        Timestamp t => Seconds(t.Seconds, t.Nanoseconds),
        Duration d => Seconds(d.Seconds, d.Nanoseconds),
        IReadOnlyList<string> list => string.Join(',', list),
        _ => v.ToString(),
    };

    public static void WriteCsv(TextSink sink, IEnumerable<HandshakeRow> rows)
    {
        sink.Append(string.Join(',', Columns)).EndLine();
        foreach (var r in rows)
        {
            for (int i = 0; i < Columns.Length; i++)
            {
                if (i > 0) sink.Append(',');
                CsvText.AppendField(sink, Text(Value(r, Columns[i])));
            }
            sink.EndLine();
        }
    }

    public static void WriteJson(TextSink sink, IEnumerable<HandshakeRow> rows)
    {
        sink.Append('[');
        bool first = true;
        foreach (var r in rows)
        {
            sink.Append(first ? "\n  {" : ",\n  {");
            first = false;
            for (int i = 0; i < Columns.Length; i++)
            {
                if (i > 0) sink.Append(", ");
                JsonText.AppendString(sink, Columns[i]);
                sink.Append(": ");
                JsonValue(sink, Value(r, Columns[i]));
            }
            sink.Append('}');
        }
        sink.Append(first ? "]" : "\n]").EndLine();
    }

    /// <summary>A value as JSON: null, true/false, a number (times and durations in seconds), a string or an array of strings.</summary>
    public static void JsonValue(TextSink sink, object? v)
    {
        switch (v)
        {
            case null: sink.Append("null"); break;
            case bool b: sink.Append(b ? "true" : "false"); break;
            case long or Timestamp or Duration: sink.Append(Text(v)); break;
            case IReadOnlyList<string> list:
                sink.Append('[');
                for (int i = 0; i < list.Count; i++)
                {
                    if (i > 0) sink.Append(", ");
                    JsonText.AppendString(sink, list[i]);
                }
                sink.Append(']');
                break;
            default: JsonText.AppendString(sink, Text(v)); break;
        }
    }

    /// <summary>
    /// The table for people: stream, server, server_name, version, cipher (without its "TLS_" prefix), alpn
    /// (next_protocol), est (established), history (ssl_history), validation (validation_status) and hs_ms (the TLS
    /// handshake in milliseconds), fitted to <paramref name="width"/>.
    /// </summary>
    public static void WriteTable(TextSink sink, IEnumerable<HandshakeRow> rows, int width)
    {
        var table = new TextTable(("stream", 6), ("server", 9), ("server_name", 6), ("version", 6), ("cipher", 8),
            ("alpn", 4), ("est", 3), ("history", 5), ("validation", 5), ("hs_ms", 5));
        foreach (var r in rows)
        {
            string server = r.RespH.Contains(':') ? $"[{r.RespH}]:{r.RespP}" : $"{r.RespH}:{r.RespP}";
            string? cipher = r.Cipher is { } c && c.StartsWith("TLS_", StringComparison.Ordinal) ? c[4..] : r.Cipher;
            table.Add(r.Stream.ToString(CultureInfo.InvariantCulture), server, r.ServerName, r.Version, cipher, r.NextProtocol,
                r.Established ? "T" : "F", r.SslHistory.Length == 0 ? null : r.SslHistory, r.ValidationStatus,
                r.HandshakeTime is { } h ? Milliseconds(h) : null);
        }
        table.Write(sink, width);
    }

    /// <summary>A duration in milliseconds with three decimals: "1.234".</summary>
    public static string Milliseconds(Duration d) =>
        string.Create(CultureInfo.InvariantCulture, $"{(d.Seconds * 1_000_000_000L + d.Nanoseconds) / 1e6:0.000}");
}
