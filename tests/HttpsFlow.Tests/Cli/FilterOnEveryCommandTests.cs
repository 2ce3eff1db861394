using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Cli;

/// <summary>-Y on the commands beyond list and fields: packets for json and show, connections for the others.</summary>
public class FilterOnEveryCommandTests
{
    private static readonly string TestSite = Path.Combine(Repo.Samples, "test-site-tls12.pcapng");

    [Fact]
    public void JsonAndShowKeepOnlyMatchingPackets()
    {
        var (exit, stdout, _) = Repo.Run("json", TestSite, "-Y", "tls.handshake.type == 2", "-e", "frame.number");
        Assert.Equal(0, exit);
        Assert.Equal("{\"frame.number\":6}\n", stdout);
        var (exit2, shown, _) = Repo.Run("show", TestSite, "-Y", "tcp.flags.syn == 1");
        Assert.Equal(0, exit2);
        Assert.Equal(2, shown.Split('\n').Count(l => l.StartsWith("Frame ", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("handshakes")]
    [InlineData("certs")]
    [InlineData("explain")]
    public void ConnectionCommandsKeepConnectionsWithAMatchingPacket(string command)
    {
        var (exit, stdout, _) = Repo.Run(command, TestSite, "-Y", "tls.handshake.extensions_server_name == \"test.httpsflow.example\"");
        Assert.Equal(0, exit);
        Assert.Contains("127.0.0.1:443", stdout);
        var (exit2, stdout2, stderr2) = Repo.Run(command, TestSite, "-Y", "tcp.port == 9");
        Assert.Equal(1, exit2);
        Assert.Equal("", stdout2);
        Assert.Single(stderr2.Trim().Split('\n'));
    }

    [Fact]
    public void ReportKeepsConnectionsWithAMatchingPacketAndABadFilterIsRefusedFirst()
    {
        string path = Path.Combine(Path.GetTempPath(), $"httpsflow-filter-{Environment.ProcessId}.html");
        try
        {
            Assert.Equal(0, Repo.Run("report", TestSite, "-o", path, "-Y", "tls").Exit);
            Assert.Contains("test.httpsflow.example", File.ReadAllText(path));
            var (exit, stdout, stderr) = Repo.Run("report", TestSite, "-o", path, "-Y", "tcp.port ==");
            Assert.Equal(1, exit);
            Assert.Equal("", stdout);
            Assert.Contains("httpsflow:", stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
