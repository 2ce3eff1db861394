using HttpsFlow.Tls.List;

namespace HttpsFlow.Tests.Tls;

/// <summary>The destination port of a SOCKS CONNECT (what tshark names the TLS inside by), and what is not one.</summary>
public class SocksConnectTests
{
    [Theory]
    [InlineData("040101bb5db8d87700", 443)]                                   // SOCKS 4, empty user id
    [InlineData("0401005000000001757365720077772e6578616d706c6500", 80)]      // SOCKS 4a: user, then a host name
    [InlineData("050100030e7777772e676f6f676c652e636f6d01bb", 443)]           // SOCKS 5, domain name
    [InlineData("050100017f000001115c", 4444)]                                // SOCKS 5, IPv4
    [InlineData("0501000400000000000000000000000000000001208d", 8333)]        // SOCKS 5, IPv6
    public void Connect_requests_give_their_port(string hex, int port) =>
        Assert.Equal((ushort)port, TlsListLayer.SocksConnectPort(Convert.FromHexString(hex)));

    [Theory]
    [InlineData("050100")]                                  // SOCKS 5 greeting (one method: none)
    [InlineData("050200030e7777772e676f6f676c652e636f6d01bb")] // BIND, not CONNECT
    [InlineData("050100030e7777772e676f6f676c652e636f6d01")]   // cut short
    [InlineData("050100050000")]                            // unknown address type
    [InlineData("040101bb5db8d877")]                        // SOCKS 4 without its terminating zero
    [InlineData("16030100730100006f0301")]                  // a TLS record
    [InlineData("")]
    public void Anything_else_gives_none(string hex) => Assert.Null(TlsListLayer.SocksConnectPort(Convert.FromHexString(hex)));
}
