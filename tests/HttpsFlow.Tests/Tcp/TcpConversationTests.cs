using HttpsFlow.Capture;
using HttpsFlow.Common;
using HttpsFlow.Net;
using HttpsFlow.Tcp;
using HttpsFlow.Tests.TestSupport;
using static HttpsFlow.Tests.TestSupport.PacketFactory;

namespace HttpsFlow.Tests.Tcp;

/// <summary>
/// Conversation tracking over synthetic segment sequences, decoded and analysed as the pipeline does it
/// (<see cref="PacketDecoder"/> then <see cref="TcpConversations.Process"/>). Every expected stream number, relative
/// number, window and analysis label is what tshark 4.0.17 computes for the same segments at the same times
/// (tcp.stream, tcp.seq, tcp.ack, tcp.window_size, tcp.window_size_scalefactor and the Info column).
/// </summary>
public class TcpConversationTests
{
    private static readonly byte[] ClientIp = [10, 1, 0, 1];
    private static readonly byte[] ServerIp = [10, 1, 0, 2];

    /// <summary>Decodes and analyses segments in order, one fresh frame each, numbered from 1.</summary>
    private sealed class Segments
    {
        private readonly PacketDecoder _decoder = new();
        private long _number;

        public TcpConversations Conversations { get; } = new();

        /// <summary>A segment at <paramref name="milliseconds"/> after t = 0 (seconds since the epoch).</summary>
        public Frame Add(long milliseconds, bool fromClient, uint seq, uint ack, ushort flags, ushort window,
            byte[]? options = null, int length = 0, ushort clientPort = 40000)
        {
            var bytes = fromClient
                ? EthernetTcp(ClientIp, ServerIp, clientPort, 443, seq, ack, flags, window, options, length, fromClient: true)
                : EthernetTcp(ServerIp, ClientIp, 443, clientPort, seq, ack, flags, window, options, length, fromClient: false);
            var frame = new Frame { Number = ++_number };
            var time = Timestamp.FromNanoseconds(0, milliseconds * 1_000_000);
            var packet = new CapturedPacket(bytes, bytes.Length, LinkTypes.Ethernet, time, 6, 0);
            _decoder.Decode(in packet, frame);
            Assert.Equal(TcpStage.Header, frame.Tcp.Stage);
            Conversations.Process(frame);
            return frame;
        }

        /// <summary>The handshake of 40000 → 443 with client ISN 1000 and server ISN 5000, 10 ms apart, no options but MSS.</summary>
        public (Frame Syn, Frame SynAck, Frame Ack) Handshake()
        {
            var syn = Add(1000, true, 1000, 0, Syn, 64240, Mss(1460));
            var synAck = Add(1010, false, 5000, 1001, Syn | Ack, 65160, Mss(1460));
            var ack = Add(1020, true, 1001, 5001, Ack, 64240);
            return (syn, synAck, ack);
        }
    }

    private static byte[] MssAndWindowScale(byte shift) => [.. Mss(1460), .. WindowScale(shift)];

    [Fact]
    public void EachConnectionGetsTheNextStreamNumberAndKeepsIt()
    {
        var s = new Segments();
        var started = new List<int>();
        s.Conversations.ConversationStarted += c => started.Add(c.Stream);

        var frames = new[]
        {
            s.Add(1000, true, 1000, 0, Syn, 64240, MssAndWindowScale(7)),
            s.Add(1001, false, 5000, 1001, Syn | Ack, 65160, MssAndWindowScale(7)),
            s.Add(1002, true, 1001, 5001, Ack, 502),
            s.Add(1003, true, 7000, 0, Syn, 64240, MssAndWindowScale(7), clientPort: 40001),
            s.Add(1004, true, 1001, 5001, Psh | Ack, 502, length: 10),
        };

        Assert.Equal([0, 0, 0, 1, 0], frames.Select(f => f.Tcp.Stream));
        Assert.Equal(2, s.Conversations.Count);
        Assert.Equal([0, 1], started);
    }

