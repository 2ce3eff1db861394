using HttpsFlow.Capture;
using HttpsFlow.Net;
using HttpsFlow.Tests.TestSupport;
using static HttpsFlow.Tests.TestSupport.Decoding;

namespace HttpsFlow.Tests.Net;

/// <summary>
/// IPv4 (RFC 791 §3.1): ver/IHL, DSCP/ECN, total length, identification, flags/fragment offset, TTL, protocol,
/// checksum, addresses, options; and fragment reassembly (RFC 791 §3.2) as Wireshark does it by default, the datagram
/// decoded in the frame of the fragment that completes it. Expectations checked with tshark 4.0.17.
/// </summary>
public class Ipv4Tests
{
    // A UDP datagram of 32 bytes (header + "ABCDEFGHIJKLMNOPQRSTUVWX") from 50000 to 7777, in fragments of ID 0x0100.
    private const string FirstSixteen = "450000240100200040116d77c000020ac6336414 c3501e6100209e0a4142434445464748";       // offset 0, MF
    private const string LastSixteen = "450000240100000240118d75c000020ac6336414 494a4b4c4d4e4f505152535455565758";       // offset 16
    private const string MiddleSixteen = "450000240100200140116d76c000020ac6336414 4142434445464748494a4b4c4d4e4f50";     // offset 8, MF
    private const string LastEight = "4500001c0100000340118d7cc000020ac6336414 5152535455565758";                           // offset 24
    private const string LastSixteenOfId0101 = "450000240101000240118d74c000020ac6336414 494a4b4c4d4e4f505152535455565758";

    [Fact]
    public void DecodesEveryHeaderField()
    {
        // DSCP EF with ECN 0 (0xb8), ID 0xbeef, DF, TTL 57, UDP.
        var f = Decode(LinkTypes.Raw, "45b80020beef4000391195d3c000020ac6336414 c3501e61000c1e9e 12340100");

        Assert.Equal(NetworkKind.IPv4, f.Network);
        Assert.Equal(4, f.IpVersion);
        Assert.Equal(20, f.IpHeaderLength);
        Assert.Equal(0xb8, f.IpDsfield);
        Assert.Equal(32, f.IpTotalLength);
        Assert.Equal(0xbeef, f.IpId);
        Assert.Equal(0b010, f.IpFlags); // DF
        Assert.Equal(0, f.IpFragmentOffset);
        Assert.Equal(57, f.IpTtl);
        Assert.Equal(17, f.IpProtocol);
        Assert.Equal(0x95d3, f.IpChecksum);
        Assert.Equal("192.0.2.10", f.Src.ToString());
        Assert.Equal("198.51.100.20", f.Dst.ToString());
        Assert.False(f.Src.IsV6);
        Assert.True(f.HasIpAddresses);
        Assert.Equal(FragmentState.None, f.Fragment);
        Assert.Equal(TransportKind.Udp, f.Transport);
        Assert.False(f.Malformed);
    }

    [Fact]
    public void OptionsLengthenTheHeaderAndTheTransportFollowsThem()
    {
        // IHL 6: a Router Alert option (RFC 2113: 94 04 0000) before the UDP header.
        var f = Decode(LinkTypes.Raw, "46000024000940004011b969c000020ac6336414 94040000 c3501e61000c1e9e 12340100");

        Assert.Equal(24, f.IpHeaderLength);
        Assert.Equal(36, f.IpTotalLength);
        Assert.Equal(TransportKind.Udp, f.Transport);
        Assert.Equal((50000, 7777), (f.SrcPort, f.DstPort));
        Assert.Equal(12, f.UdpLength);
        Assert.Equal(4, f.PayloadLength);
        Assert.False(f.Malformed);
    }

    [Theory]
    [InlineData("UDP with 2 bytes of data, padded to 60 bytes", "3c22fb8a9d01 001a2b3c4d5e 0800 " +
        "4500001e0003400040114e7ac000020ac6336414 04d2162e000a901e 6869 00000000000000000000000000000000", 30, 2, "6869")]
    [InlineData("a bare TCP ACK, padded to 60 bytes", "3c22fb8a9d01 001a2b3c4d5e 0800 " +
        "450000280004400040064e7ac000020ac6336414 9c4001bb000003e900001389501001f60c1f0000 000000000000", 40, 0, "")]
    public void EthernetPaddingAfterTheDatagramIsNotPayload(string name, string hex, int totalLength, int payloadLength,
        string payloadHex)
    {
        _ = name;
        var f = Decoding.Decode(LinkTypes.Ethernet, Hex.Parse(hex), null, null, 1, out var payload);

        Assert.Equal(60, f.CapturedLength);
        Assert.Equal(totalLength, f.IpTotalLength);
        Assert.Equal(payloadLength, f.PayloadLength);
        Assert.Equal(payloadLength, f.PayloadCaptured);
        Assert.Equal(Hex.Parse(payloadHex), payload);
        Assert.False(f.Malformed);
    }

