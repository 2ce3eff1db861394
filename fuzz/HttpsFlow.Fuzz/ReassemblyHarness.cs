using System.Buffers;
using System.Buffers.Binary;
using HttpsFlow.Capture;
using HttpsFlow.Common;
using HttpsFlow.Fields;
using HttpsFlow.Net;
using HttpsFlow.Pipeline;
using HttpsFlow.Tcp.Reassembly;

namespace HttpsFlow.Fuzz;

/// <summary>
/// The `reassembly` harness: the input describes TCP segments of one connection (or two), with sequence numbers that
/// overlap, leave gaps, repeat, go backwards and wrap past 2^32. Byte 0 chooses the mode and the limits:
/// bit 0 clear feeds the segments to two <see cref="StreamReassembler"/>s (one per direction) through a counting pool
/// and a shared <see cref="ReassemblyBudget"/>; bit 0 set builds them into Ethernet/IPv4/TCP packets to port 443 and
/// runs them through <see cref="Dissector.Dissect"/> with the TLS layer and the TLS field store. Bytes 1–8 are the
/// initial sequence numbers of the two directions (big-endian). Then each segment is:
/// <list type="bullet">
/// <item>a flags byte: bit 7 from the server, bit 6 second connection (dissector mode), bit 5 absolute sequence
/// number, bit 4 an ACK of the other direction instead of data, bit 3 RST, bit 2 FIN, bit 1 SYN, bit 0 length ×64;</item>
/// <item>a signed 16-bit delta from the direction's cursor (the end of the last segment it sent), or with bit 5 a
/// 32-bit absolute sequence number;</item>
/// <item>a length byte, then that many payload bytes (taken from the input while it lasts, then a pattern).</item>
/// </list>
/// After every segment the harness checks: nothing escaped; each direction's delivered data and gaps tile the stream
/// from offset 0 in strictly increasing offsets; data delivered never exceeds data fed; out-of-order bytes held stay
/// within the per-direction cap and the shared budget; the budget equals what is held. At the end every pooled buffer
/// rented has been returned and the budget is back to 0. In dissector mode: no frame is marked "dissector bug", the
/// budget stays within its limit, and once both connections are forgotten it is back to 0.
/// </summary>
public static class ReassemblyHarness
{
    private static readonly long[] PerDirectionCaps = [0, 1024, 4096, 64 * 1024];
    private static readonly long[] Budgets = [0, 2048, 8192, 1 << 20];
    private static readonly int[] PageSizes = [256, 1024];

    private readonly record struct Seg(bool FromServer, bool Second, bool Syn, bool Fin, bool Rst, bool AckOnly, uint Seq, byte[] Payload);

