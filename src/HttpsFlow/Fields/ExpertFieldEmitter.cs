using System.Buffers.Binary;
using HttpsFlow.Common;
using HttpsFlow.Net;
using HttpsFlow.Tcp;

namespace HttpsFlow.Fields;

/// <summary>
/// The expert fields of a frame (<see cref="ExpertFields"/>), in the order tshark's detail tree holds its notes: TCP's
/// (the acknowledgment number, the flags, the urgent pointer, the sequence analysis), a reassembly error, TLS's, HTTP's,
/// and last the "[Malformed Packet]" of a dissection that stopped short. Runs only when one of the fields is wanted.
/// </summary>
public static class ExpertFieldEmitter
{
    /// <summary>Whether <paramref name="set"/> stores any expert field (so that the notes are worth collecting).</summary>
    public static bool Wanted(FieldSet set)
    {
        foreach (var def in ExpertFields.All)
            if (set.Wants(def)) return true;
        return false;
    }

    /// <param name="f">The frame.</param>
    /// <param name="set">Receives the fields (after the frame's other fields).</param>
    /// <param name="tls">What TLS (and HTTP above it) saw in the frame, or null.</param>
    public static void Emit(Frame f, FieldSet set, TlsFrameStore? tls)
    {
        if (!Wanted(set)) return;
        bool tcpStopped = false;
        if (f.Transport == TransportKind.Tcp && f.Fragment != FragmentState.Fragment) tcpStopped = EmitTcp(f, set);
        else if (f.HasQuotedTcp) EmitQuotedTcp(f, set);
        if (f.Upper == Tls.List.UpperKind.OverlapsReassembled)
        {
            // tshark's reassembly throws, and shows the error as an item of its own after TCP.
            set.AddText(ExpertFields.Malformed, $"[Reassembly error, protocol TCP: {TcpExpertNotes.OverlapsReassembled}]");
            Add(set, Severity.Error, "Malformed", TcpExpertNotes.OverlapsReassembled);
        }
        bool tlsMalformed = false;
        if (tls is not null && tls.Holds(f))
        {
            foreach (var note in tls.Emitter.ExpertsOf(f)) Add(set, note.Severity, note.Group, note.Message);
            tlsMalformed = tls.Emitter.MalformedIn(f);
            if (tls.AppFields is { } app)
                foreach (var note in app.ExpertsOf(f.Number)) Add(set, note.Severity, note.Group, note.Message);
        }
        if ((f.Malformed && !tcpStopped) || tlsMalformed)
        {
            // The exception that ended the dissection: its item, then its note.
            set.AddText(ExpertFields.Malformed, $"[Malformed Packet: {ProtocolName(f.Malformed ? f.MalformedIn : "tls")}]");
            Add(set, Severity.Error, "Malformed", "Malformed Packet (Exception occurred)");
        }
    }

    /// <summary>Protocol names as tshark's short names show them ("tcp" → "TCP").</summary>
    internal static string ProtocolName(string? protocol) => protocol switch
    {
        null => "Frame",
        "ip" or "ipv4" => "IPv4",
        "ipv6" => "IPv6",
        "icmpv6" => "ICMPv6",
        "eth" => "Ethernet",
        "null" => "Null",
        "raw" => "Raw",
        _ => protocol.ToUpperInvariant() == protocol ? protocol : protocol.ToUpperInvariant(),
    };

    /// <summary>TCP's notes, in tree order. Returns true when the header ended TCP's dissection without an exception.</summary>
    private static bool EmitTcp(Frame f, FieldSet set)
    {
        ref var t = ref f.Tcp;
        if (t.Stage != TcpStage.Header) return false;
        if (t.HeaderLength < TcpDecoder.MinHeaderLength)
        {
            Add(set, Severity.Error, "Protocol", TcpExpertNotes.BogusHeaderLength(t.HeaderLength));
            return true;
        }
        if (!t.LengthKnown)
        {
            Add(set, Severity.Warning, "Malformed", TcpExpertNotes.ShortSegment);
            return false;
        }
        if (!t.Has(TcpFlags.Ack) && t.AckRaw != 0) Add(set, Severity.Note, "Protocol", TcpExpertNotes.AckNonZero);
        EmitFlags(set, t.Flags, f.SrcPort, f.DstPort);
        if (t.Closing != TcpClosingRole.None)
            Add(set, Severity.Note, "Sequence", t.Closing == TcpClosingRole.Active ? TcpExpertNotes.FinActive : TcpExpertNotes.FinPassive);
        if (t.Captured < TcpDecoder.MinHeaderLength) return false;
        if (!t.Has(TcpFlags.Urg) && t.UrgentPointer != 0) Add(set, Severity.Note, "Protocol", TcpExpertNotes.UrgentNonZero);
        EmitOptions(set, ref t);
        if (!t.LengthKnown || t.Stream < 0 || !t.HasAnalysisRecord) return false;
        var a = t.Analysis;
        foreach (var note in TcpExpertNotes.Analysis)
            if ((a & note.Flag) != 0) Add(set, note.Severity, "Sequence", note.Message);
        if ((a & TcpAnalysisFlags.DuplicateAck) != 0 && t.DupAckCount != 0)
            Add(set, Severity.Note, "Sequence", TcpExpertNotes.DuplicateAck(t.DupAckCount));
        return false;
    }

