namespace HttpsFlow.Common;

/// <summary>
/// A capture timestamp: whole seconds since the Unix epoch and nanoseconds within that second.
/// Kept as two integers (not a double, not a DateTime) so that nanosecond captures keep every digit
/// and hostile timestamps (far past, far future) can neither overflow nor throw.
/// </summary>
public readonly record struct Timestamp(long Seconds, int Nanoseconds) : IComparable<Timestamp>
{
    public const int NanosPerSecond = 1_000_000_000;

    public static Timestamp FromNanoseconds(long seconds, long nanoseconds)
    {
        long carry = Math.DivRem(nanoseconds, NanosPerSecond, out long rem);
        if (rem < 0) { rem += NanosPerSecond; carry--; }
        return new Timestamp(unchecked(seconds + carry), (int)rem);
    }

    /// <summary>this − other, as a signed duration.</summary>
    /// <summary>The instant as a <see cref="DateTimeOffset"/> (UTC, to the tick).</summary>
    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(Seconds, -62135596800L, 253402300799L)).AddTicks(Nanoseconds / 100);

    public Duration Subtract(Timestamp other) =>
        Duration.From(unchecked(Seconds - other.Seconds), Nanoseconds - other.Nanoseconds);

    public int CompareTo(Timestamp other)
    {
        int c = Seconds.CompareTo(other.Seconds);
        return c != 0 ? c : Nanoseconds.CompareTo(other.Nanoseconds);
    }

    public static bool operator <(Timestamp a, Timestamp b) => a.CompareTo(b) < 0;
    public static bool operator >(Timestamp a, Timestamp b) => a.CompareTo(b) > 0;
    public static bool operator <=(Timestamp a, Timestamp b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Timestamp a, Timestamp b) => a.CompareTo(b) >= 0;
}

/// <summary>A signed span of time, normalised so that <see cref="Nanoseconds"/> has the sign of the whole
/// (as Wireshark's nstime does): -0.5 s is (0, -500000000).</summary>
public readonly record struct Duration(long Seconds, int Nanoseconds)
{
    public static Duration From(long seconds, long nanoseconds)
    {
        long carry = Math.DivRem(nanoseconds, Timestamp.NanosPerSecond, out long rem);
        seconds = unchecked(seconds + carry);
        if (seconds > 0 && rem < 0) { seconds--; rem += Timestamp.NanosPerSecond; }
        else if (seconds < 0 && rem > 0) { seconds++; rem -= Timestamp.NanosPerSecond; }
        return new Duration(seconds, (int)rem);
    }

    public bool IsNegative => Seconds < 0 || Nanoseconds < 0;

    public double TotalSeconds => Seconds + Nanoseconds / 1e9;
}
