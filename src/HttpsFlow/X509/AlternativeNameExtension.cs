namespace HttpsFlow.X509;

/// <summary>
/// subjectAltName and issuerAltName (RFC 5280 §4.2.1.6, §4.2.1.7):
/// <code>
/// SubjectAltName ::= GeneralNames
/// GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName
/// </code>
/// </summary>
public sealed class AlternativeNameExtension : ParsedExtension
{
    internal AlternativeNameExtension(IReadOnlyList<GeneralName> names) => Names = names;

    /// <summary>Every name, in encoding order.</summary>
    public IReadOnlyList<GeneralName> Names { get; }

    public IEnumerable<string> DnsNames => Of(GeneralNameKind.DnsName);

    public IEnumerable<System.Net.IPAddress> IPAddresses =>
        Names.Where(n => n.Kind == GeneralNameKind.IPAddress && n.IPAddress is not null).Select(n => n.IPAddress!);

    public IEnumerable<string> EmailAddresses => Of(GeneralNameKind.Rfc822Name);

    public IEnumerable<string> Uris => Of(GeneralNameKind.Uri);

    /// <summary>Names that are not DNS names, IP addresses, e-mail addresses or URIs.</summary>
    public IEnumerable<GeneralName> Others => Names.Where(n => n.Kind is not (GeneralNameKind.DnsName or GeneralNameKind.IPAddress
        or GeneralNameKind.Rfc822Name or GeneralNameKind.Uri));

    private IEnumerable<string> Of(GeneralNameKind kind) => Names.Where(n => n.Kind == kind).Select(n => n.Value);

    public override string ToString() => string.Join(", ", Names);

    internal static ParsedExtension? Parse(ref ValueReader r, byte[] der)
    {
        if (!r.Sequence("GeneralNames", out var seq)) return null;
        var names = NameReader.ReadGeneralNames(ref r, seq, der, "GeneralName");
        if (names is null || !r.ExpectEnd("GeneralNames")) return null;
        if (names.Count == 0) { r.Fail("GeneralNames is empty (RFC 5280 §4.2.1.6: SIZE (1..MAX))", seq.Range); return null; }
        return new AlternativeNameExtension(names);
    }
}
