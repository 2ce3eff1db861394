using System.Formats.Asn1;

namespace HttpsFlow.X509;

/// <summary>One DistributionPoint; any part may be absent.</summary>
public sealed record DistributionPoint(
    IReadOnlyList<GeneralName>? FullName,
    RelativeDistinguishedName? NameRelativeToCrlIssuer,
    ReadOnlyMemory<byte>? Reasons,
    IReadOnlyList<GeneralName>? CrlIssuer);

/// <summary>
/// cRLDistributionPoints and freshestCRL (RFC 5280 §4.2.1.13, §4.2.1.15):
/// <code>
/// CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
/// DistributionPoint ::= SEQUENCE {
///      distributionPoint       [0]     DistributionPointName OPTIONAL,
///      reasons                 [1]     ReasonFlags OPTIONAL,
///      cRLIssuer               [2]     GeneralNames OPTIONAL }
/// DistributionPointName ::= CHOICE {
///      fullName                [0]     GeneralNames,
///      nameRelativeToCRLIssuer [1]     RelativeDistinguishedName }
/// </code>
/// </summary>
public sealed class CrlDistributionPointsExtension : ParsedExtension
{
    internal CrlDistributionPointsExtension(IReadOnlyList<DistributionPoint> points) => Points = points;

    public IReadOnlyList<DistributionPoint> Points { get; }

    /// <summary>Every URI of every full name, in encoding order.</summary>
    public IEnumerable<string> Uris => Points.SelectMany(p => p.FullName ?? []).Where(n => n.Kind == GeneralNameKind.Uri).Select(n => n.Value);

    public override string ToString() => string.Join(", ", Points.SelectMany(p => p.FullName ?? []));

    internal static ParsedExtension? Parse(ref ValueReader r, byte[] der)
    {
        if (!r.Sequence("CRLDistPointsSyntax", out var seq)) return null;
        var inner = r.Enter(seq);
        var points = new List<DistributionPoint>();
        while (inner.HasData)
        {
            if (!inner.Sequence("DistributionPoint", out var dpTlv)) return null;
            var dp = inner.Enter(dpTlv);
            List<GeneralName>? fullName = null, crlIssuer = null;
            RelativeDistinguishedName? relative = null;
            byte[]? reasons = null;
            if (dp.NextIsContext(0))
            {
                if (!dp.Read("distributionPoint", new Asn1Tag(TagClass.ContextSpecific, 0, true), out var dpnTlv)) return null;
                var dpn = dp.Enter(dpnTlv);
                if (!dpn.Read("DistributionPointName", out var choice)) return null;
                if (choice.IsContext(0) && choice.Tag.IsConstructed)
                {
                    fullName = NameReader.ReadGeneralNames(ref dpn, choice, der, "fullName");
                    if (fullName is null) return null;
                }
                else if (choice.IsContext(1) && choice.Tag.IsConstructed)
                {
                    // [1] IMPLICIT: the RDN's SET tag is replaced by [1].
                    relative = NameReader.ReadRdn(ref dpn, choice, der, out bool complete);
                    if (!complete) return null;
                }
                else
                {
                    r.Fail($"DistributionPointName: expected [0] or [1], found {ValueReader.Describe(choice.Tag)}", choice.Range);
                    return null;
                }
                if (!dpn.ExpectEnd("DistributionPointName")) return null;
            }
            if (dp.NextIsContext(1))
            {
                if (!dp.Read("reasons", new Asn1Tag(TagClass.ContextSpecific, 1), out var t) || !dp.BitString("reasons", t, out reasons, out _)) return null;
            }
            if (dp.NextIsContext(2))
            {
                if (!dp.Read("cRLIssuer", new Asn1Tag(TagClass.ContextSpecific, 2, true), out var t)) return null;
                crlIssuer = NameReader.ReadGeneralNames(ref dp, t, der, "cRLIssuer");
                if (crlIssuer is null) return null;
            }
            if (!dp.ExpectEnd("DistributionPoint")) return null;
            points.Add(new DistributionPoint(fullName, relative, reasons is null ? (ReadOnlyMemory<byte>?)null : reasons, crlIssuer));
        }
        if (!r.ExpectEnd("CRLDistPointsSyntax")) return null;
        return new CrlDistributionPointsExtension(points);
    }
}
