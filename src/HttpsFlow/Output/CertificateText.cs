using System.Globalization;
using HttpsFlow.Walkthrough;
using HttpsFlow.X509;

namespace HttpsFlow.Output;

/// <summary>Writes the certificate chains of <see cref="CertificateReport"/>: a block per chain for people, or JSON.</summary>
public static class CertificateText
{
    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Endpoint(Net.IpAddress a, ushort port)
    {
        string s = a.ToString();
        return s.Contains(':') ? $"[{s}]:{port}" : $"{s}:{port}";
    }

    private static string IssuerText(ChainLink l, IReadOnlyList<ChainLink> links)
    {
        string sig = l.Signature switch
        {
            SignatureCheck.Valid => "signature verified",
            null => "signature not checked",
            { } s => $"signature NOT verified ({s})",
        };
        if (l.IssuedByIndex is { } i && i == l.Index) return $"itself (self-signed), {sig}";
        if (l.IssuedByIndex is { } j && links.FirstOrDefault(x => x.Index == j) is { } issuer) return $"[{j}] {issuer.Certificate.Subject}, {sig}";
        if (l.IssuedByAnchor is { } a) return $"trust anchor {a.Subject}, {sig}";
        if (l.PathIndex is null) return "not on the chain (not linked to the leaf)";
        return "not sent and not a trust anchor";
    }

    private static IEnumerable<string> Sans(Certificate c) => c.SubjectAltName?.Names.Select(n => n.ToString()) ?? [];

    /// <summary>The blocks for people.</summary>
    public static void WriteText(TextSink sink, IEnumerable<ConnectionCertificates> chains, string trustSource)
    {
        bool first = true;
        foreach (var ch in chains)
        {
            if (!first) sink.EndLine();
            first = false;
            var c = ch.Connection;
            sink.Append($"tcp.stream {c.Stream}  {Endpoint(c.ClientAddress, c.ClientPort)} -> {Endpoint(c.ServerAddress, c.ServerPort)}");
            if (c.ClientHello?.ServerName is { } sni) sink.Append($"  SNI {sni}");
            sink.Append($"  {ch.Side} chain, {ch.Links.Count} certificate{(ch.Links.Count == 1 ? "" : "s")}").EndLine();
            var v = ch.Validation;
            sink.Append($"  validation at {Time(ch.CheckedAt)} against {trustSource}: {(v.IsValid ? "valid" : v.Reason)}").EndLine();
            if (ch.MatchesServerName is { } m) sink.Append($"  host name {c.ClientHello!.ServerName}: {(m ? "matches the leaf" : "does NOT match the leaf")}").EndLine();
            foreach (var l in ch.Links)
            {
                var cert = l.Certificate;
                string role = l.PathIndex switch { 0 => "leaf", null => "stray", _ when cert.IsSelfIssued => "root", _ => "intermediate" };
                sink.Append($"  [{l.Index}] {role}: {cert.Subject?.ToString() ?? "(no subject)"}").EndLine();
                Field(sink, "issued by", IssuerText(l, ch.Links));
                Field(sink, "validity", $"{cert.NotBefore?.ToString() ?? "?"} .. {cert.NotAfter?.ToString() ?? "?"} ({l.ValidityAtCapture} at capture time)");
                var sans = Sans(cert).ToList();
                if (sans.Count > 0) Field(sink, "SANs", string.Join(", ", sans));
                Field(sink, "key", cert.PublicKey?.ToString() ?? "unreadable");
                Field(sink, "signature", cert.SignatureAlgorithm?.Name ?? "unreadable");
                Field(sink, "serial", cert.SerialNumberHex);
                if (cert.IsCertificateAuthority) Field(sink, "CA", cert.BasicConstraints?.PathLengthConstraint is { } p ? $"yes, path length {p}" : "yes");
                Field(sink, "sha256", Certificate.FormatFingerprint(cert.Sha256Fingerprint));
                Field(sink, "sha1", Certificate.FormatFingerprint(cert.Sha1Fingerprint));
            }
        }
    }

