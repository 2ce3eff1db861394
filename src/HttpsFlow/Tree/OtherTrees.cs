using System.Buffers.Binary;
using HttpsFlow.Net;
using static HttpsFlow.Tree.TreeText;

namespace HttpsFlow.Tree;

/// <summary>UDP (with the data it carries), ICMP and ICMPv6 (an error's quoted datagram is added by PacketTree), ARP.</summary>
internal static class OtherTrees
{
    /// <summary>The UDP header at <paramref name="at"/> of <paramref name="p"/> (the outer one, or one an ICMP error quotes).</summary>
    public static TreeNode Udp(ReadOnlySpan<byte> p, int at, int limit)
    {
        var r = new Region(at, limit);
        var h = p[at..Math.Min(limit, p.Length)];
        ushort sp = h.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(h) : (ushort)0;
        ushort dp = h.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(h[2..]) : (ushort)0;
        var udp = TreeNodeExtensions.Node($"User Datagram Protocol, Src Port: {sp}, Dst Port: {dp}", "udp", r, 0, 8);
        if (h.Length >= 2) udp.Add($"Source Port: {sp}", "udp.srcport", r, 0, 2);
        if (h.Length >= 4) udp.Add($"Destination Port: {dp}", "udp.dstport", r, 2, 2);
        if (h.Length >= 6) udp.Add($"Length: {BinaryPrimitives.ReadUInt16BigEndian(h[4..])}", "udp.length", r, 4, 2);
        if (h.Length < 8) return udp;
        udp.Add($"Checksum: 0x{BinaryPrimitives.ReadUInt16BigEndian(h[6..]):x4} [unverified]", "udp.checksum", r, 6, 2);
        udp.Add("[Checksum Status: Unverified]", "udp.checksum.status");
        if (h.Length > 8) udp.Add($"UDP payload ({h.Length - 8} byte{(h.Length == 9 ? "" : "s")})", "udp.payload", r, 8, h.Length - 8);
        return udp;
    }

    /// <summary>The "Data (N bytes)" layer tshark gives bytes no dissector claims.</summary>
    public static TreeNode Data(ReadOnlySpan<byte> p, int at, int length)
    {
        var r = new Region(at, p.Length);
        var data = TreeNodeExtensions.Node($"Data ({length} byte{(length == 1 ? "" : "s")})", "data", r, 0, length);
        data.Add($"Data: {HexShort(p.Slice(at, length))}", "data.data", r, 0, length);
        data.Add($"[Length: {length}]", "data.len");
        return data;
    }

