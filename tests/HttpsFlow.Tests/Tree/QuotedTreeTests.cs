using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tree;
using static HttpsFlow.Tests.TestSupport.IcmpQuotes;

namespace HttpsFlow.Tests.Tree;

/// <summary>
/// The detail tree of an ICMP or ICMPv6 error quoting a TCP segment: the error's fixed part, then (inside the ICMP
/// layer, as tshark nests them) the quoted IP header, TCP header and what TLS read of the quoted payload. Every line
/// is one of tshark 4.0.17's for the same bytes, at the same depth, in order.
/// </summary>
public class QuotedTreeTests
{
    private static TreeNode Icmp(Shown f) => f.Tree.Single(n => n.Field is "icmp" or "icmpv6");

    private static List<string> Labels(TreeNode node) => node.Children.Select(c => c.Label).ToList();

    [Fact]
    public void AFragmentationNeededErrorShowsTheQuotedTcpHeaderAndTheRecord()
    {
        var f = Dissect(IcmpError(QuotedV4(TcpSegment(50000, 443, 100, 7777, Ack | Psh, Alert))))[0];
        var icmp = Icmp(f);
        var labels = Labels(icmp);

        Assert.Equal(["Type: 3 (Destination unreachable)", "Code: 4 (Fragmentation needed)"], labels[..2]);
        Assert.Contains("Unused: 0000", labels);
        Assert.Contains("MTU of next hop: 1492", labels);
        Assert.Equal("Internet Protocol Version 4, Src: 192.0.2.10, Dst: 198.51.100.20", labels[^3]);
        var tcp = icmp.Children[^2];
        Assert.Equal("Transmission Control Protocol, Src Port: 50000, Dst Port: 443, Seq: 100, Ack: 7777", tcp.Label);
        Assert.Equal(["Source Port: 50000", "Destination Port: 443", "Sequence Number: 100", "[Stream index: 0]",
            "[Conversation completeness: Incomplete (0)]", "Acknowledgment Number: 7777    (relative ack number)",
            "Acknowledgment number (raw): 7777", "0101 .... = Header Length: 20 bytes (5)", "Flags: 0x018 (PSH, ACK)",
            "Window: 512", "[Calculated window size: 512]", "[Window size scaling factor: -1 (unknown)]",
            "Checksum: 0x0000 [unverified]", "[Checksum Status: Unverified]", "Urgent Pointer: 0", "[Timestamps]",
            "TCP payload (7 bytes)"], Labels(tcp));
        var tls = icmp.Children[^1];
        Assert.Equal("Transport Layer Security", tls.Label);
        var record = Assert.Single(tls.Children);
        Assert.Equal("TLSv1.2 Record Layer: Alert (Level: Fatal, Description: Handshake Failure)", record.Label);
        Assert.Equal(["Content Type: Alert (21)", "Version: TLS 1.2 (0x0303)", "Length: 2", "Alert Message"], Labels(record));
        // The record lies where the quote holds it: after Ethernet, IPv4, ICMP, the quoted IPv4 and TCP headers.
        const int at = 14 + 20 + 8 + 20 + 20;
        Assert.Equal((at, Alert.Length), (record.Offset, record.Length));
        Assert.Equal((at + 3, 2), (record.Children[2].Offset, record.Children[2].Length));
    }

    [Fact]
    public void ARecordTheQuoteCutsLeavesAnEmptyTlsLayer()
    {
        var f = Dissect(IcmpError(QuotedV4(TcpSegment(50000, 443, 100, 7777, Ack, [0x17, 3, 3, 0x20, 0x14, 1, 2, 3]))))[0];
        var tls = Icmp(f).Children[^1];

        Assert.Equal("Transport Layer Security", tls.Label);
        Assert.Empty(tls.Children);
        Assert.DoesNotContain(Icmp(f).Children[^2].Children, n => n.Field == "tcp.segment_data");
    }

    [Fact]
    public void AnIgnoredUnknownRecordIsTheNoteAlone()
    {
        var (handshake, next, serverNext) = Tls12Handshake();
        var f = Dissect([.. handshake, IcmpError(QuotedV4(TcpSegment(50000, 443, next + 1460, serverNext, Ack, [0x84, 0xfd, 0xe7, 0x59, 0xcd])))])[^1];
        var tls = Icmp(f).Children[^1];

        var note = Assert.Single(tls.Children);
        Assert.Equal("Ignored Unknown Record", note.Label);
        var expert = Assert.Single(note.Children);
        Assert.Equal("[Expert Info (Warning/Protocol): Ignored Unknown Record]", expert.Label);
        Assert.Equal(["[Ignored Unknown Record]", "[Severity level: Warning]", "[Group: Protocol]"], Labels(expert));
    }

    [Fact]
    public void AnEmptyRecordEndingTheQuoteIsARecordLayerUpToItsLength()
    {
        var f = Dissect(IcmpError(QuotedV4(TcpSegment(50000, 443, 100, 7777, Ack, [0x15, 3, 3, 0, 0]))))[0];
        var record = Assert.Single(Icmp(f).Children[^1].Children);

        Assert.Equal("Record Layer", record.Label);
        Assert.Equal(["Content Type: Alert (21)", "Version: TLS 1.2 (0x0303)", "Length: 0"], Labels(record));
    }

