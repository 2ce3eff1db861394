using System.Security.Cryptography;
using HttpsFlow.Capture;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Capture;

/// <summary>
/// Reading ahead on a thread (large files) hands the readers the same bytes as reading on the dissecting thread:
/// records cut at chunk edges, records longer than the space kept for a cut one, the end of the file, and a read error
/// after some packets.
/// </summary>
public class ReadAheadTests
{
    private static byte[] LargeCapture()
    {
        var random = new Random(11);
        var builder = CaptureBuilder.Pcap(snapLength: 1 << 24);
        int[] sizes = [60, 1514, 9000, 65535, 300_000, 1, 4000];
        long total = 0;
        for (uint i = 0; total < 13 << 20; i++)
        {
            var data = new byte[sizes[i % sizes.Length] + random.Next(0, 7)];
            random.NextBytes(data);
            builder.Record(i, i % 1000, data);
            total += data.Length + 16;
        }
        return builder.ToArray();
    }

    private static List<string> ReadAll(Stream stream, bool readAhead, out string? error)
    {
        var packets = new List<string>();
        using var reader = new PcapReader(new ByteSource(stream, ownsStream: true, readAhead: readAhead));
        while (reader.Read(out var packet) == ReadOutcome.Packet)
            packets.Add($"{packet.Time} {packet.Data.Length} {Convert.ToHexString(SHA256.HashData(packet.Data))}");
        error = reader.Error;
        return packets;
    }

    [Fact]
    public void The_same_packets_with_and_without_reading_ahead()
    {
        var file = LargeCapture();
        var plain = ReadAll(new MemoryStream(file), readAhead: false, out var plainError);
        var ahead = ReadAll(new MemoryStream(file), readAhead: true, out var aheadError);
        Assert.Null(plainError);
        Assert.Null(aheadError);
        Assert.True(plain.Count > 200);
        Assert.Equal(plain, ahead);
    }

    [Fact]
    public void A_read_error_comes_after_the_packets_read_before_it()
    {
        var file = LargeCapture();
        var plain = ReadAll(new FailingStream(file, 5 << 20), readAhead: false, out var plainError);
        var ahead = ReadAll(new FailingStream(file, 5 << 20), readAhead: true, out var aheadError);
        Assert.NotNull(plainError);
        Assert.Equal(plainError, aheadError);
        Assert.Equal(plain, ahead);
        Assert.NotEmpty(ahead);
    }

    [Fact]
    public void Disposing_before_the_end_stops_the_thread()
    {
        var file = LargeCapture();
        using (var reader = new PcapReader(new ByteSource(new MemoryStream(file), ownsStream: true, readAhead: true)))
            Assert.Equal(ReadOutcome.Packet, reader.Read(out _));
        // Nothing left running: a second open of the same bytes reads them all.
        Assert.Equal(ReadAll(new MemoryStream(file), readAhead: false, out _), ReadAll(new MemoryStream(file), readAhead: true, out _));
    }

    /// <summary>A stream whose reads fail with an I/O error once <paramref name="failAt"/> bytes have been read.</summary>
    private sealed class FailingStream(byte[] data, int failAt) : ReadOnlyTestStream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Pos >= failAt) throw new IOException("device went away");
            int n = Math.Min(count, Math.Min(data.Length, failAt) - Pos);
            Array.Copy(data, Pos, buffer, offset, n);
            Pos += n;
            return n;
        }
    }
}
