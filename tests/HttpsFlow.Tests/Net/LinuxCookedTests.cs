using HttpsFlow.Capture;
using HttpsFlow.Net;
using static HttpsFlow.Tests.TestSupport.Decoding;

namespace HttpsFlow.Tests.Net;

/// <summary>
/// Linux cooked captures (tcpdump.org LINKTYPE_LINUX_SLL 113 and LINKTYPE_LINUX_SLL2 276):
/// v1 is pkttype(2) hatype(2) halen(2) address(8) protocol(2); v2 is protocol(2) reserved(2) ifindex(4) hatype(2)
/// pkttype(1) halen(1) address(8). Packet types: 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us.
/// </summary>
public class LinuxCookedTests
{
    private const string Ipv4Udp = "450000200007400040114e74c000020ac6336414 c3501e61000c1e9e 12340100";
    private const string Ipv6Udp = "60000000000c114020010db800000000000000000000000120010db8000000000000000000000002 c3501e61000caf7b 12340100";

    [Theory]
    [InlineData("unicast to us", "0000 0001 0006 001a2b3c4d5e0000 0800 " + Ipv4Udp, 0)]
    [InlineData("broadcast", "0001 0001 0006 001a2b3c4d5e0000 0800 " + Ipv4Udp, 1)]
    [InlineData("multicast", "0002 0001 0006 001a2b3c4d5e0000 0800 " + Ipv4Udp, 2)]
    [InlineData("unicast to another host", "0003 0001 0006 001a2b3c4d5e0000 0800 " + Ipv4Udp, 3)]
    [InlineData("sent by us", "0004 0001 0006 001a2b3c4d5e0000 0800 " + Ipv4Udp, 4)]
    public void VersionOneGivesThePacketTypeAndTheSendersAddress(string name, string hex, int packetType)
    {
        _ = name;
        var f = Decode(LinkTypes.LinuxSll, hex);

        Assert.Equal(LinkKind.LinuxSll, f.Link);
        Assert.Equal(packetType, f.SllPacketType);
        Assert.Equal(1, f.SllHaType); // ARPHRD_ETHER
        Assert.Equal(6, f.LinkAddrLength);
        Assert.Equal("00:1a:2b:3c:4d:5e", Mac(f.LinkSrc, 6));
        Assert.False(f.HasLinkDst); // a cooked header carries only one address
        Assert.Equal(0x0800, f.EtherType);
        Assert.Equal(NetworkKind.IPv4, f.Network);
        Assert.Equal(TransportKind.Udp, f.Transport);
        Assert.Equal((50000, 7777), (f.SrcPort, f.DstPort));
        Assert.False(f.Malformed);
    }

    [Fact]
    public void VersionOneOnTheLoopbackCarriesIpv6()
    {
        var f = Decode(LinkTypes.LinuxSll, "0000 0304 0006 0000000000000000 86dd " +
            "60000000000c1140 00000000000000000000000000000001 00000000000000000000000000000001 c3501e61000c0aef 12340100");

        Assert.Equal(772, f.SllHaType); // ARPHRD_LOOPBACK
        Assert.Equal(0x86dd, f.EtherType);
        Assert.Equal(NetworkKind.IPv6, f.Network);
        Assert.Equal("::1", f.Src.ToString());
        Assert.Equal(TransportKind.Udp, f.Transport);
    }

    [Fact]
    public void AnEightByteHardwareAddressIsKeptWhole()
    {
        // An InfiniBand-style 8-byte address (halen 8) fills the whole address field.
        var f = Decode(LinkTypes.LinuxSll, "0000 0001 0008 0102030405060708 0800 " + Ipv4Udp);

        Assert.Equal(8, f.LinkAddrLength);
        Assert.Equal("01:02:03:04:05:06:07:08", Mac(f.LinkSrc, 8));
        Assert.Equal(NetworkKind.IPv4, f.Network);
    }

    [Fact]
    public void ALinuxPseudoProtocolBelow0x0600IsNotAnEtherType()
    {
        // ETH_P_802_2 (4): an 802.2 LLC frame (here spanning tree) on a non-Ethernet device.
        var f = Decode(LinkTypes.LinuxSll, "0000 0304 0000 0000000000000000 0004 424203000000");

        Assert.Equal(4, f.EtherType);
        Assert.Equal(NetworkKind.Unknown, f.Network);
        Assert.False(f.Malformed);
    }

    [Theory]
    [InlineData("sent by us, IPv4", "0800 0000 00000002 0001 04 06 001a2b3c4d5e0000 " + Ipv4Udp, 0x0800, 1, 4, NetworkKind.IPv4)]
    [InlineData("to us on the loopback, IPv6", "86dd 0000 00000001 0304 00 06 0000000000000000 " + Ipv6Udp, 0x86dd, 772, 0, NetworkKind.IPv6)]
    [InlineData("broadcast, IPv4", "0800 0000 00000003 0001 01 06 001a2b3c4d5e0000 " + Ipv4Udp, 0x0800, 1, 1, NetworkKind.IPv4)]
    public void VersionTwoPutsTheProtocolFirstAndTheOneBytePacketTypeLater(string name, string hex, int protocol,
        int haType, int packetType, NetworkKind network)
    {
        _ = name;
        var f = Decode(LinkTypes.LinuxSll2, hex);

        Assert.Equal(LinkKind.LinuxSll2, f.Link);
        Assert.Equal(protocol, f.EtherType);
        Assert.Equal(haType, f.SllHaType);
        Assert.Equal(packetType, f.SllPacketType);
        Assert.Equal(6, f.LinkAddrLength);
        Assert.Equal(network, f.Network);
        Assert.Equal(TransportKind.Udp, f.Transport);
        Assert.Equal((50000, 7777), (f.SrcPort, f.DstPort));
        Assert.False(f.Malformed);
    }

    [Theory]
    [InlineData("version 1 cut at 15 bytes", LinkTypes.LinuxSll, "0000 0001 0006 001a2b3c4d5e0000 08")]
    [InlineData("version 1, two bytes", LinkTypes.LinuxSll, "0000")]
    [InlineData("version 2 cut at 19 bytes", LinkTypes.LinuxSll2, "0800 0000 00000002 0001 04 06 001a2b3c4d5e00")]
    public void ACookedHeaderCutShortIsMalformedWithANote(string name, uint linkType, string hex)
    {
        _ = name;
        var f = Decode(linkType, hex);

        Assert.True(f.Malformed);
        Assert.NotEmpty(f.Notes);
        Assert.Equal(NetworkKind.None, f.Network);
    }

    [Fact]
    public void ACookedHeaderCutByTheSnapLengthIsSizeLimited()
    {
        var f = Decode(LinkTypes.LinuxSll2, "0800 0000 00000002 0001 04 06", originalLength: 60);

        Assert.True(f.SizeLimited);
        Assert.False(f.Malformed);
        Assert.NotEmpty(f.Notes);
    }
}