    [Fact]
    public void AHandshakeMessageTheRecordCutsIsNamedAFragment()
    {
        var f = Dissect(IcmpError(QuotedV4(TcpSegment(50000, 443, 100, 7777, Ack, [0x16, 3, 3, 0, 8, 1, 0, 1, 0xfc, 3, 3, 0xaa, 0xbb]))))[0];
        var record = Assert.Single(Icmp(f).Children[^1].Children);

        Assert.Equal("TLSv1.2 Record Layer: Handshake Protocol: Client Hello (fragment)", record.Label);
        var piece = record.Children[^1];
        Assert.Equal("Handshake Protocol: Client Hello (fragment)", piece.Label);
        Assert.Empty(piece.Children);
    }

    [Fact]
    public void AnIcmpv6PacketTooBigShowsItsMtuAndTheQuote()
    {
        var f = Dissect(Icmpv6Error(QuotedV6(TcpSegment(50000, 443, 100, 7777, Ack | Psh, Alert))))[0];
        var icmp = Icmp(f);
        var labels = Labels(icmp);

        Assert.EndsWith("[correct]", labels[2]);
        labels.RemoveAt(2);
        Assert.Equal(["Type: Packet Too Big (2)", "Code: 0", "[Checksum Status: Good]", "MTU: 1280", "Internet Protocol Version 6, Src: 2001:db8::1, Dst: 2001:db8::2",
            "Transmission Control Protocol, Src Port: 50000, Dst Port: 443, Seq: 100, Ack: 7777", "Transport Layer Security"], labels);
        var tcp = icmp.Children[6];
        Assert.Equal(["Source Port: 50000", "Destination Port: 443", "[Stream index: 0]", "[Conversation completeness: Incomplete (0)]",
            "Sequence Number: 100    (relative sequence number)", "Sequence Number (raw): 100"], Labels(tcp)[..6]);
        Assert.Equal("TLSv1.2 Record Layer: Alert (Level: Fatal, Description: Handshake Failure)", icmp.Children[7].Children.Single().Label);
    }

    [Theory]
    [InlineData(1, 0, "Code: 0 (no route to destination)", "Reserved: 00000500", "Destination Unreachable (no route to destination)")]
    [InlineData(3, 1, "Code: 1 (fragment reassembly time exceeded)", "Reserved: 00000500", "Time Exceeded (fragment reassembly time exceeded)")]
    [InlineData(4, 3, "Code: 3 (IPv6 First Fragment has incomplete IPv6 Header Chain)", "Pointer: 1280",
        "Parameter Problem (IPv6 First Fragment has incomplete IPv6 Header Chain)")]
    public void AnIcmpv6ErrorNamesItsCodeAndFixedPart(byte type, byte code, string codeLine, string fixedLine, string info)
    {
        var f = Dissect(Icmpv6Error(QuotedV6(TcpSegment(50000, 443, 100, 7777, Ack | Psh, Alert)), type, code))[0];
        var labels = Labels(Icmp(f));

        Assert.Equal(codeLine, labels[1]);
        Assert.Equal(fixedLine, labels[4]);
        Assert.Equal(info, f.Info); // the packet list's Info column
    }

    [Theory]
    [InlineData(3, 3, "Code: 3 (Port unreachable)", "Unused: 00000578")]
    [InlineData(3, 16, "Code: 16 (Unknown code: 16)", "Unused: 00000578")]
    [InlineData(11, 0, "Code: 0 (Time to live exceeded in transit)", "Unused: 00000578")]
    [InlineData(12, 0, "Code: 0 (Pointer indicates the error)", "Pointer: 0")]
    [InlineData(5, 1, "Code: 1 (Redirect for host)", "Gateway Address: 0.0.5.120")]
    public void AnIcmpErrorNamesItsCodeAndFixedPart(byte type, byte code, string codeLine, string fixedLine)
    {
        var f = Dissect(IcmpError(QuotedV4(TcpSegment(50000, 443, 100, 7777, Ack | Psh, Alert)), type, code, mtu: 1400))[0];
        var labels = Labels(Icmp(f));

        Assert.Equal(codeLine, labels[1]);
        Assert.Equal(fixedLine, labels[4]);
        Assert.Contains("Internet Protocol Version 4, Src: 192.0.2.10, Dst: 198.51.100.20", labels);
    }

    [Fact]
    public void ARedirectsQuotedTcpHeaderStopsAfterItsSequenceNumber()
    {
        var f = Dissect(IcmpError(QuotedV4(TcpSegment(50000, 443, 100, 7777, Ack | Psh, Alert)), 5, 1))[0];
        var tcp = Icmp(f).Children[^1];

        Assert.Equal("Transmission Control Protocol, Src Port: 50000, Dst Port: 443", tcp.Label);
        Assert.Equal(["Source Port: 50000", "Destination Port: 443", "Sequence Number: 100"], Labels(tcp));
    }
}
