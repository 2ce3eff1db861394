using HttpsFlow.Capture;
using HttpsFlow.Net;
using HttpsFlow.Tcp;
using HttpsFlow.Tests.TestSupport;
using static HttpsFlow.Tests.TestSupport.Decoding;

namespace HttpsFlow.Tests.Tcp;

/// <summary>
/// TCP options (RFC 9293 §3.2: kind, length, value; EOL 0 ends the list, NOP 1 pads): MSS (2, RFC 9293), window scale
/// (3, RFC 7323), SACK permitted (4) and SACK blocks (5, RFC 2018), timestamps (8, RFC 7323). Each vector is an IPv4
/// ACK from 192.0.2.10:40000 to 198.51.100.20:443 with the options after the 20-byte TCP header; the option texts and
/// verdicts were checked with tshark 4.0.17.
/// </summary>
public class TcpOptionsTests
{
    private static Frame DecodeOptions(string hex) => Decode(LinkTypes.Raw, hex);

    [Fact]
    public void MaximumSegmentSize()
    {
        var t = DecodeOptions("4500002c0020400040064e5ac000020ac6336414 9c4001bb000003e900001389601001f6f4620000 020405b4").Tcp;

        Assert.True(t.HasMss);
        Assert.Equal(1460, t.Mss);
        Assert.Equal(4, t.OptionsLength);
    }

    [Fact]
    public void WindowScaleAfterANop()
    {
        var t = DecodeOptions("4500002c0020400040064e5ac000020ac6336414 9c4001bb000003e900001389601001f6f8100000 01030307").Tcp;

        Assert.True(t.HasWindowScale);
        Assert.Equal(7, t.WindowScaleShift);
        Assert.False(t.HasMss);
    }

    [Fact]
    public void SackPermittedAfterTwoNops()
    {
        var t = DecodeOptions("4500002c0020400040064e5ac000020ac6336414 9c4001bb000003e900001389601001f6f7170000 01010402").Tcp;

        Assert.True(t.SackPermitted);
        Assert.Equal(0, t.SackBlockCount);
    }

    [Fact]
    public void Timestamps()
    {
        var t = DecodeOptions("450000340020400040064e52c000020ac6336414 9c4001bb000003e900001389801001f6d3040000 " +
            "0101 080a 00000001 00000002").Tcp;

        Assert.True(t.HasTimestamps);
        Assert.Equal(1u, t.TsVal);
        Assert.Equal(2u, t.TsEcr);
    }

    [Fact]
    public void TheOptionsOfALinuxSyn()
    {
        // MSS=1460 SACK_PERM TSval=43690 TSecr=0 WS=1024 (shift 10)
        var f = DecodeOptions("4500003c0020400040064e4ac000020ac6336414 9c4001bb000003e900001389a01001f6f98e0000 " +
            "020405b4 0402 080a0000aaaa00000000 01 03030a");
        var t = f.Tcp;

        Assert.Equal(20, t.OptionsLength);
        Assert.Equal((true, (ushort)1460), (t.HasMss, t.Mss));
        Assert.True(t.SackPermitted);
        Assert.Equal((true, 43690u, 0u), (t.HasTimestamps, t.TsVal, t.TsEcr));
        Assert.Equal((true, (byte)10), (t.HasWindowScale, t.WindowScaleShift));
        Assert.Empty(f.Notes);
    }

    // SACK blocks of 50 bytes each: 1100-1150, 1300-1350, 1500-1550, 1700-1750 (after two NOPs).
    [Theory]
    [InlineData("one block", "450000340020400040064e52c000020ac6336414 9c4001bb000003e900001389801001f6cd3d0000 " +
        "0101 050a 0000044c0000047e", 1)]
    [InlineData("two blocks", "4500003c0020400040064e4ac000020ac6336414 9c4001bb000003e900001389a01001f6a2d30000 " +
        "0101 0512 0000044c0000047e 0000051400000546", 2)]
    [InlineData("three blocks", "450000440020400040064e42c000020ac6336414 9c4001bb000003e900001389c01001f676d90000 " +
        "0101 051a 0000044c0000047e 0000051400000546 000005dc0000060e", 3)]
    [InlineData("four blocks, the most that fit", "4500004c0020400040064e3ac000020ac6336414 9c4001bb000003e900001389e01001f6494f0000 " +
        "0101 0522 0000044c0000047e 0000051400000546 000005dc0000060e 000006a4000006d6", 4)]
    public void SackBlocks(string name, string hex, int blocks)
    {
        _ = name;
        var f = DecodeOptions(hex);

        Assert.Equal(blocks, f.Tcp.SackBlockCount);
        Assert.Equal(50u * (uint)blocks, f.Tcp.SackedBytes);
        Assert.Equal(2 + 2 + 8 * blocks, f.Tcp.OptionsLength);
        Assert.Empty(f.Notes);
    }

