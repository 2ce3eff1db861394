using System.IO.Compression;
using System.Text;
using HttpsFlow.Capture;
using HttpsFlow.Net;
using HttpsFlow.Pipeline;
using HttpsFlow.Tcp;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Fuzz;

/// <summary>
/// Cuts seed inputs for the harnesses out of real captures (`HttpsFlow.Fuzz seeds OUTDIR CAPTURE…`): the first
/// packets of each capture (packet), each TCP connection's first payloads in the tls harness's framing (tls), and
/// every certificate the connections carried (x509). Captures themselves are copied by fuzz/run.sh (capture).
/// The http1 seeds are conversations written here (<see cref="WriteHttp1"/>).
/// </summary>
internal static class Seeds
{
    public static void Write(string outDir, IEnumerable<string> captures)
    {
        foreach (var h in Harnesses.Names) Directory.CreateDirectory(Path.Combine(outDir, h));
        ReassemblySeeds(Path.Combine(outDir, "reassembly"));
        WriteHttp1(Path.Combine(outDir, "http1"));
        var certs = new HashSet<string>();
        foreach (var path in captures)
        {
            string name = Path.GetFileName(path).Split('.')[0];
            using var reader = CaptureReader.Open(path);
            var recorder = new ConnectionRecorder { KeepFrames = false };
            var dissector = new Dissector { KeepPayload = true, TlsObserver = recorder };
            var streams = new Dictionary<int, MemoryStream>();
            while (dissector.Next(reader) is { } f)
            {
                recorder.OnFrame(f, dissector.Tcp.Last);
                if (f.Transport != TransportKind.Tcp || f.PayloadLength <= 0 || (f.Tcp.Analysis & (TcpAnalysisFlags.Retransmission | TcpAnalysisFlags.OutOfOrder)) != 0)
                    continue;
                if (!streams.TryGetValue(f.Tcp.Stream, out var ms)) streams[f.Tcp.Stream] = ms = new MemoryStream();
                if (ms.Length > 12_000) continue;
                bool fromServer = f.SrcPort < f.DstPort;
                int len = Math.Min(f.PayloadLength, Math.Min(f.PayloadBytes.Length, 0x7fff));
                ms.WriteByte((byte)((fromServer ? 0x80 : 0) | (len >> 8)));
                ms.WriteByte((byte)len);
                ms.Write(f.PayloadBytes, 0, len);
            }
            foreach (var (stream, ms) in streams.Take(3))
                File.WriteAllBytes(Path.Combine(outDir, "tls", $"{name}-{stream}"), ms.ToArray());
            foreach (var c in recorder.Connections)
                foreach (var cert in (c.ServerCertificates?.Chain ?? []).Concat(c.ClientCertificates?.Chain ?? []))
                {
                    string fp = HandshakeSummary.Fingerprint(cert)[..12];
                    if (certs.Add(fp)) File.WriteAllBytes(Path.Combine(outDir, "x509", fp), cert.Der.ToArray());
                }
            // Packets: re-read the capture for the raw bytes.
            using var again = CaptureReader.Open(path);
            for (int i = 0; i < 40 && again.Read(out var p) == ReadOutcome.Packet; i++)
            {
                if (i % 10 != 0) continue;
                int index = Array.IndexOf(Harnesses.PacketLinkTypes, p.LinkType);
                if (index < 0) continue;
                File.WriteAllBytes(Path.Combine(outDir, "packet", $"{name}-{i}"), [(byte)index, .. p.Data]);
            }
        }
    }

