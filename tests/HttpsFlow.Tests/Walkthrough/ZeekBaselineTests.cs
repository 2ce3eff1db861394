using System.Text.Json;
using System.Text.RegularExpressions;
using HttpsFlow.Tests.TestSupport;
using Xunit.Abstractions;

namespace HttpsFlow.Tests.Walkthrough;

/// <summary>
/// `httpsflow handshakes` and `certs` against Zeek's own ssl.log and x509.log baselines in ../shared/corpus/zeek
/// (its btests: ZEEK-TEST-MAP.md names the trace each baseline came from). Rows are matched by the 4-tuple (the
/// baselines mask ts). Runs only where the corpus exists.
/// </summary>
public class ZeekBaselineTests(ITestOutputHelper output)
{
    private static readonly string[] SslFields =
        ["version", "cipher", "curve", "server_name", "resumed", "last_alert", "next_protocol", "established", "ssl_history", "cert_chain_fps", "client_cert_chain_fps", "validation_status"];

    /// <summary>Fields where we knowingly differ from a baseline ("test field"), and why.</summary>
    public static readonly Dictionary<string, string> KnownDifferences = new()
    {
        ["scripts.base.protocols.ssl.fragment ssl_history"] = "the server's Certificate is split over many records; tshark 4.0 "
            + "takes those records for encrypted handshake messages and our TLS layer follows it, so no X and no fingerprint",
        ["scripts.base.protocols.ssl.fragment cert_chain_fps"] = "as for ssl_history: the fragmented Certificate is not reassembled",
        ["scripts.base.protocols.ssl.fragment client_cert_chain_fps"] = "as for ssl_history: with no certificate seen both lists stay unset",
        ["scripts.base.protocols.ssl.tls-1.2-late-protocol-error ssl_history"] = "Zeek stops at the protocol violation after G; "
            + "we go on and record the server's ChangeCipherSpec (i)",
        ["scripts.base.protocols.ssl.tls13-experiment curve"] = "Google's experimental version 0x7e01: Zeek reads the ServerHello's "
            + "key_share, we do not read that experiment's ServerHello extensions",
    };

    private sealed record Baseline(string Test, List<string> Traces, string Directory);

    /// <summary>The btests with an ssl.log or x509.log baseline, each with the trace of its last zeek run over TCP/TLS.</summary>
    private static List<Baseline> Baselines(string corpus)
    {
        var list = new List<Baseline>();
        string map = File.ReadAllText(Path.Combine(corpus, "zeek", "ZEEK-TEST-MAP.md"));
        foreach (var section in map.Split("\n## ").Skip(1))
        {
            string test = section[..section.IndexOf('\n')].Trim();
            if (!test.Contains(".ssl.")) continue;
            string dir = Path.Combine(corpus, "zeek", "testing", "btest", "Baseline", test);
            if (!File.Exists(Path.Combine(dir, "ssl.log")) && !File.Exists(Path.Combine(dir, "x509.log"))) continue;
            // DTLS runs over UDP, which HttpsFlow does not read.
            var traces = Regex.Matches(section, @"\$TRACES/(\S+\.pcap(?:\.gz)?)").Select(m => m.Groups[1].Value)
                .Where(t => !t.Contains("dtls", StringComparison.Ordinal))
                .Select(t => Path.Combine(corpus, "zeek", "testing", "btest", "Traces", t)).Where(File.Exists).Distinct().ToList();
            if (traces.Count > 0) list.Add(new Baseline(test, traces, dir));
        }
        return list;
    }