    private static void Field(TextSink sink, string name, string value) => sink.Append("      ").Append(name.PadRight(10)).Append(value).EndLine();

    /// <summary>One JSON array, an object per chain.</summary>
    public static void WriteJson(TextSink sink, IEnumerable<ConnectionCertificates> chains, string trustSource)
    {
        sink.Append('[');
        bool first = true;
        foreach (var ch in chains)
        {
            sink.Append(first ? "\n  {" : ",\n  {");
            first = false;
            var c = ch.Connection;
            Pair(sink, "stream", (long)c.Stream, true);
            Pair(sink, "client", Endpoint(c.ClientAddress, c.ClientPort));
            Pair(sink, "server", Endpoint(c.ServerAddress, c.ServerPort));
            Pair(sink, "server_name", c.ClientHello?.ServerName);
            Pair(sink, "side", ch.Side);
            Pair(sink, "checked_at", Time(ch.CheckedAt));
            Pair(sink, "trust", trustSource);
            Pair(sink, "valid", ch.Validation.IsValid);
            Pair(sink, "validation_status", HandshakeSummary.OpenSslStatus(ch.Validation));
            Pair(sink, "validation_reason", ch.Validation.Reason);
            Pair(sink, "problems", (IReadOnlyList<string>)[.. ch.Validation.Problems.Select(p => p.Text)]);
            Pair(sink, "trust_anchor", ch.Validation.TrustAnchor?.Subject?.ToString());
            Pair(sink, "matches_server_name", ch.MatchesServerName);
            sink.Append(", \"certificates\": [");
            for (int i = 0; i < ch.Links.Count; i++)
            {
                var l = ch.Links[i];
                var cert = l.Certificate;
                sink.Append(i == 0 ? "\n    {" : ",\n    {");
                Pair(sink, "index", (long)l.Index, true);
                Pair(sink, "chain_position", l.PathIndex is { } p ? p : null);
                Pair(sink, "subject", cert.Subject?.ToString());
                Pair(sink, "issuer", cert.Issuer?.ToString());
                Pair(sink, "issued_by_index", l.IssuedByIndex is { } b ? b : null);
                Pair(sink, "issued_by_trust_anchor", l.IssuedByAnchor?.Subject?.ToString());
                Pair(sink, "signature_verified", l.Signature is null ? null : l.Signature == SignatureCheck.Valid);
                Pair(sink, "signature_check", l.Signature?.ToString());
                Pair(sink, "not_before", cert.NotBefore?.Value is { } nb ? Time(nb) : null);
                Pair(sink, "not_after", cert.NotAfter?.Value is { } na ? Time(na) : null);
                Pair(sink, "validity_at_capture", l.ValidityAtCapture);
                Pair(sink, "sans", (IReadOnlyList<string>)[.. Sans(cert)]);
                Pair(sink, "key", cert.PublicKey?.ToString());
                Pair(sink, "signature_algorithm", cert.SignatureAlgorithm?.Name);
                Pair(sink, "serial", cert.SerialNumberHex);
                Pair(sink, "is_ca", cert.IsCertificateAuthority);
                Pair(sink, "sha256", Convert.ToHexStringLower(cert.Sha256Fingerprint));
                Pair(sink, "sha1", Convert.ToHexStringLower(cert.Sha1Fingerprint));
                sink.Append('}');
            }
            sink.Append(ch.Links.Count > 0 ? "\n  ]}" : "]}");
        }
        sink.Append(first ? "]" : "\n]").EndLine();
    }

    private static void Pair(TextSink sink, string name, object? value, bool first = false)
    {
        if (!first) sink.Append(", ");
        JsonText.AppendString(sink, name);
        sink.Append(": ");
        HandshakeTable.JsonValue(sink, value is int i ? (long)i : value);
    }
}
