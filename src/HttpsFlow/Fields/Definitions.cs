using B = HttpsFlow.Fields.FieldBase;
using T = HttpsFlow.Fields.FieldType;

namespace HttpsFlow.Fields;

// The fields of each layer. Names, types, bases and bitmasks are Wireshark's (tshark -G fields), so that filters,
// `fields` and JSON speak the vocabulary users already know.

/// <summary>frame.*: facts about the record itself.</summary>
public static class FrameFields
{
    public static readonly FieldDef Frame = FieldRegistry.Define("frame", "Frame", T.Protocol);
    public static readonly FieldDef InterfaceId = FieldRegistry.Define("frame.interface_id", "Interface id", T.UInt32, B.Dec);
    public static readonly FieldDef Time = FieldRegistry.Define("frame.time", "Arrival Time", T.AbsoluteTime);
    public static readonly FieldDef TimeEpoch = FieldRegistry.Define("frame.time_epoch", "Epoch Time", T.RelativeTime);
    public static readonly FieldDef TimeDelta = FieldRegistry.Define("frame.time_delta", "Time delta from previous captured frame", T.RelativeTime);
    public static readonly FieldDef TimeRelative = FieldRegistry.Define("frame.time_relative", "Time since reference or first frame", T.RelativeTime);
    public static readonly FieldDef Number = FieldRegistry.Define("frame.number", "Frame Number", T.UInt32, B.Dec);
    public static readonly FieldDef Len = FieldRegistry.Define("frame.len", "Frame Length", T.UInt32, B.Dec);
    public static readonly FieldDef CapLen = FieldRegistry.Define("frame.cap_len", "Capture Length", T.UInt32, B.Dec);
    public static readonly FieldDef Protocols = FieldRegistry.Define("frame.protocols", "Protocols in frame", T.String);
}

/// <summary>eth.*, sll.*, vlan.*: the link layer.</summary>
public static class LinkFields
{
    // Defines its fields only after the class before it, whichever class a thread touches first: the registry's
    // order (and ids) never depends on which tests or commands ran first or in parallel.
    private static readonly FieldDef s_after = FrameFields.Frame;

    public static readonly FieldDef Eth = FieldRegistry.Define("eth", "Ethernet II", T.Protocol);
    public static readonly FieldDef EthDst = FieldRegistry.Define("eth.dst", "Destination", T.Ether);
    public static readonly FieldDef EthSrc = FieldRegistry.Define("eth.src", "Source", T.Ether);
    public static readonly FieldDef EthAddr = FieldRegistry.Define("eth.addr", "Address", T.Ether);
    public static readonly FieldDef EthType = FieldRegistry.Define("eth.type", "Type", T.UInt16, B.Hex);
    public static readonly FieldDef Sll = FieldRegistry.Define("sll", "Linux cooked capture", T.Protocol);
    public static readonly FieldDef SllPktType = FieldRegistry.Define("sll.pkttype", "Packet type", T.UInt16, B.Dec);
    public static readonly FieldDef SllHaType = FieldRegistry.Define("sll.hatype", "Link-layer address type", T.UInt16, B.Dec);
    public static readonly FieldDef SllHaLen = FieldRegistry.Define("sll.halen", "Link-layer address length", T.UInt16, B.Dec);
    public static readonly FieldDef SllSrcEth = FieldRegistry.Define("sll.src.eth", "Source", T.Ether);
    public static readonly FieldDef SllEtype = FieldRegistry.Define("sll.etype", "Protocol", T.UInt16, B.Hex);
    public static readonly FieldDef Vlan = FieldRegistry.Define("vlan", "802.1Q Virtual LAN", T.Protocol);
    public static readonly FieldDef VlanId = FieldRegistry.Define("vlan.id", "ID", T.UInt16, B.Dec, 0xfff);
    public static readonly FieldDef VlanEtype = FieldRegistry.Define("vlan.etype", "Type", T.UInt16, B.Hex);
}

