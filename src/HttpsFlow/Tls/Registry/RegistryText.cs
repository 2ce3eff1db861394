namespace HttpsFlow.Tls.Registry;

/// <summary>How tshark writes a field's number after its name.</summary>
public enum NumberBase
{
    /// <summary><c>Handshake Failure (40)</c>: tshark's BASE_DEC.</summary>
    Decimal,

    /// <summary><c>x25519 (0x001d)</c>: tshark's BASE_HEX, four lower-case digits for a 16-bit field.</summary>
    Hex,
}

/// <summary>The text tshark prints for a value with a value table: its name, or "Unknown", then the number.</summary>
public static class RegistryText
{
    /// <summary>The word tshark prints for a value its table does not name.</summary>
    public const string Unknown = "Unknown";

    /// <summary>
    /// <c>name (0x1a2b)</c> or <c>name (6699)</c>; <paramref name="name"/> null gives <c>Unknown (…)</c>, as tshark
    /// prints a value missing from its table.
    /// </summary>
    public static string Describe(string? name, ushort value, NumberBase numberBase) =>
        numberBase == NumberBase.Hex
            ? $"{name ?? Unknown} (0x{value:x4})"
            : $"{name ?? Unknown} ({value})";
}
