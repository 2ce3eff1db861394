using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tree;

namespace HttpsFlow.Tests.Tree;

/// <summary>Cut and damaged packets: the tree never throws and says what tshark says.</summary>
public class TreeRobustnessTests
{
    private static readonly byte[] A = [10, 0, 0, 1], B = [10, 0, 0, 2];

    private static byte[] ClientHelloSegment()
    {
        byte[] hello = [0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03, .. new byte[32], 0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x00];
        var tcp = PacketFactory.Tcp(A, B, 50000, 443, 1000, 0, 0x18, 65535, default, hello.Length);
        hello.CopyTo(tcp, 20);
        return PacketFactory.Ethernet(PacketFactory.ServerMac, PacketFactory.ClientMac, 0x0800, PacketFactory.Ipv4(A, B, 6, tcp));
    }

    private static List<TreeSupport.Built> Build(byte[] packet, int? original = null, uint snap = 262144)
    {
        var pcap = CaptureBuilder.Pcap(snapLength: snap).Record(1, 0, packet, (uint)(original ?? packet.Length));
        return TreeSupport.BuildAll(new MemoryStream(pcap.ToArray()));
    }

    [Fact]
    public void EveryCutOfAPacketGivesATree()
    {
        var whole = ClientHelloSegment();
        for (int n = 0; n <= whole.Length; n++)
        {
            foreach (bool bySnap in new[] { true, false })
            {
                var cut = whole[..n];
                var built = Build(cut, bySnap ? whole.Length : n);
                var roots = Assert.Single(built).Roots;
                foreach (var (node, _, _) in TreeSupport.Walk(roots))
                    Assert.True(node.Offset + node.Length <= n, $"cut {n}: '{node.Label}' past the end");
                Assert.DoesNotContain(roots, r => r.Label.Contains("httpsflow", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void ASnapLengthCutSaysPacketSizeLimited()
    {
        var whole = ClientHelloSegment();
        var roots = Build(whole[..40], whole.Length).Single().Roots;
        Assert.Contains(roots, r => r.Label.StartsWith("[Packet size limited during capture", StringComparison.Ordinal));
    }

    [Fact]
    public void AHeaderThatClaimsTooMuchSaysMalformed()
    {
        var packet = ClientHelloSegment();
        packet[14 + 20 + 12] = 0x20; // TCP data offset 2 words: less than the 20-byte minimum
        var roots = Build(packet).Single().Roots;
        Assert.Contains(roots, r => r.Label.StartsWith("[Malformed Packet", StringComparison.Ordinal));
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(7);
        for (int i = 0; i < 300; i++)
        {
            var packet = ClientHelloSegment();
            for (int k = 0; k < 4; k++) packet[random.Next(packet.Length)] = (byte)random.Next(256);
            var roots = Build(packet).Single().Roots;
            Assert.DoesNotContain(roots, r => r.Label.Contains("tree builder bug", StringComparison.Ordinal)
                || r.Children.Any(c => c.Label.Contains("tree builder bug", StringComparison.Ordinal)));
        }
    }
}

/// <summary>Dissector.KeepPacketBytes: the frame's bytes only when asked for, and the same bytes the capture holds.</summary>
public class KeepPacketBytesTests
{
    [Fact]
    public void BytesAreKeptOnlyWhenAsked()
    {
        foreach (bool keep in new[] { false, true })
        {
            using var reader = HttpsFlow.Capture.CaptureReader.Open(File.OpenRead(Path.Combine(Repo.Samples, "test-site-tls12.pcapng")), ownsStream: true);
            var dissector = new HttpsFlow.Pipeline.Dissector { KeepPacketBytes = keep };
            var frame = dissector.Next(reader)!;
            if (!keep)
            {
                Assert.Equal(0, frame.CapturedBytes.Length);
                Assert.Empty(frame.PacketBytes);
                continue;
            }
            Assert.Equal(74, frame.CapturedBytes.Length);
            Assert.Equal("000000000000000000000000080045", Convert.ToHexStringLower(frame.CapturedBytes[..15]));
        }
    }
}
