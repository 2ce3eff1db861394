using HttpsFlow.Common;
using HttpsFlow.Tcp.Reassembly;

namespace HttpsFlow.Tests.Tcp;

/// <summary>
/// The TCP stream reassembler: each direction as an ordered byte stream, each byte exactly once, holes as gaps.
/// Sequence-number rules from RFC 9293 §3.4 (SYN and FIN occupy one sequence number, arithmetic modulo 2^32).
/// </summary>
public class StreamReassemblerTests
{
    private static readonly Timestamp T0 = new(1_700_000_000, 0);

    private static Timestamp At(long frame) => new(T0.Seconds + frame, 0);

    private static byte[] Bytes(int length, int seed = 1)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static byte[] Ascii(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    private static (StreamReassembler R, Recorder C) New(ReassemblyLimits? limits = null)
    {
        var c = new Recorder();
        var r = new StreamReassembler(limits, c);
        c.Source = r;
        return (r, c);
    }

    private static void Add(StreamReassembler r, uint seq, ReadOnlySpan<byte> data, long frame, bool syn = false, bool fin = false) =>
        r.Add(seq, data, syn, fin, frame, At(frame));

    private static List<ExpertNote> Notes(StreamReassembler r)
    {
        var list = new List<ExpertNote>();
        r.DrainNotes(list);
        return list;
    }

    // ---- the basics ----

    [Fact]
    public void InOrderSegmentsAreDeliveredAsTheyArriveWithTheirOffsetsAndFrames()
    {
        var (r, c) = New();
        Add(r, 1000, default, 1, syn: true);
        Add(r, 1001, Ascii("hello "), 3);
        Add(r, 1007, Ascii("world"), 5);
        Add(r, 1012, default, 7, fin: true);

        Assert.Equal(
            ["data 0+6 @3", "data 6+5 @5", "end 11 Fin @7"],
            c.Describe());
        Assert.Equal("hello world", System.Text.Encoding.ASCII.GetString(c.Stream()));
        Assert.True(r.SawSyn);
        Assert.Equal(1001u, r.BaseSequence);
        Assert.Empty(Notes(r));
        c.AssertTiling();
    }

    [Fact]
    public void OutOfOrderSegmentsWaitForTheHoleAndAreDeliveredInOrder()
    {
        // Three segments arriving 1, 3, 2.
        var data = Bytes(300);
        var (r, c) = New();
        Add(r, 5000, data.AsSpan(0, 100), 1);
        Add(r, 5200, data.AsSpan(200, 100), 2);
        Assert.Equal(["data 0+100 @1"], c.Describe());
        Assert.Equal(1, r.BufferedSegments);
        Assert.True(r.BufferedBytes > 0);

        Add(r, 5100, data.AsSpan(100, 100), 3);
        // Frame 3 fills the hole: its own bytes straight from its span, then the held ones, all "reassembled in" frame 3.
        Assert.Equal(["data 0+100 @1", "data 100+100 @3", "data 200+100 @3"], c.Describe());
        Assert.Equal(data, c.Stream());
        Assert.Equal([3L], c.Events[1].SegmentFrames); // carried by frame 3 ...
        Assert.Equal([2L], c.Events[2].SegmentFrames); // ... and by frame 2
        Assert.Equal(0, r.BufferedSegments);
        Assert.Equal(0, r.BufferedBytes);
        Assert.Empty(Notes(r));
        c.AssertTiling();
    }

    [Fact]
    public void PartialOverlapWithDeliveredBytesDeliversOnlyTheNewOnesAndNotesDifferentBytes()
    {
        var data = Bytes(400);
        var (r, c) = New();
        Add(r, 0, data.AsSpan(0, 100), 1);
        // [50, 150): the first half repeats delivered bytes exactly, the second half is new.
        Add(r, 50, data.AsSpan(50, 100), 2);
        Assert.Empty(Notes(r));
        // [120, 200) with [120, 150) changed: only [150, 200) is delivered, and the change is noted.
        var changed = data.AsSpan(120, 80).ToArray();
        changed[5] ^= 0xff;
        Add(r, 120, changed, 3);

        Assert.Equal(["data 0+100 @1", "data 100+50 @2", "data 150+50 @3"], c.Describe());
        Assert.Equal(data.AsSpan(0, 200).ToArray(), c.Stream());
        var note = Assert.Single(Notes(r));
        Assert.Equal(new ExpertNote(Severity.Warning, "Sequence", "tcp",
            "Overlapping data differs from the original (retransmission with different bytes)"), note);
        c.AssertTiling();
    }

    [Fact]
    public void PartialOverlapWithHeldBytesKeepsTheFirstCopyAndNotesDifferentBytes()
    {
        var data = Bytes(400, seed: 7);
        var (r, c) = New();
        Add(r, 0, data.AsSpan(0, 100), 1);
        Add(r, 200, data.AsSpan(200, 100), 2);                 // held
        Add(r, 250, data.AsSpan(250, 100), 3);                 // identical overlap [250, 300) with the held bytes, new [300, 350)
        Assert.Empty(Notes(r));
        var changed = data.AsSpan(150, 100).ToArray();          // [150, 250): new [150, 200), different [200, 250)
        changed[60] ^= 0x01;
        Add(r, 150, changed, 4);
        Assert.Single(Notes(r), n => n.Message == StreamReassembler.DifferentOverlapMessage);
        Add(r, 100, data.AsSpan(100, 50), 5);

        Assert.Equal(data.AsSpan(0, 350).ToArray(), c.Stream()); // the first copy of [200, 250) won
        Assert.Equal(["data 0+100 @1", "data 100+50 @5", "data 150+50 @5", "data 200+100 @5", "data 300+50 @5"], c.Describe());
        Assert.Equal([4L], c.Events[2].SegmentFrames);
        Assert.Equal([2L], c.Events[3].SegmentFrames);
        Assert.Equal([3L], c.Events[4].SegmentFrames);
        Assert.Empty(Notes(r));
        c.AssertTiling();
    }

    [Fact]
    public void RetransmittedDeliveredDataIsNotDeliveredTwice()
    {
        var data = Bytes(300);
        var (r, c) = New();
        Add(r, 77, data.AsSpan(0, 100), 1);
        Add(r, 177, data.AsSpan(100, 100), 2);
        Add(r, 77, data.AsSpan(0, 100), 3);     // whole retransmission
        Add(r, 127, data.AsSpan(50, 150), 4);   // repacketized retransmission
        Add(r, 176, data.AsSpan(99, 1), 5);     // keep-alive shape: one old byte
        Add(r, 177, data.AsSpan(100, 200), 6);  // old and new

        Assert.Equal(["data 0+100 @1", "data 100+100 @2", "data 200+100 @6"], c.Describe());
        Assert.Equal(data, c.Stream());
        Assert.Empty(Notes(r));
    }

    [Fact]
    public void AKeepAliveWithAGarbageByteIsNotADifferentRetransmission()
    {
        var data = Bytes(100);
        var (r, c) = New();
        Add(r, 10, data, 1);
        Add(r, 109, [0x00], 2); // RFC 9293 §3.8.4: SEG.SEQ = SND.NXT-1 with one garbage octet
        Assert.Empty(Notes(r));
        Assert.Single(c.Events);
    }

    // ---- sequence numbers ----

    [Fact]
    public void SequenceWrapAroundAtTwoToThe32IsOrdinary()
    {
        // ISN 0xFFFFFF00: data starts at 0xFFFFFF01 and 1 KiB of it crosses 2^32 after 255 bytes.
        var data = Bytes(1024, seed: 3);
        var (r, c) = New();
        uint isn = 0xFFFFFF00;
        Add(r, isn, default, 1, syn: true);
        uint s0 = isn + 1;
        Add(r, s0, data.AsSpan(0, 256), 2);
        Add(r, unchecked(s0 + 512), data.AsSpan(512, 256), 3);  // held: [256, 512) is missing
        Add(r, unchecked(s0 + 256), data.AsSpan(256, 256), 4);
        Add(r, unchecked(s0 + 768), data.AsSpan(768, 256), 5, fin: true);
        Add(r, unchecked(s0 + 200), data.AsSpan(200, 100), 6);  // a retransmission across the wrap

        Assert.Equal(data, c.Stream());
        Assert.Equal(["data 0+256 @2", "data 256+256 @4", "data 512+256 @4", "data 768+256 @5", "end 1024 Fin @5"], c.Describe());
        Assert.True(r.TryGetOffset(0, out var zero));
        Assert.Equal(255ul, zero);
        Assert.Equal(1024ul, r.FinOffset);
        Assert.Empty(Notes(r));
        c.AssertTiling();
    }

    [Fact]
    public void OutOfOrderDataAcrossTheWrapWaitsAndIsDelivered()
    {
        var data = Bytes(1024, seed: 4);
        var (r, c) = New();
        uint s0 = 0xFFFFFF01;
        Add(r, s0 - 1, default, 1, syn: true);
        Add(r, unchecked(s0 + 300), data.AsSpan(300, 724), 2); // entirely past 2^32
        Add(r, s0, data.AsSpan(0, 300), 3);                   // crosses 2^32
        Assert.Equal(data, c.Stream());
        Assert.Equal(["data 0+300 @3", "data 300+724 @3"], c.Describe());
    }

    [Fact]
    public void AMidStreamStartNumbersFromTheFirstSegmentAndDropsEarlierBytes()
    {
        var data = Bytes(400, seed: 5);
        var (r, c) = New();
        Add(r, 5000, data.AsSpan(100, 100), 1);   // no SYN: offset 0 is seq 5000
        Assert.False(r.SawSyn);
        Assert.Equal(5000u, r.BaseSequence);
        Add(r, 4900, data.AsSpan(0, 100), 2);     // before the stream's start: dropped
        Add(r, 4950, data.AsSpan(50, 200), 3);    // [4950, 5000) dropped, [5000, 5100) old, [5100, 5150) new
        Assert.Equal(["data 0+100 @1", "data 100+50 @3"], c.Describe());
        Assert.Equal(data.AsSpan(100, 150).ToArray(), c.Stream());
        Assert.Empty(Notes(r));
    }

    [Fact]
    public void SynAndFinEachConsumeOneSequenceNumber()
    {
        var (r, c) = New();
        Add(r, 100, Ascii("ab"), 1, syn: true);    // SYN with data (TCP Fast Open): the data is at 101
        Add(r, 103, Ascii("cdefghij"), 2);
        Add(r, 111, Ascii("xyz"), 3, fin: true);   // FIN with data: the FIN is at 114
        Assert.Equal("abcdefghijxyz", System.Text.Encoding.ASCII.GetString(c.Stream()));
        Assert.Equal(["data 0+2 @1", "data 2+8 @2", "data 10+3 @3", "end 13 Fin @3"], c.Describe());

        Add(r, 111, Ascii("xyz"), 4, fin: true);   // retransmitted FIN with its data
        Add(r, 114, default, 5, fin: true);        // a bare duplicate FIN
        Assert.Empty(Notes(r));
        Add(r, 115, Ascii("late"), 6);             // data after the FIN
        Assert.Equal([StreamReassembler.DataAfterFinMessage], Notes(r).Select(n => n.Message));
        Assert.Equal(4, c.Events.Count);
        Assert.Equal(StreamEnd.Fin, r.EndReason);
    }

    [Fact]
    public void AFinThatOvertakesTheLastSegmentWaitsForIt()
    {
        var data = Bytes(200, seed: 8);
        var (r, c) = New();
        Add(r, 0, data.AsSpan(0, 100), 1);
        Add(r, 200, default, 2, fin: true);        // the FIN arrives before [100, 200)
        Assert.Equal(200ul, r.FinOffset);
        Assert.False(r.IsEnded);
        Add(r, 100, data.AsSpan(100, 100), 3);
        Assert.Equal(["data 0+100 @1", "data 100+100 @3", "end 200 Fin @3"], c.Describe());
    }

    // ---- holes ----

    [Fact]
    public void AMissingSegmentIsReportedAsAGapAtFlushAndTheDataAfterItIsDelivered()
    {
        var data = Bytes(400, seed: 9);
        var (r, c) = New();
        Add(r, 1_000_000, data.AsSpan(0, 100), 1);
        Add(r, 1_000_200, data.AsSpan(200, 100), 2);   // [100, 200) never arrives
        Add(r, 1_000_300, data.AsSpan(300, 100), 3);
        Assert.Equal(["data 0+100 @1"], c.Describe());

        r.Flush();
        Assert.Equal(["data 0+100 @1", "gap 100+100 @3", "data 200+100 @3", "data 300+100 @3", "end 400 EndOfCapture @3"], c.Describe());
        Assert.Equal([2L], c.Events[2].SegmentFrames);
        Assert.Equal([3L], c.Events[3].SegmentFrames);
        Assert.Equal(0, r.BufferedBytes);
        c.AssertTiling();

        Add(r, 1_000_100, data.AsSpan(100, 100), 4);    // too late: the stream has ended
        Assert.Equal(5, c.Events.Count);
    }

    [Fact]
    public void AtFlushTheHoleBeforeAFinIsAGapAndTheStreamEndsAtTheFin()
    {
        var data = Bytes(300, seed: 10);
        var (r, c) = New();
        Add(r, 0, data.AsSpan(0, 100), 1);
        Add(r, 200, data.AsSpan(200, 100), 2, fin: true);
        r.Flush();
        Assert.Equal(["data 0+100 @1", "gap 100+100 @2", "data 200+100 @2", "end 300 Fin @2"], c.Describe());
    }

    [Fact]
    public void AResetGivesUpTheHolesAndEndsTheStream()
    {
        var data = Bytes(300, seed: 11);
        var (r, c) = New();
        Add(r, 0, data.AsSpan(0, 100), 1);
        Add(r, 150, data.AsSpan(150, 50), 2);
        r.Reset(3, At(3));
        Assert.Equal(["data 0+100 @1", "gap 100+50 @3", "data 150+50 @3", "end 200 Reset @3"], c.Describe());
        Assert.True(r.IsEnded);
    }

    [Fact]
    public void AnAcknowledgmentPastAHoleGivesItUpWhenDataWaitsBehindIt()
    {
        var data = Bytes(400, seed: 12);
        var (r, c) = New();
        Add(r, 500, data.AsSpan(0, 100), 1);
        r.Acknowledged(700, 2, At(2));               // nothing waits: no effect
        Assert.Single(c.Events);
        Add(r, 700, data.AsSpan(200, 100), 3);       // [100, 200) not captured
        r.Acknowledged(650, 4, At(4));               // the peer had [100, 150): given up; [150, 200) may still come
        Assert.Equal(["data 0+100 @1", "gap 100+50 @4"], c.Describe());
        r.Acknowledged(800, 5, At(5));
        Assert.Equal(["data 0+100 @1", "gap 100+50 @4", "gap 150+50 @5", "data 200+100 @5"], c.Describe());

        // A FIN behind a hole ends the stream once the peer acknowledges the FIN (its sequence number + 1).
        Add(r, 900, default, 6, fin: true);
        r.Acknowledged(901, 7, At(7));
        Assert.Equal(["gap 300+100 @7", "end 400 Fin @7"], c.Describe().TakeLast(2));
        c.AssertTiling();
    }

    [Fact]
    public void WhenTheBufferLimitIsReachedTheOldestHoleIsGivenUpAndTheStreamGoesOn()
    {
        // Four pages of 1 KiB; the hole [100, 200) never fills.
        var limits = new ReassemblyLimits { MaxBufferedBytesPerDirection = 4096, PageSize = 1024 };
        var data = Bytes(5000, seed: 13);
        var (r, c) = New(limits);
        Add(r, 0, data.AsSpan(0, 100), 1);
        Add(r, 200, data.AsSpan(200, 1000), 2);    // pages 0, 1
        Add(r, 1200, data.AsSpan(1200, 1000), 3);  // page 2
        Add(r, 2200, data.AsSpan(2200, 1000), 4);  // page 3
        Assert.Equal(4096, r.BufferedBytes);
        Assert.Empty(Notes(r));
        Assert.Single(c.Events);

        Add(r, 3200, data.AsSpan(3200, 1000), 5);  // needs page 4: over the limit
        var note = Assert.Single(Notes(r));
        Assert.Equal(new ExpertNote(Severity.Warning, "Reassemble", "tcp", "Reassembly buffer limit of 4096 bytes reached; data skipped"), note);
        // (Describe merges the page-sized chunks of one held piece.)
        Assert.Equal(
            ["data 0+100 @1", "gap 100+100 @5", "data 200+1000 @5", "data 1200+1000 @5", "data 2200+1000 @5", "data 3200+1000 @5"],
            c.Describe());
        Assert.Equal(0, r.BufferedBytes);

        Add(r, 4200, data.AsSpan(4200, 800), 6);   // the stream goes on
        Add(r, 100, data.AsSpan(100, 100), 7);     // the given-up bytes, too late: not delivered
        Assert.Equal(data.AsSpan(200, 4800).ToArray(), c.Stream(from: 200));
        Assert.Equal(5000ul, r.NextOffset);
        Assert.Empty(Notes(r));
        c.AssertTiling();
    }

    [Fact]
    public void WhenTheSegmentLimitIsReachedTheOldestHoleIsGivenUp()
    {
        var limits = new ReassemblyLimits { MaxBufferedSegments = 2 };
        var data = Bytes(1000, seed: 14);
        var (r, c) = New(limits);
        Add(r, 0, data.AsSpan(0, 10), 1);
        Add(r, 20, data.AsSpan(20, 10), 2);
        Add(r, 40, data.AsSpan(40, 10), 3);
        Add(r, 60, data.AsSpan(60, 10), 4);
        Assert.Equal(["Reassembly buffer limit of 2 segments reached; data skipped"], Notes(r).Select(n => n.Message));
        Assert.Equal(["data 0+10 @1", "gap 10+10 @4", "data 20+10 @4"], c.Describe());
        Assert.Equal(2, r.BufferedSegments);
        c.AssertTiling();
    }

    [Fact]
    public void WithNoBufferEveryHoleIsAGapAtOnce()
    {
        var (r, c) = New(new ReassemblyLimits { MaxBufferedBytesPerDirection = 0 });
        var data = Bytes(300);
        Add(r, 0, data.AsSpan(0, 100), 1);
        Add(r, 200, data.AsSpan(200, 100), 2);
        Assert.Equal(["data 0+100 @1", "gap 100+100 @2", "data 200+100 @2"], c.Describe());
        Assert.Single(Notes(r));
    }

    // ---- provenance ----

    [Fact]
    public void DeliveredRangesMapBackToTheFramesThatCarriedThem()
    {
        var data = Bytes(400, seed: 15);
        var (r, c) = New();
        Add(r, 0, data.AsSpan(0, 100), 10);
        Add(r, 200, data.AsSpan(200, 100), 12);
        Add(r, 100, data.AsSpan(100, 100), 11);
        Add(r, 300, data.AsSpan(300, 100), 13);

        // A PDU at [50, 350) was carried by frames 10, 11, 12 and 13 (tcp.segment), and was complete in frame 13.
        Assert.Equal(
            [new StreamSegment(50, 50, 10), new StreamSegment(100, 100, 11), new StreamSegment(200, 100, 12), new StreamSegment(300, 50, 13)],
            r.Segments(50, 300).ToList());
        var frames = new List<long>();
        Assert.Equal(4, r.Segments(50, 300).CopyFramesTo(frames));
        Assert.Equal([10L, 11L, 12L, 13L], frames);
        Assert.Equal(13, c.Events.Last().Frame);

        // A PDU that ends in the held bytes is reassembled in frame 11, the frame that filled the hole.
        var chunk = c.Events.Single(e => e.Offset == 200);
        Assert.Equal(11, chunk.Frame);
        Assert.Equal([12L], chunk.SegmentFrames);

        // The consumer releases what it has parsed; its provenance is forgotten.
        r.Release(150);
        Assert.Equal(150ul, r.ProvenanceFloor);
        Assert.Equal([new StreamSegment(150, 50, 11), new StreamSegment(200, 50, 12)], r.Segments(0, 250).ToList());
        r.Release(10_000); // past what was delivered: up to what was delivered
        Assert.Equal(400ul, r.ProvenanceFloor);
        Assert.Empty(r.Segments(0, 1000).ToList());
    }

    [Fact]
    public void ProvenanceSkipsGapsAndIsBoundedWhenNeverReleased()
    {
        var (r, _) = New(new ReassemblyLimits { MaxSegmentRecords = 16 });
        var data = Bytes(100);
        Add(r, 0, data.AsSpan(0, 10), 1);
        Add(r, 20, data.AsSpan(20, 10), 2);
        r.Flush();
        Assert.Equal([new StreamSegment(0, 10, 1), new StreamSegment(20, 10, 2)], r.Segments(0, 30).ToList());

        var (r2, _) = New(new ReassemblyLimits { MaxSegmentRecords = 16 });
        for (int i = 0; i < 40; i++) Add(r2, (uint)i * 10, data.AsSpan(0, 10), i + 1);
        Assert.Equal(240ul, r2.ProvenanceFloor); // the 24 oldest of 40 records were dropped
        Assert.Equal(16, r2.Segments(0, 400).ToList().Count);
        Assert.Equal(new StreamSegment(240, 10, 25), r2.Segments(0, 400).ToList()[0]);
    }

    // ---- robustness ----

    [Fact]
    public void ASingleSegmentFarOutsideTheWindowIsIgnoredAndTheStreamGoesOn()
    {
        var data = Bytes(300);
        var (r, c) = New();
        Add(r, 1000, data.AsSpan(0, 100), 1);
        Add(r, 1000 + 0x9000_0000u, data.AsSpan(100, 100), 2);   // a jump of more than 2^31
        Add(r, 1000 + 0x5000_0000u, data.AsSpan(100, 100), 3);   // more than 2^30 ahead
        Add(r, 1100, data.AsSpan(100, 200), 4);
        Assert.Equal(["data 0+100 @1", "data 100+200 @4"], c.Describe());
        Assert.Equal([StreamReassembler.OutOfWindowMessage, StreamReassembler.OutOfWindowMessage], Notes(r).Select(n => n.Message));
    }

    [Fact]
    public void TwoContiguousSegmentsFarAwayMeanTheStreamJumpedAndItContinuesAfterAGap()
    {
        var data = Bytes(300);
        var (r, c) = New();
        Add(r, 1000, data.AsSpan(0, 100), 1);
        const uint jump = 0xB000_0000u;                          // ahead by 2.75 GiB: 1.25 GiB behind, as a signed distance
        uint far = 1100 + jump;
        Add(r, far, data.AsSpan(100, 100), 2);                   // ignored ...
        Add(r, far + 100, data.AsSpan(200, 100), 3);             // ... until this one continues it
        ulong skipped = jump + 100ul;                            // the ignored segment's bytes are part of the gap
        Assert.Equal(["data 0+100 @1", $"gap 100+{skipped} @3", $"data {100 + skipped}+100 @3"], c.Describe());
        var messages = Notes(r).Select(n => n.Message).ToList();
        Assert.Equal([StreamReassembler.OutOfWindowMessage, StreamReassembler.ResynchronizedMessage], messages);
        Assert.True(r.TryGetOffset(far + 200, out var o));
        Assert.Equal(200 + skipped, o);
        c.AssertTiling();
    }

    [Fact]
    public void OddInputNeverThrowsAndTheOutputAlwaysTilesTheStream()
    {
        var rng = new Random(20240601);
        for (int run = 0; run < 200; run++)
        {
            var limits = new ReassemblyLimits
            {
                MaxBufferedBytesPerDirection = rng.Next(0, 5) * 1024,
                PageSize = 256 << rng.Next(0, 4),
                MaxBufferedSegments = rng.Next(1, 8),
                RetainedDeliveredBytes = rng.Next(0, 3) * 1000,
                MaxSegmentRecords = rng.Next(-5, 40),
            };
            var (r, c) = New(limits);
            uint seq = (uint)rng.NextInt64(0, 1L << 32);
            var buffer = Bytes(5000, run);
            for (int i = 0; i < 300; i++)
            {
                int kind = rng.Next(1000);
                if (kind < 3) { r.Flush(); continue; }
                if (kind < 6) { r.Reset(i, At(i)); continue; }
                if (kind < 60) { r.Acknowledged(seq + (uint)rng.Next(-3000, 3000), i, At(i)); continue; }
                if (kind < 80) { r.Release((ulong)rng.NextInt64(0, 10_000)); continue; }
                uint s = kind switch
                {
                    < 120 => (uint)rng.NextInt64(0, 1L << 32),
                    < 160 => seq + 0x8000_0000u,
                    < 200 => seq + 0x4000_0001u,
                    _ => seq + (uint)rng.Next(-2000, 2000),
                };
                int len = rng.Next(0, 8) == 0 ? 0 : rng.Next(0, 1500);
                int from = rng.Next(0, buffer.Length - len);
                r.Add(s, buffer.AsSpan(from, len), rng.Next(20) == 0, rng.Next(20) == 0, i, At(i));
                if (rng.Next(2) == 0) seq = s + (uint)len;
                if (rng.Next(50) == 0) _ = r.Segments((ulong)rng.NextInt64(0, 5000), 3000).ToList();
            }
            r.Flush();
            Assert.True(Notes(r).Count <= StreamReassembler.MaxPendingNotes);
            c.AssertTiling();
            r.Dispose();
        }
    }

    [Fact]
    public void ReorderedDuplicatedAndRepacketizedSegmentsReproduceTheStreamExactly()
    {
        var rng = new Random(77);
        int tightGaps = 0, tightLimitNotes = 0;
        for (int run = 0; run < 100; run++)
        {
            int size = rng.Next(1, 200_000);
            var truth = Bytes(size, run);
            uint isn = rng.Next(3) == 0 ? 0xFFFF_0000u + (uint)rng.Next(0, 0x1_0000) : (uint)rng.NextInt64(0, 1L << 32);
            bool dropSome = run % 3 == 0;
            // Tight limits: holes are given up often, pieces come out of 256-byte pages; what is delivered must still be right.
            bool tight = run % 4 == 1;
            var limits = tight
                ? new ReassemblyLimits { MaxBufferedBytesPerDirection = 2048, PageSize = 256, MaxBufferedSegments = 3, RetainedDeliveredBytes = 512 }
                : null;

            // Segments, some sent twice with other boundaries, shuffled within a window of a few segments.
            var segments = new List<(int Start, int Length)>();
            for (int at = 0; at < size;)
            {
                int len = Math.Min(size - at, rng.Next(1, 3000));
                segments.Add((at, len));
                if (rng.Next(6) == 0)
                {
                    int back = rng.Next(0, Math.Min(at, 2000) + 1);
                    segments.Add((at - back, Math.Min(size - (at - back), back + rng.Next(1, 3000))));
                }
                at += len;
            }
            var covered = new bool[size];
            var order = new List<(int Start, int Length)>();
            foreach (var s in segments)
            {
                if (dropSome && order.Count > 0 && rng.Next(10) == 0) continue;
                order.Add(s);
                for (int i = s.Start; i < s.Start + s.Length; i++) covered[i] = true;
            }
            for (int i = 1; i < order.Count; i++)
            {
                int j = Math.Max(1, i - rng.Next(0, 5));
                (order[i], order[j]) = (order[j], order[i]);
            }

            var (r, c) = New(limits);
            r.Add(isn, default, syn: true, fin: false, 0, At(0));
            long frame = 1;
            foreach (var (start, length) in order)
                r.Add(unchecked(isn + 1 + (uint)start), truth.AsSpan(start, length), false, false, frame++, At(frame));
            r.Add(unchecked(isn + 1 + (uint)size), default, false, fin: true, frame++, At(frame));
            r.Flush();

            c.AssertTiling();
            Assert.Equal((ulong)size, c.EndOffset);
            var delivered = new bool[size];
            foreach (var e in c.Events.Where(e => e.Kind == "data"))
            {
                Assert.Equal(truth.AsSpan((int)e.Offset, (int)e.Length).ToArray(), e.Data);
                for (int i = 0; i < (int)e.Length; i++) delivered[(int)e.Offset + i] = true;
            }
            if (tight) Assert.All(Enumerable.Range(0, size), i => Assert.True(covered[i] || !delivered[i]));
            else Assert.Equal(covered, delivered);
            var notes = Notes(r);
            Assert.DoesNotContain(notes, n => n.Message == StreamReassembler.DifferentOverlapMessage);
            if (tight)
            {
                tightGaps += c.Events.Count(e => e.Kind == "gap");
                tightLimitNotes += notes.Count(n => n.Group == "Reassemble");
            }
        }
        Assert.True(tightGaps > 0 && tightLimitNotes > 0);
    }

    [Fact]
    public void InOrderSegmentsAllocateNothing()
    {
        var consumer = new CountingConsumer();
        var r = new StreamReassembler(null, consumer);
        consumer.Source = r;
        var payload = Bytes(1460);
        uint seq = 0xFFF0_0000; // crosses 2^32 during the loop
        r.Add(seq - 1, default, true, false, 0, T0);
        long frame = 1;
        for (int i = 0; i < 1000; i++, seq += 1460) r.Add(seq, payload, false, false, frame++, T0);

        // One allocation per segment would be at least 24 bytes × 10,000 = 240,000 bytes. The bound leaves room for a
        // one-off allocation by the runtime itself (tiered compilation replacing a method has shown ~5 KB once).
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++, seq += 1460) r.Add(seq, payload, false, false, frame++, T0);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 16 * 1024, $"{allocated} bytes allocated for 10,000 in-order segments");
    }

    // ---- recording consumers ----

    private sealed class CountingConsumer : IStreamConsumer
    {
        public StreamReassembler? Source;
        public long Bytes;

        public void OnData(in StreamChunk chunk)
        {
            Bytes += chunk.Data.Length;
            Source?.Release(chunk.EndOffset);
        }

        public void OnGap(ulong streamOffset, ulong length, long frame) { }

        public void OnEnd(ulong streamOffset, StreamEnd reason, long frame) { }
    }

    private sealed record Event(string Kind, ulong Offset, ulong Length, long Frame, byte[]? Data, long[] SegmentFrames, StreamEnd? Reason);

    private sealed class Recorder : IStreamConsumer
    {
        public StreamReassembler? Source;
        public readonly List<Event> Events = new();

        public ulong EndOffset => Events.Last(e => e.Kind == "end").Offset;

        public void OnData(in StreamChunk chunk)
        {
            var frames = new List<long>();
            foreach (var s in chunk.Segments)
            {
                Assert.True(s.StreamOffset >= chunk.StreamOffset && s.End <= chunk.EndOffset);
                frames.Add(s.Frame);
            }
            Events.Add(new Event("data", chunk.StreamOffset, (ulong)chunk.Data.Length, chunk.Frame, chunk.Data.ToArray(), frames.ToArray(), null));
        }

        public void OnGap(ulong streamOffset, ulong length, long frame) =>
            Events.Add(new Event("gap", streamOffset, length, frame, null, [], null));

        public void OnEnd(ulong streamOffset, StreamEnd reason, long frame) =>
            Events.Add(new Event("end", streamOffset, 0, frame, null, [], reason));

        /// <summary>The events as text; consecutive data chunks of one piece held in several pages are merged.</summary>
        public List<string> Describe()
        {
            var list = new List<string>();
            Event? pending = null;
            foreach (var e in Events)
            {
                if (pending is not null && e.Kind == "data" && pending.Kind == "data" && pending.Offset + pending.Length == e.Offset
                    && pending.Frame == e.Frame && pending.SegmentFrames.SequenceEqual(e.SegmentFrames))
                {
                    pending = pending with { Length = pending.Length + e.Length };
                    continue;
                }
                if (pending is not null) list.Add(Text(pending));
                pending = e;
            }
            if (pending is not null) list.Add(Text(pending));
            return list;

            static string Text(Event e) => e.Kind switch
            {
                "end" => $"end {e.Offset} {e.Reason} @{e.Frame}",
                _ => $"{e.Kind} {e.Offset}+{e.Length} @{e.Frame}",
            };
        }

        public byte[] Stream(ulong from = 0) =>
            Events.Where(e => e.Kind == "data" && e.Offset >= from).SelectMany(e => e.Data!).ToArray();

        /// <summary>Data and gaps cover [0, end) in order without overlap; the end, if any, comes last and once.</summary>
        public void AssertTiling()
        {
            ulong next = 0;
            for (int i = 0; i < Events.Count; i++)
            {
                var e = Events[i];
                if (e.Kind == "end")
                {
                    Assert.Equal(next, e.Offset);
                    Assert.Equal(Events.Count - 1, i);
                    continue;
                }
                Assert.Equal(next, e.Offset);
                Assert.True(e.Length > 0);
                next += e.Length;
            }
        }
    }
}

internal static class StreamSegmentsExtensions
{
    public static List<StreamSegment> ToList(this StreamSegments segments)
    {
        var list = new List<StreamSegment>();
        foreach (var s in segments) list.Add(s);
        return list;
    }
}
