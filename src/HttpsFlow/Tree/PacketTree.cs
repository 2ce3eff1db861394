using System.Buffers.Binary;
using HttpsFlow.Fields;
using HttpsFlow.Net;
using HttpsFlow.Tcp;
using static HttpsFlow.Tree.TreeText;

namespace HttpsFlow.Tree;

/// <summary>
/// A frame's detail tree, as tshark -V prints it: one top-level node per layer (Frame, Ethernet II / Linux cooked
/// capture, Internet Protocol, Transmission Control Protocol, Transport Layer Security, …), each line with its
/// Wireshark field name and the bytes it covers. Built from the decoded <see cref="Frame"/> (analysis values, names)
/// and the packet's captured bytes (where each header lies), once per frame during the single pass.
/// </summary>
public static class PacketTree
{
    /// <summary>Builds the tree of <paramref name="frame"/>.</summary>
    /// <param name="frame">The frame, as <see cref="Pipeline.Dissector.Next"/> returned it.</param>
    /// <param name="packetBytes">Its captured bytes (<see cref="Frame.CapturedBytes"/> with <see cref="Pipeline.Dissector.KeepPacketBytes"/>).</param>
    /// <param name="tls">What TLS saw in the frame (the dissector's <see cref="Pipeline.Dissector.TlsObserver"/>), or null for no TLS layer.</param>
    /// <returns>The top-level nodes. Never throws on bad bytes: a damaged packet ends with "[Malformed Packet: …]".</returns>
    public static List<TreeNode> Build(Frame frame, ReadOnlySpan<byte> packetBytes, TlsFrameStore? tls = null)
    {
        var roots = new List<TreeNode>();
        try
        {
            BuildLayers(frame, packetBytes, tls, roots);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of ours must not end the run: the tree says where it stopped.
            var bug = new TreeNode($"[Malformed Packet: httpsflow]", "_ws.malformed");
            bug.Add($"[Expert Info (Error/Malformed): tree builder bug: {e.GetType().Name}]", "_ws.expert");
            roots.Add(bug);
        }
        return roots;
    }

