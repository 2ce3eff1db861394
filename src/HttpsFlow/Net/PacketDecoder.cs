using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using HttpsFlow.Capture;
using HttpsFlow.Common;
using HttpsFlow.Tcp;

namespace HttpsFlow.Net;

/// <summary>
/// Decodes a captured packet from its link layer up to TCP/UDP/ICMP into a reused <see cref="Frame"/>.
/// One instance is reused for a whole capture (it owns the fragment reassembly state). Nothing here throws on
/// bad bytes: a short or inconsistent header marks the frame malformed and stops decoding at that layer.
/// </summary>
public sealed class PacketDecoder
{
    private readonly FragmentReassembler _fragments = new();

    /// <summary>Bytes of the current packet that the snap length left out (on the wire, not in the capture).</summary>
    private int _uncaptured;

    // EtherTypes (IEEE registry).
    public const ushort EtherTypeIPv4 = 0x0800;
    public const ushort EtherTypeArp = 0x0806;
    public const ushort EtherTypeVlan = 0x8100;
    public const ushort EtherTypeQinQ = 0x88a8;
    public const ushort EtherTypeQinQOld = 0x9100;
    public const ushort EtherTypeIPv6 = 0x86dd;
    public const ushort EtherTypePppoeSession = 0x8864;
    public const ushort EtherTypeMpls = 0x8847;
    public const ushort EtherTypeMplsMulticast = 0x8848;

    // IP protocol numbers (IANA).
    public const byte ProtoHopByHop = 0;
    public const byte ProtoIcmp = 1;
    public const byte ProtoTcp = 6;
    public const byte ProtoUdp = 17;
    public const byte ProtoIpv6Route = 43;
    public const byte ProtoIpv6Frag = 44;
    public const byte ProtoEsp = 50;
    public const byte ProtoAh = 51;
    public const byte ProtoIcmpv6 = 58;
    public const byte ProtoNoNext = 59;
    public const byte ProtoIpv6Opts = 60;

    /// <summary>
    /// Decodes <paramref name="packet"/> into <paramref name="frame"/>. Returns the transport payload (TCP or UDP
    /// data as captured); the span is valid until the next call (it may point into the reassembly buffer).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<byte> Decode(in CapturedPacket packet, Frame frame)
    {
        frame.Reset();
        frame.Time = packet.Time;
        frame.TimePrecision = packet.TimePrecision;
        frame.CapturedLength = packet.Data.Length;
        frame.OriginalLength = packet.OriginalLength;
        frame.LinkType = packet.LinkType;
        frame.InterfaceId = packet.InterfaceId;
        var data = packet.Data;
        bool truncatedByCapture = packet.Data.Length < packet.OriginalLength;
        _uncaptured = Math.Max(packet.OriginalLength - packet.Data.Length, 0);

        switch (packet.LinkType)
        {
            case LinkTypes.Ethernet:
                return DecodeEthernet(data, frame, truncatedByCapture);
            case LinkTypes.LinuxSll:
                return DecodeSll(data, frame, truncatedByCapture);
            case LinkTypes.LinuxSll2:
                return DecodeSll2(data, frame, truncatedByCapture);
            case LinkTypes.Null:
            case LinkTypes.Loop:
                return DecodeNullLoop(data, frame, packet.LinkType == LinkTypes.Loop, truncatedByCapture);
            case LinkTypes.Raw:
                frame.Link = LinkKind.Raw;
                // Wireshark's raw-IP dissector first looks for PPP framing at offsets 0, 6 and 1: a packet too short
                // for those looks ends there, before any IP header is read.
                if (data.Length < 8 && !(data.Length >= 2 && data[0] == 0xff && data[1] == 0x03))
                {
                    Truncated(frame, "raw", truncatedByCapture);
                    return default;
                }
                return (data[0] >> 4) switch
                {
                    4 => DecodeIPv4(data, frame, truncatedByCapture),
                    6 => DecodeIPv6(data, frame, truncatedByCapture),
                    _ => Unknown(frame),
                };
            case LinkTypes.Ipv4:
                frame.Link = LinkKind.Raw;
                // The version is read before anything is named: no bytes, no protocol.
                if (data.IsEmpty) { Truncated(frame, "raw", truncatedByCapture); return default; }
                return DecodeIPv4(data, frame, truncatedByCapture);
            case LinkTypes.Ipv6:
                frame.Link = LinkKind.Raw;
                return DecodeIPv6(data, frame, truncatedByCapture);
            default:
                frame.Link = LinkKind.Unknown;
                return default;
        }
    }

