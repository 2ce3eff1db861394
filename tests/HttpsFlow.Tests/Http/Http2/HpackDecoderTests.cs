using HttpsFlow.Http.Http2;
using static HttpsFlow.Tests.Http.Http2.HpackTestSupport;

namespace HttpsFlow.Tests.Http.Http2;

/// <summary>
/// The HPACK decoder's Huffman code, its errors (each a note, a malformed block and a failed decoder, never an
/// exception) and its limits (fields no longer kept, memory bounded).
/// </summary>
public class HpackDecoderTests
{
    private static (HpackBlockStatus Status, HpackHeaderList List) Decode(HpackDecoder d, byte[] block)
    {
        var list = new HpackHeaderList();
        return (d.Decode(block, list), list);
    }

    private static void AssertFails(byte[] block, string messagePart, HpackDecoder? d = null)
    {
        d ??= new HpackDecoder();
        var (status, list) = Decode(d, block);
        Assert.Equal(HpackBlockStatus.Malformed, status);
        Assert.True(d.Failed);
        var note = Assert.Single(list.Notes, n => n.Key == Http2NoteKeys.Hpack);
        Assert.Contains(messagePart, note.Message);
        // Later blocks are not decoded against a table that may be wrong.
        var (after, afterList) = Decode(d, [0x82]);
        Assert.Equal(HpackBlockStatus.Undecodable, after);
        Assert.Equal(0, afterList.Count);
        Assert.Equal(Http2NoteKeys.HpackUndecodable, Assert.Single(afterList.Notes).Key);
    }

    // ---- Huffman ----

    [Fact]
    public void HuffmanCodeIsComplete()
    {
        // A complete prefix code: the Kraft sum of its 257 lengths is exactly 1.
        double sum = 0;
        for (int s = 0; s <= HpackHuffman.Eos; s++) sum += Math.Pow(2, -HpackHuffman.Code(s).Length);
        Assert.Equal(1.0, sum, 12);
    }

    [Theory]
    [InlineData(0, 0x1ff8u, 13)]
    [InlineData(1, 0x7fffd8u, 23)]
    [InlineData(10, 0x3ffffffcu, 30)]
    [InlineData(32, 0x14u, 6)]
    [InlineData('0', 0x0u, 5)]
    [InlineData(':', 0x5cu, 7)]
    [InlineData('\\', 0x7fff0u, 19)]
    [InlineData('a', 0x3u, 5)]
    [InlineData('~', 0x1ffdu, 13)]
    [InlineData(127, 0xffffffcu, 28)]
    [InlineData(128, 0xfffe6u, 20)]
    [InlineData(199, 0x1ffffecu, 25)]
    [InlineData(220, 0xffffffdu, 28)]
    [InlineData(255, 0x3ffffeeu, 26)]
    [InlineData(256, 0x3fffffffu, 30)]
    public void HuffmanCodesAreTheRfcs(int symbol, uint code, int length) =>
        Assert.Equal((code, length), HpackHuffman.Code(symbol));

    [Fact]
    public void HuffmanRoundTripsEveryOctet()
    {
        for (int b = 0; b < 256; b++)
        {
            foreach (var input in new[] { new[] { (byte)b }, [(byte)b, (byte)b, (byte)b], [(byte)'a', (byte)b, (byte)'z'] })
            {
                var encoded = HuffmanEncode(input);
                var output = new byte[HpackHuffman.MaxDecodedLength(encoded.Length)];
                Assert.Equal(HuffmanStatus.Ok, HpackHuffman.Decode(encoded, output, true, out int n));
                Assert.Equal(input, output[..n]);
            }
        }
        // All 256 octets in one string, and through the decoder as a literal.
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var block = new List<byte> { 0x00, 0x81, HuffmanEncode("x"u8)[0] };
        var coded = HuffmanEncode(all);
        block.AddRange(Integer(coded.Length, 7, 0x80));
        block.AddRange(coded);
        var (status, list) = Decode(new HpackDecoder(), [.. block]);
        Assert.Equal(HpackBlockStatus.Ok, status);
        Assert.Equal(all, list[0].Value.ToArray());
        Assert.Equal("x"u8.ToArray(), list[0].Name.ToArray());
    }

    [Fact]
    public void HuffmanEmptyStringIsEmpty()
    {
        Assert.Equal(HuffmanStatus.Ok, HpackHuffman.Decode([], [], true, out int n));
        Assert.Equal(0, n);
    }

