using System.Text;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tls.Handshake;

namespace HttpsFlow.Tests.Tls;

/// <summary>JA4 on hand-built ClientHello bodies: the worked example of FoxIO's JA4.md and each rule's corner cases.</summary>
public class Ja4Tests
{
    private const ushort Grease1 = 0x2A2A, Grease2 = 0x9A9A;

    // ---- building ClientHello bodies -----------------------------------------------------------------------------

    private static byte[] U16(ushort v) => [(byte)(v >> 8), (byte)v];

    private static byte[] U16List(IEnumerable<ushort> values) => values.SelectMany(U16).ToArray();

    private static byte[] Vector16(byte[] inner) => [.. U16((ushort)inner.Length), .. inner];

    private static (ushort, byte[]) Ext(ushort type, byte[]? data = null) => (type, data ?? []);

    private static (ushort, byte[]) Sni(string host)
    {
        byte[] name = Encoding.ASCII.GetBytes(host);
        return Ext(0x0000, Vector16([0, .. Vector16(name)]));
    }

    private static (ushort, byte[]) Alpn(params byte[][] names) =>
        Ext(0x0010, Vector16(names.SelectMany(n => (byte[])[(byte)n.Length, .. n]).ToArray()));

    private static (ushort, byte[]) Alpn(params string[] names) => Alpn(names.Select(Encoding.ASCII.GetBytes).ToArray());

    private static (ushort, byte[]) SigAlgs(params ushort[] algs) => Ext(0x000D, Vector16(U16List(algs)));

    private static (ushort, byte[]) Versions(params ushort[] versions)
    {
        var list = U16List(versions);
        return Ext(0x002B, [(byte)list.Length, .. list]);
    }

    /// <summary>A ClientHello body; extensions null for none at all (no extensions block).</summary>
    private static byte[] Hello(ushort legacy, IEnumerable<ushort> suites, (ushort Type, byte[] Data)[]? extensions, byte[]? cookie = null)
    {
        var b = new List<byte>();
        b.AddRange(U16(legacy));
        b.AddRange(new byte[32]);
        b.Add(0); // session ID
        if (cookie is not null)
        {
            b.Add((byte)cookie.Length);
            b.AddRange(cookie);
        }
        b.AddRange(Vector16(U16List(suites)));
        b.AddRange([1, 0]); // compression: null
        if (extensions is not null)
            b.AddRange(Vector16(extensions.SelectMany(e => (byte[])[.. U16(e.Type), .. Vector16(e.Data)]).ToArray()));
        return b.ToArray();
    }

    // The example of JA4.md: Chrome's ClientHello, with GREASE added where Chrome puts it.
    private static readonly ushort[] ExampleSuites =
        [Grease1, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];

