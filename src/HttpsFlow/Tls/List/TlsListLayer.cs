using HttpsFlow.Net;
using HttpsFlow.Tcp;
using HttpsFlow.Tls.Handshake;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Tls.List;

/// <summary>What the protocol above TCP made of a frame, for its Protocol and Info columns.</summary>
public enum UpperKind : byte
{
    /// <summary>Nothing above TCP: the TCP line stands.</summary>
    None,
    /// <summary>TLS records were completed in this frame: Protocol is the TLS version, Info the records' texts.</summary>
    Tls,
    /// <summary>The frame begins a TLS record it does not finish and nothing else: "[TCP segment of a reassembled PDU]" alone.</summary>
    SegmentFirst,
    /// <summary>The frame continues a TLS record without finishing it: the TCP line plus " [TCP segment of a reassembled PDU]".</summary>
    SegmentMiddle,
    /// <summary>TLS records were completed but only carried pieces of a longer handshake message.</summary>
    TlsSegment,
    /// <summary>
    /// The segment repeats bytes of a TLS record that was reassembled from several segments: tshark reports
    /// "[Reassembly error, protocol TCP: New fragment overlaps old data (retransmission?)]" after the TCP line.
    /// </summary>
    OverlapsReassembled,
    /// <summary>
    /// A UDP datagram DTLS took (see <see cref="Dtls.DtlsListLayer"/>): Protocol is "DTLS" or the DTLS version, Info
    /// the records' texts in place of the UDP line.
    /// </summary>
    Dtls,
    /// <summary>
    /// The segment came after missing bytes and its first bytes end a TLS record whose length an earlier segment's
    /// header gave: that record can never be completed, and TLS took the bytes after it. The TCP line plus
    /// " [TCP segment of a reassembled PDU]", then ", " and the texts of the records TLS completed (if any); the
    /// Protocol column stays TCP.
    /// </summary>
    LostThenTls,
    /// <summary>PostgreSQL's SSLRequest, which tshark names: Protocol "PGSQL", Info ">" after TCP's labels.</summary>
    PgsqlSslRequest,
    /// <summary>The server's one-byte answer to an SSLRequest ('S' or 'N'): Protocol "PGSQL", Info "&lt;" after TCP's labels.</summary>
    PgsqlSslAnswer,
}

/// <summary>
/// Names the TLS records each TCP segment completes, the way tshark's packet list does in a single pass: a segment
/// is handed to TLS in capture order (retransmitted and out-of-order data are not), a record split across segments is
/// named in the segment that completes it, and the segments before are marked as pieces of a reassembled PDU. After
/// bytes the capture lacks, a segment's bytes up to the end of a record of known length go to that record, which is
/// never completed, and TLS reads the rest (see <see cref="SkipLost"/>).
/// TLS is recognised as tshark recognises it: a connection's first payload must look like a TLS record (a handshake or
/// application-data header with an SSL 3.0–TLS 1.2 record version, or an SSLv2 ClientHello), and not on a port that
/// tshark gives to another protocol first (data/tshark/tcp-ports.csv).
/// </summary>
public sealed partial class TlsListLayer
{
    private sealed class ConnectionState
    {
        public bool Decided;
        public bool IsTls;
        public bool SawOtherPayload;
        public PgsqlStage Pgsql;
        public Direction? A;
        public Direction? B;
    }

    /// <summary>One direction: its record parser and handshake reassembler, sharing the connection's version.</summary>
    private sealed partial class Direction : ITlsRecordSink, IHandshakeSink
    {
        private readonly TlsListLayer _owner;
        public readonly bool FromA;
        public readonly TlsRecordParser Parser;
        public readonly HandshakeReassembler Handshakes;
        public Direction? Peer;
        /// <summary>The stream offset of the next byte expected (bytes before it were given to TLS or were missing).</summary>
        public ulong Offset;
        public bool Started;
        /// <summary>The raw sequence number of stream offset 0.</summary>
        public uint BaseSeq;
        /// <summary>
        /// A segment of this direction was cut short by the snap length. TLS gets only the captured bytes of a segment,
        /// so from then on offsets no longer follow sequence numbers, and bytes cut off cannot be told from bytes lost:
        /// each segment's captured bytes are read as going on from the last ones (no gap is recognised).
        /// </summary>
        public bool Truncated;
        /// <summary>
        /// Where the record that lost bytes to a gap ends (see <see cref="SkipLost"/>): bytes before it complete nothing.
        /// </summary>
        public ulong LostUntil;