    private static ReadOnlySpan<byte> Unknown(Frame frame)
    {
        frame.Network = NetworkKind.Unknown;
        return default;
    }

    private static void Bogus(Frame frame, string protocol, string message)
    {
        frame.MarkMalformed(protocol, message);
        frame.BogusInfo = message;
    }

    private static void Truncated(Frame frame, string protocol, bool byCapture) => frame.MarkCutShort(protocol, byCapture);

    /// <summary>
    /// A header read field by field stopped at the first field not wholly present: the field ending at
    /// <paramref name="fieldEnd"/> (bytes from the layer's start). Past the layer's <paramref name="reported"/> bytes the
    /// packet is malformed; within them the snap length cut it.
    /// </summary>
    private static void CutAt(Frame frame, string protocol, int fieldEnd, int reported) =>
        frame.MarkCutShort(protocol, fieldEnd <= reported);

    /// <summary>The end of the first field (of those ending at <paramref name="ends"/>, in reading order) that <paramref name="present"/> bytes do not hold.</summary>
    private static int FirstMissing(ReadOnlySpan<byte> ends, int present)
    {
        foreach (byte end in ends)
            if (end > present) return end;
        return ends[^1];
    }

    // Where each field of the fixed IPv4 header ends, in the order Wireshark reads them: version/IHL, DS field, total
    // length, identification, flags/offset, TTL, protocol, checksum, source, destination.
    private static ReadOnlySpan<byte> Ipv4FieldEnds => [1, 2, 4, 6, 8, 9, 10, 12, 16, 20];

    // The same for IPv6: version, traffic class, flow label, payload length, next header, hop limit, source, destination.
    private static ReadOnlySpan<byte> Ipv6FieldEnds => [1, 2, 4, 6, 7, 8, 24, 40];

    // ---- link layers ----

    // Ethernet II: dst(6) src(6) type(2); 802.1Q / 802.1ad tags: TCI(2) type(2).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<byte> DecodeEthernet(ReadOnlySpan<byte> data, Frame frame, bool cut)
    {
        frame.Link = LinkKind.Ethernet;
        frame.LinkAddrLength = 6;
        // The destination, then the source, become the frame's addresses as soon as they are read.
        if (data.Length >= 6)
        {
            data[..6].CopyTo(frame.LinkDst);
            frame.HasLinkDst = true;
        }
        if (data.Length >= 12)
        {
            data.Slice(6, 6).CopyTo(frame.LinkSrc);
            frame.HasLinkSrc = true;
        }
        if (data.Length < 14) { Truncated(frame, "eth", cut); return default; }
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(data[12..]);
        int offset = 14;
        while (type is EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQOld)
        {
            // A tag is named (VLAN, 802.1ad) before its TCI is read, and shown once the TCI is, before its type is.
            frame.VlanTpid = type;
            frame.HasVlanTci = false;
            if (data.Length < offset + 2) { frame.EtherType = type; Truncated(frame, "vlan", cut); return default; }
            ushort tci = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            frame.VlanTci = tci;
            frame.HasVlanTci = true;
            if (data.Length < offset + 4) { frame.EtherType = type; Truncated(frame, "vlan", cut); return default; }
            if (frame.VlanCount == 0) frame.VlanId0 = (ushort)(tci & 0x0fff);
            else if (frame.VlanCount == 1) frame.VlanId1 = (ushort)(tci & 0x0fff);
            if (frame.VlanCount < 255) frame.VlanCount++;
            type = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            offset += 4;
        }
        frame.EtherType = type;
        return DecodeEtherType(type, data[offset..], frame, cut);
    }

    private ReadOnlySpan<byte> DecodeEtherType(ushort type, ReadOnlySpan<byte> data, Frame frame, bool cut) => type switch
    {
        EtherTypeIPv4 => DecodeIPv4(data, frame, cut),
        EtherTypeIPv6 => DecodeIPv6(data, frame, cut),
        EtherTypeArp => DecodeArp(data, frame, cut),
        EtherTypePppoeSession => DecodePppoe(data, frame, cut),
        EtherTypeMpls or EtherTypeMplsMulticast => DecodeMpls(data, frame, cut),
        _ => Unknown(frame),
    };

    // PPPoE session stage (RFC 2516 §4): ver/type(1) code(1) session(2) length(2), then a PPP protocol field (RFC 1661).
    private ReadOnlySpan<byte> DecodePppoe(ReadOnlySpan<byte> data, Frame frame, bool cut)
    {
        if (data.Length < 8) { Truncated(frame, "pppoes", cut); return default; }
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
        ushort ppp = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        var inner = data.Slice(8, Math.Clamp(length - 2, 0, data.Length - 8));
        return ppp switch
        {
            0x0021 => DecodeIPv4(inner, frame, cut),
            0x0057 => DecodeIPv6(inner, frame, cut),
            _ => Unknown(frame),
        };
    }

