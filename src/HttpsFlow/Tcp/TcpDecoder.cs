using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using HttpsFlow.Net;

namespace HttpsFlow.Tcp;

/// <summary>
/// The TCP header (RFC 9293 §3.1) and its options, decoded into <see cref="Frame.Tcp"/>.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// |          Source Port          |       Destination Port        |
/// |                        Sequence Number                        |
/// |                    Acknowledgment Number                      |
/// |  DOffset| Rsrvd |A|C|E|U|A|P|R|S|F|            Window         |
/// |           Checksum            |         Urgent Pointer        |
/// |                    Options                    |    Padding    |
/// </code>
/// </summary>
public static class TcpDecoder
{
    public const int MinHeaderLength = 20;

    // Option kinds (IANA "TCP Option Kind Numbers").
    public const byte OptEol = 0;
    public const byte OptNop = 1;
    public const byte OptMss = 2;
    public const byte OptWindowScale = 3;
    public const byte OptSackPermitted = 4;
    public const byte OptSack = 5;
    public const byte OptTimestamps = 8;

    /// <summary>Decodes the header; returns the payload as captured.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ReadOnlySpan<byte> Decode(ReadOnlySpan<byte> data, int declaredLength, Frame frame, bool cut)
    {
        frame.Transport = TransportKind.Tcp;
        ref var tcp = ref frame.Tcp;
        if (data.Length < MinHeaderLength)
        {
            if (data.Length >= 4)
            {
                frame.SrcPort = BinaryPrimitives.ReadUInt16BigEndian(data);
                frame.DstPort = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            }
            if (cut) { frame.SizeLimited = true; }
            else frame.MarkMalformed("tcp", "TCP header cut short");
            tcp.HeaderLength = 0;
            return default;
        }
        frame.SrcPort = BinaryPrimitives.ReadUInt16BigEndian(data);
        frame.DstPort = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        tcp.SeqRaw = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        tcp.AckRaw = BinaryPrimitives.ReadUInt32BigEndian(data[8..]);
        ushort offFlags = BinaryPrimitives.ReadUInt16BigEndian(data[12..]);
        int hlen = (offFlags >> 12) * 4;
        tcp.HeaderLength = (byte)hlen;
        tcp.Flags = (TcpFlags)(offFlags & 0x0fff);
        tcp.WindowValue = BinaryPrimitives.ReadUInt16BigEndian(data[14..]);
        tcp.Checksum = BinaryPrimitives.ReadUInt16BigEndian(data[16..]);
        tcp.UrgentPointer = BinaryPrimitives.ReadUInt16BigEndian(data[18..]);

        if (hlen < MinHeaderLength)
        {
            frame.MarkMalformed("tcp", $"Bogus TCP header length ({hlen}, must be at least {MinHeaderLength})");
            frame.BogusInfo = $"Bogus TCP header length ({hlen}, must be at least {MinHeaderLength})";
            return default;
        }
        if (hlen > declaredLength)
        {
            frame.MarkMalformed("tcp", $"Bogus TCP header length ({hlen}, must be at most {declaredLength})");
            frame.BogusInfo = $"Bogus TCP header length ({hlen}, must be at most {declaredLength})";
            return default;
        }
        frame.PayloadLength = declaredLength - hlen;
        if (data.Length < hlen)
        {
            if (cut) frame.SizeLimited = true;
            else frame.MarkMalformed("tcp", "TCP options cut short");
            return default;
        }

        var options = data[MinHeaderLength..hlen];
        options.CopyTo(tcp.Options);
        tcp.OptionsLength = (byte)options.Length;
        DecodeOptions(options, frame);

        var payload = data[hlen..];
        if (payload.Length > frame.PayloadLength) payload = payload[..frame.PayloadLength];
        frame.PayloadCaptured = payload.Length;
        return payload;
    }

    /// <summary>
    /// Walks the option list (RFC 9293 §3.2): kind(1) [length(1) data]. EOL ends the list; a length that overruns
    /// the list, or is below 2, ends it with a note.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DecodeOptions(ReadOnlySpan<byte> o, Frame frame)
    {
        ref var tcp = ref frame.Tcp;
        int i = 0;
        while (i < o.Length)
        {
            byte kind = o[i];
            if (kind == OptEol) break;
            if (kind == OptNop) { i++; continue; }
            if (i + 1 >= o.Length) { frame.MarkMalformed("tcp", $"TCP option kind {kind} has no length"); break; }
            int len = o[i + 1];
            if (len < 2 || i + len > o.Length)
            {
                frame.MarkMalformed("tcp", $"TCP option kind {kind} has a bad length {len}");
                break;
            }
            var v = o.Slice(i + 2, len - 2);
            switch (kind)
            {
                case OptMss when len == 4:
                    tcp.HasMss = true;
                    tcp.Mss = BinaryPrimitives.ReadUInt16BigEndian(v);
                    break;
                case OptWindowScale when len == 3:
                    tcp.HasWindowScale = true;
                    tcp.WindowScaleShift = v[0];
                    break;
                case OptSackPermitted when len == 2:
                    tcp.SackPermitted = true;
                    break;
                case OptTimestamps when len == 10:
                    tcp.HasTimestamps = true;
                    tcp.TsVal = BinaryPrimitives.ReadUInt32BigEndian(v);
                    tcp.TsEcr = BinaryPrimitives.ReadUInt32BigEndian(v[4..]);
                    break;
                case OptSack when (len - 2) % 8 == 0:
                    tcp.SackBlockCount = (byte)((len - 2) / 8);
                    break;
                case OptMss or OptWindowScale or OptSackPermitted or OptTimestamps or OptSack:
                    frame.MarkMalformed("tcp", $"TCP option kind {kind} has a bad length {len}");
                    break;
            }
            i += len;
        }
    }
}
