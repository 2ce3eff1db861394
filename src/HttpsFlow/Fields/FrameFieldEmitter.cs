using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using HttpsFlow.Capture;
using HttpsFlow.Net;
using HttpsFlow.Tcp;

namespace HttpsFlow.Fields;

/// <summary>
/// Turns a decoded <see cref="Frame"/> into its fields, layer by layer, in the order of a detail tree. It runs only
/// for commands that need fields (`fields`; later `show`, `json`, filters), never on the packet-list path.
/// </summary>
public static class FrameFieldEmitter
{
    /// <param name="f">The frame.</param>
    /// <param name="set">Receives the fields (cleared first).</param>
    /// <param name="tls">What TLS saw in the frame (the dissector's <see cref="Pipeline.Dissector.TlsObserver"/>), or null for no tls.* fields.</param>
    public static void Emit(Frame f, FieldSet set, TlsFrameStore? tls = null)
    {
        set.Clear();
        EmitLayers(f, set, tls);
        // The expert notes come last: TLS and HTTP have collected theirs by now.
        ExpertFieldEmitter.Emit(f, set, tls);
    }

    private static void EmitLayers(Frame f, FieldSet set, TlsFrameStore? tls)
    {
        set.LayerGating = set.WantsOnlyProtocols(OwnProtocols);
        // A layer whose fields the set does not store is skipped whole (a display filter reads few fields, every frame).
        if (set.WantsLayer(FrameFields.Frame)) EmitFrame(f, set, tls);
        if (set.WantsByName(ColumnFields.Protocol)) set.AddText(ColumnFields.Protocol, Output.ListFormatter.ProtocolText(f));
        if (set.WantsByName(ColumnFields.Info)) set.AddText(ColumnFields.Info, Output.ListFormatter.InfoText(f));
        if (set.WantsLayer(LinkFields.Eth) || set.WantsLayer(LinkFields.Sll) || set.WantsLayer(LinkFields.Vlan)) EmitLink(f, set);
        bool ip = set.WantsLayer(IpFields.Ip) || set.WantsLayer(IpFields.Ipv6);
        if (ip && (f.HasIpAddresses || f.Network is NetworkKind.IPv4 or NetworkKind.IPv6)) EmitNetwork(f, set);
        if (f.Fragment == FragmentState.Fragment) return;
        // ICMP errors quote IP, TCP and UDP headers, shown as those protocols' fields.
        bool quoted = ip || set.WantsLayer(TcpFields.Tcp) || set.WantsLayer(OtherFields.Udp);
        switch (f.Transport)
        {
            case TransportKind.Tcp:
                // Layer gating is on only when every wanted field is one of this emitter's own protocols, so TLS
                // fields are always emitted when asked for.
                if (set.WantsLayer(TcpFields.Tcp)) EmitTcp(f, set);
                tls?.Emitter.Emit(f, tls, set);
                break;
            case TransportKind.Udp when set.WantsLayer(OtherFields.Udp): EmitUdp(f, set); break;
            case TransportKind.Icmp:
                EmitIcmp(f, set, tls, quoted, OtherFields.Icmp, "icmp", OtherFields.IcmpType, OtherFields.IcmpCode);
                break;
            case TransportKind.Icmpv6:
                EmitIcmp(f, set, tls, quoted, OtherFields.Icmpv6, "icmpv6", OtherFields.Icmpv6Type, OtherFields.Icmpv6Code);
                break;
        }
        if (f.Network == NetworkKind.Arp && set.WantsLayer(OtherFields.Arp))
        {
            ReadOnlySpan<byte> targetMac = f.ArpTargetMac;
            bool targetMacZero = !targetMac[..6].ContainsAnyExcept((byte)0);
            set.AddText(OtherFields.Arp, f.ArpOpcode switch
            {
                1 when f.ArpSenderIp == f.ArpTargetIp && targetMacZero => "Address Resolution Protocol (ARP Announcement)",
                1 when f.ArpSenderIp == 0 && targetMacZero => "Address Resolution Protocol (ARP Probe)",
                1 => "Address Resolution Protocol (request)",
                2 => "Address Resolution Protocol (reply)",
                _ => "Address Resolution Protocol",
            });
            set.AddInt(OtherFields.ArpOpcode, f.ArpOpcode);
            set.AddIp(OtherFields.ArpSrcIpv4, IpAddress.FromV4(BigEndian(f.ArpSenderIp)));
            set.AddIp(OtherFields.ArpDstIpv4, IpAddress.FromV4(BigEndian(f.ArpTargetIp)));
        }
    }

    private static byte[] BigEndian(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return b;
    }

    private static void EmitFrame(Frame f, FieldSet set, TlsFrameStore? tls)
    {
        if (set.WantsText(FrameFields.Frame)) set.AddText(FrameFields.Frame, FrameSummary(f));
        else set.AddPresence(FrameFields.Frame);
        if (f.HasInterfaceId) set.AddInt(FrameFields.InterfaceId, f.InterfaceId);
        set.AddAbsolute(FrameFields.Time, f.Time);
        set.AddTime(FrameFields.TimeEpoch, new Common.Duration(f.Time.Seconds, f.Time.Nanoseconds));
        set.AddTime(FrameFields.TimeDelta, f.TimeDelta);
        set.AddTime(FrameFields.TimeRelative, f.TimeRelative);
        set.AddInt(FrameFields.Number, f.Number);
        set.AddInt(FrameFields.Len, f.OriginalLength);
        set.AddInt(FrameFields.CapLen, f.CapturedLength);
        if (set.Wants(FrameFields.Protocols)) set.AddText(FrameFields.Protocols, Protocols(f, tls is not null && tls.Holds(f) ? tls.Emitter.ProtocolsSuffix(f, tls) : null));
    }

