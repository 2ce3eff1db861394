using System.Runtime.CompilerServices;
using HttpsFlow.Net;
using HttpsFlow.Output;

namespace HttpsFlow.Tcp;

/// <summary>The Info column of a TCP segment, as tshark composes it.</summary>
public static class TcpInfoText
{
    /// <summary>
    /// Appends "[analysis] sport → dport [FLAGS] Seq=… Ack=… Win=… Len=… OPTIONS" for <paramref name="f"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Append(TextSink sink, Frame f)
    {
        ref var t = ref f.Tcp;
        AppendAnalysisPrefixes(sink, ref t);
        sink.Append(f.SrcPort).Append(" \u2192 ").Append(f.DstPort);
        if (t.HeaderLength < TcpDecoder.MinHeaderLength || f.BogusInfo is not null)
        {
            if (f.BogusInfo is not null) sink.Append(", ").Append(Lower(f.BogusInfo));
            if (f.SizeLimited) sink.Append(" [Packet size limited during capture]");
            else if (f.Malformed) sink.Append(" [Malformed Packet]");
            return;
        }
        sink.Append(" [");
        AppendFlags(sink, t.Flags);
        sink.Append("] Seq=").Append(t.Seq);
        if (t.AckShown) sink.Append(" Ack=").Append(t.Ack);
        sink.Append(" Win=").Append(t.WindowSize);
        if (t.Has(TcpFlags.Urg)) sink.Append(" Urg=").Append(t.UrgentPointer);
        sink.Append(" Len=").Append(f.PayloadLength);
        AppendOptions(sink, f);
        if (f.SizeLimited) sink.Append(" [Packet size limited during capture]");
        else if (f.Malformed) sink.Append(" [Malformed Packet]");
    }

    private static string Lower(string s) => s.Length > 0 ? char.ToLowerInvariant(s[0]) + s[1..] : s;

    private static readonly string[] FlagNames = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"];

    /// <summary>Flag names in bit order (FIN first), comma-separated; "Reserved" for reserved bits; "&lt;None&gt;" when none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AppendOptions(TextSink sink, Frame f)
    {
        ref var t = ref f.Tcp;
        ReadOnlySpan<byte> o = t.Options;
        o = o[..t.OptionsLength];
        int i = 0;
        while (i < o.Length)
        {
            byte kind = o[i];
            if (kind == TcpDecoder.OptEol) break;
            if (kind == TcpDecoder.OptNop) { i++; continue; }
            if (i + 1 >= o.Length) break;
            int len = o[i + 1];
            if (len < 2 || i + len > o.Length) break;
            var v = o.Slice(i + 2, len - 2);
            switch (kind)
            {
                case TcpDecoder.OptMss when len == 4:
                    sink.Append(" MSS=").Append(v[0] << 8 | v[1]);
                    break;
                case TcpDecoder.OptWindowScale when len == 3:
                    sink.Append(" WS=").Append(1L << Math.Min((int)v[0], 14));
                    break;
                case TcpDecoder.OptSackPermitted when len == 2:
                    sink.Append(" SACK_PERM");
                    break;
                case TcpDecoder.OptTimestamps when len == 10:
                    sink.Append(" TSval=").Append(ReadU32(v)).Append(" TSecr=").Append(ReadU32(v[4..]));
                    break;
                case TcpDecoder.OptSack when (len - 2) % 8 == 0:
                    for (int b = 0; b + 8 <= v.Length; b += 8)
                    {
                        uint le = ReadU32(v[b..]) - t.AckBase;
                        uint re = ReadU32(v[(b + 4)..]) - t.AckBase;
                        sink.Append(" SLE=").Append(le).Append(" SRE=").Append(re);
                    }
                    break;
            }
            i += len;
        }
    }

    private static uint ReadU32(ReadOnlySpan<byte> s) => (uint)(s[0] << 24 | s[1] << 16 | s[2] << 8 | s[3]);

    private static void AppendAnalysisPrefixes(TextSink sink, ref TcpInfo t)
    {
        var a = t.Analysis;
        if (a == TcpAnalysisFlags.None) return;
        // tshark prepends each label in turn, so the one it adds last stands first; this is that final order.
        if ((a & TcpAnalysisFlags.PortsReused) != 0) sink.Append("[TCP Port numbers reused] ");
        if ((a & TcpAnalysisFlags.KeepAliveAck) != 0) sink.Append("[TCP Keep-Alive ACK] ");
        if ((a & TcpAnalysisFlags.KeepAlive) != 0) sink.Append("[TCP Keep-Alive] ");
        if ((a & TcpAnalysisFlags.WindowUpdate) != 0) sink.Append("[TCP Window Update] ");
        if ((a & TcpAnalysisFlags.WindowFull) != 0) sink.Append("[TCP Window Full] ");
        if ((a & TcpAnalysisFlags.ZeroWindowProbeAck) != 0) sink.Append("[TCP ZeroWindowProbeAck] ");
        if ((a & TcpAnalysisFlags.ZeroWindowProbe) != 0) sink.Append("[TCP ZeroWindowProbe] ");
        if ((a & TcpAnalysisFlags.ZeroWindow) != 0) sink.Append("[TCP ZeroWindow] ");
        if ((a & TcpAnalysisFlags.DuplicateAck) != 0)
            sink.Append("[TCP Dup ACK ").Append(t.DupAckOf).Append('#').Append(t.DupAckCount).Append("] ");
        if ((a & TcpAnalysisFlags.AckLostSegment) != 0) sink.Append("[TCP ACKed unseen segment] ");
        if ((a & TcpAnalysisFlags.LostSegment) != 0) sink.Append("[TCP Previous segment not captured] ");
        if ((a & TcpAnalysisFlags.OutOfOrder) != 0) sink.Append("[TCP Out-Of-Order] ");
        if ((a & TcpAnalysisFlags.SpuriousRetransmission) != 0) sink.Append("[TCP Spurious Retransmission] ");
        else if ((a & TcpAnalysisFlags.FastRetransmission) != 0) sink.Append("[TCP Fast Retransmission] ");
        else if ((a & TcpAnalysisFlags.Retransmission) != 0) sink.Append("[TCP Retransmission] ");
    }
}
