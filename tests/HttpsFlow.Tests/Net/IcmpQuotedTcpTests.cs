using HttpsFlow.Tests.TestSupport;
using static HttpsFlow.Tests.TestSupport.IcmpQuotes;

namespace HttpsFlow.Tests.Net;

/// <summary>
/// The TCP header an ICMP or ICMPv6 error quotes, as tshark 4.0.17 shows it (each expectation checked with it on the
/// same bytes): raw numbers, the fields a cut header still has, its notes, and its place in the connection's clock
/// and completeness.
/// </summary>
public class IcmpQuotedTcpTests
{
    [Fact]
    public void AQuotedHeaderGivesItsFieldsRawWithTheConnectionsScalingFactor()
    {
        var (handshake, next, serverNext) = Tls12Handshake();
        // The client announced a window scale of 8 in its SYN, the server 7.
        handshake[0] = Segment(true, 50000, 443, 1000, 0, Syn, [], options: [1, 3, 3, 8]);
        handshake[1] = Segment(false, 50000, 443, 5000, 1001, Syn | Ack, [], options: [1, 3, 3, 7]);
        var frames = Dissect([.. handshake, IcmpError(QuotedV4(TcpSegment(50000, 443, next, serverNext, Ack | Psh, [0x17, 3, 3, 0x20, 0x14])))]);
        var icmp = frames[^1];

        Assert.Equal("Transmission Control Protocol, Src Port: 50000, Dst Port: 443, Seq: " + next + ", Ack: " + serverNext, icmp["tcp"]);
        Assert.Equal(next.ToString(), icmp["tcp.seq"]);
        Assert.False(icmp.Has("tcp.seq_raw")); // inside ICMP, tshark shows no raw sequence number
        Assert.Equal("0", icmp["tcp.stream"]);
        Assert.Equal("512", icmp["tcp.window_size"]); // never scaled inside an error
        Assert.Equal("256", icmp["tcp.window_size_scalefactor"]);
        Assert.Equal("1703032014", icmp["tcp.payload"]);
        Assert.False(icmp.Has("tcp.len"));
        Assert.Equal("ICMP", icmp.Protocol);
        Assert.Equal("Destination unreachable (Fragmentation needed)", icmp.Info);
    }

    [Fact]
    public void AQuoteIsAFrameOfItsConnectionForTheTimestampsAndTheCompleteness()
    {
        // tshark: a quote takes its place in the connection's clock (the next segment's time delta counts from it),
        // and counts as a segment without payload for tcp.completeness (its first segment only if a SYN).
        var quote = IcmpError(QuotedV4(TcpSegment(50000, 443, 100, 7777, Ack | Psh, Alert)));
        var data = Segment(true, 50000, 443, 100, 7777, Ack | Psh, Alert);
        var frames = Dissect(quote, quote, data, quote, data);

        Assert.Equal(["0.000000000", "1.000000000", "1.000000000", "1.000000000", "1.000000000"], frames.Select(f => f["tcp.time_delta"]));
        Assert.Equal(["0", "0", "4", "12", "12"], frames.Select(f => f["tcp.completeness"]));
    }

    [Fact]
    public void AQuotedAckGivesTheInitialRtt()
    {
        var syn = Segment(true, 50000, 443, 99, 0, Syn, []);
        var quote = IcmpError(QuotedV4(TcpSegment(50000, 443, 100, 7777, Ack | Psh, Alert)));
        var data = Segment(true, 50000, 443, 100, 7777, Ack | Psh, Alert);
        var frames = Dissect(syn, quote, quote, data);

        Assert.Equal(["0", "1", "5", "5"], frames.Select(f => f["tcp.completeness"]));
        Assert.Equal("1.000000000", frames[3]["tcp.analysis.initial_rtt"]);
    }

    [Theory]
    [InlineData(3, "", "", "")]
    [InlineData(4, "50000", "", "Transmission Control Protocol, Src Port: 50000, Dst Port: 443")]
    [InlineData(8, "50000", "100", "Transmission Control Protocol, Src Port: 50000, Dst Port: 443")]
    [InlineData(14, "50000", "100", "Transmission Control Protocol, Src Port: 50000, Dst Port: 443")]
    [InlineData(16, "50000", "100", "Transmission Control Protocol, Src Port: 50000, Dst Port: 443, Seq: 100, Ack: 7777")]
    public void AHeaderTheQuoteCutsGivesWhatItHolds(int keep, string port, string seq, string summary)
    {
        var f = Dissect(IcmpError(QuotedV4(TcpSegment(50000, 443, 100, 7777, Ack | Psh, Alert), keep: keep)))[0];

        Assert.Equal(port, f["tcp.srcport"]);
        Assert.Equal(seq, f["tcp.seq"]);
        Assert.Equal(summary, f["tcp"]);
        Assert.Equal(keep >= 16 ? "0" : "", f["tcp.stream"]); // from 16 bytes on it finds its connection
        Assert.False(f.Has("tcp.time_delta")); // the timestamps come after the checksum and urgent pointer
        Assert.False(f.Has("tls"));
        Assert.EndsWith(keep >= 4 ? ":ip:tcp" : ":icmp:ip", f["frame.protocols"]);
        Assert.False(f.Malformed);
    }

