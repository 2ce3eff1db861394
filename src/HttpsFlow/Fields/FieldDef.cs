namespace HttpsFlow.Fields;

/// <summary>Wireshark's field types (ftypes), as far as HttpsFlow's fields use them.</summary>
public enum FieldType : byte
{
    /// <summary>Presence only (FT_NONE): tshark's fields output prints "1".</summary>
    None,
    /// <summary>A protocol or option item (FT_PROTOCOL): its summary text, or its bytes in hex when it has none.</summary>
    Protocol,
    Boolean,
    UInt8,
    UInt16,
    UInt24,
    UInt32,
    UInt64,
    Int32,
    FrameNumber,
    /// <summary>Seconds and nanoseconds, printed with nine decimals.</summary>
    RelativeTime,
    /// <summary>A calendar time, printed as "Nov 29, 2026 16:20:05.429581925 UTC".</summary>
    AbsoluteTime,
    String,
    Bytes,
    Ether,
    IPv4,
    IPv6,
    /// <summary>An object identifier (FT_OID), printed dotted.</summary>
    Oid,
}

/// <summary>How an integer field is shown (Wireshark's BASE_*).</summary>
public enum FieldBase : byte { None, Dec, Hex, DecHex, HexDec, Custom }

/// <summary>
/// One field of HttpsFlow's public vocabulary, named as Wireshark names it (<c>tcp.seq</c>). The registry
/// (<see cref="FieldRegistry"/>) holds every field once; `fields`, and later `show`, `json` and display filters,
/// know fields only through it.
/// </summary>
public sealed class FieldDef
{
    internal FieldDef(string name, string label, FieldType type, FieldBase display = FieldBase.None, ulong bitmask = 0, string? description = null)
    {
        Name = name;
        Label = label;
        Type = type;
        Base = display;
        Bitmask = bitmask;
        Description = description;
    }

    /// <summary>The filter name, e.g. "tcp.window_size".</summary>
    public string Name { get; }

    /// <summary>What a person reads in the detail tree, e.g. "Calculated window size".</summary>
    public string Label { get; }

    public FieldType Type { get; }

    public FieldBase Base { get; }

    /// <summary>The bits of the containing integer the field occupies (0 when it is the whole integer).</summary>
    public ulong Bitmask { get; }

    public string? Description { get; }

    /// <summary>Index in the registry, for compact per-frame storage.</summary>
    public int Id { get; internal set; }

    /// <summary>The protocol the field belongs to: the part of its name before the first dot.</summary>
    public string Protocol => Name.Contains('.') ? Name[..Name.IndexOf('.')] : Name;

    public override string ToString() => Name;
}
