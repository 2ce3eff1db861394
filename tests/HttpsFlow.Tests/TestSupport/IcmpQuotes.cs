using System.Buffers.Binary;
using HttpsFlow.Capture;
using HttpsFlow.Fields;
using HttpsFlow.Pipeline;
using HttpsFlow.Tree;

namespace HttpsFlow.Tests.TestSupport;

/// <summary>
/// ICMP and ICMPv6 errors that quote a TCP segment (RFC 792, RFC 4443 §3; RFC 1812 §4.3.2.3 lets a router quote as
/// much of the datagram as fits in 576 bytes), with the TCP segments of their connection, through the whole pass
/// (dissector, TLS store, field emitter, list columns, detail tree): what each frame shows.
/// </summary>
internal static class IcmpQuotes
{
    public static readonly byte[] Client = [192, 0, 2, 10], Server = [198, 51, 100, 20], Router = [203, 0, 113, 1];

    public static readonly byte[] Client6 = Convert.FromHexString("20010db8000000000000000000000001"),
        Server6 = Convert.FromHexString("20010db8000000000000000000000002"),
        Router6 = Convert.FromHexString("20010db8000000000000000000000003");

    public const ushort Syn = 0x02, Ack = 0x10, Psh = 0x08;

    /// <summary>What one frame shows.</summary>
    public sealed record Shown(long Number, Dictionary<string, List<string>> Fields, string Protocol, string Info, List<TreeNode> Tree, bool Malformed)
    {
        /// <summary>The values of a field, formatted as tshark -T fields prints them, joined with commas ("" when absent).</summary>
        public string this[string field] => Fields.TryGetValue(field, out var v) ? string.Join(",", v) : "";

        public bool Has(string field) => Fields.ContainsKey(field);
    }

