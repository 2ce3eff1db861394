using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// The name tables of the Info and Protocol columns, spelled as tshark 4.0.17 prints them, and the recognition of
/// TLS by content (tshark's "tls_tcp" heuristic, RFC 5246 Appendix E.2 for SSL 2.0).
/// </summary>
public class TlsNamesAndSnifferTests
{
    [Theory]
    [InlineData(0, "Hello Request")]
    [InlineData(1, "Client Hello")]
    [InlineData(2, "Server Hello")]
    [InlineData(4, "New Session Ticket")]
    [InlineData(5, "End of Early Data")]
    [InlineData(8, "Encrypted Extensions")]
    [InlineData(11, "Certificate")]
    [InlineData(12, "Server Key Exchange")]
    [InlineData(13, "Certificate Request")]
    [InlineData(14, "Server Hello Done")]
    [InlineData(15, "Certificate Verify")]
    [InlineData(16, "Client Key Exchange")]
    [InlineData(20, "Finished")]
    [InlineData(22, "Certificate Status")]
    [InlineData(24, "Key Update")]
    [InlineData(25, "Compressed Certificate")]
    [InlineData(67, "Encrypted Extensions")]
    [InlineData(7, "Encrypted Handshake Message")]
    [InlineData(0x6c, "Encrypted Handshake Message")]
    public void HandshakeInfoNames(int type, string info) => Assert.Equal(info, TlsNames.HandshakeInfo((byte)type));

    [Fact]
    public void FragmentAndRecordTexts()
    {
        Assert.Equal("[Certificate Fragment]", TlsNames.HandshakeFragmentInfo(11));
        Assert.Equal("[Encrypted Handshake Message Fragment]", TlsNames.HandshakeFragmentInfo(99));
        Assert.Equal(("Change Cipher Spec", "Application Data", "Encrypted Alert", "Hello Retry Request"),
            (TlsNames.ChangeCipherSpec, TlsNames.ApplicationData, TlsNames.EncryptedAlert, TlsNames.HelloRetryRequest));
        Assert.Equal("Alert (Level: Fatal, Description: Handshake Failure)", TlsNames.AlertInfo(2, 40));
        Assert.Equal("Alert (Level: Warning, Description: Close Notify)", TlsNames.AlertInfo(1, 0));
        Assert.Equal("Alert (Level: Fatal, Description: No application Protocol)", TlsNames.AlertInfo(2, 120));
        Assert.Equal("Heartbeat", TlsNames.ContentType(24));
    }

    [Theory]
    [InlineData(0x0002, "SSLv2")]
    [InlineData(0x0300, "SSLv3")]
    [InlineData(0x0301, "TLSv1")]
    [InlineData(0x0302, "TLSv1.1")]
    [InlineData(0x0303, "TLSv1.2")]
    [InlineData(0x0304, "TLSv1.3")]
    [InlineData(0x0101, "GMTLSv1")]
    [InlineData(0x0000, "SSL")]
    [InlineData(0x7f17, "SSL")]
    public void ProtocolColumn(int version, string text) => Assert.Equal(text, TlsNames.ProtocolColumn((ushort)version));

    [Theory]
    [InlineData(0x0303, "TLS 1.2")]
    [InlineData(0x0304, "TLS 1.3")]
    [InlineData(0x7f17, "TLS 1.3 (draft 23)")]
    [InlineData(0xfb1a, "TLS 1.3 (Facebook draft 26)")]
    [InlineData(0x1a1a, "Reserved (GREASE)")]
    [InlineData(0x7f0d, null)]
    public void VersionNames(int version, string? text) => Assert.Equal(text, TlsNames.VersionName((ushort)version));

    [Fact]
    public void TheHandTablesAgreeWithTheGeneratedRegistry()
    {
        for (int v = 0; v < 256; v++)
        {
            Assert.Equal(HttpsFlow.Tls.Registry.HandshakeTypes.TsharkName((byte)v), TlsNames.HandshakeType((byte)v));
            Assert.Equal(HttpsFlow.Tls.Registry.ContentTypes.TsharkName((byte)v), TlsNames.ContentType((byte)v));
            Assert.Equal(HttpsFlow.Tls.Registry.AlertDescriptions.TsharkName((byte)v), TlsNames.AlertDescription((byte)v));
            Assert.Equal(HttpsFlow.Tls.Registry.AlertLevels.TsharkName((byte)v), TlsNames.AlertLevel((byte)v));
        }
        foreach (var entry in HttpsFlow.Tls.Registry.TlsVersions.Entries)
            Assert.Equal(entry.TsharkName, TlsNames.VersionName(entry.Value));
    }

    // ---- recognising TLS by its first bytes ----

