using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tls.Records;
using static HttpsFlow.Tests.TestSupport.TlsFlightCapture;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// A TLS flight that loses a TCP segment, as tshark 4.0 shows it: a segment after the missing bytes that falls inside a
/// record whose header gave its length belongs to that record up to its end (which is never completed), and the bytes
/// after it are read as records; elsewhere TLS reads the segment afresh. The expected columns are tshark's for the very
/// same packets; where tshark is installed each test also checks them against it.
/// </summary>
public sealed class TlsLostSegmentTests : IDisposable
{
    private readonly TlsFlightCapture _captures = new();

    public void Dispose() => _captures.Dispose();

    private static readonly byte[] Flight = [.. ServerHello, .. Certificate, .. ServerKeyExchange, .. ServerHelloDone, .. AppData, .. AppData];
    private static readonly int CertificateEnd = ServerHello.Length + Certificate.Length;
    private static readonly int KeyExchangeEnd = CertificateEnd + ServerKeyExchange.Length;
    private static readonly int FlightEnd = KeyExchangeEnd + ServerHelloDone.Length;

    // ---- a segment lost inside a record of known length ----

    [Fact]
    public void Bytes_after_the_unfinished_record_are_read_as_records()
    {
        // Bytes 1000-2000 (inside the Certificate record) are lost.
        var rows = Columns(_captures.Write("after", Flight, (0, 1000), (2000, FlightEnd), (FlightEnd, Flight.Length)), 5, 6, 7);
        Assert.Equal($"TLSv1.2 | Server Hello | {TlsChain}", rows[5]);
        Assert.Equal("TCP | [TCP Previous segment not captured] 443 → 40000 [PSH, ACK] Seq=2001 Ack=51 Win=65535 Len=1163 "
                     + $"[TCP segment of a reassembled PDU], Server Key Exchange, Server Hello Done | {TlsChain}", rows[6]);
        Assert.Equal($"TLSv1.2 | Application Data, Application Data | {TlsChain}", rows[7]);
    }

    [Fact]
    public void A_segment_wholly_inside_the_unfinished_record_is_only_a_piece_of_it()
    {
        // Lost: 1000-2000. Frame 6 lies inside the Certificate; frame 7, contiguous with it, reaches past its end.
        var rows = Columns(_captures.Write("inside", Flight, (0, 1000), (2000, 2500), (2500, KeyExchangeEnd), (KeyExchangeEnd, Flight.Length)),
            6, 7, 8);
        Assert.Equal("TCP | [TCP Previous segment not captured] 443 → 40000 [PSH, ACK] Seq=2001 Ack=51 Win=65535 Len=500 "
                     + $"[TCP segment of a reassembled PDU] | {TcpChain}", rows[6]);
        Assert.Equal("TCP | 443 → 40000 [PSH, ACK] Seq=2501 Ack=51 Win=65535 Len=654 [TCP segment of a reassembled PDU], "
                     + $"Server Key Exchange | {TlsChain}", rows[7]);
        Assert.Equal($"TLSv1.2 | Server Hello Done, Application Data, Application Data | {TlsChain}", rows[8]);
    }

    [Fact]
    public void A_record_begun_after_the_unfinished_one_is_reassembled_as_usual()
    {
        // Frame 6 ends 20 bytes into the ServerKeyExchange record, which frame 7 completes.
        var rows = Columns(_captures.Write("begun", Flight, (0, 1000), (2000, CertificateEnd + 20), (CertificateEnd + 20, FlightEnd),
            (FlightEnd, Flight.Length)), 6, 7);
        Assert.Equal("TCP | [TCP Previous segment not captured] 443 → 40000 [PSH, ACK] Seq=2001 Ack=51 Win=65535 Len=1076 "
                     + $"[TCP segment of a reassembled PDU] | {TlsChain}", rows[6]);
        Assert.Equal($"TLSv1.2 | Server Key Exchange, Server Hello Done | {TlsChain}:tls", rows[7]);
    }

    [Fact]
    public void The_lost_segment_arriving_out_of_order_is_not_read_by_TLS()
    {
        var rows = Columns(_captures.Write("late", Flight, (0, 1000), (2000, KeyExchangeEnd), (1000, 2000), (KeyExchangeEnd, Flight.Length)),
            6, 7, 8);
        Assert.Equal("TCP | [TCP Previous segment not captured] 443 → 40000 [PSH, ACK] Seq=2001 Ack=51 Win=65535 Len=1154 "
                     + $"[TCP segment of a reassembled PDU], Server Key Exchange | {TlsChain}", rows[6]);
        Assert.Equal($"TCP | [TCP Out-Of-Order] 443 → 40000 [PSH, ACK] Seq=1001 Ack=51 Win=65535 Len=1000 | {TcpChain}", rows[7]);
        Assert.Equal($"TLSv1.2 | Server Hello Done, Application Data, Application Data | {TlsChain}", rows[8]);
    }

