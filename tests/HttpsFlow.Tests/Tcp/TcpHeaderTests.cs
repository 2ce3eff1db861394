using HttpsFlow.Capture;
using HttpsFlow.Net;
using HttpsFlow.Output;
using HttpsFlow.Tcp;
using HttpsFlow.Tests.TestSupport;
using static HttpsFlow.Tests.TestSupport.Decoding;

namespace HttpsFlow.Tests.Tcp;

/// <summary>
/// The TCP header (RFC 9293 §3.1): ports, sequence and acknowledgment numbers, data offset, the nine flags (RFC 3168
/// ECE/CWR, RFC 9768 AE) and three reserved bits, window, checksum, urgent pointer. Expectations checked with
/// tshark 4.0.17.
/// </summary>
public class TcpHeaderTests
{
    private const string SynHex = "4500003c1c46400040063224c000020ac6336414 " +
        "c00001bb 11223344 00000000 a002 faf0 afed 0000 020405b40402080a0000aaaa000000000103030a";

    // The flags text of tshark 4.0.17's Info column, for the flag bits of the segment (bit 0 FIN … bit 8 AE, bits 9-11 reserved).
    [Theory]
    [InlineData(0x002, "SYN")]
    [InlineData(0x012, "SYN, ACK")]
    [InlineData(0x0c2, "SYN, ECE, CWR")]
    [InlineData(0x052, "SYN, ACK, ECE")]
    [InlineData(0x040, "ECE")]
    [InlineData(0x080, "CWR")]
    [InlineData(0x100, "AE")]
    [InlineData(0x011, "FIN, ACK")]
    [InlineData(0x014, "RST, ACK")]
    [InlineData(0x018, "PSH, ACK")]
    [InlineData(0x030, "ACK, URG")]
    [InlineData(0x1ff, "FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE")]
    [InlineData(0x200, "Reserved")]
    [InlineData(0xe00, "Reserved")]
    [InlineData(0xfff, "FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE, Reserved")]
    [InlineData(0x000, "<None>")]
    public void TheFlagsReadInBitOrderAsTsharkWritesThem(int flags, string expected)
    {
        using var sink = new TextSink(Stream.Null);

        TcpInfoText.AppendFlags(sink, (TcpFlags)flags);

        Assert.Equal(expected, sink.Current.ToString());
    }

    [Fact]
    public void DecodesEveryHeaderField()
    {
        var f = Decode(LinkTypes.Raw, SynHex);
        ref var t = ref f.Tcp;

        Assert.Equal(TransportKind.Tcp, f.Transport);
        Assert.Equal(TcpStage.Header, t.Stage);
        Assert.Equal(49152, f.SrcPort);
        Assert.Equal(443, f.DstPort);
        Assert.Equal(0x11223344u, t.SeqRaw);
        Assert.Equal(0u, t.AckRaw);
        Assert.Equal(40, t.HeaderLength);
        Assert.Equal(TcpFlags.Syn, t.Flags);
        Assert.Equal(64240, t.WindowValue);
        Assert.Equal(0xafed, t.Checksum);
        Assert.Equal(0, t.UrgentPointer);
        Assert.Equal(20, t.OptionsLength);
        Assert.True(t.LengthKnown);
        Assert.Equal(0, f.PayloadLength);
        Assert.False(f.Malformed);
        Assert.Empty(f.Notes);
    }

    [Fact]
    public void ThePayloadIsWhatFollowsTheHeader()
    {
        var f = Decoding.Decode(LinkTypes.Raw, Hex.Parse("450000320002400040064e72c000020ac6336414 " +
            "9c400050000003e900001389501801f6a64d0000 474554202f2048545450"), null, null, 1, out var payload);

        Assert.Equal(TcpFlags.Psh | TcpFlags.Ack, f.Tcp.Flags);
        Assert.Equal(1001u, f.Tcp.SeqRaw);
        Assert.Equal(5001u, f.Tcp.AckRaw);
        Assert.Equal(20, f.Tcp.HeaderLength);
        Assert.Equal(10, f.PayloadLength);
        Assert.Equal(10, f.PayloadCaptured);
        Assert.Equal("GET / HTTP"u8.ToArray(), payload);
    }

    [Fact]
    public void TheUrgentPointerIsRead()
    {
        var f = Decode(LinkTypes.Raw, "450000290002400040064e7bc000020ac6336414 9c400050000003e900001389503801f6ec600001 21");

        Assert.True(f.Tcp.Has(TcpFlags.Urg));
        Assert.Equal(1, f.Tcp.UrgentPointer);
        Assert.Equal(1, f.PayloadLength);
    }

