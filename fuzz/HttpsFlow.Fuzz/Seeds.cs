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
/// packets of each capture (packet), each TCP connection's first payloads in the tls harness's framing (tls), each
/// DTLS conversation's datagrams in the dtls harness's framing (dtls), and every certificate the connections carried
/// (x509). Captures themselves are copied by fuzz/run.sh (capture).
/// The http1, hpack and http2 seeds are written here (<see cref="WriteHttp1"/>, <see cref="WriteHttp2"/>).
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
            var dtls = new Dictionary<(ushort, ushort), MemoryStream>();
            while (dissector.Next(reader) is { } f)
            {
                recorder.OnFrame(f, dissector.Tcp.Last);
                if (f.Upper == HttpsFlow.Tls.List.UpperKind.Dtls && f.PayloadCaptured > 0)
                {
                    // The dtls harness: its first byte picks port 4433 (even), then datagrams with 2-byte headers.
                    var key = (Math.Min(f.SrcPort, f.DstPort), Math.Max(f.SrcPort, f.DstPort));
                    if (!dtls.TryGetValue(key, out var d)) { dtls[key] = d = new MemoryStream(); d.WriteByte(0); }
                    if (d.Length > 12_000) continue;
                    int n = Math.Min(f.PayloadCaptured, 0x3fff);
                    d.WriteByte((byte)((f.SrcPort > f.DstPort ? 0 : 0x80) | (n >> 8)));
                    d.WriteByte((byte)n);
                    d.Write(f.PayloadBytes, 0, n);
                    continue;
                }
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
            foreach (var ((low, high), ms) in dtls.Take(3))
                File.WriteAllBytes(Path.Combine(outDir, "dtls", $"{name}-{low}-{high}"), ms.ToArray());
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
        WriteHttp2(outDir);
    }

    /// <summary>
    /// Seeds for the hpack and http2 harnesses, built by hand (no capture holds HTTP/2 in clear): the header blocks of
    /// RFC 7541 Appendix C in sequence, blocks that break each rule, and HTTP/2 conversations with every frame type.
    /// </summary>
    public static void WriteHttp2(string outDir)
    {
        string hpack = Path.Combine(outDir, "hpack"), http2 = Path.Combine(outDir, "http2");
        Directory.CreateDirectory(hpack);
        Directory.CreateDirectory(http2);

        // hpack: [SETTINGS_HEADER_TABLE_SIZE / 256] then blocks with 2-byte lengths.
        static byte[] Blocks(byte setting, params string[] hex) =>
            [setting, .. hex.SelectMany(h => { var b = Convert.FromHexString(h.Replace(" ", "")); return new[] { (byte)(b.Length >> 8), (byte)b.Length }.Concat(b); })];
        var seeds = new Dictionary<string, byte[]>
        {
            ["rfc7541-c2"] = Blocks(16, "400a637573746f6d2d6b65790d637573746f6d2d686561646572", "040c2f73616d706c652f70617468", "100870617373776f726406736563726574", "82"),
            ["rfc7541-c3"] = Blocks(16, "828684410f7777772e6578616d706c652e636f6d", "828684be58086e6f2d6361636865",
                "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565"),
            ["rfc7541-c4"] = Blocks(16, "828684418cf1e3c2e5f23a6ba0ab90f4ff", "828684be5886a8eb10649cbf", "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf"),
            ["rfc7541-c5"] = Blocks(1, "3fe101",
                "480333303258077072697661746561 1d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
                "4803333037c1c0bf",
                "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d415344" +
                "4a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31"),
            ["rfc7541-c6"] = Blocks(1, "3fe101",
                "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
                "4883640effc1c0bf",
                "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007"),
            ["size-updates"] = Blocks(255, "20 3fe11f 82", "3fe13f 4001610162", "be 20", "3fe11f be"),
            ["errors"] = Blocks(16, "80", "82 20", "ff8080808080 00", "0085ffffffffff", "008161"),
            ["eviction"] = Blocks(0, "4004616161610162", "7e 14 7676767676767676767676767676767676767676", "be bf"),
        };
        foreach (var (name, bytes) in seeds) File.WriteAllBytes(Path.Combine(hpack, name), bytes);

        // http2: [chunking] then records with a 2-byte header (0x8000: from the server).
        static byte[] Frame(byte type, byte flags, int stream, string hex)
        {
            var p = Convert.FromHexString(hex.Replace(" ", ""));
            return [(byte)(p.Length >> 16), (byte)(p.Length >> 8), (byte)p.Length, type, flags, (byte)(stream >> 24), (byte)(stream >> 16), (byte)(stream >> 8), (byte)stream, .. p];
        }
        static byte[] Record(bool fromServer, params byte[][] parts)
        {
            var b = parts.SelectMany(x => x).ToArray();
            return [(byte)((fromServer ? 0x80 : 0) | (b.Length >> 8)), (byte)b.Length, .. b];
        }
        byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
        const string request = "828684410f7777772e6578616d706c652e636f6d", response = "885f0974657874" + "2f68746d6c";
        var conversations = new Dictionary<string, byte[][]>
        {
            ["get"] =
            [
                Record(false, preface, Frame(4, 0, 0, "000100010000 000200000000 00040060 0000"), Frame(8, 0, 0, "00ef0001")),
                Record(false, Frame(1, 0x25, 1, "800000 00ff" + request)),
                Record(true, Frame(4, 0, 0, "000300000064 000400100000"), Frame(8, 0, 0, "000f0001"), Frame(4, 1, 0, "")),
                Record(false, Frame(4, 1, 0, "")),
                Record(true, Frame(1, 4, 1, response), Frame(0, 0, 1, "3c68746d6c3e"), Frame(0, 1, 1, "")),
                Record(true, Frame(6, 0, 0, "0102030405060708")),
                Record(false, Frame(6, 1, 0, "0102030405060708"), Frame(7, 0, 0, "00000001 00000000 627965")),
            ],
            ["continuation"] =
            [
                Record(false, preface, Frame(1, 0, 1, request[..10]), Frame(9, 0, 1, request[10..18]), Frame(9, 4, 1, request[18..])),
                Record(false, Frame(0, 9, 1, "03 626f6479 000000"), Frame(3, 0, 3, "00000008")),
                Record(true, Frame(1, 0x0c, 1, "02" + response + "0000"), Frame(2, 0, 3, "80000001 0f")),
            ],
            ["push"] =
            [
                Record(false, preface, Frame(4, 0, 0, ""), Frame(1, 5, 1, request)),
                Record(true, Frame(5, 4, 1, "00000002 828587 410f7777772e6578616d706c652e636f6d"), Frame(1, 4, 2, response), Frame(0, 1, 2, "61")),
                Record(true, Frame(1, 5, 1, "88")),
            ],
            ["flow"] =
            [
                Record(false, preface, Frame(4, 0, 0, "000400000064 000100000100")),
                Record(true, Frame(4, 0, 0, "000400000010"), Frame(4, 1, 0, "")),
                Record(false, Frame(1, 4, 1, request), Frame(0, 0, 1, "00112233445566778899aabbccddeeff0011"), Frame(8, 0, 1, "7fffffff")),
                Record(true, Frame(4, 1, 0, ""), Frame(1, 4, 1, "3fe101 88"), Frame(8, 0, 0, "00000000")),
            ],
            ["malformed"] =
            [
                Record(false, preface, Frame(4, 0, 0, "00010000"), Frame(8, 0, 0, "000001"), Frame(6, 0, 0, "00"), Frame(2, 0, 1, "0000")),
                Record(false, Frame(0, 8, 1, "09 00"), Frame(9, 4, 1, "82"), Frame(3, 0, 0, "00000001 00")),
                Record(true, Frame(7, 0, 0, "0000"), Frame(0xfa, 0xff, 7, "aabbcc"), Frame(1, 4, 3, "80")),
            ],
        };
        byte[] modes = [0, 1, 7, 64];
        int m = 0;
        foreach (var (name, records) in conversations)
            File.WriteAllBytes(Path.Combine(http2, name), [modes[m++ % modes.Length], .. records.SelectMany(r => r)]);
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
