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
/// The analysis keeps the order, the conditions and the thresholds of Wireshark 4.0's sequence analysis, on raw
/// (absolute) numbers and raw windows as Wireshark keeps them, because tshark's judgement is the reference users
/// compare us with. Where that judgement is surprising (the server's first pure ACK after its SYN-ACK is a
/// "Dup ACK" or a "Window Update"), we keep it too, and the tests say so.
/// </remarks>
public sealed class TcpConversations
{
    private readonly Dictionary<ConversationKey, TcpConversation> _table = new();
    private int _nextStream;
    // The conversations in the table from the least to the most recently active (an intrusive list: moving one to the
    // end costs a few pointer writes per segment).
    private TcpConversation? _idlest, _busiest;

    /// <param name="maxConversations">Most connections tracked at once (see <see cref="Pipeline.DissectorLimits.MaxTcpConversations"/>).</param>
    public TcpConversations(int maxConversations = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConversations, 1);
        MaxConversations = maxConversations;
    }

    /// <summary>Most connections tracked at once; past it the one idle the longest is forgotten.</summary>
    public int MaxConversations { get; }

    /// <summary>Connections tracked now.</summary>
    public int LiveCount => _table.Count;

    /// <summary>Connections forgotten because the table was full.</summary>
    public long Evicted { get; private set; }

    /// <summary>
    /// Raised when a conversation leaves the table: a new connection reused its ports, or it was the idlest when the
    /// table was full. No later segment reaches it; per-connection state kept elsewhere can be released.
    /// </summary>
    public event Action<TcpConversation>? ConversationForgotten;

    /// <summary>Most segments kept unacknowledged per direction, as in Wireshark.</summary>
    public const int MaxUnackedSegments = 10_000;

    /// <summary>The conversation of the segment <see cref="Process"/> handled last.</summary>
    public TcpConversation? Last { get; private set; }

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

    /// <summary>
    /// Finds the conversation of a segment, creating it (and a new stream number) when it is new, and applies
    /// tshark's rules for a SYN that reuses the ports of an earlier connection.
    /// </summary>
    private TcpConversation Find(Frame f, IpAddress src, ushort sport, IpAddress dst, ushort dport, TcpFlags flags, uint seqRaw,
        ref TcpAnalysisFlags analysis)
    {
        var key = ConversationKey.For(src, sport, dst, dport);
        if (!_table.TryGetValue(key, out var conv))
            return NewConversation(key, src, sport, dst, dport, f);
        MakeBusiest(conv);

        var fwd = conv.Forward(src, sport);
        var synAck = flags & (TcpFlags.Syn | TcpFlags.Ack);
        if (synAck == TcpFlags.Syn && fwd.BaseSet)
        {
            if (seqRaw != fwd.BaseSeq)
            {
                // A SYN with a new initial sequence number: a new connection on the same ports.
                conv = NewConversation(key, src, sport, dst, dport, f);
                conv.Completeness = 1; // a new connection that starts with its SYN
                analysis |= TcpAnalysisFlags.PortsReused;
            }
            else
            {
                // The same SYN again: analysis will see it as a retransmission.
                fwd.NextSeq = fwd.MaxSeqToBeAcked;
            }
        }
        else if (synAck == (TcpFlags.Syn | TcpFlags.Ack) && fwd.BaseSet && seqRaw != fwd.BaseSeq)
        {
            // A SYN-ACK with a new initial sequence number: same stream, new numbering base.
            fwd.BaseSeq = seqRaw;
            analysis |= TcpAnalysisFlags.PortsReused;
        }
        return conv;
    }

    private TcpConversation NewConversation(ConversationKey key, IpAddress src, ushort sport, IpAddress dst, ushort dport, Frame f)
    {
        if (_table.Remove(key, out var replaced)) Forget(replaced);
        else if (_table.Count >= MaxConversations && _idlest is { } idlest)
        {
            // Full: the connection idle the longest makes room, and the frame says so.
            _table.Remove(idlest.Key);
            Forget(idlest);
            // Evicted conversations are garbage the runtime is in no hurry to collect (it lets the heap grow to a
            // multiple of what is live): a full collection now and then keeps a flood's peak near the table's size.
            if (++Evicted % 50_000 == 0) GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
            f.AddNote(Severity.Warning, "Sequence", "tcp",
                $"Connection table full ({MaxConversations} connections): tcp.stream {idlest.Stream} (idle since frame {idlest.LastFrame}) forgotten");
        }
        var conv = new TcpConversation(_nextStream++, src, sport, dst, dport, f.Number, f.Time) { Key = key };
        _table[key] = conv;
        Link(conv);
        ConversationStarted?.Invoke(conv);
        return conv;
    }

    private void Forget(TcpConversation conv)
    {
        Unlink(conv);
        conv.Release();
        ConversationForgotten?.Invoke(conv);
    }

    private void Link(TcpConversation c)
    {
        c.Idler = _busiest;
        c.Busier = null;
        if (_busiest is not null) _busiest.Busier = c;
        else _idlest = c;
        _busiest = c;
    }

    private void Unlink(TcpConversation c)
    {
        if (c.Idler is not null) c.Idler.Busier = c.Busier;
        else _idlest = c.Busier;
        if (c.Busier is not null) c.Busier.Idler = c.Idler;
        else _busiest = c.Idler;
        c.Idler = c.Busier = null;
    }

    /// <summary>The initial RTT, from the most recent SYN to the first plain ACK (an ACK at the SYN's very time does not count).</summary>
    private static void LearnInitialRtt(TcpConversation conv, Timestamp time)
    {
        if (!conv.HasMostRecentSyn || conv.HasInitialRtt) return;
        var rtt = time.Subtract(conv.MostRecentSyn);
        if (rtt.Seconds == 0 && rtt.Nanoseconds == 0) return;
        conv.InitialRtt = rtt;
        conv.HasInitialRtt = true;
    }

    /// <summary>
    /// Adds a segment's flags to the connection's completeness bits (1 SYN, 2 SYN-ACK, 4 pure ACK, 8 data, 16 FIN-ACK,
    /// 32 RST). A connection's first segment counts only if it is a SYN.
    /// </summary>
    private static void Complete(TcpConversation conv, TcpFlags flags, bool payload, bool first)
    {
        var synAckBits = flags & (TcpFlags.Syn | TcpFlags.Ack);
        if (first)
        {
            if (synAckBits == TcpFlags.Syn) conv.Completeness = (byte)(1 | (payload ? 8 : 0));
            return;
        }
        if (synAckBits == (TcpFlags.Syn | TcpFlags.Ack)) conv.Completeness |= 2;
        else if (synAckBits == TcpFlags.Ack) conv.Completeness |= (byte)(payload ? 8 : 4);
        if ((flags & (TcpFlags.Fin | TcpFlags.Ack)) == (TcpFlags.Fin | TcpFlags.Ack)) conv.Completeness |= 16;
        if ((flags & TcpFlags.Rst) != 0) conv.Completeness |= 32;
    }

    private void MakeBusiest(TcpConversation c)
    {
        if (c == _busiest) return;
        Unlink(c);
        Link(c);
    }

    /// <summary>
    /// A TCP header quoted inside an ICMP error: it takes part in conversation lookup (and so may start a new
    /// tcp.stream, as in tshark) but not in sequence analysis. As in tshark, it is a frame of its connection for the
    /// timestamps (the next segment's tcp.time_delta counts from it) and for tcp.completeness, as a segment without
    /// payload (a quote's length is not its segment's).
    /// </summary>
    /// <returns>The connection the header belongs to.</returns>
    public TcpConversation Quoted(Frame f, IpAddress src, ushort sport, IpAddress dst, ushort dport, TcpFlags flags, uint seqRaw)
    {
        var ignored = TcpAnalysisFlags.None;
        var conv = Find(f, src, sport, dst, dport, flags, seqRaw, ref ignored);
        f.QuotedStream = conv.Stream;
        f.QuotedCompleteness = conv.Completeness;
        f.QuotedTimeRelative = f.Time.Subtract(conv.Start);
        f.QuotedTimeDelta = conv.LastFrame == 0 ? default : f.Time.Subtract(conv.LastTime);
        int shift = conv.Forward(src, sport).WinScale;
        f.QuotedWindowScaleFactor = (flags & TcpFlags.Syn) != 0 ? 0 : shift >= 0 ? 1 << shift : shift;
        bool first = conv.LastFrame == 0 && conv.FirstFrame == f.Number;
        conv.LastFrame = f.Number;
        conv.LastTime = f.Time;
        Complete(conv, flags, payload: false, first);
        // The handshake's clock runs on quotes too: a quoted SYN is the most recent SYN, and a quoted plain ACK can
        // give the initial RTT.
        var synAck = flags & (TcpFlags.Syn | TcpFlags.Ack);
        if (synAck == TcpFlags.Syn) { conv.MostRecentSyn = f.Time; conv.HasMostRecentSyn = true; }
        else if (synAck == TcpFlags.Ack) LearnInitialRtt(conv, f.Time);
        return conv;
    }

    /// <summary>Analyses one decoded TCP segment (its header at least 16 bytes), filling the conversation fields of <see cref="Frame.Tcp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Process(Frame f)
    {
        ref var t = ref f.Tcp;
        var conv = Find(f, f.Src, f.SrcPort, f.Dst, f.DstPort, t.Flags, t.SeqRaw, ref t.Analysis);
        var fwd = conv.Forward(f.Src, f.SrcPort);
        var rev = conv.Reverse(fwd);
        t.Stream = conv.Stream;
        Last = conv;
        t.TimeRelative = f.Time.Subtract(conv.Start);
        t.TimeDelta = conv.LastFrame == 0 ? default : f.Time.Subtract(conv.LastTime);
        t.Completeness = conv.Completeness;
        conv.LastFrame = f.Number;
        conv.LastTime = f.Time;

        bool syn = t.Has(TcpFlags.Syn), ack = t.Has(TcpFlags.Ack);
        long window = t.WindowValue;

        // Accurate ECN (RFC 9768 §3.1.1): a SYN with AE, CWR and ECE set, answered by a SYN-ACK that sets CWR without AE
        // or AE without ECE; or an AccECN option. Then the three bits of later segments are the ACE counter.
        const TcpFlags ecnBits = TcpFlags.Ae | TcpFlags.Cwr | TcpFlags.Ece;
        if (syn && !ack) conv.SynOfferedAccEcn = (t.Flags & ecnBits) == ecnBits;
        else if (syn && ack && conv.SynOfferedAccEcn
                 && (((t.Flags & TcpFlags.Cwr) != 0 && (t.Flags & TcpFlags.Ae) == 0) || ((t.Flags & TcpFlags.Ae) != 0 && (t.Flags & TcpFlags.Ece) == 0)))
            conv.AccEcn = true;
        t.AceMode = !syn && conv.AccEcn;
        t.WindowScaleFactor = -1;
        t.Seq = t.SeqRaw;
        t.Ack = t.AckRaw;
        fwd.SackedBytes = 0;

        if (t.LengthKnown)
        {
            // Relative numbers: a direction's base is its initial sequence number when its SYN is seen, else the
            // first sequence number seen minus one (so the first byte seen is 1, as if the SYN had been there).
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

            Analyze(f, ref t, conv, fwd, rev, (uint)Math.Max(f.PayloadLength, 0));

            t.Seq = t.SeqRaw - fwd.BaseSeq;
            t.Ack = ack ? t.AckRaw - rev.BaseSeq : t.AckRaw;
            uint seglen = (uint)Math.Max(f.PayloadLength, 0);
            t.NextSeq = t.Seq + seglen + ((t.Flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0 ? 1u : 0u);

            // Window scaling (RFC 7323 §2.2) with the shift this direction announced; SYNs are never scaled.
            if (!syn)
            {
                if (fwd.WinScale >= 0)
                {
                    window <<= fwd.WinScale;
                    t.WindowScaleFactor = 1 << fwd.WinScale;
                }
                else t.WindowScaleFactor = fwd.WinScale;
            }
        }
        t.AckBase = rev.BaseSeq;
        t.WindowSize = window;

        if (t.HeaderLength < TcpDecoder.MinHeaderLength) return;

        // Who closes: a FIN after the other direction's FIN answers it, any other FIN starts the close (as Wireshark
        // marks them, every FIN, retransmitted ones included).
        if (t.Has(TcpFlags.Fin))
        {
            if (rev.ClosingInitiator) t.Closing = TcpClosingRole.Passive;
            else
            {
                fwd.ClosingInitiator = true;
                t.Closing = TcpClosingRole.Active;
            }
        }

        // What the connection has shown, as tshark's completeness bits (1 SYN, 2 SYN-ACK, 4 pure ACK, 8 data, 16 FIN-ACK,
        // 32 RST); a frame reports the bits before it. A connection's first segment counts only if it is a SYN.
        Complete(conv, t.Flags, f.PayloadLength > 0, conv.LastFrame == f.Number && conv.FirstFrame == f.Number);

        // The segments tshark's conversation table (-z conv,tcp) counts: those whose whole header, options included,
        // is in the capture. A header cut by the snap length, or longer than the segment, is left out (as is a TCP
        // header quoted in an ICMP error, which never reaches Process).
        if (t.Captured >= t.HeaderLength)
        {
            conv.Frames++;
            conv.Bytes += f.OriginalLength;
            fwd.Count(f.Number, f.Time, f.OriginalLength, t.Flags);
        }

        // Handshake bookkeeping: the most recent SYN's time, and the initial RTT from it to the first plain ACK.
        var synAck = t.Flags & (TcpFlags.Syn | TcpFlags.Ack);
        if (syn)
        {
            fwd.IsFirstAck = true;
            if (!ack) { conv.MostRecentSyn = f.Time; conv.HasMostRecentSyn = true; }
        }
        if (synAck == TcpFlags.Ack)
        {
            LearnInitialRtt(conv, f.Time);
            fwd.IsFirstAck = false;
        }
        t.HasInitialRtt = conv.HasInitialRtt;
        t.InitialRtt = conv.InitialRtt;

        if (t.HasAccEcnOption) conv.AccEcn = true;

        // Options seen on any segment set this direction's window scale and its latest SACK blocks.
        if (t.HasWindowScale) fwd.WinScale = Math.Min((int)t.WindowScaleShift, 14);
        fwd.SackedBytes = t.SackedBytes;

        // A SYN without the window scale option means neither side scales (RFC 7323 §1.3).
        if (syn && OptionsComplete(ref t))
        {
            if (fwd.WinScale == -1)
            {
                fwd.WinScale = -2;
                rev.WinScale = -2;
            }
            else if (ack && rev.WinScale == -2)
            {
                fwd.WinScale = -2;
            }
        }
    }

    /// <summary>True when the option list was read to its end (tshark skips the later checks when it was cut short).</summary>
    private static bool OptionsComplete(ref TcpInfo t)
    {
        ReadOnlySpan<byte> present = t.Options;
        var walker = new TcpOptionWalker(present[..t.OptionsLength], t.HeaderLength - TcpDecoder.MinHeaderLength);
        while (walker.Next(out _, out _, out _)) { }
        return walker.End != OptionWalkEnd.Truncated;
    }

    private static long Nanos(Duration d) => d.Seconds * 1_000_000_000L + d.Nanoseconds;

    /// <summary>Wireshark's sequence analysis on raw numbers, in its order (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Analyze(Frame f, ref TcpInfo t, TcpConversation conv, TcpFlow fwd, TcpFlow rev, uint seglen)
    {
        var flags = t.Flags;
        uint seq = t.SeqRaw, ack = t.AckRaw;
        uint window = t.WindowValue;
        bool synFinRst = (flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) != 0;
        bool synFin = (flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0;
        var a = t.Analysis;

        if ((flags & TcpFlags.Ack) != 0) rev.ValidBytesInFlight = true;

        // Zero window probe: one byte at the next expected sequence number while the peer's window is zero.
        if (seglen == 1 && seq == fwd.NextSeq && rev.Window == 0)
        {
            a |= TcpAnalysisFlags.ZeroWindowProbe;
            goto afterForward;
        }

        // Zero window: a window of zero on anything but SYN, FIN or RST.
        if (window == 0 && !synFinRst) a |= TcpAnalysisFlags.ZeroWindow;

        // Previous segment not captured: the sequence number jumps past the next expected one.
        if (fwd.NextSeq != 0 && TcpSeq.Gt(seq, fwd.NextSeq) && (flags & TcpFlags.Rst) == 0)
        {
            a |= TcpAnalysisFlags.LostSegment;
            fwd.ValidBytesInFlight = false;
        }

        // Keep-alive: 0 or 1 byte starting one byte before the next expected sequence number.
        if (seglen <= 1 && seq == fwd.NextSeq - 1 && !synFinRst)
            a |= TcpAnalysisFlags.KeepAlive;

        // Window update: no data, same seq/ack as before, a new non-zero window.
        if (seglen == 0 && window != 0 && window != fwd.Window && seq == fwd.NextSeq && ack == fwd.LastAck && !synFinRst)
            a |= TcpAnalysisFlags.WindowUpdate;

        // Window full: data that reaches exactly the edge of the window the peer advertised.
        if (seglen > 0 && rev.WinScale != -1 && !synFinRst)
        {
            int shift = rev.IsFirstAck || rev.WinScale == -2 ? 0 : rev.WinScale;
            if (seq + seglen == rev.LastAck + (uint)(rev.Window << shift))
                a |= TcpAnalysisFlags.WindowFull;
        }

        // Keep-alive ACK: repeats the previous ACK right after a keep-alive from the peer.
        if (seglen == 0 && window != 0 && window == fwd.Window && seq == fwd.NextSeq && ack == fwd.LastAck
            && (rev.LastSegmentFlags & TcpAnalysisFlags.KeepAlive) != 0 && !synFinRst)
        {
            a |= TcpAnalysisFlags.KeepAliveAck;
            goto afterForward;
        }

        // Zero window probe ACK: repeats the previous zero-window ACK right after a probe from the peer.
        if (seglen == 0 && window == 0 && fwd.Window == 0 && seq == fwd.NextSeq && ack == fwd.LastAck
            && (rev.LastSegmentFlags & TcpAnalysisFlags.ZeroWindowProbe) != 0 && !synFinRst)
        {
            a |= TcpAnalysisFlags.ZeroWindowProbeAck;
            goto afterForward;
        }

        // Duplicate ACK: no data, and window, seq and ack all as in the previous segment of this direction.
        if (seglen == 0 && window != 0 && window == fwd.Window && seq == fwd.NextSeq && ack == fwd.LastAck && !synFinRst)
        {
            fwd.DupAckCount = fwd.DupAckCount == -1 ? 1 : fwd.DupAckCount + 1;
            a |= TcpAnalysisFlags.DuplicateAck;
            t.DupAckCount = fwd.DupAckCount;
            t.DupAckOf = fwd.LastNonDupAck;
        }

    afterForward:
        if (ack != fwd.LastAck)
        {
            fwd.LastNonDupAck = f.Number;
            fwd.DupAckCount = 0;
        }

        // ACKed unseen segment: the ACK covers bytes the other direction never showed us.
        if (rev.MaxSeqToBeAcked != 0 && TcpSeq.Gt(ack, rev.MaxSeqToBeAcked) && (flags & TcpFlags.Ack) != 0)
        {
            if (TcpSeq.Lt(rev.MaxSeqToBeAcked, rev.NextSeq))
            {
                rev.MaxSeqToBeAcked = rev.NextSeq;
                a |= TcpAnalysisFlags.AckLostSegment;
            }
            else
            {
                if (rev.DupAckCount == 0) a |= TcpAnalysisFlags.AckLostSegment;
                rev.DupAckCount = -1;
            }
        }

        // Retransmission, fast retransmission, spurious retransmission, out-of-order: data (or SYN/FIN) that does
        // not advance the sequence number.
        if (seglen > 0 || synFin)
        {
            bool notAdvanced = fwd.NextSeq != 0 && TcpSeq.Lt(seq, fwd.NextSeq);
            if ((a & TcpAnalysisFlags.KeepAlive) != 0) goto doneRetransmission;
            if (seglen > 1 && fwd.NextSeq - 1 == seq) notAdvanced = false;

            if (seglen > 0 && rev.LastAck != 0 && TcpSeq.Le(seq + seglen, rev.LastAck))
            {
                a |= TcpAnalysisFlags.SpuriousRetransmission;
                goto doneRetransmission;
            }
            if (notAdvanced && rev.DupAckCount >= 2 && rev.LastAck == seq
                && Nanos(f.Time.Subtract(rev.LastAckTime)) < 20_000_000)
            {
                a |= TcpAnalysisFlags.FastRetransmission;
                goto doneRetransmission;
            }
            long threshold = conv.HasInitialRtt ? Nanos(conv.InitialRtt) : 3_000_000;
            if (notAdvanced && Nanos(f.Time.Subtract(fwd.NextSeqTime)) < threshold
                && fwd.NextSeq != seq + seglen + (synFin ? 1u : 0u))
            {
                a |= TcpAnalysisFlags.OutOfOrder;
                goto doneRetransmission;
            }
            if (notAdvanced) a |= TcpAnalysisFlags.Retransmission;
        }

    doneRetransmission:
        uint nextSeq = seq + seglen;
        if ((seglen > 0 || synFin) && fwd.Unacked.Count < MaxUnackedSegments)
        {
            if (synFin) nextSeq++;
            fwd.Unacked.Add(new UnackedSegment(f.Number, seq, nextSeq, f.Time));
        }
        bool probe = (a & TcpAnalysisFlags.ZeroWindowProbe) != 0;
        if ((TcpSeq.Gt(nextSeq, fwd.NextSeq) || fwd.NextSeq == 0) && !probe)
        {
            fwd.NextSeq = nextSeq;
            fwd.NextSeqFrame = f.Number;
            fwd.NextSeqTime = f.Time;
        }
        if ((seq == fwd.MaxSeqToBeAcked || fwd.MaxSeqToBeAcked == 0) && !probe)
            fwd.MaxSeqToBeAcked = fwd.NextSeq;

        fwd.Window = window;
        fwd.LastAck = ack;
        fwd.LastAckTime = f.Time;
        fwd.LastSegmentFlags = a;

        // Segments of the other direction that this ACK covers; the one it ends at exactly gives the ACK's RTT.
        if (rev.Unacked.Count > 0 && rev.Unacked.Acknowledge(ack, out var acked))
        {
            t.AcksFrame = acked.Frame;
            t.HasAnalysisRecord = true;
            t.AckRtt = f.Time.Subtract(acked.Time);
            t.HasAckRtt = true;
        }

        // Bytes in flight after this segment: the span of this direction's unacknowledged data, less what the
        // peer has selectively acknowledged.
        if (seglen != 0 && fwd.Unacked.Count > 0 && fwd.ValidBytesInFlight)
        {
            t.HasAnalysisRecord = true;
            uint inFlight = fwd.Unacked.Span(fwd.BaseSeq) - rev.SackedBytes;
            if (inFlight > 0 && inFlight < 2_000_000_000)
            {
                t.BytesInFlight = inFlight - (synFin ? 1u : 0u);
                t.HasBytesInFlight = true;
            }
            // Bytes sent since the last PSH: a PSH segment starts the count again after one without.
            bool psh = (flags & TcpFlags.Psh) != 0;
            if (psh && !fwd.PushSetLast) fwd.PushBytesSent += seglen;
            else if (psh || fwd.PushSetLast) fwd.PushBytesSent = seglen;
            else fwd.PushBytesSent += seglen;
            fwd.PushSetLast = psh;
            t.PushBytesSent = fwd.PushBytesSent;
        }

        t.Analysis = a;
        if (a != TcpAnalysisFlags.None) t.HasAnalysisRecord = true;
    }
}

/// <summary>One direction of a TCP connection: its numbering base, window scale and analysis state.</summary>
public sealed class TcpFlow
{
    /// <summary>Frames and bytes (frame lengths on the wire) sent in this direction, counting the segments whose
    /// whole header was captured, as tshark's conversation table does.</summary>
    public long Frames;
    public long Bytes;
    /// <summary>Number of the first counted frame in this direction (0 while none).</summary>
    public long FirstFrame;
    /// <summary>Earliest and latest timestamps of the counted frames (a capture's clock can go backwards).</summary>
    public Timestamp Earliest;
    public Timestamp Latest;
    /// <summary>Which handshake and teardown segments this direction sent.</summary>
    public TcpFlowEvents Seen;
    public bool BaseSet;
    public uint BaseSeq;
    /// <summary>Window scale shift; -1 unknown (handshake not seen), -2 no scaling.</summary>
    public int WinScale = -1;

    // Analysis state, on raw sequence numbers as Wireshark keeps it (0 = not seen yet).
    internal uint NextSeq;
    internal long NextSeqFrame;
    internal Timestamp NextSeqTime;
    internal uint MaxSeqToBeAcked;
    internal uint LastAck;
    internal Timestamp LastAckTime;
    internal uint Window = uint.MaxValue; // the last raw window
    internal bool IsFirstAck;
    /// <summary>This direction sent the connection's first FIN (Wireshark's closing_initiator).</summary>
    internal bool ClosingInitiator;
    internal TcpAnalysisFlags LastSegmentFlags;
    internal long LastNonDupAck;
    internal int DupAckCount;
    internal bool ValidBytesInFlight = true;
    internal uint SackedBytes;
    internal long PushBytesSent;
    internal bool PushSetLast;
    internal readonly UnackedSegments Unacked = new();

    /// <summary>Counts one segment of this direction (see <see cref="Frames"/>).</summary>
    internal void Count(long number, Timestamp time, int length, TcpFlags flags)
    {
        if (Frames == 0)
        {
            FirstFrame = number;
            Earliest = Latest = time;
        }
        else if (time > Latest) Latest = time;
        else if (time < Earliest) Earliest = time;
        Frames++;
        Bytes += length;
        if ((flags & TcpFlags.Syn) == 0) Seen |= TcpFlowEvents.NotSyn;
        else Seen |= (flags & TcpFlags.Ack) != 0 ? TcpFlowEvents.SynAck : TcpFlowEvents.Syn;
        if ((flags & TcpFlags.Fin) != 0) Seen |= TcpFlowEvents.Fin;
        if ((flags & TcpFlags.Rst) != 0) Seen |= TcpFlowEvents.Rst;
    }
}

/// <summary>Kinds of segments one direction of a connection has sent.</summary>
[Flags]
public enum TcpFlowEvents : byte
{
    None = 0,
    /// <summary>A SYN without ACK (opening).</summary>
    Syn = 1,
    /// <summary>A SYN with ACK (answering an opening).</summary>
    SynAck = 2,
    Fin = 4,
    Rst = 8,
    /// <summary>A segment without SYN.</summary>
    NotSyn = 16,
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

    /// <summary>
    /// The destination port a proxy handshake (a SOCKS CONNECT) asked for: what follows it on this connection is that
    /// port's protocol, as tshark's SOCKS dissector hands it on. Null without one.
    /// </summary>
    public ushort? TunnelPort { get; internal set; }

    /// <summary>The source of the first packet seen.</summary>
    public IpAddress AddressA { get; }
    public ushort PortA { get; }
    public IpAddress AddressB { get; }
    public ushort PortB { get; }
    public long FirstFrame { get; }
    public Timestamp Start { get; }
    public long LastFrame { get; internal set; }
    public Timestamp LastTime { get; internal set; }
    /// <summary>Frames and bytes of both directions, counted as <see cref="TcpFlow.Frames"/>.</summary>
    public long Frames { get; internal set; }
    public long Bytes { get; internal set; }

    /// <summary>Direction A→B (from the first packet's source).</summary>
    public TcpFlow FlowA { get; } = new();
    /// <summary>Direction B→A.</summary>
    public TcpFlow FlowB { get; } = new();

    /// <summary>tcp.completeness bits accumulated so far.</summary>
    public byte Completeness { get; internal set; }
    internal bool SynOfferedAccEcn;
    internal bool AccEcn;
    internal Timestamp MostRecentSyn;
    internal bool HasMostRecentSyn;
    public bool HasInitialRtt { get; internal set; }
    /// <summary>tcp.analysis.initial_rtt: from the most recent SYN to the first ACK without SYN.</summary>
    public Duration InitialRtt { get; internal set; }

    internal TcpConversations.ConversationKey Key;
    // Neighbours in the table's order of activity (see TcpConversations).
    internal TcpConversation? Idler, Busier;

    /// <summary>Drops the analysis buffers of a conversation no segment can reach any more (its counts stay).</summary>
    internal void Release()
    {
        FlowA.Unacked.Release();
        FlowB.Unacked.Release();
    }

    internal TcpFlow Forward(IpAddress src, ushort sport) => src == AddressA && sport == PortA ? FlowA : FlowB;

    internal TcpFlow Reverse(TcpFlow fwd) => fwd == FlowA ? FlowB : FlowA;
}
