using HttpsFlow.Common;
using HttpsFlow.Tcp;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Registry;
using HttpsFlow.X509;

namespace HttpsFlow.Walkthrough;

/// <summary>Options of a walkthrough.</summary>
public sealed class WalkOptions
{
    /// <summary>"en" (default) or "zh".</summary>
    public string Language { get; init; } = "en";
    /// <summary>Width of the sequence diagram in columns.</summary>
    public int Width { get; init; } = 100;
    /// <summary>Draw the diagram with ASCII characters only.</summary>
    public bool Ascii { get; init; }
    /// <summary>Trust anchors for the certificate chain (null: the system's store).</summary>
    public IReadOnlyList<Certificate>? TrustAnchors { get; init; }
    /// <summary>At most this many segments are narrated one by one; the rest (except the teardown) are summarised.</summary>
    public int MaxNarratedFrames { get; init; } = 60;
    /// <summary>The decryption of a connection, when a key log was tried (null: none was).</summary>
    public Func<TcpConversation, Decryption.TlsSession?>? Decryption { get; init; }
}

/// <summary>
/// Explains one recorded TLS connection the way an expert reads it in Wireshark: the header facts, a sequence
/// diagram, every segment in order with its Seq/Ack arithmetic and TLS messages decoded, the timing, and findings.
/// The text comes from a <see cref="Phrasebook"/> (English or Chinese); the numbers always come from the capture.
/// </summary>
public static class Narrator
{
    public static Walk Explain(TlsConnection c, WalkOptions? options = null)
    {
        options ??= new WalkOptions();
        var p = Phrasebook.For(options.Language);
        var ctx = new Context(c, p, options);
        var walk = new Walk { Connection = c, Timing = ComputeTiming(c), Language = p is ChinesePhrasebook ? "zh" : "en" };
        ctx.Walk = walk;

        walk.Blocks.Add(new Block(BlockKind.Heading, p.Title(c.Stream, Endpoint(c.ClientAddress, c.ClientPort), Endpoint(c.ServerAddress, c.ServerPort), c.ClientHello?.ServerName), 1));
        var decryption = options.Decryption?.Invoke(c.Conversation);
        walk.Blocks.Add(new Block(BlockKind.Facts, "", 0, HeaderFacts(c, p, decryption)));
        if (DecryptedStarts(decryption, p) is { } starts) walk.Blocks.Add(new Block(BlockKind.Paragraph, starts));

        walk.Blocks.Add(new Block(BlockKind.Heading, p.DiagramHeading, 2));
        var diagram = SequenceDiagram.Draw(c, options.Width, options.Ascii, p, walk.DiagramFrames);
        walk.Blocks.Add(new Block(BlockKind.Preformatted, diagram));

        walk.Blocks.Add(new Block(BlockKind.Heading, p.StepsHeading, 2));
        NarrateFrames(ctx);

        walk.Blocks.Add(new Block(BlockKind.Heading, p.TimingHeading, 2));
        walk.Blocks.Add(new Block(BlockKind.Facts, "", 0, TimingFacts(walk.Timing, p)));

        Findings(ctx);
        walk.Blocks.Add(new Block(BlockKind.Heading, p.FindingsHeading, 2));
        if (walk.Findings.Count == 0) walk.Blocks.Add(new Block(BlockKind.Paragraph, p.NoFindings));
        foreach (var f in walk.Findings) walk.Blocks.Add(new Block(BlockKind.Bullet, p.FindingLevelLabel(f.Level) + f.Text));
        return walk;
    }

    private sealed class Context(TlsConnection c, Phrasebook p, WalkOptions o)
    {
        public readonly TlsConnection C = c;
        public readonly Phrasebook P = p;
        public readonly WalkOptions O = o;
        public Walk Walk = null!;
        public void Para(string text, long frame = 0) => Walk.Blocks.Add(new Block(BlockKind.Paragraph, text, Frame: frame));
        public void Bullet(string text, long frame = 0) => Walk.Blocks.Add(new Block(BlockKind.Bullet, text, Frame: frame));
    }

    internal static string Endpoint(Net.IpAddress address, ushort port)
    {
        string a = address.ToString();
        return a.Contains(':') ? $"[{a}]:{port}" : $"{a}:{port}";
    }

    // ---------------------------------------------------------------- header

    private static List<KeyValuePair<string, string>> HeaderFacts(TlsConnection c, Phrasebook p, Decryption.TlsSession? decryption)
    {
        var facts = new List<KeyValuePair<string, string>>
        {
            new(p.LabelClient, Endpoint(c.ClientAddress, c.ClientPort)),
            new(p.LabelServer, Endpoint(c.ServerAddress, c.ServerPort)),
            new(p.LabelSni, c.ClientHello?.ServerName ?? p.None),
            new(p.LabelVersion, c.ServerHello is { } sh ? VersionName(sh.Version) : p.NotNegotiated),
            new(p.LabelSuite, c.ServerHello is { } sh2 ? SuiteName(sh2.CipherSuite) : p.NotNegotiated),
            new(p.LabelAlpn, c.ServerHello?.Alpn ?? (c.ClientHello is { Alpn.Length: > 0 } ? p.AlpnNotChosen : p.None)),
            new(p.LabelHandshake, c.ServerHello is null ? p.HandshakeIncomplete : c.Resumed ? p.HandshakeResumed : p.HandshakeFull),
            new(p.LabelDecrypted, decryption is null ? p.NotDecrypted : p.Decryption(decryption.Status)),
            new(p.LabelDuration, p.Duration(c.End.Subtract(c.Start))),
            new(p.LabelFrames, c.Frames.Count + c.FramesDropped > 0 ? p.FramesCount(c.Frames.Count + c.FramesDropped, FirstFrame(c), LastFrame(c)) : "0"),
        };
        return facts;
    }

