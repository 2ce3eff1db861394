using System.Runtime.CompilerServices;
using HttpsFlow.Common;
using HttpsFlow.Net;
using HttpsFlow.Tcp;

namespace HttpsFlow.Output;

/// <summary>
/// Writes the one-line summary of each frame as <c>tshark -r FILE</c> prints it with its default columns:
/// No., Time (seconds since the first frame, to the frame's timestamp precision), Source, Destination,
/// Protocol, Length, Info. Column padding follows tshark: the number right-aligned in 5, the time in 10,
/// the source right-aligned in 12, then " → ", the destination left-aligned in 12.
/// </summary>
public sealed class ListFormatter
{
    private bool _haveFirst;
    private Timestamp _first;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(Frame f, TextSink sink)
    {
        if (!_haveFirst)
        {
            _first = f.Time;
            _haveFirst = true;
        }

        int start = sink.Length;
        sink.Append(f.Number);
        sink.PadLeftFrom(start, 5);
        sink.Append(' ');

        start = sink.Length;
        AppendRelativeTime(sink, f.Time.Subtract(_first), f.TimePrecision);
        sink.PadLeftFrom(start, 10);
        sink.Append(' ');

        start = sink.Length;
        AppendSource(sink, f);
        sink.PadLeftFrom(start, 12);
        sink.Append(" \u2192 ");
        start = sink.Length;
        AppendDestination(sink, f);
        sink.AppendSpaces(12 - (sink.Length - start));
        sink.Append(' ');

        AppendProtocol(sink, f);
        sink.Append(' ');
        sink.Append(f.OriginalLength);
        sink.Append(' ');
        AppendInfo(sink, f);
        sink.EndLine();
    }

