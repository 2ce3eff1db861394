using System.Security.Cryptography;
using HttpsFlow.Common;

namespace HttpsFlow.X509;

/// <summary>
/// An X.509 v3 certificate (RFC 5280 §4.1), read from its DER by <see cref="Parse(ReadOnlySpan{byte})"/>:
/// <code>
/// Certificate  ::=  SEQUENCE  {
///      tbsCertificate       TBSCertificate,
///      signatureAlgorithm   AlgorithmIdentifier,
///      signatureValue       BIT STRING  }
/// TBSCertificate  ::=  SEQUENCE  {
///      version         [0]  EXPLICIT Version DEFAULT v1,
///      serialNumber         CertificateSerialNumber,
///      signature            AlgorithmIdentifier,
///      issuer               Name,
///      validity             Validity,
///      subject              Name,
///      subjectPublicKeyInfo SubjectPublicKeyInfo,
///      issuerUniqueID  [1]  IMPLICIT UniqueIdentifier OPTIONAL,
///      subjectUniqueID [2]  IMPLICIT UniqueIdentifier OPTIONAL,
///      extensions      [3]  EXPLICIT Extensions OPTIONAL }
/// </code>
/// Parsing never throws. A damaged certificate yields every part that could be read, null for the rest, and
/// <see cref="Notes"/> that say what was wrong and where. The DER is kept, and every part knows its
/// <see cref="ByteRange"/> in it.
/// </summary>
public sealed class Certificate
{
    private byte[]? _sha1;
    private byte[]? _sha256;
    private bool? _selfSigned;

    internal Certificate(byte[] der) => Der = der;

    /// <summary>Reads a certificate from DER bytes (copied). Never throws.</summary>
    public static Certificate Parse(ReadOnlySpan<byte> der) => CertificateParser.Parse(der.ToArray());

    /// <summary>Reads a certificate from DER bytes (copied). Never throws.</summary>
    public static Certificate Parse(byte[] der) => Parse(der.AsSpan());

    /// <summary>Every CERTIFICATE block of a PEM text (RFC 7468), in order. Blocks whose base64 is damaged are left
    /// out. Never throws.</summary>
    public static IReadOnlyList<Certificate> ParsePem(string pem) => [.. Pem.Certificates(pem).Select(d => CertificateParser.Parse(d))];

    /// <summary>The certificate's bytes as given (the outer SEQUENCE and anything after it).</summary>
    public ReadOnlyMemory<byte> Der { get; }

    /// <summary>What was wrong with the encoding or the content, in the order it was met.</summary>
    public IReadOnlyList<CertificateNote> Notes { get; internal set; } = [];

    /// <summary>Whether any note is an error: something could not be read.</summary>
    public bool HasErrors => Notes.Any(n => n.Severity == Severity.Error);

    /// <summary>Whether every mandatory part was read (it may still have notes).</summary>
    public bool IsComplete { get; internal set; }

    /// <summary>The outer Certificate SEQUENCE.</summary>
    public ByteRange Range { get; internal set; }

    /// <summary>The TBSCertificate SEQUENCE: the bytes the signature covers.</summary>
    public ByteRange TbsRange { get; internal set; }

    /// <summary>The version as encoded: 0 for v1, 1 for v2, 2 for v3 (tshark's <c>x509af.version</c>); 0 when absent
    /// (DEFAULT v1); null when it could not be read.</summary>
    public int? RawVersion { get; internal set; }

    /// <summary>The version as people count it: 1, 2 or 3.</summary>
    public int Version => (RawVersion ?? 0) + 1;

    /// <summary>Whether the version field is present in the encoding (v1 certificates usually leave it out).</summary>
    public bool VersionEncoded { get; internal set; }

    /// <summary>The [0] version TLV; empty when absent.</summary>
    public ByteRange VersionRange { get; internal set; }

    /// <summary>The serial number's INTEGER contents as encoded (a leading zero byte included).</summary>
    public ReadOnlyMemory<byte> SerialNumber { get; internal set; }

    /// <summary>The serial number in lower-case hex, as tshark's <c>x509af.serialNumber</c> (<c>19e678ae…</c>).</summary>
    public string SerialNumberHex => Convert.ToHexStringLower(SerialNumber.Span);

    public ByteRange SerialNumberRange { get; internal set; }

    /// <summary>The TBSCertificate's signature field; it must equal <see cref="SignatureAlgorithm"/>.</summary>
    public AlgorithmIdentifier? TbsSignatureAlgorithm { get; internal set; }

    public DistinguishedName? Issuer { get; internal set; }

    /// <summary>The Validity SEQUENCE.</summary>
    public ByteRange ValidityRange { get; internal set; }

    public CertificateTime? NotBefore { get; internal set; }

    public CertificateTime? NotAfter { get; internal set; }

    public DistinguishedName? Subject { get; internal set; }

    public SubjectPublicKeyInfo? PublicKey { get; internal set; }

    public ReadOnlyMemory<byte>? IssuerUniqueId { get; internal set; }

    public ReadOnlyMemory<byte>? SubjectUniqueId { get; internal set; }

    /// <summary>The [3] extensions TLV; empty when there are none.</summary>
    public ByteRange ExtensionsRange { get; internal set; }

    /// <summary>The extensions in encoding order, each with its raw value and what it was parsed as.</summary>
    public IReadOnlyList<CertificateExtension> Extensions { get; internal set; } = [];

    /// <summary>The outer signatureAlgorithm.</summary>
    public AlgorithmIdentifier? SignatureAlgorithm { get; internal set; }

