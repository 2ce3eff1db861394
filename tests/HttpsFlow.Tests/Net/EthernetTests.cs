using HttpsFlow.Capture;
using HttpsFlow.Net;
using HttpsFlow.Tests.TestSupport;
using static HttpsFlow.Tests.TestSupport.Decoding;

namespace HttpsFlow.Tests.Net;

/// <summary>
/// Ethernet II (IEEE 802.3 type field), 802.1Q VLAN tags (TPID 0x8100), 802.1ad QinQ (outer TPID 0x88a8, or the
/// pre-standard 0x9100) and ARP (RFC 826). Hosts 00:1a:2b:3c:4d:5e / 192.0.2.10 and 3c:22:fb:8a:9d:01 / 198.51.100.20;
/// each vector was checked with tshark 4.0.17.
/// </summary>
public class EthernetTests
{
    private const string Client = "00:1a:2b:3c:4d:5e";
    private const string Server = "3c:22:fb:8a:9d:01";

    [Theory]
    [InlineData("IPv4 TCP SYN", "3c22fb8a9d01 001a2b3c4d5e 0800 " +
        "4500003c1c46400040063224c000020ac6336414 c00001bb1122334400000000a002faf0afed0000020405b40402080a0000aaaa000000000103030a",
        0, 0, 0, 0x0800, NetworkKind.IPv4, TransportKind.Tcp, 49152, 443)]
    [InlineData("802.1Q VLAN 100, IPv4 UDP", "3c22fb8a9d01 001a2b3c4d5e 81000064 0800 " +
        "450000200007400040114e74c000020ac6336414 c3501e61000c1e9e 12340100",
        1, 100, 0, 0x0800, NetworkKind.IPv4, TransportKind.Udp, 50000, 7777)]
    [InlineData("802.1Q priority 5 VLAN 4094 (the priority bits are not the VLAN)", "3c22fb8a9d01 001a2b3c4d5e 8100affe 0800 " +
        "450000200007400040114e74c000020ac6336414 c3501e61000c1e9e 12340100",
        1, 4094, 0, 0x0800, NetworkKind.IPv4, TransportKind.Udp, 50000, 7777)]
    [InlineData("802.1ad QinQ: outer 200 (0x88a8), inner 300", "3c22fb8a9d01 001a2b3c4d5e 88a800c8 8100012c 0800 " +
        "450000200007400040114e74c000020ac6336414 c3501e61000c1e9e 12340100",
        2, 200, 300, 0x0800, NetworkKind.IPv4, TransportKind.Udp, 50000, 7777)]
    [InlineData("QinQ with the old 0x9100 outer tag: 10, inner 20", "3c22fb8a9d01 001a2b3c4d5e 9100000a 81000014 0800 " +
        "450000200007400040114e74c000020ac6336414 c3501e61000c1e9e 12340100",
        2, 10, 20, 0x0800, NetworkKind.IPv4, TransportKind.Udp, 50000, 7777)]
    [InlineData("IPv6 UDP", "3c22fb8a9d01 001a2b3c4d5e 86dd " +
        "60000000000c114020010db800000000000000000000000120010db8000000000000000000000002 c3501e61000caf7b 12340100",
        0, 0, 0, 0x86dd, NetworkKind.IPv6, TransportKind.Udp, 50000, 7777)]
    public void DecodesTheAddressesTagsAndTypeThenTheLayersAbove(string name, string hex, int vlanCount, int vlan0,
        int vlan1, int etherType, NetworkKind network, TransportKind transport, int srcPort, int dstPort)
    {
        _ = name;
        var f = Decode(LinkTypes.Ethernet, hex);

        Assert.Equal(LinkKind.Ethernet, f.Link);
        Assert.Equal(Server, Mac(f.LinkDst, 6));
        Assert.Equal(Client, Mac(f.LinkSrc, 6));
        Assert.True(f.HasLinkDst);
        Assert.Equal(6, f.LinkAddrLength);
        Assert.Equal(vlanCount, f.VlanCount);
        Assert.Equal(vlan0, f.VlanId0);
        Assert.Equal(vlan1, f.VlanId1);
        Assert.Equal(etherType, f.EtherType);
        Assert.Equal(network, f.Network);
        Assert.Equal(transport, f.Transport);
        Assert.Equal(srcPort, f.SrcPort);
        Assert.Equal(dstPort, f.DstPort);
        Assert.False(f.Malformed);
        Assert.Empty(f.Notes);
    }