    /// <summary>The Frame layer's summary: "Frame 4: 583 bytes on wire (4664 bits), 583 bytes captured (4664 bits) on interface lo, id 0".</summary>
    public static string FrameSummary(Frame f)
    {
        string summary = $"Frame {f.Number}: {f.OriginalLength} byte{(f.OriginalLength == 1 ? "" : "s")} on wire ({(long)f.OriginalLength * 8} bits), "
            + $"{f.CapturedLength} byte{(f.CapturedLength == 1 ? "" : "s")} captured ({(long)f.CapturedLength * 8} bits)";
        if (f.HasInterfaceId)
            summary += $" on interface {f.InterfaceName ?? "unknown"}, id {f.InterfaceId}"; // pcapng without if_name: "unknown"
        return summary;
    }

    /// <summary>The Ethernet layer's summary (addresses never resolved).</summary>
    public static string EthernetSummary(Frame f)
    {
        ReadOnlySpan<byte> src = f.LinkSrc, dst = f.LinkDst;
        return $"Ethernet II, Src: {Mac(src[..6])}, Dst: {Mac(dst[..6])}";
    }

    /// <summary>The TCP layer's summary: "Transmission Control Protocol, Src Port: 56536, Dst Port: 443, Seq: 1, Ack: 1, Len: 517".</summary>
    public static string TcpSummary(Frame f)
    {
        ref var t = ref f.Tcp;
        var summary = new StringBuilder("Transmission Control Protocol, Src Port: ").Append(f.SrcPort).Append(", Dst Port: ").Append(f.DstPort);
        if (t.Stage == TcpStage.Header)
        {
            summary.Append(", Seq: ").Append(t.Seq);
            if (t.HeaderLength >= TcpDecoder.MinHeaderLength)
            {
                if (t.Has(TcpFlags.Ack)) summary.Append(", Ack: ").Append(t.Ack);
                if (t.LengthKnown) summary.Append(", Len: ").Append(f.PayloadLength);
            }
        }
        return summary.ToString();
    }

    /// <summary>frame.protocols: the chain of protocols tshark names, e.g. "eth:ethertype:ip:tcp".</summary>
    /// <param name="f">The frame.</param>
    /// <param name="tlsSuffix">The TLS part of the chain when the fields layer knows it: ":tls" once per time TCP handed bytes to TLS,
    /// with the X.509 dissectors its certificates called (":tls:x509sat:x509ce…"); null for ":tls".</param>
    public static string Protocols(Frame f, string? tlsSuffix = null)
    {
        var sb = new StringBuilder();
        switch (f.Link)
        {
            case LinkKind.Ethernet: sb.Append("eth:ethertype"); break;
            case LinkKind.LinuxSll:
            case LinkKind.LinuxSll2: sb.Append("sll:ethertype"); break;
            case LinkKind.Null:
            case LinkKind.Loop: sb.Append("null"); break;
            case LinkKind.Raw: sb.Append("raw"); break;
            default: sb.Append("data"); return sb.ToString();
        }
        for (int i = 0; i < f.VlanCount; i++) sb.Append(":vlan:ethertype");
        switch (f.Network)
        {
            case NetworkKind.IPv4: sb.Append(":ip"); break;
            case NetworkKind.IPv6: sb.Append(":ipv6"); break;
            case NetworkKind.Arp: sb.Append(":arp"); return sb.ToString();
            default:
                if (f.Link == LinkKind.Ethernet || f.Link is LinkKind.LinuxSll or LinkKind.LinuxSll2) sb.Append(":data");
                return sb.ToString();
        }
        if (f.Fragment == FragmentState.Fragment) return sb.Append(":data").ToString();
        switch (f.Transport)
        {
            case TransportKind.Tcp:
                if (f.Tcp.Stage == TcpStage.None) return sb.ToString();
                sb.Append(":tcp");
                if (f.Tcp.HasMptcp) sb.Append(":mptcp");
                // Retransmitted (but not fast-retransmitted) and out-of-order data is not handed to any protocol above
                // TCP, nor is an RST's payload.
                const TcpAnalysisFlags resent = TcpAnalysisFlags.Retransmission
                    | TcpAnalysisFlags.SpuriousRetransmission | TcpAnalysisFlags.OutOfOrder;
                switch (f.Upper)
                {
                    case Tls.List.UpperKind.Tls:
                    case Tls.List.UpperKind.TlsSegment:
                    case Tls.List.UpperKind.SegmentFirst: // TLS looked at it and asked for more: it is in the chain
                    case Tls.List.UpperKind.LostThenTls: // TLS took the bytes after a record that missed some
                        sb.Append(tlsSuffix ?? ":tls");
                        break;
                    case Tls.List.UpperKind.PgsqlSslRequest:
                        sb.Append(":pgsql");
                        break;
                    case Tls.List.UpperKind.PgsqlSslAnswer:
                        break; // PostgreSQL names it in the columns only, with no tree of its own
                    case Tls.List.UpperKind.SegmentMiddle:
                    case Tls.List.UpperKind.OverlapsReassembled:
                        break; // bytes held for a TLS record completed in a later frame: nothing above TCP yet
                    default:
                        if (f.PayloadCaptured > 0 && !f.Tcp.Has(TcpFlags.Rst) && (f.Tcp.Analysis & resent) == 0) sb.Append(":data");
                        break;
                }
                break;
            case TransportKind.Udp:
                sb.Append(":udp");
                // DTLS (the X.509 layers tshark adds for the certificates of a Certificate message are not named).
                if (f.Upper == Tls.List.UpperKind.Dtls) sb.Append(":dtls");
                else if (f.PayloadCaptured > 0) sb.Append(":data");
                break;
            case TransportKind.Other:
                if (f.PayloadLength > 0) sb.Append(":data");
                break;
            case TransportKind.Icmp:
            case TransportKind.Icmpv6:
                sb.Append(f.Transport == TransportKind.Icmp ? ":icmp" : ":icmpv6");
                ReadOnlySpan<byte> q = f.Quoted;
                q = q[..f.QuotedLength];
                int l4At = -1;
                byte proto = 0;
                if (q.Length >= 20 && q[0] >> 4 == 4 && (q[0] & 0x0f) * 4 is var ihl && ihl >= 20 && q.Length >= ihl)
                {
                    sb.Append(":ip");
                    (l4At, proto) = (ihl, q[9]);
                }
                else if (q.Length >= 40 && q[0] >> 4 == 6)
                {
                    sb.Append(":ipv6");
                    (l4At, proto) = (40, q[6]);
                }
                else if (f.PayloadCaptured > 0 && f.QuotedLength == 0 && f.IcmpType is 0 or 8 or 128 or 129) sb.Append(":data");
                if (l4At < 0) break;
                if (proto == PacketDecoder.ProtoUdp && q.Length >= l4At + 8) sb.Append(q.Length > l4At + 8 ? ":udp:data" : ":udp");
                else if (proto == PacketDecoder.ProtoTcp && q.Length >= l4At + 4)
                {
                    sb.Append(":tcp");
                    if (f.QuotedUpper == QuotedUpperKind.Tls) sb.Append(tlsSuffix ?? ":tls");
                    else if (f.QuotedUpper == QuotedUpperKind.Data) sb.Append(":data");
                }
                break;
        }
        return sb.ToString();
    }

