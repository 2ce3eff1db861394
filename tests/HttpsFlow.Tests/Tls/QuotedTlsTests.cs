using HttpsFlow.Tests.TestSupport;
using static HttpsFlow.Tests.TestSupport.IcmpQuotes;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// TLS in the TCP payload an ICMP or ICMPv6 error quotes. tshark hands the quote to TLS as it would the segment
/// (the connection's TLS, a TLS port, or its heuristic elsewhere) and TLS reads it once, on its own: records wholly
/// inside it are dissected, a record it cuts short is not (TLS asks for more and never gets it), and nothing of an
/// exception shows. The packet list stays the ICMP message's. Each expectation was checked with tshark 4.0.17 on the
/// same bytes.
/// </summary>
public class QuotedTlsTests
{
    private static byte[] Quote(byte[] payload, ushort sport = 50000, ushort dport = 443, uint seq = 100) =>
        IcmpError(QuotedV4(TcpSegment(sport, dport, seq, 7777, Ack | Psh, payload)));

    [Fact]
    public void ARecordWhollyInTheQuoteIsDissected()
    {
        var f = Dissect(Quote(Alert))[0];

        Assert.Equal("eth:ethertype:ip:icmp:ip:tcp:tls", f["frame.protocols"]);
        Assert.Equal("tls", f["tls"]);
        Assert.Equal("21", f["tls.record.content_type"]);
        Assert.Equal("0x0303", f["tls.record.version"]);
        Assert.Equal("2", f["tls.record.length"]);
        Assert.Equal("2", f["tls.alert_message.level"]);
        Assert.Equal("40", f["tls.alert_message.desc"]);
        Assert.Equal("ICMP", f.Protocol);
        Assert.Equal("Destination unreachable (Fragmentation needed)", f.Info);
        Assert.False(f.Malformed);
    }

    [Fact]
    public void ARecordTheQuoteCutsShortShowsNothingButTls()
    {
        // The first segment of an 8,212-byte application-data record, quoted in 508 bytes (as in FoxIO's latest.pcapng).
        byte[] start = [0x17, 3, 3, 0x20, 0x14, .. new byte[503]];
        var f = Dissect(Quote(start))[0];

        Assert.Equal("eth:ethertype:ip:icmp:ip:tcp:tls", f["frame.protocols"]);
        Assert.Equal("tls", f["tls"]);
        Assert.False(f.Has("tls.record"));
        Assert.False(f.Has("tls.record.content_type"));
        Assert.False(f.Has("_ws.expert"));
        Assert.Equal(508, f["tcp.payload"].Length / 2);
    }

    [Fact]
    public void TheRecordsBeforeOneTheQuoteCutsAreDissected()
    {
        byte[] application = Record(23, "hello"u8.ToArray());
        var f = Dissect(Quote([.. Alert, .. application, 0x17, 3, 3, 4, 0, 1, 2, 3]))[0];

        Assert.Equal("21,23", f["tls.record.content_type"]);
        Assert.Equal("2,5", f["tls.record.length"]);
        Assert.Equal("68656c6c6f", f["tls.app_data"]);
        Assert.Equal("Hypertext Transfer Protocol", f["tls.app_data_proto"]);
    }

    [Fact]
    public void TheQuotedIpLengthBoundsThePayload()
    {
        byte[] tcp = TcpSegment(50000, 443, 100, 7777, Ack | Psh, [.. Alert, .. Record(21, [1, 0])]);
        var f = Dissect(IcmpError(QuotedV4(tcp, ipLength: 20 + 20 + Alert.Length)))[0];

        Assert.Equal("21", f["tls.record.content_type"]);
        Assert.Equal("15030300020228", f["tcp.payload"]);
    }

    [Fact]
    public void InATls12ConnectionBytesThatAreNoRecordAreAnIgnoredUnknownRecord()
    {
        var (handshake, next, serverNext) = Tls12Handshake();
        byte[] middle = [0x84, 0xfd, 0xe7, 0x59, 0xcd, 0xf0, 0x20, 0x40, 0x5b, 0x9e];
        var frames = Dissect([.. handshake,
            IcmpError(QuotedV4(TcpSegment(50000, 443, next + 1460, serverNext, Ack, middle))),
            IcmpError(QuotedV4(TcpSegment(50000, 443, next, serverNext, Ack, [0x17, 3, 3, 0x20, 0x14, 1, 2, 3])))]);

        var ignored = frames[^2];
        Assert.Equal("tls", ignored["tls"]);
        Assert.False(ignored.Has("tls.record"));
        Assert.Equal("Ignored Unknown Record", ignored["_ws.expert.message"]);
        Assert.Equal("6291456", ignored["_ws.expert.severity"]);
        Assert.Equal("150994944", ignored["_ws.expert.group"]);
        Assert.Equal("eth:ethertype:ip:icmp:ip:tcp:tls", ignored["frame.protocols"]);
        Assert.False(ignored.Malformed);
        Assert.Equal("Destination unreachable (Fragmentation needed)", ignored.Info);
        Assert.Equal("tls", frames[^1]["tls"]);
        Assert.False(frames[^1].Has("_ws.expert"));
    }

