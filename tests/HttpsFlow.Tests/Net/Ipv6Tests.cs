using HttpsFlow.Capture;
using HttpsFlow.Net;
using HttpsFlow.Tests.TestSupport;
using static HttpsFlow.Tests.TestSupport.Decoding;

namespace HttpsFlow.Tests.Net;

/// <summary>
/// IPv6 (RFC 8200): the fixed header (version, traffic class, flow label, payload length, next header, hop limit,
/// addresses), extension headers (§4: hop-by-hop 0, routing 43, destination options 60 — length in 8-octet units
/// not counting the first 8; fragment 44, always 8 bytes) and fragment reassembly (§4.5). Expectations checked with
/// tshark 4.0.17.
/// </summary>
public class Ipv6Tests
{
    private const string Addresses = "20010db8000000000000000000000001 20010db8000000000000000000000002";

    // A UDP datagram of 32 bytes (header + "ABCDEFGHIJKLMNOPQRSTUVWX") in two fragments of identification 0x0000cafe.
    private const string FirstFragment = "6000000000182c40 " + Addresses + " 110000010000cafe c3501e6100202ee84142434445464748";
    private const string LastFragment = "6000000000182c40 " + Addresses + " 110000100000cafe 494a4b4c4d4e4f505152535455565758";

    [Fact]
    public void DecodesEveryFieldOfTheFixedHeader()
    {
        // Traffic class 0xb8, flow label 0x12345, payload 12, next header UDP, hop limit 255.
        var f = Decode(LinkTypes.Raw, "6b812345000c11ff " + Addresses + " c3501e61000caf7b 12340100");

        Assert.Equal(NetworkKind.IPv6, f.Network);
        Assert.Equal(6, f.IpVersion);
        Assert.Equal(0xb8, f.IpDsfield);
        Assert.Equal(0x12345u, f.Ipv6FlowLabel);
        Assert.Equal(12, f.Ipv6PayloadLength);
        Assert.Equal(17, f.Ipv6NextHeader);
        Assert.Equal(17, f.IpProtocol);
        Assert.Equal(255, f.IpTtl);
        Assert.Equal(40, f.IpHeaderLength);
        Assert.Equal(52, f.IpTotalLength);
        Assert.Equal("2001:db8::1", f.Src.ToString());
        Assert.Equal("2001:db8::2", f.Dst.ToString());
        Assert.True(f.Src.IsV6);
        Assert.Equal(TransportKind.Udp, f.Transport);
        Assert.Equal(4, f.PayloadLength);
        Assert.False(f.Malformed);
    }

    [Fact]
    public void HopByHopDestinationOptionsAndRoutingHeadersAreSkippedToReachTcp()
    {
        var f = Decode(LinkTypes.Raw, "60000000003c0040 " + Addresses +
            " 3c00010400000000" +                                         // hop-by-hop: next 60, len 0, PadN(4)
            " 2b00010400000000" +                                         // destination options: next 43, len 0, PadN(4)
            " 0602000000000000 20010db8000000000000000000000063" +        // routing: next 6, len 2 (24 bytes), type 0
            " c00001bb000003e8000000005002ffff8eca0000");                 // TCP SYN 49152 → 443

        Assert.Equal(0, f.Ipv6NextHeader);
        Assert.Equal(6, f.IpProtocol);
        Assert.Equal(40 + 8 + 8 + 24, f.IpHeaderLength);
        Assert.Equal(TransportKind.Tcp, f.Transport);
        Assert.Equal((49152, 443), (f.SrcPort, f.DstPort));
        Assert.Equal(1000u, f.Tcp.SeqRaw);
        Assert.Equal(0, f.PayloadLength);
        Assert.False(f.Malformed);
    }

