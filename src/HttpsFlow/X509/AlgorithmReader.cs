using System.Formats.Asn1;
using System.Numerics;

namespace HttpsFlow.X509;

/// <summary>Reads AlgorithmIdentifiers (RFC 5280 §4.1.1.2), with RSASSA-PSS parameters (RFC 4055 §3.1).</summary>
internal static class AlgorithmReader
{
    private static readonly Asn1Tag Tag0 = new(TagClass.ContextSpecific, 0, true);
    private static readonly Asn1Tag Tag1 = new(TagClass.ContextSpecific, 1, true);
    private static readonly Asn1Tag Tag2 = new(TagClass.ContextSpecific, 2, true);
    private static readonly Asn1Tag Tag3 = new(TagClass.ContextSpecific, 3, true);

    /// <summary>The AlgorithmIdentifier SEQUENCE that <paramref name="r"/> is at; null when it cannot be read.</summary>
    public static AlgorithmIdentifier? Read(ref ValueReader r, byte[] der, string what)
    {
        if (!r.Sequence(what, out var seq)) return null;
        var a = r.Enter(seq);
        if (!a.Oid($"{what} algorithm", out string oid, out var oidTlv)) return null;
        ReadOnlyMemory<byte> parameters = ReadOnlyMemory<byte>.Empty;
        ByteRange parametersRange = default;
        Tlv paramTlv = default;
        if (a.HasData)
        {
            if (!a.Read($"{what} parameters", out paramTlv)) return null;
            parameters = new ReadOnlyMemory<byte>(der, paramTlv.Start, paramTlv.Length);
            parametersRange = paramTlv.Range;
        }
        if (!a.ExpectEnd(what)) return null;

        RsaPssParameters? pss = null;
        var nested = new List<string>();
        if (oid == Oids.RsassaPss)
        {
            if (parameters.IsEmpty) pss = null; // RFC 4055 §3.1: absent in a SubjectPublicKeyInfo means "any"
            else if (paramTlv.IsUniversal(UniversalTagNumber.Sequence))
            {
                pss = ReadPss(ref a, paramTlv, der, what, nested);
                if (pss is null) return null;
            }
            else
            {
                r.Fail($"{what}: RSASSA-PSS-params is not a SEQUENCE", paramTlv.Range);
                return null;
            }
        }
        return new AlgorithmIdentifier(oid, seq.Range, oidTlv.Range, parameters, parametersRange)
        {
            Pss = pss,
            NestedAlgorithmOids = nested,
        };
    }

    private static RsaPssParameters? ReadPss(ref ValueReader a, Tlv paramTlv, byte[] der, string what, List<string> nested)
    {
        var p = a.Enter(paramTlv);
        var result = RsaPssParameters.Defaults;
        if (p.NextIs(Tag0))
        {
            if (!p.Read($"{what} hashAlgorithm", Tag0, out var t)) return null;
            var inner = p.Enter(t);
            var hash = Read(ref inner, der, $"{what} hashAlgorithm");
            if (hash is null) return null;
            nested.Add(hash.Oid);
            result = result with { HashOid = hash.Oid };
        }
        if (p.NextIs(Tag1))
        {
            if (!p.Read($"{what} maskGenAlgorithm", Tag1, out var t)) return null;
            var inner = p.Enter(t);
            var mgf = Read(ref inner, der, $"{what} maskGenAlgorithm");
            if (mgf is null) return null;
            nested.Add(mgf.Oid);
            result = result with { MaskGenOid = mgf.Oid };
            if (mgf.Oid == Oids.Mgf1 && !mgf.Parameters.IsEmpty)
            {
                var mr = new ValueReader(der, mgf.ParametersRange.Offset, mgf.ParametersRange.End, p.Problem);
                var mgfHash = Read(ref mr, der, $"{what} MGF1 hash");
                if (mgfHash is null) return null;
                nested.Add(mgfHash.Oid);
                result = result with { MaskGenHashOid = mgfHash.Oid };
            }
        }
        if (p.NextIs(Tag2))
        {
            if (!p.Read($"{what} saltLength", Tag2, out var t) || !IntegerInside(ref p, t, $"{what} saltLength", out int salt)) return null;
            result = result with { SaltLength = salt };
        }
        if (p.NextIs(Tag3))
        {
            if (!p.Read($"{what} trailerField", Tag3, out var t) || !IntegerInside(ref p, t, $"{what} trailerField", out int trailer)) return null;
            result = result with { TrailerField = trailer };
        }
        return p.ExpectEnd("RSASSA-PSS-params") ? result : null;
    }

    private static bool IntegerInside(ref ValueReader outer, Tlv explicitTlv, string what, out int value)
    {
        value = 0;
        var r = outer.Enter(explicitTlv);
        if (!r.Read(what, Asn1Tag.Integer, out var t) || !r.Integer(what, t, out BigInteger v)) return false;
        if (v < 0 || v > int.MaxValue) return r.Fail($"{what} {v} is out of range", t.Range);
        value = (int)v;
        return r.ExpectEnd(what);
    }
}
