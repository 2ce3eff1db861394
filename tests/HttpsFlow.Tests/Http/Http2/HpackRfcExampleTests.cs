using HttpsFlow.Http.Http2;
using static HttpsFlow.Tests.Http.Http2.HpackTestSupport;

namespace HttpsFlow.Tests.Http.Http2;

/// <summary>
/// Every example of RFC 7541 Appendix C (C.2 to C.6): the decoded header lists, and the dynamic table (entries and
/// size) after each block, as the RFC lists them.
/// </summary>
public class HpackRfcExampleTests
{
    private static HpackHeaderList Decode(HpackDecoder decoder, string hex)
    {
        var list = new HpackHeaderList();
        Assert.Equal(HpackBlockStatus.Ok, decoder.Decode(Convert.FromHexString(hex.Replace(" ", "")), list));
        Assert.Empty(list.Notes);
        Assert.False(decoder.Failed);
        return list;
    }

    // ---- C.2: independent representations ----

    [Fact]
    public void C21LiteralWithIndexing()
    {
        var d = new HpackDecoder();
        var list = Decode(d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572");
        Assert.Equal(["custom-key: custom-header"], list.Lines());
        Assert.Equal(HpackRepresentation.IncrementalIndexingNewName, list[0].Representation);
        Assert.Equal(["[  1] (s =  55) custom-key: custom-header"], TableLines(d.Table));
        Assert.Equal(55, d.Table.Size);
    }

    [Fact]
    public void C22LiteralWithoutIndexing()
    {
        var d = new HpackDecoder();
        var list = Decode(d, "040c 2f73 616d 706c 652f 7061 7468");
        Assert.Equal([":path: /sample/path"], list.Lines());
        Assert.Equal(HpackRepresentation.WithoutIndexingIndexedName, list[0].Representation);
        Assert.Equal(4, list[0].Index);
        Assert.Equal(0, d.Table.Count);
        Assert.Equal(0, d.Table.Size);
    }

    [Fact]
    public void C23LiteralNeverIndexed()
    {
        var d = new HpackDecoder();
        var list = Decode(d, "1008 7061 7373 776f 7264 0673 6563 7265 74");
        Assert.Equal(["password: secret"], list.Lines());
        Assert.Equal(HpackRepresentation.NeverIndexedNewName, list[0].Representation);
        Assert.Equal(0, d.Table.Size);
    }

    [Fact]
    public void C24Indexed()
    {
        var d = new HpackDecoder();
        var list = Decode(d, "82");
        Assert.Equal([":method: GET"], list.Lines());
        Assert.Equal(HpackRepresentation.Indexed, list[0].Representation);
        Assert.Equal(2, list[0].Index);
        Assert.Equal(0, d.Table.Size);
    }

    // ---- C.3 and C.4: requests, without and with Huffman coding ----

    public static TheoryData<string, string[]> RequestBlocks() => new()
    {
        { "C.3", ["8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", "8286 84be 5808 6e6f 2d63 6163 6865",
                  "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"] },
        { "C.4", ["8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", "8286 84be 5886 a8eb 1064 9cbf",
                  "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"] },
    };

    [Theory]
    [MemberData(nameof(RequestBlocks))]
    public void Requests(string section, string[] blocks)
    {
        _ = section;
        var d = new HpackDecoder();

        var first = Decode(d, blocks[0]);
        Assert.Equal([":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com"], first.Lines());
        Assert.Equal(["[  1] (s =  57) :authority: www.example.com"], TableLines(d.Table));
        Assert.Equal(57, d.Table.Size);

        var second = Decode(d, blocks[1]);
        Assert.Equal([":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com", "cache-control: no-cache"], second.Lines());
        Assert.Equal(["[  1] (s =  53) cache-control: no-cache", "[  2] (s =  57) :authority: www.example.com"], TableLines(d.Table));
        Assert.Equal(110, d.Table.Size);

        var third = Decode(d, blocks[2]);
        Assert.Equal([":method: GET", ":scheme: https", ":path: /index.html", ":authority: www.example.com", "custom-key: custom-value"], third.Lines());
        Assert.Equal(
            ["[  1] (s =  54) custom-key: custom-value", "[  2] (s =  53) cache-control: no-cache", "[  3] (s =  57) :authority: www.example.com"],
            TableLines(d.Table));
        Assert.Equal(164, d.Table.Size);
    }

    // ---- C.5 and C.6: responses with SETTINGS_HEADER_TABLE_SIZE 256, evictions ----

    public static TheoryData<string, string[]> ResponseBlocks() => new()
    {
        { "C.5", [
            "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768" +
            "7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
            "4803 3330 37c1 c0bf",
            "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153" +
            "444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31",
        ] },
        { "C.6", [
            "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8" +
            "e9ae 82ae 43d3",
            "4883 640e ffc1 c0bf",
            "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b" +
            "3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07",
        ] },
    };

    [Theory]
    [MemberData(nameof(ResponseBlocks))]
    public void Responses(string section, string[] blocks)
    {
        _ = section;
        var d = new HpackDecoder { SettingsMaxTableSize = 256 };
        // The RFC's examples run with a table of 256 octets from the start, as if a size update had been applied.
        Decode(d, "3fe101"); // size update to 256 (0x20 | 31, then 225)
        Assert.Equal(256, d.Table.MaxSize);

        var first = Decode(d, blocks[0]);
        Assert.Equal([":status: 302", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT", "location: https://www.example.com"], first.Lines());
        Assert.Equal(
        [
            "[  1] (s =  63) location: https://www.example.com", "[  2] (s =  65) date: Mon, 21 Oct 2013 20:13:21 GMT",
            "[  3] (s =  52) cache-control: private", "[  4] (s =  42) :status: 302",
        ], TableLines(d.Table));
        Assert.Equal(222, d.Table.Size);

        var second = Decode(d, blocks[1]);
        Assert.Equal([":status: 307", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT", "location: https://www.example.com"], second.Lines());
        Assert.Equal(
        [
            "[  1] (s =  42) :status: 307", "[  2] (s =  63) location: https://www.example.com",
            "[  3] (s =  65) date: Mon, 21 Oct 2013 20:13:21 GMT", "[  4] (s =  52) cache-control: private",
        ], TableLines(d.Table));
        Assert.Equal(222, d.Table.Size);

        var third = Decode(d, blocks[2]);
        Assert.Equal(
        [
            ":status: 200", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:22 GMT", "location: https://www.example.com",
            "content-encoding: gzip", "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
        ], third.Lines());
        Assert.Equal(
        [
            "[  1] (s =  98) set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
            "[  2] (s =  52) content-encoding: gzip", "[  3] (s =  65) date: Mon, 21 Oct 2013 20:13:22 GMT",
        ], TableLines(d.Table));
        Assert.Equal(215, d.Table.Size);
    }

    [Fact]
    public void C1Integers()
    {
        // C.1.1: 10 in a 5-bit prefix; C.1.2: 1337 in a 5-bit prefix; C.1.3: 42 on an octet boundary.
        Assert.Equal(new byte[] { 0x0a }, Integer(10, 5));
        Assert.Equal(new byte[] { 0x1f, 0x9a, 0x0a }, Integer(1337, 5));
        Assert.Equal(new byte[] { 0x2a }, Integer(42, 8));
        // Decoded through a size update (5-bit prefix): 1337.
        var d = new HpackDecoder { SettingsMaxTableSize = 4096 };
        var list = new HpackHeaderList();
        Assert.Equal(HpackBlockStatus.Ok, d.Decode([0x3f, 0x9a, 0x0a], list));
        Assert.Equal([1337], list.SizeUpdates.ToArray());
        Assert.Equal(1337, d.Table.MaxSize);
    }
}