    [Fact]
    public void HuffmanPaddingLongerThanSevenBitsIsAnError()
    {
        // 'a' (00011) then 11 one bits: a full octet of padding.
        Assert.Equal(HuffmanStatus.BadPadding, HpackHuffman.Decode([0x1f, 0xff], new byte[4], true, out _));
        // A whole octet of ones alone.
        Assert.Equal(HuffmanStatus.BadPadding, HpackHuffman.Decode([0xff], new byte[4], true, out _));
        AssertFails([0x00, 0x81, 0xff, 0x00], "padded");
    }

    [Fact]
    public void HuffmanPaddingNotAllOnesIsAnError()
    {
        // 'a' (00011) then 000: the padding must be ones.
        Assert.Equal(HuffmanStatus.BadPadding, HpackHuffman.Decode([0x18], new byte[4], true, out _));
        // 'a' then 110.
        Assert.Equal(HuffmanStatus.BadPadding, HpackHuffman.Decode([0x1e], new byte[4], true, out _));
        // 'a' then 111 is correct.
        Assert.Equal(HuffmanStatus.Ok, HpackHuffman.Decode([0x1f], new byte[4], true, out int n));
        Assert.Equal(1, n);
    }

    [Fact]
    public void HuffmanEosInStringIsAnError()
    {
        // EOS (30 ones) then 'a' padded: four octets of ones, then 00 0011 1 ...
        byte[] eos = [0xff, 0xff, 0xff, 0xfc, 0x7f];
        Assert.Equal(HuffmanStatus.EosInString, HpackHuffman.Decode(eos, new byte[16], true, out _));
        // 'a' then EOS.
        Assert.Equal(HuffmanStatus.EosInString, HpackHuffman.Decode([0x1f, 0xff, 0xff, 0xff, 0xff], new byte[16], true, out _));
        AssertFails([0x00, 0x01, 0x61, 0x85, 0xff, 0xff, 0xff, 0xfc, 0x7f], "EOS");
    }

    // ---- representation errors ----

    [Fact]
    public void IndexZeroIsAnError() => AssertFails([0x80], "index 0");

    [Fact]
    public void IndexPastTheTablesIsAnError()
    {
        AssertFails([0xbe], "index 62"); // empty dynamic table
        AssertFails([0x7f, 0x1f, 0x01, 0x61], "name index 94"); // literal with a name index past the tables
        // One entry: 62 is fine, 63 is not.
        var d = new HpackDecoder();
        Assert.Equal(HpackBlockStatus.Ok, Decode(d, [0x41, 0x01, 0x61]).Status);
        Assert.Equal("a", Decode(d, [0xbe]).List.ValueString(0));
        AssertFails([0xbf], "index 63", d);
    }

    [Fact]
    public void IntegerOverflowIsAnError()
    {
        // 2^31 as an index: 127 + continuation 2^31 - 127.
        AssertFails([.. Integer(int.MaxValue, 7, 0x80)[..^1], 0xff, 0x7f], "2^31-1");
        // Six continuation octets even with zero value bits.
        AssertFails([0xff, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], "2^31-1");
        // A huge string length.
        AssertFails([0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x0f], "2^31-1");
        // Cut short.
        AssertFails([0xff, 0x80], "cut short");
    }

    [Fact]
    public void LargestIntegerIsAccepted()
    {
        // 2^31 - 1 decodes (and is then an index past the tables, not an overflow).
        AssertFails(Integer(int.MaxValue, 7, 0x80), "past the end");
    }

    [Fact]
    public void StringPastTheBlockIsAnError()
    {
        AssertFails([0x00, 0x05, 0x61, 0x62], "runs past the end");
        AssertFails([0x40, 0x01, 0x61], "missing");
    }

    [Fact]
    public void TableSizeUpdateAboveTheSettingIsAnError()
    {
        AssertFails([0x3f, 0xe2, 0x1f], "above SETTINGS_HEADER_TABLE_SIZE"); // 4097
        var d = new HpackDecoder { SettingsMaxTableSize = 100 };
        AssertFails([0x3f, 0x46], "above SETTINGS_HEADER_TABLE_SIZE", d); // 101
    }

