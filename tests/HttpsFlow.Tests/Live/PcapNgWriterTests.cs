using System.Text;
using HttpsFlow.Capture;
using HttpsFlow.Common;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Live;

/// <summary>The pcapng writer: what it writes reads back identically, by HttpsFlow and by tshark.</summary>
public class PcapNgWriterTests : IDisposable
{
    private readonly DirectoryInfo _tmp = Directory.CreateTempSubdirectory("httpsflow-pcapng");

    public void Dispose() => _tmp.Delete(true);

    private static byte[] Packet(ushort sport, ushort dport, uint seq, ushort flags) =>
        PacketFactory.EthernetTcp([127, 0, 0, 1], [127, 0, 0, 1], sport, dport, seq, 0, flags, 65535);

    [Fact]
    public void PacketsSecretsAndInterfaceReadBack()
    {
        string path = Path.Combine(_tmp.FullName, "w.pcapng");
        var p1 = Packet(50000, 443, 1000, 0x002);
        var p2 = Packet(443, 50000, 5000, 0x012);
        var secrets = Encoding.ASCII.GetBytes("CLIENT_RANDOM " + new string('a', 64) + " " + new string('b', 96) + "\n");
        using (var w = new PcapNgWriter(File.Create(path), "HttpsFlow test"))
        {
            int id = w.AddInterface(1, "lo");
            w.WriteTlsKeyLog(secrets);
            w.WritePacket(id, new Timestamp(1_700_000_000, 123_456_789), p1, p1.Length);
            w.WritePacket(id, new Timestamp(1_700_000_001, 5), p2.AsSpan(0, 40), p2.Length); // cut by a snap length
            Assert.Equal(2, w.Packets);
        }
        using var reader = CaptureReader.Open(path);
        Assert.Equal(ReadOutcome.Packet, reader.Read(out var a));
        Assert.Equal(p1, a.Data.ToArray());
        Assert.Equal(new Timestamp(1_700_000_000, 123_456_789), a.Time);
        Assert.Equal(9, a.TimePrecision);
        Assert.Equal(ReadOutcome.Packet, reader.Read(out var b));
        Assert.Equal(40, b.Data.Length);
        Assert.Equal(p2.Length, b.OriginalLength);
        Assert.Equal(new Timestamp(1_700_000_001, 5), b.Time);
        Assert.Equal(ReadOutcome.End, reader.Read(out _));
        Assert.Null(reader.Error);
        Assert.Equal(secrets, Assert.Single(reader.Secrets).Data);
        Assert.Equal("lo", ((PcapNgReader)reader).InterfaceName(0));
    }

    [Fact]
    public void TsharkReadsItWithoutWarnings()
    {
        string path = Path.Combine(_tmp.FullName, "t.pcapng");
        using (var w = new PcapNgWriter(File.Create(path), "HttpsFlow test"))
        {
            int id = w.AddInterface(1, "lo");
            var p = Packet(50000, 443, 1, 0x002);
            w.WritePacket(id, new Timestamp(1_700_000_000, 1), p, p.Length);
        }
        if (LiveTestSupport.TsharkReads(path) is not { } result) return; // tshark not installed
        Assert.Equal(0, result.Exit);
        Assert.Equal("", result.Stderr);
        string? fields = Repo.Tshark("-r", path, "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.interface_name", "-e", "tcp.srcport");
        Assert.Equal("1700000000.000000001\tlo\t50000\n", fields);
    }

    [Fact]
    public void AnUnknownInterfaceIsRefused()
    {
        using var w = new PcapNgWriter(new MemoryStream(), "HttpsFlow test");
        Assert.Throws<ArgumentOutOfRangeException>(() => w.WritePacket(0, default, [1, 2, 3], 3));
    }
}
