using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tls.Registry;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// The generated registries (src/HttpsFlow/Tls/Registry, made by data/generate.py from data/iana and data/tshark):
/// cipher suite decomposition, names as tshark 4.0.17 prints them, GREASE, unknown values, and that the committed
/// tables are what the generator makes from the committed data.
/// </summary>
public class RegistryTests
{
    // ---- cipher suite decomposition -------------------------------------------------------------------------------

    [Theory]
    //          value   IANA name                                       kx           auth     cipher               mode        bits hash      AEAD   FS     TLS1.3
    [InlineData(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE", "RSA", "AES_128_GCM", "GCM", 128, "SHA256", true, true, false)]
    [InlineData(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE", "RSA", "AES_256_GCM", "GCM", 256, "SHA384", true, true, false)]
    [InlineData(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE", "ECDSA", "AES_128_GCM", "GCM", 128, "SHA256", true, true, false)]
    [InlineData(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE", "RSA", "CHACHA20_POLY1305", "POLY1305", 256, "SHA256", true, true, false)]
    [InlineData(0x1301, "TLS_AES_128_GCM_SHA256", "any", "any", "AES_128_GCM", "GCM", 128, "SHA256", true, true, true)]
    [InlineData(0x1302, "TLS_AES_256_GCM_SHA384", "any", "any", "AES_256_GCM", "GCM", 256, "SHA384", true, true, true)]
    [InlineData(0x1303, "TLS_CHACHA20_POLY1305_SHA256", "any", "any", "CHACHA20_POLY1305", "POLY1305", 256, "SHA256", true, true, true)]
    [InlineData(0x1305, "TLS_AES_128_CCM_8_SHA256", "any", "any", "AES_128_CCM_8", "CCM_8", 128, "SHA256", true, true, true)]
    [InlineData(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "RSA", "RSA", "3DES_EDE_CBC", "CBC", 168, "SHA", false, false, false)]
    [InlineData(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "RSA", "AES_128_CBC", "CBC", 128, "SHA", false, false, false)]
    [InlineData(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "RSA", "AES_128_GCM", "GCM", 128, "SHA256", true, false, false)]
    [InlineData(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE", "RSA", "AES_128_CBC", "CBC", 128, "SHA", false, true, false)]
    [InlineData(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE", "RSA", "AES_256_CBC", "CBC", 256, "SHA256", false, true, false)]
    [InlineData(0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RSA", "RSA", "RC4_128", "stream", 128, "MD5", false, false, false)]
    [InlineData(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "RSA", "RSA", "DES_CBC", "CBC", 56, "SHA", false, false, false)]
    [InlineData(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "DH", "anon", "AES_128_CBC", "CBC", 128, "SHA", false, false, false)]
    [InlineData(0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", "DH", "RSA", "AES_128_CBC", "CBC", 128, "SHA", false, false, false)]
    [InlineData(0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "ECDH", "ECDSA", "AES_128_CBC", "CBC", 128, "SHA", false, false, false)]
    [InlineData(0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", "PSK", "PSK", "AES_128_GCM", "GCM", 128, "SHA256", true, false, false)]
    [InlineData(0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", "ECDHE_PSK", "PSK", "AES_128_GCM", "GCM", 128, "SHA256", true, true, false)]
    [InlineData(0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", "DHE_PSK", "PSK", "AES_128_GCM", "GCM", 128, "SHA256", true, true, false)]
    [InlineData(0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8", "DHE_PSK", "PSK", "AES_128_CCM_8", "CCM_8", 128, "SHA256", true, true, false)]
    [InlineData(0x00AC, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256", "RSA_PSK", "RSA+PSK", "AES_128_GCM", "GCM", 128, "SHA256", true, false, false)]
    [InlineData(0xC09C, "TLS_RSA_WITH_AES_128_CCM", "RSA", "RSA", "AES_128_CCM", "CCM", 128, "SHA256", true, false, false)]
    [InlineData(0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "ECDHE", "ECDSA", "AES_128_CCM", "CCM", 128, "SHA256", true, true, false)]
    [InlineData(0xC01B, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA", "SRP_SHA", "RSA", "3DES_EDE_CBC", "CBC", 168, "SHA", false, true, false)]
    [InlineData(0x001F, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA", "KRB5", "KRB5", "3DES_EDE_CBC", "CBC", 168, "SHA", false, false, false)]
    [InlineData(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "RSA", "RSA", "CAMELLIA_128_CBC", "CBC", 128, "SHA", false, false, false)]
    [InlineData(0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", "ECDHE", "ECDSA", "ARIA_128_GCM", "GCM", 128, "SHA256", true, true, false)]
    [InlineData(0x00C6, "TLS_SM4_GCM_SM3", "any", "any", "SM4_GCM", "GCM", 128, "SM3", true, true, true)]
    [InlineData(0xC0B4, "TLS_SHA256_SHA256", "any", "any", "NULL", "none", 0, "SHA256", true, true, true)]
    [InlineData(0xC103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L", "any", "any", "KUZNYECHIK_MGM_L", "MGM", 256, "GOSTR341112_256", true, true, true)]
    [InlineData(0xC100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC", "GOSTR341112_256", "GOSTR341112_256", "KUZNYECHIK_CTR", "CTR", 256, "OMAC", false, false, false)]
    [InlineData(0x0002, "TLS_RSA_WITH_NULL_SHA", "RSA", "RSA", "NULL", "none", 0, "SHA", false, false, false)]
    public void CipherSuiteDecomposes(int value, string name, string kx, string auth, string cipher, string mode, int bits,
        string hash, bool aead, bool forwardSecret, bool tls13)
    {
        var s = CipherSuites.Get((ushort)value);
        Assert.NotNull(s);
        Assert.Equal(name, s.IanaName);
        Assert.Equal(kx, s.KeyExchange);
        Assert.Equal(auth, s.Authentication);
        Assert.Equal(cipher, s.Cipher);
        Assert.Equal(mode, s.Mode);
        Assert.Equal(bits, s.KeyBits);
        Assert.Equal(hash, s.Hash);
        Assert.Equal(aead, s.IsAead);
        Assert.Equal(forwardSecret, s.IsForwardSecret);
        Assert.Equal(tls13, s.IsTls13);
        Assert.False(s.IsSignaling);
    }

    [Fact]
    public void SuiteFlagsFollowIana()
    {
        var ecdhe = CipherSuites.Get(CipherSuites.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)!;
        Assert.True(ecdhe.IsRecommended);
        Assert.Equal("Y", ecdhe.Recommended);
        Assert.Equal("[RFC5289]", ecdhe.Reference);
        Assert.True(ecdhe.Encrypts);
        Assert.False(ecdhe.IsExport);

        var tdes = CipherSuites.Get(CipherSuites.TLS_RSA_WITH_3DES_EDE_CBC_SHA)!;
        Assert.False(tdes.IsRecommended);
        Assert.Equal("N", tdes.Recommended);

        Assert.Equal("D", CipherSuites.Get(CipherSuites.TLS_ECDHE_RSA_WITH_RC4_128_SHA)!.Recommended); // RFC 9847
        Assert.True(CipherSuites.Get(CipherSuites.TLS_RSA_EXPORT_WITH_RC4_40_MD5)!.IsExport);
        Assert.Equal(40, CipherSuites.Get(CipherSuites.TLS_RSA_EXPORT_WITH_RC4_40_MD5)!.KeyBits);
        Assert.False(CipherSuites.Get(CipherSuites.TLS_RSA_WITH_NULL_SHA)!.Encrypts);
        Assert.False(CipherSuites.Get(CipherSuites.TLS_SHA256_SHA256)!.Encrypts);
        Assert.True(CipherSuites.Get(CipherSuites.TLS_AES_128_GCM_SHA256)!.IsRecommended);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)", ecdhe.ToString());
    }

    [Theory]
    [InlineData(0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV")]
    [InlineData(0x5600, "TLS_FALLBACK_SCSV")]
    public void SignalingValuesHaveNoParts(int value, string name)
    {
        var s = CipherSuites.Get((ushort)value)!;
        Assert.Equal(name, s.IanaName);
        Assert.True(s.IsSignaling);
        Assert.Equal("", s.KeyExchange);
        Assert.Equal("", s.Cipher);
        Assert.Equal(0, s.KeyBits);
        Assert.False(s.IsForwardSecret);
    }

    [Fact]
    public void EverySuiteDecomposesConsistently()
    {
        Assert.True(CipherSuites.All.Count > 330, $"only {CipherSuites.All.Count} suites");
        ushort previous = 0;
        foreach (var s in CipherSuites.All)
        {
            Assert.True(s.Value >= previous);
            previous = s.Value;
            Assert.Same(s, CipherSuites.Get(s.Value));
            Assert.StartsWith("TLS_", s.IanaName);
            if (s.IsSignaling) continue;
            Assert.NotEqual("", s.KeyExchange);
            Assert.NotEqual("", s.Authentication);
            Assert.NotEqual("", s.Cipher);
            Assert.NotEqual("", s.Mode);
            Assert.NotEqual("", s.Hash);
            Assert.Equal(s.Encrypts, s.KeyBits > 0);
            Assert.Equal(s.IsTls13, s.KeyExchange == "any");
            Assert.Contains(s.Recommended, new[] { "Y", "N", "D" });
            if (s.IsTls13) Assert.True(s.IsAead, s.IanaName);
            if (s.IsRecommended) Assert.True(s.IsAead && s.IsForwardSecret, s.IanaName);
            if (s.Encrypts) Assert.Contains(s.KeyBits.ToString(), new[] { "40", "56", "128", "168", "256" });
        }
    }

    // ---- suites of the bundled samples ----------------------------------------------------------------------------

    /// <summary>Every suite offered or chosen in samples/*.pcap* (collected with `tshark -T fields -e tls.handshake.ciphersuite`).</summary>
    public static TheoryData<int> SampleSuites() =>
    [
        0x002F, 0x0033, 0x0035, 0x0039, 0x003C, 0x003D, 0x0067, 0x006B, 0x009C, 0x009D, 0x009E, 0x009F, 0x00FF,
        0x1301, 0x1302, 0x1303, 0xC009, 0xC00A, 0xC013, 0xC014, 0xC023, 0xC024, 0xC027, 0xC028, 0xC02B, 0xC02C,
        0xC02F, 0xC030, 0xCCA8, 0xCCA9, 0xCCAA,
    ];

    [Theory]
    [MemberData(nameof(SampleSuites))]
    public void SampleSuiteResolvesWithTsharkName(int value)
    {
        var s = CipherSuites.Get((ushort)value);
        Assert.NotNull(s);
        Assert.Equal(s.IanaName, s.TsharkName); // tshark 4.0.17 uses IANA's suite names
        Assert.Equal($"{s.IanaName} (0x{value:x4})", CipherSuites.Describe((ushort)value));
        Assert.Equal(s.IanaName, CipherSuites.Name((ushort)value));
        if (!s.IsSignaling)
        {
            Assert.True(s.KeyBits is 128 or 256);
            Assert.Contains(s.Hash, new[] { "SHA", "SHA256", "SHA384" });
        }
    }

    // ---- names as tshark prints them ------------------------------------------------------------------------------

    [Fact]
    public void NamesMatchTsharkVocabulary()
    {
        Assert.Equal("x25519", NamedGroups.Name(NamedGroups.X25519));
        Assert.Equal("secp256r1", NamedGroups.Name(NamedGroups.Secp256r1));
        Assert.Equal("x25519 (0x001d)", NamedGroups.Describe(0x001D));
        Assert.Equal("x25519 (29)", NamedGroups.DescribeDecimal(0x001D));
        Assert.Equal("rsa_pss_rsae_sha256", SignatureSchemes.Name(SignatureSchemes.RsaPssRsaeSha256));
        Assert.Equal("rsa_pss_rsae_sha256 (0x0804)", SignatureSchemes.Describe(0x0804));
        Assert.Equal("server_name", ExtensionTypes.Name(ExtensionTypes.ServerName));
        Assert.Equal("application_layer_protocol_negotiation (16)", ExtensionTypes.Describe(16));
        Assert.Equal("Handshake Failure (40)", AlertDescriptions.Describe(AlertDescriptions.HandshakeFailure));
        Assert.Equal("handshake_failure", AlertDescriptions.IanaName(40));
        Assert.Equal("Handshake Failure", AlertDescriptions.TsharkName(40));
        Assert.Equal("Fatal (2)", AlertLevels.Describe(AlertLevels.Fatal));
        Assert.Equal("Client Hello (1)", HandshakeTypes.Describe(HandshakeTypes.ClientHello));
        Assert.Equal("client_hello", HandshakeTypes.IanaName(1));
        Assert.Equal("Change Cipher Spec (20)", ContentTypes.Describe(ContentTypes.ChangeCipherSpec));
        Assert.Equal("ansiX962_compressed_prime (1)", EcPointFormats.Describe(1));
        Assert.Equal("PSK with (EC)DHE key establishment (psk_dhe_ke) (1)", PskKeyExchangeModes.Describe(PskKeyExchangeModes.PskDheKe));
        Assert.Equal("psk_dhe_ke", PskKeyExchangeModes.IanaName(1));
        Assert.Equal("zlib (1)", CertificateCompressionAlgorithms.Describe(CertificateCompressionAlgorithms.Zlib));
        Assert.Equal("TLS 1.3 (0x0304)", TlsVersions.Describe(TlsVersions.TLS13));
        Assert.Equal("TLS 1.2", TlsVersions.Name(0x0303));
        Assert.Equal("HTTP/2 over TLS", AlpnProtocols.Name("h2"u8));
        Assert.Equal("HTTP/1.1", AlpnProtocols.Name("http/1.1"u8));
    }

    [Fact]
    public void WhereIanaAndTsharkDifferBothAreKept()
    {
        Assert.Equal("delegated_credential", ExtensionTypes.IanaName(34));
        Assert.Equal("delegated_credentials", ExtensionTypes.TsharkName(34));
        Assert.Equal("delegated_credentials (34)", ExtensionTypes.Describe(34));
        Assert.Equal("certificate_url", HandshakeTypes.IanaName(21));
        Assert.Equal("Client Certificate URL", HandshakeTypes.TsharkName(21));
        Assert.Equal("tls12_cid", ContentTypes.IanaName(25));
        Assert.Equal("Connection ID (25)", ContentTypes.Describe(25));
        // tshark 4.0.17 still names 0x0200 after an old experimental group; IANA has since assigned it to ML-KEM.
        Assert.Equal("MLKEM512", NamedGroups.IanaName(0x0200));
        Assert.Equal("frodo640aes", NamedGroups.TsharkName(0x0200));
        // Registered after tshark 4.0.17: IANA names them, tshark prints Unknown.
        Assert.Equal("X25519MLKEM768", NamedGroups.IanaName(NamedGroups.X25519MLKEM768));
        Assert.Null(NamedGroups.TsharkName(0x11EC));
        Assert.Equal("X25519MLKEM768", NamedGroups.Name(0x11EC));
        Assert.Equal("encrypted_client_hello", ExtensionTypes.Name(0xFE0D));
        Assert.Equal("message_hash", HandshakeTypes.Name(254));
        Assert.Equal("ACK", ContentTypes.Name(26));
        // Known to tshark only (not IANA): it names them, IANA does not.
        Assert.Null(ExtensionTypes.IanaName(17513));
        Assert.Equal("application_settings (17513)", ExtensionTypes.Describe(17513));
    }

    /// <summary>
    /// tshark 4.0.17's text for values the samples do not contain, read from its -V output on a hand-made ClientHello
    /// with GREASE and unassigned values (cipher suites, groups, signature algorithms, versions, extensions, alerts).
    /// </summary>
    [Fact]
    public void GreaseAndUnknownValuesPrintAsTsharkDoes()
    {
        Assert.Equal("Reserved (GREASE) (0x0a0a)", CipherSuites.Describe(0x0A0A));
        Assert.Equal("Unknown (0x1a2b)", CipherSuites.Describe(0x1A2B));
        Assert.Equal("Unknown (0x1306)", CipherSuites.Describe(0x1306)); // TLS_AEGIS_256_SHA512, registered later
        Assert.Equal("TLS_SM4_GCM_SM3 (0x00c6)", CipherSuites.Describe(0x00C6));
        Assert.Equal("Reserved (GREASE) (0x0a0a)", NamedGroups.Describe(0x0A0A));
        Assert.Equal("Unknown (0x11ec)", NamedGroups.Describe(0x11EC));
        Assert.Equal("Unknown (0x001f)", NamedGroups.Describe(0x001F));
        Assert.Equal("Reserved (GREASE) (2570)", NamedGroups.DescribeDecimal(0x0A0A));
        Assert.Equal("Unknown (4588)", NamedGroups.DescribeDecimal(0x11EC));
        Assert.Equal("Unknown Unknown (0x0a0a)", SignatureSchemes.Describe(0x0A0A));
        Assert.Equal("SHA256 Unknown (0x0420)", SignatureSchemes.Describe(0x0420));
        Assert.Equal("Unknown SM2 (0x0904)", SignatureSchemes.Describe(0x0904));
        Assert.Equal("Unknown Anonymous (0xfe00)", SignatureSchemes.Describe(0xFE00));
        Assert.Equal("Reserved (GREASE) (0x0a0a)", TlsVersions.Describe(0x0A0A));
        Assert.Equal("Unknown (0x1a2b)", TlsVersions.Describe(0x1A2B));
        Assert.Equal("Reserved (GREASE) (2570)", ExtensionTypes.Describe(0x0A0A));
        Assert.Equal("Unknown (6699)", ExtensionTypes.Describe(6699));
        Assert.Equal("Unknown (60)", ExtensionTypes.Describe(60));
        Assert.Equal("Reserved (key_share) (40)", ExtensionTypes.Describe(40));
        Assert.Equal("connection_id (deprecated) (53)", ExtensionTypes.Describe(53));
        Assert.Equal("Unknown (11)", PskKeyExchangeModes.Describe(0x0B));
        Assert.Equal("Unknown (6699)", CertificateCompressionAlgorithms.Describe(6699));
        Assert.Equal("Unknown (9)", EcPointFormats.Describe(9));
        Assert.Equal("Unknown (52)", AlertDescriptions.Describe(52));
        Assert.Equal("ECH Required (121)", AlertDescriptions.Describe(121));
        Assert.Equal("Unknown (200)", AlertDescriptions.Describe(200));
        Assert.Equal("Unknown (3)", AlertLevels.Describe(3));
    }

    // ---- GREASE -----------------------------------------------------------------------------------------------------

    public static TheoryData<int> GreaseValues()
    {
        var data = new TheoryData<int>();
        for (int b = 0x0A; b <= 0xFA; b += 0x10) data.Add(b << 8 | b);
        return data;
    }

    [Theory]
    [MemberData(nameof(GreaseValues))]
    public void GreaseRecognisedEverywhere(int value)
    {
        ushort v = (ushort)value;
        Assert.True(Grease.IsGrease(v));
        Assert.True(CipherSuites.IsGrease(v));
        Assert.True(NamedGroups.IsGrease(v));
        Assert.True(ExtensionTypes.IsGrease(v));
        Assert.True(SignatureSchemes.IsGrease(v));
        Assert.True(TlsVersions.IsGrease(v));
        Assert.Null(CipherSuites.Get(v));
        Assert.Null(CipherSuites.IanaName(v));
        Assert.Equal(Grease.Name, CipherSuites.Name(v));
        Assert.Equal(Grease.Name, NamedGroups.Name(v));
        Assert.Equal(Grease.Name, ExtensionTypes.Name(v));
        Assert.Equal(Grease.Name, SignatureSchemes.Name(v)); // tshark does not name these; IANA reserves them
        Assert.Equal(Grease.Name, TlsVersions.Name(v));
        Assert.Null(SignatureSchemes.TsharkName(v));
        Assert.True(AlpnProtocols.IsGrease([(byte)(value >> 8), (byte)value]));
        Assert.Equal(Grease.Name, AlpnProtocols.Name([(byte)(value >> 8), (byte)value]));
    }

    [Theory]
    [InlineData(0x0A1A)]
    [InlineData(0x0B0B)]
    [InlineData(0x1A0A)]
    [InlineData(0x0000)]
    [InlineData(0xFFFF)]
    [InlineData(0xC02F)]
    public void NotGrease(int value)
    {
        Assert.False(Grease.IsGrease((ushort)value));
        Assert.False(AlpnProtocols.IsGrease([(byte)(value >> 8), (byte)value, 0]));
    }

    [Fact]
    public void GreasePskModesAndAlpn()
    {
        byte[] grease = [0x0B, 0x2A, 0x49, 0x68, 0x87, 0xA6, 0xC5, 0xE4];
        for (int v = 0; v <= 0xFF; v++)
            Assert.Equal(grease.Contains((byte)v), Grease.IsGreasePskKeyExchangeMode((byte)v));
        Assert.False(AlpnProtocols.IsGrease("h2"u8));
        Assert.False(AlpnProtocols.IsGrease([0x0A]));
    }

    // ---- unknown values ---------------------------------------------------------------------------------------------

    [Fact]
    public void UnknownValuesGiveNullAndUnknownText()
    {
        Assert.Null(CipherSuites.Get(0x1A2B));
        Assert.Null(CipherSuites.Name(0x1A2B));
        Assert.Null(CipherSuites.IanaName(0x1A2B));
        Assert.Null(CipherSuites.TsharkName(0x1A2B));
        Assert.False(CipherSuites.IsGrease(0x1A2B));
        Assert.Null(NamedGroups.Name(0x1A2B));
        Assert.Null(SignatureSchemes.Name(0x1A2B));
        Assert.Equal("Unknown Unknown (0x1a2b)", SignatureSchemes.Describe(0x1A2B));
        Assert.Null(ExtensionTypes.Name(0x1A2B));
        Assert.Null(AlertDescriptions.Name(200));
        Assert.Null(HandshakeTypes.Name(99));
        Assert.Equal("Unknown (99)", HandshakeTypes.Describe(99));
        Assert.Null(ContentTypes.Name(99));
        Assert.Null(AlpnProtocols.Name("foo"u8));
        Assert.Equal("Unknown (0x1a2b)", RegistryText.Describe(null, 0x1A2B, NumberBase.Hex));
        Assert.Equal("Unknown (6699)", RegistryText.Describe(null, 0x1A2B, NumberBase.Decimal));
    }

    [Fact]
    public void EntriesAreOrderedAndComplete()
    {
        var lists = new[]
        {
            NamedGroups.Entries, SignatureSchemes.Entries, ExtensionTypes.Entries, AlertDescriptions.Entries,
            AlertLevels.Entries, HandshakeTypes.Entries, ContentTypes.Entries, EcPointFormats.Entries,
            PskKeyExchangeModes.Entries, CertificateCompressionAlgorithms.Entries, TlsVersions.Entries,
        };
        foreach (var list in lists)
        {
            Assert.NotEmpty(list);
            for (int i = 1; i < list.Count; i++) Assert.True(list[i - 1].Value < list[i].Value);
            Assert.All(list, e => Assert.True(e.IanaName is not null || e.TsharkName is not null));
        }
        Assert.Contains(NamedGroups.Entries, e => e.Value == 23 && e.Recommended == "Y" && e.Reference == "[RFC8422]");
        Assert.Equal(36, AlpnProtocols.Entries.Count);
    }

    // ---- tshark, run live on the samples ----------------------------------------------------------------------------

    public static TheoryData<string> TlsCaptures()
    {
        var data = new TheoryData<string> { "samples/test-site-tls12.pcapng", "samples/tls13.pcapng", "samples/ipv6.pcap" };
        if (Repo.Corpus is { } corpus)
        {
            foreach (var dir in new[] { "ja4/pcap", "illustrated-tls12", "illustrated-tls13" })
            {
                var full = Path.Combine(corpus, dir);
                if (!Directory.Exists(full)) continue;
                foreach (var f in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                             .Where(f => f.EndsWith(".pcap") || f.EndsWith(".pcapng")).Order())
                    data.Add("corpus/" + Path.GetRelativePath(corpus, f).Replace('\\', '/'));
            }
        }
        return data;
    }

    /// <summary>
    /// Every registry-named line of `tshark -n -V` (cipher suites, groups, signature algorithms, extension types,
    /// versions, handshake and content types, alerts, EC point formats, PSK modes) equals the generated Describe().
    /// Runs where tshark is installed; the corpus captures where ../shared/corpus exists.
    /// </summary>
    [Theory]
    [MemberData(nameof(TlsCaptures))]
    public void DetailLinesMatchTshark(string capture)
    {
        string path = capture.StartsWith("corpus/")
            ? Path.Combine(Repo.Corpus!, capture["corpus/".Length..])
            : Path.Combine(Repo.Root, capture);
        string? text = Repo.Tshark("-n", "-V", "-r", path);
        if (text is null) return; // tshark not installed
        int compared = 0;
        var mismatches = new List<string>();
        string previous = "";
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.Trim();
            string? ours = Expected(line, previous);
            previous = line;
            if (ours is null) continue;
            compared++;
            string label = line[..(line.IndexOf(": ", StringComparison.Ordinal) + 2)];
            if (label + ours != line) mismatches.Add($"tshark: {line}\nours:   {label + ours}");
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {compared} lines differ:\n" + string.Join('\n', mismatches.Distinct().Take(20)));
        if (capture.StartsWith("samples/")) Assert.True(compared > 50, $"only {compared} lines compared");
    }

    private static readonly Regex Hex16 = new(@"^(Cipher Suite|Supported Group|Signature Algorithm|Supported Version|Version): .* \(0x([0-9a-f]{4})\)$");
    private static readonly Regex Dec = new(@"^(Type|Group|Selected Group|Handshake Type|Content Type|Opaque Type|Level|Description|EC point format|PSK Key Exchange Mode|Signature Hash Algorithm Hash|Signature Hash Algorithm Signature): .* \((\d+)\)$");

    /// <summary>Our text for a tshark detail line that shows a registry value, or null for any other line.</summary>
    private static string? Expected(string line, string previous)
    {
        if (Hex16.Match(line) is { Success: true } h)
        {
            ushort v = Convert.ToUInt16(h.Groups[2].Value, 16);
            return h.Groups[1].Value switch
            {
                "Cipher Suite" => CipherSuites.Describe(v),
                "Supported Group" => NamedGroups.Describe(v),
                "Signature Algorithm" => SignatureSchemes.Describe(v),
                _ => TlsVersions.Describe(v), // Supported Version, and record/hello Version
            };
        }
        if (Dec.Match(line) is not { Success: true } d) return null;
        int n = int.Parse(d.Groups[2].Value);
        return d.Groups[1].Value switch
        {
            // "Type: server_name (0)" right under "Extension: server_name (len=…)"; other "Type:" lines are not TLS.
            "Type" => previous.StartsWith("Extension: ", StringComparison.Ordinal) ? ExtensionTypes.Describe((ushort)n) : null,
            "Group" or "Selected Group" => NamedGroups.DescribeDecimal((ushort)n),
            "Handshake Type" => HandshakeTypes.Describe((byte)n),
            "Content Type" or "Opaque Type" => ContentTypes.Describe((byte)n),
            "Level" => AlertLevels.Describe((byte)n),
            "Description" => AlertDescriptions.Describe((byte)n),
            "EC point format" => EcPointFormats.Describe((byte)n),
            "PSK Key Exchange Mode" => PskKeyExchangeModes.Describe((byte)n),
            "Signature Hash Algorithm Hash" => RegistryText.Describe(SignatureSchemes.TsharkHashName((byte)n), (ushort)n, NumberBase.Decimal),
            "Signature Hash Algorithm Signature" => RegistryText.Describe(SignatureSchemes.TsharkSignatureName((byte)n), (ushort)n, NumberBase.Decimal),
            _ => null,
        };
    }

    // ---- the generator and its data ---------------------------------------------------------------------------------

    /// <summary>Each generated class names the data it came from and that data's SHA-256; the committed data must still
    /// have that hash (a CSV edited without running data/generate.py fails here).</summary>
    [Fact]
    public void GeneratedClassesNameTheHashOfTheirData()
    {
        var classes = typeof(CipherSuites).Assembly.GetTypes()
            .Where(t => t.Namespace == "HttpsFlow.Tls.Registry" && (t.GetField("IanaSource") is not null || t.GetField("TsharkSource") is not null))
            .ToList();
        Assert.True(classes.Count >= 12, $"{classes.Count} generated classes");
        foreach (var t in classes)
        {
            foreach (var (file, hash) in new[] { ("IanaSource", "IanaSourceSha256"), ("TsharkSource", "TsharkSourceSha256") })
            {
                if (t.GetField(file, BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is not string rel) continue;
                string expected = (string)t.GetField(hash)!.GetValue(null)!;
                string actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Repo.Root, rel))));
                Assert.True(expected == actual, $"{t.Name}: {rel} has changed since generation; run python3 data/generate.py");
            }
        }
    }

    /// <summary>Every file header line "//   data/… sha256 H" matches the file (covers the secondary tshark tables).</summary>
    [Fact]
    public void GeneratedHeadersMatchTheData()
    {
        var dir = Path.Combine(Repo.Root, "src", "HttpsFlow", "Tls", "Registry");
        var files = Directory.GetFiles(dir, "*.g.cs");
        Assert.True(files.Length >= 13);
        var line = new Regex(@"^//   (data/\S+)  sha256 ([0-9a-f]{64})$", RegexOptions.Multiline);
        foreach (var f in files)
        {
            var matches = line.Matches(File.ReadAllText(f));
            Assert.True(matches.Count > 0, $"{Path.GetFileName(f)} names no source");
            foreach (Match m in matches)
            {
                string actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Repo.Root, m.Groups[1].Value))));
                Assert.True(m.Groups[2].Value == actual, $"{Path.GetFileName(f)}: {m.Groups[1].Value} changed since generation");
            }
        }
    }

    /// <summary>The generator run twice writes the same bytes, and those are the committed files.</summary>
    [Fact]
    public void GeneratorIsDeterministicAndCommittedOutputIsCurrent()
    {
        var a = Directory.CreateTempSubdirectory("httpsflow-registry-a");
        var b = Directory.CreateTempSubdirectory("httpsflow-registry-b");
        try
        {
            if (!RunGenerator("--out", a.FullName) || !RunGenerator("--out", b.FullName)) return; // no python3 here
            var committed = Path.Combine(Repo.Root, "src", "HttpsFlow", "Tls", "Registry");
            var names = Directory.GetFiles(a.FullName).Select(Path.GetFileName).Order().ToList();
            Assert.Equal(names, Directory.GetFiles(b.FullName).Select(Path.GetFileName).Order().ToList());
            Assert.Equal(names, Directory.GetFiles(committed, "*.g.cs").Select(Path.GetFileName).Order().ToList());
            foreach (var n in names)
            {
                var first = File.ReadAllBytes(Path.Combine(a.FullName, n!));
                Assert.Equal(first, File.ReadAllBytes(Path.Combine(b.FullName, n!)));
                Assert.True(first.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(committed, n!))),
                    $"{n} differs from what data/generate.py writes; run python3 data/generate.py");
            }
        }
        finally
        {
            a.Delete(true);
            b.Delete(true);
        }
    }

    private static bool RunGenerator(params string[] args)
    {
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(Repo.Root, "data", "generate.py"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, "data/generate.py failed: " + err.Result);
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