        /// <summary>
        /// The signed distance of raw sequence number <paramref name="seq"/> from the next byte expected: negative for
        /// bytes already had, positive past missing bytes (RFC 9293 §3.4's modular comparison, so that neither a
        /// wrapped sequence number nor a stream past 4 GiB is misread). Once <see cref="Truncated"/>, the distance
        /// counts only the captured bytes before it.
        /// </summary>
        public long Distance(uint seq) => Truncated
            ? (long)unchecked(seq - BaseSeq) - (long)Offset
            : unchecked((int)(seq - (BaseSeq + (uint)Offset)));
        /// <summary>
        /// Stream ranges of the recent records that spanned several segments (tshark's multi-segment PDUs): the last
        /// <see cref="MaxSpanning"/>, in a ring that grows to that size as records come (most connections have few).
        /// </summary>
        private (ulong Start, ulong End)[]? _spanning;
        private int _spanningCount;
        private const int MaxSpanning = 64;

        public void RememberSpanning(ulong start, ulong end)
        {
            if (_spanning is null) _spanning = new (ulong, ulong)[4];
            else if (_spanningCount == _spanning.Length && _spanning.Length < MaxSpanning) Array.Resize(ref _spanning, _spanning.Length * 4);
            _spanning[_spanningCount % _spanning.Length] = (start, end);
            _spanningCount++;
        }

        public bool OverlapsSpanning(ulong start, ulong end)
        {
            if (_spanning is null) return false;
            int n = Math.Min(_spanningCount, _spanning.Length);
            for (int i = 0; i < n; i++)
            {
                var (s, e) = _spanning[i];
                if (start < e && end > s) return true;
            }
            return false;
        }

        public Direction(TlsListLayer owner, bool fromA)
        {
            _owner = owner;
            FromA = fromA;
            Parser = new TlsRecordParser(this, budget: owner.Budget);
            Handshakes = new HandshakeReassembler(budget: owner.Budget);
        }

