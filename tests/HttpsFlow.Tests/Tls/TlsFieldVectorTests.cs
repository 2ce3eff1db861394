using HttpsFlow.Fields;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tests.X509;
using static HttpsFlow.Tests.Tls.TlsFieldHarness;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// Named hex vectors through the fields path, each holding what tshark 4.0 shows for bytes like those of the public
/// capture it names.
/// </summary>
public class TlsFieldVectorTests
{
    /// <summary>An extension: its type, its length and its data.</summary>
    private static byte[] Ext(ushort type, string hex)
    {
        var data = Hex.Parse(hex);
        return [(byte)(type >> 8), (byte)type, (byte)(data.Length >> 8), (byte)data.Length, .. data];
    }

    /// <summary>An extensions block: its length, then the extensions.</summary>
    private static byte[] Extensions(params byte[][] extensions)
    {
        var all = extensions.SelectMany(e => e).ToArray();
        return [(byte)(all.Length >> 8), (byte)all.Length, .. all];
    }

    /// <summary>A ClientHello record offering TLS_AES_128_GCM_SHA256 with <paramref name="extensions"/>.</summary>
    private static byte[] ClientHello(params byte[][] extensions) =>
        Record(22, Message(1, [.. HelloStart(), 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, .. Extensions(extensions)]));

    /// <summary>A ServerHello body of <paramref name="version"/> (no session ID) choosing ECDHE_RSA_WITH_AES_128_GCM_SHA256.</summary>
    private static byte[] ServerHello(ushort version, params byte[][] extensions) =>
        [(byte)(version >> 8), (byte)version, .. new byte[32], 0x00, 0xc0, 0x2f, 0x00, .. Extensions(extensions)];

    private static readonly string KeyShare = "001d 0020" + new string('a', 64);

    [Fact]
    public void SignatureAlgorithmsCertAndDelegatedCredentialListTheirSchemes()
    {
        // ja4's tls12.pcap and Zeek's openjdk-25.0.2-zeek.org.pcap: tshark reads signature_algorithms_cert (50), and
        // a ClientHello's delegated_credential (34, RFC 9345 §4.1.1), as signature_algorithms lists.
        var (set, tlsError) = Dissect(ClientHello(
            Ext(13, "0002 0804"), Ext(50, "0004 0403 0804"), Ext(34, "0006 0403 0503 0203"))).Single();
        Assert.Equal(["2", "4", "6"], Values(set, TlsFields.SigHashAlgLen));
        Assert.Equal(["0x0804", "0x0403", "0x0804", "0x0403", "0x0503", "0x0203"], Values(set, TlsFields.SigHashAlg));
        Assert.False(tlsError);
    }

    [Fact]
    public void NonAsciiBytesOfAnAlpnNameAreReplacementCharacters()
    {
        // ja4's tls-non-ascii-alpn.pcapng: tshark 4.0 reads protocol names as ASCII, each byte above 0x7f a U+FFFD.
        var (set, _) = Dissect(ClientHello(Ext(16, "000c 02 baad 08 687474702f312e31"))).Single();
        Assert.Equal(["\uFFFD\uFFFD", "http/1.1"], Values(set, TlsFields.AlpnStr));
        Assert.Equal(["2", "8"], Values(set, TlsFields.AlpnStrLen));
    }

    [Fact]
    public void EarlyTls13DraftServerHelloHasNoSessionIdNorCompression()
    {
        // Arkime's tls13.pcap (draft 18) and Zeek's tls13draft16-*.pcap: before draft 22 the ServerHello is version,
        // random, cipher suite, extensions; until draft 23 key_share was extension 40, which tshark reads as key_share.
        var client = ClientHello(Ext(40, "0024 " + KeyShare));
        var serverHello = (byte[])[0x7f, 0x12, .. new byte[32], 0x13, 0x01, .. Extensions(Ext(40, KeyShare))];
        var frames = Dissect(client, Record(22, Message(2, serverHello), 0x0301));
        var (clientSet, _) = frames[0];
        Assert.Equal(["36"], Values(clientSet, TlsFields.KeyShareClientLength));
        Assert.Equal(["29"], Values(clientSet, TlsFields.KeyShareGroup));
        Assert.Equal(["32"], Values(clientSet, TlsFields.KeyShareKeyExchangeLength));

        var (set, tlsError) = frames[1];
        Assert.Equal(["0x7f12"], Values(set, TlsFields.Version));
        Assert.Empty(Values(set, TlsFields.SessionIdLength));
        Assert.Equal(["0x1301"], Values(set, TlsFields.CipherSuite));
        Assert.Empty(Values(set, TlsFields.CompMethod));
        Assert.Equal(["40"], Values(set, TlsFields.ExtensionsLength));
        Assert.Equal(["40"], Values(set, TlsFields.ExtensionType));
        Assert.Equal(["29"], Values(set, TlsFields.KeyShareGroup));
        Assert.Equal([new string('a', 64)], Values(set, TlsFields.KeyShareKeyExchange));
        Assert.Equal(["32530,4865,40"], Values(set, TlsFields.Ja3sFull));
        Assert.False(tlsError);
    }

