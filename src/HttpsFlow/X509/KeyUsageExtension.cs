using System.Formats.Asn1;

namespace HttpsFlow.X509;

/// <summary>The bits of keyUsage; bit n of the BIT STRING is <c>1 &lt;&lt; n</c> here.</summary>
[Flags]
public enum KeyUsageFlags : ushort
{
    None = 0,
    DigitalSignature = 1 << 0,
    /// <summary>Once called nonRepudiation.</summary>
    ContentCommitment = 1 << 1,
    KeyEncipherment = 1 << 2,
    DataEncipherment = 1 << 3,
    KeyAgreement = 1 << 4,
    KeyCertSign = 1 << 5,
    CrlSign = 1 << 6,
    EncipherOnly = 1 << 7,
    DecipherOnly = 1 << 8,
}

/// <summary>
/// keyUsage (RFC 5280 §4.2.1.3):
/// <code>
/// KeyUsage ::= BIT STRING {
///      digitalSignature        (0),
///      contentCommitment       (1),  -- formerly nonRepudiation
///      keyEncipherment         (2),
///      dataEncipherment        (3),
///      keyAgreement            (4),
///      keyCertSign             (5),
///      cRLSign                 (6),
///      encipherOnly            (7),
///      decipherOnly            (8) }
/// </code>
/// </summary>
public sealed class KeyUsageExtension : ParsedExtension
{
    /// <summary>The bit names as tshark shows them, by bit number.</summary>
    public static readonly IReadOnlyList<string> BitNames =
    [
        "digitalSignature", "contentCommitment", "keyEncipherment", "dataEncipherment", "keyAgreement",
        "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly",
    ];

    internal KeyUsageExtension(KeyUsageFlags flags, byte[] bits, int unusedBits)
    {
        Flags = flags;
        Bits = bits;
        UnusedBits = unusedBits;
    }

    public KeyUsageFlags Flags { get; }

    /// <summary>The BIT STRING's bytes as encoded.</summary>
    public ReadOnlyMemory<byte> Bits { get; }

    public int UnusedBits { get; }

    public bool Has(KeyUsageFlags flag) => (Flags & flag) == flag;

    /// <summary>Names of the bits that are set, in bit order (<c>digitalSignature</c>, <c>keyCertSign</c>, …).</summary>
    public IReadOnlyList<string> Names => [.. Enumerable.Range(0, BitNames.Count).Where(i => ((int)Flags & 1 << i) != 0).Select(i => BitNames[i])];

    public override string ToString() => string.Join(", ", Names);

    internal static ParsedExtension? Parse(ref ValueReader r)
    {
        if (!r.Read("KeyUsage", Asn1Tag.PrimitiveBitString, out var tlv) || !r.BitString("KeyUsage", tlv, out var bits, out int unused)) return null;
        if (!r.ExpectEnd("KeyUsage")) return null;
        int flags = 0;
        for (int i = 0; i < bits.Length * 8 - unused; i++)
            if ((bits[i / 8] & 0x80 >> (i % 8)) != 0)
                flags |= 1 << i;
        return new KeyUsageExtension((KeyUsageFlags)(flags & 0x1ff), bits, unused);
    }
}