    private static void BuildLayers(Frame f, ReadOnlySpan<byte> p, TlsFrameStore? tls, List<TreeNode> roots)
    {
        int limit = Math.Min(p.Length, f.CapturedLength == 0 ? p.Length : f.CapturedLength);
        p = p[..limit];
        roots.Add(FrameNode(f, tls, limit));
        var link = LinkNode(f, p, out int linkLength);
        if (link is not null)
        {
            roots.Add(link);
            // 802.1Q tags are layers of their own after Ethernet, as tshark shows them.
            roots.AddRange(link.Children.Where(c => c.Field == "vlan"));
            link.Children.RemoveAll(c => c.Field == "vlan");
        }
        int ipOffset = linkLength;
        bool ipHere = f.Network is NetworkKind.IPv4 or NetworkKind.IPv6 && ipOffset < p.Length && p[ipOffset] >> 4 == f.IpVersion;
        if (ipHere)
        {
            var ip = f.Network == NetworkKind.IPv4 ? Ipv4Node(f, p, ipOffset) : Ipv6Node(f, p, ipOffset);
            roots.Add(ip);
        }
        if (ipHere && f.Fragment != FragmentState.Fragment && f.Transport == TransportKind.Tcp && f.Tcp.Stage != TcpStage.None)
        {
            // Bytes above a reassembled datagram are not this packet's: such a TCP header has no place in it.
            var region = f.Fragment == FragmentState.Reassembled ? Region.None : new Region(ipOffset + f.IpHeaderLength, p.Length);
            var tcp = TcpTree.Build(f, p, region);
            roots.Add(tcp);
            if (tls is not null && tls.Holds(f))
            {
                TlsTree.SegmentData(f, tls, tcp, region.At(f.Tcp.HeaderLength));
                TlsTree.Build(f, p, region.At(f.Tcp.HeaderLength), tls, roots);
            }
            else if (f.Upper == Tls.List.UpperKind.PgsqlSslRequest)
            {
                // PostgreSQL's SSLRequest (its answer has no tree): TCP hands it over as one 8-byte PDU.
                var payload = region.At(f.Tcp.HeaderLength);
                tcp.Add("[PDU Size: 8]", "tcp.pdu.size", payload, 0, 8);
                var pgsql = TreeNodeExtensions.Node("PostgreSQL", "pgsql", payload, 0, 8);
                pgsql.Add("Type: SSL request", "pgsql.type", payload, 0, 0);
                pgsql.Add("Length: 8", "pgsql.length", payload, 0, 4);
                roots.Add(pgsql);
            }
            else if (f.UnfinishedPduBytes > 0)
            {
                // Bytes that went, out of order, into a TLS record that had missed them; TLS does not read them.
                int n = f.UnfinishedPduBytes;
                tcp.Add($"TCP segment data ({n} byte{(n == 1 ? "" : "s")})", "tcp.segment_data", region.At(f.Tcp.HeaderLength), 0, n);
                if (f.ReassembledPieces.Count > 0) roots.Add(TcpTree.ReassembledPdu(f));
            }
        }
        else if (ipHere && f.Fragment == FragmentState.None && f.Transport == TransportKind.Udp)
        {
            int at = ipOffset + f.IpHeaderLength;
            roots.Add(OtherTrees.Udp(p, at, p.Length));
            if (f.PayloadCaptured > 0 && at + 8 + f.PayloadCaptured <= p.Length) roots.Add(OtherTrees.Data(p, at + 8, f.PayloadCaptured));
        }
        else if (ipHere && f.Transport is TransportKind.Icmp or TransportKind.Icmpv6 && f.Fragment == FragmentState.None)
        {
            int at = ipOffset + f.IpHeaderLength;
            int end = Math.Min(p.Length, at + f.TransportCaptured);
            var icmp = OtherTrees.Icmp(f, p, at, out int quotedAt);
            if (quotedAt >= 0) QuotedDatagram(f, p[..end], quotedAt, icmp, tls);
            roots.Add(icmp);
        }
        else if (f.Network == NetworkKind.Arp)
        {
            roots.Add(OtherTrees.Arp(f, p, linkLength));
        }
        if (f.SizeLimited)
        {
            string proto = LastNoteProtocol(f, "Packet size limited during capture");
            var cut = new TreeNode($"[Packet size limited during capture: {proto} truncated]", "_ws.short");
            roots.Add(cut);
        }
        if (f.Malformed)
        {
            var bad = new TreeNode($"[Malformed Packet: {Display(f.MalformedIn)}]", "_ws.malformed");
            foreach (var note in f.Notes)
                if (note.Severity == Common.Severity.Error)
                    bad.Add($"[Expert Info (Error/Malformed): {note.Message}]", "_ws.expert");
            roots.Add(bad);
        }
    }

    private static string LastNoteProtocol(Frame f, string message)
    {
        for (int i = f.Notes.Count - 1; i >= 0; i--)
            if (f.Notes[i].Message == message) return Display(f.Notes[i].Protocol);
        return Display(null);
    }

    /// <summary>Protocol names as tshark's short names show them ("tcp" → "TCP").</summary>
    private static string Display(string? protocol) => ExpertFieldEmitter.ProtocolName(protocol);

    // ---- frame ----

