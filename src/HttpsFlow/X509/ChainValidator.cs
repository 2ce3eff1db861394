using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HttpsFlow.X509;

/// <summary>Why a chain is not valid; <see cref="Valid"/> when it is.</summary>
public enum ChainStatus : byte
{
    Valid,
    /// <summary>A certificate could not be read.</summary>
    Malformed,
    /// <summary>A signature does not verify with its issuer's key.</summary>
    SignatureMismatch,
    /// <summary>A signature uses an algorithm that cannot be checked here (EdDSA, …).</summary>
    UnsupportedAlgorithm,
    /// <summary>A certificate between the leaf and a trust anchor is missing.</summary>
    IncompleteChain,
    /// <summary>The chain ends at an issuer (or a root) that is not a trust anchor.</summary>
    UnknownIssuer,
    /// <summary>The certificate is self-signed and not a trust anchor.</summary>
    SelfSigned,
    Expired,
    NotYetValid,
    /// <summary>An issuing certificate is not a CA (basicConstraints, keyUsage) or its pathLenConstraint is exceeded.</summary>
    NotCertificateAuthority,
    /// <summary>A critical extension is not understood (RFC 5280 §4.2).</summary>
    UnhandledCriticalExtension,
    /// <summary>The leaf is not for the host name asked about (RFC 6125).</summary>
    NameMismatch,
}

/// <summary>One thing wrong with a chain.</summary>
/// <param name="Status">Its kind.</param>
/// <param name="Index">The certificate it is about: an index into <see cref="ChainValidationResult.Chain"/>'s
/// path, <c>Path.Count</c> for the trust anchor, -1 for the chain as a whole.</param>
/// <param name="Text">A sentence for a person.</param>
public sealed record ChainProblem(ChainStatus Status, int Index, string Text);

/// <summary>The outcome of validating a chain.</summary>
public sealed class ChainValidationResult
{
    internal ChainValidationResult(OrderedChain chain, Certificate? anchor, DateTimeOffset time, IReadOnlyList<ChainProblem> problems)
    {
        Chain = chain;
        TrustAnchor = anchor;
        Time = time;
        Problems = problems;
    }

    /// <summary>The certificates as ordered from the leaf up.</summary>
    public OrderedChain Chain { get; }

    /// <summary>The trust anchor the chain ends at, when one was found.</summary>
    public Certificate? TrustAnchor { get; }

    /// <summary>The instant the chain was checked at.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>Every problem found, most important first.</summary>
    public IReadOnlyList<ChainProblem> Problems { get; }

    public bool IsValid => Problems.Count == 0;

    /// <summary>The most important problem's kind, or <see cref="ChainStatus.Valid"/>.</summary>
    public ChainStatus Status => Problems.Count > 0 ? Problems[0].Status : ChainStatus.Valid;

    /// <summary>The most important problem's text; null when the chain is valid.</summary>
    public string? Reason => Problems.Count > 0 ? Problems[0].Text : null;

    public override string ToString() => Reason ?? "valid";
}

/// <summary>
/// Validates a chain as RFC 5280 §6 does for the parts a TLS client checks: each signature with its issuer's key,
/// each validity period at a given time, issuers being CAs within their path length, no critical extension left
/// unknown, a path that ends at a trust anchor, and (when asked) the leaf's host name. A pass over parsed
/// certificates: parsing never depends on it. <see cref="ValidateWithPlatform"/> asks .NET's <see cref="X509Chain"/>
/// the same question, for comparison.
/// </summary>
public static class ChainValidator
{
    private static readonly ChainStatus[] Priority =
    [
        ChainStatus.Malformed, ChainStatus.SignatureMismatch, ChainStatus.UnsupportedAlgorithm, ChainStatus.IncompleteChain,
        ChainStatus.UnknownIssuer, ChainStatus.SelfSigned, ChainStatus.Expired, ChainStatus.NotYetValid,
        ChainStatus.NotCertificateAuthority, ChainStatus.UnhandledCriticalExtension, ChainStatus.NameMismatch,
    ];

