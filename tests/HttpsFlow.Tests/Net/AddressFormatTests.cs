using HttpsFlow.Net;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Net;

/// <summary>
/// Address text as Wireshark writes it: dotted-quad IPv4; IPv6 per RFC 5952 §4 (lower case, no leading zeros, the
/// longest run of two or more zero groups — the first of equal runs — as "::", a single zero group kept) with the
/// dotted-quad ending of IPv4-mapped and IPv4-compatible addresses that inet_ntop writes; MAC addresses as lower-case
/// colon-separated octets. The IPv6 texts are tshark 4.0.17's ipv6.src for the same 16 bytes.
/// </summary>
public class AddressFormatTests
{
    [Theory]
    [InlineData(0x00000000u, "0.0.0.0")]
    [InlineData(0xffffffffu, "255.255.255.255")]
    [InlineData(0xc0000201u, "192.0.2.1")]
    [InlineData(0x0a000001u, "10.0.0.1")]
    [InlineData(0x7f000001u, "127.0.0.1")]
    [InlineData(0x01020304u, "1.2.3.4")]
    public void Ipv4IsADottedQuadWithoutLeadingZeros(uint address, string expected)
    {
        Span<char> text = stackalloc char[15];

        Assert.True(AddressFormat.TryFormatV4(address, text, out int n));
        Assert.Equal(expected, new string(text[..n]));
        Assert.Equal(expected, IpAddress.FromV4([(byte)(address >> 24), (byte)(address >> 16), (byte)(address >> 8), (byte)address]).ToString());
    }

    [Theory]
    [InlineData("unspecified", "00000000000000000000000000000000", "::")]
    [InlineData("loopback", "00000000000000000000000000000001", "::1")]
    [InlineData("link-local", "fe800000000000000000000000000001", "fe80::1")]
    [InlineData("documentation", "20010db8000000000000000000000001", "2001:db8::1")]
    [InlineData("two runs of two: the first is compressed", "20010db8000000000001000000000001", "2001:db8::1:0:0:1")]
    [InlineData("the longer run is compressed", "20010000000000010000000000000001", "2001:0:0:1::1")]
    [InlineData("a single zero group is not compressed", "20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1")]
    [InlineData("trailing run", "20010db8000000000000000000000000", "2001:db8::")]
    [InlineData("one then zeros", "00010000000000000000000000000000", "1::")]
    [InlineData("leading zeros dropped, lower case", "20010db800ab00000000000000000cde", "2001:db8:ab::cde")]
    [InlineData("equal runs of two, the first wins", "00010000000000020000000000030004", "1::2:0:0:3:4")]
    [InlineData("a run at the start shorter than a later one", "00000000000100000000000000000000", "0:0:1::")]
    [InlineData("a run of five at the start", "00000000000000000000000100000000", "::1:0:0")]
    [InlineData("no zero group", "20010db8123456789abcdef012345678", "2001:db8:1234:5678:9abc:def0:1234:5678")]
    [InlineData("IPv4-mapped", "00000000000000000000ffffc0000201", "::ffff:192.0.2.1")]
    [InlineData("IPv4-mapped, small", "00000000000000000000ffff00000001", "::ffff:0.0.0.1")]
    [InlineData("IPv4-compatible (deprecated, still written dotted)", "000000000000000000000000c0000201", "::192.0.2.1")]
    [InlineData("six zero groups then 1:2 reads as IPv4-compatible", "00000000000000000000000000010002", "::0.1.0.2")]
    [InlineData("NAT64 well-known prefix is not dotted", "0064ff9b0000000000000000c0000201", "64:ff9b::c000:201")]
    public void Ipv6IsWrittenAsRfc5952AndTsharkWriteIt(string name, string hex, string expected)
    {
        _ = name;
        var bytes = Hex.Parse(hex);
        Span<char> text = stackalloc char[48];

        Assert.True(AddressFormat.TryFormatV6(bytes, text, out int n));
        Assert.Equal(expected, new string(text[..n]));
        Assert.Equal(expected, IpAddress.FromV6(bytes).ToString());
    }

    [Theory]
    [InlineData("001a2b3c4d5e", "00:1a:2b:3c:4d:5e")]
    [InlineData("ffffffffffff", "ff:ff:ff:ff:ff:ff")]
    [InlineData("0ABCDEF01234", "0a:bc:de:f0:12:34")]
    [InlineData("0102030405060708", "01:02:03:04:05:06:07:08")]
    [InlineData("0a0b", "0a:0b")]
    public void HardwareAddressesAreLowerCaseHexPairsSeparatedByColons(string hex, string expected)
    {
        Span<char> text = stackalloc char[64];

        Assert.True(AddressFormat.TryFormatMac(Hex.Parse(hex), text, out int n));
        Assert.Equal(expected, new string(text[..n]));
    }

    [Fact]
    public void ADestinationTooSmallIsRefusedWithoutAnException()
    {
        Span<char> fourteen = stackalloc char[14];
        Span<char> thirtyEight = stackalloc char[38];
        Span<char> fifteen = stackalloc char[15];
        Span<char> sixteen = stackalloc char[16];

        Assert.False(AddressFormat.TryFormatV4(0xffffffff, fourteen, out _));                 // needs 15
        Assert.False(AddressFormat.TryFormatV6(Hex.Parse("ffffffffffffffffffffffffffffffff"), thirtyEight, out _)); // needs 39
        Assert.False(AddressFormat.TryFormatV6(Hex.Parse("00000000000000000000ffffc0000201"), fifteen, out _));     // "::ffff:192.0.2.1" needs 16
        Assert.False(AddressFormat.TryFormatMac(Hex.Parse("001a2b3c4d5e"), sixteen, out _));   // needs 17
    }

    [Fact]
    public void TheLongestTextsFitExactly()
    {
        Span<char> v4 = stackalloc char[15];
        Span<char> v6 = stackalloc char[39];
        Span<char> mapped = stackalloc char[22];

        Assert.True(AddressFormat.TryFormatV4(0xffffffff, v4, out int a));
        Assert.True(AddressFormat.TryFormatV6(Hex.Parse("ffffffffffffffffffffffffffffffff"), v6, out int b));
        Assert.True(AddressFormat.TryFormatV6(Hex.Parse("00000000000000000000ffffffffffff"), mapped, out int c));
        Assert.Equal((15, 39, 22), (a, b, c));
        Assert.Equal("::ffff:255.255.255.255", new string(mapped[..c]));
    }

    [Fact]
    public void AddressesCompareByFamilyThenValue()
    {
        var a = IpAddress.FromV4([10, 0, 0, 1]);
        var b = IpAddress.FromV4([10, 0, 0, 2]);
        var v6 = IpAddress.FromV6(Hex.Parse("00000000000000000000000000000001"));

        Assert.True(a.CompareTo(b) < 0);
        Assert.True(b.CompareTo(a) > 0);
        Assert.True(b.CompareTo(v6) < 0); // every IPv4 address before every IPv6 one, even ::1
        Assert.Equal(0, a.CompareTo(IpAddress.FromV4([10, 0, 0, 1])));
        Assert.Equal(a, IpAddress.FromV4([10, 0, 0, 1]));
        Assert.Equal(a.GetHashCode(), IpAddress.FromV4([10, 0, 0, 1]).GetHashCode());
        // 0.0.0.1 and ::1 hold the same number but are different addresses.
        Assert.NotEqual(IpAddress.FromV4([0, 0, 0, 1]), v6);
        Assert.False(a.IsV6);
        Assert.True(v6.IsV6);
    }
}