/// <summary>ip.* and ipv6.*.</summary>
public static class IpFields
{
    // Defines its fields only after the class before it, whichever class a thread touches first: the registry's
    // order (and ids) never depends on which tests or commands ran first or in parallel.
    private static readonly FieldDef s_after = LinkFields.Eth;

    public static readonly FieldDef Ip = FieldRegistry.Define("ip", "Internet Protocol Version 4", T.Protocol);
    public static readonly FieldDef Version = FieldRegistry.Define("ip.version", "Version", T.UInt8, B.Dec);
    public static readonly FieldDef HdrLen = FieldRegistry.Define("ip.hdr_len", "Header Length", T.UInt8, B.Dec);
    public static readonly FieldDef DsField = FieldRegistry.Define("ip.dsfield", "Differentiated Services Field", T.UInt8, B.Hex);
    public static readonly FieldDef Len = FieldRegistry.Define("ip.len", "Total Length", T.UInt16, B.Dec);
    public static readonly FieldDef Id = FieldRegistry.Define("ip.id", "Identification", T.UInt16, B.HexDec);
    public static readonly FieldDef Flags = FieldRegistry.Define("ip.flags", "Flags", T.UInt8, B.Hex, 0xe0);
    public static readonly FieldDef FlagsRb = FieldRegistry.Define("ip.flags.rb", "Reserved bit", T.Boolean, B.None, 0x80);
    public static readonly FieldDef FlagsDf = FieldRegistry.Define("ip.flags.df", "Don't fragment", T.Boolean, B.None, 0x40);
    public static readonly FieldDef FlagsMf = FieldRegistry.Define("ip.flags.mf", "More fragments", T.Boolean, B.None, 0x20);
    public static readonly FieldDef FragOffset = FieldRegistry.Define("ip.frag_offset", "Fragment Offset", T.UInt16, B.Dec, 0x1fff);
    public static readonly FieldDef Ttl = FieldRegistry.Define("ip.ttl", "Time to Live", T.UInt8, B.Dec);
    public static readonly FieldDef Proto = FieldRegistry.Define("ip.proto", "Protocol", T.UInt8, B.Dec);
    public static readonly FieldDef Checksum = FieldRegistry.Define("ip.checksum", "Header Checksum", T.UInt16, B.Hex);
    public static readonly FieldDef Src = FieldRegistry.Define("ip.src", "Source Address", T.IPv4);
    public static readonly FieldDef Addr = FieldRegistry.Define("ip.addr", "Source or Destination Address", T.IPv4);
    public static readonly FieldDef Dst = FieldRegistry.Define("ip.dst", "Destination Address", T.IPv4);

    public static readonly FieldDef Ipv6 = FieldRegistry.Define("ipv6", "Internet Protocol Version 6", T.Protocol);
    public static readonly FieldDef V6Version = FieldRegistry.Define("ipv6.version", "Version", T.UInt8, B.Dec, 0xf0);
    public static readonly FieldDef V6TClass = FieldRegistry.Define("ipv6.tclass", "Traffic Class", T.UInt32, B.Hex, 0x0ff00000);
    public static readonly FieldDef V6Flow = FieldRegistry.Define("ipv6.flow", "Flow Label", T.UInt24, B.Hex, 0xfffff);
    public static readonly FieldDef V6Plen = FieldRegistry.Define("ipv6.plen", "Payload Length", T.UInt16, B.Dec);
    public static readonly FieldDef V6Nxt = FieldRegistry.Define("ipv6.nxt", "Next Header", T.UInt8, B.Dec);
    public static readonly FieldDef V6Hlim = FieldRegistry.Define("ipv6.hlim", "Hop Limit", T.UInt8, B.Dec);
    public static readonly FieldDef V6Src = FieldRegistry.Define("ipv6.src", "Source Address", T.IPv6);
    public static readonly FieldDef V6Addr = FieldRegistry.Define("ipv6.addr", "Source or Destination Address", T.IPv6);
    public static readonly FieldDef V6Dst = FieldRegistry.Define("ipv6.dst", "Destination Address", T.IPv6);
}

