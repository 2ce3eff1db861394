using System.Globalization;
using System.Text.Json;
using HttpsFlow.Output;
using HttpsFlow.Tcp;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Cli;

/// <summary>`httpsflow conversations`: the CSV and JSON forms against the table, states, help and bad input.</summary>
public class ConversationsCommandTests : IDisposable
{
    private readonly DirectoryInfo _tmp = Directory.CreateTempSubdirectory("httpsflow-conv");
    private static readonly string Lossy = Path.Combine(Repo.Samples, "lossy.pcap");
    private static readonly string Mixed = Path.Combine(Repo.Samples, "mixed.pcapng");
    private static readonly string Rules = Path.Combine(Repo.Root, "tests", "edge", "tN.pcap");

    public void Dispose() => _tmp.Delete(true);

    private static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>One row of the table as printed: endpoints, then frames of "&lt;-", "->" and Total.</summary>
    private sealed record TableRow(string A, string B, long FramesBToA, long FramesAToB, long Frames, string Start);

    private static List<TableRow> TableRows(string table)
    {
        var rows = new List<TableRow>();
        foreach (var line in Lines(table).Where(l => l.Contains(" <-> ")))
        {
            // "A <-> B  f size  f size  f size  start  duration"; a size is a number and a unit.
            var p = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            rows.Add(new TableRow(p[0], p[2], long.Parse(p[3]), long.Parse(p[6]), long.Parse(p[9]), p[12]));
        }
        return rows;
    }

    public static TheoryData<string> Captures() => new() { "samples/lossy.pcap", "samples/mixed.pcapng", "tests/edge/tA.pcap", "tests/edge/tC.pcap", "tests/edge/tD.pcap", "tests/edge/tI.pcap", "tests/edge/tN.pcap" };

