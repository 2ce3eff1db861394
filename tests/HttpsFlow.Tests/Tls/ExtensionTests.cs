using HttpsFlow.Common;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Extensions;
using HttpsFlow.Tls.Handshake;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// Each extension's data on its own (RFC 8446 §4.2 and the RFCs named in each parser), well-formed and malformed.
/// Well-formed vectors are the extension data of the samples' and RFC 8448's hellos; malformed ones are built from
/// them. An extension that fails parses alone: the message around it is unaffected.
/// </summary>
public class ExtensionTests
{
    private static (ParseStatus Status, TlsNotes Notes) Parse(ushort type, string hex, TlsHandshakeType context)
    {
        var notes = new TlsNotes();
        var status = TlsWalk.Extension(new ExtensionType(type), Hex.Parse(hex), context, notes);
        return (status, notes);
    }

    // ---- well-formed: named vectors with what they hold ----

    [Fact]
    public void ServerName()
    {
        var sni = ServerNameExtension.Parse(Hex.Parse("0019 00 0016 746573742e6874747073666c6f772e6578616d706c65"));
        Assert.Equal((ParseStatus.Ok, "test.httpsflow.example"), (sni.Status, sni.HostName));

        var ack = ServerNameExtension.Parse(default);
        Assert.Equal((ParseStatus.Ok, true, null), (ack.Status, ack.IsEmpty, ack.HostName));

        // A name type other than host_name is kept but is not the host name.
        var other = ServerNameExtension.Parse(Hex.Parse("000a 01 0002 6162 00 0002 6364"));
        Assert.Equal("cd", other.HostName);
        int n = 0;
        foreach (var entry in other) n += entry.NameType == 1 ? 1 : 0;
        Assert.Equal(1, n);
    }

    [Fact]
    public void SupportedGroupsWithGrease()
    {
        var groups = SupportedGroupsExtension.Parse(Hex.Parse("0008 2a2a 001d 0017 0100"));
        Assert.Equal(ParseStatus.Ok, groups.Status);
        Assert.Equal([0x2a2a, 0x001d, 0x0017, 0x0100], groups.Groups.ToArray().Select(g => (int)g.Value));
        Assert.True(groups.Groups[0].IsGrease);
        Assert.Equal("x25519", groups.Groups[1].Name);
    }

    [Fact]
    public void EcPointFormats()
    {
        var f = EcPointFormatsExtension.Parse(Hex.Parse("03 000102"));
        Assert.Equal((ParseStatus.Ok, "000102"), (f.Status, Convert.ToHexStringLower(f.Formats)));
    }

    [Fact]
    public void SignatureAlgorithmsFromRfc8448()
    {
        var sa = SignatureAlgorithmsExtension.Parse(Hex.Parse("001e 0403 0503 0603 0203 0804 0805 0806 0401 0501 0601 0201 0402 0502 0602 0202"));
        Assert.Equal((ParseStatus.Ok, 15), (sa.Status, sa.Algorithms.Count));
        Assert.Equal((4, 3), (sa.Algorithms[0].Hash, sa.Algorithms[0].Signature));
        Assert.True(sa.Algorithms.Contains(SignatureScheme.RsaPssRsaeSha256));
    }

    [Fact]
    public void Alpn()
    {
        var alpn = AlpnExtension.Parse(Hex.Parse("000c 02 6832 08 687474702f312e31"));
        Assert.Equal((ParseStatus.Ok, "h2"), (alpn.Status, alpn.FirstProtocol));
        Assert.Equal(["h2", "http/1.1"], alpn.ProtocolNames());
    }

    [Fact]
    public void StatusRequestInAClientHello()
    {
        var sr = StatusRequestExtension.Parse(Hex.Parse("01 0000 0000"), TlsHandshakeType.ClientHello);
        Assert.Equal((ParseStatus.Ok, true, (byte)1), (sr.Status, sr.HasRequest, sr.StatusType));

        // A ServerHello's is empty.
        Assert.Equal(ParseStatus.Ok, StatusRequestExtension.Parse(default, TlsHandshakeType.ServerHello).Status);
    }