    private static TreeNode FrameNode(Frame f, TlsFrameStore? tls, int captured)
    {
        var node = new TreeNode(FrameFieldEmitter.FrameSummary(f), "frame", 0, captured);
        if (f.SectionNumber > 0) node.Add($"Section number: {f.SectionNumber}", "frame.section_number");
        if (f.HasInterfaceId)
        {
            string name = f.InterfaceName ?? "unknown";
            var iface = node.Add($"Interface id: {f.InterfaceId} ({name})", "frame.interface_id");
            iface.Add($"Interface name: {name}", "frame.interface_name");
            if (f.InterfaceDescription is { } description) iface.Add($"Interface description: {description}", "frame.interface_description");
        }
        node.Add($"Encapsulation type: {Encapsulation(f.LinkType)}", "frame.encap_type");
        node.Add($"Arrival Time: {Absolute(f.Time)}", "frame.time");
        node.Add("[Time shift for this packet: 0.000000000 seconds]", "frame.offset_shift");
        node.Add($"Epoch Time: {f.Time.Seconds}.{f.Time.Nanoseconds:D9} seconds", "frame.time_epoch");
        node.Add($"[Time delta from previous captured frame: {Seconds(f.TimeDelta)} seconds]", "frame.time_delta");
        node.Add($"[Time delta from previous displayed frame: {Seconds(f.TimeDelta)} seconds]", "frame.time_delta_displayed");
        node.Add($"[Time since reference or first frame: {Seconds(f.TimeRelative)} seconds]", "frame.time_relative");
        node.Add($"Frame Number: {f.Number}", "frame.number");
        node.Add($"Frame Length: {f.OriginalLength} bytes ({(long)f.OriginalLength * 8} bits)", "frame.len");
        node.Add($"Capture Length: {f.CapturedLength} bytes ({(long)f.CapturedLength * 8} bits)", "frame.cap_len");
        node.Add("[Frame is marked: False]", "frame.marked");
        node.Add("[Frame is ignored: False]", "frame.ignored");
        string? suffix = tls is not null && tls.Holds(f) ? tls.Emitter.ProtocolsSuffix(f, tls) : null;
        node.Add($"[Protocols in frame: {FrameFieldEmitter.Protocols(f, suffix)}]", "frame.protocols");
        return node;
    }

    /// <summary>tshark's encapsulation names and numbers (its own numbering, not the link-type's).</summary>
    private static string Encapsulation(uint linkType) => linkType switch
    {
        1 => "Ethernet (1)",
        113 => "Linux cooked-mode capture v1 (25)",
        276 => "Linux cooked-mode capture v2 (210)",
        0 => "NULL/Loopback (15)",
        108 => "OpenBSD loopback (130)",
        101 or 12 or 14 => "Raw IP (7)",
        228 => "Raw IPv4 (129)",
        229 => "Raw IPv6 (130)",
        _ => $"Unknown ({linkType})",
    };

    // ---- link ----

