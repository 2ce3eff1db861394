using HttpsFlow.Capture;
using HttpsFlow.Pipeline;

namespace HttpsFlow.Tests.Robustness;

/// <summary>Tests that measure the managed heap run alone: other tests' objects would count as ours.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

[Collection(nameof(MemoryMeasurement))]
public class ConnectionMemoryTests
{
    [Fact]
    public void AHalfOpenConnectionCostsAboutAKilobyte()
    {
        // The figure behind DissectorLimits.MaxTcpConversations' default: 100,000 half-open connections held at once.
        var packets = Enumerable.Range(0, 100_000).Select(HostileCaptureTests.Syn).ToList();
        var dissector = new Dissector();
        long before = GC.GetTotalMemory(true);
        foreach (var p in packets)
            dissector.Dissect(new CapturedPacket(p, p.Length, LinkTypes.Ethernet, new HttpsFlow.Common.Timestamp(1, 0), 6, 0), false, null);
        long perConnection = (GC.GetTotalMemory(true) - before) / 100_000;
        Assert.Equal(100_000, dissector.Tcp.LiveCount);
        Assert.True(perConnection < 1200, $"{perConnection} bytes per connection");
        GC.KeepAlive(dissector);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "httpsflow-bytes-per-connection.txt"), perConnection.ToString());
    }
}
