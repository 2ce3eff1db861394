using System.Buffers.Binary;
using System.Text;
using HttpsFlow.Fields;
using HttpsFlow.Net;
using HttpsFlow.Tcp;
using static HttpsFlow.Tree.TreeText;

namespace HttpsFlow.Tree;

/// <summary>The Transmission Control Protocol subtree: header fields, flags, options, timestamps and sequence analysis.</summary>
internal static class TcpTree
{
    public static TreeNode Build(Frame f, ReadOnlySpan<byte> p, Region r)
    {
        ref var t = ref f.Tcp;
        var tcp = TreeNodeExtensions.Node(FrameFieldEmitter.TcpSummary(f), "tcp", r, 0, t.Stage == TcpStage.Header ? Math.Max((int)t.HeaderLength, 4) : 4);
        tcp.Add($"Source Port: {f.SrcPort}", "tcp.srcport", r, 0, 2);
        tcp.Add($"Destination Port: {f.DstPort}", "tcp.dstport", r, 2, 2);
        if (t.Stage != TcpStage.Header) return tcp;
        if (t.Stream >= 0)
        {
            tcp.Add($"[Stream index: {t.Stream}]", "tcp.stream");
            tcp.Add($"[Conversation completeness: {Completeness(t.Completeness)}]", "tcp.completeness");
        }
        if (t.LengthKnown) tcp.Add($"[TCP Segment Len: {f.PayloadLength}]", "tcp.len");
        bool relative = t.Stream >= 0;
        tcp.Add($"Sequence Number: {t.Seq}{(relative ? "    (relative sequence number)" : "")}", "tcp.seq", r, 4, 4);
        tcp.Add($"Sequence Number (raw): {t.SeqRaw}", "tcp.seq_raw", r, 4, 4);
        if (t.HeaderLength < TcpDecoder.MinHeaderLength)
        {
            tcp.Add(BitLine((ulong)t.HeaderLength / 4 << 4, 8, 0xf0, $"Header Length: {t.HeaderLength} bytes ({t.HeaderLength / 4})"), "tcp.hdr_len", r, 12, 1);
            return tcp;
        }
        if (t.LengthKnown)
            tcp.Add($"[Next Sequence Number: {t.NextSeq}{(relative ? "    (relative sequence number)" : "")}]", "tcp.nxtseq");
        bool ack = t.Has(TcpFlags.Ack);
        tcp.Add($"Acknowledgment Number: {t.Ack}{(ack && relative ? "    (relative ack number)" : "")}", "tcp.ack", r, 8, 4);
        tcp.Add($"Acknowledgment number (raw): {t.AckRaw}", "tcp.ack_raw", r, 8, 4);
        tcp.Add(BitLine((ulong)(t.HeaderLength / 4) << 4, 8, 0xf0, $"Header Length: {t.HeaderLength} bytes ({t.HeaderLength / 4})"), "tcp.hdr_len", r, 12, 1);
        FlagsNode(tcp, f.SrcPort, f.DstPort, (int)t.Flags, t.AceMode, r);
        tcp.Add($"Window: {t.WindowValue}", "tcp.window_size_value", r, 14, 2);
        tcp.Add($"[Calculated window size: {t.WindowSize}]", "tcp.window_size");
        if (t.LengthKnown && !t.Has(TcpFlags.Syn))
        {
            string factor = t.WindowScaleFactor switch
            {
                -1 => "-1 (unknown)",
                -2 => "-2 (no window scaling used)",
                var v => v.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            tcp.Add($"[Window size scaling factor: {factor}]", "tcp.window_size_scalefactor");
        }
        if (t.Captured < TcpDecoder.MinHeaderLength) return tcp;
        tcp.Add($"Checksum: 0x{t.Checksum:x4} [unverified]", "tcp.checksum", r, 16, 2);
        tcp.Add("[Checksum Status: Unverified]", "tcp.checksum.status");
        tcp.Add($"Urgent Pointer: {t.UrgentPointer}", "tcp.urgent_pointer", r, 18, 2);
        OptionsNode(tcp, f, r);
        if (t.Stream >= 0 && t.LengthKnown)
        {
            var ts = tcp.Add("[Timestamps]");
            ts.Add($"[Time since first frame in this TCP stream: {Seconds(t.TimeRelative)} seconds]", "tcp.time_relative");
            ts.Add($"[Time since previous frame in this TCP stream: {Seconds(t.TimeDelta)} seconds]", "tcp.time_delta");
        }
        AnalysisNode(tcp, f);
        if (t.LengthKnown && f.PayloadCaptured > 0)
            tcp.Add($"TCP payload ({f.PayloadCaptured} byte{(f.PayloadCaptured == 1 ? "" : "s")})", "tcp.payload", r, t.HeaderLength, f.PayloadCaptured);
        return tcp;
    }

    /// <summary>
    /// The TCP header an ICMP error quotes, <paramref name="length"/> bytes of it at <paramref name="r"/>, as tshark
    /// shows it inside the error: raw numbers, no sequence analysis, the window unscaled, the connection's stream,
    /// completeness and timestamps. Inside ICMP the sequence number comes before the stream index; ICMPv6's quote has
    /// the stream first and the raw sequence number too.
    /// </summary>
    public static TreeNode Quoted(Frame f, ReadOnlySpan<byte> p, Region r, int length, bool v6)
    {
        var h = p.Slice(r.Base, Math.Min(length, p.Length - r.Base));
        ushort sp = BinaryPrimitives.ReadUInt16BigEndian(h), dp = BinaryPrimitives.ReadUInt16BigEndian(h[2..]);
        var tcp = TreeNodeExtensions.Node(FrameFieldEmitter.QuotedTcpSummary(h), "tcp", r, 0, h.Length);
        tcp.Add($"Source Port: {sp}", "tcp.srcport", r, 0, 2);
        tcp.Add($"Destination Port: {dp}", "tcp.dstport", r, 2, 2);
        uint seq = h.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(h[4..]) : 0;
        if (h.Length < TcpDecoder.ConversationHeaderLength)
        {
            if (h.Length >= 8 && !v6) tcp.Add($"Sequence Number: {seq}", "tcp.seq", r, 4, 4);
            return tcp;
        }
        if (!v6) tcp.Add($"Sequence Number: {seq}", "tcp.seq", r, 4, 4);
        if (f.QuotedStream >= 0)
        {
            tcp.Add($"[Stream index: {f.QuotedStream}]", "tcp.stream");
            tcp.Add($"[Conversation completeness: {Completeness(f.QuotedCompleteness)}]", "tcp.completeness");
        }
        if (v6)
        {
            tcp.Add($"Sequence Number: {seq}    (relative sequence number)", "tcp.seq", r, 4, 4);
            tcp.Add($"Sequence Number (raw): {seq}", "tcp.seq_raw", r, 4, 4);
        }
        uint ackNumber = BinaryPrimitives.ReadUInt32BigEndian(h[8..]);
        int offFlags = BinaryPrimitives.ReadUInt16BigEndian(h[12..]);
        int flags = offFlags & 0xfff, headerLength = (offFlags >> 12) * 4;
        bool ack = (flags & 0x10) != 0;
        tcp.Add($"Acknowledgment Number: {ackNumber}{(ack ? "    (relative ack number)" : "")}", "tcp.ack", r, 8, 4);
        tcp.Add($"Acknowledgment number (raw): {ackNumber}", "tcp.ack_raw", r, 8, 4);
        tcp.Add(BitLine((ulong)(headerLength / 4) << 4, 8, 0xf0, $"Header Length: {headerLength} bytes ({headerLength / 4})"), "tcp.hdr_len", r, 12, 1);
        if (headerLength < TcpDecoder.MinHeaderLength) return tcp;
        FlagsNode(tcp, sp, dp, flags, false, r);
        ushort window = BinaryPrimitives.ReadUInt16BigEndian(h[14..]);
        tcp.Add($"Window: {window}", "tcp.window_size_value", r, 14, 2);
        tcp.Add($"[Calculated window size: {window}]", "tcp.window_size");
        if ((flags & 0x2) == 0)
        {
            string factor = f.QuotedWindowScaleFactor switch
            {
                -1 => "-1 (unknown)",
                -2 => "-2 (no window scaling used)",
                var v => v.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            tcp.Add($"[Window size scaling factor: {factor}]", "tcp.window_size_scalefactor");
        }
        if (h.Length < 18) return tcp;
        tcp.Add($"Checksum: 0x{BinaryPrimitives.ReadUInt16BigEndian(h[16..]):x4} [unverified]", "tcp.checksum", r, 16, 2);
        tcp.Add("[Checksum Status: Unverified]", "tcp.checksum.status");
        if (h.Length < TcpDecoder.MinHeaderLength) return tcp;
        tcp.Add($"Urgent Pointer: {BinaryPrimitives.ReadUInt16BigEndian(h[18..])}", "tcp.urgent_pointer", r, 18, 2);
        // Options the quote holds whole (tshark also names one the quote cuts, which this tree leaves out).
        int area = headerLength - TcpDecoder.MinHeaderLength;
        if (area > 0 && h.Length >= headerLength) OptionsNode(tcp, h[TcpDecoder.MinHeaderLength..headerLength], area, 0, r);
        if (f.QuotedStream >= 0)
        {
            var ts = tcp.Add("[Timestamps]");
            ts.Add($"[Time since first frame in this TCP stream: {Seconds(f.QuotedTimeRelative)} seconds]", "tcp.time_relative");
            ts.Add($"[Time since previous frame in this TCP stream: {Seconds(f.QuotedTimeDelta)} seconds]", "tcp.time_delta");
        }
        int n = f.QuotedPayloadLength;
        if (n > 0) tcp.Add($"TCP payload ({n} byte{(n == 1 ? "" : "s")})", "tcp.payload", r, headerLength, n);
        return tcp;
    }

    /// <summary>An expert item as tshark shows it: the message, its severity and group.</summary>
    private static void Expert(TreeNode parent, string text, string field, string severity)
    {
        var e = parent.Add($"[Expert Info ({severity}/Sequence): {text}]", "_ws.expert");
        e.Add($"[{text}]", field);
        e.Add($"[Severity level: {severity}]", "_ws.expert.severity");
        e.Add("[Group: Sequence]", "_ws.expert.group");
    }

    /// <summary>tcp.completeness as tshark names it.</summary>
    internal static string Completeness(byte v) => v switch
    {
        0 => "Incomplete (0)",
        1 => "Incomplete, SYN_SENT (1)",
        3 => "Incomplete, CLIENT_ESTABLISHED (3)",
        7 => "Incomplete, ESTABLISHED (7)",
        15 => "Incomplete, DATA (15)",
        _ when (v & 7) == 7 && (v & 0x30) != 0 => (v & 8) != 0 ? $"Complete, WITH_DATA ({v})" : $"Complete, NO_DATA ({v})",
        _ => $"Incomplete ({v})",
    };

    private static readonly (int Bit, string Name, string Short)[] FlagBits =
    [
        (0x100, "Accurate ECN", "AE"), (0x80, "Congestion Window Reduced", "CWR"), (0x40, "ECN-Echo", "ECE"),
        (0x20, "Urgent", "URG"), (0x10, "Acknowledgment", "ACK"), (0x8, "Push", "PSH"), (0x4, "Reset", "RST"),
        (0x2, "Syn", "SYN"), (0x1, "Fin", "FIN"),
    ];

    private static void FlagsNode(TreeNode tcp, ushort srcPort, ushort dstPort, int flags, bool aceMode, Region r)
    {
        // tshark lists the set flags from the lowest bit up: "(SYN, ACK)", "(PSH, ACK)".
        var names = new List<string>();
        for (int i = FlagBits.Length - 1; i >= 0; i--)
            if ((flags & FlagBits[i].Bit) != 0) names.Add(FlagBits[i].Short);
        string list = names.Count == 0 ? "<None>" : string.Join(", ", names);
        var node = tcp.Add($"Flags: 0x{flags:x3} ({list})", "tcp.flags", r, 12, 2);
        node.Add(BitLine((ulong)flags, 12, 0xe00, $"Reserved: {SetText((flags & 0xe00) != 0)}"), "tcp.flags.res", r, 12, 2);
        if (aceMode)
            node.Add(BitLine((ulong)flags, 12, 0x1c0, $"Accurate ECN Counter: {(flags >> 6) & 7}"), "tcp.flags.ace", r, 12, 2);
        foreach (var (bit, name, shortName) in FlagBits)
        {
            if (aceMode && bit is 0x100 or 0x80 or 0x40) continue;
            string field = "tcp.flags." + shortName switch
            {
                "AE" => "ae", "CWR" => "cwr", "ECE" => "ece", "URG" => "urg", "ACK" => "ack", "PSH" => "push",
                "RST" => "reset", "SYN" => "syn", _ => "fin",
            };
            var line = node.Add(BitLine((ulong)flags, 12, (ulong)bit, $"{name}: {SetText((flags & bit) != 0)}"), field, r, 12, 2);
            // The connection events tshark's expert marks on the flag itself.
            if ((flags & bit) == 0) continue;
            if (bit == 0x2)
            {
                if ((flags & 0x10) != 0) Expert(line, $"Connection establish acknowledge (SYN+ACK): server port {srcPort}", "tcp.connection.synack", "Chat");
                else Expert(line, $"Connection establish request (SYN): server port {dstPort}", "tcp.connection.syn", "Chat");
            }
            else if (bit == 0x1) Expert(line, "Connection finish (FIN)", "tcp.connection.fin", "Chat");
            else if (bit == 0x4) Expert(line, "Connection reset (RST)", "tcp.connection.rst", "Warning");
        }
        node.Add($"[TCP Flags: {FrameFieldEmitter.FlagsString((TcpFlags)flags)}]", "tcp.flags.str");
    }

    private static void OptionsNode(TreeNode tcp, Frame f, Region r)
    {
        ref var t = ref f.Tcp;
        int area = t.HeaderLength - TcpDecoder.MinHeaderLength;
        if (area <= 0 || t.OptionsLength == 0) return;
        ReadOnlySpan<byte> o = t.Options;
        OptionsNode(tcp, o[..Math.Min(t.OptionsLength, area)], area, t.AckBase, r);
    }

    /// <summary>The options node over <paramref name="o"/>, the option bytes present of an option area of <paramref name="area"/> bytes.</summary>
    private static void OptionsNode(TreeNode tcp, ReadOnlySpan<byte> o, int area, uint ackBase, Region r)
    {
        var rr = r.At(TcpDecoder.MinHeaderLength);
        var node = TreeNodeExtensions.Node("", "tcp.options", rr, 0, area);
        var names = new List<string>();
        int pos = 0;
        bool afterEol = false;
        while (pos < o.Length)
        {
            byte kind = o[pos];
            if (kind == TcpDecoder.OptEol || afterEol)
            {
                if (kind != TcpDecoder.OptEol) break;
                names.Add("End of Option List (EOL)");
                node.Add("TCP Option - End of Option List (EOL)", "tcp.option_eol", rr, pos, 1)
                    .Add("Kind: End of Option List (0)", "tcp.option_kind", rr, pos, 1);
                afterEol = true;
                pos++;
                continue;
            }
            if (kind == TcpDecoder.OptNop)
            {
                names.Add("No-Operation (NOP)");
                node.Add("TCP Option - No-Operation (NOP)", "tcp.option_nop", rr, pos, 1)
                    .Add("Kind: No-Operation (1)", "tcp.option_kind", rr, pos, 1);
                pos++;
                continue;
            }
            if (pos + 1 >= o.Length) break;
            int len = o[pos + 1];
            if (len < 2 || pos + len > o.Length) break;
            var v = o.Slice(pos + 2, len - 2);
            TreeNode opt;
            switch (kind)
            {
                case TcpDecoder.OptMss when len == 4:
                {
                    ushort mss = BinaryPrimitives.ReadUInt16BigEndian(v);
                    names.Add("Maximum segment size");
                    opt = node.Add($"TCP Option - Maximum segment size: {mss} bytes", "tcp.options.mss", rr, pos, len);
                    KindLength(opt, rr, pos, "Maximum Segment Size (2)", len);
                    opt.Add($"MSS Value: {mss}", "tcp.options.mss_val", rr, pos + 2, 2);
                    break;
                }
                case TcpDecoder.OptWindowScale when len == 3:
                    names.Add("Window scale");
                    opt = node.Add($"TCP Option - Window scale: {v[0]} (multiply by {1L << Math.Min((int)v[0], 14)})", "tcp.options.wscale", rr, pos, len);
                    KindLength(opt, rr, pos, "Window Scale (3)", len);
                    opt.Add($"Shift count: {v[0]}", "tcp.options.wscale.shift", rr, pos + 2, 1);
                    opt.Add($"[Multiplier: {1L << Math.Min((int)v[0], 14)}]", "tcp.options.wscale.multiplier");
                    break;
                case TcpDecoder.OptSackPermitted:
                    names.Add("SACK permitted");
                    opt = node.Add("TCP Option - SACK permitted", "tcp.options.sack_perm", rr, pos, len);
                    KindLength(opt, rr, pos, "SACK Permitted (4)", len);
                    break;
                case TcpDecoder.OptSack:
                {
                    names.Add("SACK");
                    var label = new StringBuilder("TCP Option - SACK");
                    for (int b = 0; b + 8 <= v.Length; b += 8)
                        label.Append(' ').Append(BinaryPrimitives.ReadUInt32BigEndian(v[b..]) - ackBase).Append('-')
                            .Append(BinaryPrimitives.ReadUInt32BigEndian(v[(b + 4)..]) - ackBase);
                    opt = node.Add(label.ToString(), "tcp.options.sack", rr, pos, len);
                    KindLength(opt, rr, pos, "SACK (5)", len);
                    int blocks = 0;
                    for (int b = 0; b + 8 <= v.Length; b += 8, blocks++)
                    {
                        opt.Add($"left edge = {BinaryPrimitives.ReadUInt32BigEndian(v[b..]) - ackBase} (relative)", "tcp.options.sack_le", rr, pos + 2 + b, 4);
                        opt.Add($"right edge = {BinaryPrimitives.ReadUInt32BigEndian(v[(b + 4)..]) - ackBase} (relative)", "tcp.options.sack_re", rr, pos + 6 + b, 4);
                    }
                    opt.Add($"[TCP SACK Count: {blocks}]", "tcp.options.sack.count");
                    break;
                }
                case TcpDecoder.OptTimestamps when len == 10:
                {
                    uint val = BinaryPrimitives.ReadUInt32BigEndian(v), ecr = BinaryPrimitives.ReadUInt32BigEndian(v[4..]);
                    names.Add("Timestamps");
                    opt = node.Add($"TCP Option - Timestamps: TSval {val}, TSecr {ecr}", "tcp.options.timestamp", rr, pos, len);
                    KindLength(opt, rr, pos, "Time Stamp Option (8)", len);
                    opt.Add($"Timestamp value: {val}", "tcp.options.timestamp.tsval", rr, pos + 2, 4);
                    opt.Add($"Timestamp echo reply: {ecr}", "tcp.options.timestamp.tsecr", rr, pos + 6, 4);
                    break;
                }
                default:
                    names.Add($"Unknown ({kind})");
                    opt = node.Add($"TCP Option - Unknown (kind {kind}, {len} bytes)", "tcp.options.unknown", rr, pos, len);
                    KindLength(opt, rr, pos, $"Unknown ({kind})", len);
                    break;
            }
            pos += len;
        }
        node.Label = $"Options: ({area} bytes), " + string.Join(", ", names);
        tcp.Children.Add(node);
    }

    private static void KindLength(TreeNode opt, Region r, int pos, string kind, int len)
    {
        opt.Add($"Kind: {kind}", "tcp.option_kind", r, pos, 1);
        opt.Add($"Length: {len}", "tcp.option_len", r, pos + 1, 1);
    }

    private static void AnalysisNode(TreeNode tcp, Frame f)
    {
        ref var t = ref f.Tcp;
        if (!t.LengthKnown || t.Stream < 0 || !t.HasAnalysisRecord) return;
        var node = tcp.Add("[SEQ/ACK analysis]", "tcp.analysis");
        if (t.AcksFrame != 0)
        {
            node.Add($"[This is an ACK to the segment in frame: {t.AcksFrame}]", "tcp.analysis.acks_frame");
            if (t.HasAckRtt && (t.AckRtt.Seconds != 0 || t.AckRtt.Nanoseconds != 0))
                node.Add($"[The RTT to ACK the segment was: {Seconds(t.AckRtt)} seconds]", "tcp.analysis.ack_rtt");
        }
        if (t.HasInitialRtt) node.Add($"[iRTT: {Seconds(t.InitialRtt)} seconds]", "tcp.analysis.initial_rtt");
        if (t.HasBytesInFlight && t.BytesInFlight != 0)
        {
            node.Add($"[Bytes in flight: {t.BytesInFlight}]", "tcp.analysis.bytes_in_flight");
            node.Add($"[Bytes sent since last PSH flag: {t.PushBytesSent}]", "tcp.analysis.push_bytes_sent");
        }
        var a = t.Analysis;
        if (a == TcpAnalysisFlags.None) return;
        var flags = node.Add("[TCP Analysis Flags]", "tcp.analysis.flags");
        void Flag(TcpAnalysisFlags bit, string text, string field, string severity)
        {
            if ((a & bit) == 0) return;
            Expert(flags, text, field, severity);
        }
        Flag(TcpAnalysisFlags.FastRetransmission, "This frame is a (suspected) fast retransmission", "tcp.analysis.fast_retransmission", "Note");
        Flag(TcpAnalysisFlags.SpuriousRetransmission, "This frame is a (suspected) spurious retransmission", "tcp.analysis.spurious_retransmission", "Note");
        Flag(TcpAnalysisFlags.Retransmission, "This frame is a (suspected) retransmission", "tcp.analysis.retransmission", "Note");
        Flag(TcpAnalysisFlags.OutOfOrder, "This frame is a (suspected) out-of-order segment", "tcp.analysis.out_of_order", "Warning");
        Flag(TcpAnalysisFlags.LostSegment, "Previous segment(s) not captured (common at capture start)", "tcp.analysis.lost_segment", "Warning");
        Flag(TcpAnalysisFlags.AckLostSegment, "ACKed segment that wasn't captured (common at capture start)", "tcp.analysis.ack_lost_segment", "Warning");
        Flag(TcpAnalysisFlags.WindowUpdate, "TCP window update", "tcp.analysis.window_update", "Chat");
        Flag(TcpAnalysisFlags.WindowFull, "TCP window specified by the receiver is now completely full", "tcp.analysis.window_full", "Warning");
        Flag(TcpAnalysisFlags.KeepAlive, "TCP keep-alive segment", "tcp.analysis.keep_alive", "Note");
        Flag(TcpAnalysisFlags.KeepAliveAck, "ACK to a TCP keep-alive segment", "tcp.analysis.keep_alive_ack", "Note");
        if ((a & TcpAnalysisFlags.DuplicateAck) != 0 && t.DupAckCount != 0)
        {
            // As tshark nests them: the expert item hangs under the "Duplicate to the ACK" line.
            flags.Add("[This is a TCP duplicate ack]", "tcp.analysis.duplicate_ack");
            node.Add($"[Duplicate ACK #: {t.DupAckCount}]", "tcp.analysis.duplicate_ack_num");
            var of = node.Add($"[Duplicate to the ACK in frame: {t.DupAckOf}]", "tcp.analysis.duplicate_ack_frame");
            Expert(of, $"Duplicate ACK (#{t.DupAckCount})", "tcp.analysis.duplicate_ack", "Note");
        }
        Flag(TcpAnalysisFlags.ZeroWindowProbe, "TCP Zero Window Probe", "tcp.analysis.zero_window_probe", "Note");
        Flag(TcpAnalysisFlags.ZeroWindow, "TCP Zero Window segment", "tcp.analysis.zero_window", "Warning");
        Flag(TcpAnalysisFlags.ZeroWindowProbeAck, "ACK to a TCP Zero Window Probe", "tcp.analysis.zero_window_probe_ack", "Note");
        Flag(TcpAnalysisFlags.PortsReused, "A new tcp session is started with the same ports as an earlier session in this trace", "tcp.analysis.reused_ports", "Note");
    }

    /// <summary>
    /// "[3 Reassembled TCP Segments (3348 bytes): #9(1386), #11(1448), #10(514)]" with a line per piece (its own range,
    /// marked where it overlaps an earlier piece), for a PDU TCP reassembled without a protocol reading it
    /// (<see cref="Frame.ReassembledPieces"/>).
    /// </summary>
    public static TreeNode ReassembledPdu(Frame f)
    {
        var pieces = f.ReassembledPieces;
        var label = new StringBuilder($"[{pieces.Count} Reassembled TCP Segments ({f.ReassembledLength} bytes): ");
        var node = new TreeNode("", "tcp.segments");
        for (int k = 0; k < pieces.Count; k++)
        {
            var (frame, offset, length, overlap) = pieces[k];
            if (k > 0) label.Append(", ");
            label.Append('#').Append(frame).Append('(').Append(length).Append(')');
            var line = node.Add($"[Frame: {frame}, payload: {offset}-{offset + length - 1} ({length} byte{(length == 1 ? "" : "s")})]", "tcp.segment");
            if (overlap) line.Add("[Segment overlap: True]", "tcp.segment.overlap");
        }
        node.Label = label.Append(']').ToString();
        node.Add($"[Segment count: {pieces.Count}]", "tcp.segment.count");
        node.Add($"[Reassembled TCP length: {f.ReassembledLength}]", "tcp.reassembled.length");
        var head = f.ReassembledHead.AsSpan(0, f.ReassembledHeadLength);
        string data = f.ReassembledLength > head.Length ? Convert.ToHexStringLower(head) + "\u2026" : Convert.ToHexStringLower(head);
        node.Add($"[Reassembled TCP Data: {data}]", "tcp.reassembled.data");
        return node;
    }
}