    private static void EmitLink(Frame f, FieldSet set)
    {
        ReadOnlySpan<byte> src = f.LinkSrc, dst = f.LinkDst;
        switch (f.Link)
        {
            case LinkKind.Ethernet:
                if (set.WantsText(LinkFields.Eth)) set.AddText(LinkFields.Eth, EthernetSummary(f));
                else set.AddPresence(LinkFields.Eth);
                set.AddBytes(LinkFields.EthDst, dst[..6]);
                set.AddBytes(LinkFields.EthAddr, dst[..6]);
                set.AddBytes(LinkFields.EthSrc, src[..6]);
                set.AddBytes(LinkFields.EthAddr, src[..6]);
                set.AddInt(LinkFields.EthType, f.VlanCount > 0 ? PacketDecoder.EtherTypeVlan : f.EtherType);
                if (f.VlanCount > 0)
                {
                    set.AddPresence(LinkFields.Vlan);
                    set.AddInt(LinkFields.VlanId, f.VlanId0);
                    set.AddInt(LinkFields.VlanEtype, f.VlanCount > 1 ? PacketDecoder.EtherTypeVlan : f.EtherType);
                    if (f.VlanCount > 1)
                    {
                        set.AddPresence(LinkFields.Vlan);
                        set.AddInt(LinkFields.VlanId, f.VlanId1);
                        set.AddInt(LinkFields.VlanEtype, f.EtherType);
                    }
                }
                break;
            case LinkKind.LinuxSll:
            case LinkKind.LinuxSll2:
                set.AddText(LinkFields.Sll, f.Link == LinkKind.LinuxSll2 ? "Linux cooked capture v2" : "Linux cooked capture v1");
                set.AddInt(LinkFields.SllPktType, f.SllPacketType);
                set.AddInt(LinkFields.SllHaType, f.SllHaType);
                set.AddInt(LinkFields.SllHaLen, f.LinkAddrLength);
                if (f.LinkAddrLength == 6) set.AddBytes(LinkFields.SllSrcEth, src[..6]);
                set.AddInt(LinkFields.SllEtype, f.EtherType);
                break;
        }
    }

    internal static string Mac(ReadOnlySpan<byte> mac)
    {
        Span<char> buf = stackalloc char[18];
        AddressFormat.TryFormatMac(mac, buf, out int n);
        return new string(buf[..n]);
    }

    private static void EmitNetwork(Frame f, FieldSet set)
    {
        if (f.Network == NetworkKind.IPv4)
        {
            if (!set.WantsText(IpFields.Ip)) set.AddPresence(IpFields.Ip);
            else if (f.HasIpAddresses) set.AddText(IpFields.Ip, $"Internet Protocol Version 4, Src: {f.Src}, Dst: {f.Dst}");
            else set.AddText(IpFields.Ip, "ip");
            // A header the capture cut short shows the fields that fit (each field's last byte present).
            int have = set.WantsAny(Ipv4HeaderFields) ? f.IpHeaderCaptured : 0;
            if (have >= 1)
            {
                set.AddInt(IpFields.Version, 4);
                set.AddInt(IpFields.HdrLen, f.IpHeaderLength);
            }
            if (have >= 2) set.AddInt(IpFields.DsField, f.IpDsfield);
            if (have >= 4) set.AddInt(IpFields.Len, f.IpTotalLength);
            if (have >= 6) set.AddInt(IpFields.Id, f.IpId);
            if (have >= 8)
            {
                set.AddInt(IpFields.Flags, f.IpFlags);
                set.AddBool(IpFields.FlagsRb, (f.IpFlags & 4) != 0);
                set.AddBool(IpFields.FlagsDf, (f.IpFlags & 2) != 0);
                set.AddBool(IpFields.FlagsMf, (f.IpFlags & 1) != 0);
                set.AddInt(IpFields.FragOffset, f.IpFragmentOffset / 8);
            }
            if (have >= 9) set.AddInt(IpFields.Ttl, f.IpTtl);
            if (have >= 10) set.AddInt(IpFields.Proto, f.IpProtocol);
            if (have >= 12) set.AddInt(IpFields.Checksum, f.IpChecksum);
            if (f.HasIpAddresses)
            {
                set.AddIp(IpFields.Src, f.Src);
                set.AddIp(IpFields.Addr, f.Src);
                set.AddIp(IpFields.Dst, f.Dst);
                set.AddIp(IpFields.Addr, f.Dst);
            }
        }
        else
        {
            if (!set.WantsText(IpFields.Ipv6)) set.AddPresence(IpFields.Ipv6);
            else if (f.HasIpAddresses) set.AddText(IpFields.Ipv6, $"Internet Protocol Version 6, Src: {f.Src}, Dst: {f.Dst}");
            else set.AddPresence(IpFields.Ipv6);
            set.AddInt(IpFields.Version, 6); // the IPv6 tree shows ip.version too
            set.AddInt(IpFields.V6Version, 6);
            set.AddInt(IpFields.V6TClass, f.IpDsfield);
            set.AddInt(IpFields.V6Flow, f.Ipv6FlowLabel);
            set.AddInt(IpFields.V6Plen, f.Ipv6PayloadLength);
            set.AddInt(IpFields.V6Nxt, f.Ipv6NextHeader);
            set.AddInt(IpFields.V6Hlim, f.IpTtl);
            if (f.HasIpAddresses)
            {
                set.AddIp(IpFields.V6Src, f.Src);
                set.AddIp(IpFields.V6Addr, f.Src);
                set.AddIp(IpFields.V6Dst, f.Dst);
                set.AddIp(IpFields.V6Addr, f.Dst);
            }
        }
    }

