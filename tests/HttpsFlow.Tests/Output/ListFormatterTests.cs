using System.Text;
using HttpsFlow.Capture;
using HttpsFlow.Common;
using HttpsFlow.Net;
using HttpsFlow.Output;
using HttpsFlow.Pipeline;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Output;

/// <summary>
/// The packet list as <c>tshark -n -r FILE</c> prints it: No. right-aligned in 5, the time relative to the first frame
/// right-aligned in 10 with the capture's precision, the source right-aligned in 12, " → ", the destination
/// left-aligned in 12, then protocol, length and info. Every expected line is tshark 4.0.17's output for the same bytes.
/// </summary>
public class ListFormatterTests
{
    // Raw IPv4/IPv6 packets (LINKTYPE_RAW) used in the listings below.
    private const string EchoRequestSeq7 = "450000240001400040014e86c000020ac6336414 0800242142420007 6162636465666768";
    private const string EchoReplySeq7 = "450000240002400040014e85c6336414c000020a 00002c2142420007 6162636465666768";
    private const string EchoRequestSeq8 = "450000240003400040014e84c000020ac6336414 0800242042420008 6162636465666768";
    private const string LongIpv6Udp = "60000000000c1140 20010db8123456789abcdef012345678 fe800000000000000000000000000001 c3501e61000ce21c 61626364";
    private const string EchoRequestTenNet = "4500002400034000400126d40a0000010a000002 0800666800010001 6162636465666768";
    private const string Echo6Request = "60000000000c3a40 20010db8000000000000000000000001 20010db8000000000000000000000002 8000cdf877770003 70696e67";
    private const string Echo6Reply = "60000000000c3a40 20010db8000000000000000000000002 20010db8000000000000000000000001 8100ccf877770003 70696e67";

    /// <summary>Lists a capture as the list command does: every frame through the dissector and the formatter.</summary>
    private static string[] List(byte[] file)
    {
        using var reader = CaptureFiles.Open(file);
        var dissector = new Dissector();
        var formatter = new ListFormatter();
        var output = new MemoryStream();
        using (var sink = new TextSink(output))
        {
            while (dissector.Next(reader) is { } frame) formatter.Write(frame, sink);
        }
        return Encoding.UTF8.GetString(output.ToArray()).Split('\n')[..^1];
    }

    private static string[] ListRaw(params (uint Seconds, uint Fraction, string Hex)[] packets)
    {
        var pcap = CaptureBuilder.Pcap(linkType: LinkTypes.Raw);
        foreach (var (seconds, fraction, hex) in packets) pcap.Record(seconds, fraction, Hex.Parse(hex));
        return List(pcap.ToArray());
    }

    private static string Time(Duration d, int precision)
    {
        using var sink = new TextSink(Stream.Null);
        ListFormatter.AppendRelativeTime(sink, d, precision);
        return sink.Current.ToString();
    }

    // Wireshark truncates to the precision (it does not round), and a negative time that truncates to zero has no sign.
    [Theory]
    [InlineData(0L, 0L, 6, "0.000000")]
    [InlineData(0L, 623_456_789L, 9, "0.623456789")]
    [InlineData(0L, 623_456_789L, 6, "0.623456")]
    [InlineData(2L, 999_999_999L, 6, "2.999999")]
    [InlineData(0L, 623_456_789L, 3, "0.623")]
    [InlineData(1L, 250_000_000L, 2, "1.25")]
    [InlineData(1L, 299_999_999L, 1, "1.2")]
    [InlineData(2L, 0L, 0, "2")]
    [InlineData(2L, 999_999_999L, 0, "2")]
    [InlineData(1_234_567L, 5L, 9, "1234567.000000005")]
    [InlineData(0L, -500_000_000L, 6, "-0.500000")]
    [InlineData(0L, -500_000_000L, 9, "-0.500000000")]
    [InlineData(-1L, -500_000_000L, 6, "-1.500000")]
    [InlineData(0L, -1_000_000L, 3, "-0.001")]
    [InlineData(-1L, 0L, 0, "-1")]
    [InlineData(0L, -500L, 6, "0.000000")]
    public void TheTimeHasExactlyThePrecisionsDigits(long seconds, long nanoseconds, int precision, string expected)
    {
        Assert.Equal(expected, Time(Duration.From(seconds, nanoseconds), precision));
    }

