using System.Formats.Asn1;

namespace HttpsFlow.X509;

/// <summary>
/// basicConstraints (RFC 5280 §4.2.1.9):
/// <code>
/// BasicConstraints ::= SEQUENCE {
///      cA                      BOOLEAN DEFAULT FALSE,
///      pathLenConstraint       INTEGER (0..MAX) OPTIONAL }
/// </code>
/// </summary>
public sealed class BasicConstraintsExtension : ParsedExtension
{
    internal BasicConstraintsExtension(bool certificateAuthority, bool caEncoded, int? pathLength)
    {
        CertificateAuthority = certificateAuthority;
        CaEncoded = caEncoded;
        PathLengthConstraint = pathLength;
    }

    /// <summary>cA: whether the subject is a CA.</summary>
    public bool CertificateAuthority { get; }

    /// <summary>Whether the cA BOOLEAN is present in the encoding (DER leaves out FALSE).</summary>
    public bool CaEncoded { get; }

    /// <summary>pathLenConstraint; null when absent (no limit). Values above int.MaxValue read as int.MaxValue.</summary>
    public int? PathLengthConstraint { get; }

    public override string ToString() =>
        $"CA:{(CertificateAuthority ? "TRUE" : "FALSE")}{(PathLengthConstraint is { } p ? $", pathlen:{p}" : "")}";

    internal static ParsedExtension? Parse(ref ValueReader r)
    {
        if (!r.Sequence("BasicConstraints", out var seq)) return null;
        var inner = r.Enter(seq);
        bool ca = false, caEncoded = false;
        int? pathLength = null;
        if (inner.NextIs(Asn1Tag.Boolean))
        {
            if (!inner.Read("cA", out var caTlv) || !inner.Boolean("cA", caTlv, out ca)) return null;
            caEncoded = true;
        }
        if (inner.NextIs(Asn1Tag.Integer))
        {
            if (!inner.Read("pathLenConstraint", out var pTlv) || !inner.Integer("pathLenConstraint", pTlv, out var p)) return null;
            if (p.Sign < 0) { r.Fail($"pathLenConstraint {p} is negative", pTlv.Range); return null; }
            pathLength = p > int.MaxValue ? int.MaxValue : (int)p;
        }
        if (!inner.ExpectEnd("BasicConstraints") || !r.ExpectEnd("BasicConstraints")) return null;
        return new BasicConstraintsExtension(ca, caEncoded, pathLength);
    }
}