    private static readonly ushort[] ExampleSigAlgs = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];

    private static (ushort, byte[])[] ExampleExtensions(ushort[]? sigAlgs = null) =>
    [
        Ext(Grease2), Ext(0x001b), Sni("example.com"), Ext(0x0033), Alpn("h2", "http/1.1"), Ext(0x4469), Ext(0x0017),
        Ext(0x002d), SigAlgs(sigAlgs ?? ExampleSigAlgs), Ext(0x0005), Ext(0x0023), Ext(0x0012),
        Versions(Grease1, 0x0304, 0x0303), Ext(0xff01), Ext(0x000b), Ext(0x000a), Ext(0x0015), Ext(Grease1, [0]),
    ];

    private static byte[] Example => Hello(0x0303, ExampleSuites, ExampleExtensions());

    // ---- the worked example ----------------------------------------------------------------------------------------

    [Fact]
    public void TheSpecificationsExampleGivesItsFourForms()
    {
        var all = Ja4.ComputeAll(Example, Ja4Transport.Tcp);

        Assert.NotNull(all);
        Assert.Equal("t13d1516h2_8daaf6152771_e5627efa2ab1", all.Ja4);
        Assert.Equal("t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_" +
            "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601", all.Ja4R);
        Assert.Equal("t13d1516h2_acb858a92679_18f69afefd3d", all.Ja4O);
        Assert.Equal("t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_" +
            "001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601", all.Ja4RO);
        Assert.Equal(all.Ja4, Ja4.Compute(Example, Ja4Transport.Tcp));
        Assert.Equal(all.Ja4R, Ja4.Compute(Example, Ja4Transport.Tcp, Ja4Form.Raw));
        Assert.Equal(all.Ja4, Ja4.Compute(ClientHello.Parse(Example), Ja4Transport.Tcp));
    }

    [Fact]
    public void NoSignatureAlgorithmsHashesTheExtensionsAloneWithoutAnUnderscore()
    {
        var body = Hello(0x0303, ExampleSuites, ExampleExtensions(sigAlgs: []));

        Assert.Equal("t13d1516h2_8daaf6152771_6d807ffa2a79", Ja4.Compute(body, Ja4Transport.Tcp));
        Assert.EndsWith("_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01", Ja4.Compute(body, Ja4Transport.Tcp, Ja4Form.Raw));
    }

    [Theory]
    [InlineData(Ja4Transport.Tcp, "t")]
    [InlineData(Ja4Transport.Quic, "q")]
    public void TheFirstCharacterIsTheTransport(Ja4Transport transport, string first) =>
        Assert.Equal(first + "13d1516h2_8daaf6152771_e5627efa2ab1", Ja4.Compute(Example, transport));

    // ---- a: version, SNI, counts, ALPN -------------------------------------------------------------------------------

    [Theory]
    [InlineData(0x0303, null, "12")]
    [InlineData(0x0302, null, "11")]
    [InlineData(0x0301, null, "10")]
    [InlineData(0x0300, null, "s3")]
    [InlineData(0x0002, null, "s2")]
    [InlineData(0x0305, null, "00")]
    [InlineData(0x0200, null, "00")]
    [InlineData(0x0301, new[] { 0x0303, 0x0304, 0x0302 }, "13")] // the highest, wherever it is in the list
    [InlineData(0x0303, new[] { 0x3A3A }, "12")]                 // only GREASE: the legacy version
    [InlineData(0x0303, new[] { 0x7f1c }, "00")]                 // a TLS 1.3 draft is the highest, and unknown
    public void TheVersionIsSupportedVersionsHighestElseTheLegacyOne(int legacy, int[]? versions, string text)
    {
        var ext = versions is null ? Ext(0x0017) : Versions(versions.Select(v => (ushort)v).ToArray());
        var ja4 = Ja4.Compute(Hello((ushort)legacy, [0x1301], [ext]), Ja4Transport.Tcp);

        Assert.Equal("t" + text + "i0101", ja4![..8]);
    }

    [Fact]
    public void AnIpLiteralInServerNameStillCountsAsADomain()
    {
        // The specification looks only at whether server_name is present (RFC 6066 forbids IP literals in it).
        var withIp = Ja4.Compute(Hello(0x0303, [0x1301], [Sni("192.0.2.1")]), Ja4Transport.Tcp);
        var without = Ja4.Compute(Hello(0x0303, [0x1301], [Ext(0x0017)]), Ja4Transport.Tcp);

        Assert.Equal("t12d0101", withIp![..8]);
        Assert.Equal("t12i0101", without![..8]);
    }

    [Fact]
    public void CountsLeaveGreaseOutAndStopAt99()
    {
        var suites = Enumerable.Range(1, 120).Select(i => (ushort)i).Append(Grease1).ToArray();
        var extensions = Enumerable.Range(0x100, 105).Select(t => Ext((ushort)t)).Append(Ext(Grease2)).ToArray();
        var body = Hello(0x0303, suites, extensions);

        var all = Ja4.ComputeAll(body, Ja4Transport.Tcp)!;

        Assert.Equal("t12i9999", all.Ja4[..8]);
        // Every suite is still listed and hashed, not only the first 99.
        Assert.Equal(120 * 5 - 1, all.Ja4R.Split('_')[1].Length);
        Assert.Contains(",0078_", all.Ja4R);
    }

    [Fact]
    public void ScsvAndReservedSuitesCount()
    {
        var ja4 = Ja4.Compute(Hello(0x0303, [0x1301, 0x00ff, 0x5600, 0xfe10], [Ext(0x0017)]), Ja4Transport.Tcp, Ja4Form.Raw);

        Assert.Equal("t12i040100_00ff,1301,5600,fe10_0017", ja4);
    }

    [Theory]
    [InlineData("h2", "h2")]
    [InlineData("http/1.1", "h1")]
    [InlineData("x", "xx")]
    [InlineData("spdy/3", "s3")]
    public void AlpnIsTheFirstNamesFirstAndLastCharacter(string name, string text)
    {
        var ja4 = Ja4.Compute(Hello(0x0303, [0x1301], [Alpn(name, "zz")]), Ja4Transport.Tcp);

        Assert.Equal(text, ja4![8..10]);
    }

    [Theory]
    [InlineData(new byte[] { 0xAB }, "ab")]
    [InlineData(new byte[] { 0x20 }, "20")]
    [InlineData(new byte[] { 0xAB, 0xCD }, "ad")]
    [InlineData(new byte[] { 0x20, 0x61 }, "21")]
    [InlineData(new byte[] { 0x30, 0xAB }, "3b")]
    [InlineData(new byte[] { 0x61, 0x20 }, "60")]
    [InlineData(new byte[] { 0x30, 0x31, 0xAB, 0xCD }, "3d")]
    [InlineData(new byte[] { 0x30, 0xAB, 0xCD, 0x31 }, "01")]
    [InlineData(new byte[] { 0xBA, 0xAD }, "bd")]
    [InlineData(new byte[] { }, "00")]
    public void ANonAlphanumericEndOfTheAlpnNameGivesHexDigits(byte[] name, string text)
    {
        Assert.Equal(text, Ja4.AlpnText(name));
        if (name.Length > 0) Assert.Equal(text, Ja4.Compute(Hello(0x0303, [0x1301], [Alpn(name)]), Ja4Transport.Tcp)![8..10]);
    }

    [Fact]
    public void NoAlpnAnEmptyListOrAGreaseNameGiveZerosOrTheNextName()
    {
        Assert.Equal("00", Ja4.Compute(Hello(0x0303, [0x1301], [Ext(0x0017)]), Ja4Transport.Tcp)![8..10]);
        Assert.Equal("00", Ja4.Compute(Hello(0x0303, [0x1301], [Ext(0x0010, [0, 0])]), Ja4Transport.Tcp)![8..10]);
        Assert.Equal("00", Ja4.Compute(Hello(0x0303, [0x1301], [Ext(0x0010)]), Ja4Transport.Tcp)![8..10]);
        Assert.Equal("h2", Ja4.Compute(Hello(0x0303, [0x1301], [Alpn([0x4A, 0x4A], "h2"u8.ToArray())]), Ja4Transport.Tcp)![8..10]);
    }

    // ---- b and c: empty lists ----------------------------------------------------------------------------------------

    [Fact]
    public void OnlyGreaseSuitesGiveZerosForB()
    {
        var all = Ja4.ComputeAll(Hello(0x0303, [Grease1, Grease2], [Ext(0x0017)]), Ja4Transport.Tcp)!;

        Assert.Equal("t12i000100_000000000000_", all.Ja4[..24]);
        Assert.StartsWith("t12i000100__0017", all.Ja4R);
    }

    [Fact]
    public void OnlySniAndAlpnGiveZerosForCInEveryHashedForm()
    {
        var all = Ja4.ComputeAll(Hello(0x0301, [0x0035], [Sni("example.com"), Alpn("h2")]), Ja4Transport.Tcp)!;

        Assert.Equal("t10d0102h2_", all.Ja4[..11]);
        Assert.EndsWith("_000000000000", all.Ja4);
        Assert.EndsWith("_000000000000", all.Ja4O);
        Assert.Equal("t10d0102h2_0035_", all.Ja4R);
        Assert.Equal("t10d0102h2_0035_0000,0010", all.Ja4RO);
    }

    [Fact]
    public void AHelloWithoutExtensionsHasZeroExtensions()
    {
        var all = Ja4.ComputeAll(Hello(0x0300, [0x000a, 0x0005], null), Ja4Transport.Tcp)!;

        Assert.Equal("ts3i020000_", all.Ja4[..11]);
        Assert.EndsWith("_000000000000", all.Ja4);
        Assert.Equal("ts3i020000_0005,000a_", all.Ja4R);
        Assert.Equal("ts3i020000_000a,0005_", all.Ja4RO);
    }

    [Fact]
    public void GreaseSignatureAlgorithmsAreLeftOut()
    {
        var ja4 = Ja4.Compute(Hello(0x0303, [0x1301], [SigAlgs(0x0403, Grease1, 0x0804)]), Ja4Transport.Tcp, Ja4Form.Raw);

        Assert.Equal("t12i010100_1301_000d_0403,0804", ja4);
    }

    // ---- DTLS, SSL 2.0 -------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(new[] { 0xfeff }, "d1")]
    [InlineData(new[] { 0xfeff, 0xfefd }, "d2")]
    [InlineData(new[] { 0xfefd, 0xfefc, 0xfeff }, "d3")] // DTLS numbers count down: 1.3 is the lowest
    public void DtlsSkipsTheCookieAndNamesItsVersions(int[] versions, string text)
    {
        var body = Hello(0xfefd, [0xc02b], [Versions(versions.Select(v => (ushort)v).ToArray())], cookie: [1, 2, 3, 4]);

        Assert.Equal("d" + text + "i010100", Ja4.Compute(body, Ja4Transport.Dtls)![..10]);
        Assert.Equal("dd2i010000", Ja4.Compute(Hello(0xfefd, [0xc02b], [], cookie: []), Ja4Transport.Dtls)![..10]);
    }

    [Fact]
    public void AnSsl2CompatibleHelloListsItsTlsSuites()
    {
        // msg_type 1, version 0x0002, 9 bytes of specs, no session ID, 16 bytes of challenge.
        var data = Hex.Parse("01 0002 0009 0000 0010 010080 000004 00000a" + new string('a', 32));
        var hello = Ssl2ClientHello.Parse(data);

        Assert.Equal("ts2i020000_0004,000a_", Ja4.Compute(hello, Ja4Form.Raw));
        Assert.Matches("^ts2i020000_[0-9a-f]{12}_000000000000$", Ja4.Compute(hello)!);
        Assert.Null(Ja4.Compute(Ssl2ClientHello.Parse(data.AsSpan(0, 12))));
    }

    // ---- bad bytes -------------------------------------------------------------------------------------------------------

    [Fact]
    public void ABodyCutShortAnywhereHasNoFingerprintAndNeverThrows()
    {
        var body = Example;
        int headerEnd = 2 + 32 + 1 + 2 + ExampleSuites.Length * 2 + 2; // through the compression methods
        for (int n = 0; n < body.Length; n++)
        {
            foreach (var t in new[] { Ja4Transport.Tcp, Ja4Transport.Quic, Ja4Transport.Dtls })
                _ = Ja4.ComputeAll(body.AsSpan(0, n), t);
            var ja4 = Ja4.Compute(body.AsSpan(0, n), Ja4Transport.Tcp);
            // Only a body that ends right after the compression methods is whole (a hello without extensions).
            if (n == headerEnd) Assert.NotNull(ja4);
            else Assert.Null(ja4);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("0303")]
    [InlineData("0303 0000")]
    public void TinyBodiesHaveNoFingerprint(string hex)
    {
        Assert.Null(Ja4.Compute(Hex.Parse(hex), Ja4Transport.Tcp));
        Assert.Null(Ja4.ComputeAll(Hex.Parse(hex), Ja4Transport.Dtls));
    }

    [Fact]
    public void MalformedInnerListsStillGiveADefinedFingerprint()
    {
        // ALPN and signature_algorithms whose inner lengths run past their data; supported_versions with an odd byte.
        var body = Hello(0x0303, [0x1301], [Ext(0x0010, [0, 9, 2, (byte)'h']), Ext(0x000D, [0, 8, 4, 3]), Ext(0x002b, [3, 3, 4, 3])]);

        var ja4 = Ja4.Compute(body, Ja4Transport.Tcp, Ja4Form.Raw);

        Assert.Equal("t13i010300_1301_000d,002b_0403", ja4);
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(4);
        var buffer = new byte[600];
        for (int i = 0; i < 3000; i++)
        {
            int n = random.Next(buffer.Length);
            random.NextBytes(buffer.AsSpan(0, n));
            if (n > 40 && i % 2 == 0) Example.AsSpan(0, 40).CopyTo(buffer); // a plausible start, then noise
            foreach (var t in new[] { Ja4Transport.Tcp, Ja4Transport.Dtls })
                _ = Ja4.ComputeAll(buffer.AsSpan(0, n), t);
        }
    }
}