    private static readonly HashSet<string> UnderstoodExtensions =
    [
        Oids.SubjectAltName, Oids.IssuerAltName, Oids.BasicConstraints, Oids.KeyUsage, Oids.ExtKeyUsage,
        Oids.AuthorityKeyIdentifier, Oids.SubjectKeyIdentifier, Oids.AuthorityInfoAccess, Oids.CrlDistributionPoints,
        Oids.CertificatePolicies, Oids.SctList, Oids.FreshestCrl, Oids.SubjectInfoAccess,
        // Constraints a TLS client honours without this validator enforcing them in full:
        Oids.NameConstraints, Oids.PolicyConstraints, Oids.PolicyMappings, Oids.InhibitAnyPolicy,
    ];

    /// <summary>
    /// Orders <paramref name="certificates"/> (the leaf first, as a server sends them, though any order is accepted)
    /// and validates the chain at <paramref name="time"/> against <paramref name="trustAnchors"/>, or the system's
    /// root store when null. Never throws.
    /// </summary>
    public static ChainValidationResult Validate(IEnumerable<Certificate> certificates, DateTimeOffset time,
        IEnumerable<Certificate>? trustAnchors = null, string? hostName = null)
    {
        var anchors = trustAnchors as IReadOnlyList<Certificate> ?? (trustAnchors ?? SystemTrustAnchors()).ToList();
        var ordered = CertificateChain.Order(certificates);
        var problems = new List<ChainProblem>();
        var path = ordered.Path;
        if (path.Count == 0)
            return new ChainValidationResult(ordered, null, time, [new ChainProblem(ChainStatus.IncompleteChain, -1, "no certificates")]);

        // Where does trust start? A certificate of the path that is itself an anchor, or an anchor above the top.
        Certificate? anchor = null;
        int end = path.Count;
        for (int i = 0; i < path.Count && anchor is null; i++)
        {
            var same = anchors.FirstOrDefault(a => SameCertificate(a, path[i]));
            if (same is not null) { anchor = same; end = i; }
        }
        if (anchor is null)
        {
            var top = path[^1];
            if (!top.IsSelfIssued)
                anchor = CertificateChain.BestIssuer(top, anchors);
        }
        // When a certificate of the path is itself trusted, it stands as the anchor: checks run below it.
        var checkedPath = path.Take(end).ToList();
        var issuers = new List<Certificate>(checkedPath.Skip(1));
        if (anchor is not null) issuers.Add(anchor);

        for (int i = 0; i < checkedPath.Count; i++)
        {
            var c = checkedPath[i];
            if (!c.IsComplete)
            {
                var first = c.Notes.FirstOrDefault(n => n.Severity == Common.Severity.Error);
                problems.Add(new(ChainStatus.Malformed, i, $"{Describe(c)} could not be read: {first.Message ?? "incomplete"}"));
            }
        }

        // Signatures, each with the key of the certificate above it.
        for (int i = 0; i < checkedPath.Count && i < issuers.Count; i++)
        {
            var child = checkedPath[i];
            var issuer = issuers[i];
            var check = child.VerifySignature(issuer);
            if (check is SignatureCheck.Invalid or SignatureCheck.KeyMismatch)
                problems.Add(new(ChainStatus.SignatureMismatch, i,
                    $"signature mismatch: the signature of {Describe(child)} does not verify with the key of {Describe(issuer)}"));
            else if (check == SignatureCheck.UnsupportedAlgorithm)
                problems.Add(new(ChainStatus.UnsupportedAlgorithm, i,
                    $"the signature of {Describe(child)} uses {child.SignatureAlgorithm?.Name}, which cannot be checked here"));
        }

        // Trust.
        if (anchor is null)
        {
            var top = path[^1];
            int topIndex = path.Count - 1;
            if (top.IsSelfIssued)
            {
                var self = top.VerifySignature(top);
                if (self is SignatureCheck.Invalid or SignatureCheck.KeyMismatch)
                    problems.Add(new(ChainStatus.SignatureMismatch, topIndex, $"signature mismatch: the self-issued {Describe(top)} does not verify with its own key"));
                else if (path.Count == 1)
                    problems.Add(new(ChainStatus.SelfSigned, 0, $"self-signed: {Describe(top)} is self-signed and not a trust anchor"));
                else
                    problems.Add(new(ChainStatus.UnknownIssuer, topIndex,
                        $"unknown issuer: the chain ends at the self-signed root {Describe(top)}, which is not a trust anchor"));
            }
            else if (ordered.Unused.Count > 0 || path.Count == 1)
            {
                string given = ordered.Unused.Count > 0
                    ? $"; given but not linked: {string.Join(", ", ordered.Unused.Select(Describe))}"
                    : "";
                problems.Add(new(ChainStatus.IncompleteChain, topIndex,
                    $"incomplete chain: the issuer of {Describe(top)} ({top.Issuer}) was not sent and is not a trust anchor{given}"));
            }
            else
            {
                problems.Add(new(ChainStatus.UnknownIssuer, topIndex,
                    $"unknown issuer: the issuer of {Describe(top)} ({top.Issuer}) is not a trust anchor"));
            }
        }

        // Validity periods (the anchor's too, as OpenSSL and browsers check it).
        var timed = new List<(Certificate Cert, int Index)>(checkedPath.Select((c, i) => (c, i)));
        if (anchor is not null) timed.Add((anchor, checkedPath.Count));
        foreach (var (c, i) in timed)
        {
            if (c.NotBefore?.Value is not { } from || c.NotAfter?.Value is not { } to)
            {
                if (c.IsComplete) problems.Add(new(ChainStatus.Malformed, i, $"{Describe(c)} has no readable validity period"));
                continue;
            }
            if (time > to)
                problems.Add(new(ChainStatus.Expired, i, $"expired: {Describe(c)} expired at {Format(to)} (checked at {Format(time)})"));
            else if (time < from)
                problems.Add(new(ChainStatus.NotYetValid, i, $"not yet valid: {Describe(c)} is valid from {Format(from)} (checked at {Format(time)})"));
        }

        // Issuers must be CAs allowed to sign certificates, within their path length (RFC 5280 §6.1.4 (k), (l), (n)).
        for (int i = 1; i < checkedPath.Count; i++)
        {
            var ca = checkedPath[i];
            if (ca.RawVersion == 2 && !ca.IsCertificateAuthority)
                problems.Add(new(ChainStatus.NotCertificateAuthority, i, $"{Describe(ca)} issued {Describe(checkedPath[i - 1])} but is not a CA (basicConstraints)"));
            else if (ca.KeyUsage is { } ku && !ku.Has(KeyUsageFlags.KeyCertSign))
                problems.Add(new(ChainStatus.NotCertificateAuthority, i, $"{Describe(ca)} may not sign certificates (keyUsage lacks keyCertSign)"));
            int below = Enumerable.Range(1, i - 1).Count(j => !checkedPath[j].IsSelfIssued);
            if (ca.BasicConstraints?.PathLengthConstraint is { } max && below > max)
                problems.Add(new(ChainStatus.NotCertificateAuthority, i, $"{Describe(ca)} allows {max} intermediate CA{(max == 1 ? "" : "s")} below it, the chain has {below}"));
        }

        // Critical extensions nobody here understands.
        for (int i = 0; i < checkedPath.Count; i++)
            foreach (var x in checkedPath[i].Extensions.Where(x => x.Critical && !UnderstoodExtensions.Contains(x.Oid)))
                problems.Add(new(ChainStatus.UnhandledCriticalExtension, i, $"{Describe(checkedPath[i])} has the critical extension {x.Oid}, which is not understood"));

        if (hostName is not null && !path[0].MatchesHostName(hostName))
            problems.Add(new(ChainStatus.NameMismatch, 0, $"name mismatch: {Describe(path[0])} is not valid for {hostName} ({Names(path[0])})"));

        return new ChainValidationResult(ordered, anchor, time, Sort(problems));
    }

