using HttpsFlow.Common;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Extensions;
using HttpsFlow.Tls.Handshake;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) and ServerHello / HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4),
/// from the bundled captures and RFC 8448, with their JA3/JA3S as tshark computes them, and malformed variants.
/// </summary>
public class HelloMessageTests
{
    // ---- the bundled captures ----

    [Fact]
    public void Tls13DraftServerHelloHasNoSessionIdNorCompression()
    {
        // Draft 19 (0x7f13): version, random, cipher suite, extensions (key_share x25519 with a 32-byte key).
        var body = Hex.Parse("7f13" + new string('a', 64) + "1302" + "0028" + "00330024001d0020" + new string('b', 64));
        var hello = ServerHello.Parse(body);
        Assert.Equal(ParseStatus.Ok, hello.Status);
        Assert.Equal(0x7f13, hello.LegacyVersion);
        Assert.Equal(0x1302, hello.CipherSuite.Value);
        Assert.True(hello.SessionId.IsEmpty);
        Assert.True(hello.Extensions.Contains(ExtensionType.KeyShare));
        // Cut inside the random: malformed, no exception.
        Assert.Equal(ParseStatus.Malformed, ServerHello.Parse(body[..20]).Status);
    }

    [Fact]
    public void CurlsTls12ClientHello()
    {
        var body = SampleMessages.Body(TlsSamples.Tls12, true, TlsHandshakeType.ClientHello);
        var notes = new TlsNotes();
        var hello = ClientHello.Parse(body, notes);

        Assert.Equal(ParseStatus.Ok, hello.Status);
        Assert.Empty(notes.AsSpan().ToArray());
        Assert.Equal(TlsVersion.Tls12, hello.LegacyVersion);
        Assert.Equal("dd46c2dfd3353ca9be2ce54b19316153070a404299eb25cf1ea38c7f10ef69ad", Convert.ToHexStringLower(hello.Random));
        Assert.Equal(32, hello.SessionId.Length);
        Assert.Equal(31, hello.CipherSuites.Count);
        Assert.Equal(new CipherSuite(0x1302), hello.CipherSuites[0]);
        Assert.True(hello.CipherSuites.Contains(CipherSuite.EmptyRenegotiationInfoScsv));
        Assert.Equal([0], hello.CompressionMethods.ToArray());
        Assert.Equal([0, 11, 10, 35, 16, 22, 23, 49, 13, 43, 45, 51, 21], hello.Extensions.Types());
        Assert.Equal("test.httpsflow.example", hello.ServerName);
        Assert.Equal(TlsVersion.Tls13, hello.HighestVersion);
        Assert.True(hello.Extensions.TryFind(ExtensionType.Alpn, out var alpn));
        Assert.Equal(["h2", "http/1.1"], AlpnExtension.Parse(alpn.Data).ProtocolNames());
    }

    [Theory]
    [InlineData("tls12", "771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,0-11-10-35-16-22-23-49-13-43-45-51-21,29-23-30-25-24-256-257-258-259-260,0-1-2",
        "46531b76d4d69e9c86d481cf71fa4933")]
    [InlineData("tls13", "771,4866-4867-4865-255,0-11-10-35-22-23-13-43-45-51,29-23-30-25-24-256-257-258-259-260,0-1-2",
        "f146948b4a599d4d7ddf071b74696983")]
    public void Ja3IsTsharks(string capture, string full, string hash)
    {
        var body = SampleMessages.Body(capture == "tls12" ? TlsSamples.Tls12 : TlsSamples.Tls13, true, TlsHandshakeType.ClientHello);
        var hello = ClientHello.Parse(body);

        Assert.Equal(full, Ja3.ClientFull(hello));
        Assert.Equal(hash, Ja3.Hash(Ja3.ClientFull(hello)));
    }

    [Theory]
    [InlineData("tls12", "771,49199,65281-0-11-35-16-23", "00447ab319e9d94ba2b4c1248e155917")]
    [InlineData("tls13", "771,4866,43-51", "15af977ce25de452b96affa2addb1036")]
    public void Ja3sIsTsharks(string capture, string full, string hash)
    {
        var body = SampleMessages.Body(capture == "tls12" ? TlsSamples.Tls12 : TlsSamples.Tls13, false, TlsHandshakeType.ServerHello);
        var hello = ServerHello.Parse(body);

        Assert.Equal(full, Ja3.ServerFull(hello));
        Assert.Equal(hash, Ja3.Hash(Ja3.ServerFull(hello)));
    }