    [Fact]
    public void ATotalLengthOfZeroTakesTheLengthFromTheFrame()
    {
        // Captured before TCP segmentation / receive offload filled the length in: Wireshark uses the frame's length.
        var f = Decode(LinkTypes.Raw, "450000000007400040114e94c000020ac6336414 c3501e61000c1e9e 12340100");

        Assert.Equal(TransportKind.Udp, f.Transport);
        Assert.Equal(4, f.PayloadLength);
        Assert.False(f.Malformed);
    }

    [Fact]
    public void ATotalLengthBeyondThePacketIsNotedAndThePacketIsDecodedAsFarAsItGoes()
    {
        // Total length 64 in a 32-byte packet: tshark says "IPv4 total length exceeds packet length (32 bytes)" and
        // still lists "50000 → 7777 Len=4".
        var f = Decode(LinkTypes.Raw, "450000400007400040114e54c000020ac6336414 c3501e61000c1e9e 12340100");

        Assert.Contains(f.Notes, n => n.Protocol == "ip" && n.Message.Contains("exceeds", StringComparison.Ordinal));
        Assert.Equal(TransportKind.Udp, f.Transport);
        Assert.Equal(4, f.PayloadLength);
    }

    [Theory]
    [InlineData("19 bytes of header", "450000200007400040114e74c000020ac63364", null)]
    [InlineData("IHL 15 (60 bytes) in a 32-byte datagram", "4f00003c0007400040114458c000020ac6336414 c3501e61000c1e9e 12340100", null)]
    [InlineData("IHL 4", "440000200007400040114f74c000020ac6336414 c3501e61000c1e9e 12340100",
        "Bogus IP header length (16, must be at least 20)")]
    [InlineData("total length 16, shorter than the header", "450000100007400040114e84c000020ac6336414 c3501e61000c1e9e 12340100",
        "Bogus IP length (16, less than header length 20)")]
    public void ABadHeaderIsMalformedWithANoteAndNothingAboveItIsDecoded(string name, string hex, string? bogusInfo)
    {
        _ = name;
        var f = Decode(LinkTypes.Raw, hex);

        Assert.Equal(NetworkKind.IPv4, f.Network);
        Assert.True(f.Malformed);
        Assert.Equal("ip", f.MalformedIn);
        Assert.NotEmpty(f.Notes);
        Assert.Equal(bogusInfo, f.BogusInfo);
        Assert.Equal(TransportKind.None, f.Transport);
    }

    [Fact]
    public void AHeaderCutByTheSnapLengthIsSizeLimitedNotMalformed()
    {
        var f = Decode(LinkTypes.Raw, "450000200007400040114e74c000020ac63364", originalLength: 32);

        Assert.True(f.SizeLimited);
        Assert.False(f.Malformed);
        Assert.NotEmpty(f.Notes);
    }

    [Fact]
    public void TwoFragmentsInOrderAreReassembledInTheFrameOfTheLast()
    {
        var decoder = new PacketDecoder();

        var first = Decoding.Decode(LinkTypes.Raw, Hex.Parse(FirstSixteen), null, decoder, 1, out _);
        var last = Decoding.Decode(LinkTypes.Raw, Hex.Parse(LastSixteen), null, decoder, 2, out var payload);

        Assert.Equal(FragmentState.Fragment, first.Fragment);
        Assert.Equal(0x0100u, first.FragmentId);
        Assert.Equal(1, first.IpFlags & 1); // MF
        Assert.Equal(0, first.IpFragmentOffset);
        Assert.Equal(TransportKind.None, first.Transport);
        Assert.False(first.Malformed);

        Assert.Equal(FragmentState.Reassembled, last.Fragment);
        Assert.Equal(16, last.IpFragmentOffset);
        Assert.Equal(TransportKind.Udp, last.Transport);
        Assert.Equal((50000, 7777), (last.SrcPort, last.DstPort));
        Assert.Equal(32, last.UdpLength);
        Assert.Equal(24, last.PayloadLength);
        Assert.Equal("ABCDEFGHIJKLMNOPQRSTUVWX"u8.ToArray(), payload);
    }