    /// <summary>One sentence each on what the decrypted first records start with (their first line), or null.</summary>
    private static string? DecryptedStarts(Decryption.TlsSession? s, Phrasebook p)
    {
        static string? FirstLine(byte[]? data)
        {
            if (data is null || data.Length == 0) return null;
            int end = Array.IndexOf(data, (byte)'\n');
            var line = System.Text.Encoding.Latin1.GetString(data, 0, end < 0 ? Math.Min(data.Length, 80) : Math.Min(end, 80)).TrimEnd('\r');
            return line.Length > 0 && line.All(ch => ch >= ' ' && ch < '\x7f') ? line : null;
        }
        if (s is { Status: HttpsFlow.Decryption.DecryptionStatus.Decrypted } && s.FirstClientData is { } first
            && first.AsSpan().StartsWith(Http.PlaintextNamer.Http2Preface) && Http2First.Read(first, s.FirstServerData) is { } h2)
        {
            var said = p.DecryptedHttp2Request(h2.Method, h2.Path, h2.Stream);
            if (h2.Status is { } status) said += p.SentenceGap + p.DecryptedHttp2Response(status, h2.Stream);
            if (h2.Body is { } h2Body) said += p.SentenceGap + p.DecryptedShortBody(h2Body);
            return said;
        }
        if (s is not { Status: HttpsFlow.Decryption.DecryptionStatus.Decrypted } || FirstLine(s.FirstClientData) is not { } request) return null;
        var text = p.DecryptedFirstClientRecord(request);
        if (FirstLine(s.FirstServerData) is { } response) text += p.SentenceGap + p.DecryptedFirstServerRecord(response);
        if (ShortBody(s.FirstServerData) is { } body) text += p.SentenceGap + p.DecryptedShortBody(body);
        return text;
    }

    /// <summary>
    /// The first HTTP/2 request in a connection's first decrypted bytes (each side's first 512), its response's status on
    /// the same stream, and that response's body when it is whole, short printable text.
    /// </summary>
    private sealed class Http2First : Http.Http2.IHttp2Sink
    {
        private string? _method, _path, _status;
        private int _stream;
        private readonly System.Text.StringBuilder _body = new();
        private bool _bodyEnded, _bodyTooLong;

        public static (string Method, string Path, int Stream, string? Status, string? Body)? Read(byte[] client, byte[]? server)
        {
            var sink = new Http2First();
            using var connection = new Http.Http2.Http2Connection(sink);
            connection.Feed(true, client, 0);
            if (server is not null) connection.Feed(false, server, 0);
            if (sink._method is null || sink._path is null) return null;
            string? body = sink._bodyEnded && !sink._bodyTooLong && sink._body.Length is > 0 and <= 64 ? sink._body.ToString().Trim() : null;
            if (body is not null && (body.Length == 0 || !body.All(ch => ch >= ' ' && ch != '\x7f'))) body = null;
            return (sink._method, sink._path, sink._stream, sink._status, body);
        }

        public void OnFrame(in Http.Http2.Http2FrameEvent e)
        {
            var h = e.Header;
            if (e.Headers is { } headers)
            {
                if (e.FromClient && _method is null && headers.GetString(":method"u8) is { } m)
                {
                    _method = m;
                    _path = headers.GetString(":path"u8) ?? "";
                    _stream = h.StreamId;
                }
                else if (!e.FromClient && h.StreamId == _stream && _status is null) _status = headers.GetString(":status"u8);
            }
            else if (!e.FromClient && h.FrameType == Http.Http2.Http2FrameType.Data && h.StreamId == _stream && _stream != 0)
            {
                if (_body.Length + e.Data.Length > 64) _bodyTooLong = true;
                else _body.Append(System.Text.Encoding.UTF8.GetString(e.Data));
                if (h.HasFlag(Http.Http2.Http2Flags.EndStream)) _bodyEnded = true;
            }
        }
    }

