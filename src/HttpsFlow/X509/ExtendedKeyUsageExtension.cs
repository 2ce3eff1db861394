namespace HttpsFlow.X509;

/// <summary>
/// extKeyUsage (RFC 5280 §4.2.1.12):
/// <code>
/// ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
/// KeyPurposeId ::= OBJECT IDENTIFIER
/// </code>
/// </summary>
public sealed class ExtendedKeyUsageExtension : ParsedExtension
{
    internal ExtendedKeyUsageExtension(IReadOnlyList<string> purposes) => Purposes = purposes;

    /// <summary>The purposes' OIDs, in encoding order.</summary>
    public IReadOnlyList<string> Purposes { get; }

    /// <summary>The purposes' tshark names (<c>id-kp-serverAuth</c>, <c>OCSPSigning</c>), or numbers.</summary>
    public IReadOnlyList<string> PurposeNames => [.. Purposes.Select(Oids.NameOf)];

    public bool Allows(string purposeOid) => Purposes.Contains(purposeOid) || Purposes.Contains(Oids.AnyExtendedKeyUsage);

    public override string ToString() => string.Join(", ", PurposeNames);

    internal static ParsedExtension? Parse(ref ValueReader r)
    {
        if (!r.Sequence("KeyPurposeIDs", out var seq)) return null;
        var inner = r.Enter(seq);
        var purposes = new List<string>();
        while (inner.HasData)
        {
            if (!inner.Oid("KeyPurposeId", out string oid, out _)) return null;
            purposes.Add(oid);
        }
        if (!r.ExpectEnd("KeyPurposeIDs")) return null;
        return new ExtendedKeyUsageExtension(purposes);
    }
}
