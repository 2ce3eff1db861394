namespace HttpsFlow.Http.Http2;

/// <summary>
/// HPACK's dynamic table (RFC 7541 §2.3.2, §4): entries newest first, sized as name + value + 32 octets each, the
/// oldest evicted when an insertion or a smaller maximum needs room.
/// </summary>
/// <remarks>
/// Entry bytes live in one array, oldest to newest, each entry's name then value. Eviction only moves the start;
/// when an insertion does not fit at the end, the live bytes move back to the beginning. The array is twice the
/// maximum size, so that move happens at most once per maximum-size worth of insertions, and nothing is allocated
/// per entry. Memory is bounded by the largest maximum size ever set (the decoder refuses sizes above
/// <see cref="HpackLimits.MaxTableSize"/>): at most 2 × that in bytes, plus one small record per 32 octets.
/// </remarks>
public sealed class HpackDynamicTable
{
    /// <summary>The per-entry overhead RFC 7541 §4.1 adds to the name and value lengths.</summary>
    public const int EntryOverhead = 32;

    private struct Entry
    {
        public int Offset;
        public int NameLength;
        public int ValueLength;
    }

    private byte[] _bytes = [];
    private Entry[] _entries = [];
    private int _oldest; // ring index of the oldest entry
    private int _count;
    private int _dataStart, _dataEnd;

    public HpackDynamicTable(int maxSize = 4096) => MaxSize = maxSize;

    /// <summary>The current maximum size (the last dynamic table size update, or the initial 4,096).</summary>
    public int MaxSize { get; private set; }

    /// <summary>The sum of the entries' sizes (name + value + 32 each).</summary>
    public int Size { get; private set; }

    /// <summary>The number of entries.</summary>
    public int Count => _count;

    /// <summary>Bytes held for entries (the array, not the entries' size): for checking the memory bound.</summary>
    public int AllocatedBytes => _bytes.Length + _entries.Length * 12;

    /// <summary>The name of dynamic entry <paramref name="index"/>: 1 is the newest (HPACK index 62).</summary>
    public ReadOnlySpan<byte> Name(int index)
    {
        ref readonly var e = ref At(index);
        return _bytes.AsSpan(e.Offset, e.NameLength);
    }

    /// <summary>The value of dynamic entry <paramref name="index"/>: 1 is the newest (HPACK index 62).</summary>
    public ReadOnlySpan<byte> Value(int index)
    {
        ref readonly var e = ref At(index);
        return _bytes.AsSpan(e.Offset + e.NameLength, e.ValueLength);
    }

    private ref readonly Entry At(int index)
    {
        if ((uint)(index - 1) >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
        return ref _entries[(_oldest + _count - index) & (_entries.Length - 1)];
    }

    /// <summary>Sets the maximum size, evicting the oldest entries until the table fits (RFC 7541 §4.3).</summary>
    public void SetMaxSize(int maxSize)
    {
        MaxSize = Math.Max(0, maxSize);
        while (Size > MaxSize) EvictOldest();
    }

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        _count = 0;
        _oldest = 0;
        _dataStart = _dataEnd = 0;
        Size = 0;
    }

    /// <summary>
    /// Inserts an entry as the newest (RFC 7541 §4.4): the oldest are evicted until it fits; an entry larger than
    /// the maximum size empties the table and is not inserted. <paramref name="name"/> and <paramref name="value"/>
    /// must not point into this table (an entry being evicted could be one of them).
    /// </summary>
    public void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        long size = (long)name.Length + value.Length + EntryOverhead;
        if (size > MaxSize)
        {
            Clear();
            return;
        }
        while (Size + size > MaxSize) EvictOldest();

        int need = name.Length + value.Length;
        if (_bytes.Length - _dataEnd < need) MakeRoom(need);
        int offset = _dataEnd;
        name.CopyTo(_bytes.AsSpan(offset));
        value.CopyTo(_bytes.AsSpan(offset + name.Length));
        _dataEnd += need;

        if (_count == _entries.Length)
        {
            var larger = new Entry[Math.Max(16, _entries.Length * 2)];
            for (int i = 0; i < _count; i++) larger[i] = _entries[(_oldest + i) & (_entries.Length - 1)];
            _entries = larger;
            _oldest = 0;
        }
        _entries[(_oldest + _count) & (_entries.Length - 1)] = new Entry { Offset = offset, NameLength = name.Length, ValueLength = value.Length };
        _count++;
        Size += (int)size;
    }

    private void EvictOldest()
    {
        ref var e = ref _entries[_oldest];
        Size -= e.NameLength + e.ValueLength + EntryOverhead;
        _dataStart = e.Offset + e.NameLength + e.ValueLength;
        _oldest = (_oldest + 1) & (_entries.Length - 1);
        if (--_count == 0)
        {
            _oldest = 0;
            _dataStart = _dataEnd = 0;
        }
    }

    // Moves the live bytes to the start of the array (a larger one when the maximum size needs it).
    private void MakeRoom(int need)
    {
        int live = _dataEnd - _dataStart;
        byte[] target = _bytes;
        int wanted = Math.Max(2 * MaxSize, live + need);
        if (_bytes.Length < wanted) target = new byte[wanted];
        if (live > 0) Buffer.BlockCopy(_bytes, _dataStart, target, 0, live);
        for (int i = 0; i < _count; i++) _entries[(_oldest + i) & (_entries.Length - 1)].Offset -= _dataStart;
        _bytes = target;
        _dataEnd = live;
        _dataStart = 0;
    }
}
