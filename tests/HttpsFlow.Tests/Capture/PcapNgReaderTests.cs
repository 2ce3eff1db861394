using System.Text;
using HttpsFlow.Capture;
using HttpsFlow.Common;
using HttpsFlow.Tests.TestSupport;
using Option = HttpsFlow.Tests.TestSupport.CaptureBuilder.Option;

namespace HttpsFlow.Tests.Capture;

/// <summary>
/// The pcapng format (draft-ietf-opsawg-pcapng): sections opened by a Section Header Block whose byte-order magic
/// fixes the byte order, interfaces described per section, packets in Enhanced, Simple or (obsolete) Packet blocks.
/// Timestamp expectations come from tshark 4.0.17 reading the same files.
/// </summary>
public class PcapNgReaderTests
{
    private static readonly byte[] Frame60 = PacketFactory.EthernetTcp([10, 0, 0, 1], [10, 0, 0, 2], 40000, 443, 1, 0,
        PacketFactory.Syn, 64240, payloadLength: 6);

    /// <summary>SHB, IDB (Ethernet, snap length 262144) and an EPB whose data is 4 bytes, at the given section byte order.</summary>
    private static CaptureBuilder.PcapNgFile OnePacketFile(bool bigEndian = false) => CaptureBuilder.PcapNg()
        .SectionHeader(bigEndian)
        .InterfaceDescription(1, 262144)
        .EnhancedPacket(0, 1_000_000, [0xde, 0xad, 0xbe, 0xef]);