    /// <summary>
    /// The datagram an ICMP error quotes: tshark dissects its IPv4 or IPv6 header and its TCP or UDP header, so their
    /// fields appear a second time in the frame (after the outer ones). Quoted TCP numbers stay raw; a quoted TCP header
    /// counts in its connection's timestamps, and its payload follows (what TLS made of it comes after, from the store).
    /// </summary>
    /// <summary>ICMP or ICMPv6: type and code, the datagram an error quotes, and TLS's reading of its TCP payload.</summary>
    private static void EmitIcmp(Frame f, FieldSet set, TlsFrameStore? tls, bool quoted, FieldDef layer, string name, FieldDef type, FieldDef code)
    {
        if (quoted || set.WantsLayer(layer))
        {
            set.AddText(layer, name);
            set.AddInt(type, f.IcmpType);
            set.AddInt(code, f.IcmpCode);
            EmitQuoted(f, set);
        }
        // TLS fields are always emitted when asked for.
        if (f.QuotedUpper == QuotedUpperKind.Tls) tls?.Emitter.Emit(f, tls, set);
    }

    private static void EmitQuoted(Frame f, FieldSet set)
    {
        ReadOnlySpan<byte> q = f.Quoted;
        q = q[..f.QuotedLength];
        ReadOnlySpan<byte> l4;
        byte proto;
        bool v6 = false;
        if (q.Length >= 20 && q[0] >> 4 == 4)
        {
            int ihl = (q[0] & 0x0f) * 4;
            if (ihl < 20 || q.Length < ihl) return;
            EmitQuotedIpv4(q, ihl, set);
            l4 = q[ihl..];
            proto = q[9];
        }
        else if (q.Length >= 40 && q[0] >> 4 == 6)
        {
            EmitQuotedIpv6(q, set);
            l4 = q[40..];
            proto = q[6];
            v6 = true;
        }
        else return;
        if (proto == PacketDecoder.ProtoUdp && l4.Length >= 8)
        {
            ushort sp = BinaryPrimitives.ReadUInt16BigEndian(l4), dp = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
            if (set.WantsText(OtherFields.Udp)) set.AddText(OtherFields.Udp, $"User Datagram Protocol, Src Port: {sp}, Dst Port: {dp}");
            else set.AddPresence(OtherFields.Udp);
            set.AddInt(OtherFields.UdpSrcPort, sp);
            set.AddInt(OtherFields.UdpDstPort, dp);
            set.AddInt(OtherFields.UdpPort, sp);
            set.AddInt(OtherFields.UdpPort, dp);
            set.AddInt(OtherFields.UdpLength, BinaryPrimitives.ReadUInt16BigEndian(l4[4..]));
            set.AddInt(OtherFields.UdpChecksum, BinaryPrimitives.ReadUInt16BigEndian(l4[6..]));
        }
        else if (proto == PacketDecoder.ProtoTcp && l4.Length >= 4)
            EmitQuotedTcp(f, l4, v6, set);
    }

    private static void EmitQuotedIpv4(ReadOnlySpan<byte> q, int ihl, FieldSet set)
    {
        var src = IpAddress.FromV4(q[12..]);
        var dst = IpAddress.FromV4(q[16..]);
        if (set.WantsText(IpFields.Ip)) set.AddText(IpFields.Ip, $"Internet Protocol Version 4, Src: {src}, Dst: {dst}");
        else set.AddPresence(IpFields.Ip);
        set.AddInt(IpFields.Version, 4);
        set.AddInt(IpFields.HdrLen, ihl);
        set.AddInt(IpFields.DsField, q[1]);
        set.AddInt(IpFields.Len, BinaryPrimitives.ReadUInt16BigEndian(q[2..]));
        set.AddInt(IpFields.Id, BinaryPrimitives.ReadUInt16BigEndian(q[4..]));
        int ff = BinaryPrimitives.ReadUInt16BigEndian(q[6..]);
        set.AddInt(IpFields.Flags, ff >> 13);
        set.AddBool(IpFields.FlagsRb, (ff & 0x8000) != 0);
        set.AddBool(IpFields.FlagsDf, (ff & 0x4000) != 0);
        set.AddBool(IpFields.FlagsMf, (ff & 0x2000) != 0);
        set.AddInt(IpFields.FragOffset, ff & 0x1fff);
        set.AddInt(IpFields.Ttl, q[8]);
        set.AddInt(IpFields.Proto, q[9]);
        set.AddInt(IpFields.Checksum, BinaryPrimitives.ReadUInt16BigEndian(q[10..]));
        set.AddIp(IpFields.Src, src);
        set.AddIp(IpFields.Addr, src);
        set.AddIp(IpFields.Dst, dst);
        set.AddIp(IpFields.Addr, dst);
    }