    public static TreeNode Icmp(Frame f, ReadOnlySpan<byte> p, int at, out int quotedAt)
    {
        quotedAt = -1;
        bool v6 = f.Transport == TransportKind.Icmpv6;
        int end = Math.Min(p.Length, at + f.TransportCaptured);
        var m = p[at..end];
        var r = new Region(at, end);
        var icmp = TreeNodeExtensions.Node(v6 ? "Internet Control Message Protocol v6" : "Internet Control Message Protocol", v6 ? "icmpv6" : "icmp", r, 0, m.Length);
        string prefix = v6 ? "icmpv6" : "icmp";
        if (m.Length < 1) return icmp;
        byte type = m[0];
        string? typeName = v6 ? Icmpv6Type(type) : IcmpType(type);
        icmp.Add(v6 ? $"Type: {typeName ?? "Unknown"} ({type})" : $"Type: {type} ({typeName ?? "Unknown"})", prefix + ".type", r, 0, 1);
        if (m.Length < 2) return icmp;
        string? codeName = v6 ? Icmpv6Code(type, m[1]) : IcmpCode(type, m[1]);
        icmp.Add(codeName is null ? $"Code: {m[1]}" : $"Code: {m[1]} ({codeName})", prefix + ".code", r, 1, 1);
        if (m.Length < 4) return icmp;
        ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(m[2..]);
        if (m.Length == f.TransportCaptured && (!v6 || (f.HasIpAddresses && f.Network == NetworkKind.IPv6)))
        {
            ushort computed = v6 ? Icmpv6Checksum(f, m) : Checksum(m, 0);
            bool good = computed == 0;
            icmp.Add($"Checksum: 0x{checksum:x4} {(good ? "[correct]" : "[incorrect]")}", prefix + ".checksum", r, 2, 2);
            icmp.Add($"[Checksum Status: {(good ? "Good" : "Bad")}]", prefix + ".checksum.status");
        }
        else
        {
            icmp.Add($"Checksum: 0x{checksum:x4} [unverified]", prefix + ".checksum", r, 2, 2);
            icmp.Add("[Checksum Status: Unverified]", prefix + ".checksum.status");
        }
        bool echo = v6 ? type is 128 or 129 : type is 0 or 8;
        if (echo && m.Length >= 8)
        {
            ushort id = BinaryPrimitives.ReadUInt16BigEndian(m[4..]), seq = BinaryPrimitives.ReadUInt16BigEndian(m[6..]);
            if (v6)
            {
                icmp.Add($"Identifier: 0x{id:x4}", "icmpv6.echo.identifier", r, 4, 2);
                icmp.Add($"Sequence: {seq}", "icmpv6.echo.sequence_number", r, 6, 2);
                if (f.IcmpRequestFrame != 0) icmp.Add($"[Response To: {f.IcmpRequestFrame}]", "icmpv6.resp_to");
            }
            else
            {
                ushort idLe = BinaryPrimitives.ReverseEndianness(id), seqLe = BinaryPrimitives.ReverseEndianness(seq);
                icmp.Add($"Identifier (BE): {id} (0x{id:x4})", "icmp.ident", r, 4, 2);
                icmp.Add($"Identifier (LE): {idLe} (0x{idLe:x4})", "icmp.ident_le", r, 4, 2);
                icmp.Add($"Sequence Number (BE): {seq} (0x{seq:x4})", "icmp.seq", r, 6, 2);
                icmp.Add($"Sequence Number (LE): {seqLe} (0x{seqLe:x4})", "icmp.seq_le", r, 6, 2);
                if (f.IcmpRequestFrame != 0) icmp.Add($"[Request frame: {f.IcmpRequestFrame}]", "icmp.resp_to");
            }
            int dataAt = 8;
            if (!v6 && m.Length >= 16 && EchoTimestamp(f, m[8..16]) is { } sent)
            {
                // ping's struct timeval, read as tshark does: 32-bit seconds and microseconds, either byte order.
                icmp.Add($"Timestamp from icmp data: {Absolute(sent)}", "icmp.data_time", r, 8, 8);
                icmp.Add($"[Timestamp from icmp data (relative): {Seconds(f.Time.Subtract(sent))} seconds]", "icmp.data_time_relative");
                dataAt = 16;
            }
            if (m.Length > dataAt) icmp.Children.Add(Data(p, at + dataAt, m.Length - dataAt));
        }
        else if (!v6 && type is 3 or 4 or 5 or 11 or 12 && m.Length >= 8)
        {
            // The error's fixed part, then the datagram it quotes (the caller adds it).
            if (type == 3 && m[1] == 4)
            {
                icmp.Add($"Unused: {Hex(m[4..6])}", "icmp.unused", r, 4, 2);
                icmp.Add($"MTU of next hop: {BinaryPrimitives.ReadUInt16BigEndian(m[6..])}", "icmp.mtu", r, 6, 2);
            }
            else if (type == 12)
            {
                icmp.Add($"Pointer: {m[4]}", "icmp.pointer", r, 4, 1);
                icmp.Add($"Unused: {Hex(m[5..8])}", "icmp.unused", r, 5, 3);
            }
            else if (type == 5) icmp.Add($"Gateway Address: {IpAddress.FromV4(m[4..])}", "icmp.redir_gw", r, 4, 4);
            else if (type != 4) icmp.Add($"Unused: {Hex(m[4..8])}", "icmp.unused", r, 4, 4);
            quotedAt = at + 8;
        }
        else if (v6 && type is >= 1 and <= 4 && m.Length >= 8)
        {
            if (type == 2) icmp.Add($"MTU: {BinaryPrimitives.ReadUInt32BigEndian(m[4..])}", "icmpv6.mtu", r, 4, 4);
            else if (type == 4) icmp.Add($"Pointer: {BinaryPrimitives.ReadUInt32BigEndian(m[4..])}", "icmpv6.pointer", r, 4, 4);
            else icmp.Add($"Reserved: {Hex(m[4..8])}", "icmpv6.reserved", r, 4, 4);
            quotedAt = at + 8;
        }
        return icmp;
    }

