using System.Runtime.CompilerServices;
using HttpsFlow.Common;
using HttpsFlow.Net;

namespace HttpsFlow.Tcp;

/// <summary>
/// Tracks TCP connections across a capture: numbers them as tshark's <c>tcp.stream</c>, makes sequence and
/// acknowledgment numbers relative, applies window scaling, and runs Wireshark's sequence analysis
/// (retransmissions, duplicate ACKs, lost segments, window events) so that each segment's flags equal tshark's.
/// </summary>
/// <remarks>
/// The analysis follows the order and the conditions of Wireshark's tcp_analyze_sequence_number: tshark's output
/// is the reference users compare us with, so we keep its judgement, including its thresholds.
/// </remarks>
public sealed class TcpConversations
{
    private readonly Dictionary<ConversationKey, TcpConversation> _table = new();
    private int _nextStream;

    /// <summary>Most segments kept unacknowledged per direction (Wireshark keeps at most 10,000 too).</summary>
    public const int MaxUnackedSegments = 10_000;

    /// <summary>Connections seen so far.</summary>
    public int Count => _nextStream;

    /// <summary>Raised when a new conversation (a new tcp.stream) starts.</summary>
    public event Action<TcpConversation>? ConversationStarted;

    internal readonly record struct ConversationKey(IpAddress A, ushort PortA, IpAddress B, ushort PortB)
    {
        public static ConversationKey For(IpAddress src, ushort sport, IpAddress dst, ushort dport)
        {
            int c = src.CompareTo(dst);
            return c < 0 || (c == 0 && sport <= dport)
                ? new ConversationKey(src, sport, dst, dport)
                : new ConversationKey(dst, dport, src, sport);
        }
    }

