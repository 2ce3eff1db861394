namespace HttpsFlow.X509;

/// <summary>
/// A run of bytes inside a certificate's DER (<see cref="Certificate.Der"/>), from its first byte: what a UI
/// highlights when a person points at a field. Ranges of structures cover the whole TLV (tag, length and contents).
/// </summary>
/// <param name="Offset">First byte, counted from the start of the certificate's DER.</param>
/// <param name="Length">Number of bytes.</param>
public readonly record struct ByteRange(int Offset, int Length)
{
    /// <summary>One past the last byte.</summary>
    public int End => Offset + Length;

    public bool IsEmpty => Length == 0;

    /// <summary>Whether <paramref name="offset"/> falls inside the range.</summary>
    public bool Contains(int offset) => offset >= Offset && offset < End;

    /// <summary>These bytes of <paramref name="der"/>; empty when the range lies outside it.</summary>
    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> der) =>
        Offset >= 0 && Length >= 0 && End <= der.Length ? der.Slice(Offset, Length) : default;

    public override string ToString() => $"{Offset}..{End}";
}