    /// <summary>Seconds with exactly <paramref name="precision"/> decimals (truncated, as Wireshark does), sign first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AppendRelativeTime(TextSink sink, Duration d, int precision)
    {
        long secs = d.Seconds;
        long nanos = d.Nanoseconds;
        if (d.IsNegative)
        {
            sink.Append('-');
            secs = -secs;
            nanos = -nanos;
        }
        sink.Append(secs);
        if (precision <= 0) return;
        long frac = nanos;
        for (int i = precision; i < 9; i++) frac /= 10;
        sink.Append('.');
        var span = sink.Reserve(precision);
        for (int i = precision - 1; i >= 0; i--)
        {
            span[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        sink.Commit(precision);
    }

    private static void AppendSource(TextSink sink, Frame f)
    {
        if (f.Network is NetworkKind.IPv4 or NetworkKind.IPv6) AppendAddress(sink, f.Src);
        else if (f.LinkAddrLength > 0) AppendLinkAddress(sink, f.LinkSrc, f.LinkAddrLength);
    }

    private static void AppendDestination(TextSink sink, Frame f)
    {
        if (f.Network is NetworkKind.IPv4 or NetworkKind.IPv6) AppendAddress(sink, f.Dst);
        else if (f.HasLinkDst) AppendLinkAddress(sink, f.LinkDst, f.LinkAddrLength);
    }

    private static void AppendAddress(TextSink sink, IpAddress a)
    {
        var span = sink.Reserve(48);
        a.TryFormat(span, out int n);
        sink.Commit(n);
    }

    private static void AppendLinkAddress(TextSink sink, Bytes16 addr, int length)
    {
        ReadOnlySpan<byte> bytes = addr;
        bytes = bytes[..Math.Min(length, 16)];
        if (length == 6 && bytes.SequenceEqual(stackalloc byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }))
        {
            sink.Append("Broadcast");
            return;
        }
        var span = sink.Reserve(48);
        AddressFormat.TryFormatMac(bytes, span, out int n);
        sink.Commit(n);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AppendProtocol(TextSink sink, Frame f)
    {
        if (f.Malformed && f.MalformedIn is { } p && f.BogusInfo is null && f.Transport != TransportKind.Tcp)
        {
            sink.Append(ProtocolColumnName(p));
            return;
        }
        if (f.Fragment == FragmentState.Fragment)
        {
            sink.Append(f.Network == NetworkKind.IPv6 ? "IPv6" : "IPv4");
            return;
        }
        switch (f.Transport)
        {
            case TransportKind.Tcp: sink.Append("TCP"); return;
            case TransportKind.Udp: sink.Append("UDP"); return;
            case TransportKind.Icmp: sink.Append("ICMP"); return;
            case TransportKind.Icmpv6: sink.Append("ICMPv6"); return;
        }
        switch (f.Network)
        {
            case NetworkKind.IPv4: sink.Append("IPv4"); return;
            case NetworkKind.IPv6: sink.Append("IPv6"); return;
            case NetworkKind.Arp: sink.Append("ARP"); return;
        }
        switch (f.Link)
        {
            case LinkKind.Ethernet:
            case LinkKind.LinuxSll:
            case LinkKind.LinuxSll2:
                sink.Append("0x").AppendHex(f.EtherType, 4);
                return;
            case LinkKind.Null:
            case LinkKind.Loop:
                sink.Append("NULL");
                return;
            default:
                sink.Append("WTAP_ENCAP = ").Append(f.LinkType);
                return;
        }
    }

    private static string ProtocolColumnName(string p) => p switch
    {
        "ip" => "IPv4",
        "ipv6" => "IPv6",
        "tcp" => "TCP",
        "udp" => "UDP",
        "icmp" => "ICMP",
        "icmpv6" => "ICMPv6",
        "arp" => "ARP",
        "eth" => "Ethernet",
        "vlan" => "802.1Q",
        "sll" => "SLL",
        "null" => "NULL",
        _ => p.ToUpperInvariant(),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AppendInfo(TextSink sink, Frame f)
    {
        int infoStart = sink.Length;
        if (f.BogusInfo is not null && f.Transport != TransportKind.Tcp)
        {
            sink.Append(f.BogusInfo);
        }
        else if (f.Fragment == FragmentState.Fragment)
        {
            sink.Append("Fragmented IP protocol (proto=");
            sink.Append(IpProtocolName(f.IpProtocol)).Append(' ').Append(f.IpProtocol);
            sink.Append(", off=").Append(f.IpFragmentOffset).Append(", ID=");
            sink.AppendHex(f.FragmentId, f.Network == NetworkKind.IPv6 ? 8 : 4);
            sink.Append(')');
        }
        else
        {
            switch (f.Transport)
            {
                case TransportKind.Tcp:
                    TcpInfoText.Append(sink, f);
                    break;
                case TransportKind.Udp:
                    sink.Append(f.SrcPort).Append(" \u2192 ").Append(f.DstPort).Append(" Len=").Append(f.PayloadLength);
                    break;
                case TransportKind.Icmp:
                    AppendIcmp(sink, f);
                    break;
                case TransportKind.Icmpv6:
                    AppendIcmpv6(sink, f);
                    break;
                default:
                    if (f.Network == NetworkKind.Arp) AppendArp(sink, f);
                    break;
            }
        }
        if (f.SizeLimited) sink.Append(sink.Length > infoStart ? " " : "").Append("[Packet size limited during capture]");
        else if (f.Malformed && f.BogusInfo is null && f.Transport != TransportKind.Tcp)
            sink.Append(sink.Length > infoStart ? " " : "").Append("[Malformed Packet]");
    }

    internal static string IpProtocolName(byte p) => p switch
    {
        PacketDecoder.ProtoIcmp => "ICMP",
        PacketDecoder.ProtoTcp => "TCP",
        PacketDecoder.ProtoUdp => "UDP",
        PacketDecoder.ProtoIcmpv6 => "ICMPv6",
        PacketDecoder.ProtoEsp => "ESP",
        PacketDecoder.ProtoAh => "AH",
        2 => "IGMP",
        4 => "IPIP",
        41 => "IPv6",
        47 => "GRE",
        89 => "OSPF",
        132 => "SCTP",
        _ => "Unknown",
    };

    private static void AppendIcmp(TextSink sink, Frame f)
    {
        switch (f.IcmpType)
        {
            case 8:
            case 0:
                sink.Append(f.IcmpType == 8 ? "Echo (ping) request  id=0x" : "Echo (ping) reply    id=0x");
                sink.AppendHex(f.IcmpId, 4).Append(", seq=").Append(f.IcmpSeq).Append('/')
                    .Append((ushort)(f.IcmpSeq << 8 | f.IcmpSeq >> 8)).Append(", ttl=").Append(f.IpTtl);
                if (f.IcmpRequestFrame != 0) sink.Append(" (request in ").Append(f.IcmpRequestFrame).Append(')');
                break;
            case 3:
                sink.Append("Destination unreachable (").Append(IcmpUnreachableName(f.IcmpCode)).Append(')');
                break;
            case 11:
                sink.Append(f.IcmpCode == 0 ? "Time-to-live exceeded (Time to live exceeded in transit)" : "Time-to-live exceeded (Fragment reassembly time exceeded)");
                break;
            default:
                sink.Append("Type ").Append(f.IcmpType).Append(", code ").Append(f.IcmpCode);
                break;
        }
    }

    private static string IcmpUnreachableName(byte code) => code switch
    {
        0 => "Network unreachable",
        1 => "Host unreachable",
        2 => "Protocol unreachable",
        3 => "Port unreachable",
        4 => "Fragmentation needed",
        13 => "Communication administratively filtered",
        _ => "Unknown code",
    };

    private static void AppendIcmpv6(TextSink sink, Frame f)
    {
        switch (f.IcmpType)
        {
            case 128:
            case 129:
                sink.Append(f.IcmpType == 128 ? "Echo (ping) request id=0x" : "Echo (ping) reply id=0x");
                sink.AppendHex(f.IcmpId, 4).Append(", seq=").Append(f.IcmpSeq).Append(", hop limit=").Append(f.IpTtl);
                if (f.IcmpRequestFrame != 0) sink.Append(" (request in ").Append(f.IcmpRequestFrame).Append(')');
                break;
            case 133: sink.Append("Router Solicitation"); break;
            case 134: sink.Append("Router Advertisement"); break;
            case 135: sink.Append("Neighbor Solicitation"); break;
            case 136: sink.Append("Neighbor Advertisement"); break;
            case 1: sink.Append("Destination Unreachable"); break;
            default:
                sink.Append("Type ").Append(f.IcmpType).Append(", code ").Append(f.IcmpCode);
                break;
        }
    }

    private static void AppendArp(TextSink sink, Frame f)
    {
        var span = sink.Reserve(0);
        _ = span;
        if (f.ArpOpcode == 1)
        {
            sink.Append("Who has ");
            AppendV4(sink, f.ArpTargetIp);
            sink.Append("? Tell ");
            AppendV4(sink, f.ArpSenderIp);
        }
        else if (f.ArpOpcode == 2)
        {
            AppendV4(sink, f.ArpSenderIp);
            sink.Append(" is at ");
            var s = sink.Reserve(18);
            ReadOnlySpan<byte> mac = f.ArpSenderMac;
            AddressFormat.TryFormatMac(mac[..6], s, out int n);
            sink.Commit(n);
        }
        else
        {
            sink.Append("Unknown ARP opcode 0x").AppendHex(f.ArpOpcode, 4);
        }
    }

    private static void AppendV4(TextSink sink, uint a)
    {
        var span = sink.Reserve(16);
        AddressFormat.TryFormatV4(a, span, out int n);
        sink.Commit(n);
    }
}
