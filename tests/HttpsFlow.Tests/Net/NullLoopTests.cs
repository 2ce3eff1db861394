using HttpsFlow.Capture;
using HttpsFlow.Net;
using static HttpsFlow.Tests.TestSupport.Decoding;

namespace HttpsFlow.Tests.Net;

/// <summary>
/// BSD loopback (LINKTYPE_NULL 0: a 4-byte address family in the capturing host's byte order; LINKTYPE_LOOP 108: the
/// same in network byte order) and the link types with no link header at all (LINKTYPE_RAW 101, the IP version in the
/// first nibble; LINKTYPE_IPV4 228; LINKTYPE_IPV6 229). AF_INET is 2 everywhere; AF_INET6 is 24 on NetBSD/OpenBSD,
/// 28 on FreeBSD, 30 on macOS.
/// </summary>
public class NullLoopTests
{
    private const string Ipv4Udp = "450000200007400040114e74c000020ac6336414 c3501e61000c1e9e 12340100";
    private const string Ipv6Udp = "60000000000c114020010db800000000000000000000000120010db8000000000000000000000002 c3501e61000caf7b 12340100";

    [Theory]
    [InlineData("NULL, little-endian host, AF_INET", LinkTypes.Null, "02000000 " + Ipv4Udp, LinkKind.Null, NetworkKind.IPv4)]
    [InlineData("NULL, big-endian host, AF_INET", LinkTypes.Null, "00000002 " + Ipv4Udp, LinkKind.Null, NetworkKind.IPv4)]
    [InlineData("NULL, little-endian, AF_INET6 of NetBSD/OpenBSD (24)", LinkTypes.Null, "18000000 " + Ipv6Udp, LinkKind.Null, NetworkKind.IPv6)]
    [InlineData("NULL, little-endian, AF_INET6 of FreeBSD (28)", LinkTypes.Null, "1c000000 " + Ipv6Udp, LinkKind.Null, NetworkKind.IPv6)]
    [InlineData("NULL, little-endian, AF_INET6 of macOS (30)", LinkTypes.Null, "1e000000 " + Ipv6Udp, LinkKind.Null, NetworkKind.IPv6)]
    [InlineData("NULL, big-endian host, AF_INET6 (24)", LinkTypes.Null, "00000018 " + Ipv6Udp, LinkKind.Null, NetworkKind.IPv6)]
    [InlineData("LOOP, AF_INET", LinkTypes.Loop, "00000002 " + Ipv4Udp, LinkKind.Loop, NetworkKind.IPv4)]
    [InlineData("LOOP, AF_INET6 (24)", LinkTypes.Loop, "00000018 " + Ipv6Udp, LinkKind.Loop, NetworkKind.IPv6)]
    [InlineData("RAW, IPv4", LinkTypes.Raw, Ipv4Udp, LinkKind.Raw, NetworkKind.IPv4)]
    [InlineData("RAW, IPv6", LinkTypes.Raw, Ipv6Udp, LinkKind.Raw, NetworkKind.IPv6)]
    [InlineData("IPV4 (228)", LinkTypes.Ipv4, Ipv4Udp, LinkKind.Raw, NetworkKind.IPv4)]
    [InlineData("IPV6 (229)", LinkTypes.Ipv6, Ipv6Udp, LinkKind.Raw, NetworkKind.IPv6)]
    public void TheFamilyOrVersionChoosesTheNetworkLayer(string name, uint linkType, string hex, LinkKind link,
        NetworkKind network)
    {
        _ = name;
        var f = Decode(linkType, hex);

        Assert.Equal(link, f.Link);
        Assert.Equal(network, f.Network);
        Assert.Equal(TransportKind.Udp, f.Transport);
        Assert.Equal((50000, 7777), (f.SrcPort, f.DstPort));
        Assert.Equal(4, f.PayloadLength);
        Assert.False(f.Malformed);
        Assert.Empty(f.Notes);
    }

    [Fact]
    public void TheDecodedAddressesAreThoseOfTheDatagram()
    {
        var v4 = Decode(LinkTypes.Null, "02000000 " + Ipv4Udp);
        var v6 = Decode(LinkTypes.Loop, "0000001e " + Ipv6Udp);

        Assert.Equal(("192.0.2.10", "198.51.100.20"), (v4.Src.ToString(), v4.Dst.ToString()));
        Assert.Equal(("2001:db8::1", "2001:db8::2"), (v6.Src.ToString(), v6.Dst.ToString()));
    }

    [Theory]
    [InlineData("NULL with an unknown family (7)", LinkTypes.Null, "07000000 " + Ipv4Udp)]
    [InlineData("LOOP is network order: 02000000 is not AF_INET", LinkTypes.Loop, "02000000 " + Ipv4Udp)]
    [InlineData("RAW with IP version 5", LinkTypes.Raw, "55000020 0007400040114e74c000020ac6336414")]
    public void AnUnknownFamilyOrVersionLeavesTheNetworkLayerUnknown(string name, uint linkType, string hex)
    {
        _ = name;
        var f = Decode(linkType, hex);

        Assert.Equal(NetworkKind.Unknown, f.Network);
        Assert.Equal(TransportKind.None, f.Transport);
        Assert.False(f.Malformed);
    }

    [Theory]
    [InlineData("NULL with three bytes of family", LinkTypes.Null, "020000")]
    [InlineData("LOOP with no bytes", LinkTypes.Loop, "")]
    [InlineData("RAW with no bytes", LinkTypes.Raw, "")]
    public void AHeaderCutShortIsMalformedWithANote(string name, uint linkType, string hex)
    {
        _ = name;
        var f = Decode(linkType, hex);

        Assert.True(f.Malformed);
        Assert.NotEmpty(f.Notes);
        Assert.Equal(NetworkKind.None, f.Network);
    }

    [Fact]
    public void AnUnknownLinkTypeIsCarriedByNumberAndNotDecoded()
    {
        var f = Decode(147, Ipv4Udp); // LINKTYPE_USER0

        Assert.Equal(LinkKind.Unknown, f.Link);
        Assert.Equal(147u, f.LinkType);
        Assert.Equal(NetworkKind.None, f.Network);
        Assert.False(f.Malformed);
    }
}
