using HttpsFlow.Common;

namespace HttpsFlow.Tcp;

/// <summary>
/// The expert notes tshark 4.0's TCP dissector adds, with their Wireshark field names, severities and texts: the
/// detail tree (`show`) and the <c>_ws.expert</c> fields both read them here.
/// </summary>
public static class TcpExpertNotes
{
    /// <summary>One note of the sequence analysis: shown when <paramref name="Flag"/> is set.</summary>
    public readonly record struct AnalysisNote(TcpAnalysisFlags Flag, string Field, Severity Severity, string Message);

    /// <summary>
    /// The analysis notes in the order tshark adds them under "TCP Analysis Flags" (a fast or spurious retransmission
    /// is a retransmission too, and says so in a second note). The duplicate ACK's note is not here: it hangs under the
    /// "Duplicate to the ACK in frame" line, after these (<see cref="DuplicateAck"/>).
    /// </summary>
    public static readonly AnalysisNote[] Analysis =
    [
        new(TcpAnalysisFlags.PortsReused, "tcp.analysis.reused_ports", Severity.Note, "A new tcp session is started with the same ports as an earlier session in this trace"),
        new(TcpAnalysisFlags.Retransmission, "tcp.analysis.retransmission", Severity.Note, Retransmission),
        new(TcpAnalysisFlags.FastRetransmission, "tcp.analysis.fast_retransmission", Severity.Note, "This frame is a (suspected) fast retransmission"),
        new(TcpAnalysisFlags.FastRetransmission, "tcp.analysis.retransmission", Severity.Note, Retransmission),
        new(TcpAnalysisFlags.SpuriousRetransmission, "tcp.analysis.spurious_retransmission", Severity.Note, "This frame is a (suspected) spurious retransmission"),
        new(TcpAnalysisFlags.SpuriousRetransmission, "tcp.analysis.retransmission", Severity.Note, Retransmission),
        new(TcpAnalysisFlags.OutOfOrder, "tcp.analysis.out_of_order", Severity.Warning, "This frame is a (suspected) out-of-order segment"),
        new(TcpAnalysisFlags.LostSegment, "tcp.analysis.lost_segment", Severity.Warning, "Previous segment(s) not captured (common at capture start)"),
        new(TcpAnalysisFlags.AckLostSegment, "tcp.analysis.ack_lost_segment", Severity.Warning, "ACKed segment that wasn't captured (common at capture start)"),
        new(TcpAnalysisFlags.WindowUpdate, "tcp.analysis.window_update", Severity.Chat, "TCP window update"),
        new(TcpAnalysisFlags.WindowFull, "tcp.analysis.window_full", Severity.Warning, "TCP window specified by the receiver is now completely full"),
        new(TcpAnalysisFlags.KeepAlive, "tcp.analysis.keep_alive", Severity.Note, "TCP keep-alive segment"),
        new(TcpAnalysisFlags.KeepAliveAck, "tcp.analysis.keep_alive_ack", Severity.Note, "ACK to a TCP keep-alive segment"),
        new(TcpAnalysisFlags.ZeroWindowProbe, "tcp.analysis.zero_window_probe", Severity.Note, "TCP Zero Window Probe"),
        new(TcpAnalysisFlags.ZeroWindow, "tcp.analysis.zero_window", Severity.Warning, "TCP Zero Window segment"),
        new(TcpAnalysisFlags.ZeroWindowProbeAck, "tcp.analysis.zero_window_probe_ack", Severity.Note, "ACK to a TCP Zero Window Probe"),
    ];

    private const string Retransmission = "This frame is a (suspected) retransmission";

    /// <summary>"Duplicate ACK (#2)" (Note).</summary>
    public static string DuplicateAck(int count) => $"Duplicate ACK (#{count})";

    /// <summary>The SYN's note (Chat), naming the server's port.</summary>
    public static string Syn(TcpFlags flags, ushort srcPort, ushort dstPort) => (flags & TcpFlags.Ack) != 0
        ? $"Connection establish acknowledge (SYN+ACK): server port {srcPort}"
        : $"Connection establish request (SYN): server port {dstPort}";

    public const string Fin = "Connection finish (FIN)";
    public const string Rst = "Connection reset (RST)";
    public const string FinActive = "This frame initiates the connection closing";
    public const string FinPassive = "This frame undergoes the connection closing";
    public const string AckNonZero = "The acknowledgment number field is nonzero while the ACK flag is not set";
    public const string UrgentNonZero = "The urgent pointer field is nonzero while the URG flag is not set";

    public const string MssAbsent = "The SYN packet does not contain a MSS option";
    public const string MssPresent = "The non-SYN packet does contain a MSS option";
    public const string WindowScaleShiftInvalid = "Window scale shift exceeds 14";

    /// <summary>A data offset under five words (Error, Protocol): tshark shows the header up to it and stops, no exception.</summary>
    public static string BogusHeaderLength(int headerLength) => $"Bogus TCP header length ({headerLength}, must be at least {TcpDecoder.MinHeaderLength})";

    /// <summary>A data offset longer than the segment (Warning, Malformed), before tshark's exception.</summary>
    public const string ShortSegment = "Short segment. Segment/fragment does not contain a full TCP header (might be NMAP or someone else deliberately sending unusual packets)";

    /// <summary>A segment that repeats bytes of a PDU TCP already reassembled (Error, Malformed).</summary>
    public const string OverlapsReassembled = "New fragment overlaps old data (retransmission?)";
}
