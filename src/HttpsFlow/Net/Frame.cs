using System.Runtime.CompilerServices;
using HttpsFlow.Common;
using HttpsFlow.Tcp;

namespace HttpsFlow.Net;

/// <summary>The link-layer header a frame was decoded with.</summary>
public enum LinkKind : byte { None, Ethernet, LinuxSll, LinuxSll2, Null, Loop, Raw, Unknown }

/// <summary>The network layer found in a frame.</summary>
public enum NetworkKind : byte { None, IPv4, IPv6, Arp, Unknown }

/// <summary>The transport layer found in a frame.</summary>
public enum TransportKind : byte { None, Tcp, Udp, Icmp, Icmpv6, Other }

/// <summary>Where a frame stands in IP fragment reassembly.</summary>
public enum FragmentState : byte
{
    /// <summary>The datagram was not fragmented.</summary>
    None,
    /// <summary>A fragment whose datagram is not complete yet; only the IP layer is decoded.</summary>
    Fragment,
    /// <summary>The fragment that completed its datagram: the layers above IP are decoded from the reassembled bytes.</summary>
    Reassembled,
}

/// <summary>Forty bytes: room for any TCP option list, held inline so a frame needs no allocation.</summary>
[InlineArray(40)]
public struct TcpOptionBytes
{
    private byte _e0;
}

/// <summary>The first 128 bytes of a datagram quoted in an ICMP error, inline.</summary>
[InlineArray(128)]
public struct QuotedBytes
{
    private byte _e0;
}

/// <summary>What took the payload of a TCP segment quoted in an ICMP error.</summary>
public enum QuotedUpperKind : byte
{
    /// <summary>No payload, or a protocol HttpsFlow does not name: nothing follows "tcp" in frame.protocols.</summary>
    None,
    /// <summary>TLS read it, as a one-off fragment (whatever it made of it): ":tls".</summary>
    Tls,
    /// <summary>No dissector took it: ":data".</summary>
    Data,
}

/// <summary>Sixteen bytes: an IPv6 address or a link-layer address, inline.</summary>
[InlineArray(16)]
public struct Bytes16
{
    private byte _e0;
}

/// <summary>
/// What the decoders found in one frame. One instance is reused from packet to packet (every field is
/// reset by <see cref="Reset"/>), so decoding allocates nothing per packet. Everything here is a value:
/// nothing points into the capture buffer, so the frame stays valid after the reader moves on.
/// </summary>
public sealed class Frame
{
    // ---- frame ----
    public long Number;
    public Timestamp Time;
    /// <summary>frame.time_delta: since the previous frame of the capture.</summary>
    public Duration TimeDelta;
    /// <summary>frame.time_relative: since the first frame of the capture.</summary>
    public Duration TimeRelative;
    public byte TimePrecision;
    public int CapturedLength;
    public int OriginalLength;
    public uint LinkType;
    public int InterfaceId;
    /// <summary>The record names its interface (pcapng); <see cref="InterfaceName"/> is that interface's if_name.</summary>
    public bool HasInterfaceId;
    public string? InterfaceName;
    /// <summary>The interface's if_description (pcapng), or null.</summary>
    public string? InterfaceDescription;
    /// <summary>The pcapng section the record is in, from 1 (frame.section_number); 0 for pcap.</summary>
    public int SectionNumber;

    // ---- link ----
    public LinkKind Link;
    public Bytes16 LinkSrc;
    public Bytes16 LinkDst;
    public byte LinkAddrLength;     // 6 for Ethernet; SLL's halen (0..8); 0 when absent
    /// <summary>The link layer gave a source address (an Ethernet header of 12 bytes or more; SLL with an address).</summary>
    public bool HasLinkSrc;
    public bool HasLinkDst;         // Ethernet has both (the destination from 6 bytes on); SLL carries only the sender
    public ushort EtherType;        // the type of the payload after VLAN tags (or SLL protocol)
    public ushort SllPacketType;
    public ushort SllHaType;
    public byte VlanCount;
    public ushort VlanId0;
    public ushort VlanId1;
    /// <summary>The tag type (TPID) of the last 802.1Q/802.1ad tag entered, 0 when none: the list names that tag.</summary>
    public ushort VlanTpid;
    /// <summary>The TCI of that last tag, when its first two bytes were present (<see cref="HasVlanTci"/>).</summary>
    public ushort VlanTci;
    public bool HasVlanTci;