    [Fact]
    public void TwoFragmentsAreReassembledInTheFrameOfTheLast()
    {
        var decoder = new PacketDecoder();

        var first = Decode(LinkTypes.Raw, FirstFragment, decoder: decoder, number: 1);
        var last = Decoding.Decode(LinkTypes.Raw, Hex.Parse(LastFragment), null, decoder, 2, out var payload);

        Assert.Equal(FragmentState.Fragment, first.Fragment);
        Assert.Equal(0xcafeu, first.FragmentId);
        Assert.Equal(0, first.IpFragmentOffset);
        Assert.Equal(1, first.IpFlags & 1);
        Assert.Equal(17, first.IpProtocol);
        Assert.Equal(48, first.IpHeaderLength);
        Assert.Equal(TransportKind.None, first.Transport);

        Assert.Equal(FragmentState.Reassembled, last.Fragment);
        Assert.Equal(16, last.IpFragmentOffset);
        Assert.Equal(TransportKind.Udp, last.Transport);
        Assert.Equal((50000, 7777), (last.SrcPort, last.DstPort));
        Assert.Equal(24, last.PayloadLength);
        Assert.Equal("ABCDEFGHIJKLMNOPQRSTUVWX"u8.ToArray(), payload);
    }

    [Fact]
    public void FragmentsOutOfOrderAreReassembledToo()
    {
        var decoder = new PacketDecoder();

        var first = Decode(LinkTypes.Raw, LastFragment, decoder: decoder, number: 1);
        var second = Decode(LinkTypes.Raw, FirstFragment, decoder: decoder, number: 2);

        Assert.Equal(FragmentState.Fragment, first.Fragment);
        Assert.Equal(FragmentState.Reassembled, second.Fragment);
        Assert.Equal(24, second.PayloadLength);
    }

    [Fact]
    public void AnAtomicFragmentIsAWholeDatagram()
    {
        // RFC 6946: offset 0 and M = 0; the payload is decoded at once, nothing waits for reassembly.
        var f = Decode(LinkTypes.Raw, "6000000000142c40 " + Addresses + " 11000000deadbeef c3501e61000caf7b 12340100");

        Assert.Equal(FragmentState.None, f.Fragment);
        Assert.Equal(0xdeadbeefu, f.FragmentId);
        Assert.Equal(48, f.IpHeaderLength);
        Assert.Equal(TransportKind.Udp, f.Transport);
        Assert.Equal((50000, 7777), (f.SrcPort, f.DstPort));
        Assert.Equal(4, f.PayloadLength);
    }

    [Fact]
    public void APayloadLengthBeyondThePacketIsNotedAndThePacketIsDecodedAsFarAsItGoes()
    {
        // tshark: "IPv6 payload length exceeds framing length (12 bytes)", and the list still shows "50000 → 7777 Len=4".
        var f = Decode(LinkTypes.Raw, "6000000000401140 " + Addresses + " c3501e61000caf7b 12340100");

        Assert.Contains(f.Notes, n => n.Protocol == "ipv6");
        Assert.Equal(TransportKind.Udp, f.Transport);
        Assert.Equal(4, f.PayloadLength);
    }

    [Theory]
    [InlineData("39 bytes of header", "60000000000c1140 20010db8000000000000000000000001 20010db80000000000000000000000")]
    [InlineData("a hop-by-hop header longer than the payload",
        "60000000001c0040 " + Addresses + " 0604010400000000 c00001bb000003e8000000005002ffff8eca0000")]
    [InlineData("version 7", "7000000000041140 " + Addresses + " c3501e61")]
    public void ABadHeaderIsMalformedWithANote(string name, string hex)
    {
        _ = name;
        // LINKTYPE_IPV6: the bytes are IPv6 whatever their version nibble says.
        var f = Decode(LinkTypes.Ipv6, hex);

        Assert.Equal(NetworkKind.IPv6, f.Network);
        Assert.True(f.Malformed);
        Assert.NotEmpty(f.Notes);
        Assert.Equal(TransportKind.None, f.Transport);
    }

    [Fact]
    public void AHeaderCutByTheSnapLengthIsSizeLimitedNotMalformed()
    {
        var f = Decode(LinkTypes.Raw, "60000000000c1140 20010db8000000000000000000000001 2001", originalLength: 52);

        Assert.True(f.SizeLimited);
        Assert.False(f.Malformed);
        Assert.NotEmpty(f.Notes);
    }
}