    /// <summary>
    /// Hand-made seeds for the reassembly harness (its input format is described on <see cref="ReassemblyHarness"/>):
    /// in order, reversed, overlapping with different bytes, wrapping past 2^32, a gap then its filling, a FIN in the
    /// middle of the data, a RST and ACKs past a hole; each for the reassembler (mode 0) and the dissector (mode 1),
    /// and TLS records split across segments of two connections sharing a small budget.
    /// </summary>
    public static void ReassemblySeeds(string dir)
    {
        Directory.CreateDirectory(dir);
        const byte Server = 0x80, Second = 0x40, Abs = 0x20, Ack = 0x10, Rst = 0x08, Fin = 0x04, Syn = 0x02;
        static byte[] Data(int n, int salt) => Enumerable.Range(0, n).Select(i => (byte)(i * 7 + salt)).ToArray();
        static byte[] S(byte flags, int delta, byte[] payload) =>
            [flags, (byte)(delta >> 8), (byte)delta, (byte)payload.Length, .. payload];
        static byte[] A(byte flags, uint seq, byte[] payload) =>
            [(byte)(flags | Abs), (byte)(seq >> 24), (byte)(seq >> 16), (byte)(seq >> 8), (byte)seq, (byte)payload.Length, .. payload];
        static byte[] Input(byte mode, uint isnC, uint isnS, params byte[][] segs) =>
            [mode, (byte)(isnC >> 24), (byte)(isnC >> 16), (byte)(isnC >> 8), (byte)isnC,
             (byte)(isnS >> 24), (byte)(isnS >> 16), (byte)(isnS >> 8), (byte)isnS, .. segs.SelectMany(x => x)];

        var d1 = Data(100, 1);
        var seeds = new Dictionary<string, byte[][]>
        {
            ["in-order"] = [S(Syn, 0, []), S(Server | Syn, 0, []), S(0, 0, d1), S(0, 0, Data(100, 2)), S(Server, 0, Data(50, 3)), S(Fin, 0, [])],
            // 1001 is the client's first data byte (ISN 1000 + the SYN).
            ["reversed"] = [S(Syn, 0, []), A(0, 1201, Data(100, 3)), A(0, 1101, Data(100, 2)), A(0, 1001, d1)],
            ["overlap-differs"] = [S(Syn, 0, []), S(0, 0, d1), S(0, -50, Data(100, 9)), S(0, 100, Data(60, 4)), S(0, -130, Data(80, 5))],
            ["gap-then-fill"] = [S(Syn, 0, []), S(0, 0, d1), S(0, 100, Data(100, 2)), S(0, 100, Data(100, 3)), A(0, 1101, Data(100, 4)), S(Server | Ack, 0, [])],
            ["fin-mid-stream"] = [S(Syn, 0, []), S(Fin, 100, Data(50, 2)), S(0, -150, d1), S(0, 0, Data(30, 7)), S(Rst, 0, [])],
            ["rst-with-hole"] = [S(Syn, 0, []), S(0, 0, d1), S(0, 200, Data(100, 2)), S(Server | Ack, 0, []), S(Rst, 0, [])],
        };
        foreach (var (name, segs) in seeds)
        {
            File.WriteAllBytes(Path.Combine(dir, $"{name}"), Input(0x20, 1000, 5000, segs));
            File.WriteAllBytes(Path.Combine(dir, $"{name}-dissector"), Input(0x11, 1000, 5000, segs));
        }
        // Sequence numbers wrapping past 2^32 in both directions.
        byte[][] wrap = [S(Syn, 0, []), S(Server | Syn, 0, []), S(0, 0, Data(200, 1)), S(0, 0, Data(200, 2)), S(0, 300, Data(100, 3)), S(0, -300, Data(200, 4)), S(Server, 0, Data(100, 5))];
        File.WriteAllBytes(Path.Combine(dir, "wrap"), Input(0x62, 0xFFFFFF00, 0xFFFFFFF0, wrap));
        File.WriteAllBytes(Path.Combine(dir, "wrap-dissector"), Input(0x11, 0xFFFFFF00, 0xFFFFFFF0, wrap));
        // Two TLS connections each leaving a record of 2,000 bytes half-sent, under a budget of 2 KiB: the second
        // one's growth makes the first give its buffer up.
        byte[] Header(int length) => [0x17, 3, 3, (byte)(length >> 8), (byte)length];
        byte[][] tls =
        [
            S(Syn, 0, []), S(Server | Syn, 0, []), S(0, 0, [.. Header(2000), .. Data(200, 1)]),
            S(Second | Syn, 0, []), S(Second | Server | Syn, 0, []), S(Second, 0, [.. Header(2000), .. Data(200, 2)]),
            S(0, 0, Data(250, 3)), S(0, 0, Data(250, 4)), S(0, 0, Data(250, 5)), S(0, 0, Data(250, 6)),
            S(Second, 0, Data(250, 7)), S(Second, 0, Data(250, 8)), S(Second, 0, Data(250, 9)), S(Second, 0, Data(250, 10)),
            S(Second, 0, Data(250, 11)), S(0, 0, Data(250, 12)), S(Second | Fin, 0, []),
        ];
        File.WriteAllBytes(Path.Combine(dir, "tls-two-connections-budget"), Input(0x03, 1000, 5000, tls));
        File.WriteAllBytes(Path.Combine(dir, "tls-two-connections-budget-fields"), Input(0x13 | 0x10, 1000, 5000, tls));
    }

