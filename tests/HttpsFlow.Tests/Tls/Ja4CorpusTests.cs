using System.Net;
using System.Text.Json;
using HttpsFlow.Capture;
using HttpsFlow.Net;
using HttpsFlow.Pipeline;
using HttpsFlow.Tcp;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Handshake;
using HttpsFlow.Tls.List;
using HttpsFlow.Tls.Records;
using HttpsFlow.Tests.TestSupport;
using Xunit.Abstractions;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// JA4 and JA3 on the captures of FoxIO's JA4 repository (../shared/corpus/ja4/pcap), read the way the CLI reads them:
/// the <see cref="Dissector"/> with an <see cref="ITlsObserver"/> that fingerprints every ClientHello it is shown.
/// JA4 is compared with FoxIO's published outputs for the same captures (ja4.py's JSON with the raw and original
/// forms, the Rust tool's snapshots, the Zeek package's ssl.log); JA3/JA3S with tshark's fields, run live. Runs only
/// where ../shared/corpus/ja4 exists (and, for JA3, tshark).
/// </summary>
/// <remarks>
/// HttpsFlow reads TLS over TCP only, so every expected value of a QUIC ClientHello (fingerprints starting with "q",
/// or the Rust snapshots' <c>transport: udp</c> entries) is left out on purpose; these are counted and reported, not
/// compared. Every TCP ClientHello FoxIO lists must be found and equal, with one documented divergence
/// (<see cref="SpecAlpn"/>): where the specification and FoxIO's own tools disagree, we follow the specification.
/// </remarks>
public class Ja4CorpusTests(ITestOutputHelper output)
{
    private const string Absent = "(../shared/corpus/ja4 is not present)";