    // MPLS (RFC 3032 §2.1): 4-byte label stack entries until the bottom-of-stack bit; the payload's version nibble
    // tells IPv4 from IPv6, as Wireshark guesses it.
    private ReadOnlySpan<byte> DecodeMpls(ReadOnlySpan<byte> data, Frame frame, bool cut)
    {
        int offset = 0;
        while (true)
        {
            if (data.Length < offset + 4) { Truncated(frame, "mpls", cut); return default; }
            bool bottom = (data[offset + 2] & 1) != 0;
            offset += 4;
            if (bottom) break;
        }
        var inner = data[offset..];
        if (inner.IsEmpty) return Unknown(frame);
        return (inner[0] >> 4) switch
        {
            4 => DecodeIPv4(inner, frame, cut),
            6 => DecodeIPv6(inner, frame, cut),
            _ => Unknown(frame),
        };
    }

    // Linux cooked v1 (LINKTYPE_LINUX_SLL): pkttype(2) hatype(2) halen(2) addr(8) protocol(2).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<byte> DecodeSll(ReadOnlySpan<byte> data, Frame frame, bool cut)
    {
        frame.Link = LinkKind.LinuxSll;
        if (data.Length < 16) { Truncated(frame, "sll", cut); return default; }
        frame.SllPacketType = BinaryPrimitives.ReadUInt16BigEndian(data);
        frame.SllHaType = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        int halen = Math.Min((int)BinaryPrimitives.ReadUInt16BigEndian(data[4..]), 8);
        data.Slice(6, halen).CopyTo(frame.LinkSrc);
        frame.LinkAddrLength = (byte)halen;
        frame.HasLinkSrc = halen > 0;
        ushort protocol = BinaryPrimitives.ReadUInt16BigEndian(data[14..]);
        frame.EtherType = protocol;
        return DecodeSllProtocol(protocol, data[16..], frame, cut);
    }

    // Linux cooked v2 (LINKTYPE_LINUX_SLL2): protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<byte> DecodeSll2(ReadOnlySpan<byte> data, Frame frame, bool cut)
    {
        frame.Link = LinkKind.LinuxSll2;
        if (data.Length < 20) { Truncated(frame, "sll", cut); return default; }
        ushort protocol = BinaryPrimitives.ReadUInt16BigEndian(data);
        frame.SllHaType = BinaryPrimitives.ReadUInt16BigEndian(data[8..]);
        frame.SllPacketType = data[10];
        int halen = Math.Min((int)data[11], 8);
        data.Slice(12, halen).CopyTo(frame.LinkSrc);
        frame.LinkAddrLength = (byte)halen;
        frame.HasLinkSrc = halen > 0;
        frame.EtherType = protocol;
        return DecodeSllProtocol(protocol, data[20..], frame, cut);
    }

    private ReadOnlySpan<byte> DecodeSllProtocol(ushort protocol, ReadOnlySpan<byte> data, Frame frame, bool cut)
    {
        // Protocol values below 0x0600 are Linux ETH_P_ pseudo-types (802.2 LLC, CAN, …), not EtherTypes.
        if (frame.SllHaType == 1 /* ARPHRD_ETHER */ || protocol >= 0x0600)
            return DecodeEtherType(protocol, data, frame, cut);
        return Unknown(frame);
    }

    // BSD loopback: a 4-byte address family, in the capturing host's byte order for NULL, network order for LOOP.
    // Wireshark names the frame "Null/Loopback" with N/A addresses until a layer above replaces them.
    private ReadOnlySpan<byte> DecodeNullLoop(ReadOnlySpan<byte> data, Frame frame, bool loop, bool cut)
    {
        frame.Link = loop ? LinkKind.Loop : LinkKind.Null;
        // NULL first checks for PPP framing (two bytes), before it names anything.
        if (!loop && data.Length < 2) { Truncated(frame, "null", cut); return default; }
        if (!loop && data[0] == 0xff && data[1] == 0x03) return Unknown(frame); // PPP in HDLC-like framing: not decoded
        if (data.Length < 4) { Truncated(frame, "null", cut); return default; }
        uint family = loop ? BinaryPrimitives.ReadUInt32BigEndian(data) : NullFamily(BinaryPrimitives.ReadUInt32LittleEndian(data));
        var rest = data[4..];
        if (!loop && family > 1500) return DecodeEtherType((ushort)family, rest, frame, cut); // an EtherType, not a family
        switch (family)
        {
            case 2: // AF_INET: the version nibble decides, and is read before the layer is named
                if (rest.IsEmpty) { Truncated(frame, "null", cut); return default; }
                return (rest[0] >> 4) == 6 ? DecodeIPv6(rest, frame, cut) : DecodeIPv4(rest, frame, cut);
            case 24 or 28 or 30: // AF_INET6 of NetBSD/OpenBSD, FreeBSD, macOS (Linux's 10 is not a BSD family)
                return DecodeIPv6(rest, frame, cut);
            default:
                return Unknown(frame);
        }
    }

