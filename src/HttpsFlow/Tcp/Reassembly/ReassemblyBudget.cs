namespace HttpsFlow.Tcp.Reassembly;

/// <summary>
/// One total for every buffer that holds bytes waiting for reassembly, across all the connections of one run: the
/// TLS record being reassembled (<see cref="Tls.Records.TlsRecordParser"/>), the handshake message being reassembled
/// (<see cref="Tls.Records.HandshakeReassembler"/>) and out-of-order pages (<see cref="StreamReassembler"/>, when its
/// <see cref="ReassemblyLimits.Budget"/> is set). Each structure charges the size of the array it is about to rent
/// before renting it and releases it when the array goes back to the pool, so <see cref="Used"/> is what is held.
/// </summary>
/// <remarks>
/// When a charge does not fit, the budget first asks its <see cref="Reclaimer"/> (the TLS layer: it makes the
/// connection idle the longest give up what it holds) and then, if there is still no room, refuses: the structure
/// gives up the record or message it was reassembling, as it would after missing bytes. The hot path is one
/// comparison and one addition. Not thread-safe (one per <see cref="Pipeline.Dissector"/>).
/// </remarks>
public sealed class ReassemblyBudget
{
    /// <param name="limit">The most bytes held at once (values below 0 are taken as 0).</param>
    public ReassemblyBudget(long limit) => Limit = Math.Max(0, limit);

    /// <summary>The most bytes held at once.</summary>
    public long Limit { get; }

    /// <summary>Bytes charged and not yet released.</summary>
    public long Used { get; private set; }

    /// <summary>The highest <see cref="Used"/> has been.</summary>
    public long Peak { get; private set; }

    /// <summary>Charges that did not fit even after reclaiming.</summary>
    public long Refusals { get; private set; }

    /// <summary>
    /// Asked to free at least the given number of bytes held by others when a charge does not fit; returns false when
    /// there is nothing it can free. Set by the TLS layer of a <see cref="Pipeline.Dissector"/>.
    /// </summary>
    public Func<long, bool>? Reclaimer { get; set; }

    /// <summary>Charges <paramref name="bytes"/>; false (nothing charged) when they do not fit.</summary>
    public bool TryCharge(long bytes)
    {
        if (bytes <= Limit - Used)
        {
            Used += bytes;
            if (Used > Peak) Peak = Used;
            return true;
        }
        return ChargeAfterReclaim(bytes);
    }

    /// <summary>Gives back bytes charged earlier.</summary>
    public void Release(long bytes)
    {
        Used -= bytes;
        if (Used < 0) Used = 0; // never: every release matches a charge
    }

    private bool ChargeAfterReclaim(long bytes)
    {
        if (bytes <= Limit && Reclaimer is { } reclaim)
        {
            // Each round frees one holder; stop when there is room or nothing more to free.
            while (bytes > Limit - Used && reclaim(bytes - (Limit - Used))) { }
            if (bytes <= Limit - Used)
            {
                Used += bytes;
                if (Used > Peak) Peak = Used;
                return true;
            }
        }
        Refusals++;
        return false;
    }
}
