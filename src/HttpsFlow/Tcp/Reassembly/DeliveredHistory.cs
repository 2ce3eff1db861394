using System.Buffers;

namespace HttpsFlow.Tcp.Reassembly;

/// <summary>
/// The most recently delivered bytes of a stream, in a ring indexed by stream offset, kept only to compare
/// retransmissions of delivered data with what was delivered. The ring starts small and doubles with the stream up to
/// its limit, so short connections hold little; after a gap only the bytes delivered since are valid.
/// </summary>
internal sealed class DeliveredHistory
{
    private readonly ArrayPool<byte> _pool;
    private readonly int _max;     // a power of two, or 0: keep nothing
    private byte[]? _ring;
    private int _size;             // a power of two: the part of _ring in use
    private ulong _validFrom;      // the first offset delivered after the last gap
    private ulong _end;            // just past the last byte delivered

    public DeliveredHistory(ArrayPool<byte> pool, int max)
    {
        _pool = pool;
        _max = max;
    }

    private ulong Low => Math.Max(_validFrom, _end > (ulong)_size ? _end - (ulong)_size : 0);

    /// <summary>Records bytes delivered at <paramref name="offset"/> (the offset just past the previous ones, or a new start after a gap).</summary>
    public void Append(ulong offset, ReadOnlySpan<byte> data)
    {
        if (_max == 0 || data.IsEmpty) return;
        if (offset != _end)
        {
            _validFrom = offset;
            _end = offset;
        }
        ulong wanted = offset + (ulong)data.Length - _validFrom;
        if (wanted > (ulong)_size && _size < _max) Grow(wanted);
        if (data.Length > _size)
        {
            ulong skip = (ulong)(data.Length - _size);
            offset += skip;
            data = data[(int)skip..];
        }
        int at = (int)(offset & (ulong)(_size - 1));
        int first = Math.Min(data.Length, _size - at);
        data[..first].CopyTo(_ring.AsSpan(at));
        data[first..].CopyTo(_ring.AsSpan(0));
        _end = offset + (ulong)data.Length;
    }

    /// <summary>Bytes were skipped up to <paramref name="offset"/>: what came before no longer joins what comes next.</summary>
    public void Gap(ulong offset)
    {
        _validFrom = offset;
        _end = offset;
    }

    private void Grow(ulong wanted)
    {
        int size = (int)Math.Min((ulong)_max, Math.Max(Math.Max(1024UL, (ulong)_size * 2), System.Numerics.BitOperations.RoundUpToPowerOf2(wanted)));
        var ring = _pool.Rent(size);
        if (_ring is not null)
        {
            for (ulong o = Low; o < _end; o++)
                ring[(int)(o & (ulong)(size - 1))] = _ring[(int)(o & (ulong)(_size - 1))];
            _pool.Return(_ring);
        }
        _ring = ring;
        _size = size;
    }

    /// <summary>True when <paramref name="data"/>, placed at <paramref name="offset"/>, disagrees with a retained delivered byte.</summary>
    public bool Differs(ulong offset, ReadOnlySpan<byte> data)
    {
        if (_ring is null || data.IsEmpty) return false;
        ulong from = Math.Max(offset, Low), to = Math.Min(offset + (ulong)data.Length, _end);
        while (from < to)
        {
            int at = (int)(from & (ulong)(_size - 1));
            int n = (int)Math.Min(to - from, (ulong)(_size - at));
            if (!data.Slice((int)(from - offset), n).SequenceEqual(_ring.AsSpan(at, n))) return true;
            from += (ulong)n;
        }
        return false;
    }

    /// <summary>Returns the ring to the pool; nothing is retained afterwards.</summary>
    public void Release()
    {
        if (_ring is not null) _pool.Return(_ring);
        _ring = null;
        _size = 0;
        _validFrom = _end;
    }
}