    private static void EmitQuotedIpv6(ReadOnlySpan<byte> q, FieldSet set)
    {
        var src = IpAddress.FromV6(q[8..]);
        var dst = IpAddress.FromV6(q[24..]);
        if (set.WantsText(IpFields.Ipv6)) set.AddText(IpFields.Ipv6, $"Internet Protocol Version 6, Src: {src}, Dst: {dst}");
        else set.AddPresence(IpFields.Ipv6);
        uint first = BinaryPrimitives.ReadUInt32BigEndian(q);
        set.AddInt(IpFields.Version, 6); // the IPv6 tree shows ip.version too
        set.AddInt(IpFields.V6Version, 6);
        set.AddInt(IpFields.V6TClass, (first >> 20) & 0xff);
        set.AddInt(IpFields.V6Flow, first & 0xfffff);
        set.AddInt(IpFields.V6Plen, BinaryPrimitives.ReadUInt16BigEndian(q[4..]));
        set.AddInt(IpFields.V6Nxt, q[6]);
        set.AddInt(IpFields.V6Hlim, q[7]);
        set.AddIp(IpFields.V6Src, src);
        set.AddIp(IpFields.V6Addr, src);
        set.AddIp(IpFields.V6Dst, dst);
        set.AddIp(IpFields.V6Addr, dst);
    }

    /// <summary>
    /// Where the transport header of the datagram an ICMP error quotes starts in <see cref="Frame.Quoted"/> (after its
    /// IPv4 header, options included, or its fixed IPv6 header), with the protocol it names; -1 when the quote holds no
    /// whole IP header.
    /// </summary>
    internal static int QuotedTransportOffset(Frame f, out byte protocol)
    {
        ReadOnlySpan<byte> q = f.Quoted;
        q = q[..f.QuotedLength];
        protocol = 0;
        if (q.Length >= 20 && q[0] >> 4 == 4)
        {
            int ihl = (q[0] & 0x0f) * 4;
            if (ihl < 20 || q.Length < ihl) return -1;
            protocol = q[9];
            return ihl;
        }
        if (q.Length >= 40 && q[0] >> 4 == 6)
        {
            protocol = q[6];
            return 40;
        }
        return -1;
    }

    /// <summary>
    /// The summary of a TCP header quoted in an ICMP error (<paramref name="h"/>, 4 bytes at least): the ports, and
    /// from 16 bytes on the raw sequence number and, with ACK set, the raw acknowledgment number.
    /// </summary>
    public static string QuotedTcpSummary(ReadOnlySpan<byte> h)
    {
        var summary = new StringBuilder("Transmission Control Protocol, Src Port: ").Append(BinaryPrimitives.ReadUInt16BigEndian(h))
            .Append(", Dst Port: ").Append(BinaryPrimitives.ReadUInt16BigEndian(h[2..]));
        if (h.Length < TcpDecoder.ConversationHeaderLength) return summary.ToString();
        summary.Append(", Seq: ").Append(BinaryPrimitives.ReadUInt32BigEndian(h[4..]));
        if ((h[13] & 0x10) != 0) summary.Append(", Ack: ").Append(BinaryPrimitives.ReadUInt32BigEndian(h[8..]));
        return summary.ToString();
    }

    /// <summary>
    /// A quoted TCP header (4 bytes at least), in the order tshark's tree has it: the ports; with fewer than 16 bytes
    /// the sequence number alone (from 8, inside ICMP only); then inside ICMP the sequence number before the stream index, while
    /// ICMPv6's quote has the stream first and the raw sequence number too; the checksum, urgent pointer, options and
    /// timestamps once the fixed 20 bytes are there; the payload.
    /// </summary>
    private static void EmitQuotedTcp(Frame f, ReadOnlySpan<byte> l4, bool v6, FieldSet set)
    {
        ushort sp = BinaryPrimitives.ReadUInt16BigEndian(l4), dp = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
        if (set.WantsText(TcpFields.Tcp)) set.AddText(TcpFields.Tcp, QuotedTcpSummary(l4));
        else set.AddPresence(TcpFields.Tcp);
        set.AddInt(TcpFields.SrcPort, sp);
        set.AddInt(TcpFields.DstPort, dp);
        set.AddInt(TcpFields.Port, sp);
        set.AddInt(TcpFields.Port, dp);
        uint seq = l4.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(l4[4..]) : 0;
        if (l4.Length < TcpDecoder.ConversationHeaderLength)
        {
            if (l4.Length >= 8 && !v6) set.AddInt(TcpFields.Seq, seq);
            return;
        }
        uint ack = BinaryPrimitives.ReadUInt32BigEndian(l4[8..]);
        int offFlags = BinaryPrimitives.ReadUInt16BigEndian(l4[12..]);
        int headerLength = (offFlags >> 12) * 4;
        var flags = (TcpFlags)(offFlags & 0xfff);
        if (!v6) set.AddInt(TcpFields.Seq, seq);
        if (f.QuotedStream >= 0)
        {
            set.AddInt(TcpFields.Stream, f.QuotedStream);
            set.AddInt(TcpFields.Completeness, f.QuotedCompleteness);
        }
        if (v6)
        {
            set.AddInt(TcpFields.Seq, seq);
            set.AddInt(TcpFields.SeqRaw, seq);
        }
        set.AddInt(TcpFields.Ack, ack);
        set.AddInt(TcpFields.AckRaw, ack);
        set.AddInt(TcpFields.HdrLen, headerLength);
        if (headerLength < TcpDecoder.MinHeaderLength) return;
        set.AddInt(TcpFields.Flags, offFlags & 0xfff);
        AddFlagBits(set, offFlags & 0xfff);
        if (set.Wants(TcpFields.FlagsStr)) set.AddText(TcpFields.FlagsStr, FlagsString(flags));
        ushort window = BinaryPrimitives.ReadUInt16BigEndian(l4[14..]);
        set.AddInt(TcpFields.WindowSizeValue, window);
        set.AddInt(TcpFields.WindowSize, window); // never scaled inside an error
        if ((flags & TcpFlags.Syn) == 0) set.AddInt(TcpFields.WindowSizeScaleFactor, f.QuotedWindowScaleFactor);
        if (l4.Length < 18) return;
        set.AddInt(TcpFields.Checksum, BinaryPrimitives.ReadUInt16BigEndian(l4[16..]));
        if (l4.Length < TcpDecoder.MinHeaderLength) return;
        set.AddInt(TcpFields.UrgentPointer, BinaryPrimitives.ReadUInt16BigEndian(l4[18..]));
        int area = headerLength - TcpDecoder.MinHeaderLength;
        if (area > 0 && l4.Length > TcpDecoder.MinHeaderLength && set.WantsAny(OptionFields))
            EmitOptions(l4[TcpDecoder.MinHeaderLength..Math.Min(l4.Length, headerLength)], area, 0, set);
        if (f.QuotedStream >= 0)
        {
            set.AddTime(TcpFields.TimeRelative, f.QuotedTimeRelative);
            set.AddTime(TcpFields.TimeDelta, f.QuotedTimeDelta);
        }
        int n = f.QuotedPayloadLength;
        if (n > 0 && f.PayloadBytes.Length >= n) set.AddBytes(TcpFields.Payload, f.PayloadBytes.AsSpan(0, n));
    }

