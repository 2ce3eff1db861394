using System.Runtime.CompilerServices;
using HttpsFlow.Capture;
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
    private readonly ListFormat _format;
    private readonly TextSink _scratch = new(Stream.Null);
    private long _rows;

    /// <param name="format">Text as tshark prints it (the default), or the same columns as CSV or JSON.</param>
    public ListFormatter(ListFormat format = ListFormat.Text)
    {
        _format = format;
    }

    /// <summary>The column names of the CSV header and the JSON keys.</summary>
    public static readonly string[] Columns = ["number", "time", "source", "destination", "protocol", "length", "info"];

    /// <summary>Writes what comes before the first row (the CSV header, the opening of the JSON array).</summary>
    public void Begin(TextSink sink)
    {
        if (_format == ListFormat.Csv)
        {
            sink.Append(string.Join(',', Columns));
            sink.EndLine();
        }
        else if (_format == ListFormat.Json)
        {
            sink.Append('[');
            sink.EndLine();
        }
    }

    /// <summary>Writes what comes after the last row (the closing of the JSON array).</summary>
    public void End(TextSink sink)
    {
        if (_format == ListFormat.Json)
        {
            sink.Append(']');
            sink.EndLine();
        }
    }

    /// <summary>Notes a frame that is read but not shown (filtered out): the Time column counts from the capture's first frame.</summary>
    public void Skip(Frame f)
    {
        if (!_haveFirst)
        {
            _first = f.Time;
            _haveFirst = true;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(Frame f, TextSink sink)
    {
        if (!_haveFirst)
        {
            _first = f.Time;
            _haveFirst = true;
        }
        if (_format != ListFormat.Text)
        {
            WriteStructured(f, sink);
            return;
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

    /// <summary>The same columns, unpadded, as a CSV record (RFC 4180) or a JSON object.</summary>
    private void WriteStructured(Frame f, TextSink sink)
    {
        var scratch = _scratch;
        Span<int> ends = stackalloc int[7];
        scratch.ClearLine();
        scratch.Append(f.Number); ends[0] = scratch.Length;
        AppendRelativeTime(scratch, f.Time.Subtract(_first), f.TimePrecision); ends[1] = scratch.Length;
        AppendSource(scratch, f); ends[2] = scratch.Length;
        AppendDestination(scratch, f); ends[3] = scratch.Length;
        AppendProtocol(scratch, f); ends[4] = scratch.Length;
        scratch.Append(f.OriginalLength); ends[5] = scratch.Length;
        AppendInfo(scratch, f); ends[6] = scratch.Length;
        var text = scratch.Current;

        if (_format == ListFormat.Json)
        {
            sink.Append(_rows++ == 0 ? "  {" : "  ,{");
            for (int i = 0, from = 0; i < 7; from = ends[i], i++)
            {
                if (i > 0) sink.Append(", ");
                sink.Append('"').Append(Columns[i]).Append("\": ");
                var value = text[from..ends[i]];
                if (i is 0 or 5) sink.Append(value);
                else JsonText.AppendString(sink, value);
            }
            sink.Append('}');
        }
        else
        {
            for (int i = 0, from = 0; i < 7; from = ends[i], i++)
            {
                if (i > 0) sink.Append(',');
                CsvText.AppendField(sink, text[from..ends[i]]);
            }
        }
        scratch.ClearLine();
        sink.EndLine();
    }

    /// <summary>
    /// Seconds with exactly <paramref name="precision"/> decimals, truncated as Wireshark does: the fraction is cut to
    /// the precision first, so a negative time smaller than one unit prints without a sign.
    /// </summary>
    public static void AppendRelativeTime(TextSink sink, Duration d, int precision)
    {
        long secs = d.Seconds;
        long frac = d.Nanoseconds;
        for (int i = Math.Max(precision, 0); i < 9; i++) frac /= 10;
        if (frac < 0 && secs >= 0) sink.Append('-');
        sink.Append(secs);
        if (precision <= 0) return;
        frac = Math.Abs(frac);
        sink.Append('.');
        var span = sink.Reserve(precision);
        for (int i = precision - 1; i >= 0; i--)
        {
            span[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        sink.Commit(precision);
    }

    // Source and Destination are the last addresses a layer set: IP's once read, else the link layer's. Raw IP and
    // BSD loopback have no link addresses; Wireshark writes "N/A" for them until IP gives its own.
    private static void AppendSource(TextSink sink, Frame f)
    {
        if (f.HasIpSrc) AppendAddress(sink, f.Src);
        else if (f.HasLinkSrc) AppendLinkAddress(sink, f.LinkSrc, f.LinkAddrLength);
        else if (LinkNamesNoAddresses(f)) sink.Append("N/A");
    }

    private static void AppendDestination(TextSink sink, Frame f)
    {
        if (f.HasIpAddresses) AppendAddress(sink, f.Dst);
        else if (f.HasLinkDst) AppendLinkAddress(sink, f.LinkDst, f.LinkAddrLength);
        else if (LinkNamesNoAddresses(f)) sink.Append("N/A");
    }

    /// <summary>
    /// Raw IP (LINKTYPE_RAW) and BSD loopback label a frame "N/A" (addresses and protocol) before anything else is
    /// read, except a NULL header too short for its first check (two bytes), which labels nothing.
    /// </summary>
    private static bool LinkNamesNoAddresses(Frame f) => f.Link switch
    {
        LinkKind.Raw => f.LinkType == LinkTypes.Raw,
        LinkKind.Loop => true,
        LinkKind.Null => f.CapturedLength >= 2,
        _ => false,
    };

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
        if (length == 4)
        {
            AppendV4(sink, (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]));
            return;
        }
        var span = sink.Reserve(48);
        AddressFormat.TryFormatMac(bytes, span, out int n);
        sink.Commit(n);
    }

    private static string NetworkName(Frame f) => f.Network == NetworkKind.IPv6 ? "IPv6" : "IPv4";

    [ThreadStatic] private static MemoryStream? t_columnBuffer;

    /// <summary>The Protocol column of <paramref name="f"/> as a string (for the _ws.col.Protocol field).</summary>
    public static string ProtocolText(Frame f) => Column(f, AppendProtocol);

    /// <summary>The Info column of <paramref name="f"/> as a string (for the _ws.col.Info field).</summary>
    public static string InfoText(Frame f) => Column(f, AppendInfo);

    private static string Column(Frame f, Action<TextSink, Frame> append)
    {
        var buffer = t_columnBuffer ??= new MemoryStream();
        buffer.SetLength(0);
        using (var sink = new TextSink(buffer, ownsStream: false, bufferBytes: 4096))
        {
            append(sink, f);
            sink.EndLine();
            sink.Flush();
        }
        int length = (int)buffer.Length;
        while (length > 0 && buffer.GetBuffer()[length - 1] is (byte)'\n' or (byte)'\r') length--;
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, length);
    }

    private static void AppendProtocol(TextSink sink, Frame f)
    {
        if (f.Fragment == FragmentState.Fragment) { sink.Append(NetworkName(f)); return; }
        switch (f.Transport)
        {
            case TransportKind.Tcp:
                if (f.Upper is Tls.List.UpperKind.Tls or Tls.List.UpperKind.TlsSegment) sink.Append(f.UpperProtocol);
                else if (f.Upper is Tls.List.UpperKind.PgsqlSslRequest or Tls.List.UpperKind.PgsqlSslAnswer) sink.Append("PGSQL");
                else sink.Append(f.Tcp.Stage == TcpStage.None ? NetworkName(f) : TcpInfoText.Protocol(f));
                return;
            case TransportKind.Udp:
                if (f.Upper == Tls.List.UpperKind.Dtls) sink.Append(f.UpperProtocol);
                else sink.Append(f.TransportCaptured < 4 ? NetworkName(f) : "UDP"); // named after the ports
                return;
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
                if (f.Network == NetworkKind.None && (f.Malformed || f.SizeLimited))
                {
                    // Cut short in the link header, or in a VLAN tag (which names itself before reading its TCI).
                    if (f.Link != LinkKind.Ethernet) sink.Append("SLL");
                    else if (f.VlanTpid == 0) sink.Append("Ethernet");
                    else sink.Append(f.VlanTpid == PacketDecoder.EtherTypeQinQ ? "802.1ad" : "VLAN");
                    return;
                }
                sink.Append("0x").AppendHex(f.EtherType, 4);
                return;
            case LinkKind.Null:
            case LinkKind.Loop:
            case LinkKind.Raw:
                if (LinkNamesNoAddresses(f)) sink.Append("N/A");
                return;
            default:
                sink.Append("WTAP_ENCAP = ").Append(f.LinkType);
                return;
        }
    }

    private static void AppendInfo(TextSink sink, Frame f)
    {
        if (f.Transport == TransportKind.Tcp && f.Fragment != FragmentState.Fragment)
        {
            // TCP writes its own text, including where its header was cut short; cut before its ports, it has not
            // replaced the network layer's text yet.
            if (f.Tcp.Stage == TcpStage.None) AppendNetworkInfo(sink, f);
            if (f.Upper != Tls.List.UpperKind.None) TcpInfoText.AppendWithUpper(sink, f);
            else TcpInfoText.Append(sink, f);
            return;
        }
        if (f.BogusInfo is not null)
        {
            sink.Append(f.BogusInfo);
        }
        else if (f.Fragment == FragmentState.Fragment)
        {
            if (f.Network == NetworkKind.IPv6) AppendIpv6Fragment(sink, f);
            else
            {
                sink.Append("Fragmented IP protocol (proto=");
                sink.Append(IpProtocolName(f.IpProtocol)).Append(' ').Append(f.IpProtocol);
                sink.Append(", off=").Append(f.IpFragmentOffset).Append(", ID=").AppendHex(f.FragmentId, 4).Append(')');
            }
        }
        else
        {
            switch (f.Transport)
            {
                case TransportKind.Udp:
                    if (f.TransportCaptured < 4) AppendNetworkInfo(sink, f); // cut before the ports: not named yet
                    else if (f.Upper == Tls.List.UpperKind.Dtls) sink.Append(f.UpperInfo); // DTLS replaced UDP's text
                    else AppendUdp(sink, f);
                    break;
                case TransportKind.Icmp:
                    AppendIcmp(sink, f);
                    break;
                case TransportKind.Icmpv6:
                    AppendIcmpv6(sink, f);
                    break;
                case TransportKind.Other:
                    if (f.PayloadLength <= 0 && f.IpProtocol != PacketDecoder.ProtoNoNext) break; // nothing for a dissector to name
                    if (f.Network == NetworkKind.IPv6)
                    {
                        if (f.IpProtocol == PacketDecoder.ProtoNoNext) sink.Append("IPv6 no next header");
                        else sink.Append("Unknown IP Protocol: ").Append(IpProtocolName(f.IpProtocol)).Append(" (").Append(f.IpProtocol).Append(')');
                    }
                    else sink.Append(IpProtocolName(f.IpProtocol)).Append(" (").Append(f.IpProtocol).Append(')');
                    break;
                default:
                    if (f.Network is NetworkKind.IPv4 or NetworkKind.IPv6) AppendNetworkInfo(sink, f);
                    else if (f.Network == NetworkKind.Arp) AppendArp(sink, f);
                    else AppendLinkInfo(sink, f);
                    break;
            }
        }
        // tshark appends these directly, without a space.
        if (f.SizeLimited) sink.Append("[Packet size limited during capture]");
        else if (f.Malformed && f.BogusInfo is null) sink.Append("[Malformed Packet]");
    }

    /// <summary>
    /// What the IP layer leaves in Info when nothing above it writes: IPv4 clears it; IPv6 names a header shorter
    /// than 40 bytes, else the extension headers it entered (" , " between them; a fragment header replaces what came
    /// before it).
    /// </summary>
    private static void AppendNetworkInfo(TextSink sink, Frame f)
    {
        if (f.Network != NetworkKind.IPv6) return;
        if (f.Ipv6ShortHeader > 0)
        {
            sink.Append("Invalid IPv6 header (").Append(f.Ipv6ShortHeader).Append(" bytes, need exactly 40)");
            return;
        }
        int start = sink.Length;
        ReadOnlySpan<byte> kinds = f.Ipv6ExtHeaders;
        foreach (byte kind in kinds[..f.Ipv6ExtCount])
        {
            if (kind == PacketDecoder.ProtoIpv6Frag)
            {
                sink.Truncate(start);
                AppendIpv6Fragment(sink, f);
                continue;
            }
            if (sink.Length > start) sink.Append(" , ");
            sink.Append(kind switch
            {
                PacketDecoder.ProtoHopByHop => "IPv6 hop-by-hop options",
                PacketDecoder.ProtoIpv6Route => "IPv6 routing",
                _ => "IPv6 destination options",
            });
        }
    }

    private static void AppendIpv6Fragment(TextSink sink, Frame f) =>
        sink.Append("IPv6 fragment (off=").Append(f.IpFragmentOffset).Append(" more=")
            .Append((f.IpFlags & 1) != 0 ? "y" : "n").Append(" ident=0x").AppendHex(f.FragmentId, 8)
            .Append(" nxt=").Append(f.IpProtocol).Append(')');

    /// <summary>What the link layer (and VLAN tags) leave in Info when no network layer was decoded.</summary>
    private static void AppendLinkInfo(TextSink sink, Frame f)
    {
        switch (f.Link)
        {
            case LinkKind.Ethernet:
                if (f.VlanTpid != 0)
                {
                    // Each tag replaces Info with its TCI once read; an EtherType nobody decodes leaves it there.
                    if (f.HasVlanTci) AppendVlanTag(sink, f.VlanTpid, f.VlanTci);
                }
                else if (f.Network == NetworkKind.Unknown) sink.Append("Ethernet II");
                break;
            case LinkKind.Null:
            case LinkKind.Loop:
                if (LinkNamesNoAddresses(f)) sink.Append("Null/Loopback");
                break;
            case LinkKind.Raw:
                if (LinkNamesNoAddresses(f)) sink.Append("Raw packet data");
                break;
        }
    }

    /// <summary>An 802.1Q tag as "PRI: p  DEI: d  ID: v"; an 802.1ad tag as "PRI: p  DROP: d ID: v" (Wireshark's spacing).</summary>
    private static void AppendVlanTag(TextSink sink, ushort tpid, ushort tci)
    {
        sink.Append("PRI: ").Append(tci >> 13);
        sink.Append(tpid == PacketDecoder.EtherTypeQinQ ? "  DROP: " : "  DEI: ").Append((tci >> 12) & 1);
        sink.Append(tpid == PacketDecoder.EtherTypeQinQ ? " ID: " : "  ID: ").Append(tci & 0x0fff);
    }

    private static void AppendUdp(TextSink sink, Frame f)
    {
        sink.Append(f.SrcPort).Append(" \u2192 ").Append(f.DstPort);
        if (f.TransportCaptured < 6) return; // the length was not there to read
        if (f.UdpLength < 8)
        {
            sink.Append(" [BAD UDP LENGTH ").Append(f.UdpLength).Append(" < 8]");
            return;
        }
        if (f.UdpLength > f.UdpIpPayload) sink.Append(" [BAD UDP LENGTH ").Append(f.UdpLength).Append(" > IP PAYLOAD LENGTH]");
        sink.Append(" Len=").Append(f.UdpLength - 8);
        if (f.TransportCaptured < 8) return; // nor the checksum
        if (f.Network == NetworkKind.IPv6 && f.UdpChecksum == 0) sink.Append(" [ILLEGAL CHECKSUM (0)]");
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

    // ICMP type names (RFC 792 and later, as Wireshark spells them); codes for the types that have code tables.
    private static string IcmpTypeName(byte type, byte code) => type switch
    {
        0 => "Echo (ping) reply",
        3 => "Destination unreachable",
        4 => "Source quench (flow control)",
        5 => "Redirect",
        6 => "Alternate host address",
        8 => "Echo (ping) request",
        9 => code is 0 or 16 ? "Router advertisement" : "Mobile IP Advertisement",
        10 => "Router solicitation",
        11 => "Time-to-live exceeded",
        12 => "Parameter problem",
        13 => "Timestamp request",
        14 => "Timestamp reply",
        15 => "Information request",
        16 => "Information reply",
        17 => "Address mask request",
        18 => "Address mask reply",
        42 => "Extended Echo request",
        43 => "Extended Echo reply",
        _ => "Unknown ICMP (obsolete or malformed?)",
    };

    private static string? IcmpCodeName(byte type, byte code) => type switch
    {
        3 => code switch
        {
            0 => "Network unreachable", 1 => "Host unreachable", 2 => "Protocol unreachable", 3 => "Port unreachable",
            4 => "Fragmentation needed", 5 => "Source route failed", 6 => "Destination network unknown",
            7 => "Destination host unknown", 8 => "Source host isolated", 9 => "Network administratively prohibited",
            10 => "Host administratively prohibited", 11 => "Network unreachable for TOS", 12 => "Host unreachable for TOS",
            13 => "Communication administratively filtered", 14 => "Host precedence violation",
            15 => "Precedence cutoff in effect", _ => null,
        },
        5 => code switch
        {
            0 => "Redirect for network", 1 => "Redirect for host", 2 => "Redirect for TOS and network",
            3 => "Redirect for TOS and host", _ => null,
        },
        11 => code switch { 0 => "Time to live exceeded in transit", 1 => "Fragment reassembly time exceeded", _ => null },
        12 => code switch { 0 => "Pointer indicates the error", 1 => "Required option missing", 2 => "Bad length", _ => null },
        _ => null,
    };

    private static bool IcmpHasCodeTable(byte type) => type is 3 or 5 or 6 or 9 or 11 or 12 or 40 or 42 or 43;

    private static void AppendIcmp(TextSink sink, Frame f)
    {
        if (f.TransportCaptured < 6) return; // type, code and byte 5 are read before the message is named
        string name = IcmpTypeName(f.IcmpType, f.IcmpCode);
        sink.Append(name);
        sink.AppendSpaces(20 - name.Length);
        if (IcmpHasCodeTable(f.IcmpType))
        {
            string? code = IcmpCodeName(f.IcmpType, f.IcmpCode);
            sink.Append(" (");
            if (code is null) sink.Append("Unknown code: ").Append(f.IcmpCode); else sink.Append(code);
            sink.Append(')');
        }
        if (f.IcmpType is 0 or 8 or 13 or 14 or 15 or 16 or 17 or 18 && f.TransportCaptured >= 8)
        {
            sink.Append(" id=0x").AppendHex(f.IcmpId, 4).Append(", seq=").Append(f.IcmpSeq).Append('/')
                .Append((ushort)(f.IcmpSeq << 8 | f.IcmpSeq >> 8)).Append(", ttl=").Append(f.IpTtl);
            if (f.IcmpRequestFrame != 0) sink.Append(" (request in ").Append(f.IcmpRequestFrame).Append(')');
        }
    }

    private static string Icmpv6TypeName(byte type) => type switch
    {
        1 => "Destination Unreachable",
        2 => "Packet Too Big",
        3 => "Time Exceeded",
        4 => "Parameter Problem",
        128 => "Echo (ping) request",
        129 => "Echo (ping) reply",
        130 => "Multicast Listener Query",
        131 => "Multicast Listener Report",
        132 => "Multicast Listener Done",
        133 => "Router Solicitation",
        134 => "Router Advertisement",
        135 => "Neighbor Solicitation",
        136 => "Neighbor Advertisement",
        137 => "Redirect",
        143 => "Multicast Listener Report Message v2",
        _ => "",
    };

    private static string? Icmpv6CodeName(byte type, byte code) => type switch
    {
        1 => code switch
        {
            0 => "no route to destination", 1 => "Administratively prohibited", 2 => "beyond scope of source address",
            3 => "Address unreachable", 4 => "Port unreachable", 5 => "Source address failed ingress/egress policy",
            6 => "Reject route to destination", 7 => "Error in Source Routing Header", _ => "Unknown",
        },
        3 => code switch { 0 => "hop limit exceeded in transit", 1 => "fragment reassembly time exceeded", _ => null },
        4 => code switch
        {
            0 => "erroneous header field encountered", 1 => "unrecognized Next Header type encountered",
            2 => "unrecognized IPv6 option encountered", 3 => "IPv6 First Fragment has incomplete IPv6 Header Chain", _ => null,
        },
        _ => null,
    };

    private static void AppendIcmpv6(TextSink sink, Frame f)
    {
        if (f.TransportCaptured < 1) return;
        string name = Icmpv6TypeName(f.IcmpType);
        if (name.Length == 0) sink.Append("Unknown (").Append(f.IcmpType).Append(')');
        else sink.Append(name);
        if (f.TransportCaptured < 2) return; // named from the type alone; the code comes next
        if (f.IcmpType is 1 or 3 or 4)
        {
            string? code = Icmpv6CodeName(f.IcmpType, f.IcmpCode);
            sink.Append(" (");
            if (code is null) sink.Append("Unknown (").Append(f.IcmpCode).Append(')'); else sink.Append(code);
            sink.Append(')');
        }
        if (f.IcmpType is 128 or 129 && f.TransportCaptured >= 8)
        {
            sink.Append(" id=0x").AppendHex(f.IcmpId, 4).Append(", seq=").Append(f.IcmpSeq).Append(", hop limit=").Append(f.IpTtl);
            if (f.IcmpRequestFrame != 0) sink.Append(" (request in ").Append(f.IcmpRequestFrame).Append(')');
        }
        else if (f.IcmpType is 133 or 134 or 135 or 136)
        {
            // Neighbor discovery (RFC 4861 §4): the target, the flags of an advertisement, the link-layer address option.
            ReadOnlySpan<byte> target = f.NdTarget;
            if (f.IcmpType == 135 && f.NdHasTarget)
            {
                sink.Append(" for ");
                AppendAddress(sink, IpAddress.FromV6(target));
            }
            if (f.IcmpType == 136 && f.NdHasTarget)
            {
                sink.Append(' ');
                AppendAddress(sink, IpAddress.FromV6(target));
                sink.Append(" (");
                int n = 0;
                if ((f.NdFlags & 0x80) != 0) { sink.Append("rtr"); n++; }
                if ((f.NdFlags & 0x40) != 0) { sink.Append(n++ > 0 ? ", sol" : "sol"); }
                if ((f.NdFlags & 0x20) != 0) { sink.Append(n++ > 0 ? ", ovr" : "ovr"); }
                if (n == 0) sink.Append("none");
                sink.Append(')');
            }
            if (f.NdLinkAddrLength == 6)
            {
                sink.Append(f.IcmpType == 136 ? " is at " : " from ");
                ReadOnlySpan<byte> mac = f.NdLinkAddr;
                var span = sink.Reserve(18);
                AddressFormat.TryFormatMac(mac[..6], span, out int w);
                sink.Commit(w);
            }
        }
    }

    // ARP (RFC 826; RFC 5227 for probes and announcements).
    private static void AppendArp(TextSink sink, Frame f)
    {
        ReadOnlySpan<byte> targetMac = f.ArpTargetMac;
        bool targetMacZero = !targetMac[..6].ContainsAnyExcept((byte)0);
        if (f.ArpOpcode == 1)
        {
            if (f.ArpSenderIp == f.ArpTargetIp)
            {
                if (targetMacZero) { sink.Append("ARP Announcement for "); AppendV4(sink, f.ArpTargetIp); }
                else { sink.Append("Gratuitous ARP for "); AppendV4(sink, f.ArpTargetIp); sink.Append(" (Request)"); }
            }
            else if (f.ArpSenderIp == 0 && targetMacZero)
            {
                sink.Append("Who has "); AppendV4(sink, f.ArpTargetIp); sink.Append("? (ARP Probe)");
            }
            else
            {
                sink.Append("Who has "); AppendV4(sink, f.ArpTargetIp); sink.Append("? Tell "); AppendV4(sink, f.ArpSenderIp);
            }
        }
        else if (f.ArpOpcode == 2)
        {
            if (f.ArpSenderIp == f.ArpTargetIp)
            {
                sink.Append("Gratuitous ARP for "); AppendV4(sink, f.ArpSenderIp); sink.Append(" (Reply)");
            }
            else
            {
                AppendV4(sink, f.ArpSenderIp);
                sink.Append(" is at ");
                ReadOnlySpan<byte> mac = f.ArpSenderMac;
                if (f.ArpHardwareType is 1 or 6) // Ethernet, IEEE 802
                {
                    var s = sink.Reserve(18);
                    AddressFormat.TryFormatMac(mac[..6], s, out int n);
                    sink.Commit(n);
                }
                else
                {
                    foreach (byte b in mac[..6]) sink.AppendHex(b, 2);
                }
            }
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