    /// <summary>One SCT: v1, log ID 0xaa…, 2023-11-14 22:13:20.123 UTC, no extensions, ecdsa_secp256r1_sha256 over 4 bytes.</summary>
    private static readonly string Sct = "00" + new string('a', 64) + "0000018bcfe5687b 0000 0403 0004 01020304";

    [Theory]
    [InlineData("TLS 1.2: the signature names its algorithm", (ushort)0x0303, new[] { "0x0403" }, false)]
    // Zeek's signed_certificate_timestamp_tls1_0.pcap: tshark reads digitally-signed with the connection's version,
    // so before TLS 1.2 the algorithm's two bytes are the signature's length (1027, past the end: an error).
    [InlineData("TLS 1.0: no algorithm; its bytes read as a length", (ushort)0x0301, new string[0], true)]
    public void ServerHelloSctsAreReadWithTheConnectionsVersion(string name, ushort version, string[] algorithms, bool error)
    {
        _ = name;
        var server = Record(22, Message(2, ServerHello(version, Ext(18, "0035 0033 " + Sct))));
        var (set, tlsError) = Dissect(ClientHello(Ext(18, "")), server)[1];
        Assert.Equal([new string('a', 64)], Values(set, X509Fields.SctLogId));
        Assert.Equal(["Nov 14, 2023 22:13:20.123000000 UTC"], Values(set, X509Fields.SctTimestamp));
        Assert.Equal(algorithms, Values(set, TlsFields.SigHashAlg));
        Assert.Equal(error, tlsError);
    }

    [Fact]
    public void EachEmbeddedSctGivesItsSignatureAlgorithm()
    {
        // Certificates with embedded SCTs (most of the corpus): tshark shows each SCT's algorithm as
        // tls.handshake.sig_hash_alg, in the certificate's place among the message's fields.
        var der = X509TestData.Der("ec-leaf");
        int n = der.Length;
        byte[] certificates = [(byte)((n + 3) >> 16), (byte)((n + 3) >> 8), (byte)(n + 3), (byte)(n >> 16), (byte)(n >> 8), (byte)n, .. der];
        byte[] server = [.. Record(22, Message(2, ServerHello(0x0303))), .. Record(22, Message(11, certificates))];
        var (set, tlsError) = Dissect(ClientHello(), server)[1];
        Assert.Equal(2, Values(set, X509Fields.SctLogId).Count);
        Assert.Equal(["0x0403", "0x0403"], Values(set, TlsFields.SigHashAlg));
        Assert.False(tlsError);
    }

