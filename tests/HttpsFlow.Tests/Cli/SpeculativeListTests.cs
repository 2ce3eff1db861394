using HttpsFlow.Capture;
using HttpsFlow.Cli;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Cli;

[CollectionDefinition(nameof(SpeculativeList), DisableParallelization = true)]
public sealed class SpeculativeList;

/// <summary>
/// `list --keylog` opens the middle records of HTTP/1 bodies on a second thread (<see cref="HttpsFlow.Decryption.RecordVerifier"/>):
/// the list is the same as when every record is opened in turn, and when one of those records does not open (a byte
/// changed in the capture) the capture is read again without the second thread and the list is still the same.
/// (Alone in its collection: the last run's counts are read from a static.)
/// </summary>
[Collection(nameof(SpeculativeList))]
public class SpeculativeListTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("httpsflow-spec-").FullName;

    public void Dispose()
    {
        ListCommand.RecordVerifierAllowed = ListCommand.DefaultRecordVerifierAllowed;
        Directory.Delete(_dir, recursive: true);
    }

    private static string List(bool speculate, params string[] args)
    {
        ListCommand.RecordVerifierAllowed = speculate;
        try
        {
            var (exit, stdout, stderr) = Repo.Run(["list", .. args]);
            Assert.True(exit == 0, stderr);
            return stdout;
        }
        finally { ListCommand.RecordVerifierAllowed = ListCommand.DefaultRecordVerifierAllowed; }
    }

    [Theory]
    [InlineData("http/http11-keepalive")]
    [InlineData("http/http11-pipelined")]
    [InlineData("tls13")]
    [InlineData("test-site-tls12")]
    public void The_list_is_the_same_with_and_without_the_second_thread(string sample)
    {
        string capture = Directory.EnumerateFiles(Path.Combine(Repo.Samples, Path.GetDirectoryName(sample)!), Path.GetFileName(sample) + ".pcap*").First();
        string keys = Path.Combine(Repo.Samples, sample + ".keys");
        string plain = List(false, "--keylog", keys, capture);
        Assert.Equal((0L, false), ListCommand.LastSpeculation);
        string speculated = List(true, "--keylog", keys, capture);
        Assert.False(ListCommand.LastSpeculation.ReadAgain);
        Assert.Equal(plain, speculated);
        foreach (var format in new[] { "csv", "json" })
            Assert.Equal(List(false, "--format", format, "--keylog", keys, capture), List(true, "--format", format, "--keylog", keys, capture));
    }

    [Fact]
    public void Body_records_are_opened_on_the_second_thread()
    {
        string capture = Path.Combine(Repo.Samples, "http", "http11-keepalive.pcapng");
        List(true, "--keylog", Path.ChangeExtension(capture, ".keys"), capture);
        // Its /medium.txt response has three whole 16 KiB records after the one with the headers.
        Assert.True(ListCommand.LastSpeculation.Records >= 3, $"{ListCommand.LastSpeculation.Records} records");
    }

    [Fact]
    public void A_body_record_that_does_not_open_makes_the_list_read_again_to_the_same_result()
    {
        string capture = Path.Combine(Repo.Samples, "http", "http11-keepalive.pcapng");
        string keys = Path.ChangeExtension(capture, ".keys");
        var lines = List(false, "--keylog", keys, capture).Split('\n');
        // The last body piece before a response line: opened on the second thread.
        int index = Array.FindLastIndex(lines, l => l.EndsWith("[TLS segment of a reassembled PDU]"));
        Assert.True(index > 0, "no response with body pieces");
        long frame = long.Parse(lines[index].TrimStart().Split(' ')[0]);

        // Change the last byte of that frame (a byte of a record's tag or ciphertext) in a copy of the capture.
        var bytes = File.ReadAllBytes(capture);
        byte[] packet;
        using (var reader = CaptureReader.Open(capture))
        {
            long n = 0;
            CapturedPacket p;
            do { Assert.Equal(ReadOutcome.Packet, reader.Read(out p)); } while (++n < frame);
            packet = p.Data.ToArray();
        }
        int at = bytes.AsSpan().IndexOf(packet);
        Assert.True(at > 0);
        bytes[at + packet.Length - 1] ^= 0x5a;
        string damaged = Path.Combine(_dir, "damaged.pcapng");
        File.WriteAllBytes(damaged, bytes);

        string plain = List(false, "--keylog", keys, damaged);
        Assert.NotEqual(string.Join('\n', lines), plain); // the change shows
        string speculated = List(true, "--keylog", keys, damaged);
        Assert.True(ListCommand.LastSpeculation.ReadAgain);
        Assert.Equal(plain, speculated);
    }
}