    private static void EmitUdp(Frame f, FieldSet set)
    {
        if (set.WantsText(OtherFields.Udp)) set.AddText(OtherFields.Udp, $"User Datagram Protocol, Src Port: {f.SrcPort}, Dst Port: {f.DstPort}");
        else set.AddPresence(OtherFields.Udp);
        set.AddInt(OtherFields.UdpSrcPort, f.SrcPort);
        set.AddInt(OtherFields.UdpDstPort, f.DstPort);
        set.AddInt(OtherFields.UdpPort, f.SrcPort);
        set.AddInt(OtherFields.UdpPort, f.DstPort);
        set.AddInt(OtherFields.UdpLength, f.UdpLength);
        set.AddInt(OtherFields.UdpChecksum, f.UdpChecksum);
    }

    private static void EmitTcp(Frame f, FieldSet set)
    {
        ref var t = ref f.Tcp;
        if (t.Stage == TcpStage.None) return;
        if (set.WantsText(TcpFields.Tcp)) set.AddText(TcpFields.Tcp, TcpSummary(f));
        else set.AddPresence(TcpFields.Tcp);
        set.AddInt(TcpFields.SrcPort, f.SrcPort);
        set.AddInt(TcpFields.DstPort, f.DstPort);
        set.AddInt(TcpFields.Port, f.SrcPort);
        set.AddInt(TcpFields.Port, f.DstPort);
        if (t.Stage != TcpStage.Header || !set.WantsAny(TcpAfterPorts)) return;
        if (t.Stream >= 0)
        {
            set.AddInt(TcpFields.Stream, t.Stream);
            set.AddInt(TcpFields.Completeness, t.Completeness);
        }
        if (t.LengthKnown) set.AddInt(TcpFields.Len, f.PayloadLength);
        set.AddInt(TcpFields.Seq, t.Seq);
        set.AddInt(TcpFields.SeqRaw, t.SeqRaw);
        if (t.HeaderLength < TcpDecoder.MinHeaderLength)
        {
            // tshark stops after the header length when it is impossible.
            set.AddInt(TcpFields.HdrLen, t.HeaderLength);
            return;
        }
        if (t.LengthKnown) set.AddInt(TcpFields.NxtSeq, t.NextSeq);
        set.AddInt(TcpFields.Ack, t.Ack);
        set.AddInt(TcpFields.AckRaw, t.AckRaw);
        set.AddInt(TcpFields.HdrLen, t.HeaderLength);
        var flags = (int)t.Flags;
        set.AddInt(TcpFields.Flags, flags);
        AddFlagBits(set, flags, t.AceMode);
        if (set.Wants(TcpFields.FlagsStr)) set.AddText(TcpFields.FlagsStr, FlagsString(t.Flags));
        set.AddInt(TcpFields.WindowSizeValue, t.WindowValue);
        set.AddInt(TcpFields.WindowSize, t.WindowSize);
        if (t.LengthKnown && !t.Has(TcpFlags.Syn)) set.AddInt(TcpFields.WindowSizeScaleFactor, t.WindowScaleFactor);
        if (t.HeaderLength < TcpDecoder.MinHeaderLength || t.Captured < TcpDecoder.MinHeaderLength) return;
        set.AddInt(TcpFields.Checksum, t.Checksum);
        set.AddInt(TcpFields.UrgentPointer, t.UrgentPointer);
        if (set.WantsAny(OptionFields)) EmitOptions(f, set);
        if (set.WantsAny(AnalysisFields)) EmitAnalysis(f, set);
        if (f.ReassembledSegments.Count > 1)
        {
            // The segments TCP reassembled for the PDU this frame completes (tshark's single pass names them here; the
            // earlier segments learn "reassembled in" only in a second pass).
            set.AddPresence(TcpFields.Segments);
            foreach (long frame in f.ReassembledSegments) set.AddInt(TcpFields.Segment, frame);
            set.AddInt(TcpFields.SegmentCount, f.ReassembledSegments.Count);
            set.AddInt(TcpFields.ReassembledLength, f.ReassembledLength);
        }
        if (t.LengthKnown && f.PayloadCaptured > 0 && f.PayloadBytes.Length >= f.PayloadCaptured)
        {
            set.AddTime(TcpFields.TimeRelative, t.TimeRelative);
            set.AddTime(TcpFields.TimeDelta, t.TimeDelta);
            set.AddBytes(TcpFields.Payload, f.PayloadBytes.AsSpan(0, f.PayloadCaptured));
        }
        else if (t.Stream >= 0)
        {
            set.AddTime(TcpFields.TimeRelative, t.TimeRelative);
            set.AddTime(TcpFields.TimeDelta, t.TimeDelta);
        }
    }