    /// <summary>A TCP header (20 bytes and the options) and its payload; the checksum is left zero.</summary>
    public static byte[] TcpSegment(ushort sport, ushort dport, uint seq, uint ack, ushort flags, byte[] payload, byte[]? options = null)
    {
        options ??= [];
        int header = 20 + ((options.Length + 3) & ~3);
        var b = new byte[header + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(b, sport);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), ack);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(12), (ushort)(header / 4 << 12 | flags));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(14), 512);
        options.CopyTo(b, 20);
        payload.CopyTo(b, header);
        return b;
    }

    /// <summary>
    /// The start of an IPv4 datagram from the client to the server carrying <paramref name="tcp"/>, as an error quotes
    /// it: its header says <paramref name="ipLength"/> bytes (the datagram's, not the quote's), then the first
    /// <paramref name="keep"/> bytes of the TCP segment (all when null).
    /// </summary>
    public static byte[] QuotedV4(byte[] tcp, int ipLength = 1500, int? keep = null)
    {
        var ip = PacketFactory.Ipv4(Client, Server, 6, tcp.AsSpan(0, Math.Min(keep ?? tcp.Length, tcp.Length)));
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ipLength);
        return ip;
    }

    /// <summary>The start of an IPv6 datagram from the client to the server, its payload length saying <paramref name="payloadLength"/>.</summary>
    public static byte[] QuotedV6(byte[] tcp, int payloadLength = 1460) =>
        [0x60, 0, 0, 0, (byte)(payloadLength >> 8), (byte)payloadLength, 6, 64, .. Client6, .. Server6, .. tcp];

    /// <summary>An ICMP error from a router to the client (destination unreachable, fragmentation needed, by default).</summary>
    public static byte[] IcmpError(byte[] quote, byte type = 3, byte code = 4, ushort mtu = 1492) =>
        PacketFactory.Ethernet(PacketFactory.ClientMac, PacketFactory.ServerMac, 0x0800,
            PacketFactory.Ipv4(Router, Client, 1, PacketFactory.Icmp(type, code, 0, mtu, quote)));

    /// <summary>An ICMPv6 error from a router to the client (packet too big, by default), its checksum right.</summary>
    public static byte[] Icmpv6Error(byte[] quote, byte type = 2, byte code = 0, uint mtu = 1280)
    {
        var icmp = new byte[8 + quote.Length];
        icmp[0] = type;
        icmp[1] = code;
        BinaryPrimitives.WriteUInt32BigEndian(icmp.AsSpan(4), mtu);
        quote.CopyTo(icmp, 8);
        var pseudo = new byte[40 + icmp.Length];
        Router6.CopyTo(pseudo, 0);
        Client6.CopyTo(pseudo, 16);
        BinaryPrimitives.WriteUInt32BigEndian(pseudo.AsSpan(32), (uint)icmp.Length);
        pseudo[39] = 58;
        icmp.CopyTo(pseudo, 40);
        uint sum = 0;
        for (int i = 0; i + 1 < pseudo.Length; i += 2) sum += (uint)(pseudo[i] << 8 | pseudo[i + 1]);
        if ((pseudo.Length & 1) != 0) sum += (uint)(pseudo[^1] << 8);
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), (ushort)~sum);
        byte[] ip = [0x60, 0, 0, 0, (byte)(icmp.Length >> 8), (byte)icmp.Length, 58, 64, .. Router6, .. Client6, .. icmp];
        return PacketFactory.Ethernet(PacketFactory.ClientMac, PacketFactory.ServerMac, 0x86dd, ip);
    }

    /// <summary>A TCP segment between the client and the server over IPv4 (or IPv6).</summary>
    public static byte[] Segment(bool fromClient, ushort clientPort, ushort serverPort, uint seq, uint ack, ushort flags,
        byte[] payload, byte[]? options = null, bool v6 = false)
    {
        var tcp = TcpSegment(fromClient ? clientPort : serverPort, fromClient ? serverPort : clientPort, seq, ack, flags, payload, options);
        if (v6)
        {
            byte[] ip = [0x60, 0, 0, 0, (byte)(tcp.Length >> 8), (byte)tcp.Length, 6, 64,
                .. fromClient ? Client6 : Server6, .. fromClient ? Server6 : Client6, .. tcp];
            return PacketFactory.Ethernet(PacketFactory.ServerMac, PacketFactory.ClientMac, 0x86dd, ip);
        }
        return PacketFactory.Ethernet(PacketFactory.ServerMac, PacketFactory.ClientMac, 0x0800,
            PacketFactory.Ipv4(fromClient ? Client : Server, fromClient ? Server : Client, 6, tcp));
    }

    /// <summary>Each frame's fields, list columns and tree; frames one second apart.</summary>
    public static List<Shown> Dissect(params byte[][] frames)
    {
        var pcap = CaptureBuilder.Pcap();
        for (int i = 0; i < frames.Length; i++) pcap.Record(1000 + (uint)i, 0, frames[i]);
        using var reader = CaptureReader.Open(new MemoryStream(pcap.ToArray()), ownsStream: true);
        var store = new TlsFrameStore();
        var dissector = new Dissector { TlsObserver = store, KeepPayload = true, KeepPacketBytes = true };
        var shown = new List<Shown>();
        while (dissector.Next(reader) is { } frame)
        {
            var bytes = frame.CapturedBytes.ToArray();
            var tree = PacketTree.Build(frame, bytes, store); // first, as show builds it
            var set = new FieldSet();
            FrameFieldEmitter.Emit(frame, set, store);
            var fields = new Dictionary<string, List<string>>();
            foreach (var v in set.Values)
            {
                var sink = new HttpsFlow.Output.TextSink(Stream.Null);
                FieldFormatter.Append(sink, set, v);
                if (!fields.TryGetValue(v.Def.Name, out var list)) fields[v.Def.Name] = list = [];
                list.Add(new string(sink.Current));
            }
            shown.Add(new Shown(frame.Number, fields, HttpsFlow.Output.ListFormatter.ProtocolText(frame),
                HttpsFlow.Output.ListFormatter.InfoText(frame), tree, frame.Malformed));
        }
        return shown;
    }

    /// <summary>The handshake of a TLS 1.2 connection on the ports given: SYN, SYN-ACK, ACK, a ClientHello, a ServerHello; the client's next sequence number.</summary>
    public static (byte[][] Frames, uint ClientNext, uint ServerNext) Tls12Handshake(ushort clientPort = 50000, ushort serverPort = 443, bool v6 = false)
    {
        byte[] clientHello = Record(22, Message(1, [0x03, 0x03, .. new byte[32], 0, 0, 2, 0xc0, 0x2f, 1, 0]), 0x0301);
        byte[] serverHello = Record(22, Message(2, [0x03, 0x03, .. new byte[32], 0, 0xc0, 0x2f, 0]));
        uint c = 1000, s = 5000;
        byte[][] frames =
        [
            Segment(true, clientPort, serverPort, c, 0, Syn, [], v6: v6),
            Segment(false, clientPort, serverPort, s, c + 1, Syn | Ack, [], v6: v6),
            Segment(true, clientPort, serverPort, c + 1, s + 1, Ack, [], v6: v6),
            Segment(true, clientPort, serverPort, c + 1, s + 1, Ack | Psh, clientHello, v6: v6),
            Segment(false, clientPort, serverPort, s + 1, c + 1 + (uint)clientHello.Length, Ack | Psh, serverHello, v6: v6),
        ];
        return (frames, c + 1 + (uint)clientHello.Length, s + 1 + (uint)serverHello.Length);
    }

    /// <summary>A TLS record of <paramref name="type"/> around <paramref name="fragment"/>.</summary>
    public static byte[] Record(byte type, byte[] fragment, ushort version = 0x0303) =>
        [type, (byte)(version >> 8), (byte)version, (byte)(fragment.Length >> 8), (byte)fragment.Length, .. fragment];

    /// <summary>A handshake message.</summary>
    public static byte[] Message(byte type, byte[] body) =>
        [type, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length, .. body];

    /// <summary>A fatal handshake_failure alert record (7 bytes).</summary>
    public static readonly byte[] Alert = Record(21, [2, 40]);
}