    [Fact]
    public void The_bytes_of_the_unfinished_record_are_segment_data_in_the_tree()
    {
        string path = _captures.Write("tree", Flight, (0, 1000), (2000, FlightEnd), (FlightEnd, Flight.Length));
        var (exit, stdout, stderr) = Repo.Run("show", path, "-Y", "frame.number == 6");
        Assert.True(exit == 0, stderr);
        Assert.Contains("    TCP payload (1163 bytes)\n    TCP segment data (1056 bytes)\nTransport Layer Security\n", stdout);
    }

    // ---- the gap filled later ----

    [Fact]
    public void The_out_of_order_segment_that_fills_the_gap_completes_the_record_for_TCP_alone()
    {
        string path = _captures.Write("filled", Flight, (0, 1000), (2000, KeyExchangeEnd), (1000, 2000), (KeyExchangeEnd, Flight.Length));
        string[] args = ["-e", "frame.number", "-e", "tcp.segment", "-e", "tcp.segment.count", "-e", "tcp.reassembled.length"];
        var (exit, stdout, stderr) = Repo.Run(["fields", path, .. args]);
        Assert.True(exit == 0, stderr);
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("7\t5,7,6\t3\t3009", rows[6]);
        Assert.Equal("6\t\t\t", rows[5]);
        if (Repo.Tshark(["-n", "-r", path, "-T", "fields", .. args]) is { } tshark)
            Assert.Equal(tshark.Split('\n', StringSplitOptions.RemoveEmptyEntries), rows);

        // The detail tree names the pieces; TLS does not read the record.
        (exit, stdout, stderr) = Repo.Run("show", path, "-Y", "frame.number == 7");
        Assert.True(exit == 0, stderr);
        Assert.Contains("    TCP segment data (1000 bytes)\n", stdout);
        Assert.Contains("[3 Reassembled TCP Segments (3009 bytes): #5(953), #7(1000), #6(1056)]\n"
                        + "    [Frame: 5, payload: 0-952 (953 bytes)]\n"
                        + "    [Frame: 7, payload: 953-1952 (1000 bytes)]\n"
                        + "    [Frame: 6, payload: 1953-3008 (1056 bytes)]\n"
                        + "    [Segment count: 3]\n"
                        + "    [Reassembled TCP length: 3009]\n"
                        + "    [Reassembled TCP Data: 1603030bbc0b000bb8" + new string('0', 54) + "\u2026]\n", stdout);
        Assert.DoesNotContain("Transport Layer Security", stdout);
    }

    [Fact]
    public void A_fill_that_overlaps_bytes_already_had_is_marked_as_an_overlap()
    {
        // The out-of-order segment repeats 100 bytes of frame 5 before filling the gap.
        string path = _captures.Write("overlap", Flight, (0, 1000), (2000, FlightEnd), (900, 2000), (FlightEnd, Flight.Length));
        var (exit, stdout, stderr) = Repo.Run("show", path, "-Y", "frame.number == 7");
        Assert.True(exit == 0, stderr);
        Assert.Contains("[3 Reassembled TCP Segments (3009 bytes): #5(953), #7(1100), #6(1056)]\n"
                        + "    [Frame: 5, payload: 0-952 (953 bytes)]\n"
                        + "    [Frame: 7, payload: 853-1952 (1100 bytes)]\n"
                        + "        [Segment overlap: True]\n"
                        + "    [Frame: 6, payload: 1953-3008 (1056 bytes)]\n", stdout);
        if (Repo.Tshark("-n", "-r", path, "-V", "-Y", "frame.number == 7") is { } tshark)
            Assert.Contains("    [Frame: 7, payload: 853-1952 (1100 bytes)]\n        [Segment overlap: True]\n", tshark);
    }

