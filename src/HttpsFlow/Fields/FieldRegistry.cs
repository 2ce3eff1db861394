using System.Collections.Frozen;

namespace HttpsFlow.Fields;

/// <summary>
/// Every field HttpsFlow knows, declared once with its Wireshark name, type and display. Types, bases and bitmasks
/// are those tshark 4.0 reports for the same names (`tshark -G fields`), so values print the same way.
/// </summary>
public static class FieldRegistry
{
    private static readonly List<FieldDef> s_all = new();
    private static FrozenDictionary<string, FieldDef>? s_byName;

    internal static FieldDef Define(string name, string label, FieldType type, FieldBase display = FieldBase.None, ulong bitmask = 0, string? description = null)
    {
        lock (s_all)
        {
            var def = new FieldDef(name, label, type, display, bitmask, description) { Id = s_all.Count };
            s_all.Add(def);
            s_byName = null;
            return def;
        }
    }

    /// <summary>All fields, in declaration order (protocol by protocol, as a detail tree lists them).</summary>
    public static IReadOnlyList<FieldDef> All
    {
        get
        {
            EnsureLoaded();
            return s_all;
        }
    }

    /// <summary>Looks a field up by its Wireshark name.</summary>
    public static bool TryGet(string name, out FieldDef def)
    {
        EnsureLoaded();
        s_byName ??= s_all.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);
        return s_byName.TryGetValue(name, out def!);
    }

    private static void EnsureLoaded()
    {
        // Touching each protocol's class runs its static initialiser, which defines its fields in order.
        _ = FrameFields.Number;
        _ = LinkFields.EthSrc;
        _ = IpFields.Version;
        _ = TcpFields.SrcPort;
        _ = OtherFields.UdpSrcPort;
        _ = TlsFields.Tls;
        _ = X509Fields.Version;
        _ = HttpFields.Http;
        _ = Http2Fields.Http2;
        _ = ColumnFields.Protocol;
        _ = ExpertFields.Expert;
    }
}