/// <summary>tcp.*: the header, options, conversation and sequence analysis.</summary>
public static class TcpFields
{
    // Defines its fields only after the class before it, whichever class a thread touches first: the registry's
    // order (and ids) never depends on which tests or commands ran first or in parallel.
    private static readonly FieldDef s_after = IpFields.Ip;

    public static readonly FieldDef Tcp = FieldRegistry.Define("tcp", "Transmission Control Protocol", T.Protocol);
    public static readonly FieldDef SrcPort = FieldRegistry.Define("tcp.srcport", "Source Port", T.UInt16, B.Dec);
    public static readonly FieldDef DstPort = FieldRegistry.Define("tcp.dstport", "Destination Port", T.UInt16, B.Dec);
    public static readonly FieldDef Port = FieldRegistry.Define("tcp.port", "Source or Destination Port", T.UInt16, B.Dec);
    public static readonly FieldDef Stream = FieldRegistry.Define("tcp.stream", "Stream index", T.UInt32, B.Dec);
    public static readonly FieldDef Completeness = FieldRegistry.Define("tcp.completeness", "Conversation completeness", T.UInt8, B.Custom);
    public static readonly FieldDef Len = FieldRegistry.Define("tcp.len", "TCP Segment Len", T.UInt32, B.Dec);
    public static readonly FieldDef Seq = FieldRegistry.Define("tcp.seq", "Sequence Number", T.UInt32, B.Dec);
    public static readonly FieldDef SeqRaw = FieldRegistry.Define("tcp.seq_raw", "Sequence Number (raw)", T.UInt32, B.Dec);
    public static readonly FieldDef NxtSeq = FieldRegistry.Define("tcp.nxtseq", "Next Sequence Number", T.UInt32, B.Dec);
    public static readonly FieldDef Ack = FieldRegistry.Define("tcp.ack", "Acknowledgment Number", T.UInt32, B.Dec);
    public static readonly FieldDef AckRaw = FieldRegistry.Define("tcp.ack_raw", "Acknowledgment number (raw)", T.UInt32, B.Dec);
    public static readonly FieldDef HdrLen = FieldRegistry.Define("tcp.hdr_len", "Header Length", T.UInt8, B.Dec);
    public static readonly FieldDef Flags = FieldRegistry.Define("tcp.flags", "Flags", T.UInt16, B.Hex, 0xfff);
    public static readonly FieldDef FlagsRes = FieldRegistry.Define("tcp.flags.res", "Reserved", T.Boolean, B.None, 0xe00);
    public static readonly FieldDef FlagsAe = FieldRegistry.Define("tcp.flags.ae", "Accurate ECN", T.Boolean, B.None, 0x100);
    public static readonly FieldDef FlagsCwr = FieldRegistry.Define("tcp.flags.cwr", "Congestion Window Reduced", T.Boolean, B.None, 0x80);
    public static readonly FieldDef FlagsEce = FieldRegistry.Define("tcp.flags.ece", "ECN-Echo", T.Boolean, B.None, 0x40);
    public static readonly FieldDef FlagsUrg = FieldRegistry.Define("tcp.flags.urg", "Urgent", T.Boolean, B.None, 0x20);
    public static readonly FieldDef FlagsAck = FieldRegistry.Define("tcp.flags.ack", "Acknowledgment", T.Boolean, B.None, 0x10);
    public static readonly FieldDef FlagsPush = FieldRegistry.Define("tcp.flags.push", "Push", T.Boolean, B.None, 0x8);
    public static readonly FieldDef FlagsReset = FieldRegistry.Define("tcp.flags.reset", "Reset", T.Boolean, B.None, 0x4);
    public static readonly FieldDef FlagsSyn = FieldRegistry.Define("tcp.flags.syn", "Syn", T.Boolean, B.None, 0x2);
    public static readonly FieldDef FlagsFin = FieldRegistry.Define("tcp.flags.fin", "Fin", T.Boolean, B.None, 0x1);
    public static readonly FieldDef FlagsStr = FieldRegistry.Define("tcp.flags.str", "TCP Flags", T.String);
    public static readonly FieldDef WindowSizeValue = FieldRegistry.Define("tcp.window_size_value", "Window", T.UInt16, B.Dec);
    public static readonly FieldDef WindowSize = FieldRegistry.Define("tcp.window_size", "Calculated window size", T.UInt32, B.Dec);
    public static readonly FieldDef WindowSizeScaleFactor = FieldRegistry.Define("tcp.window_size_scalefactor", "Window size scaling factor", T.Int32, B.Dec);
    public static readonly FieldDef Checksum = FieldRegistry.Define("tcp.checksum", "Checksum", T.UInt16, B.Hex);
    public static readonly FieldDef UrgentPointer = FieldRegistry.Define("tcp.urgent_pointer", "Urgent Pointer", T.UInt16, B.Dec);
    public static readonly FieldDef Options = FieldRegistry.Define("tcp.options", "TCP Options", T.Bytes);
    public static readonly FieldDef OptNop = FieldRegistry.Define("tcp.options.nop", "TCP Option - No-Operation (NOP)", T.Protocol);
    public static readonly FieldDef OptEol = FieldRegistry.Define("tcp.options.eol", "TCP Option - End of Option List (EOL)", T.Protocol);
    public static readonly FieldDef OptMss = FieldRegistry.Define("tcp.options.mss", "TCP Option - Maximum segment size", T.Protocol);
    public static readonly FieldDef OptMssVal = FieldRegistry.Define("tcp.options.mss_val", "MSS Value", T.UInt16, B.Dec);
    public static readonly FieldDef OptWscale = FieldRegistry.Define("tcp.options.wscale", "TCP Option - Window scale", T.Protocol);
    public static readonly FieldDef OptWscaleShift = FieldRegistry.Define("tcp.options.wscale.shift", "Shift count", T.UInt8, B.Dec);
    public static readonly FieldDef OptWscaleMultiplier = FieldRegistry.Define("tcp.options.wscale.multiplier", "Multiplier", T.UInt16, B.Dec);
    public static readonly FieldDef OptSackPerm = FieldRegistry.Define("tcp.options.sack_perm", "TCP Option - SACK permitted", T.Protocol);
    public static readonly FieldDef OptSack = FieldRegistry.Define("tcp.options.sack", "TCP Option - SACK", T.Protocol);
    public static readonly FieldDef OptSackLe = FieldRegistry.Define("tcp.options.sack_le", "left edge", T.UInt32, B.Dec);
    public static readonly FieldDef OptSackRe = FieldRegistry.Define("tcp.options.sack_re", "right edge", T.UInt32, B.Dec);
    public static readonly FieldDef OptSackCount = FieldRegistry.Define("tcp.options.sack.count", "TCP SACK Count", T.UInt8, B.Dec);
    public static readonly FieldDef OptTimestamp = FieldRegistry.Define("tcp.options.timestamp", "TCP Option - Timestamps", T.Protocol);
    public static readonly FieldDef OptTsVal = FieldRegistry.Define("tcp.options.timestamp.tsval", "Timestamp value", T.UInt32, B.Dec);
    public static readonly FieldDef OptTsEcr = FieldRegistry.Define("tcp.options.timestamp.tsecr", "Timestamp echo reply", T.UInt32, B.Dec);
    public static readonly FieldDef Analysis = FieldRegistry.Define("tcp.analysis", "SEQ/ACK analysis", T.None);
    public static readonly FieldDef AnalysisInitialRtt = FieldRegistry.Define("tcp.analysis.initial_rtt", "iRTT", T.RelativeTime);
    public static readonly FieldDef AnalysisAcksFrame = FieldRegistry.Define("tcp.analysis.acks_frame", "This is an ACK to the segment in frame", T.FrameNumber);
    public static readonly FieldDef AnalysisAckRtt = FieldRegistry.Define("tcp.analysis.ack_rtt", "The RTT to ACK the segment was", T.RelativeTime);
    public static readonly FieldDef AnalysisBytesInFlight = FieldRegistry.Define("tcp.analysis.bytes_in_flight", "Bytes in flight", T.UInt32, B.Dec);
    public static readonly FieldDef AnalysisPushBytesSent = FieldRegistry.Define("tcp.analysis.push_bytes_sent", "Bytes sent since last PSH flag", T.UInt32, B.Dec);
    public static readonly FieldDef AnalysisFlags = FieldRegistry.Define("tcp.analysis.flags", "TCP Analysis Flags", T.None);
    public static readonly FieldDef AnalysisRetransmission = FieldRegistry.Define("tcp.analysis.retransmission", "This frame is a (suspected) retransmission", T.None);
    public static readonly FieldDef AnalysisFastRetransmission = FieldRegistry.Define("tcp.analysis.fast_retransmission", "This frame is a (suspected) fast retransmission", T.None);
    public static readonly FieldDef AnalysisSpuriousRetransmission = FieldRegistry.Define("tcp.analysis.spurious_retransmission", "This frame is a (suspected) spurious retransmission", T.None);
    public static readonly FieldDef AnalysisOutOfOrder = FieldRegistry.Define("tcp.analysis.out_of_order", "This frame is a (suspected) out-of-order segment", T.None);
    public static readonly FieldDef AnalysisLostSegment = FieldRegistry.Define("tcp.analysis.lost_segment", "Previous segment(s) not captured (common at capture start)", T.None);
    public static readonly FieldDef AnalysisAckLostSegment = FieldRegistry.Define("tcp.analysis.ack_lost_segment", "ACKed segment that wasn't captured (common at capture start)", T.None);
    public static readonly FieldDef AnalysisDuplicateAck = FieldRegistry.Define("tcp.analysis.duplicate_ack", "Duplicate ACK", T.None);
    public static readonly FieldDef AnalysisDuplicateAckNum = FieldRegistry.Define("tcp.analysis.duplicate_ack_num", "Duplicate ACK #", T.UInt32, B.Dec);
    public static readonly FieldDef AnalysisDuplicateAckFrame = FieldRegistry.Define("tcp.analysis.duplicate_ack_frame", "Duplicate to the ACK in frame", T.FrameNumber);
    public static readonly FieldDef AnalysisZeroWindow = FieldRegistry.Define("tcp.analysis.zero_window", "TCP Zero Window segment", T.None);
    public static readonly FieldDef AnalysisZeroWindowProbe = FieldRegistry.Define("tcp.analysis.zero_window_probe", "TCP Zero Window Probe", T.None);
    public static readonly FieldDef AnalysisZeroWindowProbeAck = FieldRegistry.Define("tcp.analysis.zero_window_probe_ack", "ACK to a TCP Zero Window Probe", T.None);
    public static readonly FieldDef AnalysisWindowFull = FieldRegistry.Define("tcp.analysis.window_full", "TCP window specified by the receiver is now completely full", T.None);
    public static readonly FieldDef AnalysisWindowUpdate = FieldRegistry.Define("tcp.analysis.window_update", "TCP window update", T.None);
    public static readonly FieldDef AnalysisKeepAlive = FieldRegistry.Define("tcp.analysis.keep_alive", "TCP keep-alive segment", T.None);
    public static readonly FieldDef AnalysisKeepAliveAck = FieldRegistry.Define("tcp.analysis.keep_alive_ack", "ACK to a TCP keep-alive segment", T.None);
    public static readonly FieldDef AnalysisReusedPorts = FieldRegistry.Define("tcp.analysis.reused_ports", "A new tcp session is started with the same ports as an earlier session in this trace", T.None);
    public static readonly FieldDef TimeRelative = FieldRegistry.Define("tcp.time_relative", "Time since first frame in this TCP stream", T.RelativeTime);
    public static readonly FieldDef TimeDelta = FieldRegistry.Define("tcp.time_delta", "Time since previous frame in this TCP stream", T.RelativeTime);
    public static readonly FieldDef Payload = FieldRegistry.Define("tcp.payload", "TCP payload", T.Bytes);
    public static readonly FieldDef Segments = FieldRegistry.Define("tcp.segments", "Reassembled TCP Segments", T.None);
    public static readonly FieldDef Segment = FieldRegistry.Define("tcp.segment", "TCP Segment", T.FrameNumber);
    public static readonly FieldDef SegmentCount = FieldRegistry.Define("tcp.segment.count", "Segment count", T.UInt32, B.Dec);
    public static readonly FieldDef ReassembledIn = FieldRegistry.Define("tcp.reassembled_in", "Reassembled PDU in frame", T.FrameNumber);
    public static readonly FieldDef ReassembledLength = FieldRegistry.Define("tcp.reassembled.length", "Reassembled TCP length", T.UInt32, B.Dec);
}

