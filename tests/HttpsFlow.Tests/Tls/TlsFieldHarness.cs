using HttpsFlow.Capture;
using HttpsFlow.Common;
using HttpsFlow.Fields;
using HttpsFlow.Pipeline;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// TLS bytes, as hex, through the whole fields path (dissector, TLS store, field emitter) on a made-up TCP
/// connection from 10.0.0.1:50000 to 10.0.0.2:443: the fields each payload frame gets, formatted as
/// <c>tshark -T fields</c> prints them.
/// </summary>
internal static class TlsFieldHarness
{
    private static readonly byte[] ClientIp = [10, 0, 0, 1], ServerIp = [10, 0, 0, 2];

    /// <summary>A record of <paramref name="type"/> around <paramref name="fragment"/> (version 0x0303 unless given).</summary>
    public static byte[] Record(byte type, byte[] fragment, ushort version = 0x0303) =>
        [type, (byte)(version >> 8), (byte)version, (byte)(fragment.Length >> 8), (byte)fragment.Length, .. fragment];

    /// <summary>A handshake message (its declared length is the body's unless given).</summary>
    public static byte[] Message(byte type, byte[] body, int? declared = null)
    {
        int n = declared ?? body.Length;
        return [type, (byte)(n >> 16), (byte)(n >> 8), (byte)n, .. body];
    }

    /// <summary>A hello's version 0x0303, a zero random and a session ID of <paramref name="sessionIdLength"/> zero bytes.</summary>
    public static byte[] HelloStart(byte sessionIdLength = 0) => [0x03, 0x03, .. new byte[32], sessionIdLength, .. new byte[sessionIdLength]];

    private static byte[] Segment(bool fromClient, uint seq, uint ack, ushort flags, byte[] payload)
    {
        var tcp = PacketFactory.Tcp(fromClient ? ClientIp : ServerIp, fromClient ? ServerIp : ClientIp,
            fromClient ? (ushort)50000 : (ushort)443, fromClient ? (ushort)443 : (ushort)50000, seq, ack, flags, 65535, default, payload.Length);
        payload.CopyTo(tcp, 20);
        return PacketFactory.Ethernet(fromClient ? PacketFactory.ServerMac : PacketFactory.ClientMac,
            fromClient ? PacketFactory.ClientMac : PacketFactory.ServerMac, 0x0800, PacketFactory.Ipv4(fromClient ? ClientIp : ServerIp, fromClient ? ServerIp : ClientIp, 6, tcp));
    }

    /// <summary>A handshake, then the client sends <paramref name="clientPayload"/> and the server <paramref name="serverPayload"/>.</summary>
    public static (FieldSet Set, bool TlsError)[] Dissect(byte[] clientPayload, byte[]? serverPayload = null)
    {
        const ushort Syn = 0x02, Ack = 0x10, Psh = 0x08;
        var pcap = CaptureBuilder.Pcap()
            .Record(1, 0, Segment(true, 1000, 0, Syn, []))
            .Record(1, 1, Segment(false, 5000, 1001, Syn | Ack, []))
            .Record(1, 2, Segment(true, 1001, 5001, Ack, []))
            .Record(1, 3, Segment(true, 1001, 5001, Ack | Psh, clientPayload));
        if (serverPayload is not null) pcap.Record(1, 4, Segment(false, 5001, 1001 + (uint)clientPayload.Length, Ack | Psh, serverPayload));
        using var reader = CaptureReader.Open(new MemoryStream(pcap.ToArray()), ownsStream: true);
        var store = new TlsFrameStore();
        var dissector = new Dissector { TlsObserver = store };
        var result = new List<(FieldSet, bool)>();
        while (dissector.Next(reader) is { } frame)
        {
            var set = new FieldSet();
            FrameFieldEmitter.Emit(frame, set, store);
            if (frame.Number >= 4) result.Add((set, HasTlsError(frame))); // the frame is reused: keep what it says now
        }
        return [.. result];
    }

    /// <summary>The values of <paramref name="def"/> in <paramref name="set"/>, in order.</summary>
    public static List<string> Values(FieldSet set, FieldDef def)
    {
        var list = new List<string>();
        foreach (var v in set.Values)
        {
            if (v.Def != def) continue;
            var sink = new HttpsFlow.Output.TextSink(Stream.Null);
            FieldFormatter.Append(sink, set, v);
            list.Add(new string(sink.Current));
        }
        return list;
    }

    private static bool HasTlsError(HttpsFlow.Net.Frame f) => f.Notes.Any(n => n.Severity == Severity.Error && n.Protocol == "tls");
}