        public void OnRecord(in TlsRecord record)
        {
            var o = _owner;
            o._records++;
            o.Observer?.OnRecord(o._frame!, o._conversation!, FromA, record, Parser.NegotiatedVersion);
            // The first record this frame completes that began in an earlier segment is the PDU TCP reassembled for
            // TLS: its segments are the frame's tcp.segment list.
            var f = o._frame!;
            if (record.SpansFrames) RememberSpanning(record.StreamOffset, record.EndOffset);
            if (f.ReassembledSegments.Count == 0 && record.SpansFrames)
            {
                foreach (var seg in record.Segments)
                    if (f.ReassembledSegments.Count == 0 || f.ReassembledSegments[^1] != seg.Frame) f.ReassembledSegments.Add(seg.Frame);
                f.ReassembledLength = record.Bytes.Length;
            }
            // The Protocol column: the connection's version once a ServerHello settled it, else this record's.
            o._protocol = TlsNames.ProtocolColumn(Parser.NegotiatedVersion != TlsVersion.Unknown ? Parser.NegotiatedVersion : record.Version);
            if (o.Namer is { } namer && record.Kind == TlsRecordKind.Tls && namer.TryName(f, o._conversation!, FromA, record, o._columns))
            {
                // A TLS 1.0-1.2 ChangeCipherSpec still moves the reassembler past the clear handshake.
                if (record.ContentType == TlsContentType.ChangeCipherSpec && Parser.NegotiatedVersion != TlsVersion.Tls13)
                    Handshakes.OnChangeCipherSpec(record.Frame);
                // A record TCP reassembled from earlier segments is dissected on its own; when more of the segment
                // follows, tshark's TCP fences the Info column and makes the Protocol column read-only for the rest.
                if (record.SpansFrames && o._records == 1)
                {
                    o._frozenProtocol = o._application ?? o._protocol;
                    o._fence = f.UpperInfoLength;
                }
                return;
            }
            switch (record.Kind)
            {
                case TlsRecordKind.Tls when record.ContentType == TlsContentType.Handshake:
                    Handshakes.Add(record, this);
                    break;
                case TlsRecordKind.Tls when record.ContentType == TlsContentType.ChangeCipherSpec:
                    o.AddInfo(TlsNames.ChangeCipherSpec);
                    if (Parser.NegotiatedVersion != TlsVersion.Tls13) Handshakes.OnChangeCipherSpec(record.Frame);
                    break;
                case TlsRecordKind.Tls when record.ContentType == TlsContentType.ApplicationData:
                    o.AddInfo(TlsNames.ApplicationData);
                    break;
                case TlsRecordKind.Tls when record.ContentType == TlsContentType.Heartbeat:
                    o.AddInfo(TlsHeartbeat.Parse(record.Fragment, Handshakes.ChangeCipherSpecFrame == 0).InfoText);
                    break;
                case TlsRecordKind.Tls when record.ContentType == TlsContentType.Alert:
                    o.AddInfo(TlsAlert.Parse(record.Fragment).InfoText);
                    break;
                case TlsRecordKind.Ssl2:
                    o.AddInfo(record.Ssl2InfoText!);
                    if (Parser.NegotiatedVersion == TlsVersion.Unknown && record.Ssl2MessageType is >= 2 and <= 8)
                        SetVersion(TlsVersion.Ssl2);
                    o._protocol = TlsNames.ProtocolColumn(Parser.NegotiatedVersion != TlsVersion.Unknown ? Parser.NegotiatedVersion : TlsVersion.Ssl2);
                    break;
                case TlsRecordKind.Unrecognised when record.UnrecognisedInfo(Parser.NegotiatedVersion) is { } text:
                    o.AddInfo(text);
                    break;
            }
        }

        public void OnHandshake(in HandshakeEvent e)
        {
            _owner.Observer?.OnHandshake(_owner._frame!, _owner._conversation!, FromA, e, Parser.NegotiatedVersion);
            if (e.InfoText is { } text) _owner.AddInfo(text);
            if (LearnVersion(e) is var version and not 0) _owner._protocol = TlsNames.ProtocolColumn(version);
        }

        /// <summary>
        /// What a handshake message tells of the connection's version, set on both directions: a ServerHello's
        /// version, returned (0 for other messages); a ClientHello offering early data (RFC 8446 §4.2.10) makes tshark
        /// read the connection as TLS 1.3 until a ServerHello says otherwise (the 0-RTT records that follow are opaque
        /// TLS 1.3 records).
        /// </summary>
        internal ushort LearnVersion(in HandshakeEvent e)
        {
            if (e.Kind != HandshakeEventKind.Message) return 0;
            if (e.Type == TlsHandshakeType.ClientHello && ClientHello.Parse(e.Body).Extensions.Contains(ExtensionType.EarlyData))
                SetVersion(TlsVersion.Tls13);
            if (e.Type != TlsHandshakeType.ServerHello) return 0;
            ServerHello.Scan(e.Body, out ushort version, out _);
            if (TlsVersion.Tls13Draft(version) != 0) version = TlsVersion.Tls13;
            if (!TlsVersion.IsSsl3OrTls(version)) return 0;
            SetVersion(version);
            return version;
        }

        private void SetVersion(ushort version)
        {
            Parser.NegotiatedVersion = version;
            if (Peer is not null) Peer.Parser.NegotiatedVersion = version;
        }

        public void OnNote(in TlsStreamNote note)
        {
            if (_owner._frame is { } f) _owner.Observer?.OnNote(f, _owner._conversation!, FromA, note);
        }

        public void OnGap(ulong streamOffset, ulong length, long frame) => Handshakes.Reset(streamOffset, frame, this);

        /// <summary>Gives the pooled buffers of the parser and the reassembler back.</summary>
        public void Release()
        {
            Parser.Dispose();
            Handshakes.Dispose();
        }
    }

