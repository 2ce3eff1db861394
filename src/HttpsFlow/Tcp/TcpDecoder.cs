using System.Buffers.Binary;
using System.Runtime.CompilerServices;
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
/// Nothing here throws: how far the header could be read is recorded (<see cref="TcpInfo.Stage"/>,
/// <see cref="TcpInfo.Captured"/>, <see cref="TcpInfo.Reported"/>) so that the list can say exactly where it stopped.
/// </summary>
public static class TcpDecoder
{
    public const int MinHeaderLength = 20;
    /// <summary>Bytes tshark reads before it places a segment in a conversation: ports, numbers, offset/flags, window.</summary>
    public const int ConversationHeaderLength = 16;

    // Option kinds (IANA "TCP Option Kind Numbers").
    public const byte OptEol = 0;
    public const byte OptNop = 1;
    public const byte OptMss = 2;
    public const byte OptWindowScale = 3;
    public const byte OptSackPermitted = 4;
    public const byte OptSack = 5;
    public const byte OptEcho = 6;
    public const byte OptEchoReply = 7;
    public const byte OptTimestamps = 8;
    public const byte OptCc = 11;
    public const byte OptCcNew = 12;
    public const byte OptCcEcho = 13;
    public const byte OptMd5 = 19;
    public const byte OptQuickStart = 27;
    public const byte OptUserTimeout = 28;
    public const byte OptTcpAo = 29;
    public const byte OptMptcp = 30;
    public const byte OptTfo = 34;
    public const byte OptAccEcn0 = 172;
    public const byte OptAccEcn1 = 174;
    public const byte OptExperiment1 = 253;
    public const byte OptExperiment2 = 254;

    /// <summary>Decodes the header; returns the payload as captured (empty when the header is incomplete).</summary>
    /// <param name="data">The bytes after the IP header that are present.</param>
    /// <param name="declaredLength">The TCP segment length the IP header declares.</param>
    /// <param name="frame">The frame to fill.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ReadOnlySpan<byte> Decode(ReadOnlySpan<byte> data, int declaredLength, Frame frame)
    {
        frame.Transport = TransportKind.Tcp;
        ref var tcp = ref frame.Tcp;
        tcp.Stream = -1;
        int captured = Math.Min(data.Length, Math.Max(declaredLength, 0));
        tcp.Captured = captured;
        tcp.Reported = declaredLength;
        data = data[..captured];

        if (captured < 4)
        {
            tcp.Stage = TcpStage.None;
            CutShort(frame, 4);
            return default;
        }
        frame.SrcPort = BinaryPrimitives.ReadUInt16BigEndian(data);
        frame.DstPort = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if (captured < ConversationHeaderLength)
        {
            tcp.Stage = TcpStage.Ports;
            CutShort(frame, ConversationHeaderLength);
            return default;
        }
        tcp.Stage = TcpStage.Header;
        tcp.SeqRaw = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        tcp.AckRaw = BinaryPrimitives.ReadUInt32BigEndian(data[8..]);
        ushort offFlags = BinaryPrimitives.ReadUInt16BigEndian(data[12..]);
        int hlen = (offFlags >> 12) * 4;
        tcp.HeaderLength = (byte)hlen;
        tcp.Flags = (TcpFlags)(offFlags & 0x0fff);
        tcp.WindowValue = BinaryPrimitives.ReadUInt16BigEndian(data[14..]);
        if (captured >= MinHeaderLength)
        {
            tcp.Checksum = BinaryPrimitives.ReadUInt16BigEndian(data[16..]);
            tcp.UrgentPointer = BinaryPrimitives.ReadUInt16BigEndian(data[18..]);
        }
        if (tcp.LengthKnown) frame.PayloadLength = declaredLength - hlen;

        if (hlen < MinHeaderLength)
        {
            frame.MarkMalformed("tcp", TcpExpertNotes.BogusHeaderLength(hlen));
            return default;
        }

        // Checksum and urgent pointer are read next.
        if (captured < MinHeaderLength)
        {
            CutShort(frame, MinHeaderLength);
            return default;
        }

        // Options present in the capture, within the declared header.
        int optEnd = Math.Min(hlen, captured);
        var walkEnd = OptionWalkEnd.Complete;
        if (hlen > MinHeaderLength)
        {
            var options = data[MinHeaderLength..optEnd];
            options.CopyTo(tcp.Options);
            tcp.OptionsLength = (byte)options.Length;
            walkEnd = DecodeOptions(options, hlen - MinHeaderLength, frame);
        }

        if (!tcp.LengthKnown)
        {
            frame.MarkMalformed("tcp", $"TCP header length {hlen} exceeds the segment's {declaredLength} bytes");
            return default;
        }
        // Options the snap length cut (the walk needed bytes the segment has but the capture lacks).
        if (walkEnd == OptionWalkEnd.Truncated) frame.MarkCutShort("tcp", sizeLimited: true);
        if (captured < hlen) return default;
        var payload = data[hlen..];
        frame.PayloadCaptured = payload.Length;
        return payload;
    }

    /// <summary>
    /// The header stopped before byte <paramref name="end"/> of the segment: past the bytes the IP layer declares the
    /// segment is malformed, within them the snap length cut it (as the list says after the text it could write).
    /// </summary>
    private static void CutShort(Frame frame, int end) => frame.MarkCutShort("tcp", end <= frame.Tcp.Reported);

    /// <summary>Reads the option values that later stages use: MSS, window scale, SACK, timestamps; returns how the walk ended.</summary>
    private static OptionWalkEnd DecodeOptions(ReadOnlySpan<byte> present, int area, Frame frame)
    {
        ref var tcp = ref frame.Tcp;
        var walker = new TcpOptionWalker(present, area);
        while (walker.Next(out byte kind, out var v, out int len))
        {
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
                case OptSackPermitted:
                    tcp.SackPermitted = true;
                    break;
                case OptTimestamps when len == 10:
                    tcp.HasTimestamps = true;
                    tcp.TsVal = BinaryPrimitives.ReadUInt32BigEndian(v);
                    tcp.TsEcr = BinaryPrimitives.ReadUInt32BigEndian(v[4..]);
                    break;
                case OptSack:
                    for (int b = 0; b + 8 <= v.Length; b += 8)
                    {
                        tcp.SackBlockCount++;
                        tcp.SackedBytes += BinaryPrimitives.ReadUInt32BigEndian(v[(b + 4)..]) - BinaryPrimitives.ReadUInt32BigEndian(v[b..]);
                    }
                    break;
                case OptMptcp:
                    tcp.HasMptcp = true;
                    break;
                case OptAccEcn0 or OptAccEcn1:
                    tcp.HasAccEcnOption = true;
                    break;
                case OptExperiment1 or OptExperiment2 when len >= 4:
                    ushort exid = BinaryPrimitives.ReadUInt16BigEndian(v);
                    if (exid is 0xacc0 or 0xacc1) tcp.HasAccEcnOption = true;
                    break;
            }
        }
        if (walker.End == OptionWalkEnd.Stopped)
            frame.AddNote(Common.Severity.Warning, "Malformed", "tcp", "TCP option list ends with an impossible length; the rest is ignored");
        return walker.End;
    }
}