    [Fact]
    public void WithoutAKnownVersionBytesThatAreNoRecordAreContinuationDataWithNoNote()
    {
        var f = Dissect(Quote([0x84, 0xfd, 0xe7, 0x59, 0xcd, 0xf0, 0x20, 0x40]))[0];

        Assert.Equal("tls", f["tls"]);
        Assert.False(f.Has("_ws.expert"));
        Assert.Equal("eth:ethertype:ip:icmp:ip:tcp:tls", f["frame.protocols"]);
    }

    [Fact]
    public void AnEmptyRecordEndingTheQuoteShowsItsHeaderOnlyAndNoException()
    {
        // tshark reads the byte after the header, which the quote lacks; inside an error the exception is not shown.
        var f = Dissect(Quote([0x15, 3, 3, 0, 0]))[0];

        Assert.Equal("21", f["tls.record.content_type"]);
        Assert.Equal("0", f["tls.record.length"]);
        Assert.False(f.Has("tls.alert_message"));
        Assert.False(f.Has("_ws.expert"));
        Assert.False(f.Has("_ws.malformed"));
        Assert.False(f.Malformed);
    }

    [Fact]
    public void AHandshakeMessageTheRecordCutsIsAFragmentWithNoFields()
    {
        var f = Dissect(Quote([0x16, 3, 3, 0, 8, 1, 0, 1, 0xfc, 3, 3, 0xaa, 0xbb]))[0];

        Assert.Equal("22", f["tls.record.content_type"]);
        Assert.Equal("8", f["tls.record.length"]);
        Assert.Equal("1", f["tls.handshake"]);
        Assert.False(f.Has("tls.handshake.type"));
    }

    [Fact]
    public void AWholeHandshakeMessageIsDissected()
    {
        var f = Dissect(Quote(Record(22, Message(14, []))))[0];

        Assert.Equal("14", f["tls.handshake.type"]);
        Assert.Equal("0", f["tls.handshake.length"]);
    }

    [Theory]
    [InlineData(47000, new byte[] { 0x16, 3, 3, 0, 4, 14, 0, 0, 0 }, ":tcp:tls")] // the heuristic: a handshake record
    [InlineData(47000, new byte[] { 0x16, 3, 1, 2, 0, 1, 0, 1, 0xfc, 3, 3 }, ":tcp:tls")] // even one the quote cuts
    [InlineData(47000, new byte[] { 0x15, 3, 3, 0, 2, 2, 40 }, ":tcp:data")] // an alert is no TLS to the heuristic
    [InlineData(80, new byte[] { 0x16, 3, 3, 0, 4, 14, 0, 0, 0 }, ":tcp")] // HTTP's port: HTTP reads it
    [InlineData(443, new byte[] { 0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e, 0x31, 0x0d, 0x0a }, ":tcp")] // "GET / HTTP/1.1": HTTP, not TLS
    public void TlsTakesTheQuoteByPortOrHeuristicAsItWouldTheSegment(int port, byte[] payload, string end)
    {
        var f = Dissect(Quote(payload, dport: (ushort)port))[0];

        Assert.EndsWith(end, f["frame.protocols"]);
        Assert.Equal(end.EndsWith(":tls", StringComparison.Ordinal) ? "tls" : "", f["tls"]);
    }

    [Fact]
    public void TheConnectionsTlsTakesTheQuoteOnAnyPort()
    {
        var (handshake, next, serverNext) = Tls12Handshake(serverPort: 47000);
        var f = Dissect([.. handshake, IcmpError(QuotedV4(TcpSegment(50000, 47000, next, serverNext, Ack, [0x84, 0xfd, 0xe7, 0x59, 0xcd])))])[^1];

        Assert.Equal("tls", f["tls"]);
        Assert.Equal("Ignored Unknown Record", f["_ws.expert.message"]);
    }

