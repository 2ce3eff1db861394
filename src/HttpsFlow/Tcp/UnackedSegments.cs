using System.Runtime.CompilerServices;
using HttpsFlow.Common;

namespace HttpsFlow.Tcp;

/// <summary>A segment not yet acknowledged: for ACK round-trip times and bytes in flight.</summary>
internal readonly record struct UnackedSegment(long Frame, uint Seq, uint NextSeq, Timestamp Time);

/// <summary>
/// The segments one direction has sent and the other has not yet acknowledged, oldest first.
/// </summary>
/// <remarks>
/// An ACK removes every segment it covers and trims one it covers in part. Segments almost always arrive in
/// sequence order; while they do (<see cref="_ordered"/>), the covered ones are a prefix and the span in flight is
/// first-to-last, so an ACK costs time in proportion to what it acknowledges, not to the window. A retransmission
/// out of order switches to a full scan (the same answer, computed the slow way) until the list empties.
/// </remarks>
internal sealed class UnackedSegments
{
    // Allocated with the first segment: most connections of a scan or a SYN flood never send data.
    private UnackedSegment[] _items = [];
    private int _head;
    private int _count;
    private bool _ordered = true;

    public int Count => _count;

    /// <summary>Empties the list and gives its storage back.</summary>
    public void Release()
    {
        _items = [];
        _head = _count = 0;
        _ordered = true;
    }

    private ref UnackedSegment At(int i) => ref _items[(_head + i) & (_items.Length - 1)];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(UnackedSegment s)
    {
        if (_count == _items.Length)
        {
            var bigger = new UnackedSegment[Math.Max(4, _items.Length * 2)];
            for (int i = 0; i < _count; i++) bigger[i] = At(i);
            _items = bigger;
            _head = 0;
        }
        if (_count > 0)
        {
            ref var last = ref At(_count - 1);
            if (TcpSeq.Lt(s.Seq, last.NextSeq) || TcpSeq.Lt(s.NextSeq, last.NextSeq)) _ordered = false;
        }
        _items[(_head + _count) & (_items.Length - 1)] = s;
        _count++;
    }

    /// <summary>
    /// Applies a cumulative acknowledgment. Returns true with the segment whose end it matches exactly (the oldest such
    /// segment, as Wireshark's newest-to-oldest walk leaves it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Acknowledge(uint ack, out UnackedSegment acked)
    {
        acked = default;
        bool found = false;
        if (_ordered)
        {
            // Covered segments form a prefix: drop them, remembering an exact match.
            while (_count > 0)
            {
                ref var s = ref At(0);
                if (ack == s.NextSeq)
                {
                    if (!found) { acked = s; found = true; }
                }
                else if (TcpSeq.Gt(ack, s.Seq) && TcpSeq.Le(ack, s.NextSeq))
                {
                    s = s with { Seq = ack };
                    break;
                }
                else if (TcpSeq.Gt(s.NextSeq, ack))
                {
                    break;
                }
                _head = (_head + 1) & (_items.Length - 1);
                _count--;
            }
            // A later segment overlapping the trimmed one is trimmed too (ordered segments may overlap by retransmission).
            for (int i = 1; i < _count; i++)
            {
                ref var s = ref At(i);
                if (!TcpSeq.Gt(ack, s.Seq)) break;
                if (TcpSeq.Le(ack, s.NextSeq)) s = s with { Seq = ack };
            }
            return found;
        }

        // Any order: walk newest to oldest as Wireshark does (so the oldest exact match wins), compacting in place the
        // segments the ACK does not cover, in their original order.
        int write = 0;
        for (int i = 0; i < _count; i++)
        {
            var u = At(i);
            if (ack == u.NextSeq)
            {
                if (!found) { acked = u; found = true; } // the oldest, as the newest-to-oldest walk leaves it
                continue;
            }
            if (TcpSeq.Gt(ack, u.Seq) && TcpSeq.Le(ack, u.NextSeq)) u = u with { Seq = ack };
            else if (!TcpSeq.Gt(u.NextSeq, ack)) continue; // wholly covered
            At(write++) = u;
        }
        _count = write;
        if (_count == 0) { _head = 0; _ordered = true; }
        return found;
    }

    /// <summary>
    /// Highest end minus lowest start of the unacknowledged segments, on numbers relative to <paramref name="baseSeq"/>
    /// compared unsigned, as Wireshark does.
    /// </summary>
    public uint Span(uint baseSeq)
    {
        if (_ordered) return (At(_count - 1).NextSeq - baseSeq) - (At(0).Seq - baseSeq);
        uint first = At(0).Seq - baseSeq, last = At(0).NextSeq - baseSeq;
        for (int i = 1; i < _count; i++)
        {
            ref var u = ref At(i);
            if (u.NextSeq - baseSeq > last) last = u.NextSeq - baseSeq;
            if (u.Seq - baseSeq < first) first = u.Seq - baseSeq;
        }
        return last - first;
    }
}