    /// <summary>The send time ping puts after an echo header, when its seconds lie within a day of the frame's.</summary>
    private static Common.Timestamp? EchoTimestamp(Frame f, ReadOnlySpan<byte> eight)
    {
        foreach (bool little in new[] { true, false })
        {
            uint sec = little ? BinaryPrimitives.ReadUInt32LittleEndian(eight) : BinaryPrimitives.ReadUInt32BigEndian(eight);
            uint usec = little ? BinaryPrimitives.ReadUInt32LittleEndian(eight[4..]) : BinaryPrimitives.ReadUInt32BigEndian(eight[4..]);
            if (usec < 1_000_000 && Math.Abs((long)sec - f.Time.Seconds) <= 86_400) return new Common.Timestamp(sec, (int)usec * 1000);
        }
        return null;
    }

    private static string? IcmpType(byte type) => type switch
    {
        0 => "Echo (ping) reply", 3 => "Destination unreachable", 4 => "Source quench (flow control)", 5 => "Redirect",
        8 => "Echo (ping) request", 9 => "Router advertisement", 10 => "Router solicitation", 11 => "Time-to-live exceeded",
        12 => "Parameter problem", 13 => "Timestamp request", 14 => "Timestamp reply", _ => null,
    };

    private static string? IcmpCode(byte type, byte code) => type switch
    {
        3 => code switch
        {
            0 => "Network unreachable", 1 => "Host unreachable", 2 => "Protocol unreachable", 3 => "Port unreachable",
            4 => "Fragmentation needed", 5 => "Source route failed", 6 => "Destination network unknown", 7 => "Destination host unknown",
            8 => "Source host isolated", 9 => "Network administratively prohibited", 10 => "Host administratively prohibited",
            11 => "Network unreachable for TOS", 12 => "Host unreachable for TOS", 13 => "Communication administratively filtered",
            14 => "Host precedence violation", 15 => "Precedence cutoff in effect",
            _ => $"Unknown code: {code}",
        },
        5 => code switch
        {
            0 => "Redirect for network", 1 => "Redirect for host", 2 => "Redirect for TOS and network", 3 => "Redirect for TOS and host",
            _ => $"Unknown code: {code}",
        },
        11 => code switch { 0 => "Time to live exceeded in transit", 1 => "Fragment reassembly time exceeded", _ => $"Unknown code: {code}" },
        12 => code switch { 0 => "Pointer indicates the error", 1 => "Required option missing", 2 => "Bad length", _ => $"Unknown code: {code}" },
        _ => null,
    };

    /// <summary>The code names tshark gives ICMPv6 errors (RFC 4443 §3; null: the code alone, as for Packet Too Big).</summary>
    private static string? Icmpv6Code(byte type, byte code) => type switch
    {
        1 => code switch
        {
            0 => "no route to destination", 1 => "Administratively prohibited", 2 => "Beyond scope of source address",
            3 => "Address unreachable", 4 => "Port unreachable", 5 => "Source address failed ingress/egress policy",
            6 => "Reject route to destination", 7 => "Error in Source Routing Header", _ => "Unknown",
        },
        3 => code switch { 0 => "hop limit exceeded in transit", 1 => "fragment reassembly time exceeded", _ => $"Unknown ({code})" },
        4 => code switch
        {
            0 => "erroneous header field encountered", 1 => "unrecognized Next Header type encountered",
            2 => "unrecognized IPv6 option encountered", 3 => "IPv6 First Fragment has incomplete IPv6 Header Chain", _ => $"Unknown ({code})",
        },
        _ => null,
    };