    [Fact]
    public void SupportedVersionsBothForms()
    {
        var client = SupportedVersionsExtension.Parse(Hex.Parse("06 3a3a 0304 0303"), TlsHandshakeType.ClientHello);
        Assert.Equal([0x3a3a, 0x0304, 0x0303], client.Versions.ToArray().Select(v => (int)v));
        Assert.Equal("Reserved (GREASE)", TlsNames.VersionName(client.Versions[0]));

        var server = SupportedVersionsExtension.Parse(Hex.Parse("0304"), TlsHandshakeType.ServerHello);
        Assert.Equal((true, TlsVersion.Tls13), (server.HasSelectedVersion, server.SelectedVersion));

        var hrr = SupportedVersionsExtension.Parse(Hex.Parse("0304"), TlsHandshakeType.HelloRetryRequest);
        Assert.Equal(TlsVersion.Tls13, hrr.SelectedVersion);
    }

    [Fact]
    public void PskKeyExchangeModesWithGrease()
    {
        var modes = PskKeyExchangeModesExtension.Parse(Hex.Parse("02 0b01"));
        Assert.Equal((ParseStatus.Ok, "0b01"), (modes.Status, Convert.ToHexStringLower(modes.Modes)));
        Assert.True(HttpsFlow.Tls.Registry.Grease.IsGreasePskKeyExchangeMode(modes.Modes[0]));
    }

    [Fact]
    public void KeyShareClientSharesInOrder()
    {
        var ks = KeyShareExtension.Parse(Hex.Parse("000d 2a2a 0001 00 001d 0004 01020304"), TlsHandshakeType.ClientHello);
        Assert.Equal(ParseStatus.Ok, ks.Status);
        var groups = new List<ushort>();
        foreach (var share in ks.ClientShares) groups.Add(share.Group.Value);
        Assert.Equal([0x2a2a, 0x001d], groups);
        Assert.Equal(ParseStatus.Ok, KeyShareExtension.Parse(Hex.Parse("0000"), TlsHandshakeType.ClientHello).Status);
    }

    [Fact]
    public void SimpleExtensions()
    {
        Assert.Equal(0x4001, RecordSizeLimitExtension.Parse(Hex.Parse("4001")).Limit);
        Assert.Equal(1024, MaxFragmentLengthExtension.Parse(Hex.Parse("02")).Length);
        Assert.Equal([1, 2], CompressCertificateExtension.Parse(Hex.Parse("04 0001 0002")).Algorithms.ToArray().Select(a => (int)a));
        Assert.Equal(3, CookieExtension.Parse(Hex.Parse("0003 aabbcc")).Cookie.Length);
        Assert.Equal(12, RenegotiationInfoExtension.Parse(Hex.Parse("0c 0102030405060708090a0b0c")).RenegotiatedConnection.Length);
        Assert.Equal(4, SessionTicketExtension.Parse(Hex.Parse("aabbccdd")).Ticket.Length);
        Assert.Equal(0, EncryptedClientHelloExtension.Parse(Hex.Parse("00 0001 0001 07 0000 0001 ff")).ClientHelloType);
        Assert.Equal(ParseStatus.Ok, EmptyExtension.Parse(default));
        Assert.Equal(ParseStatus.Ok, EarlyDataExtension.Parse(default, TlsHandshakeType.EncryptedExtensions).Status);
    }

    [Fact]
    public void UnknownAndGreaseExtensionsAreKeptRaw()
    {
        var list = ExtensionList.Parse(Hex.Parse("000e 1234 0002 abcd dada 0000 0017 0000"));
        Assert.Equal(ParseStatus.Ok, list.Status);
        Assert.Equal([0x1234, 0xdada, 0x0017], list.Types().Select(t => (int)t));
        Assert.True(list.TryFind(new ExtensionType(0x1234), out var unknown));
        Assert.Equal(("abcd", false), (Convert.ToHexStringLower(unknown.Data), unknown.IsGrease));
        Assert.True(list.TryFind(new ExtensionType(0xdada), out var grease));
        Assert.True(grease.IsGrease);
        Assert.Equal("Reserved (GREASE)", grease.Type.Name);
    }