    [Fact]
    public void WhatTlsLearnsFromAQuotedMessageItsConnectionLearnsToo()
    {
        // tshark's session takes a quoted ServerHello's version and a quoted ChangeCipherSpec as the segment's own:
        // the client's next handshake record is then an encrypted message of a TLS 1.0 connection.
        var (handshake, next, serverNext) = Tls12Handshake();
        byte[] otherHello = Record(22, Message(2, [0x03, 0x01, .. new byte[32], 0, 0x00, 0x2f, 0]));
        byte[] finished = Record(22, Message(20, new byte[12]));
        var frames = Dissect([.. handshake,
            IcmpError(QuotedV4(TcpSegment(50000, 443, serverNext, next, Ack | Psh, [.. otherHello, 0x14, 3, 3, 0, 1, 1]))),
            Segment(true, 50000, 443, next, serverNext, Ack | Psh, finished)]);

        Assert.Equal("2", frames[^2]["tls.handshake.type"]);
        Assert.Equal("22,20", frames[^2]["tls.record.content_type"]);
        Assert.Equal("ICMP", frames[^2].Protocol);
        Assert.False(frames[^1].Has("tls.handshake.type"));
        Assert.Equal("TLSv1", frames[^1].Protocol);
        Assert.Equal("Encrypted Handshake Message", frames[^1].Info);
    }

    [Fact]
    public void AQuotedRecordIsNeitherReassembledNorKeptForTheConnection()
    {
        // The start of a ClientHello quoted before the connection's own: the segment's ClientHello is read whole.
        var (handshake, _, _) = Tls12Handshake();
        byte[] hello = [0x16, 3, 1, 0, 0x30, 1, 0, 0, 0x2c, 3, 3];
        var frames = Dissect([.. handshake[..3], IcmpError(QuotedV4(TcpSegment(50000, 443, 1001, 5001, Ack | Psh, hello))), .. handshake[3..]]);

        Assert.Equal("tls", frames[3]["tls"]);
        Assert.False(frames[3].Has("tls.record"));
        Assert.Equal("1", frames[4]["tls.handshake.type"]);
        Assert.Equal("Client Hello", frames[4].Info);
        Assert.Equal("2", frames[5]["tls.handshake.type"]);
    }

    [Fact]
    public void AnIcmpv6ErrorsQuoteIsReadTheSameWay()
    {
        var f = Dissect(Icmpv6Error(QuotedV6(TcpSegment(50000, 443, 100, 7777, Ack | Psh, Alert))))[0];

        Assert.Equal("eth:ethertype:ipv6:icmpv6:ipv6:tcp:tls", f["frame.protocols"]);
        Assert.Equal("21", f["tls.record.content_type"]);
        Assert.Equal("40", f["tls.alert_message.desc"]);
        Assert.Equal("ICMPv6", f.Protocol);
    }

    [Fact]
    public void AQuoteCutAnywhereNeverThrows()
    {
        // Every cut of a quote holding an IPv4 header with options, a TCP header with options and two records.
        byte[] tcp = TcpSegment(50000, 443, 100, 7777, Ack | Psh, [.. Alert, .. Record(22, Message(14, [])), 0x17, 3, 3],
            options: [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]);
        byte[] whole = QuotedV4(tcp);
        whole = [0x46, .. whole[1..20], 1, 1, 1, 0, .. whole[20..]]; // four bytes of IP options
        for (int keep = 0; keep <= whole.Length; keep++)
        {
            var v4 = Dissect(IcmpError(whole[..keep]))[0];
            var v6 = Dissect(Icmpv6Error(QuotedV6(tcp)[..Math.Min(keep + 16, 40 + tcp.Length)]))[0];
            foreach (var f in new[] { v4, v6 })
            {
                Assert.False(f.Malformed, $"cut at {keep}");
                Assert.DoesNotContain("httpsflow", f["_ws.expert.message"], StringComparison.Ordinal);
                Assert.DoesNotContain(f.Tree, n => n.Field == "_ws.malformed");
            }
            int tcpAt = 24, payloadAt = tcpAt + 32;
            Assert.Equal(keep > payloadAt, v4.Has("tls"));
            string types = keep >= payloadAt + Alert.Length + 9 ? "21,22" : keep >= payloadAt + Alert.Length ? "21" : "";
            Assert.Equal(types, v4["tls.record.content_type"]);
        }
    }
}
