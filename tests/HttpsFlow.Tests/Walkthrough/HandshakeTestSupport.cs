using System.Text.Json;
using HttpsFlow.Tls.Registry;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Tests.Walkthrough;

/// <summary>The four facts of a TLS connection compared with tshark: version, cipher suite, SNI and ALPN, in our spellings.</summary>
internal sealed record HelloFacts(string? Version, string? Cipher, string? ServerName, string? Alpn)
{
    public override string ToString() => $"{Version ?? "-"} {Cipher ?? "-"} sni={ServerName ?? "-"} alpn={Alpn ?? "-"}";
}

internal static class HandshakeFacts
{
    private const string HelloRetryRandom = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c";

    /// <summary>tshark's hellos (the columns of tests/golden/*.handshakes.tsv) per tcp.stream, for streams with a ServerHello.</summary>
    public static Dictionary<int, HelloFacts> FromTshark(string tsv)
    {
        var sni = new Dictionary<int, string?>();
        var server = new Dictionary<int, (string Version, string Cipher, string? Alpn)>();
        foreach (var line in tsv.Split('\n').Skip(1))
        {
            var f = line.Split('\t');
            if (f.Length < 8 || !int.TryParse(f[0], out int stream)) continue;
            var types = f[1].Split(',');
            if (types.Contains("1") && !sni.ContainsKey(stream)) sni[stream] = f[5].Length > 0 ? f[5].Split(',')[0] : null;
            if (types.Contains("2") && !server.ContainsKey(stream) && !f[7].Split(',').Contains(HelloRetryRandom))
            {
                string v = f[3].Length > 0 ? f[3].Split(',')[0] : f[2].Split(',')[^1];
                server[stream] = (v, f[4].Split(',')[0], f[6].Length > 0 ? f[6].Split(',')[0] : null);
            }
        }
        var result = new Dictionary<int, HelloFacts>();
        foreach (var (stream, s) in server)
        {
            string? version = Hex(s.Version) is { } v ? HandshakeSummary.ZeekVersion(v) : null;
            string? cipher = Hex(s.Cipher) is { } c ? CipherSuites.IanaName(c) ?? $"unknown-{c}" : null;
            result[stream] = new HelloFacts(version, cipher, sni.GetValueOrDefault(stream), s.Alpn);
        }
        return result;
    }

    private static ushort? Hex(string s) =>
        s.StartsWith("0x", StringComparison.Ordinal) && ushort.TryParse(s.AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out var v) ? v : null;

    /// <summary>Our rows (`handshakes --format json`) per stream, for connections with a ServerHello.</summary>
    public static Dictionary<int, HelloFacts> FromJson(string json)
    {
        var result = new Dictionary<int, HelloFacts>();
        if (json.Trim().Length == 0) return result;
        using var doc = JsonDocument.Parse(json);
        foreach (var row in doc.RootElement.EnumerateArray())
        {
            if (row.GetProperty("version").ValueKind == JsonValueKind.Null) continue;
            result[row.GetProperty("stream").GetInt32()] = new HelloFacts(row.GetProperty("version").GetString(), row.GetProperty("cipher").GetString(),
                row.GetProperty("server_name").GetString(), row.GetProperty("next_protocol").GetString());
        }
        return result;
    }

    /// <summary>The differences between two sets of facts, one line each.</summary>
    public static List<string> Differences(Dictionary<int, HelloFacts> tshark, Dictionary<int, HelloFacts> ours)
    {
        var diffs = new List<string>();
        foreach (var stream in tshark.Keys.Union(ours.Keys).Order())
        {
            var t = tshark.GetValueOrDefault(stream);
            var o = ours.GetValueOrDefault(stream);
            if (t != o) diffs.Add($"stream {stream}: tshark {t?.ToString() ?? "(none)"} / ours {o?.ToString() ?? "(none)"}");
        }
        return diffs;
    }
}
