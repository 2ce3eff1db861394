namespace HttpsFlow.Pipeline;

/// <summary>
/// Bounds on the state one <see cref="Dissector"/> keeps, so that a hostile or simply enormous capture cannot grow
/// memory without end. The defaults are far above what real captures reach (so normal output is never affected) and
/// keep peak memory of a run in the low hundreds of megabytes; docs/robustness.md lists every limit.
/// </summary>
public sealed class DissectorLimits
{
    /// <summary>The defaults.</summary>
    public static DissectorLimits Default { get; } = new();

    /// <summary>
    /// Most TCP connections tracked at once (default 100,000). A half-open connection with its two directions and its
    /// table entry costs about 1 KB (measured: docs/robustness.md), so a full table of them holds ~100 MB. When a
    /// new connection arrives at a full table, the connection idle the longest is forgotten (with a note on the frame
    /// that caused it); if it speaks again it starts a new tcp.stream, as it would after a restart of tshark's
    /// analysis. Only under that pressure do stream numbers differ from tshark's.
    /// </summary>
    public int MaxTcpConversations { get; init; } = 100_000;

    /// <summary>
    /// Most bytes held, across all connections, by the buffers that wait for reassembly (default 64 MiB): each
    /// direction's TLS record being reassembled and handshake message being reassembled, charged at the size of the
    /// pooled arrays that hold them. Each of those is bounded per direction too (a record at 64 KiB, a message at
    /// 16 MiB), but not in number: without a total, 20,000 connections each leaving a 16 KiB record unfinished hold
    /// 640 MiB. When a buffer would grow past the total, the connection idle the longest that holds bytes gives them up
    /// (with a Warning note on the frame that needed the room) and resynchronises as after missing bytes; if no other
    /// connection holds any, the growth is refused and that record or message is not reassembled. 0 refuses every
    /// buffer (only records and messages wholly inside one segment are read). The default keeps the hostile captures
    /// of docs/robustness.md under 300 MB of peak memory (128 MiB did not: 303 MiB for `explain` on 20,000 half-sent
    /// records) and is far above what real captures hold at once (the samples: under 1 MiB).
    /// </summary>
    public long MaxReassemblyBytes { get; init; } = 64L * 1024 * 1024;

    internal void Validate()
    {
        if (MaxTcpConversations < 1) throw new ArgumentOutOfRangeException(nameof(MaxTcpConversations), "must be at least 1");
        if (MaxReassemblyBytes < 0) throw new ArgumentOutOfRangeException(nameof(MaxReassemblyBytes), "must not be negative");
    }
}
