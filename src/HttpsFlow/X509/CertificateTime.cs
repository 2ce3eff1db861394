using System.Globalization;

namespace HttpsFlow.X509;

/// <summary>
/// One of the two times of a certificate's validity (RFC 5280 §4.1.2.5):
/// <code>
/// Time ::= CHOICE {
///      utcTime        UTCTime,            -- YYMMDDHHMMSSZ, years 1950 to 2049
///      generalTime    GeneralizedTime }   -- YYYYMMDDHHMMSSZ, from 2050
/// </code>
/// </summary>
public sealed class CertificateTime
{
    internal CertificateTime(DateTimeOffset? value, bool isGeneralized, string text, ByteRange range)
    {
        Value = value;
        IsGeneralizedTime = isGeneralized;
        Text = text;
        Range = range;
    }

    /// <summary>The instant, in UTC; null when the text could not be read as a time.</summary>
    public DateTimeOffset? Value { get; }

    /// <summary>True for GeneralizedTime, false for UTCTime.</summary>
    public bool IsGeneralizedTime { get; }

    public bool IsUtcTime => !IsGeneralizedTime;

    /// <summary>The characters as encoded (<c>261129162004Z</c>).</summary>
    public string Text { get; }

    /// <summary>The time's TLV.</summary>
    public ByteRange Range { get; }

    /// <summary>
    /// The value as tshark 4.0 prints it in <c>-T fields</c>: <c>x509af.utcTime</c> is text tshark builds from the
    /// characters (<c>2026-11-29 16:20:04 (UTC)</c>, the century from RFC 5280's 1950–2049 rule); 
    /// <c>x509af.generalizedTime</c> is an absolute time (<c>Jun  1, 2051 12:00:00.000000000 UTC</c>).
    /// </summary>
    public string FieldText
    {
        get
        {
            if (IsGeneralizedTime)
                return Value is { } v ? FormatAbsolute(v, nanoseconds: (int)(v.Ticks % TimeSpan.TicksPerSecond * 100)) : Text;
            return UtcTimeFieldText(Text) ?? Text;
        }
    }

    /// <summary>tshark's FT_ABSOLUTE_TIME in UTC: <c>Jun  1, 2051 12:00:00.000000000 UTC</c>.</summary>
    internal static string FormatAbsolute(DateTimeOffset v, int nanoseconds)
    {
        var u = v.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture,
            $"{u:MMM} {u.Day,2}, {u:yyyy HH:mm:ss}.{nanoseconds:D9} UTC");
    }

    /// <summary>X.680 UTCTime text as tshark's BER layer prints it (packet-ber.c, dissect_ber_UTCTime):
    /// <c>YY-MM-DD hh:mm[:ss] (UTC)</c> or <c>(UTC±hhmm)</c>, with the century x509af adds. Null when tshark would
    /// call it malformed.</summary>
    private static string? UtcTimeFieldText(string s)
    {
        if (s.Length < 10 || s.Length > 19) return null;
        for (int i = 0; i < 10; i++) if (!char.IsAsciiDigit(s[i])) return null;
        var sb = new System.Text.StringBuilder(28);
        sb.Append(s[0] < '5' ? "20" : "19");
        sb.Append(s, 0, 2).Append('-').Append(s, 2, 2).Append('-').Append(s, 4, 2).Append(' ')
          .Append(s, 6, 2).Append(':').Append(s, 8, 2);
        int p = 10;
        if (s.Length >= 12 && char.IsAsciiDigit(s[p]))
        {
            if (!char.IsAsciiDigit(s[p + 1])) return null;
            sb.Append(':').Append(s, p, 2);
            p += 2;
        }
        if (p >= s.Length) return null;
        switch (s[p])
        {
            case 'Z':
                if (s.Length != p + 1) return null;
                sb.Append(" (UTC)");
                break;
            case '+' or '-':
                if (s.Length != p + 5) return null;
                for (int i = p + 1; i < p + 5; i++) if (!char.IsAsciiDigit(s[i])) return null;
                sb.Append(" (UTC").Append(s[p]).Append(s, p + 1, 4).Append(')');
                break;
            default:
                return null;
        }
        return sb.ToString();
    }

    public override string ToString() => Value is { } v
        ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)
        : Text;
}
