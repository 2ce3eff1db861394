using System.Buffers.Binary;
using HttpsFlow.Capture;
using HttpsFlow.Common;
using HttpsFlow.Net;
using HttpsFlow.Output;
using HttpsFlow.Pipeline;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tls.Dtls;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// The DTLS lines of the packet list on hand-built datagrams. Each expected Protocol and Info column is what tshark
/// 4.0.17 printed for the same bytes (`tshark -n -r` on a capture of them).
/// </summary>
public sealed class DtlsListTests
{
    // ---- building datagrams ----

    private const ushort Dtls12 = 0xfefd, Dtls10 = 0xfeff;

    private static byte[] Record(byte type, ReadOnlySpan<byte> body, ushort version = Dtls12, ushort epoch = 0,
        ulong seq = 0, int? length = null, byte[]? cid = null)
    {
        cid ??= [];
        var b = new byte[13 + cid.Length + body.Length];
        b[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(1), version);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(3), epoch);
        for (int i = 0; i < 6; i++) b[5 + i] = (byte)(seq >> (8 * (5 - i)));
        cid.CopyTo(b, 11);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(11 + cid.Length), (ushort)(length ?? body.Length));
        body.CopyTo(b.AsSpan(13 + cid.Length));
        return b;
    }

    private static byte[] Handshake(byte type, ReadOnlySpan<byte> body, int? length = null, ushort messageSeq = 0,
        int fragmentOffset = 0, int? fragmentLength = null)
    {
        var b = new byte[12 + body.Length];
        b[0] = type;
        Put24(b, 1, length ?? body.Length);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), messageSeq);
        Put24(b, 6, fragmentOffset);
        Put24(b, 9, fragmentLength ?? body.Length);
        body.CopyTo(b.AsSpan(12));
        return b;
    }

    private static void Put24(byte[] b, int at, int v)
    {
        b[at] = (byte)(v >> 16);
        b[at + 1] = (byte)(v >> 8);
        b[at + 2] = (byte)v;
    }

    private static byte[] Hello(ushort version, bool client, byte[]? extensions = null)
    {
        var b = new List<byte> { (byte)(version >> 8), (byte)version };
        b.AddRange(new byte[32]);
        b.Add(0); // session id
        if (client) b.AddRange([0, 0, 2, 0xc0, 0x2b, 1, 0]); // cookie, cipher suites, compression
        else b.AddRange([0xc0, 0x2b, 0]);
        extensions ??= [];
        b.Add((byte)(extensions.Length >> 8));
        b.Add((byte)extensions.Length);
        b.AddRange(extensions);
        return [.. b];
    }

    private static readonly byte[] ClientBody = Hello(Dtls12, client: true, [0x00, 0x17, 0x00, 0x00]);
    private static readonly byte[] ServerBody = Hello(Dtls12, client: false);

    private static byte[] Cat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    /// <summary>One datagram of a conversation between 10.0.0.1:<c>clientPort</c> and 10.0.0.2:<c>serverPort</c>.</summary>
    private sealed record Datagram(bool FromServer, byte[] Payload, int Cut = 0, ushort ClientPort = 40000, ushort ServerPort = 4433);

    private static byte[] UdpPacket(Datagram d)
    {
        var udp = new byte[8 + d.Payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, d.FromServer ? d.ServerPort : d.ClientPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), d.FromServer ? d.ClientPort : d.ServerPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        d.Payload.CopyTo(udp, 8);
        byte[] client = [10, 0, 0, 1], server = [10, 0, 0, 2];
        var ip = PacketFactory.Ipv4(d.FromServer ? server : client, d.FromServer ? client : server, 17, udp);
        return PacketFactory.Ethernet(PacketFactory.ServerMac, PacketFactory.ClientMac, 0x0800, ip);
    }

    /// <summary>The Protocol and Info columns of each datagram, dissected in order by one dissector.</summary>
    private static List<string> Lines(params Datagram[] datagrams)
    {
        var dissector = new Dissector();
        var lines = new List<string>();
        foreach (var d in datagrams)
        {
            var packet = UdpPacket(d);
            var frame = dissector.Dissect(new CapturedPacket(packet.AsSpan(0, packet.Length - d.Cut), packet.Length,
                LinkTypes.Ethernet, new Timestamp(1, 0), 6, 0), false, null);
            lines.Add(ListFormatter.ProtocolText(frame) + " " + ListFormatter.InfoText(frame));
        }
        return lines;
    }

    private static Datagram C(byte[] payload, int cut = 0) => new(false, payload, cut);
    private static Datagram S(byte[] payload, int cut = 0) => new(true, payload, cut);

    // ---- the handshake ----

    [Fact]
    public void VersionComesFromTheFirstRecordThatIsNotAClientHelloThenFromTheServerHello()
    {
        var lines = Lines(
            C(Record(22, Handshake(1, ClientBody))),
            S(Record(22, Handshake(3, [0xfe, 0xff, 2, (byte)'a', (byte)'b']), Dtls10)),
            C(Record(22, Handshake(1, ClientBody, messageSeq: 1))),
            S(Record(22, Handshake(2, ServerBody, messageSeq: 1), Dtls10)),
            C(Cat(Record(20, [1]), Record(22, new byte[40].Select(_ => (byte)0x99).ToArray(), epoch: 1))),
            S(Record(21, [2, 40])),
            C(Cat(Record(21, [1, 0]), Record(23, [(byte)'x', (byte)'x']))));
        Assert.Equal(
        [
            "DTLS Client Hello",
            "DTLSv1.0 Hello Verify Request",
            "DTLSv1.0 Client Hello",
            "DTLSv1.2 Server Hello", // the ServerHello's version is the Protocol column at once
            "DTLSv1.2 Change Cipher Spec, Encrypted Handshake Message",
            "DTLSv1.2 Alert (Level: Fatal, Description: Handshake Failure)",
            "DTLSv1.2 Alert (Level: Warning, Description: Close Notify), Application Data",
        ], lines);
    }

    [Fact]
    public void SeveralMessagesInOneRecordAndAnUnknownOneAfterThem()
    {
        var lines = Lines(
            S(Record(22, Cat(Handshake(11, [0, 0, 0]), Handshake(99, []), Handshake(14, [])))),
            S(Record(22, Cat(Handshake(11, [0, 0, 0]), Handshake(14, []), Handshake(99, [1, 2, 3], fragmentLength: 50)))),
            S(Record(22, Cat([1, 0, 0, 5], Enumerable.Repeat((byte)0x99, 36).ToArray()), epoch: 1)));
        Assert.Equal(
        [
            "DTLSv1.2 Certificate",
            // A message running past its record keeps the previous name (Wireshark's quirk), and its bytes are copied
            // into the handshake hash: past the datagram, malformed.
            "DTLSv1.2 Certificate, Server Hello Done, Server Hello Done[Malformed Packet]",
            "DTLSv1.2 Encrypted Handshake Message",
        ], lines);
    }

    [Fact]
    public void FragmentsAreReassembledAsTsharkDoes()
    {
        var body = ClientBody;
        int n = body.Length;
        byte[] Fragment(ushort seq, int offset, int length) =>
            Handshake(1, body.AsSpan(offset, length), length: n, messageSeq: seq, fragmentOffset: offset, fragmentLength: length);
        var lines = Lines(
            C(Record(22, Fragment(0, 0, 20))),
            C(Record(22, Fragment(0, 20, n - 20))),
            C(Record(22, Fragment(0, 0, 20))),                                   // after the message was complete
            C(Record(22, Fragment(1, 30, n - 30))),
            C(Record(22, Fragment(1, 0, 30))),                                   // completes it, but not at its end
            C(Cat(Record(22, Fragment(2, 0, 10)), Record(22, Fragment(2, 10, n - 10), seq: 1))),
            C(Record(22, Cat(Fragment(3, 0, 10), Fragment(3, 10, n - 10)))),
            C(Record(22, Fragment(4, 0, n))),                                   // one fragment holding it all
            C(Record(22, Handshake(1, [1, 2], length: 5, messageSeq: 5, fragmentOffset: 4, fragmentLength: 2))));
        Assert.Equal(
        [
            "DTLS Client Hello (Fragment)",
            "DTLS Client Hello (Reassembled)",
            "DTLS Client Hello[Reassembly error, protocol DTLS: New fragment overlaps old data (retransmission?)]",
            "DTLS Client Hello (Fragment)",
            "DTLS Client Hello (Fragment)",
            "DTLS Client Hello (Fragment), Client Hello (Reassembled)",
            "DTLS Client Hello (Fragment), Client Hello (Reassembled)",
            "DTLS Client Hello",
            "DTLS Client Hello", // runs past the end of its message: not reassembled
        ], lines);
    }

    [Fact]
    public void FragmentsOfOneConversationDoNotMixWithAnother()
    {
        int n = ClientBody.Length;
        byte[] First(ushort seq) => Record(22, Handshake(1, ClientBody.AsSpan(0, 20), length: n, messageSeq: seq, fragmentLength: 20));
        byte[] Rest(ushort seq) => Record(22, Handshake(1, ClientBody.AsSpan(20), length: n, messageSeq: seq, fragmentOffset: 20, fragmentLength: n - 20));
        var lines = Lines(
            C(First(0)), C(Rest(0)),
            new Datagram(false, First(0), ClientPort: 40002), new Datagram(false, Rest(0), ClientPort: 40002));
        Assert.Equal(["DTLS Client Hello (Fragment)", "DTLS Client Hello (Reassembled)", "DTLS Client Hello (Fragment)", "DTLS Client Hello (Reassembled)"], lines);
    }

    [Fact]
    public void FragmentsThatDisagreeAreIllegal()
    {
        int n = ClientBody.Length;
        var changed = (byte[])ClientBody.Clone();
        changed[15] ^= 0xff;
        var lines = Lines(
            C(Record(22, Handshake(1, ClientBody.AsSpan(0, 20), length: n, fragmentLength: 20))),
            C(Cat(Record(22, Handshake(14, [])), Record(22, Handshake(1, changed.AsSpan(10), length: n, fragmentOffset: 10, fragmentLength: n - 10)))));
        Assert.Equal(["DTLS Client Hello (Fragment)", "DTLSv1.2 [Illegal Message fragments] (Reassembled)"], lines);
    }

    // ---- where tshark stops reading ----

    [Fact]
    public void BytesMissingFromTheDatagramOrTheCapture()
    {
        var clientHello = Record(22, Handshake(1, ClientBody));
        var lines = Lines(
            C(clientHello, cut: 10),                                             // the capture cut the body
            C(clientHello, cut: clientHello.Length - 5),                          // ... the record header
            C(Cat(Record(23, new byte[22]), Record(23, new byte[10])), cut: 25),   // ... the first record's payload
            C(Cat(Record(21, new byte[22]), Record(23, new byte[10])), cut: 20),   // ... the second record's header
            S(Cat(Record(22, Handshake(2, ServerBody)), Record(23, [], length: 0))), // an empty last record
            C(Record(23, [(byte)'a'], length: 10)),                               // a record longer than the datagram: not DTLS
            S(Record(21, [2])));                                                  // an alert of one byte
        Assert.Equal(
        [
            "DTLS Client Hello[Packet size limited during capture]",
            "DTLS [Packet size limited during capture]",
            "DTLSv1.2 Application Data[Packet size limited during capture]",
            "DTLSv1.2 Encrypted Alert[Packet size limited during capture]",
            "DTLSv1.2 Server Hello[Malformed Packet]",
            "UDP 40000 → 4433 Len=14",
            "DTLSv1.2 [Malformed Packet]",
        ], lines);
    }

    [Fact]
    public void AFragmentThenBytesMissingIsAnUnreassembledPacket()
    {
        int n = ClientBody.Length;
        var lines = Lines(C(Cat(Record(22, Handshake(1, ClientBody.AsSpan(0, 20), length: n, fragmentLength: 20)), Record(23, []))));
        Assert.Equal(["DTLS Client Hello (Fragment)[BoundErrorUnreassembled Packet]"], lines);
    }

    [Fact]
    public void MessageBodiesTsharkReadsFirst()
    {
        byte[] Alone(byte type, int length) => Record(22, Handshake(type, new byte[length]));
        var lines = Lines(
            S(Record(21, [1, 0])),
            S(Alone(4, 3)), S(Alone(4, 4)), // NewSessionTicket: lifetime, then the ticket's length
            S(Alone(15, 1)), S(Alone(15, 2)), // CertificateVerify (DTLS 1.2): the signature algorithm
            S(Alone(3, 1)), S(Alone(3, 2)), // HelloVerifyRequest: version and cookie length
            S(Alone(22, 0)), S(Alone(22, 1)), // CertificateStatus: its type
            S(Alone(2, 1)));                 // ServerHello: its version
        Assert.Equal(
        [
            "DTLSv1.2 Alert (Level: Warning, Description: Close Notify)",
            "DTLSv1.2 New Session Ticket[Malformed Packet]", "DTLSv1.2 New Session Ticket",
            "DTLSv1.2 Certificate Verify[Malformed Packet]", "DTLSv1.2 Certificate Verify",
            "DTLSv1.2 Hello Verify Request[Malformed Packet]", "DTLSv1.2 Hello Verify Request",
            "DTLSv1.2 Certificate Status[Malformed Packet]", "DTLSv1.2 Certificate Status",
            "DTLSv1.2 Server Hello[Malformed Packet]",
        ], lines);
    }

    [Fact]
    public void HeartbeatsAndOpenSslsOldVersion()
    {
        var lines = Lines(
            S(Record(24, Cat([1, 0, 0x10], new byte[40]))),
            S(Record(24, Cat([1, 0, 0x10], new byte[10]))), // under 19 bytes: Wireshark's unsigned arithmetic lets it pass
            S(Record(24, Cat([3, 0, 5], new byte[30]))),
            new Datagram(false, Record(22, Handshake(1, ClientBody), 0x0100), ClientPort: 40004),
            new Datagram(true, Record(21, [2, 40], 0x0100), ClientPort: 40004));
        Assert.Equal(
        [
            "DTLSv1.2 Heartbeat Request", "DTLSv1.2 Heartbeat Request", "DTLSv1.2 Encrypted Heartbeat",
            "DTLS Client Hello", "DTLS 1.0 (OpenSSL pre 0.9.8f) Alert (Level: Fatal, Description: Handshake Failure)",
        ], lines);
    }

    // ---- connection IDs and DTLS 1.3 ----

    [Fact]
    public void ConnectionIdRecordsUseTheLengthEachSideAskedFor()
    {
        byte[] Ext(ushort type, params byte[] data) => [(byte)(type >> 8), (byte)type, 0, (byte)data.Length, .. data];
        var lines = Lines(
            C(Record(22, Handshake(1, Hello(Dtls12, true, Ext(54, 3, (byte)'a', (byte)'b', (byte)'c'))))),
            S(Record(22, Handshake(2, Hello(Dtls12, false, Ext(54, 2, (byte)'x', (byte)'y')), messageSeq: 1))),
            S(Record(25, new byte[20], epoch: 1, cid: [(byte)'a', (byte)'b', (byte)'c'])),
            C(Record(25, new byte[20], epoch: 1, cid: [(byte)'x', (byte)'y'])),
            S(Cat(Record(25, new byte[20], epoch: 1, cid: [(byte)'a', (byte)'b', (byte)'c']), Record(23, new byte[5]))));
        Assert.Equal(
        [
            "DTLS Client Hello", "DTLSv1.2 Server Hello", "DTLSv1.2 Connection ID", "DTLSv1.2 Connection ID",
            "DTLSv1.2 Connection ID, Application Data",
        ], lines);
    }

    [Fact]
    public void Dtls13UnifiedHeadersAndAcksAreNotDtlsToTshark40()
    {
        var unified = Cat([0x2c, 0x00, 0x05], Enumerable.Repeat((byte)'z', 30).ToArray());
        var lines = Lines(
            C(unified),
            C(Record(26, [0, 2, 0, 1])),
            C(Cat(Record(22, Handshake(1, ClientBody)), Record(26, [0, 0]))),
            new Datagram(false, unified, ServerPort: 853),
            new Datagram(false, Record(26, [0, 0]), ServerPort: 853));
        Assert.Equal(
        [
            "UDP 40000 → 4433 Len=33", "UDP 40000 → 4433 Len=17", "UDP 40000 → 4433 Len=88",
            "DTLS Continuation Data", "DTLS Continuation Data",
        ], lines);
    }

    // ---- which datagrams are DTLS ----

    [Fact]
    public void OnADtlsPortEverythingIsDtls()
    {
        Datagram At853(byte[] payload) => new(false, payload, ServerPort: 853);
        var lines = Lines(At853([]), At853([0x16]), At853([0x16, 0xfe, 0xfd]), At853([0, 1, 2]), At853(Record(22, Handshake(1, ClientBody))));
        Assert.Equal(
        [
            "UDP 40000 → 853 Len=0",
            "DTLS [Malformed Packet]",
            "DTLS [Malformed Packet]",
            "DTLS Continuation Data",
            "DTLS Client Hello",
        ], lines);
    }

    [Fact]
    public void APortWhoseProtocolTakesTheDatagramKeepsItFromDtls()
    {
        var clientHello = Record(22, Handshake(1, ClientBody));
        // DNS (53) takes it; AFS's RX (7000) does not, so the heuristic still finds DTLS there.
        Assert.Equal(DtlsEntry.None, DtlsDetector.Decide(40000, 53, clientHello, clientHello.Length));
        Assert.Equal(DtlsEntry.Heuristic, DtlsDetector.Decide(40000, 7000, clientHello, clientHello.Length));
        Assert.Equal(DtlsEntry.Port, DtlsDetector.Decide(46907, 853, [0x40, 1, 2], 3));
        Assert.Equal(DtlsEntry.None, DtlsDetector.Decide(53, 853, clientHello, clientHello.Length)); // the lower port first
        Assert.Equal(["UDP 40000 → 53 Len=" + clientHello.Length], Lines(new Datagram(false, clientHello, ServerPort: 53)));
    }

    [Fact]
    public void HeuristicWantsWholeRecordsOrAsMuchAsWasCaptured()
    {
        var rec = Record(23, new byte[20]);
        Assert.True(DtlsDetector.Heuristic(rec, rec.Length));
        Assert.True(DtlsDetector.Heuristic(Cat(rec, rec), rec.Length * 2));
        Assert.False(DtlsDetector.Heuristic(Cat(rec, [0]), rec.Length + 1));         // a byte too many
        Assert.False(DtlsDetector.Heuristic(rec.AsSpan(0, 20), 20));                  // a byte too few
        Assert.False(DtlsDetector.Heuristic(Record(23, new byte[3], version: 0x0303), 16)); // a TLS version
        Assert.False(DtlsDetector.Heuristic(Record(26, new byte[3]), 16));            // DTLS 1.3's ACK
        Assert.True(DtlsDetector.Heuristic(rec.AsSpan(0, 3), rec.Length));            // cut by the snapshot length
        Assert.True(DtlsDetector.Heuristic(rec.AsSpan(0, 12), rec.Length));
        Assert.False(DtlsDetector.Heuristic(rec.AsSpan(0, 2), rec.Length));
        Assert.False(DtlsDetector.Heuristic([], 0));
    }

    // ---- robustness ----

    [Fact]
    public void RandomBytesNeverThrowAndOrdinaryUdpAllocatesNothing()
    {
        var random = new Random(7);
        var dissector = new Dissector();
        var templates = new[]
        {
            Record(22, Handshake(1, ClientBody)), Record(22, Handshake(2, ServerBody)),
            Cat(Record(20, [1]), Record(22, new byte[40])), Record(25, new byte[20], cid: [1, 2, 3]),
        };
        for (int i = 0; i < 5000; i++)
        {
            var payload = (byte[])templates[random.Next(templates.Length)].Clone();
            for (int k = random.Next(4); k > 0; k--) payload[random.Next(payload.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0) payload = payload[..random.Next(payload.Length + 1)];
            var d = new Datagram(random.Next(2) == 0, payload, random.Next(3) == 0 ? random.Next(payload.Length + 1) : 0,
                ServerPort: random.Next(3) == 0 ? (ushort)853 : (ushort)4433);
            var packet = UdpPacket(d);
            var frame = dissector.Dissect(new CapturedPacket(packet.AsSpan(0, packet.Length - d.Cut), packet.Length,
                LinkTypes.Ethernet, new Timestamp(1, 0), 6, 0), false, null);
            Assert.DoesNotContain(frame.Notes, n => n.Message.StartsWith("dissector bug", StringComparison.Ordinal));
            _ = ListFormatter.InfoText(frame);
        }

        // A DNS query and other datagrams that are not DTLS (one starting with a content type) cost nothing.
        var ordinary = new[]
        {
            UdpPacket(new Datagram(false, Convert.FromHexString("16fe0100000100000000000003777777076578616d706c6503636f6d0000010001"), ServerPort: 53)),
            UdpPacket(new Datagram(false, Convert.FromHexString("16fe0100000100000000000003777777076578616d706c6503636f6d0000010001"))),
            UdpPacket(new Datagram(false, new byte[100])),
        };
        void Pass()
        {
            foreach (var p in ordinary)
                dissector.Dissect(new CapturedPacket(p, p.Length, LinkTypes.Ethernet, new Timestamp(1, 0), 6, 0), false, null);
        }
        for (int i = 0; i < 10; i++) Pass();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) Pass();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