    [Fact]
    public void NginxsTls12ServerHello()
    {
        var hello = ServerHello.Parse(SampleMessages.Body(TlsSamples.Tls12, false, TlsHandshakeType.ServerHello));

        Assert.Equal(ParseStatus.Ok, hello.Status);
        Assert.Equal((TlsVersion.Tls12, (ushort)0xc02f, (byte)0), (hello.SelectedVersion, hello.CipherSuite.Value, hello.CompressionMethod));
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", hello.CipherSuite.Name);
        Assert.False(hello.IsHelloRetryRequest);
        Assert.Empty(hello.SessionId.ToArray());
        Assert.True(hello.Extensions.TryFind(ExtensionType.Alpn, out var alpn));
        Assert.Equal("http/1.1", AlpnExtension.Parse(alpn.Data).FirstProtocol);
        Assert.True(hello.Extensions.TryFind(ExtensionType.RenegotiationInfo, out var reneg));
        Assert.True(RenegotiationInfoExtension.Parse(reneg.Data).RenegotiatedConnection.IsEmpty);
        ServerHello.Scan(SampleMessages.Body(TlsSamples.Tls12, false, TlsHandshakeType.ServerHello), out ushort version, out bool hrr);
        Assert.Equal((TlsVersion.Tls12, false), (version, hrr));
    }

    [Fact]
    public void OpensslsTls13ServerHello()
    {
        var body = SampleMessages.Body(TlsSamples.Tls13, false, TlsHandshakeType.ServerHello);
        var hello = ServerHello.Parse(body);

        Assert.Equal((TlsVersion.Tls12, TlsVersion.Tls13), (hello.LegacyVersion, hello.SelectedVersion));
        Assert.Equal(0x1302, hello.CipherSuite.Value);
        Assert.True(hello.Extensions.TryFind(ExtensionType.KeyShare, out var ks));
        var share = KeyShareExtension.Parse(ks.Data, TlsHandshakeType.ServerHello).ServerShare;
        Assert.Equal((NamedGroup.X25519, 32), (share.Group, share.KeyExchange.Length));
        ServerHello.Scan(body, out ushort version, out _);
        Assert.Equal(TlsVersion.Tls13, version);
    }

    // ---- RFC 8448 ----

    [Fact]
    public void Rfc8448SimpleClientHello()
    {
        var notes = new TlsNotes();
        var hello = ClientHello.Parse(Rfc8448.Bytes(Rfc8448.ClientHello)[4..], notes);

        Assert.Equal(ParseStatus.Ok, hello.Status);
        Assert.Equal(0, notes.Count);
        Assert.Equal([0x1301, 0x1303, 0x1302], hello.CipherSuites.ToArray().Select(s => (int)s.Value));
        Assert.Equal([0, 0xff01, 10, 35, 51, 43, 13, 45, 28], hello.Extensions.Types());
        Assert.Equal("server", hello.ServerName);
        Assert.True(hello.Extensions.TryFind(ExtensionType.KeyShare, out var ks));
        var shares = KeyShareExtension.Parse(ks.Data, TlsHandshakeType.ClientHello).ClientShares;
        Assert.Equal(1, shares.Count);
        foreach (var share in shares)
        {
            Assert.Equal(NamedGroup.X25519, share.Group);
            Assert.Equal("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c", Convert.ToHexStringLower(share.KeyExchange));
        }
        Assert.True(hello.Extensions.TryFind(ExtensionType.RecordSizeLimit, out var rsl));
        Assert.Equal(0x4001, RecordSizeLimitExtension.Parse(rsl.Data).Limit);
    }

    [Fact]
    public void Rfc8448SimpleServerHello()
    {
        var hello = ServerHello.Parse(Rfc8448.Bytes(Rfc8448.ServerHello)[4..]);

        Assert.Equal((ParseStatus.Ok, TlsVersion.Tls13, (ushort)0x1301), (hello.Status, hello.SelectedVersion, hello.CipherSuite.Value));
        Assert.Equal("a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e26928", Convert.ToHexStringLower(hello.Random));
        Assert.True(hello.Extensions.TryFind(ExtensionType.KeyShare, out var ks));
        Assert.Equal("c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f",
            Convert.ToHexStringLower(KeyShareExtension.Parse(ks.Data, TlsHandshakeType.ServerHello).ServerShare.KeyExchange));
    }