    /// <summary>
    /// The NULL header's value as Wireshark reads it: the four bytes in little-endian (the usual capturing host's)
    /// order, swapped when they look big-endian, or the 16-bit family IRIX and UNICOS/mp put in the first two bytes.
    /// </summary>
    private static uint NullFamily(uint h)
    {
        if ((h & 0xffff0000) != 0)
        {
            if ((h & 0xff000000) == 0 && (h & 0x00ff0000) < 0x00060000) return h >> 16; // 16-bit family, host order
            return BinaryPrimitives.ReverseEndianness(h);
        }
        if ((h & 0x000000ff) == 0 && (h & 0x0000ff00) < 0x00000600)
            return BinaryPrimitives.ReverseEndianness((ushort)(h & 0xffff)); // 16-bit family, swapped
        return h;
    }

    // ARP (RFC 826) over Ethernet/IPv4: htype(2) ptype(2) hlen(1) plen(1) oper(2) sha spa tha tpa.
    private static ReadOnlySpan<byte> DecodeArp(ReadOnlySpan<byte> data, Frame frame, bool cut)
    {
        frame.Network = NetworkKind.Arp;
        if (data.Length < 8) { Truncated(frame, "arp", cut); return default; }
        frame.ArpOpcode = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        frame.ArpHardwareType = BinaryPrimitives.ReadUInt16BigEndian(data);
        byte hlen = data[4], plen = data[5];
        if (hlen == 6 && plen == 4 && data.Length >= 28)
        {
            data.Slice(8, 6).CopyTo(frame.ArpSenderMac);
            data.Slice(18, 6).CopyTo(frame.ArpTargetMac);
            frame.ArpSenderIp = BinaryPrimitives.ReadUInt32BigEndian(data[14..]);
            frame.ArpTargetIp = BinaryPrimitives.ReadUInt32BigEndian(data[24..]);
        }
        else if (data.Length < 8 + 2 * (hlen + plen))
        {
            Truncated(frame, "arp", cut);
        }
        return default;
    }

    // ---- network layers ----

