namespace HttpsFlow.Tls.Registry;

/// <summary>
/// GREASE values (RFC 8701, "Applying Generate Random Extensions And Sustain Extensibility"): values a client sends
/// at random to keep servers tolerant of unknown ones. They mean nothing and are never negotiated.
/// </summary>
/// <remarks>
/// RFC 8701 Section 2 reserves, for cipher suites, supported groups, extensions, signature algorithms and versions,
/// the sixteen 16-bit values whose two bytes are equal and end in 0xA: 0x0A0A, 0x1A1A, ... 0xFAFA; the same two-byte
/// strings as ALPN identifiers; and, for PskKeyExchangeMode, the eight values 0x0B, 0x2A, 0x49, 0x68, 0x87, 0xA6,
/// 0xC5, 0xE4.
/// </remarks>
public static class Grease
{
    /// <summary>The name tshark gives a GREASE value where it names one: <c>Reserved (GREASE)</c>.</summary>
    public const string Name = "Reserved (GREASE)";

    /// <summary>True for 0x0A0A, 0x1A1A, 0x2A2A, ... 0xFAFA.</summary>
    public static bool IsGrease(ushort value) => (value & 0x0F0F) == 0x0A0A && (value >> 8) == (value & 0xFF);

    /// <summary>True for an ALPN identification sequence of two equal bytes ending in 0xA ({0x0A,0x0A} ... {0xFA,0xFA}).</summary>
    public static bool IsGrease(ReadOnlySpan<byte> alpnId) =>
        alpnId.Length == 2 && alpnId[0] == alpnId[1] && (alpnId[0] & 0x0F) == 0x0A;

    /// <summary>True for the PskKeyExchangeMode GREASE values 0x0B, 0x2A, 0x49, 0x68, 0x87, 0xA6, 0xC5, 0xE4 (0x0B + 0x1F·n).</summary>
    public static bool IsGreasePskKeyExchangeMode(byte value) => value >= 0x0B && (value - 0x0B) % 0x1F == 0;
}