    [Fact]
    public void MicrosecondCapturePaddedColumnsNegativeTimeAndAnEchoReplyNamingItsRequest()
    {
        var lines = ListRaw(
            (1000, 500_000, EchoRequestSeq7),
            (1000, 0, EchoReplySeq7),
            (1001, 250_000, LongIpv6Udp),
            (1002, 999_999, EchoRequestTenNet));

        Assert.Equal([
            "    1   0.000000   192.0.2.10 → 198.51.100.20 ICMP 36 Echo (ping) request  id=0x4242, seq=7/1792, ttl=64",
            "    2  -0.500000 198.51.100.20 → 192.0.2.10   ICMP 36 Echo (ping) reply    id=0x4242, seq=7/1792, ttl=64 (request in 1)",
            "    3   0.750000 2001:db8:1234:5678:9abc:def0:1234:5678 → fe80::1      UDP 52 50000 → 7777 Len=4",
            "    4   2.499999     10.0.0.1 → 10.0.0.2     ICMP 36 Echo (ping) request  id=0x0001, seq=1/256, ttl=64",
        ], lines);
    }

    [Fact]
    public void NanosecondCaptureShowsNineDigitsAndOverflowsTheTimeColumn()
    {
        var pcap = CaptureBuilder.Pcap(CaptureBuilder.PcapMagicNanoseconds, linkType: LinkTypes.Raw)
            .Record(1000, 500_000_000, Hex.Parse(EchoRequestSeq7))
            .Record(1000, 0, Hex.Parse(EchoReplySeq7))
            .Record(1001, 123_456_789, Hex.Parse(EchoRequestSeq8));

        Assert.Equal([
            "    1 0.000000000   192.0.2.10 → 198.51.100.20 ICMP 36 Echo (ping) request  id=0x4242, seq=7/1792, ttl=64",
            "    2 -0.500000000 198.51.100.20 → 192.0.2.10   ICMP 36 Echo (ping) reply    id=0x4242, seq=7/1792, ttl=64 (request in 1)",
            "    3 0.623456789   192.0.2.10 → 198.51.100.20 ICMP 36 Echo (ping) request  id=0x4242, seq=8/2048, ttl=64",
        ], List(pcap.ToArray()));
    }

    [Theory]
    [InlineData("seconds (10^0)", 0, new ulong[] { 1, 3, 0 }, new[] { "         0", "         2", "        -1" })]
    [InlineData("milliseconds (10^-3)", 3, new ulong[] { 1_000, 1_623, 999 }, new[] { "     0.000", "     0.623", "    -0.001" })]
    [InlineData("10^-7: shown to the microsecond", 7, new ulong[] { 10_000_005, 10_000_000, 5_000_000 }, new[] { "  0.000000", "  0.000000", " -0.500000" })]
    public void ThePcapNgResolutionSetsTheDigitsOfTheTimeColumn(string name, byte tsresol, ulong[] ticks, string[] times)
    {
        _ = name;
        var file = CaptureBuilder.PcapNg().SectionHeader()
            .InterfaceDescription(101, 0, CaptureBuilder.Option.IfTsResol(tsresol))
            .EnhancedPacket(0, ticks[0], Hex.Parse(EchoRequestSeq7))
            .EnhancedPacket(0, ticks[1], Hex.Parse(EchoReplySeq7))
            .EnhancedPacket(0, ticks[2], Hex.Parse(EchoRequestSeq7))
            .ToArray();

        var lines = List(file);

        Assert.Equal(times, lines.Select(l => l[6..16]));
        Assert.EndsWith("(request in 1)", lines[1]);
    }