    [Fact]
    public void EndOfOptionListStopsTheList()
    {
        // MSS, EOL, then bytes that would be a window scale option: after EOL only padding follows (tshark: "MSS=1460").
        var t = DecodeOptions("450000300020400040064e56c000020ac6336414 9c4001bb000003e900001389701001f6e1540000 020405b4 00 030307").Tcp;

        Assert.True(t.HasMss);
        Assert.False(t.HasWindowScale);
        Assert.Equal(8, t.OptionsLength);
    }

    [Fact]
    public void AnUnknownKindIsKeptRawAndSkippedByItsLength()
    {
        // Kind 254 (RFC 6994 experiment, ExID 0x1234), then two NOPs. tshark: "ExID=1234", nothing malformed.
        var f = DecodeOptions("450000300020400040064e56c000020ac6336414 9c4001bb000003e900001389701001f6d9db0000 fe041234 01010101");
        var t = f.Tcp;
        ReadOnlySpan<byte> raw = t.Options;

        Assert.Equal(8, t.OptionsLength);
        Assert.Equal(Hex.Parse("fe041234 01010101"), raw[..t.OptionsLength].ToArray());
        Assert.False(t.HasMss || t.HasWindowScale || t.SackPermitted || t.HasTimestamps);
        Assert.False(f.Malformed);
        Assert.Empty(f.Notes);
    }

    // An impossible length stops the walk over the options, silently in the list (tshark 4.0.17 prints no option text
    // and no "[Malformed Packet]" for any of these) but with an expert note; options before it are kept.
    [Theory]
    [InlineData("MSS with length 0", "4500002c0020400040064e5ac000020ac6336414 9c4001bb000003e900001389601001f6fa1a0000 02000000", false)]
    [InlineData("timestamps with length 1", "4500002c0020400040064e5ac000020ac6336414 9c4001bb000003e900001389601001f6f4190000 08010000", false)]
    [InlineData("timestamps of 10 bytes in a 4-byte option area", "4500002c0020400040064e5ac000020ac6336414 9c4001bb000003e900001389601001f6f4100000 080a0000", false)]
    [InlineData("a kind with no room for its length", "4500002c0020400040064e5ac000020ac6336414 9c4001bb000003e900001389601001f6fa110000 01010108", false)]
    [InlineData("MSS, then timestamps with length 1", "450000300020400040064e56c000020ac6336414 9c4001bb000003e900001389701001f6dc5d0000 020405b4 08010000", true)]
    public void AnImpossibleOptionLengthStopsTheWalkWithANoteAndNoException(string name, string hex, bool mssBefore)
    {
        _ = name;
        var f = DecodeOptions(hex);

        Assert.Equal(TcpStage.Header, f.Tcp.Stage);
        Assert.Equal(mssBefore, f.Tcp.HasMss);
        Assert.False(f.Tcp.HasTimestamps);
        Assert.Contains(f.Notes, n => n.Protocol == "tcp");
        Assert.False(f.Malformed); // tshark does not call the segment malformed
        Assert.Equal(0, f.PayloadLength);
    }

    [Fact]
    public void TheOptionWalkerStepsOverNopAndEolAndReportsHowItEnded()
    {
        var options = Hex.Parse("01 020405b4 01 03030a 00 0000");
        var walker = new TcpOptionWalker(options, options.Length);
        var kinds = new List<(byte Kind, int Length)>();

        while (walker.Next(out byte kind, out _, out int length)) kinds.Add((kind, length));

        Assert.Equal([((byte)2, 4), ((byte)3, 3)], kinds);
        Assert.Equal(OptionWalkEnd.Complete, walker.End);
    }

    [Theory]
    [InlineData("length 1", "0801", 2, OptionWalkEnd.Stopped)]
    [InlineData("length past the option area", "080a0000", 4, OptionWalkEnd.Stopped)]
    [InlineData("a value past the captured bytes", "080a0000", 12, OptionWalkEnd.Truncated)]
    [InlineData("non-zero bytes after EOL", "00000102", 4, OptionWalkEnd.Stopped)]
    public void TheOptionWalkerStopsAtWhatCannotBeRead(string name, string hex, int declaredArea, OptionWalkEnd end)
    {
        _ = name;
        var walker = new TcpOptionWalker(Hex.Parse(hex), declaredArea);

        while (walker.Next(out _, out _, out _)) { }

        Assert.Equal(end, walker.End);
    }
}