    [Fact]
    public void AfterAFullHandshakeTheNumbersAreRelativeToEachSidesInitialSequenceNumber()
    {
        var s = new Segments();
        var (syn, synAck, ack) = s.Handshake();
        var data = s.Add(1030, true, 1001, 5001, Psh | Ack, 64240, length: 100);
        var reply = s.Add(1040, false, 5001, 1101, Ack, 65160);

        Assert.Equal(0u, syn.Tcp.Seq);
        Assert.False(syn.Tcp.Has(TcpFlags.Ack));
        Assert.Equal((0u, 1u), (synAck.Tcp.Seq, synAck.Tcp.Ack));
        Assert.Equal((1u, 1u), (ack.Tcp.Seq, ack.Tcp.Ack));
        Assert.Equal((1u, 1u, 101u), (data.Tcp.Seq, data.Tcp.Ack, data.Tcp.NextSeq));
        Assert.Equal((1u, 101u), (reply.Tcp.Seq, reply.Tcp.Ack));
        Assert.Equal((1001u, 5001u), (data.Tcp.SeqRaw, data.Tcp.AckRaw)); // the raw numbers stay as they were
        Assert.All(new[] { syn, synAck, ack, data, reply }, f => Assert.Equal(TcpAnalysisFlags.None, f.Tcp.Analysis));
    }

    [Fact]
    public void ACaptureStartedMidConnectionNumbersFromOne()
    {
        var s = new Segments();

        var first = s.Add(1000, true, 123456, 654321, Ack | Psh, 502, length: 100);
        var second = s.Add(1010, false, 654321, 123556, Ack, 251);

        Assert.Equal((1u, 1u), (first.Tcp.Seq, first.Tcp.Ack));
        Assert.Equal((1u, 101u), (second.Tcp.Seq, second.Tcp.Ack));
        // Without the handshake the window scale is unknown: the window is shown as sent.
        Assert.Equal((502L, -1), (first.Tcp.WindowSize, first.Tcp.WindowScaleFactor));
        Assert.Equal((251L, -1), (second.Tcp.WindowSize, second.Tcp.WindowScaleFactor));
    }

    [Fact]
    public void WithWindowScaleInBothSynsEachSideShiftsItsOwnWindowsAfterTheHandshake()
    {
        var s = new Segments();

        var syn = s.Add(1000, true, 1000, 0, Syn, 64240, MssAndWindowScale(7));
        var synAck = s.Add(1010, false, 5000, 1001, Syn | Ack, 65160, MssAndWindowScale(8));
        var clientAck = s.Add(1020, true, 1001, 5001, Ack, 502);
        var serverAck = s.Add(1030, false, 5001, 1001, Ack, 251);

        Assert.Equal(64240, syn.Tcp.WindowSize);    // a SYN's window is never scaled
        Assert.Equal(65160, synAck.Tcp.WindowSize);
        Assert.Equal((64256L, 128), (clientAck.Tcp.WindowSize, clientAck.Tcp.WindowScaleFactor)); // 502 × 2^7
        Assert.Equal((64256L, 256), (serverAck.Tcp.WindowSize, serverAck.Tcp.WindowScaleFactor)); // 251 × 2^8
        Assert.Equal(502, clientAck.Tcp.WindowValue);
    }

    [Fact]
    public void WhenOneSynLacksWindowScaleNeitherSideScales()
    {
        var s = new Segments();

        s.Add(1000, true, 1000, 0, Syn, 64240, MssAndWindowScale(7));
        s.Add(1010, false, 5000, 1001, Syn | Ack, 65160, Mss(1460));
        var clientAck = s.Add(1020, true, 1001, 5001, Ack, 502);
        var serverAck = s.Add(1030, false, 5001, 1001, Ack, 251);

        Assert.Equal((502L, -2), (clientAck.Tcp.WindowSize, clientAck.Tcp.WindowScaleFactor));
        Assert.Equal((251L, -2), (serverAck.Tcp.WindowSize, serverAck.Tcp.WindowScaleFactor));
    }

    [Fact]
    public void RelativeNumbersContinueAcrossTheWrapOfTheSequenceSpace()
    {
        var s = new Segments();

        s.Add(1000, true, 0xffffff00, 0, Syn, 64240, Mss(1460));
        s.Add(1010, false, 0x7ffffff0, 0xffffff01, Syn | Ack, 65160, Mss(1460));
        s.Add(1020, true, 0xffffff01, 0x7ffffff1, Ack, 64240);
        var data = Enumerable.Range(0, 4)
            .Select(i => s.Add(1030 + i, true, unchecked(0xffffff01 + 128u * (uint)i), 0x7ffffff1, Psh | Ack, 64240, length: 128))
            .ToArray();
        var ack = s.Add(1040, false, 0x7ffffff1, unchecked(0xffffff01 + 512u), Ack, 65160);

        Assert.Equal(0x00000001u, data[2].Tcp.SeqRaw); // 0xffffff01 + 256, past 2^32
        Assert.Equal([1u, 129u, 257u, 385u], data.Select(f => f.Tcp.Seq));
        Assert.All(data, f => Assert.Equal(TcpAnalysisFlags.None, f.Tcp.Analysis));
        Assert.Equal((1u, 513u), (ack.Tcp.Seq, ack.Tcp.Ack));
        Assert.Equal(TcpAnalysisFlags.None, ack.Tcp.Analysis);
    }

