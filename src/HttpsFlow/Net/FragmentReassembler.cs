using System.Buffers;

namespace HttpsFlow.Net;

/// <summary>
/// Reassembles fragmented IP datagrams (RFC 791 §3.2 for IPv4, RFC 8200 §4.5 for IPv6), as Wireshark does by
/// default: fragments are kept until the one that completes the datagram arrives, and that frame carries the
/// reassembled payload. Memory is bounded: at most <see cref="MaxDatagrams"/> datagrams in progress, each at most
/// 64 KiB for IPv4 (a datagram cannot be larger) and <see cref="MaxDatagramBytes"/> in all; the oldest in-progress
/// datagram is dropped when a limit is hit.
/// </summary>
public sealed class FragmentReassembler
{
    public int MaxDatagrams { get; init; } = 1024;
    public long MaxTotalBytes { get; init; } = 64L * 1024 * 1024;
    public const int MaxDatagramBytes = 1 << 20; // IPv6 jumbo fragments are not allowed; 1 MiB covers 65535 + slack

    private readonly Dictionary<Key, Pending> _pending = new();
    private readonly LinkedList<Key> _age = new();
    private long _totalBytes;
    private byte[] _result = new byte[1 << 16];

    private readonly record struct Key(IpAddress Src, IpAddress Dst, uint Id, byte Protocol);

    private sealed class Pending
    {
        public byte[] Buffer = null!;
        public int Capacity;
        public int TotalLength = -1;   // known once the last fragment is seen
        public readonly List<(int Start, int End)> Ranges = new();
        public LinkedListNode<Key> AgeNode = null!;
        public long FirstFrame;
    }

    /// <summary>Number of datagrams in progress (for tests and limits).</summary>
    public int PendingCount => _pending.Count;

    /// <summary>
    /// Adds a fragment. Returns true when this fragment completes its datagram; <paramref name="datagram"/> is then the
    /// reassembled payload (above the IP header), valid until the next call. Fragments with impossible offsets are ignored.
    /// </summary>
    public bool Add(IpAddress src, IpAddress dst, uint id, byte protocol, int offset, bool moreFragments,
        ReadOnlySpan<byte> payload, long frameNumber, out ReadOnlySpan<byte> datagram, out long firstFrame)
    {
        datagram = default;
        firstFrame = 0;
        int end = offset + payload.Length;
        if (offset < 0 || end > MaxDatagramBytes) return false;
        var key = new Key(src, dst, id, protocol);
        if (!_pending.TryGetValue(key, out var p))
        {
            while (_pending.Count >= MaxDatagrams || (_totalBytes > MaxTotalBytes && _age.First is not null))
                Evict(_age.First!.Value);
            p = new Pending { FirstFrame = frameNumber };
            p.Capacity = Math.Max(end, 2048);
            p.Buffer = ArrayPool<byte>.Shared.Rent(p.Capacity);
            _totalBytes += p.Buffer.Length;
            p.AgeNode = _age.AddLast(key);
            _pending[key] = p;
        }
        if (end > p.Buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(end, p.Buffer.Length * 2));
            Array.Copy(p.Buffer, bigger, p.Buffer.Length);
            _totalBytes += bigger.Length - p.Buffer.Length;
            ArrayPool<byte>.Shared.Return(p.Buffer);
            p.Buffer = bigger;
        }
        payload.CopyTo(p.Buffer.AsSpan(offset));
        AddRange(p.Ranges, offset, end);
        if (!moreFragments) p.TotalLength = end;

        if (p.TotalLength >= 0 && p.Ranges.Count == 1 && p.Ranges[0].Start == 0 && p.Ranges[0].End >= p.TotalLength)
        {
            if (_result.Length < p.TotalLength) _result = new byte[Math.Max(p.TotalLength, _result.Length * 2)];
            p.Buffer.AsSpan(0, p.TotalLength).CopyTo(_result);
            datagram = _result.AsSpan(0, p.TotalLength);
            firstFrame = p.FirstFrame;
            Evict(key);
            return true;
        }
        return false;
    }

    private static void AddRange(List<(int Start, int End)> ranges, int start, int end)
    {
        // Keep ranges sorted and merged; a list of a few entries, so linear work is fine.
        int i = 0;
        while (i < ranges.Count && ranges[i].End < start) i++;
        int s = start, e = end;
        while (i < ranges.Count && ranges[i].Start <= end)
        {
            s = Math.Min(s, ranges[i].Start);
            e = Math.Max(e, ranges[i].End);
            ranges.RemoveAt(i);
        }
        ranges.Insert(i, (s, e));
    }

    private void Evict(Key key)
    {
        if (!_pending.Remove(key, out var p)) return;
        _age.Remove(p.AgeNode);
        _totalBytes -= p.Buffer.Length;
        ArrayPool<byte>.Shared.Return(p.Buffer);
    }
}