    /// <summary>HTTP/1.x conversations for the http1 harness: each framing, codings, interim responses, a tunnel, damage.</summary>
    public static void WriteHttp1(string dir)
    {
        Directory.CreateDirectory(dir);
        static byte[] B(string s) => Encoding.Latin1.GetBytes(s);
        static byte[] Compress(byte[] data, Func<Stream, Stream> encoder)
        {
            var ms = new MemoryStream();
            using (var z = encoder(ms)) z.Write(data);
            return ms.ToArray();
        }
        var text = B(string.Concat(Enumerable.Repeat("<li>item</li>\n", 40)));
        var gzip = Compress(text, s => new GZipStream(s, CompressionLevel.Optimal));
        var br = Compress(text, s => new BrotliStream(s, CompressionLevel.Optimal));
        var deflate = Compress(text, s => new DeflateStream(s, CompressionLevel.Optimal));
        var bomb = Compress(new byte[200_000], s => new GZipStream(s, CompressionLevel.Optimal));
        void Seed(string name, string client, byte[] server, byte[]? plan = null, bool tiny = false) =>
            File.WriteAllBytes(Path.Combine(dir, name), Harnesses.Http1Input(B(client), server, plan, tiny));

        Seed("get-200", "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: fuzz\r\n\r\n",
            B("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"));
        Seed("pipelined-head", "GET /a HTTP/1.1\r\n\r\nHEAD /b HTTP/1.1\r\n\r\nPOST /c HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz",
            B("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nAHTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"), [7, 1, 30]);
        Seed("chunked-trailers", "GET /c HTTP/1.1\r\n\r\n",
            B("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Sum: 1\r\n\r\n"), [3]);
        Seed("gzip-br-deflate", "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n",
            [.. B($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {gzip.Length}\r\n\r\n"), .. gzip,
             .. B($"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: {br.Length}\r\n\r\n"), .. br,
             .. B($"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: {deflate.Length}\r\n\r\n"), .. deflate]);
        Seed("gzip-bomb-tiny-limits", "GET /bomb HTTP/1.1\r\n\r\n",
            [.. B($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {bomb.Length}\r\n\r\n"), .. bomb], tiny: true);
        Seed("continue-and-close", "PUT /u HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\ndata",
            B("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"), [2, 0]);
        Seed("connect-tunnel", "CONNECT example.com:443 HTTP/1.1\r\n\r\n\x16\x03\x01\x00\x02hi",
            B("HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03\x00\x01!"));
        Seed("upgrade-101", "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x82abcd..",
            B("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x02ok"));
        // Bodies and header blocks past the small limits: the bounds themselves are checked from the first run.
        string longHeader = "X-Long: " + new string('h', 1200) + "\r\n";
        Seed("over-limits-tiny", $"POST /up HTTP/1.1\r\nContent-Length: 1500\r\n\r\n{new string('b', 1500)}GET /h HTTP/1.1\r\n{longHeader}\r\nGET /n HTTP/1.1\r\n\r\n",
            B($"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{string.Concat(Enumerable.Repeat("40\r\n" + new string('c', 64) + "\r\n", 20))}0\r\n\r\nHTTP/1.1 200 OK\r\n{longHeader}\r\n"),
            [200, 1, 0], tiny: true);
        Seed("malformed", "GARBAGE\r\nPOST / HTTP/1.1\r\nContent-Length: 5, 6\r\nX-Fold: a\r\n b\r\nBad Name: v\r\n\r\nhello\nGET /n HTTP/1.1\n\n",
            B("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nabc\r\nHTTP/1.1 200\r\nContent-Length: -1\r\n\r\n"), [1, 2, 3, 5, 8], tiny: true);
    }
}