    /// <summary>
    /// The same question asked of .NET's <see cref="X509Chain"/> (custom root trust with the given anchors, the
    /// system store when null; no revocation checks), its status flags mapped to <see cref="ChainStatus"/>; the host
    /// name is checked with <see cref="Certificate.MatchesHostName"/>. Certificates the platform refuses to load
    /// give a <see cref="ChainStatus.Malformed"/> problem. Never throws.
    /// </summary>
    public static ChainValidationResult ValidateWithPlatform(IEnumerable<Certificate> certificates, DateTimeOffset time,
        IEnumerable<Certificate>? trustAnchors = null, string? hostName = null)
    {
        var ordered = CertificateChain.Order(certificates);
        var problems = new List<ChainProblem>();
        if (ordered.Path.Count == 0)
            return new ChainValidationResult(ordered, null, time, [new ChainProblem(ChainStatus.IncompleteChain, -1, "no certificates")]);
        var loaded = new List<X509Certificate2>();
        try
        {
            X509Certificate2? leaf = null;
            var extra = new X509Certificate2Collection();
            foreach (var c in ordered.Path.Concat(ordered.Unused))
            {
                var x = Load(c, problems, ordered.Path.ToList().IndexOf(c));
                if (x is null) continue;
                loaded.Add(x);
                if (ReferenceEquals(c, ordered.Path[0])) leaf = x;
                else extra.Add(x);
            }
            if (leaf is null) return new ChainValidationResult(ordered, null, time, Sort(problems));

            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = time.UtcDateTime;
            chain.ChainPolicy.VerificationTimeIgnored = false;
            chain.ChainPolicy.ExtraStore.AddRange(extra);
            if (trustAnchors is not null)
            {
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                foreach (var a in trustAnchors)
                    if (Load(a, problems, -1) is { } x) { loaded.Add(x); chain.ChainPolicy.CustomTrustStore.Add(x); }
            }
            chain.Build(leaf);

            Certificate? anchor = null;
            for (int i = 0; i < chain.ChainElements.Count; i++)
            {
                var element = chain.ChainElements[i];
                var cert = Certificate.Parse(element.Certificate.RawData);
                int index = i < ordered.Path.Count ? i : ordered.Path.Count;
                if (i == chain.ChainElements.Count - 1 && i > 0) anchor = cert;
                foreach (var s in element.ChainElementStatus)
                    if (Map(s, cert, time, i, chain.ChainElements.Count) is { } problem)
                        problems.Add(problem with { Index = index });
            }
            foreach (var s in chain.ChainStatus.Where(s => s.Status == X509ChainStatusFlags.PartialChain))
                problems.Add(new(ChainStatus.IncompleteChain, ordered.Path.Count - 1, "incomplete chain: " + s.StatusInformation.Trim()));
            if (hostName is not null && !ordered.Path[0].MatchesHostName(hostName))
                problems.Add(new(ChainStatus.NameMismatch, 0, $"name mismatch: {Describe(ordered.Path[0])} is not valid for {hostName} ({Names(ordered.Path[0])})"));
            var distinct = problems.DistinctBy(p => (p.Status, p.Index)).ToList();
            return new ChainValidationResult(ordered, anchor, time, Sort(distinct));
        }
        catch (CryptographicException e)
        {
            problems.Add(new(ChainStatus.Malformed, -1, "the platform could not build the chain: " + e.Message));
            return new ChainValidationResult(ordered, null, time, Sort(problems));
        }
        finally
        {
            foreach (var x in loaded) x.Dispose();
        }
    }