    // Keyed by tcp.stream (unique per dissector): an int key hashes and compares without a call through the comparer.
    private readonly Dictionary<int, ConnectionState> _connections = new();

    /// <summary>Drops what is kept to follow a connection no segment will reach again, and tells the observer.</summary>
    public void Forget(TcpConversation conversation)
    {
        if (_connections.Remove(conversation.Stream, out var state))
        {
            Unhold(state.A);
            Unhold(state.B);
            state.A?.Release();
            state.B?.Release();
        }
        Observer?.OnConversationForgotten(conversation);
    }

    private const ushort SocksPort = 1080;

    /// <summary>
    /// The destination port of a client's SOCKS 4/4a or SOCKS 5 CONNECT request (RFC 1928 §4), or null when
    /// <paramref name="payload"/> is not one (a SOCKS 5 greeting, say).
    /// </summary>
    internal static ushort? SocksConnectPort(ReadOnlySpan<byte> payload)
    {
        if (payload.Length >= 9 && payload[0] == 4 && payload[1] == 1 && payload[^1] == 0)
            return (ushort)(payload[2] << 8 | payload[3]);
        if (payload.Length < 7 || payload[0] != 5 || payload[1] != 1 || payload[2] != 0) return null;
        int portAt = payload[3] switch
        {
            1 => 8,                // IPv4 address
            3 => 5 + payload[4],   // domain name, its length first
            4 => 20,               // IPv6 address
            _ => -1,
        };
        return portAt > 0 && payload.Length == portAt + 2 ? (ushort)(payload[portAt] << 8 | payload[portAt + 1]) : null;
    }

    /// <summary>Connections whose TLS state is kept.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Told of every record and handshake event (null: nobody is listening, the list's fast path).</summary>
    public ITlsObserver? Observer { get; set; }

    /// <summary>Names records the list cannot read by itself, e.g. decrypted ones (null: none).</summary>
    public ITlsRecordNamer? Namer { get; set; }

    private readonly TlsListColumns _columns;
    private const string TlsSegmentText = "[TLS segment of a reassembled PDU]";
    private string? _application;

    public TlsListLayer() => _columns = new TlsListColumns(this);

    internal string? ApplicationProtocol => _application;

    internal void SetApplicationProtocol(string protocol) => _application = protocol;

    internal void SetApplication(string protocol, string info)
    {
        _application = protocol;
        ClearInfo();
        AppendInfo(info);
    }

    internal void ClearInfo()
    {
        var f = _frame!;
        f.TruncateUpperInfo(_fence);
        _texts = f.UpperInfoLength > 0 ? 1 : 0;
    }

    internal int RecordIndex => _records;

    // What TCP's fence keeps of the columns after a reassembled record (see Direction.OnRecord).
    private string? _frozenProtocol;
    private int _fence;

    internal void AppendInfo(string text)
    {
        _frame!.AppendUpperInfo(text);
        _texts++;
    }

    internal void RecordConsumed()
    {
    }

    // The frame being filled.
    private Frame? _frame;
    private TcpConversation? _conversation;
    private string? _protocol;
    private int _records;
    private int _texts;

    internal void AddInfo(string text)
    {
        var f = _frame!;
        if (_texts++ > 0) f.AppendUpperInfo(", ");
        f.AppendUpperInfo(text);
    }