    [Fact]
    public void SignedCertificateTimestampList()
    {
        string sct = "00" + new string('b', 64) + "0000018000000001" + "0000" + "0403" + "0002" + "abcd";
        int len = sct.Length / 2;
        var ext = SignedCertificateTimestampExtension.Parse(Hex.Parse($"{len + 2:x4} {len:x4} {sct}"), TlsHandshakeType.ServerHello);
        Assert.Equal((ParseStatus.Ok, 1), (ext.Status, ext.Timestamps.Count));
        var parsed = SignedCertificateTimestamp.Parse(ext.Timestamps.First);
        Assert.Equal((32, 0x18000000001UL, 2), (parsed.LogId.Length, parsed.Timestamp, parsed.Signature.Signature.Length));

        // The ClientHello form is empty.
        Assert.Equal(ParseStatus.Ok, SignedCertificateTimestampExtension.Parse(default, TlsHandshakeType.ClientHello).Status);
    }

    // ---- malformed: each yields a note, none throws ----

    [Theory]
    [InlineData("server_name with a name longer than the list", 0, TlsHandshakeType.ClientHello, "0005 00 0003 6162", TlsNoteKeys.BufferTooSmall)]
    [InlineData("server_name with an empty list", 0, TlsHandshakeType.ClientHello, "0000", TlsNoteKeys.VectorLength)]
    [InlineData("server_name with an empty name", 0, TlsHandshakeType.ClientHello, "0003 00 0000", TlsNoteKeys.VectorLength)]
    [InlineData("server_name with a list longer than the data", 0, TlsHandshakeType.ClientHello, "0019 00 0016 7465", TlsNoteKeys.BufferTooSmall)]
    [InlineData("server_name with bytes after the list", 0, TlsHandshakeType.ClientHello, "0004 00 0001 61 ff", TlsNoteKeys.TrailingData)]
    [InlineData("max_fragment_length empty", 1, TlsHandshakeType.ClientHello, "", TlsNoteKeys.Malformed)]
    [InlineData("status_request empty", 5, TlsHandshakeType.ClientHello, "", TlsNoteKeys.Malformed)]
    [InlineData("status_request with responder IDs", 5, TlsHandshakeType.ClientHello, "01 0004 0002 aabb 0000", TlsNoteKeys.StatusRequestUndecoded)]
    [InlineData("status_request with request extensions", 5, TlsHandshakeType.ClientHello, "01 0000 0002 aabb", TlsNoteKeys.StatusRequestUndecoded)]
    [InlineData("status_request without request extensions", 5, TlsHandshakeType.ClientHello, "01 0000", TlsNoteKeys.BufferTooSmall)]
    [InlineData("status_request with data in a ServerHello", 5, TlsHandshakeType.ServerHello, "01", TlsNoteKeys.TrailingData)]
    [InlineData("status_request response cut short in a certificate", 5, TlsHandshakeType.Certificate, "01 000009 3003", TlsNoteKeys.BufferTooSmall)]
    [InlineData("supported_groups with an odd length", 10, TlsHandshakeType.ClientHello, "0003 001d 00", TlsNoteKeys.TrailingData)]
    [InlineData("supported_groups empty", 10, TlsHandshakeType.ClientHello, "0000", TlsNoteKeys.VectorLength)]
    [InlineData("supported_groups longer than the data", 10, TlsHandshakeType.ClientHello, "0010 001d", TlsNoteKeys.BufferTooSmall)]
    [InlineData("supported_groups with no length", 10, TlsHandshakeType.ClientHello, "00", TlsNoteKeys.BufferTooSmall)]
    [InlineData("ec_point_formats longer than the data", 11, TlsHandshakeType.ClientHello, "05 00", TlsNoteKeys.Malformed)]
    [InlineData("ec_point_formats empty", 11, TlsHandshakeType.ClientHello, "", TlsNoteKeys.Malformed)]
    [InlineData("signature_algorithms with one byte", 13, TlsHandshakeType.ClientHello, "0001 04", TlsNoteKeys.VectorLength)]
    [InlineData("signature_algorithms_cert longer than the data", 50, TlsHandshakeType.ClientHello, "0020 0403", TlsNoteKeys.BufferTooSmall)]
    [InlineData("ALPN with an empty list", 16, TlsHandshakeType.ClientHello, "0000", TlsNoteKeys.VectorLength)]
    [InlineData("ALPN with a name longer than the list", 16, TlsHandshakeType.ClientHello, "0003 05 6832", TlsNoteKeys.BufferTooSmall)]
    [InlineData("ALPN with an empty name", 16, TlsHandshakeType.ClientHello, "0002 00 00", TlsNoteKeys.VectorLength)]
    [InlineData("signed_certificate_timestamp with an empty list", 18, TlsHandshakeType.ServerHello, "0000", TlsNoteKeys.VectorLength)]
    [InlineData("signed_certificate_timestamp with an SCT longer than the list", 18, TlsHandshakeType.ServerHello, "0004 0010 0000", TlsNoteKeys.BufferTooSmall)]
    [InlineData("signed_certificate_timestamp with a truncated SCT", 18, TlsHandshakeType.ServerHello, "0005 0003 00aabb", TlsNoteKeys.Malformed)]
    [InlineData("padding with non-zero bytes", 21, TlsHandshakeType.ClientHello, "0000ff", TlsNoteKeys.Unexpected)]
    [InlineData("encrypt_then_mac with data", 22, TlsHandshakeType.ClientHello, "00", TlsNoteKeys.TrailingData)]
    [InlineData("extended_master_secret with data", 23, TlsHandshakeType.ServerHello, "0102", TlsNoteKeys.TrailingData)]
    [InlineData("post_handshake_auth with data", 49, TlsHandshakeType.ClientHello, "ff", TlsNoteKeys.TrailingData)]
    [InlineData("compress_certificate with an odd length", 27, TlsHandshakeType.ClientHello, "03 0001 00", TlsNoteKeys.TrailingData)]
    [InlineData("compress_certificate empty", 27, TlsHandshakeType.ClientHello, "00", TlsNoteKeys.VectorLength)]
    [InlineData("record_size_limit below 64", 28, TlsHandshakeType.ClientHello, "0010", TlsNoteKeys.Unexpected)]
    [InlineData("record_size_limit cut short", 28, TlsHandshakeType.ClientHello, "40", TlsNoteKeys.Malformed)]
    [InlineData("pre_shared_key identities longer than the data", 41, TlsHandshakeType.ClientHello, "00b8 00b2 2c03", TlsNoteKeys.BufferTooSmall)]
    [InlineData("pre_shared_key identity without its age", 41, TlsHandshakeType.ClientHello, "0007 0003 aabbcc 0000", TlsNoteKeys.Malformed)]
    [InlineData("pre_shared_key identities too short", 41, TlsHandshakeType.ClientHello, "0006 0002 aabb 00000001 0021 20 " + "00000000000000000000000000000000" + "00000000000000000000000000000000", TlsNoteKeys.VectorLength)]
    [InlineData("pre_shared_key without binders", 41, TlsHandshakeType.ClientHello, "0007 0001 aa 00000001", TlsNoteKeys.BufferTooSmall)]
    [InlineData("pre_shared_key binder shorter than 32", 41, TlsHandshakeType.ClientHello, "0007 0001 aa 00000001 0021 05 0102030405 " + "000000000000000000000000000000000000000000000000000000", TlsNoteKeys.VectorLength)]
    [InlineData("pre_shared_key selected identity cut short", 41, TlsHandshakeType.ServerHello, "00", TlsNoteKeys.Malformed)]
    [InlineData("early_data max size cut short", 42, TlsHandshakeType.NewSessionTicket, "0000", TlsNoteKeys.Malformed)]
    [InlineData("early_data with data in a ClientHello", 42, TlsHandshakeType.ClientHello, "00", TlsNoteKeys.TrailingData)]
    [InlineData("supported_versions with an odd list", 43, TlsHandshakeType.ClientHello, "03 0304 03", TlsNoteKeys.TrailingData)]
    [InlineData("supported_versions with an empty list", 43, TlsHandshakeType.ClientHello, "00", TlsNoteKeys.VectorLength)]
    [InlineData("supported_versions list longer than the data", 43, TlsHandshakeType.ClientHello, "08 0304", TlsNoteKeys.BufferTooSmall)]
    [InlineData("supported_versions selected cut short", 43, TlsHandshakeType.ServerHello, "03", TlsNoteKeys.Malformed)]
    [InlineData("supported_versions selected with extra bytes", 43, TlsHandshakeType.ServerHello, "030400", TlsNoteKeys.TrailingData)]
    [InlineData("cookie empty", 44, TlsHandshakeType.HelloRetryRequest, "0000", TlsNoteKeys.VectorLength)]
    [InlineData("cookie longer than the data", 44, TlsHandshakeType.ClientHello, "0074 71dc", TlsNoteKeys.BufferTooSmall)]
    [InlineData("psk_key_exchange_modes empty", 45, TlsHandshakeType.ClientHello, "00", TlsNoteKeys.VectorLength)]
    [InlineData("psk_key_exchange_modes longer than the data", 45, TlsHandshakeType.ClientHello, "02 01", TlsNoteKeys.BufferTooSmall)]
    [InlineData("key_share client shares longer than the data", 51, TlsHandshakeType.ClientHello, "0026 001d 0020 99", TlsNoteKeys.BufferTooSmall)]
    [InlineData("key_share entry key longer than the list", 51, TlsHandshakeType.ClientHello, "0006 001d 0020 9938", TlsNoteKeys.BufferTooSmall)]
    [InlineData("key_share entry with an empty key", 51, TlsHandshakeType.ClientHello, "0004 001d 0000", TlsNoteKeys.VectorLength)]
    [InlineData("key_share with bytes too few for an entry", 51, TlsHandshakeType.ClientHello, "0003 001d 00", TlsNoteKeys.TrailingData)]
    [InlineData("key_share server share cut short", 51, TlsHandshakeType.ServerHello, "001d", TlsNoteKeys.BufferTooSmall)]
    [InlineData("key_share selected group cut short", 51, TlsHandshakeType.HelloRetryRequest, "00", TlsNoteKeys.Malformed)]
    [InlineData("renegotiation_info longer than the data", 0xff01, TlsHandshakeType.ServerHello, "0c 0102", TlsNoteKeys.BufferTooSmall)]
    [InlineData("renegotiation_info empty data", 0xff01, TlsHandshakeType.ServerHello, "", TlsNoteKeys.BufferTooSmall)]
    public void MalformedExtensionsYieldANote(string name, int type, TlsHandshakeType context, string hex, string key)
    {
        _ = name;
        var (_, notes) = Parse((ushort)type, hex, context);
        Assert.True(notes.Contains(key), notes.ToString());
    }

