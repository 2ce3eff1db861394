using System.Globalization;
using System.Text;
using HttpsFlow.Common;

namespace HttpsFlow.Tree;

/// <summary>Small text helpers shared by the tree builders: Wireshark's bit patterns, times, hex.</summary>
internal static class TreeText
{
    /// <summary>
    /// A bitfield line's pattern: <paramref name="bits"/> bits of <paramref name="value"/>, most significant first, in
    /// groups of four, with '.' where <paramref name="mask"/> is clear ("0100 ....", ".... .... 1... = Push").
    /// </summary>
    public static string Bits(ulong value, int bits, ulong mask)
    {
        var sb = new StringBuilder(bits + bits / 4);
        for (int i = bits - 1; i >= 0; i--)
        {
            ulong bit = 1UL << i;
            sb.Append((mask & bit) == 0 ? '.' : (value & bit) != 0 ? '1' : '0');
            if (i > 0 && i % 4 == 0) sb.Append(' ');
        }
        return sb.ToString();
    }

    /// <summary>A bitfield line: "pattern = name: value".</summary>
    public static string BitLine(ulong value, int bits, ulong mask, string text) => Bits(value, bits, mask) + " = " + text;

    public static string SetText(bool set) => set ? "Set" : "Not set";

    /// <summary>Seconds with nine decimals, as tshark shows relative times ("0.001375943").</summary>
    public static string Seconds(Duration d)
    {
        long ns = d.Seconds * 1_000_000_000L + d.Nanoseconds;
        string sign = ns < 0 ? "-" : "";
        ns = Math.Abs(ns);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{ns / 1_000_000_000}.{ns % 1_000_000_000:D9}");
    }

    /// <summary>An absolute time as tshark's detail pane shows it in UTC: "Nov 29, 2026 16:20:05.430980833 UTC".</summary>
    public static string Absolute(Timestamp t)
    {
        var time = DateTimeOffset.FromUnixTimeSeconds(t.Seconds).UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture,
            $"{time.ToString("MMM", CultureInfo.InvariantCulture)} {time.Day,2}, {time.Year} {time:HH:mm:ss}.{t.Nanoseconds:D9} UTC");
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>tshark cuts long byte strings in a label to 36 bytes and an ellipsis.</summary>
    public static string HexShort(ReadOnlySpan<byte> bytes) => bytes.Length > 36 ? Convert.ToHexStringLower(bytes[..36]) + "\u2026" : Convert.ToHexStringLower(bytes);

    public static string Plural(int n, string one, string many) => n == 1 ? one : many;
}