    [Fact]
    public void TableSizeUpdateAboveTheLimitIsAnError()
    {
        var d = new HpackDecoder(new HpackLimits { MaxTableSize = 5000 }) { SettingsMaxTableSize = 1 << 20 };
        AssertFails([.. Integer(5001, 5, 0x20)], "limit", d);
        var ok = new HpackDecoder(new HpackLimits { MaxTableSize = 5000 }) { SettingsMaxTableSize = 1 << 20 };
        Assert.Equal(HpackBlockStatus.Ok, Decode(ok, Integer(5000, 5, 0x20)).Status);
        Assert.Equal(5000, ok.Table.MaxSize);
    }

    [Fact]
    public void LimitBelowTheInitialSizeCountsAsTheInitialSize()
    {
        // An encoder may fill the initial 4,096 octets without any update: a smaller limit could not follow it.
        var d = new HpackDecoder(new HpackLimits { MaxTableSize = 512 }) { SettingsMaxTableSize = 1 << 20 };
        Assert.Equal(4096, d.MaxTableSize);
        Assert.Equal(4096, d.Table.MaxSize);
        var big = new string('v', 1000);
        for (int i = 0; i < 3; i++) Assert.Equal(HpackBlockStatus.Ok, Decode(d, [0x40, .. RawString($"k{i}"), .. RawString(big)]).Status);
        Assert.Equal(3, d.Table.Count);
        Assert.Equal("k0", Decode(d, [0xc0]).List.NameString(0)); // index 64: the oldest, still there
        Assert.Equal(HpackBlockStatus.Ok, Decode(d, Integer(4096, 5, 0x20)).Status);
        AssertFails(Integer(4097, 5, 0x20), "limit", d);
    }

    [Fact]
    public void TableSizeUpdateAfterAFieldIsAnError() => AssertFails([0x82, 0x20], "after a header field");

    [Fact]
    public void TwoTableSizeUpdatesAtTheStartAreAllowed()
    {
        var d = new HpackDecoder();
        Assert.Equal(HpackBlockStatus.Ok, Decode(d, [0x41, 0x01, 0x61]).Status);
        var (status, list) = Decode(d, [0x20, 0x3f, 0xe1, 0x1f, 0x82]); // 0, then 4096, then :method: GET
        Assert.Equal(HpackBlockStatus.Ok, status);
        Assert.Equal([0, 4096], list.SizeUpdates.ToArray());
        Assert.Equal(0, d.Table.Count); // the update to 0 evicted the entry
        Assert.Equal(4096, d.Table.MaxSize);
    }

    [Fact]
    public void LoweredSettingWithoutUpdateIsNoted()
    {
        var d = new HpackDecoder();
        Decode(d, [0x41, 0x01, 0x61]);
        d.SettingsMaxTableSize = 0;
        d.PendingReducedSize = 0;
        var (status, list) = Decode(d, [0x82]);
        Assert.Equal(HpackBlockStatus.Ok, status);
        Assert.Contains(list.Notes, n => n.Key == Http2NoteKeys.Protocol);
        Assert.Equal(0, d.Table.MaxSize);
        Assert.Equal(0, d.Table.Count);
        // With the update, nothing is noted.
        var e = new HpackDecoder();
        e.SettingsMaxTableSize = 0;
        e.PendingReducedSize = 0;
        Assert.Empty(Decode(e, [0x20, 0x82]).List.Notes);
    }

    [Fact]
    public void NameOfAnEntryEvictedByItsOwnInsertionIsKept()
    {
        // Table of 64: one entry "aaaa: b" (37). A literal with incremental indexing naming index 62 and a value
        // of 20 octets needs 56: the named entry is evicted before the insertion (RFC 7541 §4.4).
        var d = new HpackDecoder { SettingsMaxTableSize = 64 };
        Decode(d, [.. Integer(64, 5, 0x20), 0x40, 0x04, .. "aaaa"u8, 0x01, (byte)'b']);
        var value = new string('v', 20);
        var (status, list) = Decode(d, [0x7e, .. RawString(value)]);
        Assert.Equal(HpackBlockStatus.Ok, status);
        Assert.Equal($"aaaa: {value}", Assert.Single(list.Lines()));
        Assert.Equal([$"[  1] (s =  56) aaaa: {value}"], TableLines(d.Table));
    }

