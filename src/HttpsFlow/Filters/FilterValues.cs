using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HttpsFlow.Fields;
using HttpsFlow.Net;

namespace HttpsFlow.Filters;

/// <summary>The type of a filter operand, as far as comparisons care (Wireshark's ftypes, grouped).</summary>
internal enum VType : byte { Int, Bool, Time, AbsTime, Str, Bytes, Ipv4, Ipv6, Label, Protocol }

/// <summary>One value during evaluation. Which members are set depends on the operand's <see cref="VType"/>.</summary>
internal struct V
{
    /// <summary>Integers and booleans; times in nanoseconds.</summary>
    public long I;
    public IpAddress Ip;
    /// <summary>An address literal's prefix length plus one (33 or 129 for a single address); 0 for a field's value.</summary>
    public int Prefix;
    public string? S;
    public byte[]? B;
    public int Off;
    public int Len;

    public readonly ReadOnlySpan<byte> Span => B is null ? default : B.AsSpan(Off, Len);
}

/// <summary>A reusable list of values: each compiled operand owns one, so evaluation allocates nothing.</summary>
internal sealed class ValBuf
{
    public V[] Items = new V[4];
    public int Count;

    public void Clear() => Count = 0;

    public ref V Add()
    {
        if (Count == Items.Length) Array.Resize(ref Items, Items.Length * 2);
        ref var v = ref Items[Count++];
        v = default;
        return ref v;
    }

    public static ValBuf Of(V v)
    {
        var b = new ValBuf();
        b.Add() = v;
        return b;
    }
}

/// <summary>Reads literals as a given type, with the messages and positions tshark gives when it cannot.</summary>
internal static class FilterValues
{
    public static VType TypeOf(FieldDef def) => def.Type switch
    {
        FieldType.None => VType.Label,
        FieldType.Protocol => VType.Protocol,
        FieldType.Boolean => VType.Bool,
        FieldType.RelativeTime => VType.Time,
        FieldType.AbsoluteTime => VType.AbsTime,
        FieldType.String => VType.Str,
        FieldType.Bytes or FieldType.Ether => VType.Bytes,
        FieldType.IPv4 => VType.Ipv4,
        FieldType.IPv6 => VType.Ipv6,
        _ => VType.Int,
    };

    /// <summary>Wireshark's name of a field type, for messages ("Unsigned integer (2 bytes)").</summary>
    public static string TypeName(FieldDef def) => def.Type switch
    {
        FieldType.None => "Label",
        FieldType.Protocol => "Protocol",
        FieldType.Boolean => "Boolean",
        FieldType.UInt8 => "Unsigned integer (1 byte)",
        FieldType.UInt16 => "Unsigned integer (2 bytes)",
        FieldType.UInt24 => "Unsigned integer (3 bytes)",
        FieldType.UInt32 => "Unsigned integer (4 bytes)",
        FieldType.UInt64 => "Unsigned integer (8 bytes)",
        FieldType.Int32 => "Signed integer (4 bytes)",
        FieldType.FrameNumber => "Frame number",
        FieldType.RelativeTime => "Time offset",
        FieldType.AbsoluteTime => "Date and time",
        FieldType.String => "Character string",
        FieldType.Bytes => "Byte sequence",
        FieldType.Ether => "Ethernet or other MAC address",
        FieldType.IPv4 => "IPv4 address",
        FieldType.IPv6 => "IPv6 address",
        _ => def.Type.ToString(),
    };

    public static string TypeName(VType t) => t switch
    {
        VType.Int => "Integer",
        VType.Bool => "Boolean",
        VType.Time => "Time offset",
        VType.AbsTime => "Date and time",
        VType.Str => "Character string",
        VType.Bytes => "Byte sequence",
        VType.Ipv4 => "IPv4 address",
        VType.Ipv6 => "IPv6 address",
        VType.Label => "Label",
        _ => "Protocol",
    };

    private static ulong MaxOf(FieldDef? def) => def?.Type switch
    {
        FieldType.UInt8 => byte.MaxValue,
        FieldType.UInt16 => ushort.MaxValue,
        FieldType.UInt24 => 0xffffff,
        FieldType.UInt32 or FieldType.FrameNumber => uint.MaxValue,
        FieldType.Int32 => int.MaxValue,
        _ => long.MaxValue,
    };

