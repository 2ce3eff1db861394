using System.Buffers.Binary;
using HttpsFlow.Capture;
using HttpsFlow.Common;
using HttpsFlow.Fields;
using HttpsFlow.Net;
using HttpsFlow.Output;
using HttpsFlow.Pipeline;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Fuzz;

/// <summary>
/// Something the contract says must not happen: an exception that one of our guards caught and turned into a note
/// (the dissector's outer guard, the certificate parser's). Thrown so that the fuzzer sees it as a crash.
/// </summary>
public sealed class FuzzFinding(string message) : Exception(message);

/// <summary>
/// The fuzzing entry points, shared by the SharpFuzz program (fuzz/run.sh) and the test project (which replays the
/// committed corpus and the regressions through them). Each takes any bytes; any exception that escapes one is a
/// finding: bad bytes must end as notes and errors, never as exceptions.
/// </summary>
public static class Harnesses
{
    public static readonly string[] Names = ["capture", "packet", "tls", "x509", "keylog", "filter", "reassembly", "http1"];

    public static Action<byte[]>? Find(string name) => name switch
    {
        "capture" => Capture,
        "packet" => Packet,
        "tls" => Tls,
        "x509" => X509,
        "keylog" => KeyLogText,
        "filter" => Filter,
        "reassembly" => ReassemblyHarness.Run,
        "http1" => Http1,
        _ => null,
    };

    /// <summary>A whole capture file (pcap, pcapng, gzip): read, dissected, listed and its fields emitted.</summary>
    public static void Capture(byte[] data)
    {
        CaptureReader reader;
        try
        {
            reader = CaptureReader.Open(new MemoryStream(data, writable: false), ownsStream: true);
        }
        catch (CaptureOpenException)
        {
            return; // the documented refusal of something that is not a capture
        }
        using (reader)
        {
            var store = new TlsFrameStore();
            var dissector = new Dissector { KeepPayload = true, TlsObserver = store };
            var set = new FieldSet();
            var list = new ListFormatter();
            using var sink = new TextSink(Stream.Null);
            // A bound on the work one input may cause: the fuzzer's inputs are small, so this is only a guard.
            for (int n = 0; n < 10_000 && dissector.Next(reader) is { } frame; n++)
            {
                CheckFrame(frame);
                list.Write(frame, sink);
                FrameFieldEmitter.Emit(frame, set, store);
                sink.Flush();
            }
            _ = reader.Error;
        }
    }

