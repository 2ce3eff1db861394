using System.Globalization;
using HttpsFlow.Net;
using HttpsFlow.Output;

namespace HttpsFlow.Fields;

/// <summary>Writes a field's value as tshark's <c>-T fields</c> output does.</summary>
public static class FieldFormatter
{
    public static void Append(TextSink sink, FieldSet set, in FieldValue v)
    {
        var def = v.Def;
        if (v.Text is not null && def.Type is not FieldType.Protocol)
        {
            // Values that come formatted (OIDs, certificate times, addresses from certificates); strings escaped.
            if (def.Type == FieldType.String) AppendEscaped(sink, v.Text);
            else sink.Append(v.Text);
            return;
        }
        switch (def.Type)
        {
            case FieldType.None:
                // Presence-only fields print "1", so that a column shows whether the field is there.
                sink.Append('1');
                return;
            case FieldType.Protocol:
                if (v.Text is not null) sink.Append(v.Text);
                else AppendHex(sink, set.BytesOf(v));
                return;
            case FieldType.Boolean:
                sink.Append(v.Int != 0 ? '1' : '0');
                return;
            case FieldType.UInt8:
            case FieldType.UInt16:
            case FieldType.UInt24:
            case FieldType.UInt32:
            case FieldType.UInt64:
            case FieldType.Int32:
                if (def.Base is FieldBase.Hex or FieldBase.HexDec)
                {
                    int digits = def.Type switch { FieldType.UInt8 => 2, FieldType.UInt16 => 4, FieldType.UInt24 => 6, FieldType.UInt64 => 16, _ => 8 };
                    sink.Append("0x").Append(((ulong)v.Int).ToString("x" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
                }
                else sink.Append(v.Int);
                return;
            case FieldType.FrameNumber:
                sink.Append(v.Int);
                return;
            case FieldType.RelativeTime:
                AppendDuration(sink, v.Time);
                return;
            case FieldType.AbsoluteTime:
                AppendAbsolute(sink, v.Absolute);
                return;
            case FieldType.String:
                AppendEscaped(sink, v.Text);
                return;
            case FieldType.Bytes:
                AppendHex(sink, set.BytesOf(v));
                return;
            case FieldType.Ether:
            {
                var span = sink.Reserve(48);
                AddressFormat.TryFormatMac(set.BytesOf(v), span, out int n);
                sink.Commit(n);
                return;
            }
            case FieldType.IPv4:
            case FieldType.IPv6:
            {
                var span = sink.Reserve(48);
                v.Ip.TryFormat(span, out int n);
                sink.Commit(n);
                return;
            }
        }
    }

    /// <summary>Seconds with nine decimals; a negative value keeps its sign (Wireshark's nstime text).</summary>
    public static void AppendDuration(TextSink sink, Common.Duration d)
    {
        if (d.IsNegative && d.Seconds == 0) sink.Append('-');
        sink.Append(d.Seconds).Append('.');
        var span = sink.Reserve(9);
        long ns = Math.Abs((long)d.Nanoseconds);
        for (int i = 8; i >= 0; i--)
        {
            span[i] = (char)('0' + ns % 10);
            ns /= 10;
        }
        sink.Commit(9);
    }

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>"Nov  9, 2026 16:20:05.429581925 UTC" (the day padded to two places with a space, as strftime's %e).</summary>
    public static void AppendAbsolute(TextSink sink, Common.Timestamp t)
    {
        DateTime dt;
        try
        {
            dt = DateTime.UnixEpoch.AddSeconds(t.Seconds);
        }
        catch (ArgumentOutOfRangeException)
        {
            sink.Append("Not representable");
            return;
        }
        sink.Append(Months[dt.Month - 1]).Append(' ');
        if (dt.Day < 10) sink.Append(' ');
        sink.Append(dt.Day).Append(", ").Append(dt.Year).Append(' ')
            .Append(dt.Hour.ToString("00", CultureInfo.InvariantCulture)).Append(':')
            .Append(dt.Minute.ToString("00", CultureInfo.InvariantCulture)).Append(':')
            .Append(dt.Second.ToString("00", CultureInfo.InvariantCulture)).Append('.')
            .Append(t.Nanoseconds.ToString("000000000", CultureInfo.InvariantCulture)).Append(" UTC");
    }

    private const string HexDigits = "0123456789abcdef";

    public static void AppendHex(TextSink sink, ReadOnlySpan<byte> bytes)
    {
        var span = sink.Reserve(bytes.Length * 2);
        for (int i = 0; i < bytes.Length; i++)
        {
            span[2 * i] = HexDigits[bytes[i] >> 4];
            span[2 * i + 1] = HexDigits[bytes[i] & 0xf];
        }
        sink.Commit(bytes.Length * 2);
    }

    /// <summary>
    /// A string as tshark 4.0's fields output writes it: the C escapes \a \b \f \n \r \t \v and a doubled backslash;
    /// every other character (double quotes included) as it is.
    /// </summary>
    public static void AppendEscaped(TextSink sink, string? text)
    {
        if (text is null) return;
        int from = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char e = EscapeOf(text[i]);
            if (e == '\0') continue;
            if (i > from) sink.Append(text.AsSpan(from, i - from));
            sink.Append('\\').Append(e);
            from = i + 1;
        }
        if (from == 0) sink.Append(text);
        else if (from < text.Length) sink.Append(text.AsSpan(from));
    }

    /// <summary>The letter after the backslash that stands for <paramref name="c"/> in tshark's string text, or '\0'.</summary>
    private static char EscapeOf(char c) => c switch
    {
        '\a' => 'a', '\b' => 'b', '\f' => 'f', '\n' => 'n', '\r' => 'r', '\t' => 't', '\v' => 'v',
        '\\' => '\\',
        _ => '\0',
    };

    /// <summary><paramref name="text"/> escaped as <see cref="AppendEscaped"/> writes it (the same string when nothing needs it).</summary>
    public static string Escape(string text)
    {
        int i = 0;
        while (i < text.Length && EscapeOf(text[i]) == '\0') i++;
        if (i == text.Length) return text;
        var sb = new System.Text.StringBuilder(text.Length + 8).Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            char e = EscapeOf(text[i]);
            if (e == '\0') sb.Append(text[i]);
            else sb.Append('\\').Append(e);
        }
        return sb.ToString();
    }
}