    [Fact]
    public void ABrokenExtensionDoesNotSpoilItsNeighbours()
    {
        // A ClientHello whose supported_groups data is broken (its list runs past the extension), between a good
        // server_name and a good ALPN.
        var body = Hex.Parse("0303 " + new string('1', 64) + " 00 0002 1301 01 00 " +
            "0026 0000 000b 0009 00 0006 736572766572 000a 0004 0010 001d 0010 000b 0009 08 687474702f312e31");
        var notes = new TlsNotes();
        var hello = ClientHello.Parse(body, notes);

        Assert.Equal(ParseStatus.Ok, hello.Status);
        Assert.Equal("server", hello.ServerName);
        Assert.True(hello.Extensions.TryFind(ExtensionType.Alpn, out var alpn));
        Assert.Equal("http/1.1", AlpnExtension.Parse(alpn.Data).FirstProtocol);
        Assert.True(hello.Extensions.TryFind(ExtensionType.SupportedGroups, out var groups));
        Assert.Equal(ParseStatus.Malformed, SupportedGroupsExtension.Parse(groups.Data, notes).Status);
        Assert.True(notes.Contains(TlsNoteKeys.BufferTooSmall));
    }

    [Fact]
    public void NoteOffsetsAreRelativeToTheExtensionData()
    {
        var notes = new TlsNotes();
        AlpnExtension.Parse(Hex.Parse("0005 02 6832 05 68"), notes);

        var note = Assert.Single(notes.AsSpan().ToArray(), n => n.Key == TlsNoteKeys.BufferTooSmall);
        Assert.Equal((5, 1), (note.Offset, note.Length));   // the second name's length byte
        Assert.Equal("Vector length 5 is too large, truncating it to 1", note.Message);
    }
}