    private static TreeNode? LinkNode(Frame f, ReadOnlySpan<byte> p, out int length)
    {
        length = 0;
        var r = new Region(0, p.Length);
        switch (f.Link)
        {
            case LinkKind.Ethernet:
            {
                length = Math.Min(p.Length, 14 + 4 * f.VlanCount);
                var eth = TreeNodeExtensions.Node(FrameFieldEmitter.EthernetSummary(f), "eth", r, 0, 14);
                if (p.Length >= 6) MacNode(eth, "Destination", "eth.dst", p, 0);
                if (p.Length >= 12) MacNode(eth, "Source", "eth.src", p, 6);
                if (p.Length >= 14)
                {
                    ushort type = BinaryPrimitives.ReadUInt16BigEndian(p[12..]);
                    eth.Add($"Type: {EtherTypeName(type)} (0x{type:x4})", "eth.type", r, 12, 2);
                }
                for (int i = 0; i < f.VlanCount && 14 + 4 * i + 4 <= p.Length; i++)
                {
                    int at = 14 + 4 * i;
                    ushort tci = BinaryPrimitives.ReadUInt16BigEndian(p[at..]);
                    ushort type = BinaryPrimitives.ReadUInt16BigEndian(p[(at + 2)..]);
                    // Moved to the top level by the caller: the tag is a layer of its own in tshark's tree.
                    var vlan = TreeNodeExtensions.Node($"802.1Q Virtual LAN, PRI: {tci >> 13}, DEI: {(tci >> 12) & 1}, ID: {tci & 0xfff}", "vlan", r, at, 4);
                    vlan.Add(BitLine(tci, 16, 0xe000, $"Priority: {tci >> 13}"), "vlan.priority", r, at, 2);
                    vlan.Add(BitLine(tci, 16, 0x1000, $"DEI: {(tci >> 12) & 1}"), "vlan.dei", r, at, 2);
                    vlan.Add(BitLine(tci, 16, 0x0fff, $"ID: {tci & 0xfff}"), "vlan.id", r, at, 2);
                    vlan.Add($"Type: {EtherTypeName(type)} (0x{type:x4})", "vlan.etype", r, at + 2, 2);
                    eth.Children.Add(vlan);
                }
                return eth;
            }
            case LinkKind.LinuxSll:
            case LinkKind.LinuxSll2:
            {
                bool v2 = f.Link == LinkKind.LinuxSll2;
                length = Math.Min(p.Length, v2 ? 20 : 16);
                var sll = TreeNodeExtensions.Node(v2 ? "Linux cooked capture v2" : "Linux cooked capture v1", "sll", r, 0, length);
                string pktType = $"Packet type: {SllPacketType(f.SllPacketType)} ({f.SllPacketType})";
                string haType = $"Link-layer address type: {(f.SllHaType == 772 ? "Loopback" : f.SllHaType == 1 ? "Ethernet" : "Unknown")} ({f.SllHaType})";
                string proto = $"Protocol: {EtherTypeName(f.EtherType)} (0x{f.EtherType:x4})";
                int addrAt = v2 ? 12 : 6;
                if (v2)
                {
                    sll.Add(proto, "sll.etype", r, 0, 2);
                    if (p.Length >= 8) sll.Add($"Interface index: {BinaryPrimitives.ReadUInt32BigEndian(p[4..])}", "sll.ifindex", r, 4, 4);
                    sll.Add(haType, "sll.hatype", r, 8, 2);
                    sll.Add(pktType, "sll.pkttype", r, 10, 1);
                    sll.Add($"Link-layer address length: {f.LinkAddrLength}", "sll.halen", r, 11, 1);
                }
                else
                {
                    sll.Add(pktType, "sll.pkttype", r, 0, 2);
                    sll.Add(haType, "sll.hatype", r, 2, 2);
                    sll.Add($"Link-layer address length: {f.LinkAddrLength}", "sll.halen", r, 4, 2);
                }
                if (f.LinkAddrLength == 6 && p.Length >= addrAt + 8)
                {
                    sll.Add($"Source: {Mac(p.Slice(addrAt, 6))}", "sll.src.eth", r, addrAt, 6);
                    sll.Add($"Unused: {Hex(p.Slice(addrAt + 6, 2))}", "sll.unused", r, addrAt + 6, 2);
                }
                if (!v2) sll.Add(proto, "sll.etype", r, 14, 2);
                return sll;
            }
            case LinkKind.Null:
            case LinkKind.Loop:
                length = Math.Min(p.Length, 4);
                var nul = TreeNodeExtensions.Node("Null/Loopback", "null", r, 0, 4);
                if (p.Length >= 4)
                {
                    uint family = f.Link == LinkKind.Loop ? BinaryPrimitives.ReadUInt32BigEndian(p) : BinaryPrimitives.ReadUInt32LittleEndian(p);
                    nul.Add($"Family: {(family == 2 ? "IP" : family is 10 or 24 or 28 or 30 ? "IPv6" : "Unknown")} ({family})", "null.family", r, 0, 4);
                }
                return nul;
            case LinkKind.Raw:
                return TreeNodeExtensions.Node("Raw packet data", "raw", r, 0, p.Length);
        }
        return null;
    }

    private static void MacNode(TreeNode eth, string what, string field, ReadOnlySpan<byte> p, int at)
    {
        var r = new Region(0, p.Length);
        string mac = Mac(p.Slice(at, 6));
        var node = eth.Add($"{what}: {mac}", field, r, at, 6);
        node.Add($"Address: {mac}", "eth.addr", r, at, 6);
        uint first3 = (uint)(p[at] << 16 | p[at + 1] << 8 | p[at + 2]);
        string prefix = field; // eth.dst / eth.src
        node.Add(BitLine(first3, 24, 0x020000, "LG bit: " + ((p[at] & 2) != 0
            ? "Locally administered address (this is NOT the factory default)" : "Globally unique address (factory default)")), prefix + ".lg", r, at, 3);
        node.Add(BitLine(first3, 24, 0x010000, "IG bit: " + ((p[at] & 1) != 0
            ? "Group address (multicast/broadcast)" : "Individual address (unicast)")), prefix + ".ig", r, at, 3);
    }