    [Fact]
    public void APayloadCutByTheSnapLengthKeepsItsDeclaredLength()
    {
        var bytes = Hex.Parse("450000320002400040064e72c000020ac6336414 9c400050000003e900001389501801f6a64d0000 474554202f2048545450");

        var f = Decoding.Decode(LinkTypes.Raw, bytes[..45], 50, null, 1, out var payload);

        Assert.Equal(10, f.PayloadLength);
        Assert.Equal(5, f.PayloadCaptured);
        Assert.Equal("GET /"u8.ToArray(), payload);
    }

    [Fact]
    public void ADataOffsetBelowFiveIsABogusHeaderLength()
    {
        // Data offset 4 (16 bytes). tshark: "40000 → 80 [SYN] Seq=0 Win=1000, bogus TCP header length (16, must be at least 20)".
        var f = Decode(LinkTypes.Raw, "450000280001400040064e7dc000020ac6336414 9c4000500000000100000000400203e833170000");

        Assert.Equal((40000, 80), (f.SrcPort, f.DstPort));
        Assert.Equal(16, f.Tcp.HeaderLength);
        Assert.Equal(TcpFlags.Syn, f.Tcp.Flags);
        Assert.True(f.Malformed);
        Assert.Contains(f.Notes, n => n.Message == "Bogus TCP header length (16, must be at least 20)");
        Assert.Equal(0, f.PayloadCaptured);
    }

    [Fact]
    public void ADataOffsetBeyondTheSegmentIsMalformedWithANote()
    {
        // Data offset 15 (60 bytes) in a 20-byte segment. tshark: "40000 → 80 [SYN] Seq=1 Win=1000[Malformed Packet]".
        var f = Decode(LinkTypes.Raw, "450000280001400040064e7dc000020ac6336414 9c4000500000000100000000f00203e883160000");

        Assert.Equal(60, f.Tcp.HeaderLength);
        Assert.False(f.Tcp.LengthKnown);
        Assert.True(f.Malformed);
        Assert.NotEmpty(f.Notes);
    }

    [Fact]
    public void AHeaderCutShortAfterThePortsGivesThePortsAndNoException()
    {
        // 12 bytes of TCP: tshark lists "40000 → 80[Malformed Packet]".
        var f = Decode(LinkTypes.Raw, "450000200001400040064e85c000020ac6336414 9c4000500000000100000000");

        Assert.Equal(TransportKind.Tcp, f.Transport);
        Assert.Equal(TcpStage.Ports, f.Tcp.Stage);
        Assert.Equal((40000, 80), (f.SrcPort, f.DstPort));
        Assert.Equal(12, f.Tcp.Captured);
        Assert.Equal(12, f.Tcp.Reported);
    }

    [Fact]
    public void AHeaderCutShortIsMalformedWithANote()
    {
        var f = Decode(LinkTypes.Raw, "450000200001400040064e85c000020ac6336414 9c4000500000000100000000");

        Assert.True(f.Malformed);
        Assert.NotEmpty(f.Notes);
    }

    [Fact]
    public void AHeaderCutByTheSnapLengthIsSizeLimitedWithANote()
    {
        var frame = Hex.Parse("3c22fb8a9d01 001a2b3c4d5e 0800 " + SynHex);

        var f = Decoding.Decode(LinkTypes.Ethernet, frame[..60], 74, null, 1, out _);

        Assert.True(f.SizeLimited);
        Assert.False(f.Malformed);
        Assert.NotEmpty(f.Notes);
    }

    [Fact]
    public void AHeaderCutByTheSnapLengthStillGivesWhatWasCaptured()
    {
        var frame = Hex.Parse("3c22fb8a9d01 001a2b3c4d5e 0800 " + SynHex);

        var f = Decoding.Decode(LinkTypes.Ethernet, frame[..60], 74, null, 1, out var payload);

        Assert.Equal(TcpStage.Header, f.Tcp.Stage);
        Assert.Equal(0x11223344u, f.Tcp.SeqRaw);
        Assert.Equal(40, f.Tcp.HeaderLength);
        Assert.Equal(26, f.Tcp.Captured);
        Assert.Equal(40, f.Tcp.Reported);
        Assert.True(f.Tcp.HasMss); // the first option was captured whole
        Assert.False(f.Tcp.HasWindowScale); // the last was not
        Assert.Empty(payload);
    }
}
