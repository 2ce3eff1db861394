using HttpsFlow.Net;

namespace HttpsFlow.Tcp;

/// <summary>TCP header flags (RFC 9293 §3.1, RFC 3168 for ECE/CWR, RFC 3540's NS bit now AE).</summary>
[Flags]
public enum TcpFlags : ushort
{
    None = 0,
    Fin = 0x001,
    Syn = 0x002,
    Rst = 0x004,
    Psh = 0x008,
    Ack = 0x010,
    Urg = 0x020,
    Ece = 0x040,
    Cwr = 0x080,
    Ae = 0x100,
    Reserved = 0xe00,
}

/// <summary>Results of tshark-style sequence analysis for one segment.</summary>
[Flags]
public enum TcpAnalysisFlags : uint
{
    None = 0,
    Retransmission = 1 << 0,
    FastRetransmission = 1 << 1,
    SpuriousRetransmission = 1 << 2,
    OutOfOrder = 1 << 3,
    LostSegment = 1 << 4,           // previous segment not captured
    AckLostSegment = 1 << 5,        // ACKed unseen segment
    DuplicateAck = 1 << 6,
    ZeroWindow = 1 << 7,
    ZeroWindowProbe = 1 << 8,
    ZeroWindowProbeAck = 1 << 9,
    WindowFull = 1 << 10,
    WindowUpdate = 1 << 11,
    KeepAlive = 1 << 12,
    KeepAliveAck = 1 << 13,
    PortsReused = 1 << 14,
}

/// <summary>One TCP segment's header, options and the conversation facts computed for it.</summary>
public struct TcpInfo
{
    // ---- header (RFC 9293 §3.1) ----
    public uint SeqRaw;
    public uint AckRaw;
    public byte HeaderLength;
    public TcpFlags Flags;
    public ushort WindowValue;
    public ushort Checksum;
    public ushort UrgentPointer;

    // ---- options, in wire order ----
    public TcpOptionBytes Options;
    public byte OptionsLength;
    public bool HasMss;
    public ushort Mss;
    public bool HasWindowScale;
    public byte WindowScaleShift;
    public bool SackPermitted;
    public bool HasTimestamps;
    public uint TsVal;
    public uint TsEcr;
    public byte SackBlockCount;

    // ---- conversation ----
    /// <summary>tshark's tcp.stream.</summary>
    public int Stream;
    public uint Seq;
    public uint Ack;
    public uint NextSeq;
    public bool HasNextSeq;
    /// <summary>True when the ack number is shown (ACK flag set).</summary>
    public bool AckShown;
    /// <summary>The base the ack number is made relative to (the other direction's initial sequence number); SACK edges use it too.</summary>
    public uint AckBase;
    /// <summary>The window after scaling (tcp.window_size).</summary>
    public long WindowSize;
    /// <summary>tcp.window_size_scalefactor: the multiplier, or -1 unknown, -2 no scaling used.</summary>
    public int WindowScaleFactor;

    // ---- analysis ----
    public TcpAnalysisFlags Analysis;
    public int DupAckOf;       // frame number of the ACK this duplicates
    public int DupAckCount;    // how many duplicates so far
    public long AcksFrame;
    public bool HasAckRtt;
    public Common.Duration AckRtt;
    public long BytesInFlight;
    public bool HasBytesInFlight;

    public readonly bool Has(TcpFlags f) => (Flags & f) != 0;
}