    [Theory]
    [InlineData(12, "", "")]
    [InlineData(18, "0x0000", "")]
    [InlineData(20, "0x0000", "0.000000000")]
    public void AnIcmpv6QuoteCutShortGivesWhatTsharkReads(int keep, string checksum, string timeDelta)
    {
        // Below 16 bytes ICMPv6's quote shows the ports alone; the checksum needs 18, the timestamps 20.
        var f = Dissect(Icmpv6Error(QuotedV6(TcpSegment(50000, 443, 100, 7777, Ack | Psh, Alert))[..(40 + keep)]))[0];

        Assert.Equal("50000", f["tcp.srcport"]);
        Assert.Equal(keep >= 16 ? "100" : "", f["tcp.seq"]);
        Assert.Equal(checksum, f["tcp.checksum"]);
        Assert.Equal(timeDelta, f["tcp.time_delta"]);
    }

    [Fact]
    public void AQuotedHeaderHasTheNotesOfASegmentsHeader()
    {
        var noAck = IcmpError(QuotedV4(TcpSegment(50000, 443, 100, 7777, Psh, Alert)));
        var synWithoutMss = IcmpError(QuotedV4(TcpSegment(50000, 443, 100, 7777, Syn, [], options: [1, 3, 3, 7])));
        var frames = Dissect(noAck, synWithoutMss);

        Assert.Equal("The acknowledgment number field is nonzero while the ACK flag is not set", frames[0]["_ws.expert.message"]);
        Assert.Equal("Transmission Control Protocol, Src Port: 50000, Dst Port: 443, Seq: 100", frames[0]["tcp"]);
        Assert.Equal("The acknowledgment number field is nonzero while the ACK flag is not set,"
            + "Connection establish request (SYN): server port 443,The SYN packet does not contain a MSS option", frames[1]["_ws.expert.message"]);
        Assert.False(frames[1].Has("tcp.window_size_scalefactor")); // a SYN's is not shown
    }

    [Fact]
    public void AQuotedHeadersOptionsAreRead()
    {
        var f = Dissect(IcmpError(QuotedV4(TcpSegment(50000, 443, 100, 7777, Ack | Psh, Alert, options: [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]))))[0];

        Assert.Equal("32", f["tcp.hdr_len"]);
        Assert.Equal("1", f["tcp.options.timestamp.tsval"]);
        Assert.Equal("2", f["tcp.options.timestamp.tsecr"]);
        Assert.Equal("15030300020228", f["tcp.payload"]);
    }

    [Fact]
    public void ARedirectQuotesOnly64BitsOfTheSegment()
    {
        // tshark reads a redirect's quote as RFC 792 describes it: the IP header and 8 bytes, so no connection.
        var f = Dissect(IcmpError(QuotedV4(TcpSegment(50000, 443, 100, 7777, Ack | Psh, Alert)), type: 5, code: 1))[0];

        Assert.Equal("100", f["tcp.seq"]);
        Assert.Equal("", f["tcp.stream"]);
        Assert.Equal("eth:ethertype:ip:icmp:ip:tcp", f["frame.protocols"]);
    }

    [Fact]
    public void AnIcmpv6ErrorsQuoteHasItsIpv6AndTcpFields()
    {
        var f = Dissect(Icmpv6Error(QuotedV6(TcpSegment(50000, 443, 100, 7777, Ack | Psh, Alert))))[0];

        Assert.Equal("2001:db8::3,2001:db8::1", f["ipv6.src"]);
        Assert.Equal("2001:db8::1,2001:db8::2", f["ipv6.dst"]);
        Assert.Equal("75,1460", f["ipv6.plen"]);
        Assert.Equal("6,6", f["ip.version"]);
        Assert.Equal("100", f["tcp.seq"]);
        Assert.Equal("100", f["tcp.seq_raw"]); // ICMPv6's quote shows the raw number too
        Assert.Equal("-1", f["tcp.window_size_scalefactor"]);
        Assert.Equal("15030300020228", f["tcp.payload"]);
        Assert.Equal("ICMPv6", f.Protocol);
        Assert.Equal("Packet Too Big", f.Info);
    }
}
