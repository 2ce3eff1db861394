using System.Formats.Asn1;
using System.Numerics;
using HttpsFlow.Common;

namespace HttpsFlow.X509;

/// <summary>Reads a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) and the key inside it (RFC 3279, RFC 5480, RFC 8410).</summary>
internal static class PublicKeyReader
{
    private const string Pkcs1 = "pkcs1";

    public static SubjectPublicKeyInfo? Read(byte[] der, Tlv spki, CertificateParser parser)
    {
        var problem = new ReadProblem();
        var outer = new ValueReader(der, spki.Start, spki.End, problem);
        if (!outer.Sequence("subjectPublicKeyInfo", out _)) { parser.Report(problem, "x509af", "subjectPublicKeyInfo"); return null; }
        var r = outer.Enter(spki);
        var algorithm = AlgorithmReader.Read(ref r, der, "subjectPublicKeyInfo algorithm");
        if (algorithm is null) { parser.Report(problem, "x509af", "subjectPublicKeyInfo"); return null; }
        if (!r.Read("subjectPublicKey", Asn1Tag.PrimitiveBitString, out var bitTlv)
            || !r.BitString("subjectPublicKey", bitTlv, out var key, out int unused)
            || !r.ExpectEnd("subjectPublicKeyInfo"))
        {
            parser.Report(problem, "x509af", "subjectPublicKeyInfo");
            return null;
        }
        var info = new SubjectPublicKeyInfo(algorithm, new ReadOnlyMemory<byte>(der, spki.Start, spki.Length), spki.Range)
        {
            PublicKey = key,
            UnusedBits = unused,
            PublicKeyRange = bitTlv.Range,
        };
        if (unused != 0)
            parser.Note(Severity.Warning, "Malformed", "x509af", $"subjectPublicKey has {unused} unused bits", bitTlv.Range);

        // The key's own structure, where there is one. The BIT STRING is primitive: its bits start one byte in.
        var keyProblem = new ReadProblem();
        var k = new ValueReader(der, bitTlv.ContentOffset + 1, bitTlv.End, keyProblem);
        switch (info.Type)
        {
            case PublicKeyType.Rsa or PublicKeyType.RsaPss:
                info = Rsa(ref k, info, der) ?? info;
                break;
            case PublicKeyType.Ec:
                info = Ec(keyProblem, info, der);
                break;
            case PublicKeyType.Dsa:
                info = Dsa(info, der, keyProblem);
                break;
            case PublicKeyType.Ed25519 or PublicKeyType.X25519 or PublicKeyType.Ed448 or PublicKeyType.X448:
            {
                int expected = info.Type switch { PublicKeyType.Ed25519 or PublicKeyType.X25519 => 32, PublicKeyType.Ed448 => 57, _ => 56 };
                if (key.Length != expected)
                    keyProblem.Fail($"a {info.Type} key of {key.Length} bytes (RFC 8410: {expected})", bitTlv.Range);
                if (!algorithm.Parameters.IsEmpty)
                    parser.Note(Severity.Warning, "Malformed", "x509af", $"{algorithm.Name} with parameters (RFC 8410 §3: absent)", algorithm.ParametersRange);
                info = With(info, info.Type switch { PublicKeyType.Ed448 => 456, PublicKeyType.X448 => 448, _ => 256 });
                break;
            }
        }
        parser.Report(keyProblem, Pkcs1, "subjectPublicKey");
        return info;
    }

    private static SubjectPublicKeyInfo With(SubjectPublicKeyInfo i, int bits, ReadOnlyMemory<byte>? modulus = null, BigInteger? exponent = null,
        ByteRange modulusRange = default, ByteRange exponentRange = default, string? curveOid = null, string? curveName = null) =>
        new(i.Algorithm, i.Der, i.Range)
        {
            PublicKey = i.PublicKey,
            UnusedBits = i.UnusedBits,
            PublicKeyRange = i.PublicKeyRange,
            KeySizeBits = bits,
            RsaModulus = modulus ?? i.RsaModulus,
            RsaExponent = exponent ?? i.RsaExponent,
            RsaModulusRange = modulus is null ? i.RsaModulusRange : modulusRange,
            RsaExponentRange = exponent is null ? i.RsaExponentRange : exponentRange,
            CurveOid = curveOid ?? i.CurveOid,
            CurveName = curveName ?? i.CurveName,
        };