    [Fact]
    public void ANewSynWithAnotherInitialSequenceNumberOnTheSamePortsStartsANewStream()
    {
        var s = new Segments();
        s.Handshake();
        s.Add(1030, true, 1001, 5001, Fin | Ack, 64240);
        s.Add(1040, false, 5001, 1002, Fin | Ack, 65160);
        s.Add(1050, true, 1002, 5002, Ack, 64240);

        var syn = s.Add(5000, true, 90000, 0, Syn, 64240, Mss(1460));
        var synAck = s.Add(5010, false, 70000, 90001, Syn | Ack, 65160, Mss(1460));
        var ack = s.Add(5020, true, 90001, 70001, Ack, 64240);

        Assert.Equal(1, syn.Tcp.Stream);
        Assert.True(syn.Tcp.Analysis.HasFlag(TcpAnalysisFlags.PortsReused)); // "[TCP Port numbers reused]"
        Assert.Equal(0u, syn.Tcp.Seq);
        Assert.Equal((1, 0u, 1u), (synAck.Tcp.Stream, synAck.Tcp.Seq, synAck.Tcp.Ack));
        Assert.Equal((1, 1u, 1u), (ack.Tcp.Stream, ack.Tcp.Seq, ack.Tcp.Ack));
        Assert.False(synAck.Tcp.Analysis.HasFlag(TcpAnalysisFlags.PortsReused));
        Assert.Equal(2, s.Conversations.Count);
    }

    [Fact]
    public void IdenticalAcksAreNumberedDuplicatesOfTheFirstAndThenFastRetransmissionFollows()
    {
        var s = new Segments();
        s.Handshake();
        s.Add(1030, false, 5001, 1001, Psh | Ack, 65160, length: 100);          // 4: Seq=1 Len=100
        var firstAck = s.Add(1031, true, 1001, 5101, Ack, 64240);               // 5: Ack=101
        var gap = s.Add(1032, false, 5201, 1001, Psh | Ack, 65160, length: 100); // 6: Seq=201, 101..200 never seen
        var dup1 = s.Add(1033, true, 1001, 5101, Ack, 64240);                   // 7
        var more = s.Add(1034, false, 5301, 1001, Psh | Ack, 65160, length: 100); // 8
        var dup2 = s.Add(1035, true, 1001, 5101, Ack, 64240);                   // 9
        var resent = s.Add(1036, false, 5101, 1001, Psh | Ack, 65160, length: 100); // 10: Seq=101

        Assert.Equal(TcpAnalysisFlags.None, firstAck.Tcp.Analysis);
        Assert.Equal(TcpAnalysisFlags.LostSegment, gap.Tcp.Analysis);           // "[TCP Previous segment not captured]"
        Assert.Equal(TcpAnalysisFlags.DuplicateAck, dup1.Tcp.Analysis);         // "[TCP Dup ACK 5#1]"
        Assert.Equal((5L, 1), (dup1.Tcp.DupAckOf, dup1.Tcp.DupAckCount));
        Assert.Equal(TcpAnalysisFlags.None, more.Tcp.Analysis);
        Assert.Equal(TcpAnalysisFlags.DuplicateAck, dup2.Tcp.Analysis);         // "[TCP Dup ACK 5#2]"
        Assert.Equal((5L, 2), (dup2.Tcp.DupAckOf, dup2.Tcp.DupAckCount));
        Assert.Equal(TcpAnalysisFlags.FastRetransmission, resent.Tcp.Analysis); // "[TCP Fast Retransmission]"
        Assert.Equal(101u, resent.Tcp.Seq);
    }

    [Fact]
    public void ThreeIdenticalAcksInARowAreDuplicatesOneAndTwoOfTheFirst()
    {
        var s = new Segments();
        s.Handshake();
        s.Add(1030, false, 5001, 1001, Psh | Ack, 65160, length: 100);
        var acks = Enumerable.Range(0, 3).Select(i => s.Add(1031 + i, true, 1001, 5101, Ack, 64240)).ToArray();

        Assert.Equal(TcpAnalysisFlags.None, acks[0].Tcp.Analysis);
        Assert.Equal([(5L, 1), (5L, 2)], acks[1..].Select(f => (f.Tcp.DupAckOf, f.Tcp.DupAckCount)));
        Assert.All(acks[1..], f => Assert.Equal(TcpAnalysisFlags.DuplicateAck, f.Tcp.Analysis));
    }