    /// <summary>A Zeek log's rows as column → value.</summary>
    private static List<Dictionary<string, string>> ReadLog(string path)
    {
        var rows = new List<Dictionary<string, string>>();
        string[]? fields = null;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("#fields\t", StringComparison.Ordinal)) fields = line.Split('\t')[1..];
            else if (!line.StartsWith('#') && fields is not null && line.Length > 0)
            {
                var cells = line.Split('\t');
                var row = new Dictionary<string, string>();
                for (int i = 0; i < fields.Length && i < cells.Length; i++) row[fields[i]] = cells[i];
                rows.Add(row);
            }
        }
        return rows;
    }

    private static string Zeek(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null => "-",
        JsonValueKind.True => "T",
        JsonValueKind.False => "F",
        JsonValueKind.Array => v.GetArrayLength() == 0 ? "(empty)" : string.Join(',', v.EnumerateArray().Select(e => e.GetString())),
        _ => v.ToString(),
    };

    [Fact]
    public void SslAndX509LogsAgreeWithZeek()
    {
        if (Repo.Corpus is not { } corpus) return;
        int rows = 0, rowsEqual = 0, values = 0, valuesEqual = 0, certs = 0, certsEqual = 0;
        var failures = new List<string>();
        foreach (var b in Baselines(corpus))
        {
            // A test may read several traces; its rows are looked for in all of them.
            var ours = new List<JsonElement>();
            var ourCerts = new List<JsonElement>();
            foreach (var trace in b.Traces)
            {
                var (_, stdout, _) = Repo.Run("handshakes", trace, "--format", "json");
                if (stdout.IndexOf('[') is >= 0 and var start) ours.AddRange(JsonDocument.Parse(stdout[start..]).RootElement.EnumerateArray());
                var (_, certJson, _) = Repo.Run("certs", trace, "--format", "json");
                ourCerts.AddRange(JsonDocument.Parse(certJson).RootElement.EnumerateArray().SelectMany(chain => chain.GetProperty("certificates").EnumerateArray()));
            }
            string sslLog = Path.Combine(b.Directory, "ssl.log");
            if (File.Exists(sslLog))
            {
                foreach (var z in ReadLog(sslLog))
                {
                    if (z.GetValueOrDefault("version", "").StartsWith("DTLS", StringComparison.Ordinal)) continue;
                    rows++;
                    var match = ours.FirstOrDefault(o => o.GetProperty("id.orig_h").GetString() == z["id.orig_h"]
                        && o.GetProperty("id.orig_p").ToString() == z["id.orig_p"] && o.GetProperty("id.resp_h").GetString() == z["id.resp_h"]
                        && o.GetProperty("id.resp_p").ToString() == z["id.resp_p"]);
                    if (match.ValueKind != JsonValueKind.Object)
                    {
                        failures.Add($"{b.Test}: no row for {z["id.orig_h"]}:{z["id.orig_p"]} -> {z["id.resp_h"]}:{z["id.resp_p"]}");
                        continue;
                    }
                    bool all = true;
                    foreach (var field in SslFields.Where(z.ContainsKey))
                    {
                        if (field == "validation_status") continue; // Zeek validated against its own CA list
                        values++;
                        string mine = Zeek(match.GetProperty(field));
                        if (mine == z[field]) { valuesEqual++; continue; }
                        all = false;
                        if (!KnownDifferences.ContainsKey($"{b.Test} {field}")) failures.Add($"{b.Test} {field}: zeek {z[field]} / ours {mine}");
                    }
                    if (all) rowsEqual++;
                }
            }
            string x509Log = Path.Combine(b.Directory, "x509.log");
            if (File.Exists(x509Log))
            {
                foreach (var z in ReadLog(x509Log))
                {
                    certs++;
                    var c = ourCerts.FirstOrDefault(o => o.GetProperty("sha256").GetString() == z["fingerprint"]);
                    if (c.ValueKind != JsonValueKind.Object)
                    {
                        failures.Add($"{b.Test} x509: no certificate {z["fingerprint"]}");
                        continue;
                    }
                    string subject = c.GetProperty("subject").GetString()!, issuer = c.GetProperty("issuer").GetString()!;
                    if (subject == z["certificate.subject"] && issuer == z["certificate.issuer"]) certsEqual++;
                    else if (!KnownDifferences.ContainsKey($"{b.Test} x509"))
                        failures.Add($"{b.Test} x509 {z["fingerprint"][..12]}: zeek {z["certificate.subject"]} / {z["certificate.issuer"]}; ours {subject} / {issuer}");
                }
            }
        }
        output.WriteLine($"ssl.log: {rows} rows, {rowsEqual} equal in every field compared; {values} values, {valuesEqual} equal");
        output.WriteLine($"x509.log: {certs} certificates, {certsEqual} with equal subject and issuer");
        Assert.True(failures.Count == 0, $"{failures.Count} differences from Zeek:\n" + string.Join('\n', failures));
    }
}
