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

    internal void Validate()
    {
        if (MaxTcpConversations < 1) throw new ArgumentOutOfRangeException(nameof(MaxTcpConversations), "must be at least 1");
    }
}