    // ---- network ----
    public NetworkKind Network;
    public IpAddress Src;
    public IpAddress Dst;
    /// <summary>True once the IP header passed its checks and both addresses were read: they are the frame's Source and Destination.</summary>
    public bool HasIpAddresses;
    /// <summary>True once the IP source address was read (the header may end before the destination).</summary>
    public bool HasIpSrc;
    public byte IpVersion;
    public byte IpHeaderLength;     // IPv4 IHL*4; IPv6 40 + extension headers
    /// <summary>Bytes of the fixed IPv4 header present (20 unless the capture cut it).</summary>
    public byte IpHeaderCaptured;
    public int IpTotalLength;       // IPv4 total length; IPv6 40 + payload length
    public ushort IpId;
    public byte IpFlags;            // IPv4: RB, DF, MF in bits 2..0
    public ushort IpFragmentOffset; // in bytes
    public byte IpTtl;              // IPv4 TTL or IPv6 hop limit
    public byte IpDsfield;
    public ushort IpChecksum;
    public byte IpProtocol;         // the upper protocol after IPv6 extension headers
    public byte Ipv6NextHeader;     // the first next-header of the fixed IPv6 header
    public int Ipv6PayloadLength;
    public uint Ipv6FlowLabel;
    /// <summary>The bytes an IPv6 header had on the wire when fewer than 40 (tshark's "Invalid IPv6 header"), else 0.</summary>
    public int Ipv6ShortHeader;
    /// <summary>
    /// The IPv6 extension headers entered, in order (hop-by-hop 0, routing 43, destination options 60; a fragment
    /// header 44 once read whole): when the chain ends without an upper layer the list names them.
    /// </summary>
    public Bytes16 Ipv6ExtHeaders;
    public byte Ipv6ExtCount;
    public FragmentState Fragment;
    public uint FragmentId;         // IPv4 ID or IPv6 fragment identification
    public ushort ArpOpcode;
    public ushort ArpHardwareType;
    public uint ArpSenderIp;
    public uint ArpTargetIp;
    public Bytes16 ArpSenderMac;
    public Bytes16 ArpTargetMac;

    // ---- transport ----
    public TransportKind Transport;
    public ushort SrcPort;
    public ushort DstPort;
    public TcpInfo Tcp;
    public ushort UdpLength;
    public ushort UdpChecksum;
    /// <summary>Bytes of the UDP, ICMP or ICMPv6 message present (bounded by what the IP layer declares).</summary>
    public int TransportCaptured;
    /// <summary>The UDP length field disagrees with the IP payload: tshark's "[BAD UDP LENGTH …]" text.</summary>
    public int UdpIpPayload;
    public byte IcmpType;
    public byte IcmpCode;
    public ushort IcmpId;
    public ushort IcmpSeq;
    public ushort IcmpChecksum;
    /// <summary>Neighbor discovery: the target address, the advertisement flags and the link-layer address option.</summary>
    public Bytes16 NdTarget;
    public bool NdHasTarget;
    public byte NdFlags;
    public Bytes16 NdLinkAddr;
    public byte NdLinkAddrLength;
    /// <summary>For an echo reply: the frame of the request it answers (0 when none was seen).</summary>
    public long IcmpRequestFrame;

    /// <summary>A TCP header quoted in an ICMP error (at least 16 bytes of it): it takes part in tcp.stream numbering.</summary>
    public bool HasQuotedTcp;
    /// <summary>The IP datagram quoted in an ICMP error (its first bytes, as captured), for the fields it shows.</summary>
    public QuotedBytes Quoted;
    public byte QuotedLength;
    /// <summary>The tcp.stream of a quoted TCP header (-1 when none), its completeness and times.</summary>
    public int QuotedStream = -1;
    public byte QuotedCompleteness;
    public Duration QuotedTimeRelative;
    public Duration QuotedTimeDelta;
    public IpAddress QuotedSrc;
    public IpAddress QuotedDst;
    public ushort QuotedSrcPort;
    public ushort QuotedDstPort;
    public TcpFlags QuotedFlags;
    public uint QuotedSeq;
    /// <summary>
    /// The quoted TCP header's window scaling factor as its connection knows it (tcp.window_size_scalefactor: -1 unknown,
    /// -2 none), for a header without SYN; 0 otherwise.
    /// </summary>
    public int QuotedWindowScaleFactor;
    /// <summary>
    /// Bytes of the quoted TCP segment's payload present (after its whole header, options included, and within the
    /// quoted IP length); the decoder returns them as the frame's payload.
    /// </summary>
    public int QuotedPayloadLength;
    /// <summary>What took the quoted TCP payload (tshark's dissection of the quoted datagram, as frame.protocols names it).</summary>
    public QuotedUpperKind QuotedUpper;