    /// <summary>
    /// Gives the TCP payload of <paramref name="f"/> to TLS when its connection carries TLS, and records on the frame
    /// what tshark's packet list would show for it.
    /// </summary>
    public void Process(Frame f, TcpConversation conversation, ReadOnlySpan<byte> payload)
    {
        ref var t = ref f.Tcp;
        if (payload.IsEmpty || t.Has(TcpFlags.Rst) || !t.LengthKnown) return;
        _connections.TryGetValue(conversation.Stream, out var known);

        // Bytes the stream has already had: they are not given to TLS again. When they fall inside a record that was
        // reassembled from several segments, tshark reports the overlap with the reassembled data.
        if (known is { IsTls: true })
        {
            var d = f.Src == conversation.AddressA && f.SrcPort == conversation.PortA ? known.A! : known.B!;
            if (d.Started && (long)d.Distance(t.SeqRaw) + payload.Length <= 0)
            {
                long at = (long)d.Offset + d.Distance(t.SeqRaw);
                ulong start = (ulong)Math.Max(at, 0), end = (ulong)Math.Max(at + payload.Length, 0);
                const TcpAnalysisFlags setAside = TcpAnalysisFlags.Retransmission | TcpAnalysisFlags.SpuriousRetransmission;
                if (d.Unfinished is { } u && !d.Truncated && at >= (long)u.Start && start < u.End && (t.Analysis & setAside) == 0)
                {
                    FillUnfinished(d, u, f, payload, start);
                    return;
                }
                // A plain or spurious retransmission is set aside before it reaches reassembly; a fast retransmission
                // or an out-of-order segment is added to the reassembled data, where it overlaps.
                if (d.OverlapsSpanning(start, end) && (t.Analysis & setAside) == 0) f.Upper = UpperKind.OverlapsReassembled;
                return;
            }
        }

        // Retransmitted, spuriously retransmitted and out-of-order data is not handed to TLS, nor is a keep-alive's
        // byte (as in tshark).
        if ((t.Analysis & (TcpAnalysisFlags.Retransmission | TcpAnalysisFlags.SpuriousRetransmission | TcpAnalysisFlags.OutOfOrder
                           | TcpAnalysisFlags.KeepAlive)) != 0) return;

        if (!_connections.TryGetValue(conversation.Stream, out var state))
        {
            state = new ConnectionState();
            _connections[conversation.Stream] = state;
        }
        if (!state.Decided)
        {
            if (f.DstPort == SocksPort && f.SrcPort != SocksPort && SocksConnectPort(payload) is { } target)
                conversation.TunnelPort = target;
            // A port registered for another protocol gives the payload to that protocol first: no TLS guessed there.
            // Elsewhere (a TLS port, or no registered port) the first payload must look like a TLS record.
            bool tlsPort = TcpPorts.IsTls(f.SrcPort) || TcpPorts.IsTls(f.DstPort);
            // On a TLS port the TLS dissector itself takes the payload (it gives back only clear text); elsewhere
            // tshark's stricter heuristic looks.
            bool looksTls = tlsPort ? !TlsSniffer.StartsWithPrintableText(payload)
                : TlsSniffer.Sniff(payload, strict: true) is TlsSniffResult.Tls or TlsSniffResult.Ssl2ClientHello;
            if (!tlsPort && (TcpPorts.IsOther(f.SrcPort) || TcpPorts.IsOther(f.DstPort)))
            {
                // That protocol's dissector takes the connection; TLS follows only as an upgrade after its own
                // exchange (STARTTLS in SMTP, IMAP, LDAP, XMPP, PostgreSQL…), never as the first payload.
                if (IsPgsqlConnection(f.SrcPort, f.DstPort) && !PgsqlExchange(state, f, payload))
                {
                    state.Decided = true; // the server refused TLS: PostgreSQL goes on in the clear
                    return;
                }
                if (!state.SawOtherPayload) { state.SawOtherPayload = true; if (looksTls) state.Decided = true; }
                else if (looksTls) state.IsTls = true;
            }
            else if (looksTls) state.IsTls = true;
            if (state.IsTls)
            {
                state.Decided = true;
                state.A = new Direction(this, fromA: true) { Conversation = conversation };
                state.B = new Direction(this, fromA: false) { Conversation = conversation };
                state.A.Peer = state.B;
                state.B.Peer = state.A;
            }
            if (!state.IsTls) return;
        }
        if (!state.IsTls) return;

        var dir = f.Src == conversation.AddressA && f.SrcPort == conversation.PortA ? state.A! : state.B!;
        int missing = 0;
        if (!dir.Started)
        {
            dir.Started = true;
            dir.BaseSeq = t.SeqRaw;
        }
        else
        {
            long distance = dir.Distance(t.SeqRaw);
            if (distance < 0)
            {
                // A segment that repeats some bytes already given and adds new ones: only the new ones go on.
                int skip = (int)Math.Min(payload.Length, -distance);
                payload = payload[skip..];
                if (payload.IsEmpty) return;
            }
            else if (!dir.Truncated) missing = (int)distance;
        }
        _frame = f;
        _conversation = conversation;
        _protocol = null;
        _application = null;
        _frozenProtocol = null;
        _fence = 0;
        _records = 0;
        _texts = 0;
        f.ClearUpperInfo();
        int lost = missing > 0 || (dir.Offset < dir.LostUntil && !dir.Truncated) ? SkipLost(dir, (ulong)missing, payload, f.Number) : 0;
        payload = payload[lost..];
        bool continuing = dir.Parser.BufferedBytes > 0;
        BeforeFeed(dir);
        dir.Parser.Feed(payload, dir.Offset, f.Number);
        AfterFeed(dir, f);
        Observer?.OnSegment(f, conversation, dir.FromA, dir.Offset, dir.Offset + (ulong)payload.Length, dir.Parser.BufferedBytes);
        dir.Offset += (ulong)payload.Length;
        if (f.PayloadCaptured < f.PayloadLength) dir.Truncated = true; // the snap length cut this segment

        if (lost > 0)
        {
            // tshark's TCP adds these bytes to the record it was reassembling, which lacks the missing ones and is never
            // completed; it marks the segment as part of a reassembled PDU, keeps the Protocol column, and hands the
            // bytes after that record to TLS, whose texts follow.
            f.Upper = payload.IsEmpty ? UpperKind.SegmentMiddle : UpperKind.LostThenTls;
            f.UnfinishedPduBytes = lost;
        }
        else if (_records > 0)
        {
            // A frame whose only text is TLS's reassembly mark shows as the mark alone (as without keys). Records that
            // gave no text (each a middle piece of a handshake message) leave the column as TCP's labels left it.
            f.Upper = _texts == 0 || !(_application is null && f.UpperInfo.StartsWith(TlsSegmentText)) ? UpperKind.Tls : UpperKind.TlsSegment;
            f.UpperProtocol = _frozenProtocol ?? _application ?? _protocol ?? "TLS";
        }
        else if (dir.Parser.BufferedBytes > 0)
        {
            f.Upper = continuing ? UpperKind.SegmentMiddle : UpperKind.SegmentFirst;
        }
        _frame = null;
        _conversation = null;
    }