    // IPv4 (RFC 791 §3.1): ver/ihl(1) tos(1) len(2) id(2) flags/frag(2) ttl(1) proto(1) csum(2) src(4) dst(4) options.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<byte> DecodeIPv4(ReadOnlySpan<byte> data, Frame frame, bool cut)
    {
        if (!data.IsEmpty && data[0] >> 4 == 6) return DecodeIPv6(data, frame, cut); // Wireshark hands it over too
        frame.Network = NetworkKind.IPv4;
        frame.IpVersion = 4;
        int reported = data.Length + _uncaptured;
        int have = data.Length;
        frame.IpHeaderCaptured = (byte)Math.Min(have, 20);
        if (have == 0) { CutAt(frame, "ip", 1, reported); return default; }
        // Fields are read in header order; each one wholly present is kept (as tshark's tree shows it), and the
        // first one missing ends the layer.
        Span<byte> h = stackalloc byte[20];
        data[..Math.Min(have, 20)].CopyTo(h);
        int version = h[0] >> 4;
        int ihl = (h[0] & 0x0f) * 4;
        frame.IpHeaderLength = (byte)ihl;
        if (have >= 2) frame.IpDsfield = h[1];
        if (have >= 4) frame.IpTotalLength = BinaryPrimitives.ReadUInt16BigEndian(h[2..]);
        if (have >= 6) frame.IpId = BinaryPrimitives.ReadUInt16BigEndian(h[4..]);
        if (have >= 8)
        {
            ushort ff = BinaryPrimitives.ReadUInt16BigEndian(h[6..]);
            frame.IpFlags = (byte)(ff >> 13);
            frame.IpFragmentOffset = (ushort)((ff & 0x1fff) * 8);
        }
        if (have >= 9) frame.IpTtl = h[8];
        if (have >= 10) frame.IpProtocol = h[9];
        if (have >= 12) frame.IpChecksum = BinaryPrimitives.ReadUInt16BigEndian(h[10..]);
        // The version and the header length are judged from the first byte alone.
        if (version != 4)
        {
            Bogus(frame, "ip", $"Bogus IPv4 version ({version}, must be 4)");
            return default;
        }
        if (ihl < 20)
        {
            Bogus(frame, "ip", $"Bogus IP header length ({ihl}, must be at least 20)");
            return default;
        }
        if (have < 4) { CutAt(frame, "ip", FirstMissing(Ipv4FieldEnds, have), reported); return default; }
        int total = frame.IpTotalLength;
        if (total < ihl)
        {
            // TSO/LRO captures record 0 here; Wireshark then takes the length from the frame. Otherwise it is bogus.
            if (total == 0) total = reported;
            else
            {
                Bogus(frame, "ip", $"Bogus IP length ({total}, less than header length {ihl})");
                return default;
            }
        }
        // Each address becomes the frame's as soon as it is read (as in Wireshark, whose Source and Destination
        // columns keep the link layer's addresses, or none, until then).
        if (have < 16) { CutAt(frame, "ip", FirstMissing(Ipv4FieldEnds, have), reported); return default; }
        frame.Src = IpAddress.FromV4(h[12..]);
        frame.HasIpSrc = true;
        if (have < 20) { CutAt(frame, "ip", 20, reported); return default; }
        frame.Dst = IpAddress.FromV4(h[16..]);
        frame.HasIpAddresses = true;
        if (data.Length < ihl) { Truncated(frame, "ip", cut); return default; }

        // Bytes past the datagram (Ethernet padding) are not part of it; bytes missing were cut by snaplen.
        // A total length beyond the packet's end: Wireshark keeps to what the packet has.
        int onWire = reported;
        if (total > onWire)
        {
            frame.AddNote(Severity.Error, "Protocol", "ip", $"IPv4 total length {total} exceeds packet length ({onWire} bytes)");
            total = onWire;
        }
        var datagram = data[..Math.Min(total, data.Length)];
        var payload = datagram[ihl..];
        int declaredPayload = total - ihl;
        bool payloadCut = datagram.Length < total;

        bool mf = (frame.IpFlags & 1) != 0;
        if (mf || frame.IpFragmentOffset != 0)
        {
            frame.FragmentId = frame.IpId;
            if (payloadCut) { frame.Fragment = FragmentState.Fragment; return default; }
            if (!_fragments.Add(frame.Src, frame.Dst, frame.IpId, frame.IpProtocol, frame.IpFragmentOffset, mf,
                    payload, frame.Number, out var whole, out _))
            {
                frame.Fragment = FragmentState.Fragment;
                return default;
            }
            frame.Fragment = FragmentState.Reassembled;
            return DecodeTransport(frame.IpProtocol, whole, whole.Length, frame, false);
        }
        // An empty payload is handed to no protocol above IP.
        if (declaredPayload <= 0) return default;
        return DecodeTransport(frame.IpProtocol, payload, declaredPayload, frame, cut && payloadCut);
    }