/// <summary>udp.*, icmp.*, icmpv6.*, arp.*.</summary>
public static class OtherFields
{
    // Defines its fields only after the class before it, whichever class a thread touches first: the registry's
    // order (and ids) never depends on which tests or commands ran first or in parallel.
    private static readonly FieldDef s_after = TcpFields.Tcp;

    public static readonly FieldDef Udp = FieldRegistry.Define("udp", "User Datagram Protocol", T.Protocol);
    public static readonly FieldDef UdpSrcPort = FieldRegistry.Define("udp.srcport", "Source Port", T.UInt16, B.Dec);
    public static readonly FieldDef UdpDstPort = FieldRegistry.Define("udp.dstport", "Destination Port", T.UInt16, B.Dec);
    public static readonly FieldDef UdpPort = FieldRegistry.Define("udp.port", "Source or Destination Port", T.UInt16, B.Dec);
    public static readonly FieldDef UdpLength = FieldRegistry.Define("udp.length", "Length", T.UInt16, B.Dec);
    public static readonly FieldDef UdpChecksum = FieldRegistry.Define("udp.checksum", "Checksum", T.UInt16, B.Hex);
    public static readonly FieldDef Icmp = FieldRegistry.Define("icmp", "Internet Control Message Protocol", T.Protocol);
    public static readonly FieldDef IcmpType = FieldRegistry.Define("icmp.type", "Type", T.UInt8, B.Dec);
    public static readonly FieldDef IcmpCode = FieldRegistry.Define("icmp.code", "Code", T.UInt8, B.Dec);
    public static readonly FieldDef Icmpv6 = FieldRegistry.Define("icmpv6", "Internet Control Message Protocol v6", T.Protocol);
    public static readonly FieldDef Icmpv6Type = FieldRegistry.Define("icmpv6.type", "Type", T.UInt8, B.Dec);
    public static readonly FieldDef Icmpv6Code = FieldRegistry.Define("icmpv6.code", "Code", T.UInt8, B.Dec);
    public static readonly FieldDef Arp = FieldRegistry.Define("arp", "Address Resolution Protocol", T.Protocol);
    public static readonly FieldDef ArpOpcode = FieldRegistry.Define("arp.opcode", "Opcode", T.UInt16, B.Dec);
    public static readonly FieldDef ArpSrcIpv4 = FieldRegistry.Define("arp.src.proto_ipv4", "Sender IP address", T.IPv4);
    public static readonly FieldDef ArpDstIpv4 = FieldRegistry.Define("arp.dst.proto_ipv4", "Target IP address", T.IPv4);
}
