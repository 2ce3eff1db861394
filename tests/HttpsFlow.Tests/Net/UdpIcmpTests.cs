using HttpsFlow.Capture;
using HttpsFlow.Net;
using HttpsFlow.Tests.TestSupport;
using static HttpsFlow.Tests.TestSupport.Decoding;

namespace HttpsFlow.Tests.Net;

/// <summary>
/// UDP (RFC 768: ports, length, checksum), ICMP echo (RFC 792: type 8 request, 0 reply, identifier, sequence number),
/// ICMP errors, and ICMPv6 echo (RFC 4443 §4: type 128 request, 129 reply). Expectations checked with tshark 4.0.17.
/// </summary>
public class UdpIcmpTests
{
    private const string Ipv6Addresses = "20010db8000000000000000000000001 20010db8000000000000000000000002";

    [Fact]
    public void DecodesTheUdpHeaderAndReturnsThePayload()
    {
        var f = Decoding.Decode(LinkTypes.Raw, Hex.Parse("450000200007400040114e74c000020ac6336414 c3501e61000c1e9e 12340100"),
            null, null, 1, out var payload);

        Assert.Equal(TransportKind.Udp, f.Transport);
        Assert.Equal(50000, f.SrcPort);
        Assert.Equal(7777, f.DstPort);
        Assert.Equal(12, f.UdpLength);
        Assert.Equal(0x1e9e, f.UdpChecksum);
        Assert.Equal(4, f.PayloadLength);
        Assert.Equal(4, f.PayloadCaptured);
        Assert.Equal([0x12, 0x34, 0x01, 0x00], payload);
        Assert.False(f.Malformed);
        Assert.Empty(f.Notes);
    }

    [Fact]
    public void AUdpLengthBeyondTheIpPayloadIsNotedAndTheDeclaredLengthKept()
    {
        // tshark: "50000 → 7777 [BAD UDP LENGTH 40 > IP PAYLOAD LENGTH] Len=32", without "[Malformed Packet]".
        var f = Decode(LinkTypes.Raw, "450000200007400040114e74c000020ac6336414 c3501e6100281e82 12340100");

        Assert.Equal(40, f.UdpLength);
        Assert.Equal(12, f.UdpIpPayload);
        Assert.Equal(32, f.PayloadLength);
        Assert.Equal(4, f.PayloadCaptured);
        Assert.Contains(f.Notes, n => n.Protocol == "udp" && n.Message.Contains("40", StringComparison.Ordinal));
        Assert.False(f.Malformed);
    }

    [Fact]
    public void AUdpLengthBelowTheHeaderIsNoted()
    {
        // tshark: "50000 → 7777 [BAD UDP LENGTH 4 < 8]", without "[Malformed Packet]".
        var f = Decode(LinkTypes.Raw, "450000200007400040114e74c000020ac6336414 c3501e6100041ea6 12340100");

        Assert.Equal((50000, 7777), (f.SrcPort, f.DstPort));
        Assert.Equal(4, f.UdpLength);
        Assert.Equal(0, f.PayloadLength);
        Assert.Contains(f.Notes, n => n.Protocol == "udp" && n.Message.Contains("4", StringComparison.Ordinal));
        Assert.False(f.Malformed);
    }

    [Fact]
    public void AUdpHeaderCutShortIsMalformedWithANote()
    {
        var f = Decode(LinkTypes.Raw, "450000180007400040114e7cc000020ac6336414 c3501e61");

        Assert.Equal(TransportKind.Udp, f.Transport);
        Assert.True(f.Malformed);
        Assert.NotEmpty(f.Notes);
    }

    [Fact]
    public void AUdpHeaderCutAfterItsPortsStillGivesThePorts()
    {
        var f = Decode(LinkTypes.Raw, "450000180007400040114e7cc000020ac6336414 c3501e61");

        Assert.Equal((50000, 7777), (f.SrcPort, f.DstPort));
    }

    [Fact]
    public void AUdpHeaderCutByTheSnapLengthIsSizeLimited()
    {
        var f = Decode(LinkTypes.Raw, "450000200007400040114e74c000020ac6336414 c3501e61", originalLength: 32);

        Assert.True(f.SizeLimited);
        Assert.False(f.Malformed);
        Assert.NotEmpty(f.Notes);
    }

    [Theory]
    [InlineData("ICMP echo request", "450000240010400040014e77c000020ac6336414 0800543512340001 6162636465666768",
        TransportKind.Icmp, 8, 0x1234, 1, "192.0.2.10")]
    [InlineData("ICMP echo reply", "450000240011400040014e76c6336414c000020a 00005c3512340001 6162636465666768",
        TransportKind.Icmp, 0, 0x1234, 1, "198.51.100.20")]
    [InlineData("ICMPv6 echo request", "60000000000c3a40 " + Ipv6Addresses + " 8000cdf877770003 70696e67",
        TransportKind.Icmpv6, 128, 0x7777, 3, "2001:db8::1")]
    [InlineData("ICMPv6 echo reply", "60000000000c3a40 20010db8000000000000000000000002 20010db8000000000000000000000001 " +
        "8100ccf877770003 70696e67", TransportKind.Icmpv6, 129, 0x7777, 3, "2001:db8::2")]
    public void AnEchoGivesItsTypeIdentifierAndSequenceNumber(string name, string hex, TransportKind transport, int type,
        int id, int seq, string source)
    {
        _ = name;
        var f = Decode(LinkTypes.Raw, hex);

        Assert.Equal(transport, f.Transport);
        Assert.Equal(type, f.IcmpType);
        Assert.Equal(0, f.IcmpCode);
        Assert.Equal(id, f.IcmpId);
        Assert.Equal(seq, f.IcmpSeq);
        Assert.Equal(64, f.IpTtl);
        Assert.Equal(source, f.Src.ToString());
        Assert.Equal(0, f.IcmpRequestFrame); // pairing is the pipeline's, not the decoder's
        Assert.False(f.Malformed);
    }

    [Fact]
    public void ADestinationUnreachableGivesItsTypeAndCode()
    {
        // Port unreachable, quoting the IPv4 and UDP headers of the datagram that caused it.
        var f = Decode(LinkTypes.Raw, "450000380012400040014e61c000020ac6336414 0303fca000000000 " +
            "450000200007400040114e74c6336414c000020a c3501e61000c1e9e");

        Assert.Equal(TransportKind.Icmp, f.Transport);
        Assert.Equal(3, f.IcmpType);
        Assert.Equal(3, f.IcmpCode);
        Assert.False(f.HasQuotedTcp); // the quoted datagram is UDP
        Assert.False(f.Malformed);
    }

    [Theory]
    [InlineData("ICMP, 3 bytes", LinkTypes.Raw, "450000170007400040014e8dc000020ac6336414 080000")]
    [InlineData("ICMPv6, 2 bytes", LinkTypes.Raw, "6000000000023a40 " + Ipv6Addresses + " 8000")]
    public void AnIcmpHeaderCutShortIsMalformedWithANote(string name, uint linkType, string hex)
    {
        _ = name;
        var f = Decode(linkType, hex);

        Assert.True(f.Malformed);
        Assert.NotEmpty(f.Notes);
    }
}
