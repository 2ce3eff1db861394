namespace HttpsFlow.Tests.Golden;

/// <summary>
/// Compares HttpsFlow's packet list with tshark's, line by line, after folding runs of spaces.
/// </summary>
internal static class ListComparison
{
    /// <summary>Protocols whose whole line HttpsFlow reproduces today.</summary>
    private static readonly HashSet<string> ExactProtocols = ["TCP", "MPTCP", "UDP", "ICMP", "ICMPv6", "IPv4", "IPv6", "ARP", "SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", "DTLS", "DTLSv1.0", "DTLSv1.2"];

    /// <summary>
    /// Lines whose Info depends on tshark's reassembly of a protocol above TCP that HttpsFlow does not decode yet
    /// (HTTP bodies and other protocols' PDUs: tshark marks their segments, or reports overlaps in them). For these only
    /// the frame, time, addresses and length are compared; TLS's are compared whole.
    /// </summary>
    public static bool NeedsUpperLayerReassembly(string tshark, string ours) =>
        (tshark.Contains("[Reassembly error", StringComparison.Ordinal) && !ours.Contains("[Reassembly error", StringComparison.Ordinal))
        || (tshark.Contains("[TCP segment of a reassembled PDU]", StringComparison.Ordinal)
            && !ours.Contains("[TCP segment of a reassembled PDU]", StringComparison.Ordinal)
            && Split(ours).Protocol == "TCP");

    public static string Fold(string line) => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Splits a folded list line into No., Time, Source, "→", Destination, Protocol, Length and Info.</summary>
    public static (string Head, string Protocol, string Info) Split(string folded)
    {
        // "N TIME SRC → DST PROTO LEN INFO…": addresses never contain spaces; an empty address makes "→" shift.
        var parts = folded.Split(' ');
        int arrow = Array.IndexOf(parts, "\u2192");
        if (arrow < 0 || arrow + 3 >= parts.Length + 1) return (folded, "", "");
        int protoIndex = arrow + 2;
        if (protoIndex >= parts.Length) return (folded, "", "");
        string proto = parts[protoIndex];
        string head = string.Join(' ', parts[..protoIndex]) + (protoIndex + 1 < parts.Length ? " " + parts[protoIndex + 1] : "");
        string info = protoIndex + 2 < parts.Length ? string.Join(' ', parts[(protoIndex + 2)..]) : "";
        return (head, proto, info);
    }

    /// <summary>
    /// Returns the differences: every line must agree on No., Time, Source, Destination and Length; lines tshark shows
    /// as TCP, MPTCP, UDP, ICMP, ICMPv6, IPv4, IPv6, ARP, SSL, TLS or DTLS must agree whole.
    /// </summary>
    public static List<string> Differences(IReadOnlyList<string> tshark, IReadOnlyList<string> ours, out int exactLinesCompared,
        Func<int, string, bool>? columnsOnly = null)
    {
        var diffs = new List<string>();
        exactLinesCompared = 0;
        if (tshark.Count != ours.Count)
            diffs.Add($"tshark printed {tshark.Count} lines, httpsflow {ours.Count}");
        for (int i = 0; i < Math.Min(tshark.Count, ours.Count); i++)
        {
            string t = Fold(tshark[i]), o = Fold(ours[i]);
            var (_, tp, _) = Split(t);
            bool exact = ExactProtocols.Contains(tp) && !NeedsUpperLayerReassembly(t, o) && columnsOnly?.Invoke(i + 1, t) != true;
            if (exact)
            {
                exactLinesCompared++;
                if (t != o) diffs.Add($"line {i + 1}:\n  tshark:    {t}\n  httpsflow: {o}");
            }
            else if (!SameColumns(t, o))
            {
                diffs.Add($"line {i + 1} (columns):\n  tshark:    {t}\n  httpsflow: {o}");
            }
        }
        return diffs;
    }

    /// <summary>
    /// No., Time, Source, "→", Destination equal, and our Length found where tshark's stands: right after a Protocol
    /// name of one to three words ("TCP", "CIP CM", "ANSI C12.22").
    /// </summary>
    private static bool SameColumns(string tshark, string ours)
    {
        var t = tshark.Split(' ');
        var o = ours.Split(' ');
        int ta = Array.IndexOf(t, "\u2192"), oa = Array.IndexOf(o, "\u2192");
        if (ta < 0 || ta != oa || o.Length < oa + 4) return tshark == ours;
        for (int k = 0; k <= ta + 1; k++)
            if (t[k] != o[k]) return false;
        string length = o[oa + 3];
        for (int k = ta + 3; k <= Math.Min(ta + 5, t.Length - 1); k++)
            if (t[k] == length) return true;
        return false;
    }

    public static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
