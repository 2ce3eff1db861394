using HttpsFlow.Common;
using HttpsFlow.Net;

namespace HttpsFlow.Tcp;

/// <summary>TCP header flags (RFC 9293 §3.1; RFC 3168 for ECE/CWR; the AE bit of RFC 9768, formerly NS).</summary>
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

/// <summary>How far the TCP header could be read.</summary>
public enum TcpStage : byte
{
    /// <summary>Fewer than 4 bytes: not even the ports.</summary>
    None,
    /// <summary>The ports, but fewer than 16 bytes (no sequence numbers, flags or window).</summary>
    Ports,
    /// <summary>Ports, sequence and acknowledgment numbers, data offset, flags and window.</summary>
    Header,
}

/// <summary>What a FIN does to its connection, as Wireshark's expert info tells it.</summary>
public enum TcpClosingRole : byte
{
    /// <summary>No FIN, or a FIN not analysed.</summary>
    None,
    /// <summary>The first FIN of the connection (or a FIN again from the side that sent it): "initiates the connection closing".</summary>
    Active,
    /// <summary>A FIN after the other side's FIN: "undergoes the connection closing".</summary>
    Passive,
}

/// <summary>Why reading stopped short: bytes the snap length cut, or bytes the packet claims but does not have.</summary>
public enum Shortfall : byte { None, SizeLimited, Malformed }

/// <summary>One TCP segment's header, options and the conversation facts computed for it.</summary>
public struct TcpInfo
{
    // ---- header (RFC 9293 §3.1) ----
    public TcpStage Stage;
    public uint SeqRaw;
    public uint AckRaw;
    public byte HeaderLength;
    public TcpFlags Flags;
    public ushort WindowValue;
    public ushort Checksum;
    public ushort UrgentPointer;

    /// <summary>Bytes of the segment present in the capture (bounded by the IP datagram's length).</summary>
    public int Captured;
    /// <summary>Bytes the IP layer says the segment has.</summary>
    public int Reported;

    /// <summary>True when the segment length is known (the IP length covers the TCP header): Len is shown, numbers are relative.</summary>
    public readonly bool LengthKnown => Stage == TcpStage.Header && Reported >= HeaderLength;

    // ---- options, as they were captured (at most 40 bytes) ----
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
    /// <summary>Sum of the SACK blocks' lengths (right edge − left edge).</summary>
    public uint SackedBytes;
    /// <summary>An MPTCP option (kind 30) was present: tshark names the protocol MPTCP.</summary>
    public bool HasMptcp;
    /// <summary>An AccECN option (kind 172 or 174, or experimental ExID 0xACC0/0xACC1) was present.</summary>
    public bool HasAccEcnOption;
    /// <summary>The connection negotiated Accurate ECN (RFC 9768): the AE, CWR and ECE bits read as the ACE counter.</summary>
    public bool AceMode;

    // ---- conversation ----
    /// <summary>tshark's tcp.stream, or -1 when the header was too short to place the segment in a conversation.</summary>
    public int Stream;
    public uint Seq;
    public uint Ack;
    public uint NextSeq;
    /// <summary>The base the ack number and SACK edges are made relative to (the other direction's initial sequence number).</summary>
    public uint AckBase;
    /// <summary>The window after scaling (tcp.window_size).</summary>
    public long WindowSize;
    /// <summary>tcp.window_size_scalefactor: the multiplier, or -1 unknown, -2 no scaling used.</summary>
    public int WindowScaleFactor;

    // ---- analysis ----
    public TcpAnalysisFlags Analysis;
    public long DupAckOf;      // frame number of the ACK this duplicates
    public int DupAckCount;    // how many duplicates so far
    public long AcksFrame;
    public bool HasAckRtt;
    public Duration AckRtt;
    public long BytesInFlight;
    public bool HasBytesInFlight;
    public long PushBytesSent;
    /// <summary>tshark keeps an analysis record for this segment (so its SEQ/ACK analysis fields are shown).</summary>
    public bool HasAnalysisRecord;
    public bool HasInitialRtt;
    public Duration InitialRtt;
    /// <summary>tcp.time_relative: since the first frame of this connection.</summary>
    public Duration TimeRelative;
    /// <summary>tcp.time_delta: since the previous frame of this connection.</summary>
    public Duration TimeDelta;
    /// <summary>Whether this segment's FIN starts or answers the connection's close.</summary>
    public TcpClosingRole Closing;
    /// <summary>tcp.completeness: what the connection had shown before this frame (1 SYN, 2 SYN-ACK, 4 ACK, 8 data, 16 FIN, 32 RST).</summary>
    public byte Completeness;

    public readonly bool Has(TcpFlags f) => (Flags & f) != 0;
}