    [Fact]
    public void Rfc8448HelloRetryRequestIsRecognisedByItsRandom()
    {
        var body = Rfc8448.Bytes(Rfc8448.HelloRetryRequest)[4..];
        var hello = ServerHello.Parse(body);

        Assert.True(hello.IsHelloRetryRequest);
        Assert.Equal(TlsHandshakeType.HelloRetryRequest, hello.ExtensionContext);
        Assert.Equal([51, 44, 43], hello.Extensions.Types());
        Assert.True(hello.Extensions.TryFind(ExtensionType.KeyShare, out var ks));
        var keyShare = KeyShareExtension.Parse(ks.Data, TlsHandshakeType.HelloRetryRequest);
        Assert.Equal((true, NamedGroup.Secp256r1), (keyShare.HasSelectedGroup, keyShare.SelectedGroup));
        Assert.True(hello.Extensions.TryFind(ExtensionType.Cookie, out var cookie));
        Assert.Equal(114, CookieExtension.Parse(cookie.Data).Cookie.Length);
        ServerHello.Scan(body, out ushort version, out bool hrr);
        Assert.Equal((TlsVersion.Tls13, true), (version, hrr));
    }

    [Fact]
    public void Rfc8448ResumedClientHelloOffersAPskWithABinder()
    {
        var notes = new TlsNotes();
        var hello = ClientHello.Parse(Rfc8448.Bytes(Rfc8448.ResumedClientHello)[4..], notes);

        Assert.Equal(ParseStatus.Ok, hello.Status);
        Assert.Equal(0, notes.Count);
        Assert.Equal([0, 0xff01, 10, 51, 42, 43, 13, 45, 28, 21, 41], hello.Extensions.Types());
        Assert.True(hello.Extensions.TryFind(ExtensionType.PreSharedKey, out var psk));
        var offered = PreSharedKeyExtension.Parse(psk.Data, TlsHandshakeType.ClientHello, notes);
        Assert.Equal(ParseStatus.Ok, offered.Status);
        Assert.Equal(1, offered.Identities.Count);
        foreach (var id in offered.Identities)
        {
            Assert.Equal(178, id.Identity.Length);
            Assert.Equal(0xfad6aacbu, id.ObfuscatedTicketAge);
        }
        Assert.Equal("3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d", Convert.ToHexStringLower(offered.Binders.First));
        Assert.True(hello.Extensions.TryFind(ExtensionType.Padding, out var padding));
        var pad = PaddingExtension.Parse(padding.Data);
        Assert.Equal((87, true), (pad.Length, pad.IsAllZero));
        Assert.True(hello.Extensions.TryFind(ExtensionType.EarlyData, out var early));
        Assert.Equal(ParseStatus.Ok, EarlyDataExtension.Parse(early.Data, TlsHandshakeType.ClientHello).Status);
    }

    [Fact]
    public void Rfc8448ResumedServerHelloSelectsTheFirstIdentity()
    {
        var hello = ServerHello.Parse(Rfc8448.Bytes(Rfc8448.ResumedServerHello)[4..]);

        Assert.True(hello.Extensions.TryFind(ExtensionType.PreSharedKey, out var psk));
        var selected = PreSharedKeyExtension.Parse(psk.Data, TlsHandshakeType.ServerHello);
        Assert.Equal((true, (ushort)0), (selected.HasSelectedIdentity, selected.SelectedIdentity));
    }

    [Fact]
    public void TheExtensionOffsetsPointIntoTheBody()
    {
        var body = Rfc8448.Bytes(Rfc8448.ClientHello)[4..];
        var hello = ClientHello.Parse(body);
        foreach (var ext in hello.Extensions)
        {
            Assert.Equal(ext.Type.Value, body[ext.Offset] << 8 | body[ext.Offset + 1]);
            Assert.True(body.AsSpan(ext.DataOffset, ext.Data.Length).SequenceEqual(ext.Data));
        }
    }

    // ---- malformed ----

    // legacy_version 0x0303, a random of 0x11 bytes, then what each case says.
    private const string Prefix = "0303 1111111111111111111111111111111111111111111111111111111111111111 ";