    [Fact]
    public void AnArpRequestAsksWhoHasTheTargetAddress()
    {
        var f = Decode(LinkTypes.Ethernet, "ffffffffffff 001a2b3c4d5e 0806 " +
            "0001 0800 06 04 0001 001a2b3c4d5e c000020a 000000000000 c6336414 000000000000000000000000000000000000");

        Assert.Equal(NetworkKind.Arp, f.Network);
        Assert.Equal("ff:ff:ff:ff:ff:ff", Mac(f.LinkDst, 6));
        Assert.Equal(1, f.ArpOpcode);
        Assert.Equal(1, f.ArpHardwareType);
        Assert.Equal(Client, Mac(f.ArpSenderMac, 6));
        Assert.Equal("192.0.2.10", V4(f.ArpSenderIp));
        Assert.Equal("198.51.100.20", V4(f.ArpTargetIp));
        Assert.Equal("00:00:00:00:00:00", Mac(f.ArpTargetMac, 6));
        Assert.Equal(TransportKind.None, f.Transport);
        Assert.False(f.Malformed);
    }

    [Fact]
    public void AnArpReplyGivesTheSendersHardwareAddress()
    {
        var f = Decode(LinkTypes.Ethernet, "001a2b3c4d5e 3c22fb8a9d01 0806 " +
            "0001 0800 06 04 0002 3c22fb8a9d01 c6336414 001a2b3c4d5e c000020a 000000000000000000000000000000000000");

        Assert.Equal(NetworkKind.Arp, f.Network);
        Assert.Equal(2, f.ArpOpcode);
        Assert.Equal(Server, Mac(f.ArpSenderMac, 6));
        Assert.Equal("198.51.100.20", V4(f.ArpSenderIp));
        Assert.Equal(Client, Mac(f.ArpTargetMac, 6));
        Assert.Equal("192.0.2.10", V4(f.ArpTargetIp));
    }

    [Fact]
    public void AnEtherTypeWithoutADecoderLeavesTheNetworkLayerUnknown()
    {
        // LLDP (0x88cc) to the nearest-bridge group address.
        var f = Decode(LinkTypes.Ethernet, "0180c200000e 001a2b3c4d5e 88cc " +
            "020704001a2b3c4d5e0403053120310600027800000000000000000000000000000000");

        Assert.Equal(LinkKind.Ethernet, f.Link);
        Assert.Equal(0x88cc, f.EtherType);
        Assert.Equal(NetworkKind.Unknown, f.Network);
        Assert.Equal(TransportKind.None, f.Transport);
        Assert.False(f.Malformed);
    }

    [Theory]
    [InlineData("13 bytes: the type field cut", "3c22fb8a9d01 001a2b3c4d5e 08")]
    [InlineData("nothing but a destination", "3c22fb8a9d01")]
    [InlineData("a VLAN tag without its type", "3c22fb8a9d01 001a2b3c4d5e 8100 0064")]
    [InlineData("a QinQ outer tag without the inner one", "3c22fb8a9d01 001a2b3c4d5e 88a8 00c8 81")]
    public void AFrameCutShortIsMalformedWithANoteAndNoException(string name, string hex)
    {
        _ = name;
        var f = Decode(LinkTypes.Ethernet, hex);

        Assert.True(f.Malformed);
        Assert.False(f.SizeLimited);
        Assert.NotEmpty(f.Notes);
        Assert.Equal(NetworkKind.None, f.Network);
    }

    [Fact]
    public void AFrameCutByTheSnapLengthIsSizeLimitedNotMalformed()
    {
        var f = Decode(LinkTypes.Ethernet, "3c22fb8a9d01 001a2b3c4d5e 08", originalLength: 60);

        Assert.True(f.SizeLimited);
        Assert.False(f.Malformed);
        Assert.NotEmpty(f.Notes);
    }
}