    [Fact]
    public void ColumnsArePaddedToTheirWidthsAndNeverCut()
    {
        var frame = Decoding.Decode(LinkTypes.Raw, EchoRequestTenNet, number: 123_456);
        var formatter = new ListFormatter();
        var output = new MemoryStream();
        using (var sink = new TextSink(output)) formatter.Write(frame, sink);
        var line = Encoding.UTF8.GetString(output.ToArray());

        // Six digits overflow the 5 of the number column; the time fills its 10; "10.0.0.1" is right-aligned in 12,
        // "10.0.0.2" left-aligned in 12 before the space that starts the protocol column.
        Assert.Equal("123456   0.000000     10.0.0.1 → 10.0.0.2     ICMP 36 Echo (ping) request  id=0x0001, seq=1/256, ttl=64\n", line);
    }

    [Fact]
    public void AnIcmpv6EchoReplyNamesItsRequest()
    {
        var lines = ListRaw((100, 0, Echo6Request), (100, 1000, Echo6Reply));

        Assert.Equal([
            "    1   0.000000  2001:db8::1 → 2001:db8::2  ICMPv6 52 Echo (ping) request id=0x7777, seq=3, hop limit=64",
            "    2   0.001000  2001:db8::2 → 2001:db8::1  ICMPv6 52 Echo (ping) reply id=0x7777, seq=3, hop limit=64 (request in 1)",
        ], lines);
    }

    [Fact]
    public void AnEchoReplyWithoutARequestNamesNone()
    {
        var lines = ListRaw((100, 0, EchoReplySeq7));

        Assert.Equal("    1   0.000000 198.51.100.20 → 192.0.2.10   ICMP 36 Echo (ping) reply    id=0x4242, seq=7/1792, ttl=64", Assert.Single(lines));
    }

    [Fact]
    public void AnEchoReplyAfterANewRequestNamesTheNewRequest()
    {
        var lines = ListRaw((100, 0, EchoRequestSeq7), (100, 1000, EchoReplySeq7), (102, 0, EchoRequestSeq7), (102, 500, EchoReplySeq7));

        Assert.EndsWith("ttl=64 (request in 1)", lines[1]);
        Assert.EndsWith("ttl=64 (request in 3)", lines[3]);
    }

    [Fact]
    public void ARepeatedEchoReplyDoesNotNameTheRequestAgain()
    {
        var lines = ListRaw((100, 0, EchoRequestSeq7), (100, 1000, EchoReplySeq7), (101, 0, EchoReplySeq7));

        Assert.Equal("    3   1.000000 198.51.100.20 → 192.0.2.10   ICMP 36 Echo (ping) reply    id=0x4242, seq=7/1792, ttl=64", lines[2]);
    }

    [Fact]
    public void ARepeatedIcmpv6EchoReplyDoesNotNameTheRequestAgain()
    {
        var lines = ListRaw((100, 0, Echo6Request), (100, 1000, Echo6Reply), (100, 2000, Echo6Reply));

        Assert.EndsWith("hop limit=64 (request in 1)", lines[1]);
        Assert.EndsWith("hop limit=64", lines[2]);
    }

    [Fact]
    public void AnEchoReplyWhoseChecksumDoesNotFitTheRequestNamesNone()
    {
        // Same identifier and sequence number, one byte of data different: tshark pairs requests and replies by
        // checksum too, so this reply names no request and the true reply after it still does.
        const string otherData = "450000240002400040014e85c6336414c000020a 00002c2042420007 6162636465666769";

        var lines = ListRaw((100, 0, EchoRequestSeq7), (100, 1000, otherData), (100, 2000, EchoReplySeq7));

        Assert.EndsWith("ttl=64", lines[1]);
        Assert.EndsWith("ttl=64 (request in 1)", lines[2]);
    }