    /// <summary>RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 3279 §2.3.1).</summary>
    private static SubjectPublicKeyInfo? Rsa(ref ValueReader k, SubjectPublicKeyInfo info, byte[] der)
    {
        if (!k.Sequence("RSAPublicKey", out var seq)) return null;
        var r = k.Enter(seq);
        if (!r.Read("modulus", Asn1Tag.Integer, out var n) || !r.Read("publicExponent", Asn1Tag.Integer, out var e)) return null;
        if (!r.Integer("publicExponent", e, out var exponent) || !r.ExpectEnd("RSAPublicKey") || !k.ExpectEnd("RSAPublicKey")) return null;
        var modulus = n.Content(der);
        if (modulus.Length == 0 || (modulus[0] & 0x80) != 0) { k.Fail("the RSA modulus is negative", n.Range); return null; }
        return With(info, BitLength(modulus), new ReadOnlyMemory<byte>(der, n.ContentOffset, n.ContentLength), exponent, n.Range, e.Range);
    }

    /// <summary>ECParameters ::= CHOICE { namedCurve OBJECT IDENTIFIER, implicitCurve NULL, specifiedCurve … } (RFC 5480 §2.1.1).</summary>
    private static SubjectPublicKeyInfo Ec(ReadProblem problem, SubjectPublicKeyInfo info, byte[] der)
    {
        var p = info.Algorithm.Parameters;
        var point = info.PublicKey.Span;
        int fromPoint = point.Length == 0 ? 0 : point[0] == 4 ? (point.Length - 1) / 2 * 8 : (point.Length - 1) * 8;
        if (point.Length == 0 || point[0] is not (2 or 3 or 4))
            problem.Fail("the EC point is not 02, 03 or 04 followed by its coordinates (SEC 1 §2.3.3)", info.PublicKeyRange);
        if (p.IsEmpty)
        {
            problem.Fail("id-ecPublicKey without parameters (RFC 5480 §2.1.1: required)", info.Algorithm.Range);
            return With(info, fromPoint);
        }
        var r = new ValueReader(der, info.Algorithm.ParametersRange.Offset, info.Algorithm.ParametersRange.End, problem);
        if (p.Span[0] == 0x06)
        {
            if (!r.Oid("namedCurve", out string curve, out _)) return With(info, fromPoint);
            int bits = curve switch
            {
                "1.2.840.10045.3.1.1" => 192,
                "1.3.132.0.33" => 224,
                Oids.Secp256r1 or "1.3.132.0.10" or "1.3.36.3.3.2.8.1.1.7" => 256,
                Oids.Secp384r1 or "1.3.36.3.3.2.8.1.1.11" => 384,
                "1.3.36.3.3.2.8.1.1.13" => 512,
                Oids.Secp521r1 => 521,
                _ => fromPoint,
            };
            return With(info, bits, curveOid: curve, curveName: Oids.NameOf(curve));
        }
        if (p.Span[0] == 0x05) return With(info, fromPoint, curveName: "implicitlyCA");
        return With(info, fromPoint, curveName: "explicit parameters");
    }

    /// <summary>Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER } (RFC 3279 §2.3.2): the size is p's.</summary>
    private static SubjectPublicKeyInfo Dsa(SubjectPublicKeyInfo info, byte[] der, ReadProblem problem)
    {
        if (info.Algorithm.Parameters.IsEmpty) return info;
        var r = new ValueReader(der, info.Algorithm.ParametersRange.Offset, info.Algorithm.ParametersRange.End, problem);
        if (!r.Sequence("Dss-Parms", out var seq)) return info;
        var s = r.Enter(seq);
        if (!s.Read("p", Asn1Tag.Integer, out var pTlv)) return info;
        return With(info, BitLength(pTlv.Content(der)));
    }

    /// <summary>Bit length of a non-negative big-endian integer.</summary>
    internal static int BitLength(ReadOnlySpan<byte> value)
    {
        int i = value.IndexOfAnyExcept((byte)0);
        if (i < 0) return 0;
        return (value.Length - i - 1) * 8 + 32 - BitOperations.LeadingZeroCount((uint)value[i]);
    }
}