    /// <summary>The literal <paramref name="node"/> read as <paramref name="type"/> (for the field <paramref name="def"/>, when there is one).</summary>
    public static V Parse(Node node, VType type, FieldDef? def)
    {
        string text = node switch { WordNode w => w.Text, StringNode s => s.Value, CharNode c => c.Value.ToString(), _ => "" };
        FilterException Fail(string message) => new(message, node.Pos, node.Len);
        var v = new V();
        switch (type)
        {
            case VType.Int:
            case VType.Bool:
                if (node is CharNode ch)
                {
                    v.I = ch.Value;
                    return v;
                }
                if (node is WordNode && TryInteger(text, out long n))
                {
                    if (type == VType.Int && n > 0 && (ulong)n > MaxOf(def))
                        throw Fail($"\"{text}\" too big for this field, maximum {MaxOf(def)}.");
                    if (type == VType.Int && n < 0 && def?.Type == FieldType.Int32 && n < int.MinValue)
                        throw Fail($"\"{text}\" too small for this field, minimum {int.MinValue}.");
                    v.I = n;
                    return v;
                }
                if (type == VType.Bool && node is WordNode && text is "True" or "False")
                {
                    v.I = text == "True" ? 1 : 0;
                    return v;
                }
                if (def is not null && FilterValueNames.TryGet(def, text, out long named))
                {
                    v.I = named;
                    return v;
                }
                if (type == VType.Bool || (def is not null && FilterValueNames.Has(def)))
                    throw Fail($"\"{text}\" cannot be found among the possible values for {def?.Name}.");
                if (node is StringNode)
                    throw Fail($"{(def is null ? "Integer" : TypeName(def))} cannot be converted from a string (\"{text}\").");
                throw Fail($"\"{text}\" is not a valid number.");
            case VType.Time:
                if (node is WordNode && TryTime(text, out long ns))
                {
                    v.I = ns;
                    return v;
                }
                throw Fail($"\"{text}\" is not a valid time.");
            case VType.AbsTime:
                if (TryAbsolute(text, out long abs))
                {
                    v.I = abs;
                    return v;
                }
                throw Fail($"\"{text}\" is not a valid absolute time. Example: \"Nov 12, 1999 08:55:44.123\" or \"2011-07-04 12:34:56\"");
            case VType.Str:
                v.S = text;
                return v;
            case VType.Bytes:
            case VType.Protocol:
            {
                byte[]? bytes = node switch
                {
                    StringNode => StringBytes(text),
                    CharNode c => [(byte)c.Value],
                    _ => TryByteString(text, def?.Type == FieldType.Ether),
                };
                if (bytes is null)
                    throw Fail(def?.Type == FieldType.Ether
                        ? $"\"{text}\" is not a valid hostname or Ethernet address."
                        : $"\"{text}\" is not a valid byte string.");
                v.B = bytes;
                v.Len = bytes.Length;
                return v;
            }
            case VType.Ipv4:
            case VType.Ipv6:
                if (TryAddress(text, type == VType.Ipv6, out var ip, out int prefix))
                {
                    v.Ip = ip;
                    v.Prefix = prefix + 1;
                    return v;
                }
                throw Fail(type == VType.Ipv4
                    ? $"\"{text}\" is not a valid hostname or IPv4 address."
                    : $"\"{text}\" is not a valid hostname or IPv6 address.");
            default:
                throw Fail($"\"{text}\" cannot be compared with a {TypeName(type)}.");
        }
    }

