using HttpsFlow.Capture;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Capture;

/// <summary>
/// The classic libpcap format (draft-ietf-opsawg-pcap): a 24-byte file header whose magic gives the byte order and
/// the timestamp unit, then records of ts_sec, ts_usec/ts_nsec, incl_len, orig_len and the data.
/// </summary>
public class PcapReaderTests
{
    private static readonly byte[] Frame60 = PacketFactory.EthernetTcp([10, 0, 0, 1], [10, 0, 0, 2], 40000, 443, 1, 0,
        PacketFactory.Syn, 64240, payloadLength: 6);

    // Each file: the 24-byte header (magic, version 2.4, thiszone 0, sigfigs 0, snaplen 65535, linktype 1), then one
    // record of ts_sec 1700000000 (0x6553f100), fraction 123456 µs (0x0001e240) or 123456789 ns (0x075bcd15),
    // incl_len 4, orig_len 60 and the data de ad be ef. The modified format adds ifindex, protocol, pkt_type, pad.
    [Theory]
    [InlineData("little-endian microseconds",
        "d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000 00f15365 40e20100 04000000 3c000000 deadbeef",
        123_456_000, 6, "pcap")]
    [InlineData("big-endian microseconds",
        "a1b2c3d4 0002 0004 00000000 00000000 0000ffff 00000001 6553f100 0001e240 00000004 0000003c deadbeef",
        123_456_000, 6, "pcap")]
    [InlineData("little-endian nanoseconds",
        "4d3cb2a1 0200 0400 00000000 00000000 ffff0000 01000000 00f15365 15cd5b07 04000000 3c000000 deadbeef",
        123_456_789, 9, "pcap (nanosecond)")]
    [InlineData("big-endian nanoseconds",
        "a1b23c4d 0002 0004 00000000 00000000 0000ffff 00000001 6553f100 075bcd15 00000004 0000003c deadbeef",
        123_456_789, 9, "pcap (nanosecond)")]
    [InlineData("little-endian modified (24-byte record headers)",
        "34cdb2a1 0200 0400 00000000 00000000 ffff0000 01000000 00f15365 40e20100 04000000 3c000000 02000000 0008 00 00 deadbeef",
        123_456_000, 6, "pcap (modified)")]
    [InlineData("big-endian modified (24-byte record headers)",
        "a1b2cd34 0002 0004 00000000 00000000 0000ffff 00000001 6553f100 0001e240 00000004 0000003c 00000002 0800 00 00 deadbeef",
        123_456_000, 6, "pcap (modified)")]
    public void ReadsTheOneRecordOfAHandWrittenFile(string name, string fileHex, int expectedNanoseconds,
        byte expectedPrecision, string expectedFormat)
    {
        _ = name;
        var (packets, stop, reader) = CaptureFiles.ReadAll(Hex.Parse(fileHex));

        Assert.Equal(ReadOutcome.End, stop);
        Assert.Null(reader.Error);
        Assert.Equal(expectedFormat, reader.Format);
        var p = Assert.Single(packets);
        Assert.Equal(1_700_000_000, p.Time.Seconds);
        Assert.Equal(expectedNanoseconds, p.Time.Nanoseconds);
        Assert.Equal(expectedPrecision, p.TimePrecision);
        Assert.Equal([0xde, 0xad, 0xbe, 0xef], p.Data);
        Assert.Equal(60, p.OriginalLength);
        Assert.Equal(LinkTypes.Ethernet, p.LinkType);
        Assert.Equal(0, p.InterfaceId);
    }

    [Theory]
    [InlineData("little-endian microseconds", CaptureBuilder.PcapMagicMicroseconds, false, 999_999u, 999_999_000, 6)]
    [InlineData("big-endian microseconds", CaptureBuilder.PcapMagicMicroseconds, true, 1u, 1_000, 6)]
    [InlineData("little-endian nanoseconds", CaptureBuilder.PcapMagicNanoseconds, false, 999_999_999u, 999_999_999, 9)]
    [InlineData("big-endian nanoseconds", CaptureBuilder.PcapMagicNanoseconds, true, 5u, 5, 9)]
    [InlineData("little-endian modified", CaptureBuilder.PcapMagicModified, false, 250_000u, 250_000_000, 6)]
    [InlineData("big-endian modified", CaptureBuilder.PcapMagicModified, true, 250_000u, 250_000_000, 6)]
    public void ReadsEveryRecordInOrderWithItsTimestampAndData(string name, uint magic, bool bigEndian, uint fraction,
        int expectedNanoseconds, byte expectedPrecision)
    {
        _ = name;
        var file = CaptureBuilder.Pcap(magic, bigEndian)
            .Record(1_700_000_000, 0, Frame60)
            .Record(1_700_000_001, fraction, Frame60[..20])
            .Record(4_000_000_000, 0, [1, 2, 3]) // past 2038: ts_sec is unsigned
            .ToArray();

        var (packets, stop, reader) = CaptureFiles.ReadAll(file);

        Assert.Equal(ReadOutcome.End, stop);
        Assert.Equal(3, packets.Count);
        Assert.Equal(Frame60, packets[0].Data);
        Assert.Equal(new HttpsFlow.Common.Timestamp(1_700_000_000, 0), packets[0].Time);
        Assert.Equal(Frame60[..20], packets[1].Data);
        Assert.Equal(1_700_000_001, packets[1].Time.Seconds);
        Assert.Equal(expectedNanoseconds, packets[1].Time.Nanoseconds);
        Assert.Equal(4_000_000_000L, packets[2].Time.Seconds);
        Assert.All(packets, p => Assert.Equal(expectedPrecision, p.TimePrecision));
        Assert.Equal(expectedPrecision, Assert.Single(reader.Interfaces).TimePrecision);
        Assert.Equal(file.Length, reader.Position);
    }

