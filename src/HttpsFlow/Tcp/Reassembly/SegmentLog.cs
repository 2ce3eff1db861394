namespace HttpsFlow.Tcp.Reassembly;

/// <summary>
/// Provenance of delivered bytes: a ring of (stream offset, length, frame) records in stream order, from
/// <see cref="Floor"/> up to what has been delivered. Records are added at delivery and removed when the consumer
/// releases the bytes, or, oldest first, when the ring is full.
/// </summary>
internal sealed class SegmentLog
{
    private StreamSegment[] _items = [];
    private int _head;
    private int _count;
    private readonly int _max; // a power of two

    public SegmentLog(int max) => _max = max;

    public int Count => _count;

    /// <summary>Provenance is known for offsets from here on (lower ones were released or dropped).</summary>
    public ulong Floor { get; private set; }

    public StreamSegment At(int i) => _items[(_head + i) & (_items.Length - 1)];

    private ref StreamSegment Slot(int i) => ref _items[(_head + i) & (_items.Length - 1)];

    /// <summary>Records bytes [offset, offset + length) as carried by <paramref name="frame"/>; offsets only grow.</summary>
    public void Append(ulong offset, int length, long frame)
    {
        if (length <= 0) return;
        if (_count > 0)
        {
            ref var last = ref Slot(_count - 1);
            // The same frame continuing its own bytes (a segment delivered in parts) stays one record.
            if (last.Frame == frame && last.End == offset && (long)last.Length + length <= int.MaxValue)
            {
                last = last with { Length = last.Length + length };
                return;
            }
        }
        if (_count == _items.Length)
        {
            if (_items.Length < _max) Grow();
            else
            {
                Floor = Slot(0).End;
                _head = (_head + 1) & (_items.Length - 1);
                _count--;
            }
        }
        Slot(_count) = new StreamSegment(offset, length, frame);
        _count++;
    }

    private void Grow()
    {
        var bigger = new StreamSegment[Math.Max(16, _items.Length * 2)];
        for (int i = 0; i < _count; i++) bigger[i] = At(i);
        _items = bigger;
        _head = 0;
    }

    /// <summary>Forgets the provenance of offsets below <paramref name="upTo"/>.</summary>
    public void Release(ulong upTo)
    {
        if (upTo <= Floor) return;
        Floor = upTo;
        while (_count > 0)
        {
            ref var first = ref Slot(0);
            if (first.End <= upTo)
            {
                _head = (_head + 1) & (_items.Length - 1);
                _count--;
                continue;
            }
            if (first.StreamOffset < upTo)
                first = new StreamSegment(upTo, (int)(first.End - upTo), first.Frame);
            break;
        }
    }

    /// <summary>Index of the first record that ends after <paramref name="offset"/> (<see cref="Count"/> if none).</summary>
    public int FirstEndingAfter(ulong offset)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (At(mid).End > offset) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    public void Clear()
    {
        _items = [];
        _head = 0;
        _count = 0;
    }
}
