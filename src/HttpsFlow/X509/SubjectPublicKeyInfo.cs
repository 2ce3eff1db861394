using System.Numerics;
using System.Security.Cryptography;

namespace HttpsFlow.X509;

/// <summary>The kind of a subject public key, from its algorithm.</summary>
public enum PublicKeyType : byte
{
    Unknown,
    /// <summary>rsaEncryption (RFC 3279 §2.3.1).</summary>
    Rsa,
    /// <summary>id-RSASSA-PSS (RFC 4055 §1.2): an RSA key restricted to PSS signatures.</summary>
    RsaPss,
    /// <summary>id-ecPublicKey (RFC 5480).</summary>
    Ec,
    Dsa,
    DiffieHellman,
    /// <summary>RFC 8410.</summary>
    Ed25519,
    Ed448,
    X25519,
    X448,
}

/// <summary>
/// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7):
/// <code>
/// SubjectPublicKeyInfo  ::=  SEQUENCE  {
///      algorithm            AlgorithmIdentifier,
///      subjectPublicKey     BIT STRING  }
/// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }   -- RFC 3279 §2.3.1
/// ECPoint ::= OCTET STRING (the BIT STRING's bits), parameters namedCurve OBJECT IDENTIFIER  -- RFC 5480 §2
/// </code>
/// </summary>
public sealed class SubjectPublicKeyInfo
{
    internal SubjectPublicKeyInfo(AlgorithmIdentifier algorithm, ReadOnlyMemory<byte> der, ByteRange range)
    {
        Algorithm = algorithm;
        Der = der;
        Range = range;
    }

    public AlgorithmIdentifier Algorithm { get; }

    public PublicKeyType Type => Algorithm.Oid switch
    {
        Oids.RsaEncryption => PublicKeyType.Rsa,
        Oids.RsassaPss => PublicKeyType.RsaPss,
        Oids.EcPublicKey or "1.3.132.1.12" or "1.2.840.10045.2.13" => PublicKeyType.Ec,
        Oids.Dsa => PublicKeyType.Dsa,
        "1.2.840.10046.2.1" => PublicKeyType.DiffieHellman,
        Oids.Ed25519 => PublicKeyType.Ed25519,
        Oids.Ed448 => PublicKeyType.Ed448,
        Oids.X25519 => PublicKeyType.X25519,
        Oids.X448 => PublicKeyType.X448,
        _ => PublicKeyType.Unknown,
    };

    /// <summary>The SubjectPublicKeyInfo's whole TLV (what HPKP-style pins hash).</summary>
    public ReadOnlyMemory<byte> Der { get; }

    public ByteRange Range { get; }

    /// <summary>The subjectPublicKey BIT STRING's bits: an RSAPublicKey, an EC point, the raw EdDSA key.</summary>
    public ReadOnlyMemory<byte> PublicKey { get; internal init; }

    /// <summary>Unused bits in the BIT STRING's last byte (0 in any sane certificate).</summary>
    public int UnusedBits { get; internal init; }

    /// <summary>The subjectPublicKey BIT STRING's TLV.</summary>
    public ByteRange PublicKeyRange { get; internal init; }

    /// <summary>RSA modulus as encoded, its leading zero byte included when there is one (tshark's
    /// <c>pkcs1.modulus</c>); null for other keys.</summary>
    public ReadOnlyMemory<byte>? RsaModulus { get; internal init; }

    /// <summary>RSA public exponent (65537 almost always); null for other keys.</summary>
    public BigInteger? RsaExponent { get; internal init; }

    /// <summary>The modulus INTEGER's TLV.</summary>
    public ByteRange RsaModulusRange { get; internal init; }

    public ByteRange RsaExponentRange { get; internal init; }

    /// <summary>For EC keys, the named curve's OID (RFC 5480 namedCurve); null for explicit parameters and other keys.</summary>
    public string? CurveOid { get; internal init; }

    /// <summary>For EC keys, tshark's curve name (<c>secp256r1</c>), the number of a curve it does not know,
    /// <c>explicit parameters</c> or <c>implicitlyCA</c> (RFC 3279 §2.3.5); null for other keys.</summary>
    public string? CurveName { get; internal init; }

    /// <summary>The curve's NIST name where it has one (<c>P-256</c>).</summary>
    public string? CurveNistName => CurveOid is { } c && Oids.Find(c) is { ShortName: { } s } && s.StartsWith("P-", StringComparison.Ordinal) ? s : null;

    /// <summary>For EC keys, the point as encoded (04 || X || Y uncompressed, 02/03 || X compressed).</summary>
    public ReadOnlyMemory<byte>? EcPoint => Type == PublicKeyType.Ec ? PublicKey : (ReadOnlyMemory<byte>?)null;

    /// <summary>
    /// Key size in bits: an RSA modulus's bit length, a curve's field size (256 for P-256, 521 for P-521), a DSA
    /// prime's bit length, 256 for Ed25519 and X25519, 456 for Ed448, 448 for X448; 0 when unknown.
    /// </summary>
    public int KeySizeBits { get; internal init; }

    /// <summary>SHA-256 of the SubjectPublicKeyInfo, base64 (RFC 7469's pin-sha256).</summary>
    public string PinSha256 => Convert.ToBase64String(SHA256.HashData(Der.Span));

    public override string ToString() => Type switch
    {
        PublicKeyType.Rsa or PublicKeyType.RsaPss => $"{Algorithm.Name} {KeySizeBits} bit",
        PublicKeyType.Ec => $"{Algorithm.Name} {CurveName} {KeySizeBits} bit",
        _ => $"{Algorithm.Name}{(KeySizeBits > 0 ? $" {KeySizeBits} bit" : "")}",
    };
}