    private static string Mac(ReadOnlySpan<byte> mac) => FrameFieldEmitter.Mac(mac);

    private static string SllPacketType(ushort type) => type switch
    {
        0 => "Unicast to us",
        1 => "Broadcast",
        2 => "Multicast",
        3 => "Unicast to another host",
        4 => "Sent by us",
        _ => "Unknown",
    };

    private static string EtherTypeName(ushort type) => type switch
    {
        0x0800 => "IPv4",
        0x86dd => "IPv6",
        0x0806 => "ARP",
        0x8100 => "802.1Q Virtual LAN",
        0x88a8 => "802.1ad Provider Bridge (Q-in-Q)",
        0x8864 => "PPPoE Session",
        0x8847 => "MPLS label switched packet",
        _ => "Unknown",
    };

    // ---- IP ----

    private static readonly string[] EcnShort = ["Not-ECT", "ECT(1)", "ECT(0)", "CE"];
    private static readonly string[] EcnLong =
        ["Not ECN-Capable Transport", "ECN-Capable Transport codepoint '01'", "ECN-Capable Transport codepoint '10'", "Congestion Experienced"];

    private static string DscpShort(int dscp) => dscp switch
    {
        0 => "CS0", 1 => "LE", 8 => "CS1", 10 => "AF11", 12 => "AF12", 14 => "AF13", 16 => "CS2", 18 => "AF21", 20 => "AF22",
        22 => "AF23", 24 => "CS3", 26 => "AF31", 28 => "AF32", 30 => "AF33", 32 => "CS4", 34 => "AF41", 36 => "AF42",
        38 => "AF43", 40 => "CS5", 44 => "VA", 46 => "EF", 48 => "CS6", 56 => "CS7", _ => "Unknown",
    };

    private static string DscpLong(int dscp) => dscp switch
    {
        0 => "Default", 1 => "Lower Effort", 44 => "Voice-Admit", 46 => "Expedited Forwarding",
        _ when dscp % 8 == 0 => $"Class Selector {dscp / 8}",
        _ when dscp is >= 10 and <= 38 && dscp % 2 == 0 && dscp % 8 is 2 or 4 or 6 => $"Assured Forwarding {dscp / 8}{dscp % 8 / 2}",
        _ => "Unknown",
    };

    private static string DsSummary(byte ds) => $"0x{ds:x2} (DSCP: {DscpShort(ds >> 2)}, ECN: {EcnShort[ds & 3]})";

    internal static string IpProtocolName(byte proto) => proto switch
    {
        1 => "ICMP", 2 => "IGMP", 6 => "TCP", 17 => "UDP", 41 => "IPv6", 47 => "GRE", 50 => "ESP", 51 => "AH",
        58 => "ICMPv6", 0 => "IPv6 Hop-by-Hop Option", 43 => "Routing Header for IPv6", 44 => "Fragment Header for IPv6",
        59 => "No Next Header for IPv6", 60 => "Destination Options for IPv6", 132 => "SCTP", _ => "Unknown",
    };

