namespace HttpsFlow.X509;

/// <summary>One AccessDescription: how (<see cref="Method"/>) and where (<see cref="Location"/>).</summary>
public sealed record AccessDescription(string Method, GeneralName Location)
{
    /// <summary>tshark's name of the method (<c>id-ad-ocsp</c>, <c>id-ad-caIssuers</c>).</summary>
    public string MethodName => Oids.NameOf(Method);
}

/// <summary>
/// authorityInfoAccess and subjectInfoAccess (RFC 5280 §4.2.2.1, §4.2.2.2):
/// <code>
/// AuthorityInfoAccessSyntax  ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
/// AccessDescription  ::=  SEQUENCE {
///         accessMethod          OBJECT IDENTIFIER,
///         accessLocation        GeneralName  }
/// </code>
/// </summary>
public sealed class AuthorityInfoAccessExtension : ParsedExtension
{
    internal AuthorityInfoAccessExtension(IReadOnlyList<AccessDescription> descriptions) => Descriptions = descriptions;

    public IReadOnlyList<AccessDescription> Descriptions { get; }

    /// <summary>URIs of the OCSP responders (id-ad-ocsp).</summary>
    public IEnumerable<string> OcspUris => UrisOf(Oids.Ocsp);

    /// <summary>URIs where the issuer's certificate can be fetched (id-ad-caIssuers).</summary>
    public IEnumerable<string> CaIssuersUris => UrisOf(Oids.CaIssuers);

    private IEnumerable<string> UrisOf(string method) =>
        Descriptions.Where(d => d.Method == method && d.Location.Kind == GeneralNameKind.Uri).Select(d => d.Location.Value);

    public override string ToString() => string.Join(", ", Descriptions.Select(d => $"{d.MethodName} - {d.Location}"));

    internal static ParsedExtension? Parse(ref ValueReader r, byte[] der)
    {
        if (!r.Sequence("AuthorityInfoAccessSyntax", out var seq)) return null;
        var inner = r.Enter(seq);
        var list = new List<AccessDescription>();
        while (inner.HasData)
        {
            if (!inner.Sequence("AccessDescription", out var adTlv)) return null;
            var ad = inner.Enter(adTlv);
            if (!ad.Oid("accessMethod", out string method, out _)) return null;
            var location = NameReader.ReadGeneralName(ref ad, der, "accessLocation");
            if (location is null || !ad.ExpectEnd("AccessDescription")) return null;
            list.Add(new AccessDescription(method, location));
        }
        if (!r.ExpectEnd("AuthorityInfoAccessSyntax")) return null;
        return new AuthorityInfoAccessExtension(list);
    }
}