    [Fact]
    public void A_segment_filling_part_of_the_gap_is_a_piece_and_a_retransmission_none()
    {
        // Two gaps inside the Certificate (1000-1500, 2000-2500); the first fills out of order, the second comes as a
        // retransmission, which tshark sets aside: the record is never completed.
        var rows = Columns(_captures.Write("partly", Flight, (0, 1000), (1500, 2000), (2500, FlightEnd), (1000, 1500), (2000, 2500),
            (FlightEnd, Flight.Length)), 8, 9, 10);
        Assert.Equal("TCP | [TCP Out-Of-Order] 443 → 40000 [PSH, ACK] Seq=1001 Ack=51 Win=65535 Len=500 "
                     + $"[TCP segment of a reassembled PDU] | {TcpChain}", rows[8]);
        Assert.Equal($"TCP | [TCP Retransmission] 443 → 40000 [PSH, ACK] Seq=2001 Ack=51 Win=65535 Len=500 | {TcpChain}", rows[9]);
        Assert.Equal($"TLSv1.2 | Application Data, Application Data | {TlsChain}", rows[10]);
    }

    // ---- elsewhere TLS reads the segment afresh ----

    [Fact]
    public void A_gap_past_the_record_end_starts_afresh()
    {
        var rows = Columns(_captures.Write("past", Flight, (0, 1000), (CertificateEnd, FlightEnd), (FlightEnd, Flight.Length)), 6, 7);
        Assert.Equal($"TLSv1.2 | [TCP Previous segment not captured] , Server Key Exchange, Server Hello Done | {TlsChain}", rows[6]);
        Assert.Equal($"TLSv1.2 | Application Data, Application Data | {TlsChain}", rows[7]);
    }

    [Fact]
    public void A_record_header_cut_by_the_gap_is_given_up()
    {
        // Frame 5 ends three bytes into the Certificate record's header: its length is not known when bytes go missing.
        int hello = ServerHello.Length;
        var rows = Columns(_captures.Write("header", Flight, (0, hello + 3), (hello + 100, hello + 500), (CertificateEnd, KeyExchangeEnd)), 6, 7);
        Assert.Equal($"TLSv1.2 | [TCP Previous segment not captured] , Ignored Unknown Record | {TlsChain}", rows[6]);
        Assert.Equal($"TLSv1.2 | [TCP Previous segment not captured] , Server Key Exchange | {TlsChain}", rows[7]);
    }

    [Fact]
    public void A_handshake_message_goes_on_across_a_lost_record()
    {
        // The Certificate message is split over two records; the second is lost whole. tshark's TLS, which never learns
        // of the missing bytes, reads the next records as more of the message: no text of their own.
        var message = Handshake(11, Fill(0, 1000));
        byte[] first = Record(22, message[..504]), second = Record(22, message[504..]);
        byte[] stream = [.. ServerHello, .. first, .. second, .. ServerKeyExchange, .. ServerHelloDone];
        int firstEnd = ServerHello.Length + first.Length;
        var rows = Columns(_captures.Write("message", stream, (0, firstEnd), (firstEnd + second.Length, stream.Length)), 5, 6);
        Assert.Equal($"TLSv1.2 | Server Hello, [Certificate Fragment] | {TlsChain}", rows[5]);
        Assert.Equal($"TLSv1.2 | [TCP Previous segment not captured]  | {TlsChain}", rows[6]);
    }

    // ---- the record parser's part ----

    private sealed class Sink : ITlsRecordSink
    {
        public readonly List<(ulong Offset, int Length)> Records = [];
        public int Gaps;

        public void OnRecord(in TlsRecord record) => Records.Add((record.StreamOffset, record.Bytes.Length));

        public void OnGap(ulong streamOffset, ulong length, long frame) => Gaps++;
    }

    [Fact]
    public void The_parser_tells_where_the_record_in_progress_ends_and_skips_without_telling_the_sink()
    {
        var sink = new Sink();
        using var parser = new TlsRecordParser(sink);
        Assert.Null(parser.PendingRecordEnd);
        parser.Feed(ServerHello.AsSpan(0, 3), 0, 1);
        Assert.Null(parser.PendingRecordEnd); // the header is not complete
        parser.Feed(ServerHello.AsSpan(3), 3, 1);
        Assert.Null(parser.PendingRecordEnd); // the record is complete
        parser.Feed(Certificate.AsSpan(0, 100), (ulong)ServerHello.Length, 2);
        Assert.Equal((ulong)CertificateEnd, parser.PendingRecordEnd);

        parser.Skip((ulong)ServerHello.Length + 100, (ulong)Certificate.Length - 100, 3, tellSink: false);
        Assert.Null(parser.PendingRecordEnd);
        Assert.Equal(0, sink.Gaps);
        parser.Feed(ServerHelloDone, (ulong)CertificateEnd, 3);
        Assert.Equal([(0UL, ServerHello.Length), ((ulong)CertificateEnd, ServerHelloDone.Length)], sink.Records);

        parser.Gap(parser.NextOffset, 10, 4);
        Assert.Equal(1, sink.Gaps);
    }
}