    /// <summary>
    /// A key log file's text: parsed, bad lines becoming warnings. A warning must never carry a secret: no run of 32 or
    /// more hex digits of the input may appear in one.
    /// </summary>
    public static void KeyLogText(byte[] data)
    {
        string text = System.Text.Encoding.UTF8.GetString(data);
        var log = Decryption.KeyLog.Parse(text, "fuzz");
        foreach (var w in log.Warnings)
        {
            string message = w.ToString();
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, "[0-9A-Fa-f]{32,}"))
                if (message.Contains(m.Value, StringComparison.OrdinalIgnoreCase)) throw new FuzzFinding("a key log warning repeats a secret");
        }
    }

    // One real frame for the filter harness to test compiled filters on: a TCP SYN from 10.0.0.1:50000 to 10.0.0.2:443.
    private static readonly Frame s_filterFrame = FilterFrame();

    private static Frame FilterFrame()
    {
        byte[] packet = Convert.FromHexString(
            "020000000002" + "020000000001" + "0800" +                         // Ethernet: dst, src, IPv4
            "45000028000140004006" + "0000" + "0a000001" + "0a000002" +         // IPv4: ..., checksum, src, dst
            "c35001bb000003e8000000005002200000000000");                        // TCP: 50000 -> 443, SYN
        var frame = new Frame { Number = 1 };
        new PacketDecoder().Decode(new CapturedPacket(packet, packet.Length, LinkTypes.Ethernet, new Timestamp(1, 0), 6, 0), frame);
        return frame;
    }

    /// <summary>A display filter's text: compiled, and when it compiles, tested on a frame; errors are formatted.</summary>
    public static void Filter(byte[] data)
    {
        string text = System.Text.Encoding.UTF8.GetString(data);
        if (Filters.DisplayFilter.TryCompile(text, out var filter, out var error)) filter!.Matches(s_filterFrame);
        else _ = error!.Format(text);
    }

    /// <summary>The link types the packet harness's first byte chooses from.</summary>
    public static readonly uint[] PacketLinkTypes =
        [LinkTypes.Ethernet, LinkTypes.Raw, LinkTypes.LinuxSll, LinkTypes.LinuxSll2, LinkTypes.Null, LinkTypes.Loop, LinkTypes.Ipv4, LinkTypes.Ipv6];

    /// <summary>One packet: the first byte chooses the link type, the rest is the packet.</summary>
    public static void Packet(byte[] data)
    {
        if (data.Length == 0) return;
        var packet = new CapturedPacket(data.AsSpan(1), data.Length - 1, PacketLinkTypes[data[0] % PacketLinkTypes.Length], new Timestamp(1, 0), 6, 0);
        var frame = new Frame { Number = 1 };
        new PacketDecoder().Decode(packet, frame);
    }

    /// <summary>
    /// A TLS connection's bytes: after a TCP handshake, a list of segments, each a 2-byte header (top bit: from the
    /// server; the rest: its length) and its bytes; the last segment takes what is left. Dissected for the fields
    /// (every TLS message parsed for tls.* fields) and again for the walkthrough (`handshakes`, `certs`, `explain`).
    /// </summary>
    public static void Tls(byte[] data)
    {
        var packets = TlsPackets(data);
        {
            var store = new TlsFrameStore();
            var dissector = new Dissector { TlsObserver = store };
            var set = new FieldSet();
            foreach (var p in packets)
            {
                var frame = dissector.Dissect(new CapturedPacket(p, p.Length, LinkTypes.Ethernet, new Timestamp(1, 0), 6, 0), false, null);
                CheckFrame(frame);
                FrameFieldEmitter.Emit(frame, set, store);
            }
        }
        {
            var recorder = new ConnectionRecorder();
            var dissector = new Dissector { TlsObserver = recorder };
            long usec = 0;
            foreach (var p in packets)
            {
                var frame = dissector.Dissect(new CapturedPacket(p, p.Length, LinkTypes.Ethernet, new Timestamp(1, (int)(usec += 1000) * 1000 % 1_000_000_000), 6, 0), false, null);
                CheckFrame(frame);
                recorder.OnFrame(frame, dissector.Tcp.Last);
            }
            var summary = new HandshakeSummary([]);
            foreach (var c in recorder.Connections)
            {
                _ = summary.Build(c);
                foreach (var chain in CertificateReport.For(c, summary, []))
                    _ = chain;
                foreach (var cert in (c.ServerCertificates?.Chain ?? []).Concat(c.ClientCertificates?.Chain ?? []))
                    CheckCertificate(cert);
                using var w = new StringWriter();
                WalkWriter.Write(w, Narrator.Explain(c, new WalkOptions { TrustAnchors = [] }), WalkFormat.Text, 100);
            }
        }
    }

    /// <summary>Small limits, chosen by the http1 input, so that short inputs reach every limit.</summary>
    private static readonly Http.Http1.Http1Limits s_tinyHttp1Limits = new()
    {
        MaxHeaderBytes = 1024, MaxHeaderCount = 8, MaxChunkLineBytes = 64, MaxBodyBytes = 512, MaxDecodedBytes = 64 * 1024,
        DecompressionRatioGrace = 4096, MaxDecompressionRatio = 10, MaxCodings = 3, MaxFramesListed = 4, MaxNotesPerMessage = 4,
    };

    /// <summary>
    /// One HTTP/1.x connection: a request parser and a response parser linked by a method queue. Input: 2 bytes (big
    /// endian) the length of the client's stream; 1 byte: low 4 bits the number of chunk-plan bytes that follow, bit 7
    /// small limits (<see cref="s_tinyHttp1Limits"/>); the plan bytes; the client's stream; the rest is the server's
    /// stream. The two streams are fed in turns, one chunk each, chunk sizes taken from the plan in a cycle (0: the
    /// rest of the stream), each chunk a new frame; then both are closed. Besides escaping exceptions, a finding is
    /// a parser bug note, or a parser or an event over its limits.
    /// </summary>
    public static void Http1(byte[] data)
    {
        if (data.Length < 3) return;
        int clientLength = Math.Min((data[0] << 8) | data[1], data.Length - 3);
        int planLength = Math.Min(data[2] & 0x0f, data.Length - 3);
        var limits = (data[2] & 0x80) != 0 ? s_tinyHttp1Limits : Http.Http1.Http1Limits.Default;
        var plan = data.AsSpan(3, planLength);
        var rest = data.AsSpan(3 + planLength);
        clientLength = Math.Min(clientLength, rest.Length);
        var client = rest[..clientLength];
        var server = rest[clientLength..];
        var sink = new Http1FuzzSink(limits);
        var (requests, responses) = Http.Http1.Http1Parser.CreatePair(sink, sink, limits);
        long frame = 1;
        int step = 0;
        while (!client.IsEmpty || !server.IsEmpty)
        {
            foreach (var (parser, isClient) in new[] { (requests, true), (responses, false) })
            {
                ref var stream = ref isClient ? ref client : ref server;
                if (stream.IsEmpty) continue;
                int size = plan.IsEmpty ? stream.Length : plan[step++ % plan.Length];
                if (size == 0 || size > stream.Length) size = stream.Length;
                parser.Feed(stream[..size], frame++);
                stream = stream[size..];
                CheckHttp1(parser);
            }
        }
        requests.Close(frame);
        responses.Close(frame);
        foreach (var p in new[] { requests, responses })
        {
            CheckHttp1(p);
            if (p.BufferedBytes != 0) throw new FuzzFinding($"{p.BufferedBytes} bytes still held after Close");
        }
    }

    private static void CheckHttp1(Http.Http1.Http1Parser parser)
    {
        if (parser.GaveUp) throw new FuzzFinding("the HTTP/1 parser gave up (a bug note)");
        if (parser.BufferedBytes > parser.Limits.MaxBufferedBytes || parser.BufferedBytes < 0)
            throw new FuzzFinding($"HTTP/1 parser holds {parser.BufferedBytes} bytes, over its bound {parser.Limits.MaxBufferedBytes}");
    }

    /// <summary>Reads every part of every event and checks it against the limits.</summary>
    private sealed class Http1FuzzSink(Http.Http1.Http1Limits limits) : Http.Http1.IHttp1Sink
    {
        public void OnHeaders(in Http.Http1.Http1Message message) => Check(message);

        public void OnMessage(in Http.Http1.Http1Message message) => Check(message);

        public void OnNote(in Http.Http1.Http1Note note)
        {
            if (note.Key == Http.Http1.Http1NoteKeys.Bug) throw new FuzzFinding(note.Message);
        }

        private void Check(in Http.Http1.Http1Message m)
        {
            long sum = m.Method.Length + m.Target.Length + m.Version.Length + m.ReasonPhrase.Length + m.StartLine.Length + m.StatusCode
                       + m.Headers.Host.Length + m.ChunkCount + m.FrameCount + m.LastFrame + m.FirstFrame + m.HeadersFrame + m.CompleteFrame;
            _ = sum + (m.RequestMethod?.Length ?? 0) + (m.IsInterim ? 1 : 0) + m.ContentLength + m.Index;
            if (m.RawHeader.Length > limits.MaxHeaderBytes || m.RawTrailers.Length > limits.MaxHeaderBytes)
                throw new FuzzFinding($"header block of {m.RawHeader.Length} bytes kept");
            if (m.Headers.Count > limits.MaxHeaderCount || m.Trailers.Count > limits.MaxHeaderCount)
                throw new FuzzFinding($"{m.Headers.Count} header fields listed");
            foreach (var h in m.Headers)
                if (h.Name.IsEmpty) throw new FuzzFinding("a header field with an empty name");
            _ = m.Headers.ContentLength;
            _ = m.Headers.GetCombined("content-encoding");
            _ = m.Headers.ContentType.Length + m.Headers.UserAgent.Length + m.Headers.TransferEncoding.Length + m.Headers.ContentEncoding.Length;
            if (m.Body.Length > limits.MaxBodyBytes || m.Body.Length > m.BodyLength)
                throw new FuzzFinding($"{m.Body.Length} body bytes kept of {m.BodyLength}");
            if (m.DecodedBody.Length > Math.Max(limits.MaxDecodedBytes, limits.MaxBodyBytes))
                throw new FuzzFinding($"{m.DecodedBody.Length} decoded bytes");
            if (m.Frames.Length > limits.MaxFramesListed || m.Frames.Length > m.FrameCount)
                throw new FuzzFinding($"{m.Frames.Length} frames listed of {m.FrameCount}");
            if (m.Notes.Length > limits.MaxNotesPerMessage) throw new FuzzFinding($"{m.Notes.Length} notes");
            foreach (var n in m.Notes)
                if (n.Key == Http.Http1.Http1NoteKeys.Bug) throw new FuzzFinding(n.Message);
            if (m.StartOffset > m.HeadersEndOffset || m.HeadersEndOffset > m.EndOffset)
                throw new FuzzFinding($"offsets out of order: {m.StartOffset} {m.HeadersEndOffset} {m.EndOffset}");
        }
    }

    /// <summary>Builds an input of the http1 harness (for seeds and tests).</summary>
    public static byte[] Http1Input(ReadOnlySpan<byte> client, ReadOnlySpan<byte> server, ReadOnlySpan<byte> plan = default, bool tinyLimits = false)
    {
        int clientLength = Math.Min(client.Length, 0xffff);
        int planLength = Math.Min(plan.Length, 15);
        return [(byte)(clientLength >> 8), (byte)clientLength, (byte)(planLength | (tinyLimits ? 0x80 : 0)), .. plan[..planLength], .. client[..clientLength], .. server];
    }

    /// <summary>A DER certificate.</summary>
    public static void X509(byte[] data)
    {
        var cert = HttpsFlow.X509.Certificate.Parse(data);
        CheckCertificate(cert);
        _ = HandshakeSummary.Fingerprint(cert);
    }

    private static void CheckFrame(Frame frame)
    {
        foreach (var note in frame.Notes)
            if (note.Message.StartsWith("dissector bug", StringComparison.Ordinal)) throw new FuzzFinding(note.Message);
    }

    private static void CheckCertificate(HttpsFlow.X509.Certificate cert)
    {
        foreach (var note in cert.Notes)
            if (note.Message.StartsWith("certificate parser failed", StringComparison.Ordinal)) throw new FuzzFinding(note.Message);
    }

    /// <summary>Ethernet/IPv4/TCP packets of one connection 10.0.0.1:50000 → 10.0.0.2:443 carrying the input.</summary>
    public static List<byte[]> TlsPackets(ReadOnlySpan<byte> data)
    {
        const uint clientIsn = 1000, serverIsn = 5000;
        uint clientSeq = clientIsn + 1, serverSeq = serverIsn + 1;
        var packets = new List<byte[]>
        {
            Segment(false, clientIsn, 0, 0x02, default),
            Segment(true, serverIsn, clientSeq, 0x12, default),
            Segment(false, clientSeq, serverSeq, 0x10, default),
        };
        while (data.Length > 0)
        {
            bool fromServer = data.Length >= 2 && (data[0] & 0x80) != 0;
            int length = data.Length >= 2 ? ((data[0] & 0x7f) << 8) | data[1] : 0;
            data = data[Math.Min(2, data.Length)..];
            if (length == 0 || length > data.Length) length = data.Length;
            length = Math.Min(length, 65_000);
            var payload = data[..length];
            data = data[length..];
            if (fromServer)
            {
                packets.Add(Segment(true, serverSeq, clientSeq, 0x18, payload));
                serverSeq += (uint)length;
            }
            else
            {
                packets.Add(Segment(false, clientSeq, serverSeq, 0x18, payload));
                clientSeq += (uint)length;
            }
        }
        return packets;
    }

    private static byte[] Segment(bool fromServer, uint seq, uint ack, byte flags, ReadOnlySpan<byte> payload)
    {
        var p = new byte[14 + 20 + 20 + payload.Length];
        var s = p.AsSpan();
        s[12] = 0x08; // EtherType IPv4
        var ip = s[14..];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 20 + payload.Length));
        ip[8] = 64;
        ip[9] = 6;
        byte[] client = [10, 0, 0, 1], server = [10, 0, 0, 2];
        (fromServer ? server : client).CopyTo(ip[12..]);
        (fromServer ? client : server).CopyTo(ip[16..]);
        var tcp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, fromServer ? (ushort)443 : (ushort)50000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], fromServer ? (ushort)50000 : (ushort)443);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], ack);
        tcp[12] = 0x50;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
        payload.CopyTo(tcp[20..]);
        return p;
    }
}
