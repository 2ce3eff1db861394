using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using HttpsFlow.Net;
using HttpsFlow.Output;

namespace HttpsFlow.Tcp;

/// <summary>
/// The Info column of a TCP segment, composed as tshark composes it: "sport → dport [FLAGS] Seq=… Ack=… Win=…
/// Len=… OPTIONS", analysis labels in front, and — where the header runs past the bytes present — the text written
/// so far followed directly by "[Packet size limited during capture]" or "[Malformed Packet]".
/// </summary>
public static class TcpInfoText
{
    /// <summary>The Protocol column for a TCP segment: "MPTCP" when it carries an MPTCP option.</summary>
    public static string Protocol(Frame f) => f.Tcp.HasMptcp ? "MPTCP" : "TCP";

    /// <summary>
    /// The Info column of a segment whose payload TLS took: the analysis labels (which tshark keeps in front of what
    /// the upper protocol writes), then TLS's text, or the marks of a segment of a PDU reassembled later.
    /// </summary>
    public static void AppendWithUpper(TextSink sink, Frame f)
    {
        switch (f.Upper)
        {
            case Tls.List.UpperKind.SegmentMiddle:
                Append(sink, f);
                sink.Append(" [TCP segment of a reassembled PDU]");
                return;
            case Tls.List.UpperKind.LostThenTls:
                // TCP's mark for the bytes of the record that missed some, then TLS's texts for the bytes after it.
                Append(sink, f);
                sink.Append(" [TCP segment of a reassembled PDU]");
                if (!f.UpperInfo.IsEmpty) sink.Append(", ").Append(f.UpperInfo);
                return;
            case Tls.List.UpperKind.PgsqlSslRequest:
            case Tls.List.UpperKind.PgsqlSslAnswer:
                // PostgreSQL sets the column after TCP's labels: ">" towards its port, "<" from it.
                AppendAnalysisPrefixes(sink, sink.Length, ref f.Tcp);
                sink.Append(f.Upper == Tls.List.UpperKind.PgsqlSslRequest ? '>' : '<');
                return;
            case Tls.List.UpperKind.OverlapsReassembled:
                Append(sink, f);
                sink.Append("[Reassembly error, protocol TCP: New fragment overlaps old data (retransmission?)]");
                return;
            case Tls.List.UpperKind.SegmentFirst:
            {
                // TLS cleared TCP's text (not the fenced labels); TCP then appends its mark with a " " separator.
                int start = sink.Length;
                AppendAnalysisPrefixes(sink, start, ref f.Tcp);
                if (sink.Length > start) sink.Append(' ');
                sink.Append("[TCP segment of a reassembled PDU]");
                return;
            }
            case Tls.List.UpperKind.TlsSegment:
                // TLS's mark (once per record held for reassembly, when decrypting) after TCP's labels.
                AppendAnalysisPrefixes(sink, sink.Length, ref f.Tcp);
                if (f.UpperInfo.IsEmpty) sink.Append("[TLS segment of a reassembled PDU]");
                else sink.Append(f.UpperInfo);
                return;
            default:
            {
                // TLS appends each record's text with ", " after whatever the column holds, the labels included (and
                // nothing at all when its records gave no text).
                int start = sink.Length;
                AppendAnalysisPrefixes(sink, start, ref f.Tcp);
                if (f.UpperInfo.IsEmpty) return;
                if (sink.Length > start) sink.Append(", ");
                sink.Append(f.UpperInfo);
                return;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Append(TextSink sink, Frame f)
    {
        ref var t = ref f.Tcp;
        int start = sink.Length;
        if (t.Stage == TcpStage.None)
        {
            sink.Append(ShortfallText(Need(ref t, 4)));
            return;
        }
        sink.Append(f.SrcPort).Append(" \u2192 ").Append(f.DstPort);
        if (t.Stage == TcpStage.Ports)
        {
            sink.Append(ShortfallText(Need(ref t, TcpDecoder.ConversationHeaderLength)));
            return;
        }
        sink.Append(" [");
        if (t.AceMode) AppendAceFlags(sink, t.Flags);
        else AppendFlags(sink, t.Flags);
        sink.Append("] Seq=").Append(t.Seq);
        if (t.Has(TcpFlags.Ack)) sink.Append(" Ack=").Append(t.Ack);
        sink.Append(" Win=").Append(t.WindowSize);
        if (t.HeaderLength < TcpDecoder.MinHeaderLength)
        {
            sink.Append(", bogus TCP header length (").Append(t.HeaderLength).Append(", must be at least 20)");
            return;
        }
        // Checksum and urgent pointer (bytes 16–19) are read next.
        var shortfall = Need(ref t, TcpDecoder.MinHeaderLength);
        if (shortfall != Shortfall.None)
        {
            sink.Append(ShortfallText(shortfall));
            return;
        }
        if (t.Has(TcpFlags.Urg)) sink.Append(" Urg=").Append(t.UrgentPointer);
        if (t.LengthKnown) sink.Append(" Len=").Append(f.PayloadLength);
        if (!AppendOptions(sink, ref t))
            return; // cut short inside the options: tshark prints no analysis labels then
        AppendAnalysisPrefixes(sink, start, ref t);
    }

    /// <summary>What reading the first <paramref name="end"/> bytes of the segment runs into.</summary>
    private static Shortfall Need(ref TcpInfo t, int end) =>
        end <= t.Captured ? Shortfall.None : end > t.Reported ? Shortfall.Malformed : Shortfall.SizeLimited;

    internal static string ShortfallText(Shortfall s) => s switch
    {
        Shortfall.SizeLimited => "[Packet size limited during capture]",
        Shortfall.Malformed => "[Malformed Packet]",
        _ => "",
    };

    private static readonly string[] FlagNames = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"];

    /// <summary>Flag names in bit order (FIN first), comma-separated; "Reserved" for reserved bits; "&lt;None&gt;" when none.</summary>
    public static void AppendFlags(TextSink sink, TcpFlags flags)
    {
        bool any = false;
        for (int i = 0; i < FlagNames.Length; i++)
        {
            if (((int)flags & (1 << i)) == 0) continue;
            if (any) sink.Append(", ");
            sink.Append(FlagNames[i]);
            any = true;
        }
        if ((flags & TcpFlags.Reserved) != 0)
        {
            if (any) sink.Append(", ");
            sink.Append("Reserved");
            any = true;
        }
        if (!any) sink.Append("<None>");
    }

    /// <summary>Accurate ECN: FIN…URG by name, then the ACE counter (AE·4 + CWR·2 + ECE), then "Reserved".</summary>
    public static void AppendAceFlags(TextSink sink, TcpFlags flags)
    {
        bool any = false;
        for (int i = 0; i < 6; i++)
        {
            if (((int)flags & (1 << i)) == 0) continue;
            if (any) sink.Append(", ");
            sink.Append(FlagNames[i]);
            any = true;
        }
        int ace = ((flags & TcpFlags.Ae) != 0 ? 4 : 0) + ((flags & TcpFlags.Cwr) != 0 ? 2 : 0) + ((flags & TcpFlags.Ece) != 0 ? 1 : 0);
        sink.Append(", ACE=").Append(ace);
        if ((flags & TcpFlags.Reserved) != 0) sink.Append(", Reserved");
    }

    /// <summary>Appends each option's text in wire order; false when the option area runs past the bytes present.</summary>
    private static bool AppendOptions(TextSink sink, ref TcpInfo t)
    {
        ReadOnlySpan<byte> present = t.Options;
        present = present[..t.OptionsLength];
        int area = t.HeaderLength - TcpDecoder.MinHeaderLength;
        var walker = new TcpOptionWalker(present, area);
        while (walker.Next(out byte kind, out var v, out int len))
        {
            switch (kind)
            {
                case TcpDecoder.OptMss when len == 4:
                    sink.Append(" MSS=").Append(BinaryPrimitives.ReadUInt16BigEndian(v));
                    break;
                case TcpDecoder.OptWindowScale when len == 3:
                    sink.Append(" WS=").Append(1L << Math.Min((int)v[0], 14));
                    break;
                case TcpDecoder.OptSackPermitted:
                    sink.Append(" SACK_PERM");
                    break;
                case TcpDecoder.OptSack:
                    for (int b = 0; b + 8 <= v.Length; b += 8)
                    {
                        uint le = BinaryPrimitives.ReadUInt32BigEndian(v[b..]) - t.AckBase;
                        uint re = BinaryPrimitives.ReadUInt32BigEndian(v[(b + 4)..]) - t.AckBase;
                        sink.Append(" SLE=").Append(le).Append(" SRE=").Append(re);
                    }
                    break;
                case TcpDecoder.OptTimestamps when len == 10:
                    sink.Append(" TSval=").Append(BinaryPrimitives.ReadUInt32BigEndian(v))
                        .Append(" TSecr=").Append(BinaryPrimitives.ReadUInt32BigEndian(v[4..]));
                    break;
                case TcpDecoder.OptEcho or TcpDecoder.OptEchoReply when len == 6:
                    sink.Append(" ECHO=").Append(BinaryPrimitives.ReadUInt32BigEndian(v));
                    break;
                case TcpDecoder.OptCc or TcpDecoder.OptCcNew or TcpDecoder.OptCcEcho when len == 6:
                    sink.Append(" CC=").Append(BinaryPrimitives.ReadUInt32BigEndian(v));
                    break;
                case TcpDecoder.OptMd5:
                    sink.Append(" MD5");
                    break;
                case TcpDecoder.OptTcpAo:
                    sink.Append("TCP AO");
                    break;
                case TcpDecoder.OptUserTimeout when len == 4:
                    sink.Append(" USER_TO=").Append(BinaryPrimitives.ReadUInt16BigEndian(v) & 0x7fff);
                    break;
                case TcpDecoder.OptTfo:
                    sink.Append(len == 2 ? " TFO=R" : " TFO=C");
                    break;
                case TcpDecoder.OptExperiment1 or TcpDecoder.OptExperiment2 when len >= 4:
                {
                    ushort exid = BinaryPrimitives.ReadUInt16BigEndian(v);
                    if (exid == 0xf989) sink.Append(len == 4 ? " TFO=R" : " TFO=C");
                    else sink.Append(" ExID=").Append(exid.ToString("X"));
                    break;
                }
            }
        }
        if (walker.End == OptionWalkEnd.Truncated)
        {
            // The option area extends past what is present: past the IP length it is malformed, else the snap length cut it.
            sink.Append(ShortfallText(t.HeaderLength > t.Reported ? Shortfall.Malformed : Shortfall.SizeLimited));
            return false;
        }
        return true;
    }

    /// <summary>
    /// tshark inserts each analysis label at the front of Info in a fixed sequence, so the one it inserts last stands
    /// first. This is the resulting left-to-right order.
    /// </summary>
    private static void AppendAnalysisPrefixes(TextSink sink, int start, ref TcpInfo t)
    {
        var a = t.Analysis;
        if (a == TcpAnalysisFlags.None) return;
        int before = sink.Length;
        if ((a & TcpAnalysisFlags.ZeroWindowProbeAck) != 0) sink.Append("[TCP ZeroWindowProbeAck] ");
        if ((a & TcpAnalysisFlags.ZeroWindow) != 0) sink.Append("[TCP ZeroWindow] ");
        if ((a & TcpAnalysisFlags.ZeroWindowProbe) != 0) sink.Append("[TCP ZeroWindowProbe] ");
        if ((a & TcpAnalysisFlags.DuplicateAck) != 0 && t.DupAckCount != 0)
            sink.Append("[TCP Dup ACK ").Append(t.DupAckOf).Append('#').Append(t.DupAckCount).Append("] ");
        if ((a & TcpAnalysisFlags.KeepAliveAck) != 0) sink.Append("[TCP Keep-Alive ACK] ");
        if ((a & TcpAnalysisFlags.KeepAlive) != 0) sink.Append("[TCP Keep-Alive] ");
        if ((a & TcpAnalysisFlags.WindowFull) != 0) sink.Append("[TCP Window Full] ");
        if ((a & TcpAnalysisFlags.WindowUpdate) != 0) sink.Append("[TCP Window Update] ");
        if ((a & TcpAnalysisFlags.AckLostSegment) != 0) sink.Append("[TCP ACKed unseen segment] ");
        if ((a & TcpAnalysisFlags.LostSegment) != 0) sink.Append("[TCP Previous segment not captured] ");
        if ((a & TcpAnalysisFlags.OutOfOrder) != 0) sink.Append("[TCP Out-Of-Order] ");
        if ((a & TcpAnalysisFlags.SpuriousRetransmission) != 0) sink.Append("[TCP Spurious Retransmission] ");
        if ((a & TcpAnalysisFlags.FastRetransmission) != 0) sink.Append("[TCP Fast Retransmission] ");
        if ((a & TcpAnalysisFlags.Retransmission) != 0) sink.Append("[TCP Retransmission] ");
        if ((a & TcpAnalysisFlags.PortsReused) != 0) sink.Append("[TCP Port numbers reused] ");
        // Move the labels, written after the text, to its front.
        int labels = sink.Length - before;
        if (labels == 0) return;
        Span<char> tmp = labels <= 512 ? stackalloc char[labels] : new char[labels];
        sink.Current.Slice(before, labels).CopyTo(tmp);
        sink.Truncate(before);
        sink.Insert(start, tmp);
    }
}