    // One frame each. The lines are tshark 4.0.17's (tshark -n) for the same bytes; "[Malformed Packet]" and
    // "[Packet size limited during capture]" are glued to the text before them, as Wireshark appends them.
    [Theory]
    [InlineData("TCP header of 12 bytes", LinkTypes.Raw, "450000200001400040064e85c000020ac6336414 9c4000500000000100000000", 0,
        "    1   0.000000   192.0.2.10 → 198.51.100.20 TCP 32 40000 → 80[Malformed Packet]")]
    [InlineData("TCP data offset 4", LinkTypes.Raw, "450000280001400040064e7dc000020ac6336414 9c4000500000000100000000400203e833170000", 0,
        "    1   0.000000   192.0.2.10 → 198.51.100.20 TCP 40 40000 → 80 [SYN] Seq=0 Win=1000, bogus TCP header length (16, must be at least 20)")]
    [InlineData("TCP data offset 15 in a 20-byte segment", LinkTypes.Raw, "450000280001400040064e7dc000020ac6336414 9c4000500000000100000000f00203e883160000", 0,
        "    1   0.000000   192.0.2.10 → 198.51.100.20 TCP 40 40000 → 80 [SYN] Seq=1 Win=1000[Malformed Packet]")]
    [InlineData("TCP SYN cut to 60 of 74 bytes by the snap length", LinkTypes.Ethernet,
        "3c22fb8a9d01 001a2b3c4d5e 0800 4500003c1c46400040063224c000020ac6336414 c00001bb1122334400000000a002faf0afed0000020405b40402", 74,
        "    1   0.000000   192.0.2.10 → 198.51.100.20 TCP 74 49152 → 443 [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM[Packet size limited during capture]")]
    [InlineData("UDP length beyond the IP payload", LinkTypes.Raw, "450000200007400040114e74c000020ac6336414 c3501e6100281e82 12340100", 0,
        "    1   0.000000   192.0.2.10 → 198.51.100.20 UDP 32 50000 → 7777 [BAD UDP LENGTH 40 > IP PAYLOAD LENGTH] Len=32")]
    [InlineData("UDP length below 8", LinkTypes.Raw, "450000200007400040114e74c000020ac6336414 c3501e6100041ea6 12340100", 0,
        "    1   0.000000   192.0.2.10 → 198.51.100.20 UDP 32 50000 → 7777 [BAD UDP LENGTH 4 < 8]")]
    [InlineData("ARP request to the broadcast address", LinkTypes.Ethernet,
        "ffffffffffff 001a2b3c4d5e 0806 0001080006040001 001a2b3c4d5e c000020a 000000000000 c6336414 000000000000000000000000000000000000", 0,
        "    1   0.000000 00:1a:2b:3c:4d:5e → ff:ff:ff:ff:ff:ff ARP 60 Who has 198.51.100.20? Tell 192.0.2.10")]
    [InlineData("IPv6 first fragment", LinkTypes.Raw,
        "6000000000182c40 20010db8000000000000000000000001 20010db8000000000000000000000002 110000010000cafe c3501e6100202ee84142434445464748", 0,
        "    1   0.000000  2001:db8::1 → 2001:db8::2  IPv6 64 IPv6 fragment (off=0 more=y ident=0x0000cafe nxt=17)")]
    [InlineData("ICMP message of 3 bytes", LinkTypes.Raw, "450000170007400040014e8dc000020ac6336414 080000", 0,
        "    1   0.000000   192.0.2.10 → 198.51.100.20 ICMP 23 [Malformed Packet]")]
    [InlineData("UDP header cut after the ports", LinkTypes.Raw, "450000180007400040114e7cc000020ac6336414 c3501e61", 0,
        "    1   0.000000   192.0.2.10 → 198.51.100.20 UDP 24 50000 → 7777[Malformed Packet]")]
    [InlineData("IPv4 header of 19 bytes", LinkTypes.Raw, "450000200007400040114e74c000020ac63364", 0,
        "    1   0.000000   192.0.2.10 → N/A          IPv4 19 [Malformed Packet]")]
    [InlineData("IPv4 header length 16", LinkTypes.Raw, "440000200007400040114f74c000020ac6336414 c3501e61000c1e9e 12340100", 0,
        "    1   0.000000          N/A → N/A          IPv4 32 Bogus IP header length (16, must be at least 20)")]
    [InlineData("IPv6 header of 39 bytes", LinkTypes.Raw,
        "60000000000c1140 20010db8000000000000000000000001 20010db80000000000000000000000", 0,
        "    1   0.000000  2001:db8::1 → N/A          IPv6 39 Invalid IPv6 header (39 bytes, need exactly 40)[Malformed Packet]")]
    [InlineData("IPv6 hop-by-hop header longer than the payload", LinkTypes.Raw,
        "60000000001c0040 20010db8000000000000000000000001 20010db8000000000000000000000002 0604010400000000 c00001bb000003e8000000005002ffff8eca0000", 0,
        "    1   0.000000  2001:db8::1 → 2001:db8::2  IPv6 68 IPv6 hop-by-hop options[Malformed Packet]")]
    [InlineData("NULL header of 3 bytes", LinkTypes.Null, "020000", 0,
        "    1   0.000000          N/A → N/A          N/A 3 Null/Loopback[Malformed Packet]")]
    [InlineData("LOOP header with an unknown family", LinkTypes.Loop, "02000000 450000200007400040114e74c000020ac6336414 c3501e61000c1e9e 12340100", 0,
        "    1   0.000000          N/A → N/A          N/A 36 Null/Loopback")]
    [InlineData("Ethernet frame of 13 bytes", LinkTypes.Ethernet, "3c22fb8a9d01 001a2b3c4d5e 08", 0,
        "    1   0.000000 00:1a:2b:3c:4d:5e → 3c:22:fb:8a:9d:01 Ethernet 13 [Malformed Packet]")]
    [InlineData("VLAN tag without its type", LinkTypes.Ethernet, "3c22fb8a9d01 001a2b3c4d5e 8100 0064", 0,
        "    1   0.000000 00:1a:2b:3c:4d:5e → 3c:22:fb:8a:9d:01 VLAN 16 PRI: 0  DEI: 0  ID: 100[Malformed Packet]")]
    [InlineData("Ethernet frame of 9 bytes: the destination only", LinkTypes.Ethernet, "3c22fb8a9d01 001a2b", 0,
        "    1   0.000000              → 3c:22:fb:8a:9d:01 Ethernet 9 [Malformed Packet]")]
    [InlineData("VLAN tag before an EtherType nothing decodes", LinkTypes.Ethernet,
        "3c22fb8a9d01 001a2b3c4d5e 8100 0064 1234 0000000000000000000000000000000000000000000000000000000000000000", 0,
        "    1   0.000000 00:1a:2b:3c:4d:5e → 3c:22:fb:8a:9d:01 0x1234 50 PRI: 0  DEI: 0  ID: 100")]
    [InlineData("UDP header cut before its checksum", LinkTypes.Raw, "4500001a0007400040114e7ac000020ac6336414 c3501e61000c", 0,
        "    1   0.000000   192.0.2.10 → 198.51.100.20 UDP 26 50000 → 7777 [BAD UDP LENGTH 12 > IP PAYLOAD LENGTH] Len=4[Malformed Packet]")]
    [InlineData("IPv4 header cut in the destination, over Ethernet", LinkTypes.Ethernet,
        "3c22fb8a9d01 001a2b3c4d5e 0800 450000200007400040114e74c000020ac63364", 0,
        "    1   0.000000   192.0.2.10 → 3c:22:fb:8a:9d:01 IPv4 33 [Malformed Packet]")]
    public void DamagedFramesAreListedAsTsharkListsThem(string name, uint linkType, string hex, int originalLength, string expected)
    {
        _ = name;
        var data = Hex.Parse(hex);
        var file = CaptureBuilder.Pcap(linkType: linkType)
            .Record(1, 0, data, originalLength: originalLength == 0 ? null : (uint)originalLength).ToArray();

        Assert.Equal(expected, Assert.Single(List(file)));
    }
}