    /// <summary>
    /// The segment starts <paramref name="missing"/> bytes past the next byte expected (those bytes were not captured),
    /// or inside a record that lost bytes earlier. tshark's TCP adds a segment that starts inside a record whose length
    /// the record's header gave (a PDU it is reassembling) to that record, up to the record's end, and hands only the
    /// bytes after it to TLS; the record, lacking the missing bytes, is never completed. Anywhere else (no record in
    /// progress, its header incomplete, or the segment past its end) TLS reads the segment afresh. The record in
    /// progress is dropped either way; TLS's reassembly of handshake messages across records goes on, since tshark's TLS
    /// never learns of the missing bytes. Returns how many of the segment's bytes belong to a record that lost bytes
    /// (which is followed, see <see cref="UnfinishedRecord"/>).
    /// </summary>
    private static int SkipLost(Direction dir, ulong missing, ReadOnlySpan<byte> payload, long frame)
    {
        ulong start = dir.Offset + missing;
        if (missing > 0 && dir.Parser.PendingRecordEnd is { } recordEnd && start < recordEnd)
        {
            dir.LostUntil = recordEnd;
            dir.FollowUnfinished(recordEnd);
        }
        int lost = start < dir.LostUntil ? (int)Math.Min((ulong)payload.Length, dir.LostUntil - start) : 0;
        if (lost > 0 && dir.Unfinished is { } u && u.End == dir.LostUntil) u.Take(start, payload[..lost], frame);
        dir.Parser.Skip(dir.Offset, missing + (ulong)lost, frame, tellSink: false);
        dir.Offset = start + (ulong)lost;
        return lost;
    }
}