    [Theory]
    [InlineData("a TLS 1.0 ClientHello record header", "16 0301 0200", true, TlsSniffResult.Tls)]
    [InlineData("a TLS 1.2 application data header", "17 0303 0077", true, TlsSniffResult.Tls)]
    [InlineData("an SSL 3.0 handshake header", "16 0300 0040", true, TlsSniffResult.Tls)]
    [InlineData("a GM/T handshake header", "16 0101 0040", true, TlsSniffResult.Tls)]
    [InlineData("a zero length", "16 0301 0000", true, TlsSniffResult.NotTls)]
    [InlineData("a length of 2^14 + 2048", "16 0301 4800", true, TlsSniffResult.NotTls)]
    [InlineData("an alert first is not what tshark's heuristic accepts", "15 0303 0002", true, TlsSniffResult.NotTls)]
    [InlineData("an alert first is plausible TLS", "15 0303 0002", false, TlsSniffResult.Tls)]
    [InlineData("a TLS 1.3 record version is plausible", "17 0304 0010", false, TlsSniffResult.Tls)]
    [InlineData("a TLS 1.3 draft record version is plausible", "16 7f17 0010", false, TlsSniffResult.Tls)]
    [InlineData("but not for tshark", "16 7f17 0010", true, TlsSniffResult.NotTls)]
    [InlineData("an HTTP request", "474554202f20", true, TlsSniffResult.NotTls)]
    [InlineData("one byte of a handshake", "16", true, TlsSniffResult.NeedMoreData)]
    [InlineData("three bytes of a handshake", "16 0303", true, TlsSniffResult.NeedMoreData)]
    [InlineData("a bad version is known at three bytes", "16 0909", true, TlsSniffResult.NotTls)]
    [InlineData("nothing", "", true, TlsSniffResult.NeedMoreData)]
    public void SniffingTheFirstBytes(string name, string hex, bool strict, TlsSniffResult expected)
    {
        _ = name;
        Assert.Equal(expected, TlsSniffer.Sniff(Hex.Parse(hex), strict));
    }

    [Fact]
    public void SniffingAnSsl2ClientHello()
    {
        var hello = Hex.Parse("802c 01 0301 0003 0000 0020 00002f 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        Assert.Equal(TlsSniffResult.Ssl2ClientHello, TlsSniffer.Sniff(hello));
        Assert.Equal(TlsSniffResult.NeedMoreData, TlsSniffer.Sniff(hello.AsSpan(0, 20)));

        var badChallenge = (byte[])hello.Clone();
        badChallenge[10] = 0x10;   // challenge_length 16: not what the heuristic takes
        Assert.Equal(TlsSniffResult.NotTls, TlsSniffer.Sniff(badChallenge));

        var serverHello = (byte[])hello.Clone();
        serverHello[2] = 4;
        Assert.Equal(TlsSniffResult.NotTls, TlsSniffer.Sniff(serverHello));
        Assert.True(TlsSniffer.LooksLikeSsl2Record(serverHello));
    }

    [Fact]
    public void OnATlsPortAnSsl2RecordIsTlsWhateverItsLengths()
    {
        // Zeek's ssl.v3.pcap: an SSL 2.0 ClientHello with a 16-byte challenge, to port 443. tshark's TLS dissector
        // takes it (ssl_looks_like_sslv2); its heuristic, elsewhere, would not.
        byte[] hello = [.. Hex.Parse("8055 01 0301 003c 0000 0010"), .. new byte[60 + 16]];
        Assert.Equal(TlsSniffResult.NotTls, TlsSniffer.Sniff(hello, strict: true));
        Assert.Equal(TlsSniffResult.Ssl2ClientHello, TlsSniffer.Sniff(hello, strict: false));
        Assert.Equal(TlsSniffResult.NeedMoreData, TlsSniffer.Sniff(hello.AsSpan(0, 2), strict: false));
        var serverHello = (byte[])hello.Clone();
        serverHello[2] = 4;
        Assert.Equal(TlsSniffResult.Tls, TlsSniffer.Sniff(serverHello, strict: false));
        var other = (byte[])hello.Clone();
        other[2] = 7; // an SSL 2.0 type that travels encrypted: not what an SSL 2.0 record looks like
        Assert.Equal(TlsSniffResult.NotTls, TlsSniffer.Sniff(other, strict: false));
    }

    [Fact]
    public void TheSamplesStartWithTls()
    {
        Assert.Equal(TlsSniffResult.Tls, TlsSniffer.Sniff(TlsSamples.Tls12[0].Bytes));
        Assert.Equal(TlsSniffResult.Tls, TlsSniffer.Sniff(TlsSamples.Frame(TlsSamples.Tls12, 6).Bytes));
        Assert.Equal(TlsSniffResult.Tls, TlsSniffer.Sniff(TlsSamples.Tls13[0].Bytes));
    }

    [Fact]
    public void GreaseValues()
    {
        foreach (int v in new[] { 0x0a0a, 0x1a1a, 0xfafa })
            Assert.True(new NamedGroup((ushort)v).IsGrease);
        foreach (int v in new[] { 0x0a0b, 0x1a0a, 0x001d })
            Assert.False(new CipherSuite((ushort)v).IsGrease);
    }
}