    private static void AddFlagBits(FieldSet set, int flags, bool aceMode = false)
    {
        set.AddBool(TcpFields.FlagsRes, (flags & 0xe00) != 0);
        if (!aceMode)
        {
            // With Accurate ECN the three bits are one counter (tcp.flags.ace), not three flags.
            set.AddBool(TcpFields.FlagsAe, (flags & 0x100) != 0);
            set.AddBool(TcpFields.FlagsCwr, (flags & 0x80) != 0);
            set.AddBool(TcpFields.FlagsEce, (flags & 0x40) != 0);
        }
        set.AddBool(TcpFields.FlagsUrg, (flags & 0x20) != 0);
        set.AddBool(TcpFields.FlagsAck, (flags & 0x10) != 0);
        set.AddBool(TcpFields.FlagsPush, (flags & 0x8) != 0);
        set.AddBool(TcpFields.FlagsReset, (flags & 0x4) != 0);
        set.AddBool(TcpFields.FlagsSyn, (flags & 0x2) != 0);
        set.AddBool(TcpFields.FlagsFin, (flags & 0x1) != 0);
    }

    /// <summary>tcp.flags.str: twelve places, reserved bits first, a letter where the flag is set, '·' elsewhere.</summary>
    public static string FlagsString(TcpFlags flags)
    {
        // Bits 11..0: Reserved ×3, AE, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN.
        const string letters = "RRRACEUAPRSF";
        Span<char> s = stackalloc char[12];
        for (int i = 0; i < 12; i++)
        {
            int bit = 11 - i;
            s[i] = ((int)flags & (1 << bit)) != 0 ? letters[i] : '\u00b7';
        }
        return new string(s);
    }

    /// <summary>The protocols this emitter emits every field of: layers are skipped only when the set wants no others.</summary>
    private static readonly HashSet<string> OwnProtocols = ["frame", "eth", "sll", "vlan", "ip", "ipv6", "tcp", "udp", "icmp", "icmpv6", "arp"];
    private static readonly FieldDef[] OptionFields = Group("tcp.options");
    private static readonly FieldDef[] Ipv4HeaderFields =
    [
        IpFields.Version, IpFields.HdrLen, IpFields.DsField, IpFields.Len, IpFields.Id, IpFields.Flags, IpFields.FlagsRb,
        IpFields.FlagsDf, IpFields.FlagsMf, IpFields.FragOffset, IpFields.Ttl, IpFields.Proto, IpFields.Checksum,
    ];
    private static readonly FieldDef[] TcpAfterPorts = Group("tcp").Where(d => d != TcpFields.Tcp && d != TcpFields.SrcPort && d != TcpFields.DstPort && d != TcpFields.Port).ToArray();
    private static readonly FieldDef[] AnalysisFields = Group("tcp.analysis");

    private static FieldDef[] Group(string prefix) =>
        FieldRegistry.All.Where(d => d.Name == prefix || d.Name.StartsWith(prefix + ".", StringComparison.Ordinal)).ToArray();

    private static void EmitOptions(Frame f, FieldSet set)
    {
        ref var t = ref f.Tcp;
        if (t.OptionsLength == 0) return;
        ReadOnlySpan<byte> present = t.Options;
        EmitOptions(present[..t.OptionsLength], t.HeaderLength - TcpDecoder.MinHeaderLength, t.AckBase, set);
    }

    /// <summary>The options of <paramref name="present"/>, the option bytes captured of an option area of <paramref name="area"/> bytes.</summary>
    private static void EmitOptions(ReadOnlySpan<byte> present, int area, uint ackBase, FieldSet set)
    {
        set.AddBytes(TcpFields.Options, present);
        // Walk again to attribute every option's bytes (NOP and EOL included) in order.
        int pos = 0;
        bool afterEol = false;
        while (pos < area && pos < present.Length)
        {
            byte kind = present[pos];
            if (kind == TcpDecoder.OptEol)
            {
                // Each zero byte from the end-of-list marker on is shown as one more EOL.
                set.AddBytes(TcpFields.OptEol, present.Slice(pos, 1));
                afterEol = true;
                pos++;
                continue;
            }
            if (afterEol) break;
            if (kind == TcpDecoder.OptNop)
            {
                set.AddBytes(TcpFields.OptNop, present.Slice(pos, 1));
                pos++;
                continue;
            }
            if (pos + 1 >= present.Length) break;
            int len = present[pos + 1];
            if (len < 2 || pos + len > present.Length || len - 2 > area - pos - 2) break;
            var whole = present.Slice(pos, len);
            var v = whole[2..];
            switch (kind)
            {
                case TcpDecoder.OptMss:
                    set.AddBytes(TcpFields.OptMss, whole);
                    if (len == 4) set.AddInt(TcpFields.OptMssVal, BinaryPrimitives.ReadUInt16BigEndian(v));
                    break;
                case TcpDecoder.OptWindowScale:
                    set.AddBytes(TcpFields.OptWscale, whole);
                    if (len == 3)
                    {
                        set.AddInt(TcpFields.OptWscaleShift, v[0]);
                        set.AddInt(TcpFields.OptWscaleMultiplier, 1L << Math.Min((int)v[0], 14));
                    }
                    break;
                case TcpDecoder.OptSackPermitted:
                    set.AddBytes(TcpFields.OptSackPerm, whole);
                    break;
                case TcpDecoder.OptSack:
                    set.AddBytes(TcpFields.OptSack, whole);
                    int blocks = 0;
                    for (int b = 0; b + 8 <= v.Length; b += 8)
                    {
                        set.AddInt(TcpFields.OptSackLe, BinaryPrimitives.ReadUInt32BigEndian(v[b..]) - ackBase);
                        set.AddInt(TcpFields.OptSackRe, BinaryPrimitives.ReadUInt32BigEndian(v[(b + 4)..]) - ackBase);
                        blocks++;
                    }
                    set.AddInt(TcpFields.OptSackCount, blocks);
                    break;
                case TcpDecoder.OptTimestamps:
                    set.AddBytes(TcpFields.OptTimestamp, whole);
                    if (len == 10)
                    {
                        set.AddInt(TcpFields.OptTsVal, BinaryPrimitives.ReadUInt32BigEndian(v));
                        set.AddInt(TcpFields.OptTsEcr, BinaryPrimitives.ReadUInt32BigEndian(v[4..]));
                    }
                    break;
            }
            pos += len;
        }
    }

