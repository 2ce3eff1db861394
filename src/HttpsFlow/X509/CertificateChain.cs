namespace HttpsFlow.X509;

/// <summary>Certificates put in issuing order, and those that did not fit.</summary>
/// <param name="Path">The leaf first, then each certificate's issuer, as far as the given certificates reach.</param>
/// <param name="Unused">Certificates given that are not on the path (duplicates, strays, other chains), in the
/// order given.</param>
public sealed record OrderedChain(IReadOnlyList<Certificate> Path, IReadOnlyList<Certificate> Unused)
{
    public Certificate? Leaf => Path.Count > 0 ? Path[0] : null;

    /// <summary>The last certificate of the path: the root when the chain is complete.</summary>
    public Certificate? Top => Path.Count > 0 ? Path[^1] : null;
}

/// <summary>Ordering certificates into a chain by names and key identifiers (RFC 5280 §6, RFC 4158 §3).</summary>
public static class CertificateChain
{
    /// <summary>
    /// Orders <paramref name="certificates"/> from the leaf up. The leaf is the first certificate that is the issuer of
    /// none of the others (a TLS server sends it first, RFC 8446 §4.4.2, so the given order breaks ties); each next one is a
    /// certificate whose subject is the current one's issuer, preferring one whose subjectKeyIdentifier equals the
    /// authorityKeyIdentifier and whose key verifies the signature. The path stops at a self-issued certificate or
    /// when no issuer is among those given. Never throws.
    /// </summary>
    public static OrderedChain Order(IEnumerable<Certificate> certificates)
    {
        var all = certificates.Where(c => c is not null).ToList();
        if (all.Count == 0) return new OrderedChain([], []);

        // Drop exact duplicates (same DER) but keep the first of each.
        var distinct = new List<Certificate>();
        var unused = new List<Certificate>();
        foreach (var c in all)
        {
            if (distinct.Any(d => d.Der.Span.SequenceEqual(c.Der.Span))) unused.Add(c);
            else distinct.Add(c);
        }

        var leaf = distinct.FirstOrDefault(c => !distinct.Any(o => !ReferenceEquals(o, c) && IsIssuerOf(c, o))) ?? distinct[0];
        var path = new List<Certificate> { leaf };
        var current = leaf;
        while (!current.IsSelfIssued)
        {
            var next = BestIssuer(current, distinct.Where(c => !path.Contains(c)));
            if (next is null) break;
            path.Add(next);
            current = next;
        }
        unused.AddRange(distinct.Where(c => !path.Contains(c)));
        // Keep the caller's order among the unused.
        unused.Sort((a, b) => all.IndexOf(a).CompareTo(all.IndexOf(b)));
        return new OrderedChain(path, unused);
    }

    /// <summary>Whether <paramref name="issuer"/> could have issued <paramref name="child"/>: the names match and,
    /// when both are present, the key identifiers agree. The signature is not checked here.</summary>
    public static bool IsIssuerOf(Certificate issuer, Certificate child)
    {
        if (issuer.Subject is null || child.Issuer is null || !issuer.Subject.Matches(child.Issuer)) return false;
        if (child.AuthorityKeyIdentifier?.KeyIdentifier is { } aki && issuer.SubjectKeyIdentifier?.KeyIdentifier is { } ski
            && !aki.Span.SequenceEqual(ski.Span))
            return false;
        return true;
    }

    /// <summary>Of <paramref name="candidates"/>, the one that issued <paramref name="child"/>, best first: name and
    /// key identifier match, then a verifying signature.</summary>
    internal static Certificate? BestIssuer(Certificate child, IEnumerable<Certificate> candidates)
    {
        Certificate? unverifiable = null, mismatched = null;
        foreach (var c in candidates)
        {
            if (!IsIssuerOf(c, child)) continue;
            var check = child.VerifySignature(c);
            if (check == SignatureCheck.Valid) return c;
            if (check is SignatureCheck.Invalid or SignatureCheck.KeyMismatch) mismatched ??= c;
            else unverifiable ??= c;
        }
        // A name match whose signature fails still belongs on the path, so that validation can say so.
        return unverifiable ?? mismatched;
    }
}