    /// <summary>Bytes of application payload carried by TCP or UDP (as the headers declare, may exceed what was captured).</summary>
    public int PayloadLength;

    /// <summary>Bytes of application payload actually present in the capture.</summary>
    public int PayloadCaptured;

    // ---- analysis and notes ----
    /// <summary>True when some header was cut short or inconsistent: the list shows "[Malformed Packet]".</summary>
    public bool Malformed;

    /// <summary>The protocol that found the frame malformed (for the Protocol column).</summary>
    public string? MalformedIn;

    /// <summary>True when the snaplen cut a header: tshark appends "[Packet size limited during capture]".</summary>
    public bool SizeLimited;

    /// <summary>A header problem that tshark puts in the Info column instead of the layer's usual text.</summary>
    public string? BogusInfo;

    public readonly List<ExpertNote> Notes = new();

    /// <summary>What the protocol above TCP (TLS) made of this frame, for the list's Protocol and Info columns.</summary>
    public Tls.List.UpperKind Upper;
    public string? UpperProtocol;
    private char[] _upperInfo = new char[256];
    private int _upperInfoLength;

    /// <summary>The upper protocol's Info text (valid until the next frame).</summary>
    public ReadOnlySpan<char> UpperInfo => _upperInfo.AsSpan(0, _upperInfoLength);

    public void ClearUpperInfo() => _upperInfoLength = 0;

    /// <summary>Keeps the first <paramref name="length"/> characters of the upper Info text (what a fence protects).</summary>
    public void TruncateUpperInfo(int length) => _upperInfoLength = Math.Min(_upperInfoLength, Math.Max(0, length));

    /// <summary>The length of the upper Info text so far.</summary>
    public int UpperInfoLength => _upperInfoLength;

    /// <summary>
    /// The frames of the TCP segments reassembled into the upper-layer PDU this frame completes (tcp.segment), and the
    /// PDU's length; empty when this frame completes no PDU spanning several segments.
    /// </summary>
    public readonly List<long> ReassembledSegments = new();
    public int ReassembledLength;

    /// <summary>
    /// Bytes of the TCP payload that went into a TLS record which missed bytes the capture lacked when its later bytes
    /// came (tshark's "TCP segment data" of that record): the first bytes of a segment after the gap, or those of a
    /// segment that arrived out of order into the gap; 0 for none.
    /// </summary>
    public int UnfinishedPduBytes;

    /// <summary>
    /// When this frame completes, out of order, a TLS record that had missed bytes (TCP reassembles it, TLS does not
    /// read it): its pieces in stream order, and its first bytes (<see cref="ReassembledHeadLength"/> of
    /// <see cref="ReassembledHead"/>). Empty otherwise; <see cref="ReassembledSegments"/> names the same frames.
    /// </summary>
    public readonly List<ReassembledPiece> ReassembledPieces = new();
    public byte[]? ReassembledHead;
    public int ReassembledHeadLength;

    public void AppendUpperInfo(string text)
    {
        if (_upperInfoLength + text.Length > _upperInfo.Length)
            Array.Resize(ref _upperInfo, Math.Max(_upperInfo.Length * 2, _upperInfoLength + text.Length));
        text.CopyTo(_upperInfo.AsSpan(_upperInfoLength));
        _upperInfoLength += text.Length;
    }

    /// <summary>
    /// The TCP or UDP payload as captured, copied only when the dissector is asked to keep it (for fields such as
    /// tcp.payload); <see cref="PayloadCaptured"/> bytes are valid.
    /// </summary>
    public byte[] PayloadBytes = [];

    /// <summary>
    /// The frame's captured bytes, copied only when the dissector is asked to keep them
    /// (<see cref="Pipeline.Dissector.KeepPacketBytes"/>), for hex dumps and detail trees after the reader moved on;
    /// <see cref="PacketBytesLength"/> bytes are valid (until the next frame).
    /// </summary>
    public byte[] PacketBytes = [];
    public int PacketBytesLength;