    // SHB: type, length 28, byte-order magic, version 1.0, section length -1. IDB: length 20, link type 1, snap length
    // 262144. EPB: length 36, interface 0, timestamp 1700000000123456 µs (0x00060a24 18202240), captured 4, original 60.
    [Theory]
    [InlineData("little-endian section",
        "0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000" +
        "01000000 14000000 0100 0000 00000400 14000000" +
        "06000000 24000000 00000000 240a0600 40222018 04000000 3c000000 deadbeef 24000000")]
    [InlineData("big-endian section",
        "0a0d0d0a 0000001c 1a2b3c4d 0001 0000 ffffffffffffffff 0000001c" +
        "00000001 00000014 0001 0000 00040000 00000014" +
        "00000006 00000024 00000000 00060a24 18202240 00000004 0000003c deadbeef 00000024")]
    public void ReadsAHandWrittenSectionInEitherByteOrder(string name, string fileHex)
    {
        _ = name;
        var (packets, stop, reader) = CaptureFiles.ReadAll(Hex.Parse(fileHex));

        Assert.Equal(ReadOutcome.End, stop);
        Assert.Null(reader.Error);
        Assert.Equal("pcapng", reader.Format);
        var p = Assert.Single(packets);
        Assert.Equal(new Timestamp(1_700_000_000, 123_456_000), p.Time);
        Assert.Equal(6, p.TimePrecision);
        Assert.Equal([0xde, 0xad, 0xbe, 0xef], p.Data);
        Assert.Equal(60, p.OriginalLength);
        Assert.Equal(LinkTypes.Ethernet, p.LinkType);
        Assert.Equal(new CaptureInterface(1, 262144, null, 6), Assert.Single(reader.Interfaces));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsPacketsAndTheInterfaceNameOfASectionInEitherByteOrder(bool bigEndian)
    {
        var file = CaptureBuilder.PcapNg()
            .SectionHeader(bigEndian)
            .InterfaceDescription(1, 65535, Option.IfName("eth0"))
            .EnhancedPacket(0, 1_700_000_000_000_001, Frame60)
            .EnhancedPacket(0, 1_700_000_001_999_999, Frame60[..40], originalLength: 60)
            .ToArray();

        var (packets, stop, reader) = CaptureFiles.ReadAll(file);

        Assert.Equal(ReadOutcome.End, stop);
        Assert.Equal(2, packets.Count);
        Assert.Equal(Frame60, packets[0].Data);
        Assert.Equal(new Timestamp(1_700_000_000, 1_000), packets[0].Time);
        Assert.Equal(Frame60[..40], packets[1].Data);
        Assert.Equal(60, packets[1].OriginalLength);
        Assert.Equal(new Timestamp(1_700_000_001, 999_999_000), packets[1].Time);
        Assert.Equal(new CaptureInterface(1, 65535, "eth0", 6), Assert.Single(reader.Interfaces));
        Assert.Equal(file.Length, reader.Position);
    }

    [Fact]
    public void EachSectionHasItsOwnByteOrderAndItsOwnInterfaces()
    {
        var file = CaptureBuilder.PcapNg()
            .SectionHeader(bigEndian: false)
            .InterfaceDescription(1)
            .InterfaceDescription(101)
            .EnhancedPacket(1, 1_000_000, [0x45, 0, 0, 20])
            .SectionHeader(bigEndian: true)
            .InterfaceDescription(113)
            .EnhancedPacket(0, 2_000_000, Frame60)
            .ToArray();

        var (packets, stop, reader) = CaptureFiles.ReadAll(file);

        Assert.Equal(ReadOutcome.End, stop);
        Assert.Equal(2, packets.Count);
        Assert.Equal((1, 101u), (packets[0].InterfaceId, packets[0].LinkType));
        // Interface 0 of the second section is its own first interface, not the first section's.
        Assert.Equal((0, 113u), (packets[1].InterfaceId, packets[1].LinkType));
        Assert.Equal(new Timestamp(2, 0), packets[1].Time);
        Assert.Equal(Frame60, packets[1].Data);
        Assert.Equal([1u, 101u, 113u], reader.Interfaces.Select(i => i.LinkType));
    }

    [Fact]
    public void AnInterfaceOfAnEarlierSectionCannotBeNamedInALaterOne()
    {
        var builder = CaptureBuilder.PcapNg()
            .SectionHeader(bigEndian: false)
            .InterfaceDescription(1)
            .InterfaceDescription(101)
            .SectionHeader(bigEndian: true)
            .InterfaceDescription(113)
            .EnhancedPacket(0, 2_000_000, Frame60);
        long offset = builder.Length;
        var file = builder.EnhancedPacket(1, 3_000_000, Frame60).ToArray();

        var (packets, stop, reader) = CaptureFiles.ReadAll(file);

        Assert.Single(packets);
        Assert.Equal(ReadOutcome.Error, stop);
        Assert.Contains("interface 1", reader.Error);
        Assert.Equal(offset, reader.ErrorOffset);
    }

    [Fact]
    public void EveryPacketCarriesTheLinkTypeOfItsOwnInterface()
    {
        var file = CaptureBuilder.PcapNg()
            .SectionHeader()
            .InterfaceDescription(1, options: Option.IfName("eth0"))
            .InterfaceDescription(101, options: Option.IfName("tun0"))
            .InterfaceDescription(276, options: Option.IfName("any"))
            .EnhancedPacket(2, 1_000_000, [1])
            .EnhancedPacket(0, 2_000_000, [2])
            .EnhancedPacket(1, 3_000_000, [3])
            .ToArray();

        var (packets, _, reader) = CaptureFiles.ReadAll(file);

        Assert.Equal([(2, 276u), (0, 1u), (1, 101u)], packets.Select(p => (p.InterfaceId, p.LinkType)));
        Assert.Equal(["eth0", "tun0", "any"], reader.Interfaces.Select(i => i.Name));
    }

    // if_tsresol: bit 7 clear gives 10^-n seconds per unit, set gives 2^-n. Seconds and nanoseconds are what tshark 4.0.17
    // shows as frame.time_epoch for the same ticks (sub-nanosecond parts truncated).
    [Theory]
    [InlineData("no option: microseconds", -1, 1_500_000UL, 1L, 500_000_000)]
    [InlineData("10^-9", 9, 2_123_456_789UL, 2L, 123_456_789)]
    [InlineData("10^-3", 3, 2_123UL, 2L, 123_000_000)]
    [InlineData("10^-1", 1, 27UL, 2L, 700_000_000)]
    [InlineData("10^0", 0, 3UL, 3L, 0)]
    [InlineData("10^-5", 5, 200_001UL, 2L, 10_000)]
    [InlineData("10^-7", 7, 20_000_001UL, 2L, 100)]
    [InlineData("10^-12", 12, 1_000_000_001_999UL, 1L, 1)]
    [InlineData("2^-10", 0x8a, 6 * 1024 + 1UL, 6L, 976_562)]
    [InlineData("2^-10, half a second", 0x8a, 5 * 1024 + 512UL, 5L, 500_000_000)]
    [InlineData("2^-20", 0x94, 2 * 1_048_576 + 3UL, 2L, 2_861)]
    [InlineData("2^-30", 0x9e, 3 * 1_073_741_824UL + 536_870_912UL, 3L, 500_000_000)]
    public void TheTimestampResolutionConvertsTicksToSecondsAndNanoseconds(string name, int tsresol, ulong ticks,
        long seconds, int nanoseconds)
    {
        _ = name;
        var options = tsresol < 0 ? Array.Empty<Option>() : [Option.IfTsResol((byte)tsresol)];
        var file = CaptureBuilder.PcapNg().SectionHeader().InterfaceDescription(1, 0, options)
            .EnhancedPacket(0, ticks, Frame60).ToArray();

        var (packets, _, _) = CaptureFiles.ReadAll(file);

        Assert.Equal(new Timestamp(seconds, nanoseconds), Assert.Single(packets).Time);
    }

    // Wireshark keeps one of the precisions s, ds, cs, ms, µs, ns: the coarsest the interface's units per second reach
    // (wiretap/pcapng.c: units >= 10^9 → ns, >= 10^6 → µs, >= 1000 → ms, >= 100 → cs, >= 10 → ds, else s). tshark 4.0.17
    // prints 2^-10 and 10^-5 captures with 3 decimals, 10^-7 and 2^-20 ones with 6.
    [Theory]
    [InlineData("no option: microseconds", -1, 6)]
    [InlineData("10^-9", 9, 9)]
    [InlineData("10^-12", 12, 9)]
    [InlineData("10^-7", 7, 6)]
    [InlineData("10^-6", 6, 6)]
    [InlineData("10^-5", 5, 3)]
    [InlineData("10^-4", 4, 3)]
    [InlineData("10^-3", 3, 3)]
    [InlineData("10^-2", 2, 2)]
    [InlineData("10^-1", 1, 1)]
    [InlineData("10^0", 0, 0)]
    [InlineData("2^-10 (1024 units a second)", 0x8a, 3)]
    [InlineData("2^-20", 0x94, 6)]
    [InlineData("2^-30", 0x9e, 9)]
    public void TheTimePrecisionIsTheCoarsestThatTheResolutionReaches(string name, int tsresol, byte precision)
    {
        _ = name;
        var options = tsresol < 0 ? Array.Empty<Option>() : [Option.IfTsResol((byte)tsresol)];
        var file = CaptureBuilder.PcapNg().SectionHeader().InterfaceDescription(1, 0, options)
            .EnhancedPacket(0, 1, Frame60).ToArray();

        var (packets, _, reader) = CaptureFiles.ReadAll(file);

        Assert.Equal(precision, Assert.Single(packets).TimePrecision);
        Assert.Equal(precision, Assert.Single(reader.Interfaces).TimePrecision);
    }

    [Theory]
    [InlineData("a positive offset", 1_700_000_000L, 1_500_000UL, 1_700_000_001L, 500_000_000)]
    [InlineData("a negative offset", -3_600L, 7_200_000_000UL, 3_600L, 0)]
    public void TheTimestampOffsetIsAddedInSeconds(string name, long offset, ulong microseconds, long seconds, int nanoseconds)
    {
        _ = name;
        foreach (bool bigEndian in new[] { false, true })
        {
            var file = CaptureBuilder.PcapNg().SectionHeader(bigEndian)
                .InterfaceDescription(1, 0, Option.IfTsResol(6), Option.IfTsOffset(offset))
                .EnhancedPacket(0, microseconds, Frame60).ToArray();

            var (packets, _, _) = CaptureFiles.ReadAll(file);

            Assert.Equal(new Timestamp(seconds, nanoseconds), Assert.Single(packets).Time);
        }
    }

    // A Simple Packet Block does not store the captured length: it is the original length, cut by the interface's snap
    // length and by the room the block has (not counting the padding to 4 bytes).
    [Theory]
    [InlineData("the whole packet", 0u, 60, 60u, 60)]
    [InlineData("the snap length cut it", 64u, 64, 1514u, 64)]
    [InlineData("the block holds less than the original", 0u, 40, 100u, 40)]
    [InlineData("padding is not packet data", 0u, 30, 30u, 30)]
    [InlineData("a snap length below what the block holds", 16u, 32, 32u, 16)]
    public void ASimplePacketIsCutToTheSmallestOfItsLengthTheSnapLengthAndTheBlock(string name, uint snapLength,
        int bytesInBlock, uint originalLength, int expectedCaptured)
    {
        _ = name;
        var data = Enumerable.Range(1, bytesInBlock).Select(i => (byte)i).ToArray();
        var file = CaptureBuilder.PcapNg().SectionHeader()
            .InterfaceDescription(113, snapLength, Option.IfTsResol(9))
            .SimplePacket(data, originalLength).ToArray();

        var (packets, stop, _) = CaptureFiles.ReadAll(file);

        Assert.Equal(ReadOutcome.End, stop);
        var p = Assert.Single(packets);
        Assert.Equal(data[..expectedCaptured], p.Data);
        Assert.Equal((int)originalLength, p.OriginalLength);
        Assert.Equal(113u, p.LinkType);
        Assert.Equal(0, p.InterfaceId);
        Assert.Equal(9, p.TimePrecision);
        Assert.Equal(default, p.Time); // a simple packet has no timestamp
    }

    [Fact]
    public void ASimplePacketBeforeAnyInterfaceIsAnError()
    {
        var builder = CaptureBuilder.PcapNg().SectionHeader();
        long offset = builder.Length;
        var file = builder.SimplePacket(Frame60, 60).ToArray();

        var (packets, stop, reader) = CaptureFiles.ReadAll(file);

        Assert.Empty(packets);
        Assert.Equal(ReadOutcome.Error, stop);
        Assert.Contains("interface", reader.Error);
        Assert.Equal(offset, reader.ErrorOffset);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheObsoletePacketBlockHasASixteenBitInterfaceAndADropsCount(bool bigEndian)
    {
        var file = CaptureBuilder.PcapNg().SectionHeader(bigEndian)
            .InterfaceDescription(1)
            .InterfaceDescription(101)
            .ObsoletePacket(interfaceId: 1, drops: 5, timestamp: 1_700_000_000_250_000, Frame60[..30], originalLength: 60)
            .ObsoletePacket(interfaceId: 0, drops: 0xffff, timestamp: 1_700_000_001_000_000, Frame60)
            .ToArray();

        var (packets, stop, _) = CaptureFiles.ReadAll(file);

        Assert.Equal(ReadOutcome.End, stop);
        Assert.Equal(2, packets.Count);
        Assert.Equal((1, 101u), (packets[0].InterfaceId, packets[0].LinkType));
        Assert.Equal(new Timestamp(1_700_000_000, 250_000_000), packets[0].Time);
        Assert.Equal(Frame60[..30], packets[0].Data);
        Assert.Equal(60, packets[0].OriginalLength);
        Assert.Equal((0, 1u), (packets[1].InterfaceId, packets[1].LinkType));
        Assert.Equal(Frame60, packets[1].Data);
    }

    [Fact]
    public void NameResolutionStatisticsCustomAndUnknownBlocksAreSkipped()
    {
        var file = CaptureBuilder.PcapNg().SectionHeader()
            .InterfaceDescription(1)
            .NameResolution([10, 0, 0, 1], "client.example")
            .EnhancedPacket(0, 1_000_000, Frame60)
            .InterfaceStatistics(0, 1_500_000, received: 2, dropped: 0)
            .Custom(CaptureBuilder.CustomBlockCopiable, 32473, Encoding.ASCII.GetBytes("copiable"))
            .Custom(CaptureBuilder.CustomBlockNotCopiable, 32473, Encoding.ASCII.GetBytes("not copiable!"))
            .Block(0x00000099, new byte[12]) // a type no one defined
            .Block(0x8000abcd, new byte[8])  // local use
            .EnhancedPacket(0, 2_000_000, Frame60[..20])
            .ToArray();

        var (packets, stop, reader) = CaptureFiles.ReadAll(file);

        Assert.Equal(ReadOutcome.End, stop);
        Assert.Null(reader.Error);
        Assert.Equal([Frame60, Frame60[..20]], packets.Select(p => p.Data));
        Assert.Empty(reader.Secrets);
    }

    [Fact]
    public void DecryptionSecretsAreKeptAndAnnouncedBeforeThePacketsThatFollowThem()
    {
        // 41 bytes: the block pads them to 44, the secrets stay 41.
        var keyLog = Encoding.ASCII.GetBytes("CLIENT_RANDOM 0102 0304\nSERVER_KEY 05 06\n\n");
        var wireGuard = Encoding.ASCII.GetBytes("LOCAL_STATIC_PRIVATE_KEY = x\n");
        var file = CaptureBuilder.PcapNg().SectionHeader()
            .InterfaceDescription(1)
            .EnhancedPacket(0, 1_000_000, Frame60)
            .DecryptionSecrets(DecryptionSecrets.TlsKeyLog, keyLog)
            .EnhancedPacket(0, 2_000_000, Frame60)
            .DecryptionSecrets(DecryptionSecrets.WireGuardKeyLog, wireGuard)
            .EnhancedPacket(0, 3_000_000, Frame60)
            .ToArray();

        using var reader = CaptureFiles.Open(file);
        var announced = new List<(int PacketsBefore, DecryptionSecrets Secrets)>();
        int read = 0;
        reader.SecretsFound += s => announced.Add((read, s));
        while (reader.Read(out _) == ReadOutcome.Packet) read++;

        Assert.Equal(3, read);
        Assert.Equal(0x544c534bu, DecryptionSecrets.TlsKeyLog); // "TLSK"
        Assert.Equal(2, reader.Secrets.Count);
        Assert.Equal(DecryptionSecrets.TlsKeyLog, reader.Secrets[0].SecretsType);
        Assert.Equal(keyLog, reader.Secrets[0].Data);
        Assert.Equal(DecryptionSecrets.WireGuardKeyLog, reader.Secrets[1].SecretsType);
        Assert.Equal(wireGuard, reader.Secrets[1].Data);
        Assert.Equal([1, 2], announced.Select(a => a.PacketsBefore));
        Assert.Same(reader.Secrets[0], announced[0].Secrets);
    }

    // Each vector is the block that follows a good section (SHB, IDB for interface 0, one EPB), in little-endian order.
    // The reader must return the packet before it, then stop with an error that names the block's offset.
    [Theory]
    [InlineData("block length not a multiple of 4", "length",
        "06000000 1e000000 00000000 00000000 00000000 00000000 00000000 0000 1e000000")]
    [InlineData("block length below 12", "length",
        "06000000 08000000 08000000 00000000")]
    [InlineData("trailing length differs from the leading one", "length",
        "06000000 24000000 00000000 00000000 00000000 04000000 04000000 deadbeef 28000000")]
    [InlineData("packet names an interface the section does not describe", "interface",
        "06000000 24000000 05000000 00000000 00000000 04000000 04000000 deadbeef 24000000")]
    [InlineData("obsolete packet names an interface the section does not describe", "interface",
        "02000000 24000000 0300 0000 00000000 00000000 04000000 04000000 deadbeef 24000000")]
    [InlineData("captured length larger than the block", "100",
        "06000000 24000000 00000000 00000000 00000000 64000000 64000000 deadbeef 24000000")]
    [InlineData("enhanced packet block too short for its fields", "short",
        "06000000 10000000 00000000 10000000")]
    [InlineData("block cut short by the end of the file", "cut short",
        "06000000 40000000 00000000 00000000 00000000 20000000 20000000")]
    [InlineData("block header cut short by the end of the file", "cut short",
        "06000000 40000000")]
    [InlineData("block longer than the limit", "limit",
        "06000000 fcffff7f 00000000 00000000")]
    [InlineData("section header with a bad byte-order magic", "magic",
        "0a0d0d0a 1c000000 44332211 0100 0000 ffffffffffffffff 1c000000")]
    [InlineData("section header of version 2.0", "2.0",
        "0a0d0d0a 1c000000 4d3c2b1a 0200 0000 ffffffffffffffff 1c000000")]
    public void ADamagedBlockStopsReadingWithAnErrorAtItsOffset(string name, string errorMentions, string blockHex)
    {
        _ = name;
        var builder = CaptureBuilder.PcapNg().SectionHeader().InterfaceDescription(1).EnhancedPacket(0, 1_000_000, Frame60);
        long offset = builder.Length;
        var file = builder.Raw(Hex.Parse(blockHex)).ToArray();

        var (packets, stop, reader) = CaptureFiles.ReadAll(file);

        Assert.Equal(Frame60, Assert.Single(packets).Data);
        Assert.Equal(ReadOutcome.Error, stop);
        Assert.Contains(errorMentions, reader.Error);
        Assert.Contains($"byte {offset}", reader.Error);
        Assert.Equal(offset, reader.ErrorOffset);
        Assert.Equal(ReadOutcome.Error, reader.Read(out _));
    }

    [Fact]
    public void ABlockBeforeAnySectionHeaderIsAnError()
    {
        // Open only hands a stream to the pcapng reader when it starts with a section header; the reader still
        // refuses a stream that does not.
        var file = CaptureBuilder.PcapNg().SectionHeader().InterfaceDescription(1).EnhancedPacket(0, 1, Frame60).ToArray();
        var withoutSectionHeader = file[28..]; // the SHB written with no options is 28 bytes

        using var reader = new PcapNgReader(new ByteSource(new MemoryStream(withoutSectionHeader), ownsStream: true));

        Assert.Equal(ReadOutcome.Error, reader.Read(out _));
        Assert.Contains("section header", reader.Error);
        Assert.Equal(0, reader.ErrorOffset);
    }

    [Fact]
    public void AFileWithOnlyASectionHeaderEndsCleanly()
    {
        var (packets, stop, reader) = CaptureFiles.ReadAll(CaptureBuilder.PcapNg().SectionHeader().ToArray());

        Assert.Empty(packets);
        Assert.Equal(ReadOutcome.End, stop);
        Assert.Null(reader.Error);
    }

    [Fact]
    public void TheBuilderWritesTheBytesOfTheHandWrittenVector()
    {
        // The builder's one-packet file is exactly the hand-written little-endian vector above, apart from the
        // timestamp, snap length and original length it was given.
        var built = OnePacketFile().ToArray();

        Assert.Equal(28 + 20 + 36, built.Length);
        Assert.Equal(Hex.Parse("0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000"), built[..28]);
        Assert.Equal(Hex.Parse("01000000 14000000 0100 0000 00000400 14000000"), built[28..48]);
        Assert.Equal(Hex.Parse("06000000 24000000 00000000 00000000 40420f00 04000000 04000000 deadbeef 24000000"), built[48..]);
    }
}
