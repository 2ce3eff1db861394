using HttpsFlow.Common;
using HttpsFlow.Tls.Extensions;

namespace HttpsFlow.Tls.Handshake;

/// <summary>
/// A CertificateRequest body: TLS 1.0–1.2's certificate types, (TLS 1.2) signature algorithms and certificate
/// authorities; or TLS 1.3's request context and extensions.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 5246 §7.4.4
/// enum {
///     rsa_sign(1), dss_sign(2), rsa_fixed_dh(3), dss_fixed_dh(4),
///     rsa_ephemeral_dh_RESERVED(5), dss_ephemeral_dh_RESERVED(6),
///     fortezza_dms_RESERVED(20), (255)
/// } ClientCertificateType;
/// opaque DistinguishedName&lt;1..2^16-1&gt;;
/// struct {
///     ClientCertificateType certificate_types&lt;1..2^8-1&gt;;
///     SignatureAndHashAlgorithm supported_signature_algorithms&lt;2^16-1&gt;;   /* TLS 1.2 only */
///     DistinguishedName certificate_authorities&lt;0..2^16-1&gt;;
/// } CertificateRequest;
///
/// // RFC 8446 §4.3.2
/// struct {
///     opaque certificate_request_context&lt;0..2^8-1&gt;;
///     Extension extensions&lt;2..2^16-1&gt;;
/// } CertificateRequest;
/// </code>
/// </remarks>
public readonly ref struct CertificateRequest
{
    private CertificateRequest(ParseStatus status, bool isTls13, ReadOnlySpan<byte> types, ReadOnlySpan<byte> algorithms,
        bool hasAlgorithms, ReadOnlySpan<byte> authorities, ReadOnlySpan<byte> context, ExtensionList extensions)
    {
        Status = status;
        IsTls13 = isTls13;
        CertificateTypes = types;
        SignatureAlgorithms = new List16<SignatureScheme>(algorithms);
        HasSignatureAlgorithms = hasAlgorithms;
        CertificateAuthoritiesBytes = authorities;
        RequestContext = context;
        Extensions = extensions;
    }

    public ParseStatus Status { get; }

    public bool IsTls13 { get; }

    /// <summary>ClientCertificateType values, one byte each (before TLS 1.3).</summary>
    public ReadOnlySpan<byte> CertificateTypes { get; }

    /// <summary>supported_signature_algorithms (TLS 1.2).</summary>
    public List16<SignatureScheme> SignatureAlgorithms { get; }

    public bool HasSignatureAlgorithms { get; }

    public ReadOnlySpan<byte> CertificateAuthoritiesBytes { get; }

    /// <summary>The acceptable CAs' DER DistinguishedNames (before TLS 1.3; in 1.3 see the certificate_authorities extension).</summary>
    public OpaqueList CertificateAuthorities => new(CertificateAuthoritiesBytes, 2);

    /// <summary>certificate_request_context (TLS 1.3).</summary>
    public ReadOnlySpan<byte> RequestContext { get; }

    /// <summary>The extensions (TLS 1.3: signature_algorithms is required, RFC 8446 §4.3.2).</summary>
    public ExtensionList Extensions { get; }

    /// <param name="body">The message body (after the four-byte header).</param>
    /// <param name="version">The connection's version: TLS 1.3 uses the second form; only TLS 1.2 has supported_signature_algorithms.</param>
    /// <param name="notes">Where notes go; null for none.</param>
    public static CertificateRequest Parse(ReadOnlySpan<byte> body, ushort version, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(body, notes);
        var r = new WireReader(body);
        if (version == TlsVersion.Tls13)
        {
            if (!ctx.ReadVector8(ref r, 0, byte.MaxValue, out var context))
                return new CertificateRequest(ParseStatus.Malformed, true, default, default, false, default, context.Rest, ExtensionList.None);
            var extensions = ExtensionList.Read(ref r, ctx);
            if (extensions.Status == ParseStatus.Ok) ctx.Trailing(r);
            return new CertificateRequest(extensions.Status, true, default, default, false, default, context.Rest, extensions);
        }

        if (!ctx.ReadVector8(ref r, 1, byte.MaxValue, out var types))
            return new CertificateRequest(ParseStatus.Malformed, false, types.Rest, default, false, default, default, ExtensionList.None);
        ReadOnlySpan<byte> algorithms = default;
        bool hasAlgorithms = version is TlsVersion.Tls12 or TlsVersion.Dtls12;
        if (hasAlgorithms && !SignatureAlgorithmsExtension.ReadList(ref r, ctx, out algorithms))
            return new CertificateRequest(ParseStatus.Malformed, false, types.Rest, algorithms, true, default, default, ExtensionList.None);

        // tls_dissect_certificate_authorities
        if (!ctx.ReadVector16(ref r, 0, ushort.MaxValue, out var names))
            return new CertificateRequest(ParseStatus.Malformed, false, types.Rest, algorithms, hasAlgorithms, names.Rest, default, ExtensionList.None);
        var nameBytes = names.Rest;
        var status = ParseStatus.Ok;
        while (!names.IsEmpty)
        {
            if (!ctx.ReadVector16(ref names, 1, ushort.MaxValue, out _))
            {
                status = ParseStatus.Malformed;
                break;
            }
        }
        if (status == ParseStatus.Ok) ctx.Trailing(r);
        return new CertificateRequest(status, false, types.Rest, algorithms, hasAlgorithms, nameBytes, default, ExtensionList.None);
    }
}