    // IPv6 (RFC 8200 §3): ver/tc/flow(4) plen(2) nxt(1) hlim(1) src(16) dst(16), then extension headers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<byte> DecodeIPv6(ReadOnlySpan<byte> data, Frame frame, bool cut)
    {
        frame.Network = NetworkKind.IPv6;
        frame.IpVersion = 6;
        int reported = data.Length + _uncaptured;
        int have = data.Length;
        if (have == 0) { CutAt(frame, "ipv6", 1, reported); return default; }
        if ((data[0] >> 4) != 6)
        {
            Bogus(frame, "ipv6", $"Bogus IPv6 version ({data[0] >> 4}, must be 6)");
            return default;
        }
        // A packet shorter than the fixed header is named so ("Invalid IPv6 header (N bytes, need exactly 40)"), then
        // read field by field like any other until the bytes run out.
        if (reported < 40) frame.Ipv6ShortHeader = reported;
        Span<byte> h = stackalloc byte[40];
        data[..Math.Min(have, 40)].CopyTo(h);
        uint first = BinaryPrimitives.ReadUInt32BigEndian(h);
        if (have >= 2) frame.IpDsfield = (byte)(first >> 20);
        if (have >= 4) frame.Ipv6FlowLabel = first & 0xfffff;
        int plen = BinaryPrimitives.ReadUInt16BigEndian(h[4..]);
        if (have >= 6) frame.Ipv6PayloadLength = plen;
        if (have >= 7) frame.Ipv6NextHeader = h[6];
        if (have >= 8) frame.IpTtl = h[7];
        if (have < 24) { CutAt(frame, "ipv6", FirstMissing(Ipv6FieldEnds, have), reported); return default; }
        frame.Src = IpAddress.FromV6(h[8..]);
        frame.HasIpSrc = true;
        if (have < 40) { CutAt(frame, "ipv6", 40, reported); return default; }
        frame.Dst = IpAddress.FromV6(h[24..]);
        frame.HasIpAddresses = true;
        // A payload length of 0 with a hop-by-hop header is a jumbogram (RFC 2675); take the frame's length.
        int onWire = data.Length + _uncaptured - 40;
        int declared = plen == 0 ? onWire : plen;
        if (declared > onWire)
        {
            frame.AddNote(Severity.Error, "Protocol", "ipv6", $"IPv6 payload length {plen} exceeds the packet ({onWire} bytes)");
            declared = onWire;
        }
        frame.IpTotalLength = 40 + declared;
        var rest = data.Slice(40, Math.Min(declared, data.Length - 40));
        bool payloadCut = rest.Length < declared;
        int headerLen = 40;
        byte next = data[6];

        // Extension headers (RFC 8200 §4): each is next(1) len(1) …, length in 8-octet units not counting the first 8,
        // except Fragment (fixed 8) and AH (RFC 4302: length in 4-octet units minus 2).
        while (true)
        {
            switch (next)
            {
                case ProtoHopByHop:
                case ProtoIpv6Route:
                case ProtoIpv6Opts:
                case ProtoAh:
                {
                    if (next != ProtoAh) NoteExtensionHeader(frame, next); // named as soon as it is entered
                    if (rest.Length < 2) { frame.IpProtocol = next; Truncated(frame, "ipv6", cut || payloadCut); return default; }
                    int len = next == ProtoAh ? (rest[1] + 2) * 4 : (rest[1] + 1) * 8;
                    if (rest.Length < len) { frame.IpProtocol = next; Truncated(frame, "ipv6", cut || payloadCut); return default; }
                    next = rest[0];
                    rest = rest[len..];
                    declared -= len;
                    headerLen += len;
                    continue;
                }
                case ProtoIpv6Frag:
                {
                    // Fragment header: next(1) reserved(1) offset/res/M(2) identification(4).
                    if (rest.Length < 8) { frame.IpProtocol = next; Truncated(frame, "ipv6", cut || payloadCut); return default; }
                    byte inner = rest[0];
                    ushort om = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
                    int offset = (om >> 3) * 8;
                    bool more = (om & 1) != 0;
                    uint id = BinaryPrimitives.ReadUInt32BigEndian(rest[4..]);
                    rest = rest[8..];
                    declared -= 8;
                    headerLen += 8;
                    frame.IpHeaderLength = (byte)Math.Min(headerLen, 255);
                    frame.IpProtocol = inner;
                    frame.FragmentId = id;
                    frame.IpFragmentOffset = (ushort)Math.Min(offset, ushort.MaxValue);
                    frame.IpFlags = (byte)(more ? 1 : 0);
                    NoteExtensionHeader(frame, ProtoIpv6Frag); // named once read whole
                    if (offset == 0 && !more)
                    {
                        // An atomic fragment (RFC 6946) is a whole datagram.
                        next = inner;
                        continue;
                    }
                    if (payloadCut) { frame.Fragment = FragmentState.Fragment; return default; }
                    if (!_fragments.Add(frame.Src, frame.Dst, id, inner, offset, more, rest, frame.Number, out var whole, out _))
                    {
                        frame.Fragment = FragmentState.Fragment;
                        return default;
                    }
                    frame.Fragment = FragmentState.Reassembled;
                    return DecodeTransport(inner, whole, whole.Length, frame, false);
                }
                default:
                    frame.IpHeaderLength = (byte)Math.Min(headerLen, 255);
                    frame.IpProtocol = next;
                    return DecodeTransport(next, rest, Math.Max(declared, 0), frame, cut && payloadCut);
            }
        }
    }

    private static void NoteExtensionHeader(Frame frame, byte kind)
    {
        if (frame.Ipv6ExtCount >= 16) return;
        frame.Ipv6ExtHeaders[frame.Ipv6ExtCount++] = kind;
    }