    [Theory]
    [MemberData(nameof(Captures))]
    public void CsvHasTheTablesRowsInTheTablesOrder(string capture)
    {
        string path = Path.Combine(Repo.Root, capture);
        var (_, table, _) = Repo.Run("conversations", path);
        var (exit, csv, stderr) = Repo.Run("conversations", "--format", "csv", path);
        Assert.True(exit == 0, stderr);
        var lines = Lines(csv);
        Assert.Equal(string.Join(',', ConversationTable.Columns), lines[0]);
        Assert.Equal("address_a,port_a,address_b,port_b,frames_a_to_b,bytes_a_to_b,frames_b_to_a,bytes_b_to_a,frames,bytes,relative_start,duration,stream,state", lines[0]);
        var expected = TableRows(table);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, lines.Length - 1);
        for (int i = 0; i < expected.Count; i++)
        {
            var f = lines[i + 1].Split(',');
            Assert.Equal(14, f.Length);
            Assert.Equal(expected[i].A, f[0] + ":" + f[1]);
            Assert.Equal(expected[i].B, f[2] + ":" + f[3]);
            Assert.Equal(expected[i].FramesAToB, long.Parse(f[4]));
            Assert.Equal(expected[i].FramesBToA, long.Parse(f[6]));
            Assert.Equal(expected[i].Frames, long.Parse(f[8]));
            Assert.Equal(long.Parse(f[5]) + long.Parse(f[7]), long.Parse(f[9]));
            // The table's start is a rounded double; the CSV's is exact to the nanosecond.
            Assert.Equal(decimal.Parse(expected[i].Start, CultureInfo.InvariantCulture), decimal.Parse(f[10], CultureInfo.InvariantCulture));
            Assert.Matches(@"^-?\d+\.\d{9}$", f[10]);
            Assert.Matches(@"^\d+\.\d{9}$", f[11]);
        }
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void JsonIsAnArrayOfTheSameRows(string capture)
    {
        string path = Path.Combine(Repo.Root, capture);
        var (_, table, _) = Repo.Run("conversations", path);
        var (_, csv, _) = Repo.Run("conversations", "--format", "csv", path);
        var (exit, json, stderr) = Repo.Run("conversations", "--format", "json", path);
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(json);
        var rows = doc.RootElement.EnumerateArray().ToList();
        var expected = TableRows(table);
        Assert.Equal(expected.Count, rows.Count);
        var csvLines = Lines(csv)[1..];
        var streams = new HashSet<long>();
        string[] states = [ConversationTable.StateClosed, ConversationTable.StateReset, ConversationTable.StateOpen, ConversationTable.StateNoHandshake, ConversationTable.StateSynOnly];
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            Assert.Equal(ConversationTable.Columns, r.EnumerateObject().Select(p => p.Name));
            Assert.Equal(expected[i].A, r.GetProperty("address_a").GetString() + ":" + r.GetProperty("port_a").GetInt32());
            Assert.Equal(expected[i].B, r.GetProperty("address_b").GetString() + ":" + r.GetProperty("port_b").GetInt32());
            Assert.Equal(expected[i].FramesAToB, r.GetProperty("frames_a_to_b").GetInt64());
            Assert.Equal(expected[i].FramesBToA, r.GetProperty("frames_b_to_a").GetInt64());
            Assert.Equal(expected[i].Frames, r.GetProperty("frames").GetInt64());
            Assert.Equal(r.GetProperty("bytes_a_to_b").GetInt64() + r.GetProperty("bytes_b_to_a").GetInt64(), r.GetProperty("bytes").GetInt64());
            Assert.True(r.GetProperty("duration").GetDouble() >= 0);
            Assert.Contains(r.GetProperty("state").GetString(), states);
            Assert.True(streams.Add(r.GetProperty("stream").GetInt64()), "a stream appears twice");
            // The same figures as the CSV row, field for field.
            var f = csvLines[i].Split(',');
            Assert.Equal(f[10], r.GetProperty("relative_start").GetRawText());
            Assert.Equal(f[11], r.GetProperty("duration").GetRawText());
            Assert.Equal(f[12], r.GetProperty("stream").GetRawText());
            Assert.Equal(f[13], r.GetProperty("state").GetString());
        }
    }

    [Fact]
    public void TheStatesSayHowEachConnectionWent()
    {
        var (exit, json, stderr) = Repo.Run("conversations", "--format", "json", Rules);
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(json);
        var byPort = doc.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("address_a").GetString() == "10.0.0.1"
            ? r.GetProperty("port_a").GetInt32() : r.GetProperty("port_b").GetInt32(), r => r.GetProperty("state").GetString());
        Assert.Equal(ConversationTable.StateClosed, byPort[50009]);   // SYN, SYN-ACK, ACK, FIN both ways
        Assert.Equal(ConversationTable.StateOpen, byPort[50010]);     // SYN, SYN-ACK, data
        Assert.Equal(ConversationTable.StateSynOnly, byPort[50007]);  // a SYN sent twice, never answered
        Assert.Equal(ConversationTable.StateReset, byPort[50008]);    // SYN answered by RST-ACK (refused)
        Assert.Equal(ConversationTable.StateNoHandshake, byPort[50001]); // data only
        Assert.Equal(ConversationTable.StateNoHandshake, byPort[50002]); // the SYN only quoted in an ICMP error
    }

    [Fact]
    public void JsonGivesExactTimesSideAAndTheStream()
    {
        var (_, json, _) = Repo.Run("conversations", "--format", "json", Rules);
        using var doc = JsonDocument.Parse(json);
        var rows = doc.RootElement.EnumerateArray().ToList();
        var first = rows[0]; // the busiest: 160 frames of 65535 bytes
        Assert.Equal(160, first.GetProperty("frames").GetInt64());
        Assert.Equal(160L * 65535, first.GetProperty("bytes").GetInt64());
        Assert.Equal("0.002000000", first.GetProperty("relative_start").GetRawText());
        // The server spoke first (the client's SYN was only quoted by a router): the server is side A.
        var quoted = rows.Single(r => r.GetProperty("port_b").GetInt32() == 50002);
        Assert.Equal("10.0.0.2", quoted.GetProperty("address_a").GetString());
        Assert.Equal(443, quoted.GetProperty("port_a").GetInt32());
        Assert.Equal(2, quoted.GetProperty("stream").GetInt32());
        // The tie the table rounds to 0.0312 is exact here.
        var tie = rows.Single(r => r.GetProperty("port_a").GetInt32() == 50006);
        Assert.Equal("0.031250000", tie.GetProperty("duration").GetRawText());
    }

    [Fact]
    public void ACaptureWithoutTcpIsAnEmptyTableAndAnEmptyArray()
    {
        string path = Path.Combine(Repo.Root, "tests", "edge", "any-sll-arp.pcap");
        var (exit, table, _) = Repo.Run("conversations", path);
        Assert.Equal(0, exit);
        Assert.Equal(6, Lines(table).Length);
        var (_, csv, _) = Repo.Run("conversations", "--format", "csv", path);
        Assert.Single(Lines(csv));
        var (_, json, _) = Repo.Run("conversations", "--format", "json", path);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(0, doc.RootElement.GetArrayLength());
    }

    [Fact]
    public void TableIsTheDefaultFormat()
    {
        var (_, byDefault, _) = Repo.Run("conversations", Mixed);
        var (exit, table, _) = Repo.Run("conversations", "--format", "table", Mixed);
        Assert.Equal(0, exit);
        Assert.Equal(byDefault, table);
        Assert.StartsWith("================================================================================\nTCP Conversations\nFilter:<No Filter>\n", table);
    }

    [Fact]
    public void HelpHasADescriptionAndExamples()
    {
        var (exit, stdout, _) = Repo.Run("conversations", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("one row per TCP connection", stdout);
        Assert.Contains("Examples:", stdout);
        Assert.Contains("httpsflow conversations samples/lossy.pcap", stdout);
        Assert.Contains("table|csv|json", stdout);
    }

    [Fact]
    public void ABadFormatIsAUsageError()
    {
        var (exit, stdout, _) = Repo.Run("conversations", "--format", "text", Mixed);
        Assert.Equal(1, exit);
        Assert.DoesNotContain("<->", stdout);
    }

    [Fact]
    public void AFileThatIsNotACaptureIsOneLineOnStderrAndExitCode2()
    {
        string path = Path.Combine(_tmp.FullName, "page.html");
        File.WriteAllText(path, "<!DOCTYPE html><html></html>");
        var (exit, stdout, stderr) = Repo.Run("conversations", path);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains("not a pcap or pcapng capture", Assert.Single(Lines(stderr)));
    }

    [Fact]
    public void ACaptureCutShortShowsWhatWasReadThenTheOffset()
    {
        byte[] whole = File.ReadAllBytes(Lossy);
        string path = Path.Combine(_tmp.FullName, "cut.pcap");
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
        var (_, full, _) = Repo.Run("conversations", Lossy);
        var (exit, stdout, stderr) = Repo.Run("conversations", path);
        Assert.Equal(2, exit);
        Assert.Matches(@"cut short at byte \d+", Assert.Single(Lines(stderr)));
        Assert.DoesNotContain("   at ", stderr);
        var part = Assert.Single(TableRows(stdout));
        var all = Assert.Single(TableRows(full));
        Assert.Equal(all.A, part.A);
        Assert.InRange(part.Frames, 1, all.Frames - 1);
        Assert.EndsWith("================================================================================\n", stdout);
    }
}

