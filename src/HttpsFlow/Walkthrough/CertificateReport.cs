using HttpsFlow.X509;

namespace HttpsFlow.Walkthrough;

/// <summary>One certificate of a chain as sent, with where it sits in the issuing order and who signed it.</summary>
/// <param name="Index">Its position in the Certificate message (0 = first sent).</param>
/// <param name="Certificate">The parsed certificate.</param>
/// <param name="PathIndex">Its position from the leaf up (0 = leaf), or null when it is not on the path (a
/// duplicate or a stray).</param>
/// <param name="IssuedByIndex">The sent index of its issuer, when the issuer was sent.</param>
/// <param name="IssuedByAnchor">The trust anchor that issued it, when the issuer was not sent but is trusted.</param>
/// <param name="Signature">Its signature checked with the issuer's key; null when no issuer was found.</param>
/// <param name="ValidityAtCapture">"valid", "expired", "not yet valid" or "unreadable", at the connection's start.</param>
public sealed record ChainLink(int Index, Certificate Certificate, int? PathIndex, int? IssuedByIndex, Certificate? IssuedByAnchor,
    SignatureCheck? Signature, string ValidityAtCapture);

/// <summary>The certificates one side of a connection sent, ordered, linked and validated.</summary>
public sealed class ConnectionCertificates
{
    public required TlsConnection Connection { get; init; }
    /// <summary>"server" or "client".</summary>
    public required string Side { get; init; }
    /// <summary>In issuing order (leaf first), then the certificates that are not on the path.</summary>
    public required IReadOnlyList<ChainLink> Links { get; init; }
    public required ChainValidationResult Validation { get; init; }
    /// <summary>Whether the leaf is for the SNI name (null when there is no SNI or this is the client's chain).</summary>
    public bool? MatchesServerName { get; init; }
    public DateTimeOffset CheckedAt => Validation.Time;
}

/// <summary>Builds <see cref="ConnectionCertificates"/> for the certificate chains of recorded connections.</summary>
public static class CertificateReport
{
    /// <summary>The server's chain, then the client's (when it sent one); none for TLS 1.3 (certificates are encrypted).</summary>
    public static IEnumerable<ConnectionCertificates> For(TlsConnection c, HandshakeSummary validator, IReadOnlyList<Certificate>? trustAnchors)
    {
        if (c.ServerCertificates is { Chain.Count: > 0 } server) yield return Build(c, "server", server.Chain, validator.Validate(c, server.Chain));
        if (c.ClientCertificates is { Chain.Count: > 0 } client)
            yield return Build(c, "client", client.Chain, ChainValidator.Validate(client.Chain, c.Start.ToDateTimeOffset(), trustAnchors));
    }

    private static ConnectionCertificates Build(TlsConnection c, string side, IReadOnlyList<Certificate> sent, ChainValidationResult validation)
    {
        var path = validation.Chain.Path;
        var at = validation.Time;
        var links = new List<ChainLink>();
        int IndexOf(Certificate cert)
        {
            for (int i = 0; i < sent.Count; i++) if (ReferenceEquals(sent[i], cert)) return i;
            return -1;
        }
        for (int p = 0; p < path.Count; p++)
        {
            var cert = path[p];
            int? issuedBy = null;
            Certificate? anchor = null;
            SignatureCheck? check = null;
            if (p + 1 < path.Count)
            {
                issuedBy = IndexOf(path[p + 1]);
                check = cert.VerifySignature(path[p + 1]);
            }
            else if (cert.IsSelfIssued)
            {
                issuedBy = IndexOf(cert);
                check = cert.VerifySignature(cert);
            }
            else if (validation.TrustAnchor is { } a)
            {
                anchor = a;
                check = cert.VerifySignature(a);
            }
            links.Add(new ChainLink(IndexOf(cert), cert, p, issuedBy, anchor, check, Validity(cert, at)));
        }
        foreach (var stray in validation.Chain.Unused)
            links.Add(new ChainLink(IndexOf(stray), stray, null, null, null, null, Validity(stray, at)));
        bool? host = side == "server" && c.ClientHello?.ServerName is { } sni && path.Count > 0 ? path[0].MatchesHostName(sni) : null;
        return new ConnectionCertificates { Connection = c, Side = side, Links = links, Validation = validation, MatchesServerName = host };
    }

    /// <summary>A certificate's validity at an instant, in a word or two.</summary>
    public static string Validity(Certificate c, DateTimeOffset at)
    {
        if (c.NotBefore?.Value is not { } from || c.NotAfter?.Value is not { } to) return "unreadable";
        if (at > to) return "expired";
        if (at < from) return "not yet valid";
        return "valid";
    }
}
