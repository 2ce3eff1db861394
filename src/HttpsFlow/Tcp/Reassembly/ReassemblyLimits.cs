using System.Buffers;
using System.Numerics;

namespace HttpsFlow.Tcp.Reassembly;

/// <summary>
/// The memory a <see cref="StreamReassembler"/> may hold for one direction of one connection. Every bound is enforced;
/// values out of range are clamped (never rejected), so a limits record can never make a reassembler throw.
/// </summary>
public sealed record ReassemblyLimits
{
    /// <summary>The limits used when none are given: 4 MiB of out-of-order data in 16 KiB pages.</summary>
    public static ReassemblyLimits Default { get; } = new();

    /// <summary>
    /// Memory held for out-of-order data (bytes that arrived beyond a hole), counted in whole pages because pages are
    /// what is held: at most this many bytes of pages. When a segment would need more, the oldest hole is given up
    /// (reported as a gap) and delivery goes on from the data after it. 4 MiB by default; 0 disables buffering (every
    /// hole becomes a gap at once).
    /// </summary>
    public long MaxBufferedBytesPerDirection { get; init; } = 4L * 1024 * 1024;

    /// <summary>Size of the pooled pages that hold out-of-order data: a power of two from 256 bytes to 1 MiB (rounded up). 16 KiB by default.</summary>
    public int PageSize { get; init; } = 16 * 1024;

    /// <summary>
    /// Most separate out-of-order pieces held (one per segment, or per part of a segment between pieces already held),
    /// so that a flood of tiny segments cannot make the bookkeeping large while the page memory stays small. 4,096 by default.
    /// </summary>
    public int MaxBufferedSegments { get; init; } = 4096;

    /// <summary>
    /// Most recently delivered bytes kept to compare retransmissions with (the "different bytes" check for data
    /// already delivered): a power of two (rounded down), up to 64 MiB; 0 turns the check off for delivered data and
    /// with it the copy of delivered bytes. The copy grows with the stream, so a short connection keeps only what it
    /// sent. 64 KiB by default.
    /// </summary>
    public int RetainedDeliveredBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Most provenance records (stream offset, length, frame) kept for delivered bytes the consumer has not released:
    /// a power of two (rounded up), from 16 to 16 Mi. When full, the oldest record is dropped, as if released. 8,192 by default.
    /// </summary>
    public int MaxSegmentRecords { get; init; } = 8192;

    /// <summary>
    /// A total shared with other reassemblers (and the TLS layer's buffers) that out-of-order pages are charged to;
    /// null (the default): only the per-direction bound applies. When the budget has no room for a segment's pages, the
    /// oldest hole is given up as when <see cref="MaxBufferedBytesPerDirection"/> is reached, with its own note. The
    /// retained-bytes ring (<see cref="RetainedDeliveredBytes"/>) is not charged: it holds delivered bytes, not bytes
    /// waiting.
    /// </summary>
    public ReassemblyBudget? Budget { get; init; }

    /// <summary>Where pages and the retained-bytes ring are rented; <see cref="ArrayPool{T}.Shared"/> when null.</summary>
    public ArrayPool<byte>? Pool { get; init; }

    internal int PageShift => BitOperations.Log2((uint)EffectivePageSize);

    internal int EffectivePageSize => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(PageSize, 256, 1 << 20));

    internal int MaxPages => (int)Math.Clamp(Math.Max(MaxBufferedBytesPerDirection, 0) / EffectivePageSize, 0, 1 << 24);

    internal int EffectiveMaxSegments => Math.Clamp(MaxBufferedSegments, 1, 1 << 20);

    internal int EffectiveRetained =>
        RetainedDeliveredBytes <= 0 ? 0 : 1 << BitOperations.Log2((uint)Math.Min(RetainedDeliveredBytes, 1 << 26));

    internal int EffectiveSegmentRecords => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(MaxSegmentRecords, 16, 1 << 24));
}