    public static void Run(byte[] data)
    {
        if (data.Length == 0) return;
        byte mode = data[0];
        uint isnC = data.Length >= 5 ? BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(1)) : 1000;
        uint isnS = data.Length >= 9 ? BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(5)) : 5000;
        var segs = Parse(data.AsSpan(Math.Min(9, data.Length)), isnC, isnS);
        if ((mode & 1) == 0) Streams(mode, segs);
        else Dissect(mode, segs, isnC, isnS);
    }

    private static List<Seg> Parse(ReadOnlySpan<byte> input, uint isnC, uint isnS)
    {
        var segs = new List<Seg>();
        // Cursors per (connection, direction): where the next segment would start without a delta.
        var cursor = new uint[4] { isnC, isnS, isnC + 0x10000, isnS + 0x10000 };
        int pattern = 0;
        while (input.Length >= 2 && segs.Count < 400)
        {
            byte f = input[0];
            input = input[1..];
            bool server = (f & 0x80) != 0, second = (f & 0x40) != 0;
            int k = (second ? 2 : 0) + (server ? 1 : 0);
            uint seq;
            if ((f & 0x20) != 0)
            {
                if (input.Length < 4) break;
                seq = BinaryPrimitives.ReadUInt32BigEndian(input);
                input = input[4..];
            }
            else
            {
                if (input.Length < 2) break;
                seq = unchecked(cursor[k] + (uint)BinaryPrimitives.ReadInt16BigEndian(input));
                input = input[2..];
            }
            int length = 0;
            if (!input.IsEmpty)
            {
                length = input[0] * ((f & 1) != 0 ? 64 : 1);
                input = input[1..];
            }
            bool ackOnly = (f & 0x10) != 0;
            var payload = ackOnly ? [] : new byte[length];
            int take = Math.Min(payload.Length, input.Length);
            input[..take].CopyTo(payload);
            input = input[take..];
            for (int i = take; i < payload.Length; i++) payload[i] = (byte)(pattern++ * 31 + 7);
            bool syn = (f & 0x02) != 0;
            segs.Add(new Seg(server, second, syn, (f & 0x04) != 0, (f & 0x08) != 0, ackOnly, seq, payload));
            if (!ackOnly) cursor[k] = unchecked(seq + (uint)payload.Length + (syn ? 1u : 0u));
        }
        return segs;
    }

    // ---- mode 0: the reassembler itself ----

    private static void Streams(byte mode, List<Seg> segs)
    {
        var pool = new CountingPool();
        var budget = (mode & 0x40) != 0 ? new ReassemblyBudget(Budgets[(mode >> 4) & 3]) : null;
        var limits = new ReassemblyLimits
        {
            MaxBufferedBytesPerDirection = PerDirectionCaps[(mode >> 1) & 3],
            PageSize = PageSizes[(mode >> 3) & 1],
            MaxBufferedSegments = (mode & 0x80) != 0 ? 8 : 4096,
            RetainedDeliveredBytes = (mode & 0x80) != 0 ? 0 : 4096,
            Pool = pool,
            Budget = budget,
        };
        var checks = new[] { new Checker(), new Checker() };
        var streams = new[] { new StreamReassembler(limits, checks[0]), new StreamReassembler(limits, checks[1]) };
        for (int i = 0; i < 2; i++) checks[i].Source = streams[i];
        var notes = new List<ExpertNote>();
        long frame = 0;
        foreach (var s in segs)
        {
            frame++;
            int k = s.FromServer ? 1 : 0;
            var time = new Timestamp(1, (int)(frame % 1_000_000) * 1000);
            if (s.AckOnly) streams[1 - k].Acknowledged(s.Seq, frame, time);
            else if (s.Rst) streams[k].Reset(frame, time);
            else
            {
                checks[k].Fed += s.Payload.Length;
                streams[k].Add(s.Seq, s.Payload, s.Syn, s.Fin, frame, time);
            }
            for (int i = 0; i < 2; i++)
            {
                var r = streams[i];
                checks[i].After(r, limits);
                if ((frame & 7) == 0) r.Release(r.NextOffset / 2);
                notes.Clear();
                r.DrainNotes(notes);
            }
            if (budget is not null)
            {
                if (budget.Used > budget.Limit) throw new FuzzFinding($"budget holds {budget.Used} bytes, limit {budget.Limit}");
                if (budget.Used != streams[0].BufferedBytes + streams[1].BufferedBytes)
                    throw new FuzzFinding($"budget holds {budget.Used} bytes, the reassemblers {streams[0].BufferedBytes + streams[1].BufferedBytes}");
            }
        }
        if ((mode & 0x20) != 0)
            for (int i = 0; i < 2; i++)
            {
                streams[i].Flush();
                checks[i].After(streams[i], limits);
                if (!streams[i].IsEnded) throw new FuzzFinding("a flushed stream has not ended");
            }
        foreach (var r in streams) r.Dispose();
        if (pool.Outstanding != 0) throw new FuzzFinding($"{pool.Outstanding} pooled buffers not returned ({pool.OutstandingBytes} bytes)");
        if (budget is not null && budget.Used != 0) throw new FuzzFinding($"budget holds {budget.Used} bytes after every reassembler was disposed");
    }

    /// <summary>Checks what one direction delivers: data and gaps tile the stream in increasing offsets.</summary>
    private sealed class Checker : IStreamConsumer
    {
        public StreamReassembler? Source;
        public long Fed;
        private long _delivered;
        private ulong _next;
        private bool _ended;

        public void OnData(in StreamChunk chunk)
        {
            if (_ended) throw new FuzzFinding("data after the end");
            if (chunk.Data.IsEmpty) throw new FuzzFinding("an empty chunk");
            if (chunk.StreamOffset != _next) throw new FuzzFinding($"data at {chunk.StreamOffset}, expected {_next}");
            _next = chunk.EndOffset;
            _delivered += chunk.Data.Length;
            if (_delivered > Fed) throw new FuzzFinding($"{_delivered} bytes delivered, {Fed} fed");
            foreach (var s in chunk.Segments)
                if (s.StreamOffset < chunk.StreamOffset || s.End > chunk.EndOffset || s.Length <= 0)
                    throw new FuzzFinding($"provenance [{s.StreamOffset}, {s.End}) outside the chunk [{chunk.StreamOffset}, {chunk.EndOffset})");
        }

        public void OnGap(ulong streamOffset, ulong length, long frame)
        {
            if (_ended) throw new FuzzFinding("a gap after the end");
            if (length == 0) throw new FuzzFinding("an empty gap");
            if (streamOffset != _next) throw new FuzzFinding($"gap at {streamOffset}, expected {_next}");
            _next = streamOffset + length;
        }

        public void OnEnd(ulong streamOffset, StreamEnd reason, long frame)
        {
            if (_ended) throw new FuzzFinding("ended twice");
            if (streamOffset != _next) throw new FuzzFinding($"end at {streamOffset}, delivered to {_next}");
            _ended = true;
        }

        public void After(StreamReassembler r, ReassemblyLimits limits)
        {
            if (!r.IsEnded && r.NextOffset != _next) throw new FuzzFinding($"reassembler at {r.NextOffset}, consumer at {_next}");
            long cap = Math.Max(limits.MaxBufferedBytesPerDirection, 0);
            if (r.BufferedBytes > cap) throw new FuzzFinding($"{r.BufferedBytes} bytes held, cap {cap}");
            if (r.BufferedSegments > limits.MaxBufferedSegments) throw new FuzzFinding($"{r.BufferedSegments} pieces held");
        }
    }

    /// <summary>A pool that counts what is rented and not returned (and refuses a foreign or repeated return).</summary>
    private sealed class CountingPool : ArrayPool<byte>
    {
        private readonly HashSet<byte[]> _out = new(ReferenceEqualityComparer.Instance);
        public int Outstanding => _out.Count;
        public long OutstandingBytes => _out.Sum(a => (long)a.Length);

        public override byte[] Rent(int minimumLength)
        {
            var a = new byte[Math.Max(minimumLength, 1)];
            _out.Add(a);
            return a;
        }

        public override void Return(byte[] array, bool clearArray = false)
        {
            if (!_out.Remove(array)) throw new FuzzFinding("a buffer returned that was not rented, or returned twice");
        }
    }

    // ---- mode 1: the same segments as packets, through the dissector and the TLS layer ----

    private static void Dissect(byte mode, List<Seg> segs, uint isnC, uint isnS)
    {
        long budget = Budgets[(mode >> 1) & 3] * ((mode & 0x08) != 0 ? 64 : 1);
        var dissector = new Dissector(new DissectorLimits { MaxReassemblyBytes = budget, MaxTcpConversations = 2 })
        {
            TlsObserver = (mode & 0x10) != 0 ? new TlsFrameStore() : null,
        };
        var store = dissector.TlsObserver as TlsFrameStore;
        var set = new FieldSet();
        var acks = new uint[4] { isnS + 1, isnC + 1, isnS + 0x10001, isnC + 0x10001 };
        long usec = 0;
        foreach (var s in segs)
        {
            int k = (s.Second ? 2 : 0) + (s.FromServer ? 1 : 0);
            byte flags = s.AckOnly ? (byte)0x10 : (byte)((s.Syn ? 0x02 : 0) | (s.Fin ? 0x01 : 0) | (s.Rst ? 0x04 : 0) | 0x10 | (s.Payload.Length > 0 ? 0x08 : 0));
            if (s.Syn && !s.FromServer) flags &= unchecked((byte)~0x10); // a client's SYN carries no ACK
            var p = Packet(s.FromServer, s.Second ? (ushort)50001 : (ushort)50000, s.Seq, acks[k], flags, s.Payload);
            if (!s.AckOnly) acks[k ^ 1] = unchecked(s.Seq + (uint)s.Payload.Length + (s.Syn ? 1u : 0u) + (s.Fin ? 1u : 0u));
            Feed(dissector, p, ref usec, store, set);
            var b = dissector.ReassemblyBudget;
            if (b.Used > b.Limit) throw new FuzzFinding($"budget holds {b.Used} bytes, limit {b.Limit}");
        }
        // Two new connections make the table (of two) forget both: every buffer must then be given back.
        Feed(dissector, Packet(false, 60000, 1, 0, 0x02, []), ref usec, store, set);
        Feed(dissector, Packet(false, 60001, 1, 0, 0x02, []), ref usec, store, set);
        if (dissector.ReassemblyBudget.Used != 0)
            throw new FuzzFinding($"budget holds {dissector.ReassemblyBudget.Used} bytes after every connection was forgotten");
    }

    private static void Feed(Dissector dissector, byte[] p, ref long usec, TlsFrameStore? store, FieldSet set)
    {
        usec += 1000;
        var frame = dissector.Dissect(new CapturedPacket(p, p.Length, LinkTypes.Ethernet, new Timestamp(1 + usec / 1_000_000, (int)(usec % 1_000_000) * 1000), 6, 0), false, null);
        foreach (var note in frame.Notes)
            if (note.Message.StartsWith("dissector bug", StringComparison.Ordinal)) throw new FuzzFinding(note.Message);
        if (store is not null) FrameFieldEmitter.Emit(frame, set, store);
    }

    /// <summary>An Ethernet/IPv4/TCP packet between 10.0.0.1:<paramref name="clientPort"/> and 10.0.0.2:443.</summary>
    internal static byte[] Packet(bool fromServer, ushort clientPort, uint seq, uint ack, byte flags, ReadOnlySpan<byte> payload)
    {
        var p = new byte[14 + 20 + 20 + payload.Length];
        var s = p.AsSpan();
        s[12] = 0x08;
        var ip = s[14..];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)Math.Min(65535, 40 + payload.Length));
        ip[8] = 64;
        ip[9] = 6;
        byte[] client = [10, 0, 0, 1], server = [10, 0, 0, 2];
        (fromServer ? server : client).CopyTo(ip[12..]);
        (fromServer ? client : server).CopyTo(ip[16..]);
        var tcp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, fromServer ? (ushort)443 : clientPort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], fromServer ? clientPort : (ushort)443);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], ack);
        tcp[12] = 0x50;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
        payload.CopyTo(tcp[20..]);
        return p;
    }
}