    // ---- transport ----

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ReadOnlySpan<byte> DecodeTransport(byte protocol, ReadOnlySpan<byte> data, int declaredLength, Frame frame, bool cut)
    {
        switch (protocol)
        {
            case ProtoTcp:
                return TcpDecoder.Decode(data, declaredLength, frame);
            case ProtoUdp:
                return DecodeUdp(data, declaredLength, frame, cut);
            case ProtoIcmp:
            case ProtoIcmpv6:
            {
                bool v6 = protocol == ProtoIcmpv6;
                frame.Transport = v6 ? TransportKind.Icmpv6 : TransportKind.Icmp;
                int have = data.Length;
                frame.TransportCaptured = have;
                if (have >= 1) frame.IcmpType = data[0];
                if (have >= 2) frame.IcmpCode = data[1];
                if (have >= 4) frame.IcmpChecksum = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
                if (have >= 8)
                {
                    frame.IcmpId = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
                    frame.IcmpSeq = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
                }
                frame.PayloadCaptured = Math.Max(have - 8, 0);
                int need = v6 ? Icmpv6FixedLength(frame.IcmpType) : 8;
                if (have < need)
                {
                    // ICMP reads type, code and byte 5 (the RFC 4884 length) before it names the message, then the
                    // rest of the first 8 bytes; ICMPv6 names the type at once, then reads code, checksum and the
                    // message's fixed part.
                    int end = have < 1 ? 1 : have < 2 ? 2 : v6 ? (have < 4 ? 4 : need) : (have < 6 ? 6 : 8);
                    CutAt(frame, v6 ? "icmpv6" : "icmp", end, declaredLength);
                    return default;
                }
                if (v6 && frame.IcmpType is >= 133 and <= 136) DecodeNeighborDiscovery(data, declaredLength, frame);
                // An error quoting a TCP segment returns that segment's payload (what tshark hands on from the quote).
                return IsIcmpError(protocol, frame.IcmpType) && have > 8 ? DecodeQuoted(data[8..], frame) : default;
            }
            default:
                frame.Transport = TransportKind.Other;
                frame.PayloadLength = declaredLength;
                return default;
        }
    }

    /// <summary>
    /// Neighbor discovery messages (RFC 4861 §4.1–4.4): Router Solicitation and Advertisement carry options after a
    /// fixed part; Neighbor Solicitation and Advertisement carry a target address, then options (type 1 source and
    /// type 2 target link-layer address; length in units of 8 bytes).
    /// </summary>
    private static void DecodeNeighborDiscovery(ReadOnlySpan<byte> d, int reported, Frame frame)
    {
        int optionsAt = frame.IcmpType switch { 133 => 8, 134 => 16, _ => 24 };
        if (frame.IcmpType is 135 or 136 && d.Length >= 24)
        {
            d.Slice(8, 16).CopyTo(frame.NdTarget);
            frame.NdHasTarget = true;
            frame.NdFlags = d[4];
        }
        byte wanted = frame.IcmpType == 136 ? (byte)2 : (byte)1;
        // Every option is read to its end (a length of zero ends the list): one cut short ends the message too.
        int pos = optionsAt;
        while (pos < d.Length)
        {
            if (pos + 2 > d.Length) { CutAt(frame, "icmpv6", pos + 2, reported); return; }
            int len = d[pos + 1] * 8;
            if (len == 0) return;
            if (pos + len > d.Length) { CutAt(frame, "icmpv6", pos + len, reported); return; }
            if (d[pos] == wanted && len >= 8 && frame.NdLinkAddrLength == 0)
            {
                int n = Math.Min(len - 2, 16);
                d.Slice(pos + 2, n).CopyTo(frame.NdLinkAddr);
                frame.NdLinkAddrLength = (byte)(len == 8 ? 6 : n);
            }
            pos += len;
        }
    }

    /// <summary>
    /// The bytes an ICMPv6 message must have for its fixed part to be read (RFC 4443 §3–4, RFC 4861 §4, RFC 2710 §3,
    /// RFC 3810 §5.2): echoes and router solicitation 8, router advertisement 16, neighbor solicitation and
    /// advertisement and MLD 24, redirect 40; an error's 8 and at least the first byte of the packet it quotes, which
    /// Wireshark reads as IPv6 whatever its length; other types are read no further than their checksum.
    /// </summary>
    private static int Icmpv6FixedLength(byte type) => type switch
    {
        1 or 2 or 3 or 4 => 9,
        128 or 129 or 133 or 143 => 8,
        134 => 16,
        130 or 131 or 132 or 135 or 136 => 24,
        137 => 40,
        _ => 4,
    };

    /// <summary>ICMP errors quote the datagram that caused them (RFC 792; RFC 4443 §2.4 for ICMPv6).</summary>
    private static bool IsIcmpError(byte protocol, byte type) => protocol == ProtoIcmp
        ? type is 3 or 4 or 5 or 11 or 12
        : type is 1 or 2 or 3 or 4;

