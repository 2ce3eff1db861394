using System.Security.Cryptography;

namespace HttpsFlow.X509;

/// <summary>
/// An AlgorithmIdentifier (RFC 5280 §4.1.1.2):
/// <code>
/// AlgorithmIdentifier  ::=  SEQUENCE  {
///      algorithm               OBJECT IDENTIFIER,
///      parameters              ANY DEFINED BY algorithm OPTIONAL  }
/// </code>
/// </summary>
public sealed class AlgorithmIdentifier
{
    internal AlgorithmIdentifier(string oid, ByteRange range, ByteRange oidRange, ReadOnlyMemory<byte> parameters, ByteRange parametersRange)
    {
        Oid = oid;
        Range = range;
        OidRange = oidRange;
        Parameters = parameters;
        ParametersRange = parametersRange;
    }

    /// <summary>Dotted decimal (<c>1.2.840.113549.1.1.11</c>).</summary>
    public string Oid { get; }

    /// <summary>The name tshark shows (<c>sha256WithRSAEncryption</c>, <c>ecdsa-with-SHA256</c>, <c>id-RSASSA-PSS</c>),
    /// the RFC's where tshark has none (<c>id-Ed25519</c>), else the number.</summary>
    public string Name => Oids.NameOf(Oid);

    /// <summary>The parameters' whole TLV (a NULL for RSA, a curve OID for EC keys); empty when absent.</summary>
    public ReadOnlyMemory<byte> Parameters { get; }

    /// <summary>True when the parameters are an ASN.1 NULL (05 00).</summary>
    public bool HasNullParameters => Parameters.Length == 2 && Parameters.Span[0] == 0x05 && Parameters.Span[1] == 0;

    /// <summary>The whole SEQUENCE.</summary>
    public ByteRange Range { get; }

    public ByteRange OidRange { get; }

    public ByteRange ParametersRange { get; }

    /// <summary>For <c>id-RSASSA-PSS</c> (RFC 4055 §3.1), its parameters, defaults filled in; null otherwise or when unreadable.</summary>
    public RsaPssParameters? Pss { get; internal init; }

    /// <summary>The OIDs of the AlgorithmIdentifiers nested in the parameters (PSS's hash, mask generation function
    /// and its hash), in encoding order: tshark lists them as <c>x509af.algorithm.id</c> too.</summary>
    public IReadOnlyList<string> NestedAlgorithmOids { get; internal init; } = [];

    /// <summary>For a signature algorithm: the hash it signs with (SHA-256 for sha256WithRSAEncryption and
    /// ecdsa-with-SHA256, PSS's hashAlgorithm); null for EdDSA, unknown algorithms and hashes .NET has no name for.</summary>
    public HashAlgorithmName? SignatureHash => Oid switch
    {
        Oids.Md5WithRsa => HashAlgorithmName.MD5,
        Oids.Sha1WithRsa or Oids.EcdsaWithSha1 or "1.2.840.10040.4.3" or "1.3.14.3.2.29" => HashAlgorithmName.SHA1,
        Oids.Sha256WithRsa or Oids.EcdsaWithSha256 or "2.16.840.1.101.3.4.3.2" => HashAlgorithmName.SHA256,
        Oids.Sha384WithRsa or Oids.EcdsaWithSha384 => HashAlgorithmName.SHA384,
        Oids.Sha512WithRsa or Oids.EcdsaWithSha512 => HashAlgorithmName.SHA512,
        Oids.RsassaPss => Pss is { } p ? HashByOid(p.HashOid) : null,
        _ => null,
    };

    internal static HashAlgorithmName? HashByOid(string oid) => oid switch
    {
        "1.2.840.113549.2.5" => HashAlgorithmName.MD5,
        Oids.Sha1 => HashAlgorithmName.SHA1,
        Oids.Sha256 => HashAlgorithmName.SHA256,
        Oids.Sha384 => HashAlgorithmName.SHA384,
        Oids.Sha512 => HashAlgorithmName.SHA512,
        _ => null,
    };

    public override string ToString() => $"{Oid} ({Name})";
}

/// <summary>
/// RSASSA-PSS-params (RFC 4055 §3.1); absent fields have their defaults (SHA-1, MGF1 with SHA-1, 20, 1).
/// <code>
/// RSASSA-PSS-params  ::=  SEQUENCE  {
///     hashAlgorithm      [0] HashAlgorithm DEFAULT sha1Identifier,
///     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
///     saltLength         [2] INTEGER DEFAULT 20,
///     trailerField       [3] INTEGER DEFAULT 1  }
/// </code>
/// </summary>
public sealed record RsaPssParameters(string HashOid, string MaskGenOid, string MaskGenHashOid, int SaltLength, int TrailerField)
{
    public static readonly RsaPssParameters Defaults = new(Oids.Sha1, Oids.Mgf1, Oids.Sha1, 20, 1);
}