    [Fact]
    public void SnapLengthCutsTheRecordButKeepsItsOriginalLength()
    {
        var file = CaptureBuilder.Pcap(snapLength: 64)
            .Record(1, 0, new byte[64], originalLength: 1514)
            .Record(2, 0, new byte[60])
            .ToArray();

        var (packets, stop, reader) = CaptureFiles.ReadAll(file);

        Assert.Equal(ReadOutcome.End, stop);
        Assert.Equal(64, packets[0].Data.Length);
        Assert.Equal(1514, packets[0].OriginalLength);
        Assert.Equal(60, packets[1].Data.Length);
        Assert.Equal(60, packets[1].OriginalLength);
        Assert.Equal(64u, Assert.Single(reader.Interfaces).SnapLength);
    }

    [Theory]
    [InlineData("Ethernet", 1u, 1u)]
    [InlineData("raw IP", 101u, 101u)]
    [InlineData("Linux cooked v1", 113u, 113u)]
    [InlineData("Linux cooked v2", 276u, 276u)]
    [InlineData("IPv4", 228u, 228u)]
    [InlineData("BSD loopback", 0u, 0u)]
    // draft-ietf-opsawg-pcap: the link type is the low 16 bits; bit 28 (F) and bits 29-31 (FCS length) are not part of it.
    [InlineData("Ethernet with a 4-byte FCS announced", 0x5000_0001u, 1u)]
    public void TheFileHeaderGivesTheLinkTypeOfEveryRecord(string name, uint linkTypeField, uint expected)
    {
        _ = name;
        var file = CaptureBuilder.Pcap(linkType: linkTypeField).Record(1, 0, Frame60).Record(2, 0, Frame60).ToArray();

        var (packets, _, reader) = CaptureFiles.ReadAll(file);

        Assert.All(packets, p => Assert.Equal(expected, p.LinkType));
        Assert.Equal(expected, ((PcapReader)reader).LinkType);
        Assert.Equal(expected, Assert.Single(reader.Interfaces).LinkType);
    }

    [Fact]
    public void AFileWithOnlyItsHeaderEndsCleanly()
    {
        using var reader = CaptureFiles.Open(CaptureBuilder.Pcap().ToArray());

        Assert.Equal(ReadOutcome.End, reader.Read(out _));
        Assert.Equal(ReadOutcome.End, reader.Read(out _));
        Assert.Null(reader.Error);
    }

    [Fact]
    public void AFileHeaderCutShortIsAnErrorAtByteZero()
    {
        var file = CaptureBuilder.Pcap().ToArray()[..10];

        using var reader = CaptureFiles.Open(file);

        Assert.Equal(ReadOutcome.Error, reader.Read(out _));
        Assert.Contains("header", reader.Error);
        Assert.Equal(0, reader.ErrorOffset);
    }

    [Fact]
    public void ARecordHeaderCutShortStopsWithAnErrorNamingItsOffsetAfterThePacketsBeforeIt()
    {
        var builder = CaptureBuilder.Pcap().Record(1, 0, Frame60).Record(2, 0, Frame60);
        long offset = builder.Length; // 24 + 2 × (16 + 60) = 176
        var file = builder.Raw([1, 2, 3, 4, 5, 6, 7]).ToArray();

        var (packets, stop, reader) = CaptureFiles.ReadAll(file);

        Assert.Equal(2, packets.Count);
        Assert.Equal(ReadOutcome.Error, stop);
        Assert.Equal(176, offset);
        Assert.Contains($"byte {offset}", reader.Error);
        Assert.Equal(offset, reader.ErrorOffset);
        Assert.Equal(ReadOutcome.Error, reader.Read(out _)); // an error is final
    }

