using System.Formats.Asn1;

namespace HttpsFlow.X509;

/// <summary>A policy qualifier: a CPS URI (id-qt-cps) or a user notice's text (id-qt-unotice).</summary>
/// <param name="Oid">policyQualifierId.</param>
/// <param name="Value">The CPS URI, or the user notice's explicitText (with its organization when it has a
/// noticeRef); #hex of the encoding for other qualifiers.</param>
public sealed record PolicyQualifier(string Oid, string Value)
{
    public string Name => Oids.NameOf(Oid);
}

/// <summary>One PolicyInformation.</summary>
public sealed record PolicyInformation(string Oid, IReadOnlyList<PolicyQualifier> Qualifiers)
{
    /// <summary>tshark's name (<c>anyPolicy</c>), the CA/Browser Forum's (<c>domain-validated</c>), or the number.</summary>
    public string Name => Oids.NameOf(Oid);
}

/// <summary>
/// certificatePolicies (RFC 5280 §4.2.1.4):
/// <code>
/// certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
/// PolicyInformation ::= SEQUENCE {
///      policyIdentifier   CertPolicyId,
///      policyQualifiers   SEQUENCE SIZE (1..MAX) OF PolicyQualifierInfo OPTIONAL }
/// PolicyQualifierInfo ::= SEQUENCE {
///      policyQualifierId  PolicyQualifierId,
///      qualifier          ANY DEFINED BY policyQualifierId }
/// UserNotice ::= SEQUENCE { noticeRef NoticeReference OPTIONAL, explicitText DisplayText OPTIONAL }
/// NoticeReference ::= SEQUENCE { organization DisplayText, noticeNumbers SEQUENCE OF INTEGER }
/// </code>
/// </summary>
public sealed class CertificatePoliciesExtension : ParsedExtension
{
    internal CertificatePoliciesExtension(IReadOnlyList<PolicyInformation> policies) => Policies = policies;

    public IReadOnlyList<PolicyInformation> Policies { get; }

    public IEnumerable<string> PolicyOids => Policies.Select(p => p.Oid);

    public override string ToString() => string.Join(", ", Policies.Select(p => p.Oid));

    internal static ParsedExtension? Parse(ref ValueReader r)
    {
        if (!r.Sequence("CertificatePoliciesSyntax", out var seq)) return null;
        var inner = r.Enter(seq);
        var policies = new List<PolicyInformation>();
        while (inner.HasData)
        {
            if (!inner.Sequence("PolicyInformation", out var piTlv)) return null;
            var pi = inner.Enter(piTlv);
            if (!pi.Oid("policyIdentifier", out string oid, out _)) return null;
            var qualifiers = new List<PolicyQualifier>();
            if (pi.HasData)
            {
                if (!pi.Sequence("policyQualifiers", out var qsTlv)) return null;
                var qs = pi.Enter(qsTlv);
                while (qs.HasData)
                {
                    if (!qs.Sequence("PolicyQualifierInfo", out var qTlv)) return null;
                    var q = qs.Enter(qTlv);
                    if (!q.Oid("policyQualifierId", out string qid, out _)) return null;
                    if (!q.Read("qualifier", out var valueTlv)) return null;
                    string? value = qid switch
                    {
                        Oids.CpsQualifier => DisplayText(ref q, valueTlv),
                        Oids.UserNoticeQualifier => UserNotice(ref q, valueTlv),
                        _ => "#" + Convert.ToHexStringLower(valueTlv.Bytes(q.Der)),
                    };
                    if (value is null || !q.ExpectEnd("PolicyQualifierInfo")) return null;
                    qualifiers.Add(new PolicyQualifier(qid, value));
                }
            }
            if (!pi.ExpectEnd("PolicyInformation")) return null;
            policies.Add(new PolicyInformation(oid, qualifiers));
        }
        if (!r.ExpectEnd("CertificatePoliciesSyntax")) return null;
        return new CertificatePoliciesExtension(policies);
    }

    private static string? UserNotice(ref ValueReader q, Tlv tlv)
    {
        if (!tlv.IsUniversal(UniversalTagNumber.Sequence)) { q.Fail("UserNotice is not a SEQUENCE", tlv.Range); return null; }
        var notice = q.Enter(tlv);
        string? organization = null, text = null;
        if (notice.NextIs(Asn1Tag.Sequence))
        {
            if (!notice.Sequence("noticeRef", out var refTlv)) return null;
            var nr = notice.Enter(refTlv);
            if (!nr.Read("organization", out var orgTlv)) return null;
            organization = DisplayText(ref nr, orgTlv);
            if (organization is null) return null;
        }
        if (notice.HasData)
        {
            if (!notice.Read("explicitText", out var textTlv)) return null;
            text = DisplayText(ref notice, textTlv);
            if (text is null) return null;
        }
        if (!notice.ExpectEnd("UserNotice")) return null;
        return organization is null ? text ?? "" : $"{organization}: {text}";
    }

    /// <summary>DisplayText ::= CHOICE { ia5String, visibleString, bmpString, utf8String } (RFC 5280 §4.2.1.4).</summary>
    private static string? DisplayText(ref ValueReader r, Tlv tlv)
    {
        if (tlv.Tag.TagClass != TagClass.Universal || !Der.IsStringType((UniversalTagNumber)tlv.Tag.TagValue))
        {
            r.Fail($"DisplayText: expected a string, found {ValueReader.Describe(tlv.Tag)}", tlv.Range);
            return null;
        }
        return r.String("DisplayText", tlv, (UniversalTagNumber)tlv.Tag.TagValue, out var s) ? s : null;
    }
}