    private static string? Ja4Dir => Repo.Corpus is { } c && Directory.Exists(Path.Combine(c, "ja4", "pcap")) ? Path.Combine(c, "ja4") : null;

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        if (Ja4Dir is { } dir)
            foreach (var f in Directory.EnumerateFiles(Path.Combine(dir, "pcap")).Order())
                data.Add(Path.GetFileName(f));
        if (data.Count == 0) data.Add(Absent);
        return data;
    }

    /// <summary>
    /// ClientHellos whose first ALPN name starts or ends with a byte that is not an ASCII letter or digit. JA4.md (since
    /// August 2024, and at the corpus's commit 0e54bc8) prints the first and last hex digit of the name then; ja4.py,
    /// the Rust tool and the Wireshark plugin of that same commit still print "99" (the earlier rule). We follow the
    /// specification: for these hellos the two ALPN characters must be FoxIO's "99" on their side and the
    /// specification's value on ours, and everything else must be equal.
    /// </summary>
    private static readonly Dictionary<(string Capture, string Client), (string Theirs, string Ours)> SpecAlpn = new()
    {
        // ALPN protocol_name_list: 0xBA 0xAD, then "http/1.1": hex "baad" gives "bd".
        [("tls-non-ascii-alpn.pcapng", "192.168.1.168 50112")] = ("99", "bd"),
    };

    /// <summary>A ClientHello or ServerHello seen over TCP: the client's and the server's endpoint, and its fingerprints.</summary>
    private sealed record Hello(long Frame, TlsHandshakeType Type, string Client, string Server, Ja4Fingerprints? Ja4, string Ja3Full);

    private sealed class Collector : ITlsObserver
    {
        public List<Hello> Hellos { get; } = new();

        public void OnRecord(Frame frame, TcpConversation conversation, bool fromA, in TlsRecord record, ushort version)
        {
        }

        public void OnHandshake(Frame frame, TcpConversation conversation, bool fromA, in HandshakeEvent e, ushort version)
        {
            if (e.Kind != HandshakeEventKind.Message) return;
            string src = Endpoint(frame.Src.ToString(), frame.SrcPort), dst = Endpoint(frame.Dst.ToString(), frame.DstPort);
            if (e.Type == TlsHandshakeType.ClientHello)
            {
                var hello = ClientHello.Parse(e.Body);
                Hellos.Add(new Hello(frame.Number, e.Type, src, dst, Ja4.ComputeAll(e.Body, Ja4Transport.Tcp), Ja3.ClientFull(hello)));
            }
            else if (e.Type == TlsHandshakeType.ServerHello)
            {
                var hello = ServerHello.Parse(e.Body);
                Hellos.Add(new Hello(frame.Number, e.Type, dst, src, null, Ja3.ServerFull(hello)));
            }
        }
    }

    private static string Endpoint(string address, object port) =>
        (IPAddress.TryParse(address, out var ip) ? ip.ToString() : address) + " " + port;

    private static List<Hello> Read(string capture)
    {
        var collector = new Collector();
        using var reader = CaptureReader.Open(Path.Combine(Ja4Dir!, "pcap", capture));
        var dissector = new Dissector { TlsObserver = collector };
        while (dissector.Next(reader) is not null)
        {
        }
        return collector.Hellos;
    }

    /// <summary>One expected JA4 (in one to four forms) of the index-th ClientHello (from 1) between two endpoints.</summary>
    private sealed record Expected(string Source, string Client, string Server, int Index, string Ja4, string? Raw, string? Original, string? RawOriginal);

    private static IEnumerable<Expected> PythonExpectations(string capture, List<string> leftOut)
    {
        string file = Path.Combine(Ja4Dir!, "python", "test", "testdata", capture + ".json");
        if (!File.Exists(file)) yield break;
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            string client = Endpoint(e.GetProperty("src").GetString()!, e.GetProperty("srcport").GetString()!);
            string server = Endpoint(e.GetProperty("dst").GetString()!, e.GetProperty("dstport").GetString()!);
            for (int i = 1; e.TryGetProperty("JA4." + i, out var ja4); i++)
            {
                string value = ja4.GetString()!;
                if (!value.StartsWith('t'))
                {
                    leftOut.Add($"ja4.py {client} -> {server} #{i}: {value} (not TCP)");
                    continue;
                }
                yield return new Expected("ja4.py", client, server, i, value, e.GetProperty("JA4_r." + i).GetString(),
                    e.GetProperty("JA4_o." + i).GetString(), e.GetProperty("JA4_ro." + i).GetString());
            }
        }
    }

    // The Rust tool's insta snapshot: a YAML list of connections, one ja4 each (the first ClientHello's).
    private static IEnumerable<Expected> RustExpectations(string capture, List<string> leftOut)
    {
        string file = Path.Combine(Ja4Dir!, "rust", "ja4", "src", "snapshots", $"ja4__insta@{capture}.snap");
        if (!File.Exists(file)) yield break;
        var entries = new List<Dictionary<string, string>>();
        foreach (var raw in File.ReadLines(file))
        {
            if (raw.StartsWith("- ")) entries.Add(new());
            else if (!raw.StartsWith("  ") || raw.StartsWith("   ") || entries.Count == 0) continue;
            string line = raw[2..];
            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0) entries[^1].TryAdd(line[..colon], line[(colon + 2)..]);
        }
        foreach (var e in entries)
        {
            if (!e.TryGetValue("ja4", out var ja4)) continue;
            string client = Endpoint(e["src"], e["src_port"]), server = Endpoint(e["dst"], e["dst_port"]);
            if (e["transport"] != "tcp")
            {
                leftOut.Add($"rust {client} -> {server}: {ja4} ({e["transport"]})");
                continue;
            }
            yield return new Expected("rust", client, server, 1, ja4, null, null, null);
        }
    }

    // The Zeek package's ssl.log (tab-separated, with a #fields header): one ja4 per connection.
    private static IEnumerable<Expected> ZeekExpectations(string capture, List<string> leftOut)
    {
        if (capture != "tls-handshake.pcapng") yield break;
        string file = Path.Combine(Ja4Dir!, "zeek", "tests", "Traces", "Scripts.ja4-tls-handshake", "ssl.log");
        if (!File.Exists(file)) yield break;
        string[]? fields = null;
        foreach (var line in File.ReadLines(file))
        {
            if (line.StartsWith("#fields\t")) fields = line.Split('\t')[1..];
            if (line.StartsWith('#') || fields is null) continue;
            var v = line.Split('\t');
            string Get(string name) => v[Array.IndexOf(fields, name)];
            string ja4 = Get("ja4"), client = Endpoint(Get("id.orig_h"), Get("id.orig_p")), server = Endpoint(Get("id.resp_h"), Get("id.resp_p"));
            if (!ja4.StartsWith('t'))
            {
                leftOut.Add($"zeek {client} -> {server}: {ja4} (not TCP)");
                continue;
            }
            yield return new Expected("zeek", client, server, 1, ja4, null, null, null);
        }
    }

    /// <summary>Every TCP ClientHello FoxIO lists for the capture is found, and its JA4 forms equal theirs.</summary>
    [Theory]
    [MemberData(nameof(Captures))]
    public void Ja4EqualsFoxIosPublishedValues(string capture)
    {
        if (capture == Absent || Ja4Dir is null) return;
        var ours = Read(capture).Where(h => h.Type == TlsHandshakeType.ClientHello).ToList();
        var leftOut = new List<string>();
        var expected = PythonExpectations(capture, leftOut).Concat(RustExpectations(capture, leftOut))
            .Concat(ZeekExpectations(capture, leftOut)).ToList();

        var failures = new List<string>();
        foreach (var x in expected)
        {
            var hellos = ours.Where(h => h.Client == x.Client && h.Server == x.Server).ToList();
            if (hellos.Count < x.Index)
            {
                failures.Add($"{x.Source} {x.Client} -> {x.Server} #{x.Index}: expected {x.Ja4}, we saw {hellos.Count} ClientHello(s)");
                continue;
            }
            var f = hellos[x.Index - 1].Ja4;
            var alpn = SpecAlpn.GetValueOrDefault((capture, x.Client));
            void Check(string form, string? want, string? got)
            {
                if (alpn.Theirs is not null && want is not null)
                {
                    Assert.Equal(alpn.Theirs, want[8..10]);
                    want = want[..8] + alpn.Ours + want[10..];
                }
                if (want is not null && want != got) failures.Add($"{x.Source} {x.Client} -> {x.Server} #{x.Index} {form}:\n  expected {want}\n  ours     {got}");
            }
            Check("ja4", x.Ja4, f?.Ja4);
            Check("ja4_r", x.Raw, f?.Ja4R);
            Check("ja4_o", x.Original, f?.Ja4O);
            Check("ja4_ro", x.RawOriginal, f?.Ja4RO);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {expected.Count} expected values differ:\n" + string.Join('\n', failures.Take(20)));
        output.WriteLine($"JA4 {capture}: {expected.Count} expected TCP values compared, all equal; {ours.Count} ClientHellos read; " +
            $"{leftOut.Count} QUIC values left out");
    }

    /// <summary>Every TCP ClientHello's and ServerHello's JA3 (full text and hash) equals tshark's.</summary>
    [Theory]
    [MemberData(nameof(Captures))]
    public void Ja3EqualsTsharks(string capture)
    {
        if (capture == Absent || Ja4Dir is null) return;
        string? text = Repo.Tshark("-n", "-r", Path.Combine(Ja4Dir, "pcap", capture), "-Y", "tcp && (tls.handshake.type == 1 || tls.handshake.type == 2)",
            "-T", "fields", "-E", "aggregator=;", "-e", "frame.number", "-e", "tls.handshake.ja3_full", "-e", "tls.handshake.ja3",
            "-e", "tls.handshake.ja3s_full", "-e", "tls.handshake.ja3s");
        if (text is null) return; // tshark not installed
        var tshark = new Dictionary<long, List<(string Full, string Hash)>>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var p = line.Split('\t');
            var list = tshark[long.Parse(p[0])] = new();
            for (int col = 1; col + 1 < p.Length; col += 2)
            {
                if (p[col].Length == 0) continue;
                var fulls = p[col].Split(';');
                var hashes = p[col + 1].Split(';');
                for (int i = 0; i < fulls.Length; i++) list.Add((fulls[i], hashes[i]));
            }
        }
        var ours = new Dictionary<long, List<(string Full, string Hash)>>();
        foreach (var h in Read(capture))
        {
            if (!ours.TryGetValue(h.Frame, out var list)) ours[h.Frame] = list = new();
            list.Add((h.Ja3Full, Ja3.Hash(h.Ja3Full)));
        }
        var failures = new List<string>();
        int compared = 0;
        foreach (var (frame, want) in tshark)
        {
            var got = ours.GetValueOrDefault(frame) ?? new();
            // tshark lists a frame's client fields before its server fields; compare as sets of (text, hash).
            compared += want.Count;
            if (!want.Order().SequenceEqual(got.Order()))
                failures.Add($"#{frame}: tshark [{string.Join(" | ", want)}]\n  ours [{string.Join(" | ", got)}]");
        }
        foreach (var (frame, got) in ours)
            if (!tshark.ContainsKey(frame)) failures.Add($"#{frame}: tshark has no hello, ours [{string.Join(" | ", got)}]");
        Assert.True(failures.Count == 0, $"{failures.Count} frames differ:\n" + string.Join('\n', failures.Take(10)));
        output.WriteLine($"JA3 {capture}: {compared} hellos compared with tshark, all equal");
    }
}