    /// <summary>Analyses one decoded TCP segment, filling the conversation fields of <see cref="Frame.Tcp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Process(Frame f, ReadOnlySpan<byte> payload)
    {
        ref var t = ref f.Tcp;
        var key = ConversationKey.For(f.Src, f.SrcPort, f.Dst, f.DstPort);
        if (!_table.TryGetValue(key, out var conv))
        {
            conv = NewConversation(key, f);
        }

        var (fwd, rev) = conv.Directions(f.Src, f.SrcPort);
        bool syn = t.Has(TcpFlags.Syn), ack = t.Has(TcpFlags.Ack);

        // A SYN whose sequence number differs from the connection's initial one starts a new connection on the same
        // ports. (A SYN with the same number is a retransmission of the first SYN.)
        if (syn && !ack && fwd.BaseSet && t.SeqRaw != fwd.BaseSeq)
        {
            conv = NewConversation(key, f);
            (fwd, rev) = conv.Directions(f.Src, f.SrcPort);
            t.Analysis |= TcpAnalysisFlags.PortsReused;
        }
        else if (syn && ack && fwd.BaseSet && t.SeqRaw != fwd.BaseSeq && conv.SynAckSeen)
        {
            // A SYN-ACK with a new initial sequence number answers a SYN of a new connection whose SYN was not captured.
            conv = NewConversation(key, f);
            (fwd, rev) = conv.Directions(f.Src, f.SrcPort);
            t.Analysis |= TcpAnalysisFlags.PortsReused;
        }

        t.Stream = conv.Stream;
        conv.LastFrame = f.Number;
        conv.LastTime = f.Time;
        if (syn && !ack) { conv.SynSeen = true; conv.SynTime = f.Time; conv.SynFrame = f.Number; }
        if (syn && ack) conv.SynAckSeen = true;

        // Relative numbers: a direction's base is its initial sequence number when its SYN is seen, else the first
        // sequence number seen minus one (so the first byte seen is 1, as if the SYN had been there).
        if (!fwd.BaseSet)
        {
            fwd.BaseSeq = syn ? t.SeqRaw : t.SeqRaw - 1;
            fwd.BaseSet = true;
        }
        if (!rev.BaseSet && ack)
        {
            rev.BaseSeq = t.AckRaw - 1;
            rev.BaseSet = true;
        }
        t.Seq = t.SeqRaw - fwd.BaseSeq;
        t.AckShown = ack;
        t.AckBase = rev.BaseSeq;
        t.Ack = ack ? t.AckRaw - rev.BaseSeq : t.AckRaw;

        // Window scaling (RFC 7323 §2.2): the shift each side announced in its SYN applies to what it sends after
        // the handshake. If either SYN lacked the option, neither side scales.
        if (syn)
        {
            if (t.HasWindowScale) fwd.WinScale = Math.Min((int)t.WindowScaleShift, 14);
            else
            {
                fwd.WinScale = -2;
                rev.WinScale = -2;
            }
            if (ack && rev.WinScale == -2) fwd.WinScale = -2;
        }
        long window = t.WindowValue;
        if (syn)
        {
            t.WindowScaleFactor = t.HasWindowScale ? -1 : -1;
        }
        else if (fwd.WinScale >= 0)
        {
            window <<= fwd.WinScale;
            t.WindowScaleFactor = 1 << fwd.WinScale;
        }
        else
        {
            t.WindowScaleFactor = fwd.WinScale;
        }
        t.WindowSize = window;

        uint seglen = (uint)Math.Max(f.PayloadLength, 0);
        t.HasNextSeq = seglen > 0 || (t.Flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0;
        t.NextSeq = t.Seq + seglen + ((t.Flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0 ? 1u : 0u);

        // Initial RTT: from the first SYN to the ACK that completes the handshake.
        if (!conv.HasInitialRtt && conv.SynSeen && conv.SynAckSeen && ack && !syn && f.Src == conv.ClientAddress(fwd) )
        {
            conv.InitialRtt = f.Time.Subtract(conv.SynTime);
            conv.HasInitialRtt = true;
        }

        Analyze(f, ref t, conv, fwd, rev, t.Seq, t.AckShown ? t.Ack : t.AckRaw, seglen, window);

        if ((t.Flags & TcpFlags.Fin) != 0) fwd.FinSeen = true;
        if ((t.Flags & TcpFlags.Rst) != 0) conv.ResetSeen = true;
        conv.Frames++;
        conv.Bytes += f.OriginalLength;
    }

    private TcpConversation NewConversation(ConversationKey key, Frame f)
    {
        var conv = new TcpConversation(_nextStream++, f.Src, f.SrcPort, f.Dst, f.DstPort, f.Number, f.Time);
        _table[key] = conv;
        ConversationStarted?.Invoke(conv);
        return conv;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Analyze(Frame f, ref TcpInfo t, TcpConversation conv, TcpFlow fwd, TcpFlow rev,
        uint seq, uint ack, uint seglen, long window)
    {
        var flags = t.Flags;
        bool synFinRst = (flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) != 0;
        var a = TcpAnalysisFlags.None;

        // Zero window probe: one byte at the next expected sequence number while the peer's window is zero.
        if (seglen == 1 && seq == fwd.NextSeq && rev.Window == 0)
        {
            a |= TcpAnalysisFlags.ZeroWindowProbe;
            goto finishedFwd;
        }

        // Zero window: a window of zero on anything but SYN, FIN or RST.
        if (window == 0 && !synFinRst) a |= TcpAnalysisFlags.ZeroWindow;

        // Lost segment: the sequence number jumps past the next expected one.
        if (fwd.NextSeq != 0 && TcpSeq.Gt(seq, fwd.NextSeq) && (flags & TcpFlags.Rst) == 0)
        {
            a |= TcpAnalysisFlags.LostSegment;
            fwd.ValidBytesInFlight = false;
        }

        // Keep-alive: 0 or 1 byte starting one byte before the next expected sequence number.
        if ((seglen == 0 || seglen == 1) && seq == fwd.NextSeq - 1 && !synFinRst)
            a |= TcpAnalysisFlags.KeepAlive;

        // Window update: no data, same seq/ack as before, a new non-zero window.
        if (seglen == 0 && window != 0 && window != fwd.Window && seq == fwd.NextSeq && ack == fwd.LastAck && !synFinRst)
            a |= TcpAnalysisFlags.WindowUpdate;

        // Window full: data that reaches exactly the edge of the window the peer advertised.
        if (seglen > 0 && rev.WinScale != -1 && seq + seglen == rev.LastAck + (uint)rev.Window && !synFinRst)
            a |= TcpAnalysisFlags.WindowFull;

        // Keep-alive ACK: repeats the previous ACK right after a keep-alive from the peer.
        if (seglen == 0 && window != 0 && window == fwd.Window && seq == fwd.NextSeq && ack == fwd.LastAck
            && (rev.LastSegmentFlags & TcpAnalysisFlags.KeepAlive) != 0 && !synFinRst)
        {
            a |= TcpAnalysisFlags.KeepAliveAck;
            goto finishedFwd;
        }

        // Zero window probe ACK: repeats the previous (zero-window) ACK right after a probe from the peer.
        if (seglen == 0 && window == 0 && window == fwd.Window && seq == fwd.NextSeq
            && (ack == fwd.LastAck || ack == fwd.LastAck + 1)
            && (rev.LastSegmentFlags & TcpAnalysisFlags.ZeroWindowProbe) != 0 && !synFinRst)
        {
            a |= TcpAnalysisFlags.ZeroWindowProbeAck;
            goto finishedFwd;
        }

        // Duplicate ACK: no data, and window, seq and ack all as in the previous segment.
        if (seglen == 0 && window != 0 && window == fwd.Window && seq == fwd.NextSeq && ack == fwd.LastAck && !synFinRst)
        {
            fwd.DupAckCount++;
            a |= TcpAnalysisFlags.DuplicateAck;
            t.DupAckCount = fwd.DupAckCount;
            t.DupAckOf = (int)fwd.LastNonDupAck;
        }

    finishedFwd:
        if (ack != fwd.LastAck)
        {
            fwd.LastNonDupAck = f.Number;
            fwd.DupAckCount = 0;
        }

        // ACKed unseen segment: the ACK covers bytes the other direction never showed us.
        if (rev.MaxSeqToBeAcked != 0 && TcpSeq.Gt(ack, rev.MaxSeqToBeAcked) && (flags & TcpFlags.Ack) != 0)
        {
            a |= TcpAnalysisFlags.AckLostSegment;
            rev.MaxSeqToBeAcked = rev.NextSeq;
        }

        // Retransmission, fast retransmission, spurious retransmission, out-of-order: data (or SYN/FIN) that does not
        // advance the sequence number.
        if (seglen > 0 || (flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0)
        {
            bool notAdvanced = fwd.NextSeq != 0 && TcpSeq.Lt(seq, fwd.NextSeq);
            if ((a & TcpAnalysisFlags.KeepAlive) != 0) goto finishedRetransmission;
            if (seglen > 1 && fwd.NextSeq - 1 == seq) notAdvanced = false;

            if (seglen > 0 && rev.LastAck != 0 && TcpSeq.Le(seq + seglen, rev.LastAck))
            {
                a |= TcpAnalysisFlags.SpuriousRetransmission;
                goto finishedRetransmission;
            }

            if (notAdvanced)
            {
                long sinceDupAck = Nanos(f.Time.Subtract(rev.LastAckTime));
                if (rev.DupAckCount >= 2 && rev.LastAck == seq && sinceDupAck < 20_000_000)
                {
                    a |= TcpAnalysisFlags.FastRetransmission;
                    goto finishedRetransmission;
                }
                long sinceNext = Nanos(f.Time.Subtract(fwd.NextSeqTime));
                long threshold = conv.HasInitialRtt && Nanos(conv.InitialRtt) != 0 ? Nanos(conv.InitialRtt) : 3_000_000;
                uint expected = seq + seglen + ((flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0 ? 1u : 0u);
                if (sinceNext < threshold && fwd.NextSeq != expected)
                {
                    a |= TcpAnalysisFlags.OutOfOrder;
                    goto finishedRetransmission;
                }
                a |= TcpAnalysisFlags.Retransmission;
            }
        }

    finishedRetransmission:
        uint nextSeq = seq + seglen;
        if (seglen > 0 || (flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0)
        {
            if ((flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0) nextSeq++;
            if (fwd.Unacked.Count < MaxUnackedSegments)
                fwd.Unacked.Add(new UnackedSegment(f.Number, seq, nextSeq, f.Time));
        }

        if (TcpSeq.Gt(nextSeq, fwd.NextSeq) || fwd.NextSeq == 0)
        {
            if ((a & TcpAnalysisFlags.ZeroWindowProbe) == 0)
            {
                fwd.NextSeq = nextSeq;
                fwd.NextSeqFrame = f.Number;
                fwd.NextSeqTime = f.Time;
            }
        }
        if (seq == fwd.MaxSeqToBeAcked || fwd.MaxSeqToBeAcked == 0)
        {
            if ((a & TcpAnalysisFlags.ZeroWindowProbe) == 0) fwd.MaxSeqToBeAcked = fwd.NextSeq;
        }

        fwd.Window = window;
        fwd.LastAck = ack;
        fwd.LastAckTime = f.Time;
        fwd.LastSegmentFlags = a;

        // Segments of the other direction that this ACK covers: the exact match gives the ACK's RTT.
        if (rev.Unacked.Count > 0 && rev.Unacked.Acknowledge(ack, out var acked))
        {
            t.AcksFrame = acked.Frame;
            t.AckRtt = f.Time.Subtract(acked.Time);
            t.HasAckRtt = true;
        }

        // Bytes in flight after this segment: the span of this direction's unacknowledged data.
        if (seglen != 0 && fwd.Unacked.Count > 0 && fwd.ValidBytesInFlight)
        {
            uint inFlight = fwd.Unacked.Span();
            if (inFlight > 0 && inFlight < 2_000_000_000)
            {
                t.BytesInFlight = inFlight;
                t.HasBytesInFlight = true;
            }
        }
        if ((flags & TcpFlags.Ack) != 0 && rev.Unacked.Count == 0) rev.ValidBytesInFlight = true;

        t.Analysis |= a;
    }

    private static long Nanos(Duration d) => d.Seconds * 1_000_000_000L + d.Nanoseconds;
}

/// <summary>One direction of a TCP connection: its numbering base, window scale and analysis state.</summary>
public sealed class TcpFlow
{
    public bool BaseSet;
    public uint BaseSeq;
    /// <summary>Window scale shift; -1 unknown (handshake not seen), -2 no scaling.</summary>
    public int WinScale = -1;
    public bool FinSeen;

    // Analysis state, on relative sequence numbers as Wireshark keeps it (0 = not seen yet).
    internal uint NextSeq;
    internal long NextSeqFrame;
    internal Timestamp NextSeqTime;
    internal uint MaxSeqToBeAcked;
    internal uint LastAck;
    internal Timestamp LastAckTime;
    internal long Window = -1;
    internal TcpAnalysisFlags LastSegmentFlags;
    internal long LastNonDupAck;
    internal int DupAckCount;
    internal bool ValidBytesInFlight = true;
    internal readonly UnackedSegments Unacked = new();
}

/// <summary>One TCP connection (a tcp.stream): its endpoints as first seen, and both directions.</summary>
public sealed class TcpConversation
{
    public TcpConversation(int stream, IpAddress a, ushort portA, IpAddress b, ushort portB, long firstFrame, Timestamp start)
    {
        Stream = stream;
        AddressA = a;
        PortA = portA;
        AddressB = b;
        PortB = portB;
        FirstFrame = firstFrame;
        Start = start;
        LastTime = start;
    }

    public int Stream { get; }
    /// <summary>The source of the first packet seen.</summary>
    public IpAddress AddressA { get; }
    public ushort PortA { get; }
    public IpAddress AddressB { get; }
    public ushort PortB { get; }
    public long FirstFrame { get; }
    public Timestamp Start { get; }
    public long LastFrame { get; internal set; }
    public Timestamp LastTime { get; internal set; }
    public long Frames { get; internal set; }
    public long Bytes { get; internal set; }

    /// <summary>Direction A→B (from the first packet's source).</summary>
    public TcpFlow FlowA { get; } = new();
    /// <summary>Direction B→A.</summary>
    public TcpFlow FlowB { get; } = new();

    public bool SynSeen { get; internal set; }
    public bool SynAckSeen { get; internal set; }
    public bool ResetSeen { get; internal set; }
    internal Timestamp SynTime;
    internal long SynFrame;
    public bool HasInitialRtt { get; internal set; }
    public Duration InitialRtt { get; internal set; }

    internal (TcpFlow Fwd, TcpFlow Rev) Directions(IpAddress src, ushort sport) =>
        src == AddressA && sport == PortA ? (FlowA, FlowB) : (FlowB, FlowA);

    internal IpAddress ClientAddress(TcpFlow flow) => flow == FlowA ? AddressA : AddressB;
}