    /// <summary>Decimal, 0x hexadecimal or 0 octal, with an optional minus sign.</summary>
    public static bool TryInteger(string text, out long value)
    {
        value = 0;
        bool neg = text.StartsWith('-');
        string s = neg ? text[1..] : text;
        if (s.Length == 0) return false;
        bool ok;
        ulong u;
        if (s.Length > 2 && s[0] == '0' && s[1] is 'x' or 'X')
            ok = ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out u);
        else if (s.Length > 1 && s[0] == '0')
        {
            u = 0;
            ok = true;
            foreach (char c in s)
            {
                if (c is < '0' or > '7' || u > ulong.MaxValue / 8) { ok = false; break; }
                u = u * 8 + (ulong)(c - '0');
            }
        }
        else
        {
            u = 0;
            ok = s.All(char.IsAsciiDigit) && ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out u);
        }
        if (!ok || u > long.MaxValue) return false;
        value = neg ? -(long)u : (long)u;
        return true;
    }

    /// <summary>Seconds with up to nine decimals ("0.5", "-1.25", "3").</summary>
    public static bool TryTime(string text, out long ns)
    {
        ns = 0;
        bool neg = text.StartsWith('-');
        string s = neg ? text[1..] : text;
        int dot = s.IndexOf('.');
        string whole = dot < 0 ? s : s[..dot], frac = dot < 0 ? "" : s[(dot + 1)..];
        if (whole.Length == 0 || !whole.All(char.IsAsciiDigit) || !frac.All(char.IsAsciiDigit)) return false;
        if (dot >= 0 && frac.Length == 0) return false;
        if (!long.TryParse(whole, NumberStyles.None, CultureInfo.InvariantCulture, out long sec) || sec > long.MaxValue / 1_000_000_000L - 1) return false;
        if (frac.Length > 9) frac = frac[..9];
        long nano = frac.Length == 0 ? 0 : long.Parse(frac.PadRight(9, '0'), CultureInfo.InvariantCulture);
        ns = sec * 1_000_000_000L + nano;
        if (neg) ns = -ns;
        return true;
    }

    private static readonly string[] AbsoluteFormats =
    [
        "MMM d, yyyy HH:mm:ss", "MMM d, yyyy HH:mm", "MMM d, yyyy", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
        "yyyy-MM-ddTHH:mm:ss",
    ];

    /// <summary>"Nov 29, 2026 16:20:05.123" or "2026-11-29 16:20:05.123" (local time, as tshark; " UTC" or "Z" for UTC), in epoch nanoseconds.</summary>
    public static bool TryAbsolute(string text, out long ns)
    {
        ns = 0;
        string s = string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        bool utc = false;
        if (s.EndsWith(" UTC", StringComparison.Ordinal)) { utc = true; s = s[..^4]; }
        else if (s.EndsWith('Z')) { utc = true; s = s[..^1]; }
        long frac = 0;
        int dot = s.LastIndexOf('.');
        if (dot > 0 && s.LastIndexOf(':') is int colon && colon > 0 && dot > colon)
        {
            string f = s[(dot + 1)..];
            if (f.Length == 0 || f.Length > 9 || !f.All(char.IsAsciiDigit)) return false;
            frac = long.Parse(f.PadRight(9, '0'), CultureInfo.InvariantCulture);
            s = s[..dot];
        }
        if (!DateTime.TryParseExact(s, AbsoluteFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var dt)) return false;
        DateTimeOffset at;
        try
        {
            at = utc ? new DateTimeOffset(dt, TimeSpan.Zero) : new DateTimeOffset(dt, TimeZoneInfo.Local.GetUtcOffset(dt));
        }
        catch (ArgumentException)
        {
            return false;
        }
        ns = at.ToUnixTimeSeconds() * 1_000_000_000L + frac;
        return true;
    }

    /// <summary>Bytes written as hex pairs separated by ':', '.' or '-' ("16:03:01", "16.03"), or run together ("1603"); one or two digits per byte when separated.</summary>
    public static byte[]? TryByteString(string text, bool ether)
    {
        if (text.Length == 0) return null;
        string s = text;
        if (!ether && s.Length > 2 && s[0] == '0' && s[1] is 'x' or 'X') s = s[2..];
        char sep = s.FirstOrDefault(c => c is ':' or '.' or '-');
        var bytes = new List<byte>();
        if (sep != '\0')
        {
            foreach (var part in s.Split(sep))
            {
                if (part.Length is < 1 or > 2 || !part.All(char.IsAsciiHexDigit)) return null;
                bytes.Add(Convert.ToByte(part, 16));
            }
        }
        else
        {
            if (s.Length % 2 == 1 && s.Length > 1) return null;
            if (!s.All(char.IsAsciiHexDigit)) return null;
            if (s.Length == 1) bytes.Add(Convert.ToByte(s, 16));
            else for (int i = 0; i < s.Length; i += 2) bytes.Add(Convert.ToByte(s.Substring(i, 2), 16));
        }
        if (ether && bytes.Count != 6) return null;
        return bytes.ToArray();
    }

    public static bool TryAddress(string text, bool v6, out IpAddress ip, out int prefix)
    {
        ip = default;
        int full = v6 ? 128 : 32;
        prefix = full;
        string addr = text;
        int slash = text.IndexOf('/');
        if (slash >= 0)
        {
            addr = text[..slash];
            if (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > full) return false;
        }
        if (!v6)
        {
            var parts = addr.Split('.');
            if (parts.Length != 4) return false;
            Span<byte> four = stackalloc byte[4];
            for (int i = 0; i < 4; i++)
                if (parts[i].Length is < 1 or > 3 || !parts[i].All(char.IsAsciiDigit) || !byte.TryParse(parts[i], out four[i])) return false;
            ip = IpAddress.FromV4(four);
            return true;
        }
        if (!addr.Contains(':') || !IPAddress.TryParse(addr, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6) return false;
        ip = IpAddress.FromV6(parsed.GetAddressBytes());
        return true;
    }

    /// <summary>A filter string's bytes: UTF-8, except bytes written as escapes that are not UTF-8, which stay as written.</summary>
    public static byte[] StringBytes(string s)
    {
        bool raw = false;
        foreach (char c in s) raw |= c is >= '\uF700' and <= '\uF7FF';
        if (!raw) return Encoding.UTF8.GetBytes(s);
        var list = new List<byte>();
        Span<byte> buf = stackalloc byte[4];
        foreach (var rune in s.EnumerateRunes())
        {
            if (rune.Value is >= 0xF700 and <= 0xF7FF) list.Add((byte)(rune.Value - 0xF700));
            else list.AddRange(buf[..rune.EncodeToUtf8(buf)].ToArray());
        }
        return list.ToArray();
    }

    /// <summary>A regular-expression pattern from filter text: raw-byte escapes become the Latin-1 characters bytes are matched as.</summary>
    public static string PatternText(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s) sb.Append(c is >= '\uF700' and <= '\uF7FF' ? (char)(c - 0xF700) : c);
        return sb.ToString();
    }

    /// <summary>Whether <paramref name="a"/> lies in the network <paramref name="net"/>/<paramref name="prefix"/>.</summary>
    public static bool InPrefix(IpAddress a, IpAddress net, int prefix)
    {
        if (a.IsV6 != net.IsV6) return false;
        if (!a.IsV6)
            return prefix == 0 || ((a.V4 ^ net.V4) >> (32 - prefix)) == 0;
        Span<byte> x = stackalloc byte[16], y = stackalloc byte[16];
        a.WriteV6(x);
        net.WriteV6(y);
        int whole = prefix / 8;
        if (!x[..whole].SequenceEqual(y[..whole])) return false;
        int rest = prefix % 8;
        return rest == 0 || ((x[whole] ^ y[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
    }
}

/// <summary>
/// Value names accepted in place of numbers, as tshark accepts them (<c>ip.proto == "TCP"</c>, <c>arp.opcode == reply</c>);
/// the names are Wireshark's value strings for these fields, matched without regard to case.
/// </summary>
internal static class FilterValueNames
{
    private static readonly Dictionary<string, long> IpProtocols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ICMP"] = 1, ["IGMP"] = 2, ["IPIP"] = 4, ["TCP"] = 6, ["UDP"] = 17, ["IPv6"] = 41, ["GRE"] = 47,
        ["ESP"] = 50, ["AH"] = 51, ["ICMPv6"] = 58, ["SCTP"] = 132, ["IPv6 Hop-by-Hop Option"] = 0,
    };

    private static readonly Dictionary<string, long> EtherTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["IPv4"] = 0x0800, ["ARP"] = 0x0806, ["IPv6"] = 0x86dd, ["802.1Q Virtual LAN"] = 0x8100,
    };

    private static readonly Dictionary<string, long> ArpOpcodes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["request"] = 1, ["reply"] = 2,
    };

    private static Dictionary<string, long>? For(FieldDef def) => def.Name switch
    {
        "ip.proto" or "ipv6.nxt" => IpProtocols,
        "eth.type" or "vlan.etype" or "sll.etype" => EtherTypes,
        "arp.opcode" => ArpOpcodes,
        _ => null,
    };

    public static bool Has(FieldDef def) => For(def) is not null;

    public static bool TryGet(FieldDef def, string name, out long value)
    {
        value = 0;
        return For(def) is { } names && names.TryGetValue(name, out value);
    }
}