    /// <summary>
    /// The datagram an ICMP or ICMPv6 error quotes, added to its layer as tshark nests them: the IPv4 or IPv6 header,
    /// then the UDP or TCP header, then what TLS made of the quoted TCP payload (read on its own; see
    /// <see cref="TlsFrameStore.Quoted"/>).
    /// </summary>
    private static void QuotedDatagram(Frame f, ReadOnlySpan<byte> p, int at, TreeNode icmp, TlsFrameStore? tls)
    {
        int l4;
        byte proto;
        bool v6 = false;
        if (at + 20 <= p.Length && p[at] >> 4 == 4)
        {
            int ihl = (p[at] & 15) * 4;
            if (ihl < 20 || at + ihl > p.Length) return;
            icmp.Children.Add(Ipv4Node(f, p, at, quotedHeaderLength: ihl));
            (l4, proto) = (at + ihl, p[at + 9]);
        }
        else if (at + 40 <= p.Length && p[at] >> 4 == 6)
        {
            icmp.Children.Add(Ipv6Node(f, p, at, quoted: true));
            (l4, proto, v6) = (at + 40, p[at + 6], true);
        }
        else return;
        if (!v6 && f.IcmpType == 5) p = p[..Math.Min(p.Length, l4 + 8)]; // a redirect's quote: 64 bits of data (RFC 792)
        if (proto == PacketDecoder.ProtoUdp && l4 + 8 <= p.Length) icmp.Children.Add(OtherTrees.Udp(p, l4, p.Length));
        else if (proto == PacketDecoder.ProtoTcp && l4 + 4 <= p.Length)
        {
            var region = new Region(l4, p.Length);
            icmp.Children.Add(TcpTree.Quoted(f, p, region, p.Length - l4, v6));
            if (f.QuotedUpper == QuotedUpperKind.Tls && tls is not null && tls.Holds(f) && tls.Quoted)
            {
                int payloadAt = l4 + (p[l4 + 12] >> 4) * 4;
                TlsTree.Build(f, p, new Region(payloadAt, p.Length), tls, icmp.Children);
            }
        }
    }

    private static TreeNode Ipv4Node(Frame f, ReadOnlySpan<byte> p, int o, int quotedHeaderLength = 0)
    {
        var r = new Region(o, p.Length);
        bool quoted = quotedHeaderLength > 0;
        int headerLength = quoted ? quotedHeaderLength : f.IpHeaderLength;
        string summary = quoted ? $"Internet Protocol Version 4, Src: {IpAddress.FromV4(p[(o + 12)..])}, Dst: {IpAddress.FromV4(p[(o + 16)..])}"
            : f.HasIpAddresses ? $"Internet Protocol Version 4, Src: {f.Src}, Dst: {f.Dst}" : "Internet Protocol Version 4";
        var ip = TreeNodeExtensions.Node(summary, "ip", r, 0, Math.Max(headerLength, 20));
        var h = p[o..];
        int have = Math.Min(h.Length, headerLength == 0 ? 20 : headerLength);
        if (have < 1) return ip;
        ip.Add(BitLine(h[0], 8, 0xf0, "Version: 4"), "ip.version", r, 0, 1);
        ip.Add(BitLine(h[0], 8, 0x0f, $"Header Length: {(h[0] & 15) * 4} bytes ({h[0] & 15})"), "ip.hdr_len", r, 0, 1);
        if (have < 2) return ip;
        var ds = ip.Add($"Differentiated Services Field: {DsSummary(h[1])}", "ip.dsfield", r, 1, 1);
        ds.Add(BitLine(h[1], 8, 0xfc, $"Differentiated Services Codepoint: {DscpLong(h[1] >> 2)} ({h[1] >> 2})"), "ip.dsfield.dscp", r, 1, 1);
        ds.Add(BitLine(h[1], 8, 0x03, $"Explicit Congestion Notification: {EcnLong[h[1] & 3]} ({h[1] & 3})"), "ip.dsfield.ecn", r, 1, 1);
        if (have < 4) return ip;
        ip.Add($"Total Length: {BinaryPrimitives.ReadUInt16BigEndian(h[2..])}", "ip.len", r, 2, 2);
        if (have < 6) return ip;
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(h[4..]);
        ip.Add($"Identification: 0x{id:x4} ({id})", "ip.id", r, 4, 2);
        if (have < 8) return ip;
        int flags = h[6] >> 5;
        string flagText = flags switch
        {
            0 => "0x0",
            2 => "0x2, Don't fragment",
            1 => "0x1, More fragments",
            4 => "0x4, Reserved bit",
            _ => $"0x{flags:x}",
        };
        var fl = ip.Add(BitLine(h[6], 8, 0xe0, $"Flags: {flagText}"), "ip.flags", r, 6, 1);
        fl.Add(BitLine(h[6], 8, 0x80, $"Reserved bit: {SetText((h[6] & 0x80) != 0)}"), "ip.flags.rb", r, 6, 1);
        fl.Add(BitLine(h[6], 8, 0x40, $"Don't fragment: {SetText((h[6] & 0x40) != 0)}"), "ip.flags.df", r, 6, 1);
        fl.Add(BitLine(h[6], 8, 0x20, $"More fragments: {SetText((h[6] & 0x20) != 0)}"), "ip.flags.mf", r, 6, 1);
        ushort ff = BinaryPrimitives.ReadUInt16BigEndian(h[6..]);
        ip.Add(BitLine(ff, 16, 0x1fff, $"Fragment Offset: {(ff & 0x1fff) * 8}"), "ip.frag_offset", r, 6, 2);
        if (have < 9) return ip;
        ip.Add($"Time to Live: {h[8]}", "ip.ttl", r, 8, 1);
        if (have < 10) return ip;
        ip.Add($"Protocol: {IpProtocolName(h[9])} ({h[9]})", "ip.proto", r, 9, 1);
        if (have < 12) return ip;
        ip.Add($"Header Checksum: 0x{BinaryPrimitives.ReadUInt16BigEndian(h[10..]):x4} [validation disabled]", "ip.checksum", r, 10, 2);
        ip.Add("[Header checksum status: Unverified]", "ip.checksum.status");
        if (have >= 16) ip.Add($"Source Address: {IpAddress.FromV4(h[12..])}", "ip.src", r, 12, 4);
        if (have >= 20) ip.Add($"Destination Address: {IpAddress.FromV4(h[16..])}", "ip.dst", r, 16, 4);
        return ip;
    }