    /// <summary>The notes of a TCP header an ICMP error quotes (16 bytes at least of it), as of a segment's header.</summary>
    private static void EmitQuotedTcp(Frame f, FieldSet set)
    {
        int at = FrameFieldEmitter.QuotedTransportOffset(f, out _);
        if (at < 0) return;
        ReadOnlySpan<byte> q = f.Quoted;
        var h = q[at..f.QuotedLength];
        if (h.Length < TcpDecoder.ConversationHeaderLength) return;
        var flags = f.QuotedFlags;
        int headerLength = (h[12] >> 4) * 4;
        if (headerLength < TcpDecoder.MinHeaderLength) return;
        if ((flags & TcpFlags.Ack) == 0 && BinaryPrimitives.ReadUInt32BigEndian(h[8..]) != 0)
            Add(set, Severity.Note, "Protocol", TcpExpertNotes.AckNonZero);
        EmitFlags(set, flags, f.QuotedSrcPort, f.QuotedDstPort);
        if (h.Length < TcpDecoder.MinHeaderLength) return;
        if ((flags & TcpFlags.Urg) == 0 && BinaryPrimitives.ReadUInt16BigEndian(h[18..]) != 0)
            Add(set, Severity.Note, "Protocol", TcpExpertNotes.UrgentNonZero);
        int area = headerLength - TcpDecoder.MinHeaderLength;
        if (area > 0 && h.Length > TcpDecoder.MinHeaderLength)
            EmitOptions(set, h[TcpDecoder.MinHeaderLength..Math.Min(h.Length, headerLength)], area, flags);
    }

    /// <summary>The notes under the flag lines, which tshark lists from RST to FIN.</summary>
    private static void EmitFlags(FieldSet set, TcpFlags flags, ushort srcPort, ushort dstPort)
    {
        if ((flags & TcpFlags.Rst) != 0) Add(set, Severity.Warning, "Sequence", TcpExpertNotes.Rst);
        if ((flags & TcpFlags.Syn) != 0) Add(set, Severity.Chat, "Sequence", TcpExpertNotes.Syn(flags, srcPort, dstPort));
        if ((flags & TcpFlags.Fin) != 0) Add(set, Severity.Chat, "Sequence", TcpExpertNotes.Fin);
    }

    /// <summary>The notes of single options, in the header's order, then a SYN's missing MSS (only a SYN with options is told).</summary>
    private static void EmitOptions(FieldSet set, ref TcpInfo t)
    {
        if (t.OptionsLength == 0 || t.HeaderLength <= TcpDecoder.MinHeaderLength) return;
        ReadOnlySpan<byte> present = t.Options;
        EmitOptions(set, present[..t.OptionsLength], t.HeaderLength - TcpDecoder.MinHeaderLength, t.Flags);
    }

    private static void EmitOptions(FieldSet set, ReadOnlySpan<byte> present, int area, TcpFlags flags)
    {
        bool syn = (flags & TcpFlags.Syn) != 0, mss = false;
        var walker = new TcpOptionWalker(present, area);
        while (walker.Next(out byte kind, out var value, out int length))
        {
            if (kind == TcpDecoder.OptMss && length == 4) mss = true;
            if (kind == TcpDecoder.OptMss && !syn) Add(set, Severity.Warning, "Protocol", TcpExpertNotes.MssPresent);
            else if (kind == TcpDecoder.OptWindowScale && value.Length == 1 && value[0] > 14)
                Add(set, Severity.Warning, "Protocol", TcpExpertNotes.WindowScaleShiftInvalid);
        }
        if (syn && !mss) Add(set, Severity.Note, "Protocol", TcpExpertNotes.MssAbsent);
    }

    /// <summary>One note: its line, message, severity and group; with the hidden _ws.malformed of a Malformed note.</summary>
    private static void Add(FieldSet set, Severity severity, string group, string message)
    {
        if (set.Wants(ExpertFields.Expert))
            set.AddText(ExpertFields.Expert, $"Expert Info ({ExpertCodes.SeverityName(severity)}/{group}): {FieldFormatter.Escape(message)}");
        set.AddText(ExpertFields.Message, message);
        set.AddInt(ExpertFields.Severity, ExpertCodes.SeverityValue(severity));
        set.AddInt(ExpertFields.Group, ExpertCodes.GroupValue(group));
        if (group == "Malformed") set.AddText(ExpertFields.Malformed, ExpertFields.Malformed.Name);
    }
}
