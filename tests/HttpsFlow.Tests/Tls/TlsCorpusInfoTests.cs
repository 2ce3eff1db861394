using HttpsFlow.Capture;
using HttpsFlow.Net;
using HttpsFlow.Pipeline;
using HttpsFlow.Tcp;
using HttpsFlow.Tcp.Reassembly;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// The record parser and handshake reassembler against tshark, run live, on the public captures in
/// ../shared/corpus: each TCP connection's directions go through the capture reader, the stream reassembler and the
/// TLS layer (driven by <see cref="DirectionDriver"/>), and the Info column this gives every frame tshark shows as
/// TLS must be tshark's (after its "[TCP …] , " prefixes). Runs only where that folder and tshark exist.
/// </summary>
public class TlsCorpusInfoTests
{
    private const string Absent = "(../shared/corpus is not present)";

    /// <summary>Captures whose TLS lines depend on more than the parsing core.</summary>
    private static readonly Dictionary<string, string> Excluded = new()
    {
        ["chrome-cloudflare-quic-with-secrets.pcapng"] = "tshark decrypts it with the secrets embedded in the file",
        ["http2-with-cookies.pcapng"] = "tshark decrypts it with the secrets embedded in the file",
        ["psql-aws-ssl-require.pcap"] = "TLS starts inside the stream after PostgreSQL's SSLRequest (STARTTLS)",
        ["hrr.pcap"] = "tshark dissects a segment that arrived before a hole, which the stream reassembler holds back",
    };

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        if (Repo.Corpus is { } dir)
        {
            foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                         .Where(f => f.EndsWith(".pcap") || f.EndsWith(".pcapng") || f.EndsWith(".pcap.gz"))
                         .Where(f => !Excluded.ContainsKey(Path.GetFileName(f)))
                         .Order())
                data.Add(Path.GetRelativePath(dir, f));
        }
        if (data.Count == 0) data.Add(Absent);
        return data;
    }

    private sealed class Connection
    {
        public Connection(IpAddress src, ushort port)
        {
            Src = src;
            Port = port;
            Directions[0].OnVersion = v => Directions[1].Parser.NegotiatedVersion = v;
            Directions[1].OnVersion = v => Directions[0].Parser.NegotiatedVersion = v;
            Streams = [new StreamReassembler(null, Directions[0].Parser), new StreamReassembler(null, Directions[1].Parser)];
        }

        public IpAddress Src { get; }
        public ushort Port { get; }
        public DirectionDriver[] Directions { get; } = [new(), new()];
        public StreamReassembler[] Streams { get; }
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void TlsInfoEqualsTsharkOnCorpus(string capture)
    {
        if (capture == Absent || Repo.Corpus is null) return;
        string path = Path.Combine(Repo.Corpus, capture);
        string? tshark = Repo.Tshark("-n", "-r", path, "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info");
        if (tshark is null) return;
        var expected = new Dictionary<long, string>();
        foreach (var line in tshark.Split('\n'))
        {
            var p = line.Split('\t');
            if (p.Length < 3 || !(p[1].StartsWith("TLS", StringComparison.Ordinal) || p[1].StartsWith("SSL", StringComparison.Ordinal))) continue;
            string info = p[2];
            while (info.StartsWith("[TCP ", StringComparison.Ordinal) && info.Contains("] , ", StringComparison.Ordinal))
                info = info[(info.IndexOf("] , ", StringComparison.Ordinal) + 4)..];
            expected[long.Parse(p[0])] = info;
        }
        if (expected.Count == 0) return;

        var connections = new Dictionary<int, Connection>();
        using var reader = CaptureReader.Open(path);
        var dissector = new Dissector { KeepPayload = true };
        while (dissector.Next(reader) is { } f)
        {
            if (f.Transport != TransportKind.Tcp || f.Tcp.Stage != TcpStage.Header || f.Fragment == FragmentState.Fragment) continue;
            if ((f.Tcp.Flags & TcpFlags.Rst) != 0) continue;
            if (!connections.TryGetValue(f.Tcp.Stream, out var c)) connections[f.Tcp.Stream] = c = new Connection(f.Src, f.SrcPort);
            int dir = f.Src == c.Src && f.SrcPort == c.Port ? 0 : 1;
            int n = Math.Min(f.PayloadCaptured, f.PayloadBytes.Length);
            c.Streams[dir].Add(f.Tcp.SeqRaw, f.PayloadBytes.AsSpan(0, n), (f.Tcp.Flags & TcpFlags.Syn) != 0,
                (f.Tcp.Flags & TcpFlags.Fin) != 0, f.Number, f.Time);
        }

        var ours = new Dictionary<long, List<string>>();
        foreach (var c in connections.Values)
            foreach (var d in c.Directions)
                foreach (var (frame, text) in d.Info)
                {
                    if (!ours.TryGetValue(frame, out var list)) ours[frame] = list = new();
                    list.Add(text);
                }
        var differences = expected
            .Select(kv => (Frame: kv.Key, Tshark: kv.Value, Ours: ours.TryGetValue(kv.Key, out var l) ? string.Join(", ", l) : ""))
            .Where(x => x.Tshark != x.Ours)
            .Select(x => $"#{x.Frame}: tshark [{x.Tshark}] ours [{x.Ours}]")
            .ToList();
        Assert.True(differences.Count == 0, $"{differences.Count} of {expected.Count} TLS frames differ:\n" + string.Join('\n', differences.Take(10)));
    }
}