    private static string? Icmpv6Type(byte type) => type switch
    {
        1 => "Destination Unreachable", 2 => "Packet Too Big", 3 => "Time Exceeded", 4 => "Parameter Problem",
        128 => "Echo (ping) request", 129 => "Echo (ping) reply", 133 => "Router Solicitation", 134 => "Router Advertisement",
        135 => "Neighbor Solicitation", 136 => "Neighbor Advertisement", 137 => "Redirect", _ => null,
    };

    /// <summary>The Internet checksum of <paramref name="data"/> (0 when a correct checksum is inside), from a running sum.</summary>
    private static ushort Checksum(ReadOnlySpan<byte> data, uint sum)
    {
        int i = 0;
        for (; i + 1 < data.Length; i += 2) sum += (uint)(data[i] << 8 | data[i + 1]);
        if (i < data.Length) sum += (uint)(data[i] << 8);
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }

    private static ushort Icmpv6Checksum(Frame f, ReadOnlySpan<byte> message)
    {
        // RFC 8200 §8.1 pseudo-header: source, destination, upper-layer length, next header 58.
        Span<byte> pseudo = stackalloc byte[40];
        f.Src.WriteV6(pseudo);
        f.Dst.WriteV6(pseudo[16..]);
        BinaryPrimitives.WriteUInt32BigEndian(pseudo[32..], (uint)message.Length);
        pseudo[39] = 58;
        uint sum = 0;
        for (int i = 0; i < 40; i += 2) sum += (uint)(pseudo[i] << 8 | pseudo[i + 1]);
        return Checksum(message, sum);
    }

    public static TreeNode Arp(Frame f, ReadOnlySpan<byte> p, int at)
    {
        var r = new Region(at, p.Length);
        var h = p[Math.Min(at, p.Length)..];
        string kind = f.ArpOpcode switch { 1 => "request", 2 => "reply", _ => "Unknown" };
        var arp = TreeNodeExtensions.Node($"Address Resolution Protocol ({kind})", "arp", r, 0, 28);
        if (h.Length < 8) return arp;
        ushort hw = BinaryPrimitives.ReadUInt16BigEndian(h), proto = BinaryPrimitives.ReadUInt16BigEndian(h[2..]);
        arp.Add($"Hardware type: {(hw == 1 ? "Ethernet" : "Unknown")} ({hw})", "arp.hw.type", r, 0, 2);
        arp.Add($"Protocol type: {(proto == 0x0800 ? "IPv4" : "Unknown")} (0x{proto:x4})", "arp.proto.type", r, 2, 2);
        arp.Add($"Hardware size: {h[4]}", "arp.hw.size", r, 4, 1);
        arp.Add($"Protocol size: {h[5]}", "arp.proto.size", r, 5, 1);
        arp.Add($"Opcode: {kind} ({f.ArpOpcode})", "arp.opcode", r, 6, 2);
        if (h.Length < 28 || h[4] != 6 || h[5] != 4) return arp;
        arp.Add($"Sender MAC address: {Fields.FrameFieldEmitter.Mac(h.Slice(8, 6))}", "arp.src.hw_mac", r, 8, 6);
        arp.Add($"Sender IP address: {IpAddress.FromV4(h[14..])}", "arp.src.proto_ipv4", r, 14, 4);
        arp.Add($"Target MAC address: {Fields.FrameFieldEmitter.Mac(h.Slice(18, 6))}", "arp.dst.hw_mac", r, 18, 6);
        arp.Add($"Target IP address: {IpAddress.FromV4(h[24..])}", "arp.dst.proto_ipv4", r, 24, 4);
        return arp;
    }
}
