using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace HttpsFlow.X509;

/// <summary>
/// Service identity checks of RFC 6125 §6 for TLS servers:
/// <list type="bullet">
/// <item>a host that is an IP address matches only iPAddress subjectAltNames, byte for byte;</item>
/// <item>otherwise DNS-IDs (subjectAltName dNSName) are compared; the subject's most specific common name is used
/// only when the certificate presents no DNS-ID or URI-ID (§6.4.4), and never when its subjectAltName could not be
/// read;</item>
/// <item>comparison ignores ASCII case and one trailing dot; internationalized names are compared in their A-label
/// form (§6.4.2); a name holding a NUL, a space or a control character matches nothing;</item>
/// <item>a wildcard is honoured only as the whole leftmost label (<c>*.example.com</c>), matches exactly one
/// non-empty label, and needs at least two labels after it (§6.4.3, as RFC 9525 later made mandatory).</item>
/// </list>
/// </summary>
internal static class HostNameMatcher
{
    public static bool Matches(Certificate cert, string host)
    {
        if (string.IsNullOrWhiteSpace(host)) return false;
        host = host.Trim();
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];

        if (TryParseAddress(host, out var address))
        {
            return cert.SubjectAltName is { } ipSan && ipSan.Names.Any(n =>
                n.Kind == GeneralNameKind.IPAddress && n.IPAddress is { } a && a.Equals(address));
        }

        string? reference = Normalize(host);
        if (reference is null) return false;

        // A subjectAltName that is there but cannot be read hides its DNS-IDs: falling back to the CN would let a
        // damaged extension widen what the certificate is for.
        if (cert.FindExtension(Oids.SubjectAltName) is { Parsed.IsError: true }) return false;
        var san = cert.SubjectAltName;
        bool hasDnsOrUri = san is not null && san.Names.Any(n => n.Kind is GeneralNameKind.DnsName or GeneralNameKind.Uri);
        if (hasDnsOrUri)
            return san!.DnsNames.Any(pattern => MatchesPattern(pattern, reference));

        // §6.4.4: no DNS-ID or URI-ID, so the CN-ID (the most specific CN) is checked — never an IP-looking one.
        string? cn = cert.Subject?.CommonName;
        return cn is not null && !TryParseAddress(cn, out _) && MatchesPattern(cn, reference);
    }

    private static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (!IPAddress.TryParse(text, out var parsed)) return false;
        // IPAddress.TryParse accepts "1" or "1.2" as IPv4; only four dotted parts or IPv6 count as an address here.
        if (parsed.AddressFamily == AddressFamily.InterNetwork && text.Split('.').Length != 4) return false;
        address = parsed;
        return true;
    }

    /// <summary>Lower-case A-label form without a trailing dot; null when it is not a usable host name.</summary>
    private static string? Normalize(string name)
    {
        if (name.EndsWith('.')) name = name[..^1];
        if (name.Length == 0 || name.Contains("..", StringComparison.Ordinal)) return null;
        // A NUL, a space or a control character has no place in a host name ("good.example\0.evil.example").
        if (name.Any(c => c <= ' ' || c == '\x7f')) return null;
        if (!name.All(char.IsAscii))
        {
            try
            {
                name = new IdnMapping().GetAscii(name);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }
        return name.ToLowerInvariant();
    }

    private static bool MatchesPattern(string presented, string reference)
    {
        string? pattern = Normalize(presented.Trim());
        if (pattern is null) return false;
        if (!pattern.Contains('*')) return string.Equals(pattern, reference, StringComparison.Ordinal);

        var labels = pattern.Split('.');
        if (labels[0] != "*" || labels.Skip(1).Any(l => l.Contains('*')) || labels.Length < 3) return false;
        var hostLabels = reference.Split('.');
        if (hostLabels.Length != labels.Length || hostLabels[0].Length == 0) return false;
        for (int i = 1; i < labels.Length; i++)
            if (!string.Equals(labels[i], hostLabels[i], StringComparison.Ordinal)) return false;
        return true;
    }
}
