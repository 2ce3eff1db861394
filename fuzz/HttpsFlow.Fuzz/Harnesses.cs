using System.Buffers.Binary;
using HttpsFlow.Capture;
using HttpsFlow.Common;
using HttpsFlow.Fields;
using HttpsFlow.Http.Http2;
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
    public static readonly string[] Names = ["capture", "packet", "tls", "dtls", "x509", "keylog", "filter", "reassembly", "http1", "hpack", "http2"];

    public static Action<byte[]>? Find(string name) => name switch
    {
        "capture" => Capture,
        "packet" => Packet,
        "tls" => Tls,
        "dtls" => Dtls,
        "x509" => X509,
        "keylog" => KeyLogText,
        "filter" => Filter,
        "reassembly" => ReassemblyHarness.Run,
        "http1" => Http1,
        "hpack" => Hpack,
        "http2" => Http2,
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

    /// <summary>
    /// UDP datagrams between 10.0.0.1:40000 and 10.0.0.2: each a 2-byte header (top bit: from the server; next bit:
    /// captured without its last quarter; the rest: its length) and its bytes; the last takes what is left. The first
    /// byte chooses the server's port: odd, 853 (DTLS by port, whatever the bytes), else 4433 (DTLS by heuristic).
    /// Dissected, listed, and their fields emitted.
    /// </summary>
    public static void Dtls(byte[] data)
    {
        if (data.Length == 0) return;
        ushort serverPort = (data[0] & 1) != 0 ? (ushort)853 : (ushort)4433;
        ReadOnlySpan<byte> rest = data.AsSpan(1);
        var dissector = new Dissector { KeepPayload = true };
        var set = new FieldSet();
        var list = new ListFormatter();
        using var sink = new TextSink(Stream.Null);
        for (int n = 0; rest.Length > 0 && n < 1000; n++)
        {
            bool fromServer = rest.Length >= 2 && (rest[0] & 0x80) != 0;
            bool cut = rest.Length >= 2 && (rest[0] & 0x40) != 0;
            int length = rest.Length >= 2 ? ((rest[0] & 0x3f) << 8) | rest[1] : 0;
            rest = rest[Math.Min(2, rest.Length)..];
            if (length == 0 || length > rest.Length) length = rest.Length;
            var packet = UdpPacket(fromServer, serverPort, rest[..length]);
            rest = rest[length..];
            int captured = cut ? packet.Length - length / 4 : packet.Length;
            var frame = dissector.Dissect(new CapturedPacket(packet.AsSpan(0, captured), packet.Length, LinkTypes.Ethernet, new Timestamp(1, 0), 6, 0), false, null);
            CheckFrame(frame);
            list.Write(frame, sink);
            FrameFieldEmitter.Emit(frame, set, null);
            sink.Flush();
        }
    }

    /// <summary>An Ethernet/IPv4/UDP packet between 10.0.0.1:40000 and 10.0.0.2:<paramref name="serverPort"/>.</summary>
    public static byte[] UdpPacket(bool fromServer, ushort serverPort, ReadOnlySpan<byte> payload)
    {
        var b = new byte[14 + 20 + 8 + payload.Length];
        b[12] = 0x08;
        b[14] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(16), (ushort)(20 + 8 + payload.Length));
        b[22] = 64;
        b[23] = 17;
        byte[] client = [10, 0, 0, 1], server = [10, 0, 0, 2];
        (fromServer ? server : client).CopyTo(b, 26);
        (fromServer ? client : server).CopyTo(b, 30);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(34), fromServer ? serverPort : (ushort)40000);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(36), fromServer ? (ushort)40000 : serverPort);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(38), (ushort)(8 + payload.Length));
        payload.CopyTo(b.AsSpan(42));
        return b;
    }

    /// <summary>
    /// The limits the hpack harness's second decoder runs with, small so that the fuzzer reaches them (a table limit
    /// below 4,096 counts as 4,096).
    /// </summary>
    public static readonly HpackLimits SmallHpackLimits = new() { MaxTableSize = 512, MaxHeaderListSize = 300, MaxHeaderCount = 4 };

    /// <summary>
    /// Header blocks for one HPACK decoder, so that its dynamic table evolves: the first byte sets
    /// SETTINGS_HEADER_TABLE_SIZE (0–254 × 256 octets; 255: 2^20, above the decoder's limit), then blocks, each a 2-byte
    /// length and its bytes (the last takes what is left). Each block goes to a decoder with the default limits and to
    /// one with <see cref="SmallHpackLimits"/>. Checked: a malformed block fails its decoder; tables, lists and memory
    /// stay within the limits; and while neither decoder has failed and the small one kept every field, both decoded
    /// the same fields and hold the same table.
    /// </summary>
    public static void Hpack(byte[] data)
    {
        if (data.Length == 0) return;
        int setting = data[0] == 255 ? 1 << 20 : data[0] * 256;
        var big = new HpackDecoder { SettingsMaxTableSize = setting };
        var small = new HpackDecoder(SmallHpackLimits) { SettingsMaxTableSize = setting };
        var bigList = new HpackHeaderList();
        var smallList = new HpackHeaderList();
        var rest = data.AsSpan(1);
        while (!rest.IsEmpty)
        {
            int length = rest.Length >= 2 ? rest[0] << 8 | rest[1] : rest.Length;
            rest = rest[Math.Min(2, rest.Length)..];
            if (length > rest.Length) length = rest.Length;
            var block = rest[..length];
            rest = rest[length..];
            big.Decode(block, bigList);
            small.Decode(block, smallList);
            CheckHpack(big, bigList);
            CheckHpack(small, smallList);
            if (!big.Failed && !small.Failed && !smallList.Truncated)
            {
                if (bigList.Count != smallList.Count) throw new FuzzFinding("the two decoders kept different numbers of fields");
                for (int i = 0; i < bigList.Count; i++)
                    if (!bigList[i].Name.SequenceEqual(smallList[i].Name) || !bigList[i].Value.SequenceEqual(smallList[i].Value))
                        throw new FuzzFinding($"the two decoders disagree on field {i}");
                if (big.Table.Count != small.Table.Count || big.Table.Size != small.Table.Size)
                    throw new FuzzFinding("the two decoders' tables differ");
            }
        }
    }

    private static void CheckHpack(HpackDecoder decoder, HpackHeaderList list)
    {
        var limits = decoder.Limits;
        if (list.Status == HpackBlockStatus.Malformed && !decoder.Failed) throw new FuzzFinding("a malformed block left the decoder working");
        if (list.Status != HpackBlockStatus.Ok && list.Notes.Count == 0) throw new FuzzFinding("a block failed without a note");
        var table = decoder.Table;
        if (table.Size > table.MaxSize || table.MaxSize > decoder.MaxTableSize) throw new FuzzFinding($"table size {table.Size} of {table.MaxSize}");
        long size = 0;
        for (int i = 1; i <= table.Count; i++) size += table.Name(i).Length + table.Value(i).Length + HpackDynamicTable.EntryOverhead;
        if (size != table.Size) throw new FuzzFinding($"table size {table.Size}, entries add up to {size}");
        if (list.Count > limits.MaxHeaderCount) throw new FuzzFinding($"{list.Count} fields kept");
        long kept = 0;
        for (int i = 0; i < list.Count; i++) kept += list[i].Name.Length + list[i].Value.Length + HpackDynamicTable.EntryOverhead;
        if (kept > limits.MaxHeaderListSize) throw new FuzzFinding($"{kept} bytes of fields kept");
        long bound = 2L * decoder.MaxTableSize + decoder.MaxTableSize / 32 * 24 + 2L * Math.Max(limits.MaxHeaderListSize, decoder.MaxTableSize) + 4096;
        if (decoder.AllocatedBytes > bound) throw new FuzzFinding($"the decoder holds {decoder.AllocatedBytes} bytes");
    }

    /// <summary>The limits of the http2 harness, small so that the fuzzer reaches them.</summary>
    public static readonly Http2Limits FuzzHttp2Limits = new()
    {
        MaxFrameLength = 20_000,
        MaxHeaderBlockSize = 4096,
        MaxStreams = 16,
        MaxPendingSettings = 4,
        Hpack = new HpackLimits { MaxTableSize = 8192, MaxHeaderListSize = 2048, MaxHeaderCount = 32 },
    };

    /// <summary>
    /// An HTTP/2 connection's two directions: the first byte chooses how each record is cut into chunks (0: whole; else
    /// pieces of 1 to that many bytes, by a generator it seeds), then records, each a 2-byte header (top bit: from the
    /// server; the rest: its length) and its bytes; the last takes what is left. The records are fed to an
    /// <see cref="Http2Connection"/> in order, one capture frame each, cut into chunks, and again whole. Checked: the
    /// events are the same however the bytes were cut; every event is consistent (spans inside the payload, header
    /// lists within the limits); streams, buffers and tables stay within the limits.
    /// </summary>
    public static void Http2(byte[] data)
    {
        if (data.Length == 0) return;
        var records = new List<(bool FromServer, byte[] Bytes)>();
        var rest = data.AsSpan(1);
        while (!rest.IsEmpty)
        {
            bool fromServer = rest.Length >= 2 && (rest[0] & 0x80) != 0;
            int length = rest.Length >= 2 ? (rest[0] & 0x7f) << 8 | rest[1] : rest.Length;
            rest = rest[Math.Min(2, rest.Length)..];
            if (length == 0 || length > rest.Length) length = rest.Length;
            records.Add((fromServer, rest[..length].ToArray()));
            rest = rest[length..];
        }
        string whole = RunHttp2(records, 0);
        string cut = RunHttp2(records, data[0]);
        if (whole != cut) throw new FuzzFinding("the frames differ with the way the bytes are cut");
    }

    private static string RunHttp2(List<(bool FromServer, byte[] Bytes)> records, byte mode)
    {
        var sink = new FuzzHttp2Sink();
        using var connection = new Http2Connection(sink, FuzzHttp2Limits);
        uint state = mode * 2654435761u | 1;
        long frame = 0;
        foreach (var (fromServer, bytes) in records)
        {
            frame++;
            int at = 0;
            while (at < bytes.Length)
            {
                int n = bytes.Length - at;
                if (mode != 0)
                {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    n = Math.Min(n, (int)(state % mode) + 1);
                }
                connection.Feed(!fromServer, bytes.AsSpan(at, n), frame);
                at += n;
            }
            var limits = connection.Limits;
            if (connection.StreamCount > limits.MaxStreams) throw new FuzzFinding($"{connection.StreamCount} streams tracked");
            if (connection.BufferedBytes > 2L * (limits.MaxFrameLength + Http2FrameHeader.Size + limits.MaxHeaderBlockSize))
                throw new FuzzFinding($"{connection.BufferedBytes} bytes buffered");
            foreach (var d in new[] { connection.ClientDecoder, connection.ServerDecoder })
                if (d.Table.Size > d.Table.MaxSize || d.Table.MaxSize > d.MaxTableSize) throw new FuzzFinding("HPACK table over its limit");
        }
        return sink.Text.ToString();
    }

    private sealed class FuzzHttp2Sink : IHttp2Sink
    {
        public readonly System.Text.StringBuilder Text = new();

        public void OnMagic(bool fromClient, long frame) => Text.Append(fromClient).Append(" magic ").Append(frame).Append('\n');

        public void OnNote(in Http2NoteEvent note) => Text.Append("note ").Append(note.Frame).Append(' ').Append(note.Note.Message).Append('\n');

        public void OnFrame(in Http2FrameEvent e)
        {
            var h = e.Header;
            if (!e.PayloadSkipped && e.Payload.Length != h.Length) throw new FuzzFinding("payload length differs from the header's");
            if (e.Data.Length > e.Payload.Length || e.HeaderBlockFragment.Length > e.Payload.Length || e.Opaque.Length > e.Payload.Length)
                throw new FuzzFinding("a decoded field is longer than the payload");
            if (e.Settings.Count * 6 > e.Payload.Length) throw new FuzzFinding("more settings than the payload holds");
            if (e.Headers is { } list)
            {
                if (h.FrameType is not (Http2FrameType.Headers or Http2FrameType.PushPromise or Http2FrameType.Continuation))
                    throw new FuzzFinding($"a header list on a {e.TypeName} frame");
                var limits = FuzzHttp2Limits.Hpack;
                if (list.Count > limits.MaxHeaderCount) throw new FuzzFinding($"{list.Count} header fields kept");
                long size = 0;
                for (int i = 0; i < list.Count; i++) size += list[i].Name.Length + list[i].Value.Length + 32;
                if (size > limits.MaxHeaderListSize) throw new FuzzFinding($"{size} bytes of header fields kept");
                Text.Append("headers ").Append(list.Status).Append(' ');
                for (int i = 0; i < list.Count; i++) Text.Append(Convert.ToHexString(list[i].Name)).Append('=').Append(Convert.ToHexString(list[i].Value)).Append(';');
                Text.Append('\n');
            }
            Text.Append(e.FromClient).Append(' ').Append(e.Frame).Append(' ').Append(h).Append(' ').Append(e.StreamOffset)
                .Append(e.Malformed ? " malformed" : "").Append(e.PayloadSkipped ? " skipped" : "")
                .Append(" data=").Append(e.Data.Length).Append(" pad=").Append(e.PadLength).Append(" frag=").Append(e.HeaderBlockFragment.Length)
                .Append(" inc=").Append(e.WindowIncrement).Append(" err=").Append(e.ErrorCode).Append(" promised=").Append(e.PromisedStreamId)
                .Append(" stream=").Append(e.Stream?.ToString()).Append('\n');
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

    private static byte[] Segment(bool fromServer, uint seq, uint ack, byte flags, ReadOnlySpan<byte> payload) =>
        ReassemblyHarness.Packet(fromServer, 50000, seq, ack, flags, payload);
}