/// <summary>The number formats and state rules of <see cref="ConversationTable"/>.</summary>
public class ConversationsTableFormatTests
{
    private static string Fixed(double value, int decimals)
    {
        var sink = new TextSink(Stream.Null);
        ConversationTable.AppendFixed(sink, value, decimals);
        return sink.Current.ToString();
    }

    private static string Size(long bytes)
    {
        var sink = new TextSink(Stream.Null);
        ConversationTable.AppendSize(sink, bytes);
        return sink.Current.ToString();
    }

    [Theory]
    [InlineData(0.0, 4, "0.0000")]
    [InlineData(0.03125, 4, "0.0312")]   // an exact tie: to even
    [InlineData(0.09375, 4, "0.0938")]   // an exact tie: to even (up)
    [InlineData(0.00015, 4, "0.0001")]   // 0.00015 is slightly below in binary
    [InlineData(2.5, 0, "2")]
    [InlineData(3.5, 0, "4")]
    [InlineData(-1.25, 9, "-1.250000000")]
    [InlineData(-0.000001, 9, "-0.000001000")]
    [InlineData(-0.00001, 4, "-0.0000")]  // C keeps the sign of a negative value that rounds to zero
    [InlineData(1234567.123456789, 9, "1234567.123456789")]
    [InlineData(0.1, 9, "0.100000000")]
    [InlineData(1.0 / 1024, 9, "0.000976562")] // an exact tie at the ninth decimal
    public void FixedRoundsTheExactBinaryValueLikeC(double value, int decimals, string expected) =>
        Assert.Equal(expected, Fixed(value, decimals));