    [Fact]
    public void EntryLargerThanTheTableEmptiesIt()
    {
        var d = new HpackDecoder();
        Decode(d, [0x41, 0x01, 0x61]);
        var (status, list) = Decode(d, [0x40, .. RawString("n"), .. RawString(new string('x', 5000))]);
        Assert.Equal(HpackBlockStatus.Ok, status);
        Assert.Equal(1, list.Count);
        Assert.Equal(0, d.Table.Count);
        Assert.Equal(0, d.Table.Size);
    }

    // ---- limits ----

    [Fact]
    public void HeaderCountLimitStopsKeepingButFollowsTheTable()
    {
        var d = new HpackDecoder(new HpackLimits { MaxHeaderCount = 3 });
        var block = new List<byte>();
        for (int i = 0; i < 5; i++) block.AddRange([0x40, .. RawString($"n{i}"), .. RawString("v")]);
        var (status, list) = Decode(d, [.. block]);
        Assert.Equal(HpackBlockStatus.Ok, status);
        Assert.Equal(3, list.Count);
        Assert.Equal(5, list.DecodedCount);
        Assert.True(list.Truncated);
        Assert.Contains("after 3 header lines", Assert.Single(list.Notes).Message);
        Assert.Equal(5, d.Table.Count); // still in step
        Assert.Equal("n4: v", Decode(d, [0xbe]).List.Lines().Single());
    }

    [Fact]
    public void HeaderListSizeLimitStopsKeeping()
    {
        var d = new HpackDecoder(new HpackLimits { MaxHeaderListSize = 1000 });
        var block = new List<byte>();
        for (int i = 0; i < 10; i++) block.AddRange(LiteralNew("name", new string('v', 200)));
        var (status, list) = Decode(d, [.. block]);
        Assert.Equal(HpackBlockStatus.Ok, status);
        Assert.Equal(4, list.Count); // 4 × 236 = 944 <= 1000
        Assert.Equal(10 * 236, list.HeaderListSize);
        Assert.True(list.Truncated);
        Assert.Equal(Http2NoteKeys.Limit, Assert.Single(list.Notes).Key);
    }

    [Fact]
    public void HugeStringsAreMeasuredNotStored()
    {
        var limits = new HpackLimits { MaxHeaderListSize = 4096, MaxTableSize = 4096 };
        var d = new HpackDecoder(limits);
        var big = new string('x', 100_000);
        var coded = HuffmanEncode(System.Text.Encoding.ASCII.GetBytes(big));
        byte[] block = [0x40, .. RawString("n"), .. Integer(coded.Length, 7, 0x80), .. coded, 0x82];
        var (status, list) = Decode(d, block);
        Assert.Equal(HpackBlockStatus.Ok, status);
        Assert.Equal(0, list.Count); // decompression stopped at the field too large to keep
        Assert.True(list.Truncated);
        Assert.Equal(2, list.DecodedCount);
        Assert.Equal(0, d.Table.Count);
        Assert.True(d.AllocatedBytes < 64 * 1024, $"{d.AllocatedBytes} bytes held");
    }

    [Fact]
    public void TableMemoryIsBoundedWhateverIsInserted()
    {
        var d = new HpackDecoder { SettingsMaxTableSize = 1 << 20 };
        Decode(d, Integer(65536, 5, 0x20));
        var rng = new Random(7);
        for (int block = 0; block < 200; block++)
        {
            var bytes = new List<byte>();
            for (int i = 0; i < 20; i++) bytes.AddRange([0x40, .. RawString($"k{rng.Next(1000)}"), .. RawString(new string('v', rng.Next(0, 3000)))]);
            var (status, _) = Decode(d, [.. bytes]);
            Assert.Equal(HpackBlockStatus.Ok, status);
            Assert.True(d.Table.Size <= 65536);
        }
        Assert.True(d.Table.AllocatedBytes <= 2 * 65536 + 65536 / 32 * 12 * 2, $"{d.Table.AllocatedBytes}");
        // More than the limit is refused however large SETTINGS allows.
        AssertFails(Integer(65537, 5, 0x20), "limit", d);
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var rng = new Random(1);
        var list = new HpackHeaderList();
        for (int i = 0; i < 20_000; i++)
        {
            var d = new HpackDecoder { SettingsMaxTableSize = rng.Next(0, 70_000) };
            var block = new byte[rng.Next(0, 64)];
            rng.NextBytes(block);
            d.Decode(block, list);
            Assert.True(list.Status != HpackBlockStatus.Malformed || d.Failed);
        }
    }
}
