using System.Buffers.Binary;

namespace HttpsFlow.Tests.TestSupport;

/// <summary>
/// Builds well-formed Ethernet II / IPv4 / TCP, UDP and ICMP packets with correct checksums (RFC 791, RFC 9293,
/// RFC 768, RFC 792), for tests that need many segments rather than one hand-written vector.
/// </summary>
internal static class PacketFactory
{
    public static readonly byte[] ClientMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    public static readonly byte[] ServerMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

    public const ushort Fin = 0x001, Syn = 0x002, Rst = 0x004, Psh = 0x008, Ack = 0x010;

    /// <summary>Option bytes: MSS (kind 2).</summary>
    public static byte[] Mss(ushort value) => [2, 4, (byte)(value >> 8), (byte)value];

    /// <summary>Option bytes: NOP then Window Scale (kind 3) with the given shift.</summary>
    public static byte[] WindowScale(byte shift) => [1, 3, 3, shift];

    public static byte[] Ethernet(byte[] dst, byte[] src, ushort etherType, ReadOnlySpan<byte> payload)
    {
        var b = new byte[14 + payload.Length];
        dst.CopyTo(b, 0);
        src.CopyTo(b, 6);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(12), etherType);
        payload.CopyTo(b.AsSpan(14));
        return b;
    }

    public static byte[] Ipv4(byte[] src, byte[] dst, byte protocol, ReadOnlySpan<byte> payload, ushort id = 1,
        ushort flagsAndOffset = 0x4000, byte ttl = 64)
    {
        var b = new byte[20 + payload.Length];
        b[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), (ushort)b.Length);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6), flagsAndOffset);
        b[8] = ttl;
        b[9] = protocol;
        src.CopyTo(b, 12);
        dst.CopyTo(b, 16);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(10), Checksum(b.AsSpan(0, 20)));
        payload.CopyTo(b.AsSpan(20));
        return b;
    }

    public static byte[] Tcp(byte[] src, byte[] dst, ushort sport, ushort dport, uint seq, uint ack, ushort flags,
        ushort window, ReadOnlySpan<byte> options = default, int payloadLength = 0)
    {
        int optLen = (options.Length + 3) & ~3;
        int hlen = 20 + optLen;
        var b = new byte[hlen + payloadLength];
        BinaryPrimitives.WriteUInt16BigEndian(b, sport);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), ack);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(12), (ushort)((hlen / 4) << 12 | flags));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(14), window);
        options.CopyTo(b.AsSpan(20));
        for (int i = 0; i < payloadLength; i++) b[hlen + i] = (byte)('a' + i % 26);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(16), Checksum([.. PseudoHeader(src, dst, 6, b.Length), .. b]));
        return b;
    }

    public static byte[] Icmp(byte type, byte code, ushort id, ushort seq, ReadOnlySpan<byte> data)
    {
        var b = new byte[8 + data.Length];
        b[0] = type;
        b[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6), seq);
        data.CopyTo(b.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), Checksum(b));
        return b;
    }

    /// <summary>An Ethernet II / IPv4 / TCP segment.</summary>
    public static byte[] EthernetTcp(byte[] srcIp, byte[] dstIp, ushort sport, ushort dport, uint seq, uint ack,
        ushort flags, ushort window, ReadOnlySpan<byte> options = default, int payloadLength = 0, bool fromClient = true)
    {
        var tcp = Tcp(srcIp, dstIp, sport, dport, seq, ack, flags, window, options, payloadLength);
        return Ethernet(fromClient ? ServerMac : ClientMac, fromClient ? ClientMac : ServerMac, 0x0800,
            Ipv4(srcIp, dstIp, 6, tcp));
    }

    /// <summary>An Ethernet II / IPv4 / TCP segment carrying <paramref name="data"/>, with no options.</summary>
    public static byte[] EthernetTcpData(byte[] srcIp, byte[] dstIp, ushort sport, ushort dport, uint seq, uint ack,
        ushort flags, ReadOnlySpan<byte> data, ushort window = 65535)
    {
        var tcp = Tcp(srcIp, dstIp, sport, dport, seq, ack, flags, window, default, data.Length);
        data.CopyTo(tcp.AsSpan(20));
        tcp[16] = tcp[17] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(16), Checksum([.. PseudoHeader(srcIp, dstIp, 6, tcp.Length), .. tcp]));
        return Ethernet(ServerMac, ClientMac, 0x0800, Ipv4(srcIp, dstIp, 6, tcp));
    }

    private static byte[] PseudoHeader(byte[] src, byte[] dst, byte protocol, int length)
    {
        var p = new byte[12];
        src.CopyTo(p, 0);
        dst.CopyTo(p, 4);
        p[9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), (ushort)length);
        return p;
    }

    /// <summary>The Internet checksum (RFC 1071).</summary>
    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2) sum += (uint)(data[i] << 8 | data[i + 1]);
        if ((data.Length & 1) != 0) sum += (uint)(data[^1] << 8);
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