    [Fact]
    public void TheSameDataSentAgainAfterTheRoundTripTimeIsARetransmission()
    {
        var s = new Segments();
        s.Handshake(); // initial RTT 20 ms
        var data = s.Add(1030, true, 1001, 5001, Psh | Ack, 64240, length: 100);
        var again = s.Add(1500, true, 1001, 5001, Psh | Ack, 64240, length: 100);

        Assert.Equal(TcpAnalysisFlags.None, data.Tcp.Analysis);
        Assert.Equal(TcpAnalysisFlags.Retransmission, again.Tcp.Analysis); // "[TCP Retransmission]"
        Assert.Equal(1u, again.Tcp.Seq);
    }

    [Fact]
    public void ASequenceNumberPastTheNextExpectedOneMeansASegmentWasNotCaptured()
    {
        var s = new Segments();
        s.Handshake();
        s.Add(1030, true, 1001, 5001, Psh | Ack, 64240, length: 100);
        var afterGap = s.Add(1031, true, 1201, 5001, Psh | Ack, 64240, length: 100);

        Assert.True(afterGap.Tcp.Analysis.HasFlag(TcpAnalysisFlags.LostSegment));
        Assert.Equal(201u, afterGap.Tcp.Seq);
    }

    [Fact]
    public void KeepAlivesStartOneByteBeforeTheNextSequenceNumberWithZeroOrOneByte()
    {
        var s = new Segments();
        s.Handshake();
        s.Add(1030, true, 1001, 5001, Psh | Ack, 64240, length: 100);
        s.Add(1040, false, 5001, 1101, Ack, 65160);
        var empty = s.Add(60_000, true, 1100, 5001, Ack, 64240);
        var emptyAck = s.Add(60_001, false, 5001, 1101, Ack, 65160);
        var oneByte = s.Add(120_000, true, 1100, 5001, Ack, 64240, length: 1);
        var oneByteAck = s.Add(120_001, false, 5001, 1101, Ack, 65160);

        Assert.Equal((TcpAnalysisFlags.KeepAlive, 100u), (empty.Tcp.Analysis, empty.Tcp.Seq)); // "[TCP Keep-Alive]"
        Assert.Equal(TcpAnalysisFlags.KeepAliveAck, emptyAck.Tcp.Analysis);                  // "[TCP Keep-Alive ACK]"
        Assert.Equal(TcpAnalysisFlags.KeepAlive, oneByte.Tcp.Analysis); // one byte of data, yet not a retransmission
        Assert.Equal(TcpAnalysisFlags.KeepAliveAck, oneByteAck.Tcp.Analysis);
    }

    [Fact]
    public void ANewWindowWithoutDataIsAWindowUpdateAndAZeroWindowIsFlagged()
    {
        var s = new Segments();
        s.Handshake();
        var bigger = s.Add(1030, true, 1001, 5001, Ack, 65535);
        var zero = s.Add(1040, false, 5001, 1001, Ack, 0);
        var reopened = s.Add(1050, false, 5001, 1001, Ack, 8192);

        Assert.Equal(TcpAnalysisFlags.WindowUpdate, bigger.Tcp.Analysis);  // "[TCP Window Update]"
        Assert.Equal(TcpAnalysisFlags.ZeroWindow, zero.Tcp.Analysis);      // "[TCP ZeroWindow]"
        Assert.Equal(0, zero.Tcp.WindowSize);
        Assert.Equal(TcpAnalysisFlags.WindowUpdate, reopened.Tcp.Analysis);
        Assert.Equal(8192, reopened.Tcp.WindowSize);
    }

    [Fact]
    public void AnAckThatOnlyChangesTheScaledWindowAfterTheHandshakeIsAWindowUpdate()
    {
        // The SYN-ACK advertised 65160; the server's first ACK advertises 251 × 2^8 = 64256.
        var s = new Segments();
        s.Add(1000, true, 1000, 0, Syn, 64240, MssAndWindowScale(7));
        s.Add(1010, false, 5000, 1001, Syn | Ack, 65160, MssAndWindowScale(8));
        var clientAck = s.Add(1020, true, 1001, 5001, Ack, 502);
        var serverAck = s.Add(1030, false, 5001, 1001, Ack, 251);

        Assert.Equal(TcpAnalysisFlags.None, clientAck.Tcp.Analysis);
        Assert.Equal(TcpAnalysisFlags.WindowUpdate, serverAck.Tcp.Analysis);
    }
}