    /// <summary>
    /// Reads the IP and TCP header quoted in an ICMP error, for conversation numbering, and returns the quoted TCP
    /// payload: the bytes after the whole TCP header (options included) that the quote holds, no more than the quoted
    /// IP header's length declares (empty when the header is cut short or is not TCP's).
    /// </summary>
    private static ReadOnlySpan<byte> DecodeQuoted(ReadOnlySpan<byte> q, Frame frame)
    {
        // tshark reads no more of a redirect's quote than RFC 792 promises: the IP header and 64 bits of data.
        if (frame.Transport == TransportKind.Icmp && frame.IcmpType == 5 && q.Length >= 20 && q[0] >> 4 == 4)
            q = q[..Math.Min(q.Length, Math.Max(20, (q[0] & 0x0f) * 4) + 8)];
        int keep = Math.Min(q.Length, 128);
        q[..keep].CopyTo(frame.Quoted);
        frame.QuotedLength = (byte)keep;
        IpAddress src, dst;
        ReadOnlySpan<byte> tcp;
        int declared; // the quoted IP payload's length, as its header says
        if (q.Length >= 20 && q[0] >> 4 == 4)
        {
            int ihl = (q[0] & 0x0f) * 4;
            if (ihl < 20 || q.Length < ihl || q[9] != ProtoTcp) return default;
            // A quoted fragment that is not the first carries no TCP header.
            if ((BinaryPrimitives.ReadUInt16BigEndian(q[6..]) & 0x1fff) != 0) return default;
            src = IpAddress.FromV4(q[12..]);
            dst = IpAddress.FromV4(q[16..]);
            tcp = q[ihl..];
            declared = BinaryPrimitives.ReadUInt16BigEndian(q[2..]) - ihl;
        }
        else if (q.Length >= 40 && q[0] >> 4 == 6)
        {
            if (q[6] != ProtoTcp) return default;
            src = IpAddress.FromV6(q[8..]);
            dst = IpAddress.FromV6(q[24..]);
            tcp = q[40..];
            declared = BinaryPrimitives.ReadUInt16BigEndian(q[4..]);
        }
        else return default;
        if (tcp.Length < TcpDecoder.ConversationHeaderLength) return default;
        frame.HasQuotedTcp = true;
        frame.QuotedSrc = src;
        frame.QuotedDst = dst;
        frame.QuotedSrcPort = BinaryPrimitives.ReadUInt16BigEndian(tcp);
        frame.QuotedDstPort = BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]);
        frame.QuotedSeq = BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]);
        frame.QuotedFlags = (TcpFlags)(BinaryPrimitives.ReadUInt16BigEndian(tcp[12..]) & 0x0fff);
        int headerLength = (tcp[12] >> 4) * 4;
        if (headerLength < TcpDecoder.MinHeaderLength || tcp.Length <= headerLength || declared <= headerLength) return default;
        var payload = tcp[headerLength..Math.Min(tcp.Length, declared)];
        frame.QuotedPayloadLength = payload.Length;
        return payload;
    }

    // UDP (RFC 768): src(2) dst(2) length(2) checksum(2). Read field by field as Wireshark does: the ports (then the
    // protocol is named), the length (a length below 8 ends the layer, without the checksum), the checksum.
    private static ReadOnlySpan<byte> DecodeUdp(ReadOnlySpan<byte> data, int declaredLength, Frame frame, bool cut)
    {
        _ = cut;
        frame.Transport = TransportKind.Udp;
        int have = data.Length;
        frame.TransportCaptured = have;
        if (have < 4) { CutAt(frame, "udp", have < 2 ? 2 : 4, declaredLength); return default; }
        frame.SrcPort = BinaryPrimitives.ReadUInt16BigEndian(data);
        frame.DstPort = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        frame.UdpIpPayload = declaredLength;
        if (have < 6) { CutAt(frame, "udp", 6, declaredLength); return default; }
        frame.UdpLength = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
        int len = frame.UdpLength;
        if (len < 8)
        {
            frame.AddNote(Severity.Error, "Malformed", "udp", $"Bad length value {len} < UDP header length 8");
            return default;
        }
        if (len > declaredLength)
            frame.AddNote(Severity.Error, "Malformed", "udp", $"Bad length value {len} > IP payload length");
        frame.PayloadLength = len - 8;
        if (have < 8) { CutAt(frame, "udp", 8, declaredLength); return default; }
        frame.UdpChecksum = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        var payload = data[8..Math.Min(len, have)];
        frame.PayloadCaptured = payload.Length;
        return payload;
    }
}