    /// <summary>The signatureValue BIT STRING's bits (tshark's <c>x509af.encrypted</c>).</summary>
    public ReadOnlyMemory<byte> SignatureValue { get; internal set; }

    public ByteRange SignatureValueRange { get; internal set; }

    /// <summary>The first extension with this OID, or null.</summary>
    public CertificateExtension? FindExtension(string oid) => Extensions.FirstOrDefault(e => e.Oid == oid);

    /// <summary>The first extension parsed as <typeparamref name="T"/>, or null (also when it was malformed).</summary>
    public T? GetExtension<T>() where T : ParsedExtension => Extensions.Select(e => e.Parsed).OfType<T>().FirstOrDefault();

    public AlternativeNameExtension? SubjectAltName => FindExtension(Oids.SubjectAltName)?.Parsed as AlternativeNameExtension;

    public BasicConstraintsExtension? BasicConstraints => GetExtension<BasicConstraintsExtension>();

    public KeyUsageExtension? KeyUsage => GetExtension<KeyUsageExtension>();

    public ExtendedKeyUsageExtension? ExtendedKeyUsage => GetExtension<ExtendedKeyUsageExtension>();

    public AuthorityKeyIdentifierExtension? AuthorityKeyIdentifier => GetExtension<AuthorityKeyIdentifierExtension>();

    public SubjectKeyIdentifierExtension? SubjectKeyIdentifier => GetExtension<SubjectKeyIdentifierExtension>();

    public AuthorityInfoAccessExtension? AuthorityInfoAccess => FindExtension(Oids.AuthorityInfoAccess)?.Parsed as AuthorityInfoAccessExtension;

    public CrlDistributionPointsExtension? CrlDistributionPoints => FindExtension(Oids.CrlDistributionPoints)?.Parsed as CrlDistributionPointsExtension;

    public CertificatePoliciesExtension? CertificatePolicies => GetExtension<CertificatePoliciesExtension>();

    public SctListExtension? SignedCertificateTimestamps => FindExtension(Oids.SctList)?.Parsed as SctListExtension;

    /// <summary>Whether basicConstraints says this is a CA.</summary>
    public bool IsCertificateAuthority => BasicConstraints?.CertificateAuthority ?? false;

    /// <summary>SHA-1 of the DER (what browsers show as the SHA-1 fingerprint).</summary>
    public ReadOnlySpan<byte> Sha1Fingerprint => _sha1 ??= SHA1.HashData(FingerprintBytes);

    /// <summary>SHA-256 of the DER.</summary>
    public ReadOnlySpan<byte> Sha256Fingerprint => _sha256 ??= SHA256.HashData(FingerprintBytes);

    private ReadOnlySpan<byte> FingerprintBytes => Range.IsEmpty ? Der.Span : Range.Of(Der.Span);

    /// <summary>Bytes as <c>openssl x509 -fingerprint</c> writes them: upper-case hex pairs joined by colons.</summary>
    public static string FormatFingerprint(ReadOnlySpan<byte> bytes) => string.Join(':', Convert.ToHexString(bytes).Chunk(2).Select(c => new string(c)));

    /// <summary>Whether issuer and subject are the same name (RFC 5280 §6.1's self-issued).</summary>
    public bool IsSelfIssued => Subject is not null && Issuer is not null && Subject.Matches(Issuer);

    /// <summary>Self-issued and its signature verifies with its own key.</summary>
    public bool IsSelfSigned => _selfSigned ??= IsSelfIssued && VerifySignature(this) == SignatureCheck.Valid;

    /// <summary>Checks this certificate's signature with <paramref name="issuer"/>'s public key.</summary>
    public SignatureCheck VerifySignature(Certificate issuer) => SignatureVerifier.Verify(this, issuer.PublicKey);

    /// <summary>Checks this certificate's signature with a public key.</summary>
    public SignatureCheck VerifySignature(SubjectPublicKeyInfo publicKey) => SignatureVerifier.Verify(this, publicKey);

    /// <summary>
    /// Whether the certificate is for <paramref name="host"/> (RFC 6125 §6): subjectAltName DNS names take
    /// precedence, the most specific common name is used only when there are none; a wildcard is allowed only as the
    /// whole leftmost label and matches exactly one label; IP addresses match iPAddress names only.
    /// </summary>
    public bool MatchesHostName(string host) => HostNameMatcher.Matches(this, host);

    /// <summary>Whether <paramref name="time"/> lies within notBefore..notAfter, both included (RFC 5280
    /// §4.1.2.5); false when either could not be read.</summary>
    public bool ValidAt(DateTimeOffset time) =>
        NotBefore?.Value is { } from && NotAfter?.Value is { } to && time >= from && time <= to;

    public override string ToString() =>
        $"{Subject?.ToString() ?? "(no subject)"} (issuer {Issuer?.ToString() ?? "?"}, serial {SerialNumberHex})";
}

/// <summary>The outcome of checking a certificate's signature.</summary>
public enum SignatureCheck : byte
{
    Valid,
    /// <summary>The signature does not match the key and the signed bytes.</summary>
    Invalid,
    /// <summary>The algorithm cannot be checked here (EdDSA, SHA-224, PSS with a salt length .NET cannot use, …).</summary>
    UnsupportedAlgorithm,
    /// <summary>The key does not fit the algorithm, or could not be loaded.</summary>
    KeyMismatch,
    /// <summary>The certificate lacks the signed part, the algorithm or the signature.</summary>
    Incomplete,
}
