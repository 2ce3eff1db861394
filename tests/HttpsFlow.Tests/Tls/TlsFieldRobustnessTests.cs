using HttpsFlow.Capture;
using HttpsFlow.Common;
using HttpsFlow.Fields;
using HttpsFlow.Pipeline;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// Malformed TLS messages and extensions, as hex, through the whole fields path (dissector, TLS store, field emitter):
/// nothing throws, the fields read before the damage are there, and damage the parsers call an error becomes an
/// Error note (group Malformed, protocol tls) on the frame.
/// </summary>
public class TlsFieldRobustnessTests
{
    private static readonly byte[] ClientIp = [10, 0, 0, 1], ServerIp = [10, 0, 0, 2];

    /// <summary>A record of <paramref name="type"/> around <paramref name="fragment"/>.</summary>
    private static byte[] Record(byte type, byte[] fragment) =>
        [type, 0x03, 0x03, (byte)(fragment.Length >> 8), (byte)fragment.Length, .. fragment];

    /// <summary>A handshake message (its declared length is the body's unless given).</summary>
    private static byte[] Message(byte type, byte[] body, int? declared = null)
    {
        int n = declared ?? body.Length;
        return [type, (byte)(n >> 16), (byte)(n >> 8), (byte)n, .. body];
    }

    private static byte[] Segment(bool fromClient, uint seq, uint ack, ushort flags, byte[] payload)
    {
        var tcp = PacketFactory.Tcp(fromClient ? ClientIp : ServerIp, fromClient ? ServerIp : ClientIp,
            fromClient ? (ushort)50000 : (ushort)443, fromClient ? (ushort)443 : (ushort)50000, seq, ack, flags, 65535, default, payload.Length);
        payload.CopyTo(tcp, 20);
        return PacketFactory.Ethernet(fromClient ? PacketFactory.ServerMac : PacketFactory.ClientMac,
            fromClient ? PacketFactory.ClientMac : PacketFactory.ServerMac, 0x0800, PacketFactory.Ipv4(fromClient ? ClientIp : ServerIp, fromClient ? ServerIp : ClientIp, 6, tcp));
    }

    /// <summary>A handshake, then the client sends <paramref name="clientPayload"/> and the server <paramref name="serverPayload"/>.</summary>
    private static (FieldSet Set, bool TlsError)[] Dissect(byte[] clientPayload, byte[]? serverPayload = null)
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

    private static List<string> Values(FieldSet set, FieldDef def)
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

    private static byte[] HelloStart(byte sessionIdLength = 0) => [0x03, 0x03, .. new byte[32], sessionIdLength, .. new byte[sessionIdLength]];

    [Fact]
    public void CipherSuitesLongerThanTheMessage()
    {
        var body = (byte[])[.. HelloStart(), 0xff, 0xff, 0x13, 0x01];
        var (set, tlsError) = Dissect(Record(22, Message(1, body))).Single();
        Assert.Equal(["1"], Values(set, TlsFields.HandshakeType));
        Assert.Equal(["65535"], Values(set, TlsFields.CipherSuitesLength));
        Assert.Empty(Values(set, TlsFields.Ja3));
        Assert.True(tlsError);
    }

    [Fact]
    public void HelloCutInsideTheRandom()
    {
        var (set, tlsError) = Dissect(Record(22, Message(1, [0x03, 0x03, 1, 2, 3]))).Single();
        Assert.Equal(["0x0303"], Values(set, TlsFields.Version));
        Assert.Empty(Values(set, TlsFields.Random));
        Assert.True(tlsError);
    }

    [Fact]
    public void ExtensionLongerThanItsBlock()
    {
        // cipher suites <0x1301>, compression <0>, extensions block of 6: server_name declaring 255 bytes, 2 present.
        var body = (byte[])[.. HelloStart(), 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00];
        var (set, tlsError) = Dissect(Record(22, Message(1, body))).Single();
        Assert.Equal(["1"], Values(set, TlsFields.HandshakeType));
        Assert.Equal(["0x1301"], Values(set, TlsFields.CipherSuite));
        Assert.Equal(["0"], Values(set, TlsFields.CompMethod));
        Assert.True(tlsError);
    }

    [Fact]
    public void ZeroLengthVectorsEverywhere()
    {
        // No cipher suites, no compression methods, an empty extensions block; then an ALPN list with an empty name
        // and a server_name with an empty list.
        var empty = (byte[])[.. HelloStart(), 0x00, 0x00, 0x00, 0x00, 0x00];
        var (set, _) = Dissect(Record(22, Message(1, empty))).Single();
        Assert.Equal(["0"], Values(set, TlsFields.CipherSuitesLength));
        Assert.Equal(["0"], Values(set, TlsFields.CompMethodsLength));
        var odd = (byte[])[.. HelloStart(), 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x0e,
            0x00, 0x10, 0x00, 0x03, 0x00, 0x01, 0x00,   // ALPN: list of 1 byte holding an empty name
            0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00];  // server_name: an empty list and a stray byte
        (set, _) = Dissect(Record(22, Message(1, odd))).Single();
        Assert.Equal(["16", "0"], Values(set, TlsFields.ExtensionType));
        Assert.Equal(["1"], Values(set, TlsFields.AlpnLen));
    }

    [Fact]
    public void CertificateLengthsOverrunAndGarbageDer()
    {
        // A certificate list declaring more than there is, and a "certificate" that is not DER.
        var body = (byte[])[0x00, 0x00, 0x20, 0x00, 0x00, 0x05, 0x30, 0x82, 0xff, 0xff, 0x01];
        var server = Record(22, Message(11, body));
        var frames = Dissect(Record(22, Message(1, [.. HelloStart(), 0x00, 0x02, 0x13, 0x01, 0x01, 0x00])), server);
        var (set, tlsError) = frames[1];
        Assert.Equal(["11"], Values(set, TlsFields.HandshakeType));
        Assert.Equal(["32"], Values(set, TlsFields.CertificatesLength));
        Assert.Empty(Values(set, X509Fields.SerialNumber));
        Assert.True(tlsError);
    }

    [Fact]
    public void EveryTruncationOfARealHandshakeIsSafe()
    {
        // The sample's ClientHello record, and then its handshake message declared longer than it is, cut at every length.
        var hello = Convert.FromHexString("16030100c4010000c00303" + new string('a', 64) + "00000813011302130300ff01000091000000160014000011746573742e6874747073666c6f77000a00080006001d00170018000d0014001204030804040105030805050108060601020100100008000602683208687474702f312e31002b0003020304003300260024001d0020" + new string('b', 64) + "002d00020101");
        for (int cut = 6; cut < hello.Length; cut += 3)
        {
            var fragment = hello[5..cut];
            var (set, _) = Dissect(Record(22, fragment)).Single();
            Assert.Contains("tls", Values(set, TlsFields.Tls));
        }
    }
}