    [Theory]
    [InlineData("an empty body", "", TlsNoteKeys.Malformed)]
    [InlineData("the random cut short", "0303 1111", TlsNoteKeys.Malformed)]
    [InlineData("no session ID length", Prefix, TlsNoteKeys.Malformed)]
    [InlineData("a session ID longer than what is left", Prefix + "20 aabb", TlsNoteKeys.Malformed)]
    [InlineData("a session ID over 32 bytes", Prefix + "21 " + "000000000000000000000000000000000000000000000000000000000000000000" + " 0002 1301 01 00", TlsNoteKeys.Unexpected)]
    [InlineData("cipher suites longer than what is left", Prefix + "00 0010 1301", TlsNoteKeys.BufferTooSmall)]
    [InlineData("zero-length cipher suites", Prefix + "00 0000 01 00", TlsNoteKeys.VectorLength)]
    [InlineData("an odd byte in the cipher suites", Prefix + "00 0003 130113 01 00", TlsNoteKeys.TrailingData)]
    [InlineData("no compression methods", Prefix + "00 0002 1301", TlsNoteKeys.BufferTooSmall)]
    [InlineData("zero-length compression methods", Prefix + "00 0002 1301 00", TlsNoteKeys.VectorLength)]
    [InlineData("an extensions length longer than what is left", Prefix + "00 0002 1301 01 00 0010 0000", TlsNoteKeys.BufferTooSmall)]
    [InlineData("an extension longer than the block", Prefix + "00 0002 1301 01 00 0006 0000 0010 aabb", TlsNoteKeys.BufferTooSmall)]
    [InlineData("bytes left in the block after the last extension", Prefix + "00 0002 1301 01 00 0006 0017 0000 aabb", TlsNoteKeys.TrailingData)]
    [InlineData("bytes after the extensions block", Prefix + "00 0002 1301 01 00 0004 0017 0000 ff", TlsNoteKeys.TrailingData)]
    [InlineData("one byte where the extensions length should be", Prefix + "00 0002 1301 01 00 ff", TlsNoteKeys.BufferTooSmall)]
    public void MalformedClientHellosYieldANoteAndAPartialResult(string name, string hex, string key)
    {
        _ = name;
        var notes = new TlsNotes();
        var hello = ClientHello.Parse(Hex.Parse(hex), notes);

        Assert.True(notes.Contains(key), notes.ToString());
        _ = hello.Extensions.Count;
    }

    [Fact]
    public void AClientHelloWithoutExtensionsIsSsl3sAndValid()
    {
        var notes = new TlsNotes();
        var hello = ClientHello.Parse(Hex.Parse(Prefix + "00 0002 0035 01 00"), notes);

        Assert.Equal(ParseStatus.Ok, hello.Status);
        Assert.False(hello.Extensions.IsPresent);
        Assert.Equal(0, notes.Count);
        Assert.Equal("771,53,,,", Ja3.ClientFull(hello));
    }

    [Fact]
    public void GreaseIsLeftOutOfJa3ButKeptInTheMessage()
    {
        // A ClientHello as Chrome sends it: GREASE suite, extension, group and version.
        var hello = ClientHello.Parse(Hex.Parse(Prefix + "00 0004 2a2a 1301 01 00 " +
            "0017 3a3a 0000 000a 0006 0004 4a4a 001d 002b 0005 04 5a5a 0304"));

        Assert.True(hello.CipherSuites[0].IsGrease);
        Assert.Equal("771,4865,10-43,29,", Ja3.ClientFull(hello));
        Assert.Equal(TlsVersion.Tls13, hello.HighestVersion);
    }

    [Theory]
    [InlineData("an empty body", "", TlsNoteKeys.Malformed)]
    [InlineData("no cipher suite", Prefix + "00 13", TlsNoteKeys.Malformed)]
    [InlineData("no compression method", Prefix + "00 1301", TlsNoteKeys.Malformed)]
    [InlineData("an extensions length longer than what is left", Prefix + "00 1301 00 0008 002b 0002", TlsNoteKeys.BufferTooSmall)]
    [InlineData("a session ID cut short", Prefix + "20 00", TlsNoteKeys.Malformed)]
    public void MalformedServerHellosYieldANoteAndAPartialResult(string name, string hex, string key)
    {
        _ = name;
        var notes = new TlsNotes();
        var hello = ServerHello.Parse(Hex.Parse(hex), notes);

        Assert.Equal(ParseStatus.Malformed, hello.Status);
        Assert.True(notes.Contains(key), notes.ToString());
        _ = hello.SelectedVersion;
    }

    [Theory]
    [InlineData("a TLS 1.1 legacy version is never a HelloRetryRequest", "0302", false)]
    [InlineData("fewer than 46 bytes", "0303 cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c 00 1301 00", false)]
    public void TheQuickScanFollowsTshark(string name, string hex, bool hrr)
    {
        _ = name;
        ServerHello.Scan(Hex.Parse(hex), out _, out bool isHrr);
        Assert.Equal(hrr, isHrr);
    }
}
