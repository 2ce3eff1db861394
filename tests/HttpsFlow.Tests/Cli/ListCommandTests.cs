using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Cli;

/// <summary>`httpsflow list` as a user meets it: exit codes, messages on bad input, formats, standard input.</summary>
public class ListCommandTests : IDisposable
{
    private readonly DirectoryInfo _tmp = Directory.CreateTempSubdirectory("httpsflow-cli");
    private static readonly string Sample = Path.Combine(Repo.Samples, "test-site-tls12.pcapng");

    public void Dispose() => _tmp.Delete(true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_tmp.FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void AFileThatIsNotACaptureIsOneLineOnStderrAndExitCode2()
    {
        string path = Write("page.html", "<!DOCTYPE html><html></html>"u8.ToArray());
        var (exit, stdout, stderr) = Repo.Run("list", path);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        var line = Assert.Single(Lines(stderr));
        Assert.Contains(path, line);
        Assert.Contains("not a pcap or pcapng capture", line);
        Assert.Contains("3c 21 44 4f", line); // the first bytes, so a person sees what the file is
    }

    [Fact]
    public void AnEmptyFileIsAnInputError()
    {
        var (exit, stdout, stderr) = Repo.Run("list", Write("empty.pcap", []));
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains("empty", Assert.Single(Lines(stderr)));
    }

    [Fact]
    public void AMissingFileIsAnInputError()
    {
        var (exit, _, stderr) = Repo.Run("list", Path.Combine(_tmp.FullName, "nope.pcap"));
        Assert.Equal(2, exit);
        Assert.Contains("cannot open", Assert.Single(Lines(stderr)));
    }

    [Theory]
    [InlineData(3000)]   // inside the Client Hello's block
    [InlineData(1500)]
    [InlineData(300)]    // inside the first packet
    public void ACaptureCutShortPrintsEveryCompletePacketThenTheOffset(int keep)
    {
        byte[] whole = File.ReadAllBytes(Sample);
        string path = Write("cut.pcapng", whole[..keep]);
        var (fullExit, fullOut, _) = Repo.Run("list", Sample);
        Assert.Equal(0, fullExit);
        var (exit, stdout, stderr) = Repo.Run("list", path);
        Assert.Equal(2, exit);
        var printed = Lines(stdout);
        var expected = Lines(fullOut);
        Assert.True(printed.Length < expected.Length);
        Assert.Equal(expected[..printed.Length], printed);
        var line = Assert.Single(Lines(stderr));
        Assert.Matches(@"cut short at byte \d+", line);
        Assert.DoesNotContain("   at ", stderr); // never a stack trace
    }

    [Fact]
    public void ABadOptionIsAUsageError()
    {
        var (exit, stdout, _) = Repo.Run("list", "--format", "xml", Sample);
        Assert.Equal(1, exit);
        Assert.DoesNotContain("127.0.0.1", stdout);
    }

    [Fact]
    public void CountStopsAfterThatManyPackets()
    {
        var (exit, stdout, _) = Repo.Run("list", "-c", "4", Sample);
        Assert.Equal(0, exit);
        Assert.Equal(4, Lines(stdout).Length);
    }

    [Fact]
    public void CsvHasAHeaderAndTheSameColumnsAsTheText()
    {
        var (_, text, _) = Repo.Run("list", Sample);
        var (exit, csv, _) = Repo.Run("list", "--format", "csv", Sample);
        Assert.Equal(0, exit);
        var rows = Lines(csv);
        Assert.Equal("number,time,source,destination,protocol,length,info", rows[0]);
        Assert.Equal(Lines(text).Length, rows.Length - 1);
        // Row 2 is the SYN-ACK: its Info holds a comma, so it is quoted.
        Assert.StartsWith("2,0.000011027,127.0.0.1,127.0.0.1,TCP,74,\"443 \u2192 56536 [SYN, ACK] Seq=0 Ack=1", rows[2]);
    }

    [Fact]
    public void JsonIsAnArrayOfOneObjectPerPacket()
    {
        var (_, text, _) = Repo.Run("list", Sample);
        var (exit, json, _) = Repo.Run("list", "--format", "json", Sample);
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(json);
        var packets = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(Lines(text).Length, packets.Count);
        Assert.Equal(5, packets[4].GetProperty("number").GetInt64());
        Assert.Equal("TCP", packets[4].GetProperty("protocol").GetString());
        Assert.Equal(66, packets[4].GetProperty("length").GetInt32());
        Assert.Contains("Ack=518", packets[4].GetProperty("info").GetString());
    }

    [Fact]
    public void AGzipCompressedCaptureListsLikeTheOriginal()
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(File.ReadAllBytes(Sample));
        string path = Write("sample.pcapng.gz", ms.ToArray());
        var (_, plain, _) = Repo.Run("list", Sample);
        var (exit, unzipped, stderr) = Repo.Run("list", path);
        Assert.True(exit == 0, stderr);
        Assert.Equal(plain, unzipped);
    }

    [Fact]
    public async Task DashReadsStandardInput()
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "httpsflow.dll");
        Assert.True(File.Exists(cli), $"{cli} is missing");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(cli);
        psi.ArgumentList.Add("list");
        psi.ArgumentList.Add("-");
        using var p = Process.Start(psi)!;
        var outTask = p.StandardOutput.ReadToEndAsync();
        var errTask = p.StandardError.ReadToEndAsync();
        await using (var stdin = p.StandardInput.BaseStream)
            await stdin.WriteAsync(await File.ReadAllBytesAsync(Sample));
        string output = await outTask, errors = await errTask;
        await p.WaitForExitAsync();
        var (_, expected, _) = Repo.Run("list", Sample);
        Assert.True(p.ExitCode == 0, errors);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void HelpShowsExamples()
    {
        var (exit, stdout, _) = Repo.Run("list", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("Examples:", stdout);
        Assert.Contains("httpsflow list samples/test-site-tls12.pcapng", stdout);
    }
}