    [Fact]
    public void FixedAgreesWithDotNetAwayFromTies()
    {
        // .NET also formats the exact binary value; the two can differ only on an exact tie, which random values miss.
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            double v = random.NextDouble() * 2000 - 100;
            Assert.Equal(v.ToString("F9", CultureInfo.InvariantCulture), Fixed(v, 9));
            Assert.Equal(v.ToString("F4", CultureInfo.InvariantCulture), Fixed(v, 4));
        }
    }

    [Theory]
    [InlineData(0, "0 bytes")]
    [InlineData(54, "54 bytes")]
    [InlineData(9999, "9999 bytes")]
    [InlineData(10000, "10 kB")]
    [InlineData(19999, "19 kB")]        // truncated, not rounded
    [InlineData(9_999_999, "9999 kB")]
    [InlineData(10_000_000, "10 MB")]
    [InlineData(10_485_600, "10 MB")]
    [InlineData(9_999_999_999, "9999 MB")]
    [InlineData(10_000_000_000, "10 GB")]
    [InlineData(10_000_000_000_000, "10 TB")]
    public void SizesSwitchUnitsAtTenOfTheNext(long bytes, string expected) => Assert.Equal(expected, Size(bytes));

    [Theory]
    [InlineData(TcpFlowEvents.Syn | TcpFlowEvents.NotSyn | TcpFlowEvents.Fin, TcpFlowEvents.SynAck | TcpFlowEvents.NotSyn, ConversationTable.StateClosed)]
    [InlineData(TcpFlowEvents.Syn | TcpFlowEvents.NotSyn, TcpFlowEvents.SynAck | TcpFlowEvents.NotSyn, ConversationTable.StateOpen)]
    [InlineData(TcpFlowEvents.SynAck, TcpFlowEvents.Syn, ConversationTable.StateOpen)]
    [InlineData(TcpFlowEvents.Syn | TcpFlowEvents.NotSyn | TcpFlowEvents.Fin, TcpFlowEvents.SynAck | TcpFlowEvents.NotSyn | TcpFlowEvents.Rst, ConversationTable.StateReset)]
    [InlineData(TcpFlowEvents.Syn, TcpFlowEvents.NotSyn | TcpFlowEvents.Rst, ConversationTable.StateReset)]
    [InlineData(TcpFlowEvents.Syn, TcpFlowEvents.None, ConversationTable.StateSynOnly)]
    [InlineData(TcpFlowEvents.Syn, TcpFlowEvents.NotSyn, ConversationTable.StateNoHandshake)]
    [InlineData(TcpFlowEvents.NotSyn | TcpFlowEvents.Fin, TcpFlowEvents.NotSyn | TcpFlowEvents.Fin, ConversationTable.StateNoHandshake)]
    [InlineData(TcpFlowEvents.SynAck | TcpFlowEvents.NotSyn, TcpFlowEvents.NotSyn, ConversationTable.StateNoHandshake)]
    public void StateRules(TcpFlowEvents aToB, TcpFlowEvents bToA, string expected) =>
        Assert.Equal(expected, ConversationTable.State(aToB, bToA));
}