    [Fact]
    public void FragmentsOutOfOrderAreReassembledWhenTheLastMissingOneArrives()
    {
        var decoder = new PacketDecoder();

        var first = Decode(LinkTypes.Raw, LastSixteen, decoder: decoder, number: 1);
        Assert.Equal(FragmentState.Fragment, first.Fragment);
        Assert.Equal(16, first.IpFragmentOffset);

        var second = Decoding.Decode(LinkTypes.Raw, Hex.Parse(FirstSixteen), null, decoder, 2, out var payload);
        Assert.Equal(FragmentState.Reassembled, second.Fragment);
        Assert.Equal(TransportKind.Udp, second.Transport);
        Assert.Equal("ABCDEFGHIJKLMNOPQRSTUVWX"u8.ToArray(), payload);
    }

    [Fact]
    public void ADuplicateFragmentDoesNotCompleteTheDatagram()
    {
        var decoder = new PacketDecoder();

        var states = new[] { FirstSixteen, FirstSixteen, LastSixteen }
            .Select((hex, i) => Decode(LinkTypes.Raw, hex, decoder: decoder, number: i + 1).Fragment)
            .ToArray();

        Assert.Equal([FragmentState.Fragment, FragmentState.Fragment, FragmentState.Reassembled], states);
    }

    [Fact]
    public void OverlappingFragmentsAreReassembledIntoTheSameDatagram()
    {
        var decoder = new PacketDecoder();

        var a = Decode(LinkTypes.Raw, FirstSixteen, decoder: decoder, number: 1);   // 0..16
        var b = Decode(LinkTypes.Raw, MiddleSixteen, decoder: decoder, number: 2);  // 8..24, overlapping
        var c = Decoding.Decode(LinkTypes.Raw, Hex.Parse(LastEight), null, decoder, 3, out var payload); // 24..32

        Assert.Equal(FragmentState.Fragment, a.Fragment);
        Assert.Equal(FragmentState.Fragment, b.Fragment);
        Assert.Equal(FragmentState.Reassembled, c.Fragment);
        Assert.Equal(24, c.PayloadLength);
        Assert.Equal("ABCDEFGHIJKLMNOPQRSTUVWX"u8.ToArray(), payload);
    }

    [Fact]
    public void AFragmentThatNeverCompletesStaysAFragmentAndDoesNotDisturbOtherDatagrams()
    {
        var decoder = new PacketDecoder();

        var fragment = Decode(LinkTypes.Raw, FirstSixteen, decoder: decoder, number: 1);
        var unrelated = Decode(LinkTypes.Raw, "4500001e0105400040114d78c000020ac6336414 045708ae000a9717 6f6b", decoder: decoder, number: 2);
        var otherId = Decode(LinkTypes.Raw, LastSixteenOfId0101, decoder: decoder, number: 3);

        Assert.Equal(FragmentState.Fragment, fragment.Fragment);
        Assert.Equal(FragmentState.None, unrelated.Fragment);
        Assert.Equal((1111, 2222), (unrelated.SrcPort, unrelated.DstPort));
        Assert.Equal(2, unrelated.PayloadLength);
        // The last fragment of datagram 0x0101 does not complete datagram 0x0100.
        Assert.Equal(FragmentState.Fragment, otherId.Fragment);
        Assert.Equal(0x0101u, otherId.FragmentId);
        Assert.Equal(TransportKind.None, otherId.Transport);
    }

    [Fact]
    public void AFragmentCutByTheSnapLengthIsNotReassembled()
    {
        var decoder = new PacketDecoder();
        var cut = Hex.Parse(FirstSixteen)[..28];

        var first = Decoding.Decode(LinkTypes.Raw, cut, 36, decoder, 1, out _);
        var last = Decode(LinkTypes.Raw, LastSixteen, decoder: decoder, number: 2);

        Assert.Equal(FragmentState.Fragment, first.Fragment);
        Assert.Equal(FragmentState.Fragment, last.Fragment);
    }
}