    private static void EmitAnalysis(Frame f, FieldSet set)
    {
        ref var t = ref f.Tcp;
        if (!t.LengthKnown || t.Stream < 0) return;
        var a = t.Analysis;
        if (!t.HasAnalysisRecord) return;
        set.AddPresence(TcpFields.Analysis);
        if (t.AcksFrame != 0)
        {
            set.AddInt(TcpFields.AnalysisAcksFrame, t.AcksFrame);
            if (t.HasAckRtt && (t.AckRtt.Seconds != 0 || t.AckRtt.Nanoseconds != 0)) set.AddTime(TcpFields.AnalysisAckRtt, t.AckRtt);
        }
        if (t.HasInitialRtt) set.AddTime(TcpFields.AnalysisInitialRtt, t.InitialRtt);
        if (t.HasBytesInFlight && t.BytesInFlight != 0)
        {
            set.AddInt(TcpFields.AnalysisBytesInFlight, t.BytesInFlight);
            set.AddInt(TcpFields.AnalysisPushBytesSent, t.PushBytesSent);
        }
        if (a == TcpAnalysisFlags.None) return;
        // The analysis flags, as tshark adds them: retransmission kinds also count as retransmissions.
        a &= ~TcpAnalysisFlags.PortsReused | (a & TcpAnalysisFlags.PortsReused);
        if (a == TcpAnalysisFlags.PortsReused)
        {
            set.AddPresence(TcpFields.AnalysisFlags);
            set.AddPresence(TcpFields.AnalysisReusedPorts);
            return;
        }
        set.AddPresence(TcpFields.AnalysisFlags);
        if ((a & TcpAnalysisFlags.Retransmission) != 0) set.AddPresence(TcpFields.AnalysisRetransmission);
        if ((a & TcpAnalysisFlags.FastRetransmission) != 0)
        {
            set.AddPresence(TcpFields.AnalysisFastRetransmission);
            set.AddPresence(TcpFields.AnalysisRetransmission);
        }
        if ((a & TcpAnalysisFlags.SpuriousRetransmission) != 0)
        {
            set.AddPresence(TcpFields.AnalysisSpuriousRetransmission);
            set.AddPresence(TcpFields.AnalysisRetransmission);
        }
        if ((a & TcpAnalysisFlags.OutOfOrder) != 0) set.AddPresence(TcpFields.AnalysisOutOfOrder);
        if ((a & TcpAnalysisFlags.LostSegment) != 0) set.AddPresence(TcpFields.AnalysisLostSegment);
        if ((a & TcpAnalysisFlags.AckLostSegment) != 0) set.AddPresence(TcpFields.AnalysisAckLostSegment);
        if ((a & TcpAnalysisFlags.WindowUpdate) != 0) set.AddPresence(TcpFields.AnalysisWindowUpdate);
        if ((a & TcpAnalysisFlags.WindowFull) != 0) set.AddPresence(TcpFields.AnalysisWindowFull);
        if ((a & TcpAnalysisFlags.KeepAlive) != 0) set.AddPresence(TcpFields.AnalysisKeepAlive);
        if ((a & TcpAnalysisFlags.KeepAliveAck) != 0) set.AddPresence(TcpFields.AnalysisKeepAliveAck);
        if ((a & TcpAnalysisFlags.DuplicateAck) != 0 && t.DupAckCount != 0)
        {
            // tshark adds this marker twice: in the flags subtree and as the "Duplicate ACK" line.
            set.AddPresence(TcpFields.AnalysisDuplicateAck);
            set.AddPresence(TcpFields.AnalysisDuplicateAck);
            set.AddInt(TcpFields.AnalysisDuplicateAckNum, t.DupAckCount);
            set.AddInt(TcpFields.AnalysisDuplicateAckFrame, t.DupAckOf);
        }
        if ((a & TcpAnalysisFlags.ZeroWindowProbe) != 0) set.AddPresence(TcpFields.AnalysisZeroWindowProbe);
        if ((a & TcpAnalysisFlags.ZeroWindow) != 0) set.AddPresence(TcpFields.AnalysisZeroWindow);
        if ((a & TcpAnalysisFlags.ZeroWindowProbeAck) != 0) set.AddPresence(TcpFields.AnalysisZeroWindowProbeAck);
        if ((a & TcpAnalysisFlags.PortsReused) != 0) set.AddPresence(TcpFields.AnalysisReusedPorts);
    }
}
