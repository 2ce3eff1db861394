using System.Text.Json;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Cli;

/// <summary>`httpsflow show`: the text as tshark -V, --frame, --hex as tshark -x, json, and errors.</summary>
public class ShowCommandTests
{
    private static string Sample(string name) => Path.Combine(Repo.Samples, name);

    [Fact]
    public void FrameShowsOnePacketAsTshark()
    {
        var (exit, stdout, stderr) = Repo.Run("show", Sample("test-site-tls12.pcapng"), "--frame", "4");
        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n');
        Assert.Equal("Frame 4: 583 bytes on wire (4664 bits), 583 bytes captured (4664 bits) on interface lo, id 0", lines[0]);
        Assert.Contains("Internet Protocol Version 4, Src: 127.0.0.1, Dst: 127.0.0.1", lines);
        Assert.Contains("Transmission Control Protocol, Src Port: 56536, Dst Port: 443, Seq: 1, Ack: 1, Len: 517", lines);
        Assert.Contains("    Flags: 0x018 (PSH, ACK)", lines);
        Assert.Contains("        .... .... 1... = Push: Set", lines);
        Assert.Contains("    TLSv1 Record Layer: Handshake Protocol: Client Hello", lines);
        Assert.Contains("                Cipher Suite: TLS_AES_256_GCM_SHA384 (0x1302)", lines);
        Assert.Contains("            Extension: server_name (len=27)", lines);
        Assert.Equal(1, lines.Count(l => l.StartsWith("Frame ", StringComparison.Ordinal)));
    }

    [Fact]
    public void HexIsTsharksDump()
    {
        var (exit, stdout, stderr) = Repo.Run("show", Sample("test-site-tls12.pcapng"), "--frame", "1", "--hex");
        Assert.True(exit == 0, stderr);
        Assert.Contains("0000  00 00 00 00 00 00 00 00 00 00 00 00 08 00 45 00   ..............E.\n", stdout);
        Assert.Contains("0040  ca 32 00 00 00 00 01 03 03 0a                     .2........\n", stdout);
        if (Repo.Tshark("-n", "-r", Sample("test-site-tls12.pcapng"), "-x", "-c", "1") is { } tshark)
            Assert.EndsWith(tshark.TrimEnd('\n') + "\n\n", stdout);
    }

    [Fact]
    public void JsonIsOneTreePerPacket()
    {
        var (exit, stdout, stderr) = Repo.Run("show", Sample("tls13.pcapng"), "-c", "5", "--format", "json", "--hex");
        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            var root = doc.RootElement;
            Assert.Equal(i + 1, root.GetProperty("frame").GetInt64());
            var tree = root.GetProperty("tree");
            var frame = tree[0];
            Assert.StartsWith($"Frame {i + 1}:", frame.GetProperty("label").GetString());
            Assert.Equal("frame", frame.GetProperty("field").GetString());
            Assert.Equal(root.GetProperty("bytes").GetString()!.Length / 2, frame.GetProperty("length").GetInt32());
            Assert.True(frame.GetProperty("children").GetArrayLength() > 5);
        }
    }

    [Fact]
    public void WholeCaptureHasABlankLineAfterEachPacket()
    {
        var (exit, stdout, _) = Repo.Run("show", Sample("lossy.pcap"), "-c", "3");
        Assert.Equal(0, exit);
        Assert.Equal(3, stdout.Split("\n\nFrame ").Length);
        Assert.EndsWith("\n\n", stdout);
    }

    [Fact]
    public void Errors()
    {
        var (exit, _, stderr) = Repo.Run("show", Sample("lossy.pcap"), "--frame", "100000");
        Assert.Equal(2, exit);
        Assert.Contains("no frame 100000", stderr);
        (exit, _, stderr) = Repo.Run("show", Sample("lossy.pcap"), "--frame", "0");
        Assert.Equal(1, exit);
        (exit, _, stderr) = Repo.Run("show", Path.Combine(Repo.Samples, "missing.pcap"));
        Assert.Equal(2, exit);
        Assert.DoesNotContain("   at ", stderr);
        (exit, _, _) = Repo.Run("show", Sample("lossy.pcap"), "--format", "xml");
        Assert.Equal(1, exit);
    }

    [Fact]
    public void HelpHasExamples()
    {
        var (exit, stdout, _) = Repo.Run("show", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("httpsflow show samples/test-site-tls12.pcapng --frame 4", stdout);
    }
}