    private static TreeNode Ipv6Node(Frame f, ReadOnlySpan<byte> p, int o, bool quoted = false)
    {
        var r = new Region(o, p.Length);
        string summary = quoted ? $"Internet Protocol Version 6, Src: {IpAddress.FromV6(p[(o + 8)..])}, Dst: {IpAddress.FromV6(p[(o + 24)..])}"
            : f.HasIpAddresses ? $"Internet Protocol Version 6, Src: {f.Src}, Dst: {f.Dst}" : "Internet Protocol Version 6";
        var ip = TreeNodeExtensions.Node(summary, "ipv6", r, 0, quoted ? 40 : Math.Max(f.IpHeaderLength, (byte)40));
        var h = p[o..];
        if (h.Length < 1) return ip;
        ip.Add(BitLine(h[0], 8, 0xf0, "Version: 6"), "ipv6.version", r, 0, 1);
        if (h.Length < 4) return ip;
        uint first = BinaryPrimitives.ReadUInt32BigEndian(h);
        byte tc = (byte)(first >> 20);
        var tcNode = ip.Add(BitLine(first, 32, 0x0ff00000, $"Traffic Class: {DsSummary(tc)}"), "ipv6.tclass", r, 0, 4);
        tcNode.Add(BitLine(first, 32, 0x0fc00000, $"Differentiated Services Codepoint: {DscpLong(tc >> 2)} ({tc >> 2})"), "ipv6.tclass.dscp", r, 0, 4);
        tcNode.Add(BitLine(first, 32, 0x00300000, $"Explicit Congestion Notification: {EcnLong[tc & 3]} ({tc & 3})"), "ipv6.tclass.ecn", r, 0, 4);
        ip.Add(BitLine(first & 0xffffff, 24, 0x0fffff, $"Flow Label: 0x{first & 0xfffff:x5}"), "ipv6.flow", r, 1, 3);
        if (h.Length < 6) return ip;
        ip.Add($"Payload Length: {BinaryPrimitives.ReadUInt16BigEndian(h[4..])}", "ipv6.plen", r, 4, 2);
        if (h.Length < 7) return ip;
        ip.Add($"Next Header: {IpProtocolName(h[6])} ({h[6]})", "ipv6.nxt", r, 6, 1);
        if (h.Length < 8) return ip;
        ip.Add($"Hop Limit: {h[7]}", "ipv6.hlim", r, 7, 1);
        if (h.Length >= 24) ip.Add($"Source Address: {IpAddress.FromV6(h[8..])}", "ipv6.src", r, 8, 16);
        if (h.Length >= 40) ip.Add($"Destination Address: {IpAddress.FromV6(h[24..])}", "ipv6.dst", r, 24, 16);
        return ip;
    }
}