    /// <summary>The kept captured bytes (empty unless <see cref="Pipeline.Dissector.KeepPacketBytes"/>).</summary>
    public ReadOnlySpan<byte> CapturedBytes => PacketBytes.AsSpan(0, PacketBytesLength);

    public void Reset()
    {
        var number = Number;
        var notes = Notes;
        notes.Clear();
        // Value fields back to zero without allocating: copy a pristine instance's values.
        Link = default; LinkSrc = default; LinkDst = default; LinkAddrLength = 0; HasLinkSrc = false; HasLinkDst = false;
        EtherType = 0; SllPacketType = 0; SllHaType = 0; VlanCount = 0; VlanId0 = 0; VlanId1 = 0; VlanTpid = 0; VlanTci = 0; HasVlanTci = false;
        Network = default; Src = default; Dst = default; HasIpAddresses = false; HasIpSrc = false; IpVersion = 0; IpHeaderLength = 0; IpHeaderCaptured = 0; IpTotalLength = 0;
        IpId = 0; IpFlags = 0; IpFragmentOffset = 0; IpTtl = 0; IpDsfield = 0; IpChecksum = 0; IpProtocol = 0;
        Ipv6NextHeader = 0; Ipv6PayloadLength = 0; Ipv6FlowLabel = 0; Ipv6ShortHeader = 0; Ipv6ExtCount = 0; Fragment = default; FragmentId = 0;
        ArpOpcode = 0; ArpHardwareType = 0; ArpSenderIp = 0; ArpTargetIp = 0; ArpSenderMac = default; ArpTargetMac = default;
        Transport = default; SrcPort = 0; DstPort = 0; Tcp = default; UdpLength = 0; UdpChecksum = 0; UdpIpPayload = 0; TransportCaptured = 0;
        IcmpType = 0; IcmpCode = 0; IcmpId = 0; IcmpSeq = 0; IcmpChecksum = 0; IcmpRequestFrame = 0; NdTarget = default; NdHasTarget = false; NdFlags = 0; NdLinkAddr = default; NdLinkAddrLength = 0;
        HasQuotedTcp = false; QuotedLength = 0; QuotedStream = -1; QuotedCompleteness = 0; QuotedTimeRelative = default; QuotedTimeDelta = default; QuotedSrc = default; QuotedDst = default; QuotedSrcPort = 0; QuotedDstPort = 0; QuotedFlags = 0; QuotedSeq = 0; QuotedWindowScaleFactor = 0; QuotedPayloadLength = 0; QuotedUpper = default;
        PayloadLength = 0; PayloadCaptured = 0; // PacketBytes: the dissector sets them
        Malformed = false; Upper = default; UpperProtocol = null; _upperInfoLength = 0; ReassembledSegments.Clear(); ReassembledLength = 0; UnfinishedPduBytes = 0; ReassembledPieces.Clear(); ReassembledHeadLength = 0; MalformedIn = null; SizeLimited = false; BogusInfo = null;
        Number = number;
    }

    public void AddNote(Severity severity, string group, string protocol, string message) =>
        Notes.Add(new ExpertNote(severity, group, protocol, message));

    /// <summary>
    /// A header of <paramref name="protocol"/> ran out of bytes. When the bytes missing were cut by the snap length
    /// (<paramref name="sizeLimited"/>) the frame is marked as tshark's "[Packet size limited during capture]",
    /// otherwise — the packet itself claims fewer bytes than the header needs — as malformed; either way with a note.
    /// </summary>
    public void MarkCutShort(string protocol, bool sizeLimited)
    {
        if (sizeLimited)
        {
            SizeLimited = true;
            AddNote(Severity.Warning, "Malformed", protocol, "Packet size limited during capture");
        }
        else
        {
            MarkMalformed(protocol, "header cut short");
        }
    }

    /// <summary>Marks the frame malformed in <paramref name="protocol"/> with a note.</summary>
    public void MarkMalformed(string protocol, string message)
    {
        if (!Malformed)
        {
            Malformed = true;
            MalformedIn = protocol;
        }
        AddNote(Severity.Error, "Malformed", protocol, message);
    }
}

/// <summary>
/// One segment's part of a PDU that TCP reassembled: the frame, where the part starts in the PDU, its length, and
/// whether it overlaps bytes an earlier part (in PDU order) already gave (tshark's "[Segment overlap: True]").
/// </summary>
public readonly record struct ReassembledPiece(long Frame, int Offset, int Length, bool Overlap);