    [Fact]
    public void RecordDataCutShortStopsWithAnErrorNamingTheRecordOffset()
    {
        var builder = CaptureBuilder.Pcap().Record(1, 0, Frame60);
        long offset = builder.Length;
        var file = builder.Record(2, 0, new byte[40], originalLength: 100, includedLength: 100).ToArray();

        var (packets, stop, reader) = CaptureFiles.ReadAll(file);

        Assert.Equal(Frame60, Assert.Single(packets).Data);
        Assert.Equal(ReadOutcome.Error, stop);
        Assert.Contains($"byte {offset}", reader.Error);
        Assert.Equal(offset, reader.ErrorOffset);
    }

    [Fact]
    public void ARecordLongerThanTheLimitIsAnErrorNotAHugeAllocation()
    {
        var builder = CaptureBuilder.Pcap().Record(1, 0, Frame60);
        long offset = builder.Length;
        var file = builder.Record(2, 0, new byte[16], includedLength: PcapReader.MaxRecordLength + 1u).ToArray();

        var (packets, stop, reader) = CaptureFiles.ReadAll(file);

        Assert.Single(packets);
        Assert.Equal(ReadOutcome.Error, stop);
        Assert.Contains("limit", reader.Error);
        Assert.Contains($"byte {offset}", reader.Error);
    }

    [Fact]
    public void ARecordOfExactlyTheLimitIsRead()
    {
        var big = new byte[PcapReader.MaxRecordLength];
        big[^1] = 0x5a;
        var file = CaptureBuilder.Pcap().Record(1, 0, big).Record(2, 0, Frame60).ToArray();

        using var reader = CaptureFiles.Open(file);

        Assert.Equal(ReadOutcome.Packet, reader.Read(out var first));
        Assert.Equal(PcapReader.MaxRecordLength, first.Data.Length);
        Assert.Equal(0x5a, first.Data[^1]);
        Assert.Equal(ReadOutcome.Packet, reader.Read(out var second));
        Assert.Equal(Frame60.Length, second.Data.Length);
    }