    private static readonly Lazy<IReadOnlyList<Certificate>> s_systemAnchors = new(LoadSystemTrustAnchors);

    /// <summary>
    /// The certificates of the system's root stores (current user and local machine), parsed once per process: a
    /// capture with thousands of connections checks every chain against the same anchors.
    /// </summary>
    public static IReadOnlyList<Certificate> SystemTrustAnchors() => s_systemAnchors.Value;

    private static IReadOnlyList<Certificate> LoadSystemTrustAnchors()
    {
        var result = new List<Certificate>();
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            try
            {
                using var store = new X509Store(StoreName.Root, location);
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                foreach (var x in store.Certificates)
                {
                    result.Add(Certificate.Parse(x.RawData));
                    x.Dispose();
                }
            }
            catch (CryptographicException)
            {
                // No such store here.
            }
        }
        return result;
    }

    private static X509Certificate2? Load(Certificate c, List<ChainProblem> problems, int index)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(c.Der.Span);
        }
        catch (CryptographicException e)
        {
            problems.Add(new(ChainStatus.Malformed, index, $"the platform could not load {Describe(c)}: {e.Message}"));
            return null;
        }
    }

    private static ChainProblem? Map(X509ChainStatus s, Certificate cert, DateTimeOffset time, int i, int count)
    {
        string info = s.StatusInformation.Trim();
        return s.Status switch
        {
            X509ChainStatusFlags.NoError => null,
            X509ChainStatusFlags.NotTimeValid when cert.NotBefore?.Value is { } from && time < from =>
                new(ChainStatus.NotYetValid, i, $"not yet valid: {Describe(cert)} is valid from {Format(from)} (checked at {Format(time)})"),
            X509ChainStatusFlags.NotTimeValid =>
                new(ChainStatus.Expired, i, $"expired: {Describe(cert)} expired at {(cert.NotAfter?.Value is { } to ? Format(to) : "?")} (checked at {Format(time)})"),
            X509ChainStatusFlags.NotSignatureValid => new(ChainStatus.SignatureMismatch, i, $"signature mismatch: {Describe(cert)}: {info}"),
            X509ChainStatusFlags.UntrustedRoot when count == 1 || (i == 0 && cert.IsSelfSigned) =>
                new(ChainStatus.SelfSigned, i, $"self-signed: {Describe(cert)} is self-signed and not a trust anchor"),
            X509ChainStatusFlags.UntrustedRoot => new(ChainStatus.UnknownIssuer, i, $"unknown issuer: {Describe(cert)}: {info}"),
            X509ChainStatusFlags.PartialChain => new(ChainStatus.IncompleteChain, i, $"incomplete chain: {info}"),
            X509ChainStatusFlags.InvalidBasicConstraints or X509ChainStatusFlags.NotValidForUsage =>
                new(ChainStatus.NotCertificateAuthority, i, $"{Describe(cert)}: {info}"),
            X509ChainStatusFlags.HasNotSupportedCriticalExtension =>
                new(ChainStatus.UnhandledCriticalExtension, i, $"{Describe(cert)}: {info}"),
            X509ChainStatusFlags.RevocationStatusUnknown or X509ChainStatusFlags.OfflineRevocation => null,
            _ => new(ChainStatus.Malformed, i, $"{Describe(cert)}: {s.Status}: {info}"),
        };
    }

    private static List<ChainProblem> Sort(List<ChainProblem> problems) =>
        [.. problems.Select((p, n) => (p, n)).OrderBy(x => Array.IndexOf(Priority, x.p.Status)).ThenBy(x => x.n).Select(x => x.p)];

    private static bool SameCertificate(Certificate a, Certificate b) =>
        a.Der.Span.SequenceEqual(b.Der.Span)
        || (a.Subject is not null && b.Subject is not null && a.Subject.Matches(b.Subject)
            && a.PublicKey is not null && b.PublicKey is not null && a.PublicKey.Der.Span.SequenceEqual(b.PublicKey.Der.Span));

    private static string Describe(Certificate c) =>
        c.Subject?.CommonName is { } cn ? $"'{cn}'" : c.Subject is { IsEmpty: false } s ? $"'{s}'" : $"the certificate with serial {c.SerialNumberHex}";

    private static string Names(Certificate c)
    {
        var dns = c.SubjectAltName?.Names.Where(n => n.Kind is GeneralNameKind.DnsName or GeneralNameKind.IPAddress).Select(n => n.ToString()).ToList();
        return dns is { Count: > 0 } ? "it names " + string.Join(", ", dns) : $"its common name is {c.Subject?.CommonName ?? "absent"}";
    }

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
