using HttpsFlow.Capture;
using HttpsFlow.Common;

namespace HttpsFlow.Tests.TestSupport;

/// <summary>A packet copied out of the reader's buffer, so that it outlives the next <see cref="CaptureReader.Read"/>.</summary>
internal sealed record ReadPacket(byte[] Data, int OriginalLength, uint LinkType, Timestamp Time, byte TimePrecision, int InterfaceId);

/// <summary>Opens in-memory captures and reads them to the end.</summary>
internal static class CaptureFiles
{
    public static CaptureReader Open(byte[] file) => CaptureReader.Open(new MemoryStream(file), ownsStream: true);

    /// <summary>Reads until the reader stops; returns the packets and the outcome that stopped it.</summary>
    public static (List<ReadPacket> Packets, ReadOutcome Stop) ReadAll(CaptureReader reader)
    {
        var packets = new List<ReadPacket>();
        while (true)
        {
            var outcome = reader.Read(out var p);
            if (outcome != ReadOutcome.Packet) return (packets, outcome);
            packets.Add(new ReadPacket(p.Data.ToArray(), p.OriginalLength, p.LinkType, p.Time, p.TimePrecision, p.InterfaceId));
            if (packets.Count > 100_000) throw new InvalidOperationException("the reader does not stop");
        }
    }

    public static (List<ReadPacket> Packets, ReadOutcome Stop, CaptureReader Reader) ReadAll(byte[] file)
    {
        var reader = Open(file);
        var (packets, stop) = ReadAll(reader);
        return (packets, stop, reader);
    }
}
