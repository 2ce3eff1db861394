using System.Buffers.Binary;
using HttpsFlow.Capture;
using HttpsFlow.Common;
using HttpsFlow.Pipeline;
using HttpsFlow.Tcp.Reassembly;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tests.Tls;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Tests.Robustness;

/// <summary>
/// The total bound on bytes waiting for reassembly (<see cref="DissectorLimits.MaxReassemblyBytes"/>, docs/robustness.md):
/// each structure charges its buffer and gives it back; under pressure the connection idle the longest gives up what it
/// holds, with a note; normal captures never meet the bound.
/// </summary>
public sealed class ReassemblyBudgetTests
{
    private static byte[] Record(byte type, int length, int have)
    {
        var r = new byte[5 + have];
        r[0] = type; r[1] = 3; r[2] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(3), (ushort)length);
        for (int i = 5; i < r.Length; i++) r[i] = (byte)i;
        return r;
    }

    [Fact]
    public void RecordParserChargesItsBufferAndReleasesIt()
    {
        var budget = new ReassemblyBudget(1 << 20);
        var sink = new RecordCollector();
        var parser = new TlsRecordParser(sink, budget: budget);
        var whole = Record(23, 3000, 3000);
        parser.Feed(whole.AsSpan(0, 1000), 0, 1);
        Assert.True(parser.HeldBytes >= 1000);
        Assert.Equal(parser.HeldBytes, budget.Used);
        parser.Feed(whole.AsSpan(1000, 1500), 1000, 2);
        Assert.Equal(parser.HeldBytes, budget.Used);
        parser.Feed(whole.AsSpan(2500), 2500, 3);
        Assert.Single(sink.Records);
        Assert.Equal(0, budget.Used);
        Assert.Equal(1024 + 4096, budget.Peak); // the old buffer and the new one are both held while bytes are copied
        // A record left half-received is given back when the parser is disposed (its connection forgotten).
        parser.Feed(Record(23, 3000, 500), 3005, 4);
        Assert.True(budget.Used > 0);
        parser.Dispose();
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void RecordParserRefusedByTheBudgetSkipsThatRecordOnly()
    {
        var budget = new ReassemblyBudget(512); // less than the smallest buffer
        var sink = new RecordCollector();
        var parser = new TlsRecordParser(sink, budget: budget);
        var first = Record(23, 2000, 2000);
        var second = Record(23, 10, 10);
        parser.Feed(first.AsSpan(0, 700), 0, 1);
        parser.Feed([.. first.AsSpan(700), .. second], 700, 2);
        Assert.Equal(0, budget.Used);
        Assert.Equal(1, budget.Refusals);
        Assert.Contains(sink.Notes, n => n.Note.Message.StartsWith(TlsRecordParser.BudgetRefusedMessage) && n.Note.Message.Contains("700 of 2005 bytes"));
        // The refused record is skipped by its length: the next one is read where it starts.
        var r = Assert.Single(sink.Records);
        Assert.Equal(2005UL, r.StreamOffset);
        Assert.Equal(10, r.Length);
    }

    private static byte[] HandshakeRecord(ReadOnlySpan<byte> fragment)
    {
        var r = new byte[5 + fragment.Length];
        r[0] = 22; r[1] = 3; r[2] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(3), (ushort)fragment.Length);
        fragment.CopyTo(r.AsSpan(5));
        return r;
    }

    private static byte[] Certificate(int bodyLength)
    {
        var m = new byte[4 + bodyLength];
        m[0] = 11;
        m[1] = (byte)(bodyLength >> 16); m[2] = (byte)(bodyLength >> 8); m[3] = (byte)bodyLength;
        return m;
    }

    [Fact]
    public void HandshakeReassemblerChargesItsBufferAndReleasesIt()
    {
        var budget = new ReassemblyBudget(1 << 20);
        var reassembler = new HandshakeReassembler(budget: budget);
        var sink = new HandshakeCollector();
        var message = Certificate(30_000);
        reassembler.Add(message.AsSpan(0, 16_000), 5, 0, 1, [], sink);
        Assert.True(reassembler.HeldBytes >= 16_000);
        Assert.Equal(reassembler.HeldBytes, budget.Used);
        reassembler.Add(message.AsSpan(16_000), 16_010, 16_005, 2, [], sink);
        Assert.Equal(HandshakeEventKind.Message, sink.Events[^1].Kind);
        Assert.Equal(0, budget.Used);
        // Given up (for another connection): the buffer goes back and the message ends as skipped.
        reassembler.Add(message.AsSpan(0, 10_000), 40_000, 39_995, 3, [], sink);
        Assert.True(budget.Used > 0);
        Assert.Equal(budget.Used, reassembler.GiveUp(clear: false));
        Assert.Equal(0, budget.Used);
        reassembler.Add(message.AsSpan(10_000), 50_000, 49_995, 4, [], sink);
        Assert.Equal(HandshakeEventKind.Skipped, sink.Events[^1].Kind);
        // Dropped with its connection.
        reassembler.Add(message.AsSpan(0, 10_000), 80_000, 79_995, 5, [], sink);
        Assert.True(budget.Used > 0);
        reassembler.Dispose();
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void HandshakeReassemblerRefusedByTheBudgetSkipsTheMessage()
    {
        var budget = new ReassemblyBudget(8192);
        var reassembler = new HandshakeReassembler(budget: budget);
        var sink = new HandshakeCollector();
        var message = Certificate(30_000);
        reassembler.Add(message.AsSpan(0, 6_000), 5, 0, 1, [], sink);   // 8 KiB: fits
        reassembler.Add(message.AsSpan(6_000, 6_000), 6_010, 6_005, 2, [], sink); // 16 KiB: refused
        Assert.Equal(0, budget.Used);
        Assert.Contains(sink.Notes, n => n.Note.Message.Contains(HandshakeReassembler.BudgetRefusedMessage) && n.Note.Message.StartsWith("Handshake message (Certificate)"));
        reassembler.Add(message.AsSpan(12_000), 12_010, 12_005, 3, [], sink);
        Assert.Equal(HandshakeEventKind.Skipped, sink.Events[^1].Kind);
        Assert.False(reassembler.InProgress);
    }

    private sealed class Nothing : IStreamConsumer
    {
        public long Gaps;
        public void OnData(in StreamChunk chunk) { }
        public void OnGap(ulong streamOffset, ulong length, long frame) => Gaps++;
        public void OnEnd(ulong streamOffset, StreamEnd reason, long frame) { }
    }

    [Fact]
    public void StreamReassemblerChargesItsPagesAndReleasesThem()
    {
        var budget = new ReassemblyBudget(64 * 1024);
        var limits = new ReassemblyLimits { PageSize = 4096, Budget = budget };
        var consumer = new Nothing();
        var r = new StreamReassembler(limits, consumer);
        var t = new Timestamp(1, 0);
        r.Add(1000, new byte[100], syn: true, fin: false, 1, t);
        r.Add(1101 + 5000, new byte[3000], false, false, 2, t); // beyond a hole: held
        Assert.Equal(r.BufferedBytes, budget.Used);
        Assert.True(budget.Used > 0);
        r.Add(1101, new byte[5000], false, false, 3, t);          // the hole fills
        Assert.Equal(0, budget.Used);
        r.Add(1101 + 20_000, new byte[8000], false, false, 4, t);
        Assert.Equal(r.BufferedBytes, budget.Used);
        r.Dispose();
        Assert.Equal(0, budget.Used);

        // A budget shared with another holder: no room, so the hole is given up at once, with a note.
        var tight = new ReassemblyBudget(4096);
        Assert.True(tight.TryCharge(4096));
        var other = new StreamReassembler(new ReassemblyLimits { PageSize = 4096, Budget = tight }, consumer);
        other.Add(1000, new byte[100], true, false, 1, t);
        other.Add(1101 + 500, new byte[100], false, false, 2, t);
        var notes = new List<ExpertNote>();
        other.DrainNotes(notes);
        Assert.Contains(notes, n => n.Message == "Reassembly budget of 4096 bytes for all connections reached; data skipped");
        Assert.Equal(1, consumer.Gaps);
        Assert.Equal(0, other.BufferedBytes);
        Assert.Equal(4096, tight.Used);
    }

    // ---- through the dissector ----

    private static readonly byte[] ServerIp = [10, 255, 0, 1];

    private static byte[] ClientIp(int i) => [10, (byte)(i >> 16), (byte)(i >> 8), (byte)i];

    private static byte[] Tcp(int i, bool fromClient, uint seq, uint ack, ushort flags, ReadOnlySpan<byte> payload)
    {
        var c = ClientIp(i);
        var tcp = PacketFactory.Tcp(fromClient ? c : ServerIp, fromClient ? ServerIp : c, fromClient ? (ushort)(1024 + i) : (ushort)443,
            fromClient ? (ushort)443 : (ushort)(1024 + i), seq, ack, flags, 65535, default, payload.Length);
        payload.CopyTo(tcp.AsSpan(20));
        return PacketFactory.Ethernet(PacketFactory.ServerMac, PacketFactory.ClientMac, 0x0800,
            PacketFactory.Ipv4(fromClient ? c : ServerIp, fromClient ? ServerIp : c, 6, tcp));
    }

    private static HttpsFlow.Net.Frame Feed(Dissector d, byte[] p) =>
        d.Dissect(new CapturedPacket(p, p.Length, LinkTypes.Ethernet, new Timestamp(1, 0), 6, 0), false, null);

    /// <summary>
    /// Opens connection <paramref name="i"/> and sends a short record, then the first <paramref name="have"/> bytes of a
    /// record claiming <paramref name="length"/>; returns the client's next sequence number.
    /// </summary>
    private static uint OpenWithPartialRecord(Dissector d, int i, int length, int have, List<string> notes)
    {
        uint c = 1000;
        Feed(d, Tcp(i, true, c++, 0, 0x002, default));
        Feed(d, Tcp(i, false, 5000, c, 0x012, default));
        Feed(d, Tcp(i, true, c, 5001, 0x010, default));
        // A short record first: a connection whose first record is longer than TLS allows is not taken for TLS.
        byte[] bytes = [.. Record(23, 10, 10), .. Record(23, length, have)];
        for (int o = 0; o < bytes.Length; o += 1460)
        {
            var part = bytes.AsSpan(o, Math.Min(1460, bytes.Length - o));
            var f = Feed(d, Tcp(i, true, c, 5001, 0x018, part));
            notes.AddRange(f.Notes.Select(n => n.Message));
            c += (uint)part.Length;
        }
        return c;
    }

    [Fact]
    public void AForgottenConnectionGivesItsBytesBack()
    {
        var d = new Dissector(new DissectorLimits { MaxTcpConversations = 1 });
        var notes = new List<string>();
        OpenWithPartialRecord(d, 1, 16_000, 5_000, notes);
        Assert.Equal(8192, d.ReassemblyBudget.Used);
        Feed(d, Tcp(2, true, 1, 0, 0x002, default)); // the table (of one) forgets connection 1
        Assert.Equal(0, d.ReassemblyBudget.Used);
        Assert.Empty(notes);
    }

    [Fact]
    public void ManyConnectionsHoldingPartialRecordsStayWithinTheBudget()
    {
        // 200 connections each leave 60 KiB of a 64,000-byte record waiting (a 64 KiB buffer each, 12.5 MiB in all)
        // under a budget of 4 MiB: the idlest give their bytes up, each with a note on the frame that needed the room.
        const long limit = 4 << 20;
        var d = new Dissector(new DissectorLimits { MaxReassemblyBytes = limit });
        var notes = new List<string>();
        var next = new uint[200];
        for (int i = 0; i < 200; i++)
        {
            next[i] = OpenWithPartialRecord(d, i, 64_000, 60 * 1024, notes);
            Assert.True(d.ReassemblyBudget.Used <= limit);
        }
        Assert.True(d.ReassemblyBudget.Peak <= limit, $"peak {d.ReassemblyBudget.Peak}");
        Assert.Equal(0, d.ReassemblyBudget.Refusals);
        Assert.True(d.ReassemblyEvictions >= 130, $"{d.ReassemblyEvictions} evictions");
        var note = notes.First(n => n.StartsWith("Reassembly budget full"));
        Assert.Matches(@"^Reassembly budget full \(4194304 bytes\): tcp\.stream 0 \(idle since frame \d+\) gave up 65536 bytes waiting for reassembly$", note);
        Assert.Equal(d.ReassemblyEvictions, notes.Count(n => n.StartsWith("Reassembly budget full")));

        // The busiest connection still has its record: its last bytes complete it.
        var rest = new byte[64_000 - 60 * 1024];
        var done = Feed(d, Tcp(199, true, next[199], 5001, 0x018, rest));
        Assert.Equal(HttpsFlow.Tls.List.UpperKind.Tls, done.Upper);
        // An evicted one resynchronises: its last bytes are not taken for a record, and nothing breaks.
        var resumed = Feed(d, Tcp(0, true, next[0], 5001, 0x018, rest));
        Assert.DoesNotContain(resumed.Notes, n => n.Message.StartsWith("dissector bug"));
        Assert.Equal(HttpsFlow.Tls.List.UpperKind.None, resumed.Upper); // the rest of the given-up record is passed over
        Assert.True(d.ReassemblyBudget.Used <= limit);
    }

    [Fact]
    public void OneConnectionAloneOverTheBudgetIsRefusedWithANote()
    {
        var d = new Dissector(new DissectorLimits { MaxReassemblyBytes = 16 * 1024 });
        var notes = new List<string>();
        OpenWithPartialRecord(d, 1, 60_000, 30_000, notes);
        Assert.Contains(notes, n => n == "Reassembly budget full (16384 bytes): tcp.stream 0 alone needs more; its TLS record or handshake message is not reassembled");
        Assert.True(d.ReassemblyBudget.Peak <= 16 * 1024);
        Assert.Equal(0, d.ReassemblyBudget.Used);
    }

    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(Repo.Root, "samples")).Order())
            if (f.EndsWith(".pcap") || f.EndsWith(".pcapng") || f.EndsWith(".gz")) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void SamplesNeverMeetTheBudget(string sample)
    {
        using var reader = CaptureReader.Open(Path.Combine(Repo.Root, "samples", sample));
        var d = new Dissector();
        while (d.Next(reader) is { } f)
            Assert.DoesNotContain(f.Notes, n => n.Message.StartsWith("Reassembly budget"));
        Assert.Equal(0, d.ReassemblyBudget.Refusals);
        Assert.Equal(0, d.ReassemblyEvictions);
        Assert.True(d.ReassemblyBudget.Peak < 1 << 20, $"peak {d.ReassemblyBudget.Peak}");
    }
}
