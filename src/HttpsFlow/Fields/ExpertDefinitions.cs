using B = HttpsFlow.Fields.FieldBase;
using T = HttpsFlow.Fields.FieldType;

namespace HttpsFlow.Fields;

/// <summary>
/// _ws.expert.* and _ws.malformed: the expert notes of a frame (tshark's expert info pseudo-fields), in the order of
/// its detail tree. <c>_ws.expert</c> is each note's line ("Expert Info (Note/Sequence): …"), the other three its parts;
/// <c>_ws.malformed</c> is each "[Malformed Packet: …]" or "[Reassembly error, …]" item, and the hidden item tshark adds
/// with every note of the Malformed group (printed as its name). Computed only when one of them is asked for.
/// </summary>
public static class ExpertFields
{
    private static readonly FieldDef s_after = ColumnFields.Info;

    public static readonly FieldDef Expert = FieldRegistry.Define("_ws.expert", "Expert Info", T.Protocol);
    public static readonly FieldDef Message = FieldRegistry.Define("_ws.expert.message", "Message", T.String);
    public static readonly FieldDef Group = FieldRegistry.Define("_ws.expert.group", "Group", T.UInt32, B.None);
    public static readonly FieldDef Severity = FieldRegistry.Define("_ws.expert.severity", "Severity level", T.UInt32, B.None);
    public static readonly FieldDef Malformed = FieldRegistry.Define("_ws.malformed", "Malformed Packet", T.Protocol);

    /// <summary>Every field of this class (asked for by one, the notes are collected).</summary>
    internal static readonly FieldDef[] All = [Expert, Message, Group, Severity, Malformed];

    /// <summary>Whether <paramref name="def"/> is one of the expert fields (which need TLS and HTTP's notes too).</summary>
    public static bool Contains(FieldDef def) => Array.IndexOf(All, def) >= 0;
}