    [Fact]
    public void Ssl2RecordsShowTheirLengthOnlyWhenClear()
    {
        // Zeek's ssl.v3.pcap and ssl-v2.pcap, to port 443: a ClientHello with a 16-byte challenge (which tshark's TLS
        // dissector takes there), a ServerHello with its certificate, then encrypted records with no length.
        byte[] clientHello = [0x80, 28, 0x01, 0x03, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x39, .. new byte[16]];
        var der = X509TestData.Der("ec-leaf");
        byte[] hello =
        [
            0x04, 0x00, 0x01, 0x00, 0x02, (byte)(der.Length >> 8), (byte)der.Length, 0x00, 0x03, 0x00, 0x10,
            .. der, 0x01, 0x00, 0x80, .. new byte[16],
        ];
        byte[] server = [(byte)(0x80 | hello.Length >> 8), (byte)hello.Length, .. hello, 0x80, 0x05, 0x5a, 1, 2, 3, 4];
        var frames = Dissect(clientHello, server);

        var (client, _) = frames[0];
        Assert.Equal(["0x0002"], Values(client, TlsFields.RecordVersion));
        Assert.Equal(["28"], Values(client, TlsFields.RecordLength));
        Assert.Equal(["1"], Values(client, TlsFields.HandshakeType));
        Assert.Equal(["0x0301"], Values(client, TlsFields.Version));
        Assert.Equal(["0"], Values(client, TlsFields.SessionIdLength));

        var (set, tlsError) = frames[1];
        Assert.Equal(["1", "1"], Values(set, TlsFields.Record));
        Assert.Equal(["0x0002", "0x0002"], Values(set, TlsFields.RecordVersion));
        Assert.Equal([hello.Length.ToString()], Values(set, TlsFields.RecordLength));
        Assert.Equal(["4"], Values(set, TlsFields.HandshakeType));
        Assert.Equal(["0x0002"], Values(set, TlsFields.Version));
        Assert.Equal([der.Length.ToString()], Values(set, TlsFields.CertificateLength));
        Assert.Equal([Convert.ToHexStringLower(der)], Values(set, TlsFields.Certificate));
        Assert.Single(Values(set, X509Fields.SerialNumber));
        Assert.False(tlsError);
    }

    [Fact]
    public void ServerHelloFieldsReadPastEmptyExtensions()
    {
        // Arkime's arkime_synthetic.pcap: a ServerHello whose extensions are all empty. tshark reads the fixed-size
        // fields of ec_point_formats, supported_versions, pre_shared_key and a delegated_credential where they would
        // be, from the next extensions' headers ("Dissector processed too much data").
        var server = Record(22, Message(2, ServerHello(0x0303, Ext(11, ""), Ext(43, ""), Ext(41, ""), Ext(34, ""), Ext(35, ""), Ext(36, ""))));
        var (set, _) = Dissect(ClientHello(), server)[1];
        Assert.Equal(["0"], Values(set, TlsFields.EcPointFormatsLength));   // 00 of 002b
        Assert.Equal(["0x0029"], Values(set, TlsFields.SupportedVersion));  // 0029, pre_shared_key's type
        Assert.Equal(["34"], Values(set, TlsFields.PskSelected));           // 0022, delegated_credential's type
        Assert.Equal(["0x0024"], Values(set, TlsFields.SigHashAlg));        // after valid_time 0023 0000: 0024
    }

    [Theory]
    [InlineData("early data offered: TLS 1.3 until the ServerHello", "002a 0000", new[] { "23" }, new string[0])]
    [InlineData("no early data", "", new string[0], new[] { "23" })]
    public void AClientHelloOfferingEarlyDataMakesTheConnectionTls13(string name, string earlyData, string[] opaque, string[] contentType)
    {
        _ = name;
        // Zeek's tls-13draft19-early-data.pcap: tshark reads the records after a ClientHello with early_data as TLS
        // 1.3's (opaque_type), the server's too, until a ServerHello sets the version.
        byte[] client = earlyData.Length > 0 ? Record(22, Message(1, [.. HelloStart(), 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x04, .. Hex.Parse(earlyData)]))
            : ClientHello();
        var (set, _) = Dissect(client, Record(23, [1, 2, 3, 4, 5]))[1];
        Assert.Equal(opaque, Values(set, TlsFields.OpaqueType));
        Assert.Equal(contentType, Values(set, TlsFields.ContentType));
    }

    [Theory]
    // ja4's tls3.pcapng: a capture that starts mid-connection with a one-byte segment to port 443. tshark's TLS
    // dissector takes any payload on a TLS port: under 5 bytes it waits for more, otherwise "Continuation Data".
    [InlineData("a byte", "00", true)]
    [InlineData("five bytes that are no record", "0000000000", true)]
    [InlineData("clear text goes back to TCP", "474554202f20485454502f312e310d0a", false)]
    public void OnATlsPortAnyFirstPayloadButTextIsTls(string name, string hex, bool tls)
    {
        _ = name;
        var (set, _) = Dissect(Hex.Parse(hex)).Single();
        Assert.Equal(tls ? ["tls"] : [], Values(set, TlsFields.Tls));
        Assert.Empty(Values(set, TlsFields.Record));
    }
}