    [Theory]
    [InlineData("microseconds", CaptureBuilder.PcapMagicMicroseconds, "pcap (gzip)")]
    [InlineData("nanoseconds", CaptureBuilder.PcapMagicNanoseconds, "pcap (nanosecond) (gzip)")]
    [InlineData("modified", CaptureBuilder.PcapMagicModified, "pcap (modified) (gzip)")]
    public void AGzipCompressedFileIsReadAsIfItWereNot(string name, uint magic, string expectedFormat)
    {
        _ = name;
        var plain = CaptureBuilder.Pcap(magic).Record(1, 2, Frame60).Record(3, 4, Frame60[..30], originalLength: 60).ToArray();

        var (expected, _, _) = CaptureFiles.ReadAll(plain);
        var (packets, stop, reader) = CaptureFiles.ReadAll(CaptureBuilder.Gzip(plain));

        Assert.Equal(ReadOutcome.End, stop);
        Assert.Equal(expectedFormat, reader.Format);
        Assert.Equal(2, packets.Count);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(expected[i].Data, packets[i].Data);
            Assert.Equal(expected[i].Time, packets[i].Time);
            Assert.Equal(expected[i].OriginalLength, packets[i].OriginalLength);
        }
        Assert.Equal(plain.Length, reader.Position); // offsets count the uncompressed bytes
    }

    [Fact]
    public void AGzipCompressedPcapNgFileSaysSo()
    {
        var plain = CaptureBuilder.PcapNg().SectionHeader().InterfaceDescription(1).EnhancedPacket(0, 1_000_000, Frame60).ToArray();

        var (packets, stop, reader) = CaptureFiles.ReadAll(CaptureBuilder.Gzip(plain));

        Assert.Equal(ReadOutcome.End, stop);
        Assert.Equal("pcapng (gzip)", reader.Format);
        Assert.Equal(Frame60, Assert.Single(packets).Data);
    }

    /// <summary>
    /// A capture large enough that damage deep inside its gzip form comes after many packets. The records are random
    /// letters: compressible, so deflate codes them with Huffman blocks in which damaged bits break decoding where
    /// they are (stored blocks would only fail the CRC at the very end).
    /// </summary>
    private static byte[] LargeCapture(int records)
    {
        var random = new Random(1234);
        var builder = CaptureBuilder.Pcap();
        var data = new byte[1000];
        for (int i = 0; i < records; i++)
        {
            for (int j = 0; j < data.Length; j++) data[j] = (byte)('a' + random.Next(16));
            builder.Record((uint)i, 0, data);
        }
        return builder.ToArray();
    }

    [Fact]
    public void CorruptGzipDataDeepInTheFileEndsWithAnErrorAfterThePacketsBeforeIt()
    {
        var gz = CaptureBuilder.Gzip(LargeCapture(2000));
        int at = gz.Length * 3 / 4;
        for (int i = 0; i < 64; i++) gz[at + i] ^= 0xff;

        List<ReadPacket>? packets = null;
        ReadOutcome stop = default;
        CaptureReader? reader = null;
        var thrown = Record.Exception(() => (packets, stop, reader) = CaptureFiles.ReadAll(gz));

        Assert.Null(thrown);
        Assert.Equal(ReadOutcome.Error, stop);
        Assert.NotNull(reader!.Error);
        Assert.NotEmpty(packets!);
        Assert.True(packets!.Count < 2000);
    }

    [Fact]
    public void AGzipFileCutShortEndsWithAnErrorAfterThePacketsBeforeIt()
    {
        var gz = CaptureBuilder.Gzip(LargeCapture(2000));

        var (packets, stop, reader) = CaptureFiles.ReadAll(gz[..(gz.Length / 2)]);

        Assert.Equal(ReadOutcome.Error, stop);
        Assert.NotNull(reader.Error);
        Assert.NotEmpty(packets);
        Assert.True(packets.Count < 2000);
    }

    [Fact]
    public void AGzipHeaderWithAnUnknownCompressionMethodIsReportedNotThrownAsAnInternalException()
    {
        // RFC 1952 §2.3: ID1 ID2 CM FLG MTIME XFL OS; CM 8 is deflate, 7 is reserved.
        var gz = CaptureBuilder.Gzip(CaptureBuilder.Pcap().Record(1, 0, Frame60).ToArray());
        gz[2] = 7;

        var thrown = Record.Exception(() =>
        {
            using var reader = CaptureFiles.Open(gz);
            var (_, stop) = CaptureFiles.ReadAll(reader);
            Assert.Equal(ReadOutcome.Error, stop);
            Assert.NotNull(reader.Error);
        });

        // Either Open refuses it as not a capture, or reading reports the error; nothing else escapes.
        Assert.True(thrown is null or CaptureOpenException, $"escaped: {thrown?.GetType().Name}: {thrown?.Message}");
    }

    [Theory]
    [InlineData("an HTML page", "<!DOCTYPE html><html>", "3c 21 44 4f", "<!DO")]
    [InlineData("a text file", "hello, world", "68 65 6c 6c", "hell")]
    public void TextThatIsNotACaptureIsRefusedWithItsFirstBytes(string name, string content, string hex, string text)
    {
        _ = name;
        var ex = Assert.Throws<CaptureOpenException>(() =>
            CaptureFiles.Open(System.Text.Encoding.ASCII.GetBytes(content)));

        Assert.Contains(hex, ex.Message);
        Assert.Contains(text, ex.Message);
    }

    [Fact]
    public void BinaryThatIsNotACaptureIsRefusedWithItsFirstBytes()
    {
        var ex = Assert.Throws<CaptureOpenException>(() => CaptureFiles.Open([0x00, 0x01, 0x02, 0x03, 0x04, 0x05]));

        Assert.Contains("00 01 02 03", ex.Message);
    }

    [Fact]
    public void AnEmptyStreamIsRefused()
    {
        var ex = Assert.Throws<CaptureOpenException>(() => CaptureFiles.Open([]));

        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public void AStreamShorterThanAMagicNumberIsRefused()
    {
        var ex = Assert.Throws<CaptureOpenException>(() => CaptureFiles.Open([0xd4, 0xc3]));

        Assert.Contains("2 bytes", ex.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DisposingTheReaderClosesTheStreamOnlyWhenItOwnsIt(bool ownsStream)
    {
        var stream = new MemoryStream(CaptureBuilder.Pcap().Record(1, 0, Frame60).ToArray());

        var reader = CaptureReader.Open(stream, ownsStream);
        reader.Dispose();

        Assert.Equal(!ownsStream, stream.CanRead);
    }

    [Fact]
    public void ThePacketsAreTheBytesOfTheRecordsEvenWhenTheStreamDeliversOneByteAtATime()
    {
        var file = CaptureBuilder.Pcap().Record(1, 0, Frame60).Record(2, 0, Frame60[..33]).ToArray();

        using var reader = CaptureReader.Open(new TrickleStream(file), ownsStream: true);
        var (packets, stop) = CaptureFiles.ReadAll(reader);

        Assert.Equal(ReadOutcome.End, stop);
        Assert.Equal(Frame60, packets[0].Data);
        Assert.Equal(Frame60[..33], packets[1].Data);
    }

    /// <summary>A stream that returns at most one byte per read, as a slow pipe may.</summary>
    private sealed class TrickleStream(byte[] data) : ReadOnlyTestStream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (count == 0 || Pos >= data.Length) return 0;
            buffer[offset] = data[Pos++];
            return 1;
        }
    }
}