    /// <summary>The body of an HTTP/1.x response held whole in its first bytes, when it is short printable text ("test").</summary>
    private static string? ShortBody(byte[]? data)
    {
        if (data is null || data.Length < 12 || !data.AsSpan().StartsWith("HTTP/1."u8)) return null;
        int end = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0 || data.Length == end + 4 || data.Length >= 512) return null;
        var body = System.Text.Encoding.UTF8.GetString(data, end + 4, data.Length - end - 4).Trim();
        return body.Length is > 0 and <= 64 && body.All(ch => ch >= ' ' && ch != '\x7f') ? body : null;
    }

    private static long FirstFrame(TlsConnection c) => c.Frames.Count > 0 ? c.Frames[0].Number : c.Conversation.FirstFrame;
    private static long LastFrame(TlsConnection c) => c.Frames.Count > 0 ? c.Frames[^1].Number : c.Conversation.LastFrame;

    public static string VersionName(ushort version) => TlsNames.VersionName(version) ?? $"0x{version:x4}";

    public static string SuiteName(ushort suite) => CipherSuites.IanaName(suite) ?? CipherSuites.Name(suite) ?? $"0x{suite:x4}";

    public static string GroupName(ushort group) => NamedGroups.Name(group) ?? $"0x{group:x4}";

    public static string SchemeName(ushort scheme) => SignatureSchemes.Name(scheme) ?? $"0x{scheme:x4}";

    // ---------------------------------------------------------------- timing

    /// <summary>The time marks of <paramref name="c"/>, from its recorded frames.</summary>
    public static Timing ComputeTiming(TlsConnection c)
    {
        Duration? rtt = c.Conversation.HasInitialRtt ? c.Conversation.InitialRtt : null;
        Duration? handshake = null, firstData = null;
        var chTime = c.ClientHello is { } ch ? c.FindFrame(ch.Frame)?.Time : null;
        long finished = HandshakeEndFrame(c);
        if (chTime is { } t0 && finished > 0 && c.FindFrame(finished) is { } fin) handshake = fin.Time.Subtract(t0);
        long dataFrame = FirstApplicationDataFrame(c);
        if (dataFrame > 0 && c.FindFrame(dataFrame) is { } df && c.Frames.Count > 0) firstData = df.Time.Subtract(c.Frames[0].Time);
        int? trips = dataFrame > 0 ? RoundTripsBefore(c, dataFrame) : null;
        return new Timing(rtt, handshake, firstData, trips, c.End.Subtract(c.Start));
    }

    /// <summary>The frame with the handshake's last Finished (0 when not seen).</summary>
    public static long HandshakeEndFrame(TlsConnection c)
    {
        if (c.ServerHello is null) return 0;
        if (c.IsTls13)
        {
            // The client's Finished is its first encrypted record after the ServerHello.
            return ClientTls13FinishedFrame(c);
        }
        if (c.ClientFinishedFrame == 0 || c.ServerFinishedFrame == 0) return 0;
        return Math.Max(c.ClientFinishedFrame, c.ServerFinishedFrame);
    }

    internal static long ClientTls13FinishedFrame(TlsConnection c)
    {
        if (c.ServerHello is not { } sh) return 0;
        foreach (var a in c.ApplicationData)
            if (c.IsFromClient(a.FromA) && a.Frame > sh.Frame) return a.Frame;
        return 0;
    }

    /// <summary>The frame of the first application-data record that is not part of the handshake (0: none).</summary>
    public static long FirstApplicationDataFrame(TlsConnection c)
    {
        if (c.ServerHello is null) return 0;
        if (!c.IsTls13)
        {
            long end = HandshakeEndFrame(c);
            foreach (var a in c.ApplicationData)
                if (end == 0 || a.Frame >= end) return a.Frame;
            return 0;
        }
        // TLS 1.3: after the client's Finished, the next encrypted record of either side is data (or a ticket).
        bool seenClientFinished = false;
        foreach (var a in c.ApplicationData)
        {
            if (a.Frame <= c.ServerHello.Frame) continue;
            if (c.IsFromClient(a.FromA) && !seenClientFinished) { seenClientFinished = true; continue; }
            if (seenClientFinished && c.IsFromClient(a.FromA)) return a.Frame;
        }
        return 0;
    }

    /// <summary>How many times the client waited for the server before it sent the data of <paramref name="dataFrame"/>.</summary>
    private static int RoundTripsBefore(TlsConnection c, long dataFrame)
    {
        int trips = 0;
        bool waiting = false;
        foreach (var f in c.Frames)
        {
            if (f.Number >= dataFrame) break;
            bool sends = f.Length > 0 || (f.Flags & TcpFlags.Syn) != 0;
            if (!sends) continue;
            if (c.IsFromClient(f)) waiting = true;
            else if (waiting) { trips++; waiting = false; }
        }
        return trips;
    }

    private static List<KeyValuePair<string, string>> TimingFacts(Timing t, Phrasebook p) =>
    [
        new(p.LabelTcpRtt, t.TcpRoundTrip is { } r ? p.Duration(r) : p.NotSeen),
        new(p.LabelTlsHandshake, t.TlsHandshake is { } h ? p.Duration(h) : p.NotSeen),
        new(p.LabelFirstData, t.TimeToFirstApplicationData is { } d ? p.Duration(d) : p.NotSeen),
        new(p.LabelRoundTrips, t.RoundTripsBeforeData is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : p.NotSeen),
        new(p.LabelTotal, p.Duration(t.Total)),
    ];

    // ---------------------------------------------------------------- frames

    private static void NarrateFrames(Context x)
    {
        var c = x.C;
        var p = x.P;
        if (c.Frames.Count == 0) { x.Para(p.NoFramesKept); return; }
        var start = c.Frames[0].Time;
        // Per side: the highest Ack sent so far, and whether the three-way handshake is complete.
        uint lastAckClient = 0, lastAckServer = 0;
        bool ackSeenClient = false, ackSeenServer = false;
        bool synSeen = false, synAckSeen = false, established = false;
        bool firstFinSeen = false;
        int narrated = 0;
        long summaryFrom = 0, summaryTo = 0;
        int sumClientRecords = 0, sumServerRecords = 0, sumAcks = 0, sumSegments = 0;
        long sumClientBytes = 0, sumServerBytes = 0;
        var tls13ServerEncrypted = new List<int>();
        long clientTls13Finished = c.IsTls13 ? ClientTls13FinishedFrame(c) : 0;

        void FlushSummary()
        {
            if (sumSegments == 0) return;
            x.Para(p.Summary(summaryFrom, summaryTo, sumSegments, sumClientRecords, sumClientBytes, sumServerRecords, sumServerBytes, sumAcks));
            sumSegments = sumClientRecords = sumServerRecords = sumAcks = 0;
            sumClientBytes = sumServerBytes = 0;
        }

        for (int i = 0; i < c.Frames.Count; i++)
        {
            var f = c.Frames[i];
            bool client = c.IsFromClient(f);
            string who = client ? p.Client : p.Server;
            string peer = client ? p.Server : p.Client;
            var rel = f.Time.Subtract(start);
            bool syn = (f.Flags & TcpFlags.Syn) != 0, fin = (f.Flags & TcpFlags.Fin) != 0, rst = (f.Flags & TcpFlags.Rst) != 0;

            // Summarise the long middle of a big connection; the teardown is always told.
            bool mustTell = syn || fin || rst || !established || f.Tls.Any(t => t.ContentType != 23) || f.Analysis != TcpAnalysisFlags.None;
            if (narrated >= x.O.MaxNarratedFrames && !mustTell)
            {
                if (sumSegments == 0) summaryFrom = f.Number;
                summaryTo = f.Number;
                sumSegments++;
                foreach (var t in f.Tls)
                {
                    if (t.ContentType != 23) continue;
                    if (client) { sumClientRecords++; sumClientBytes += t.RecordLength; } else { sumServerRecords++; sumServerBytes += t.RecordLength; }
                }
                if (f.Length == 0 && !syn && !fin) sumAcks++;
                // Keep the Ack bookkeeping right for what follows.
                if (f.HasAck) { if (client) { lastAckClient = f.Ack; ackSeenClient = true; } else { lastAckServer = f.Ack; ackSeenServer = true; } }
                continue;
            }
            FlushSummary();
            narrated++;

            var sentences = new List<string>();
            var bullets = new List<string>();

            if (syn && !f.HasAck)
            {
                synSeen = true;
                sentences.Add(p.Syn(f.SeqRaw, f.Mss, f.WindowScale, f.SackPermitted));
            }
            else if (syn)
            {
                synAckSeen = true;
                sentences.Add(p.SynAck(f.SeqRaw, f.Ack, f.Mss, f.WindowScale));
                AddAck(x, f, client, sentences, ref lastAckClient, ref lastAckServer, ref ackSeenClient, ref ackSeenServer, quiet: true);
            }
            else
            {
                if (!established && synSeen && synAckSeen && client && f.Length == 0 && !fin && !rst)
                {
                    established = true;
                    sentences.Add(p.HandshakeAck(f.Seq, f.Ack, c.Conversation.HasInitialRtt ? c.Conversation.InitialRtt : null));
                    if (client) { lastAckClient = f.Ack; ackSeenClient = true; }
                    RecordAck(x, f, client);
                }
                else
                {
                    if (!synSeen) established = true; // the capture began after the handshake
                    if (f.Tls.Count > 0)
                    {
                        var names = f.Tls.SelectMany(t => t.Names).ToList();
                        sentences.Add(p.Carries(who, names.Count, string.Join(", ", names)));
                        ExplainRecords(x, f, client, bullets, tls13ServerEncrypted, clientTls13Finished);
                    }
                    else if (f.PartOfLaterRecord)
                    {
                        long completes = CompletingFrame(c, f);
                        sentences.Add(p.RecordPiece(who, f.Length, completes));
                    }
                    if (f.Length > 0) sentences.Add(p.DataRange(who, f.Seq, f.Length, f.NextSeq));
                    if (fin)
                    {
                        sentences.Add(firstFinSeen ? p.FinSecond(who, f.Seq) : p.FinFirst(who, f.Seq));
                        firstFinSeen = true;
                    }
                    if (rst) sentences.Add(p.Reset(who));
                    if (f.HasAck)
                        AddAck(x, f, client, sentences, ref lastAckClient, ref lastAckServer, ref ackSeenClient, ref ackSeenServer, quiet: false);
                }
            }
            foreach (var flag in AnalysisFlags(f.Analysis)) sentences.Add(p.Analysis(flag));

            string head = p.FrameHead(f.Number, p.Duration(rel), who, peer);
            x.Para(head + p.SentenceGap + string.Join(p.SentenceGap, sentences), f.Number);
            foreach (var b in bullets) x.Bullet(b, f.Number);
        }
        FlushSummary();
    }

    /// <summary>The later frame of the same side whose records include bytes from <paramref name="f"/>.</summary>
    private static long CompletingFrame(TlsConnection c, FlowFrame f)
    {
        foreach (var g in c.Frames)
        {
            if (g.Number <= f.Number || g.FromA != f.FromA) continue;
            foreach (var t in g.Tls)
                if (t.FirstFrame <= f.Number) return g.Number;
        }
        return 0;
    }

    private static void RecordAck(Context x, FlowFrame f, bool client)
    {
        var acked = FindAcked(x.C, f, client);
        if (acked is not null)
            x.Walk.Acks.Add(new AckFact(f.Number, f.Ack, acked.Number, acked.Seq, acked.Length, (acked.Flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0, f.Length > 0));
    }

    /// <summary>The peer's latest segment, before <paramref name="f"/>, whose next sequence number is f's Ack.</summary>
    private static FlowFrame? FindAcked(TlsConnection c, FlowFrame f, bool client)
    {
        FlowFrame? best = null;
        foreach (var g in c.Frames)
        {
            if (g.Number >= f.Number) break;
            if (c.IsFromClient(g) == client) continue;
            bool occupies = g.Length > 0 || (g.Flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0;
            if (occupies && g.NextSeq == f.Ack && (g.Analysis & TcpAnalysisFlags.Retransmission) == 0) best = g;
        }
        return best;
    }

    private static void AddAck(Context x, FlowFrame f, bool client, List<string> sentences, ref uint lastAckClient, ref uint lastAckServer,
        ref bool ackSeenClient, ref bool ackSeenServer, bool quiet)
    {
        var p = x.P;
        var c = x.C;
        uint last = client ? lastAckClient : lastAckServer;
        bool seen = client ? ackSeenClient : ackSeenServer;
        bool advances = !seen || TcpSeq.Gt(f.Ack, last);
        if (client) { lastAckClient = seen && !advances ? last : f.Ack; ackSeenClient = true; }
        else { lastAckServer = seen && !advances ? last : f.Ack; ackSeenServer = true; }
        if (!advances)
        {
            if (f.Length == 0 && (f.Flags & (TcpFlags.Fin | TcpFlags.Rst | TcpFlags.Syn)) == 0 && f.Analysis == TcpAnalysisFlags.None)
                sentences.Add(p.AckNothingNew(f.Ack));
            return;
        }
        var acked = FindAcked(c, f, client);
        string who = client ? p.Client : p.Server;
        if (acked is null)
        {
            if (!quiet) sentences.Add(p.AckUnmatched(f.Ack));
            return;
        }
        bool synOrFin = (acked.Flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0;
        bool piggy = f.Length > 0 || (f.Flags & TcpFlags.Fin) != 0;
        x.Walk.Acks.Add(new AckFact(f.Number, f.Ack, acked.Number, acked.Seq, acked.Length, synOrFin, piggy));
        if (quiet) return;
        // Which of the peer's segments this acknowledgement covers for the first time.
        var covered = c.Frames.Where(g => g.Number < f.Number && c.IsFromClient(g) != client && (g.Length > 0 || (g.Flags & TcpFlags.Fin) != 0)
                                          && TcpSeq.Gt(g.NextSeq, last) && !TcpSeq.Gt(g.NextSeq, f.Ack)
                                          && (g.Analysis & TcpAnalysisFlags.Retransmission) == 0).Select(g => g.Number).ToList();
        bool fin = (acked.Flags & TcpFlags.Fin) != 0;
        sentences.Add(p.AckArithmetic(f.Ack, acked.Number, acked.Seq, acked.Length, fin, covered));
        if (piggy) sentences.Add(p.Piggyback(who));
        else sentences.Add(p.BareAck(who));
    }

    private static IEnumerable<TcpAnalysisFlags> AnalysisFlags(TcpAnalysisFlags flags)
    {
        foreach (var v in new[]
        {
            TcpAnalysisFlags.Retransmission, TcpAnalysisFlags.FastRetransmission, TcpAnalysisFlags.SpuriousRetransmission,
            TcpAnalysisFlags.OutOfOrder, TcpAnalysisFlags.LostSegment, TcpAnalysisFlags.AckLostSegment, TcpAnalysisFlags.DuplicateAck,
            TcpAnalysisFlags.ZeroWindow, TcpAnalysisFlags.WindowFull, TcpAnalysisFlags.WindowUpdate, TcpAnalysisFlags.KeepAlive,
        })
            if ((flags & v) != 0) yield return v;
    }

    // ---------------------------------------------------------------- TLS messages

    private static void ExplainRecords(Context x, FlowFrame f, bool client, List<string> bullets, List<int> tls13ServerEncrypted, long clientTls13Finished)
    {
        var c = x.C;
        var p = x.P;
        var steps = new Queue<HandshakeStep>(c.Handshake.Where(h => h.Frame == f.Number));
        var appData = new List<int>();
        foreach (var item in f.Tls)
        {
            switch (item.ContentType)
            {
                case 22:
                    foreach (var name in item.Names)
                    {
                        if (name.StartsWith('[')) continue; // "[… Fragment]": the message ends in a later record
                        x.Walk.Messages.Add((f.Number, name));
                        var step = steps.Count > 0 ? steps.Dequeue() : null;
                        if (step is not null) bullets.Add(ExplainMessage(x, f, step, client));
                    }
                    break;
                case 20:
                    x.Walk.Messages.Add((f.Number, TlsNames.ChangeCipherSpec));
                    bullets.Add(c.LooksTls13 ? p.ChangeCipherSpec13(client ? p.Client : p.Server) : p.ChangeCipherSpec(client ? p.Client : p.Server));
                    break;
                case 21:
                    foreach (var name in item.Names) x.Walk.Messages.Add((f.Number, name));
                    var alert = c.Alerts.FirstOrDefault(a => a.Frame == f.Number);
                    if (alert is null || alert.Encrypted) bullets.Add(p.EncryptedAlert(client ? p.Client : p.Server, f.Number == LastTlsFrame(c)));
                    else bullets.Add(p.Alert(client ? p.Client : p.Server, TlsNames.AlertLevel(alert.Level) ?? alert.Level.ToString(), TlsNames.AlertDescription(alert.Description) ?? alert.Description.ToString(), alert.Level == 2));
                    break;
                case 23:
                    x.Walk.Messages.Add((f.Number, TlsNames.ApplicationData));
                    appData.Add(item.RecordLength);
                    break;
                default:
                    foreach (var name in item.Names) x.Walk.Messages.Add((f.Number, name));
                    break;
            }
        }
        if (appData.Count == 0) return;
        string who = client ? p.Client : p.Server;
        if (c.IsTls13 && c.ServerHello is { } sh && f.Number >= sh.Frame)
        {
            if (!client && (clientTls13Finished == 0 || f.Number < clientTls13Finished))
            {
                bool first = tls13ServerEncrypted.Count == 0;
                tls13ServerEncrypted.AddRange(appData);
                bullets.Add(p.Tls13ServerEncryptedFlight(appData, first, c.Resumed));
                return;
            }
            if (client && f.Number == clientTls13Finished)
            {
                bullets.Add(p.Tls13ClientFinished(appData[0]));
                if (appData.Count > 1) bullets.Add(p.ApplicationData(who, appData.Skip(1).ToList()));
                return;
            }
            if (!client && c.Tickets.Count == 0 && IsServerRecordBeforeRequest(c, f, clientTls13Finished))
            {
                bullets.Add(p.Tls13PostHandshake(appData));
                return;
            }
        }
        bullets.Add(p.ApplicationData(who, appData));
    }

    /// <summary>
    /// A TLS 1.3 server record after the client's Finished and before the client's first request: the server cannot
    /// be answering anything yet, so it is a post-handshake message (a NewSessionTicket, in practice).
    /// </summary>
    private static bool IsServerRecordBeforeRequest(TlsConnection c, FlowFrame f, long clientFinished)
    {
        if (clientFinished == 0 || f.Number <= clientFinished) return false;
        long request = FirstApplicationDataFrame(c);
        return request == 0 || f.Number < request;
    }

    private static long LastTlsFrame(TlsConnection c)
    {
        for (int i = c.Frames.Count - 1; i >= 0; i--)
            if (c.Frames[i].Tls.Count > 0) return c.Frames[i].Number;
        return 0;
    }

    private static string ExplainMessage(Context x, FlowFrame f, HandshakeStep step, bool client)
    {
        var c = x.C;
        var p = x.P;
        string who = client ? p.Client : p.Server;
        if (step.Encrypted)
        {
            bool afterCcs = c.ChangeCipherSpecs.Any(s => s.FromA == step.FromA && s.Frame <= step.Frame);
            return afterCcs ? p.FinishedEncrypted(who, step.Length) : p.EncryptedHandshake(who, step.Length);
        }
        switch ((TlsHandshakeType)step.Type)
        {
            case TlsHandshakeType.ClientHello when c.ClientHello is { } ch:
                var hello = ch.Frame == step.Frame ? ch : c.SecondClientHello ?? ch;
                return ExplainClientHello(x, hello, hello == c.SecondClientHello);
            case TlsHandshakeType.ServerHello when step.Name == TlsNames.HelloRetryRequest && c.HelloRetryRequest is { } hrr:
                return p.HelloRetryRequest(GroupName(hrr.KeyShareGroup), SuiteName(hrr.CipherSuite));
            case TlsHandshakeType.ServerHello when c.ServerHello is { } sh:
                return ExplainServerHello(x, sh);
            case TlsHandshakeType.Certificate when (client ? c.ClientCertificates : c.ServerCertificates) is { } certs:
                return ExplainCertificates(x, certs, client);
            case TlsHandshakeType.ServerKeyExchange when c.ServerKeyExchange is { } ske:
                return ske.PointLength > 0
                    ? p.ServerKeyExchangeEc(step.Length, GroupName(ske.NamedCurve), ske.PointLength, ske.HasSignatureScheme ? SchemeName(ske.SignatureScheme) : null, ske.SignatureLength)
                    : p.ServerKeyExchangeDh(step.Length, ske.DhPrimeBits, ske.HasSignatureScheme ? SchemeName(ske.SignatureScheme) : null, ske.SignatureLength);
            case TlsHandshakeType.ServerHelloDone:
                return p.ServerHelloDone;
            case TlsHandshakeType.ClientKeyExchange when c.ClientKeyExchange is { } cke:
                if (cke.PointLength > 0) return p.ClientKeyExchangeEc(cke.PointLength, c.ServerKeyExchange is { } s ? GroupName(s.NamedCurve) : null);
                if (cke.EncryptedPreMasterLength > 0) return p.ClientKeyExchangeRsa(cke.EncryptedPreMasterLength);
                if (cke.DhPublicLength > 0) return p.ClientKeyExchangeDh(cke.DhPublicLength);
                return p.GenericMessage(step.Name, step.Length);
            case TlsHandshakeType.NewSessionTicket when c.Tickets.FirstOrDefault(t => t.Frame == step.Frame) is { } ticket:
                return p.NewSessionTicket(ticket.TicketLength, ticket.LifetimeHint, p.Lifetime(ticket.LifetimeHint));
            case TlsHandshakeType.CertificateRequest:
                return p.CertificateRequest;
            case TlsHandshakeType.CertificateStatus:
                return p.CertificateStatus(step.Length);
            default:
                return p.GenericMessage(step.Name, step.Length);
        }
    }

    private static string ExplainClientHello(Context x, ClientHelloInfo ch, bool second)
    {
        var p = x.P;
        if (ch.IsSsl2) return p.Ssl2ClientHello(ch.Length);
        var versions = (ch.SupportedVersions.Length > 0 ? ch.SupportedVersions : [ch.LegacyVersion])
            .Where(v => !Grease.IsGrease(v)).Select(VersionName).ToList();
        var suites = ch.CipherSuites.Where(s => !Grease.IsGrease(s)).ToList();
        var first = suites.Take(3).Select(s => Phrasebook.SuiteBrief(SuiteName(s), CipherSuites.Get(s))).ToList();
        var groups = ch.Groups.Where(g => !Grease.IsGrease(g)).Select(GroupName).ToList();
        var shares = ch.KeyShareGroups.Where(g => !Grease.IsGrease(g)).Select(GroupName).ToList();
        string ticket = ch.OffersPsk ? p.TicketPsk : ch.TicketLength > 0 ? p.TicketOffered(ch.TicketLength) : ch.SessionTicketExtension ? p.TicketEmpty : p.TicketNone;
        return p.ClientHello(second, ch.Length, versions, suites.Count, first, ch.ServerName, ch.Alpn, groups, shares, ticket,
            Convert.ToHexStringLower(ch.Random), ch.SessionId.Length, ch.OffersEarlyData,
            suites.Take(3).Any(s => CipherSuites.Get(s)?.IsTls13 == true));
    }

    private static string ExplainServerHello(Context x, ServerHelloInfo sh)
    {
        var p = x.P;
        var c = x.C;
        string resumption = c.IsTls13
            ? (sh.HasPsk ? p.ResumedPsk : p.FullTls13)
            : c.Resumed ? p.ResumedSession : sh.SessionId.Length > 0 ? p.NewSession(sh.SessionId.Length) : p.NoSessionId;
        return p.ServerHello(sh.Length, VersionName(sh.Version), p.SuiteParts(SuiteName(sh.CipherSuite), CipherSuites.Get(sh.CipherSuite)),
            Convert.ToHexStringLower(sh.Random), sh.Alpn, sh.KeyShareGroup != 0 ? GroupName(sh.KeyShareGroup) : null, resumption,
            sh.ExtendedMasterSecret, c.IsTls13);
    }

    private static string ExplainCertificates(Context x, CertificateMessageInfo certs, bool fromClient)
    {
        var p = x.P;
        var c = x.C;
        var at = c.Start.ToDateTimeOffset();
        var parts = new List<string>();
        string? sni = c.ClientHello?.ServerName;
        for (int i = 0; i < certs.Chain.Count; i++)
        {
            var cert = certs.Chain[i];
            var key = cert.PublicKey;
            string keyText = key is null ? "?" : key.Type switch
            {
                PublicKeyType.Rsa or PublicKeyType.RsaPss => $"RSA {key.KeySizeBits}",
                PublicKeyType.Ec => $"EC {key.CurveNistName ?? key.CurveName ?? key.CurveOid}",
                _ => key.Type.ToString(),
            };
            var sans = cert.SubjectAltName?.DnsNames.ToList() ?? [];
            bool? covers = i == 0 && sni is not null && !fromClient ? cert.MatchesHostName(sni) : null;
            string? signedBy = i + 1 < certs.Chain.Count
                ? (CertificateChain.IsIssuerOf(certs.Chain[i + 1], cert) ? (i + 2).ToString(System.Globalization.CultureInfo.InvariantCulture) : null)
                : null;
            parts.Add(p.CertificateEntry(i + 1, Name(cert.Subject), Name(cert.Issuer), cert.NotBefore?.Value, cert.NotAfter?.Value,
                cert.ValidAt(at), sans, covers, sni, keyText, cert.SignatureAlgorithm?.Name ?? "?", signedBy, cert.IsSelfIssued));
        }
        string chainEnd = "";
        if (certs.Chain.Count > 0 && !fromClient)
        {
            var top = certs.Chain[^1];
            chainEnd = top.IsSelfIssued ? p.ChainEndsAtRoot : p.ChainEndsAtIssuer(Name(top.Issuer));
        }
        return p.Certificates(fromClient, certs.Chain.Count, parts, chainEnd);
    }

    internal static string Name(DistinguishedName? dn)
    {
        if (dn is null) return "?";
        var cn = dn.CommonName;
        var o = dn.Organization;
        if (cn is not null && o is not null) return $"{cn} ({o})";
        return cn ?? o ?? dn.ToString();
    }

    // ---------------------------------------------------------------- findings

    private static void Findings(Context x)
    {
        var c = x.C;
        var p = x.P;
        var list = x.Walk.Findings;
        int retrans = 0, lost = 0, dup = 0, ooo = 0, zero = 0;
        foreach (var f in c.Frames)
        {
            if ((f.Analysis & (TcpAnalysisFlags.Retransmission | TcpAnalysisFlags.FastRetransmission | TcpAnalysisFlags.SpuriousRetransmission)) != 0) retrans++;
            if ((f.Analysis & (TcpAnalysisFlags.LostSegment | TcpAnalysisFlags.AckLostSegment)) != 0) lost++;
            if ((f.Analysis & TcpAnalysisFlags.DuplicateAck) != 0) dup++;
            if ((f.Analysis & TcpAnalysisFlags.OutOfOrder) != 0) ooo++;
            if ((f.Analysis & TcpAnalysisFlags.ZeroWindow) != 0) zero++;
        }
        if (retrans > 0) list.Add(new Finding(FindingLevel.Warning, "tcp.retransmission", p.FindRetransmissions(retrans)));
        if (lost > 0) list.Add(new Finding(FindingLevel.Warning, "tcp.lost_segment", p.FindLost(lost)));
        if (dup > 0) list.Add(new Finding(FindingLevel.Info, "tcp.duplicate_ack", p.FindDupAcks(dup)));
        if (ooo > 0) list.Add(new Finding(FindingLevel.Warning, "tcp.out_of_order", p.FindOutOfOrder(ooo)));
        if (zero > 0) list.Add(new Finding(FindingLevel.Warning, "tcp.zero_window", p.FindZeroWindow(zero)));
        if (c.Frames.Any(f => (f.Flags & TcpFlags.Rst) != 0)) list.Add(new Finding(FindingLevel.Warning, "tcp.reset", p.FindReset));

        foreach (var a in c.Alerts.Where(a => !a.Encrypted))
            list.Add(new Finding(a.Level == 2 ? FindingLevel.Error : FindingLevel.Warning, "tls.alert",
                p.FindAlert(a.Frame, c.IsFromClient(a.FromA) ? p.Client : p.Server, TlsNames.AlertDescription(a.Description) ?? a.Description.ToString(), a.Level == 2)));

        if (x.O.Decryption?.Invoke(c.Conversation) is { FinishedMismatches: > 0 } decrypted)
            list.Add(new Finding(FindingLevel.Error, "tls.finished_mismatch", p.FindFinishedMismatch(decrypted.FinishedMismatches)));

        if (c.ServerHello is null)
            list.Add(new Finding(FindingLevel.Warning, "tls.incomplete", c.ClientHello is null ? p.FindNoHello : p.FindNoServerHello));
        else if (HandshakeEndFrame(c) == 0 && !c.Resumed)
            list.Add(new Finding(FindingLevel.Warning, "tls.incomplete", p.FindNoFinished));

        if (c.ClientHello is { IsSsl2: false, ServerName: null })
            list.Add(new Finding(FindingLevel.Info, "tls.no_sni", p.FindNoSni));

        if (c.ServerHello is { } sh)
        {
            if (sh.Version is TlsVersion.Ssl3 or TlsVersion.Tls10 or TlsVersion.Tls11)
                list.Add(new Finding(FindingLevel.Warning, "weak.version", p.FindOldVersion(VersionName(sh.Version))));
            if (CipherSuites.Get(sh.CipherSuite) is { } info)
            {
                if (!info.IsTls13 && !info.IsForwardSecret && info.Encrypts)
                    list.Add(new Finding(FindingLevel.Warning, "weak.no_forward_secrecy", p.FindNoForwardSecrecy(info.KeyExchange)));
                if (info.Mode == "CBC")
                    list.Add(new Finding(FindingLevel.Info, "weak.cbc", p.FindCbc(SuiteName(sh.CipherSuite))));
                if (info.IsExport || !info.Encrypts || info.Cipher.StartsWith("RC4", StringComparison.Ordinal) || info.Cipher.StartsWith("DES", StringComparison.Ordinal) || info.Cipher.StartsWith("3DES", StringComparison.Ordinal))
                    list.Add(new Finding(FindingLevel.Error, "weak.cipher", p.FindWeakCipher(SuiteName(sh.CipherSuite))));
            }
        }
        if (c.ServerKeyExchange is { HasSignatureScheme: true } ske && (ske.SignatureScheme & 0xff00) == 0x0200)
            list.Add(new Finding(FindingLevel.Warning, "weak.sha1_signature", p.FindSha1Handshake(SchemeName(ske.SignatureScheme))));

        if (c.ServerCertificates is { Chain.Count: > 0 } certs)
        {
            var at = c.Start.ToDateTimeOffset();
            var leaf = certs.Chain[0];
            for (int i = 0; i < certs.Chain.Count; i++)
            {
                var cert = certs.Chain[i];
                if (cert.NotAfter?.Value is { } to && at > to)
                    list.Add(new Finding(FindingLevel.Error, "cert.expired", p.FindExpired(i + 1, Name(cert.Subject), to)));
                else if (cert.NotBefore?.Value is { } from && at < from)
                    list.Add(new Finding(FindingLevel.Error, "cert.not_yet_valid", p.FindNotYetValid(i + 1, Name(cert.Subject), from)));
                bool sha1 = cert.SignatureAlgorithm?.SignatureHash == System.Security.Cryptography.HashAlgorithmName.SHA1 || cert.SignatureAlgorithm?.SignatureHash == System.Security.Cryptography.HashAlgorithmName.MD5;
                if (sha1 && !cert.IsSelfIssued)
                    list.Add(new Finding(FindingLevel.Warning, "weak.sha1_certificate", p.FindSha1Certificate(i + 1, Name(cert.Subject), cert.SignatureAlgorithm!.Name)));
                if (cert.PublicKey is { } key && ((key.Type is PublicKeyType.Rsa or PublicKeyType.RsaPss && key.KeySizeBits is > 0 and < 2048)
                                                   || (key.Type == PublicKeyType.Ec && key.KeySizeBits is > 0 and < 256)))
                    list.Add(new Finding(FindingLevel.Warning, "weak.short_key", p.FindShortKey(i + 1, Name(cert.Subject), key.KeySizeBits)));
            }
            if (c.ClientHello?.ServerName is { } sni && !leaf.MatchesHostName(sni))
                list.Add(new Finding(FindingLevel.Error, "cert.name_mismatch", p.FindNameMismatch(sni, leaf.SubjectAltName?.DnsNames.ToList() ?? [])));
            var result = ChainValidator.Validate(certs.Chain, at, x.O.TrustAnchors);
            foreach (var problem in result.Problems)
            {
                // Validity and names are reported above in the walkthrough's words.
                if (problem.Status is ChainStatus.Expired or ChainStatus.NotYetValid or ChainStatus.NameMismatch) continue;
                string code = "cert." + problem.Status.ToString().ToLowerInvariant();
                string text = problem.Status switch
                {
                    ChainStatus.UnknownIssuer => p.FindUntrusted(Name(result.Chain.Top?.Issuer), x.O.TrustAnchors is null),
                    ChainStatus.SelfSigned => p.FindSelfSigned(Name(leaf.Subject)),
                    ChainStatus.IncompleteChain => p.FindIncomplete(Name(result.Chain.Top?.Issuer)),
                    _ => p.FindChainProblem(problem.Text),
                };
                list.Add(new Finding(problem.Status == ChainStatus.UnknownIssuer ? FindingLevel.Warning : FindingLevel.Error, code, text));
            }
        }
        if (c.IsTls13 && !c.Resumed && c.ServerCertificates is null)
            list.Add(new Finding(FindingLevel.Info, "tls13.certificate_hidden", p.FindTls13CertificateHidden));
        if (c.FramesDropped > 0)
            list.Add(new Finding(FindingLevel.Info, "httpsflow.frames_dropped", p.FindFramesDropped(c.FramesDropped)));
    }
}
