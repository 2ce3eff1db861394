using HttpsFlow.Common;

namespace HttpsFlow.Tls.Handshake;

/// <summary>
/// A digitally-signed element: the signature of a ServerKeyExchange, a CertificateVerify, an SCT.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 5246 §4.7 and §7.4.1.4.1 (TLS 1.2); RFC 8446 §4.4.3 (TLS 1.3)
/// struct {
///     SignatureAndHashAlgorithm algorithm;    /* TLS 1.2 and 1.3 only (a SignatureScheme in 1.3) */
///     opaque signature&lt;0..2^16-1&gt;;
/// } DigitallySigned;
/// </code>
/// Before TLS 1.2 the algorithm is implied by the certificate and not on the wire.
/// </remarks>
public readonly ref struct DigitallySigned
{
    private DigitallySigned(ParseStatus status, bool hasAlgorithm, SignatureScheme algorithm, ReadOnlySpan<byte> signature)
    {
        Status = status;
        HasAlgorithm = hasAlgorithm;
        Algorithm = algorithm;
        Signature = signature;
    }

    public ParseStatus Status { get; }

    public bool HasAlgorithm { get; }

    public SignatureScheme Algorithm { get; }

    public ReadOnlySpan<byte> Signature { get; }

    /// <summary>Whether a connection of <paramref name="version"/> puts the algorithm on the wire (as tshark decides it).</summary>
    public static bool VersionHasAlgorithm(ushort version) => version is TlsVersion.Tls12 or TlsVersion.Tls13 or TlsVersion.Dtls12;

    internal static DigitallySigned Read(scoped ref WireReader r, scoped in TlsParseContext ctx, ushort version)
    {
        bool hasAlgorithm = VersionHasAlgorithm(version);
        ushort algorithm = 0;
        if (hasAlgorithm && !r.TryReadUInt16(out algorithm))
        {
            ctx.Truncated(r, "Signature Algorithm", 2);
            return new DigitallySigned(ParseStatus.Malformed, false, default, default);
        }
        bool whole = ctx.ReadVector16(ref r, 0, ushort.MaxValue, out var signature);
        return new DigitallySigned(whole ? ParseStatus.Ok : ParseStatus.Malformed, hasAlgorithm, new SignatureScheme(algorithm), signature.Rest);
    }
}

/// <summary>
/// A CertificateVerify body.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.4.3
/// struct {
///     SignatureScheme algorithm;
///     opaque signature&lt;0..2^16-1&gt;;
/// } CertificateVerify;
/// // RFC 5246 §7.4.8
/// struct {
///      digitally-signed struct {
///          opaque handshake_messages[handshake_messages_length];
///      }
/// } CertificateVerify;
/// </code>
/// </remarks>
public readonly ref struct CertificateVerify
{
    private CertificateVerify(DigitallySigned signed) => Signed = signed;

    public DigitallySigned Signed { get; }

    public ParseStatus Status => Signed.Status;

    public SignatureScheme Algorithm => Signed.Algorithm;

    public ReadOnlySpan<byte> Signature => Signed.Signature;

    public static CertificateVerify Parse(ReadOnlySpan<byte> body, ushort version, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(body, notes);
        var r = new WireReader(body);
        var signed = DigitallySigned.Read(ref r, ctx, version);
        if (signed.Status == ParseStatus.Ok) ctx.Trailing(r);
        return new CertificateVerify(signed);
    }
}

/// <summary>Which parameters a ServerKeyExchange or ClientKeyExchange turned out to hold.</summary>
public enum KeyExchangeForm : byte
{
    /// <summary>Not decoded (the key exchange algorithm is unknown or has no decoder, as in tshark).</summary>
    None,
    /// <summary>ServerECDHParams / ClientECDiffieHellmanPublic.</summary>
    Ecdh,
    /// <summary>ServerDHParams / ClientDiffieHellmanPublic.</summary>
    Dh,
    /// <summary>RSA-EXPORT ServerRSAParams / EncryptedPreMasterSecret.</summary>
    Rsa,
    /// <summary>psk_identity_hint / psk_identity (RFC 4279).</summary>
    Psk,
    /// <summary>RSA_PSK: psk_identity and EncryptedPreMasterSecret.</summary>
    RsaPsk,
}

/// <summary>
/// A ServerKeyExchange body, whose form depends on the negotiated cipher suite's key exchange.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8422 §5.4
/// enum { explicit_prime (1), explicit_char2 (2), named_curve (3), (255) } ECCurveType;
/// struct {
///     ECCurveType    curve_type;
///     select (curve_type) {
///         case named_curve:
///             NamedCurve namedcurve;
///     };
/// } ECParameters;
/// struct {
///     opaque point &lt;1..2^8-1&gt;;
/// } ECPoint;
/// struct {
///     ECParameters    curve_params;
///     ECPoint         public;
/// } ServerECDHParams;
///
/// // RFC 5246 §7.4.3
/// struct {
///     opaque dh_p&lt;1..2^16-1&gt;;
///     opaque dh_g&lt;1..2^16-1&gt;;
///     opaque dh_Ys&lt;1..2^16-1&gt;;
/// } ServerDHParams;     /* Ephemeral DH parameters */
/// struct {
///     select (KeyExchangeAlgorithm) {
///         case dh_anon:
///             ServerDHParams params;
///         case dhe_dss:
///         case dhe_rsa:
///             ServerDHParams params;
///             digitally-signed struct {
///                 opaque client_random[32];
///                 opaque server_random[32];
///                 ServerDHParams params;
///             } signed_params;
///         case rsa:                      /* RFC 2246 §7.4.3: RSA_EXPORT */
///             ServerRSAParams params;    /* opaque rsa_modulus&lt;1..2^16-1&gt;; opaque rsa_exponent&lt;1..2^16-1&gt; */
///             Signature signed_params;
///     };
/// } ServerKeyExchange;
///
/// // RFC 4279 §2
/// struct {
///     select (KeyExchangeAlgorithm) {
///         case psk:  /* NEW */
///             opaque psk_identity_hint&lt;0..2^16-1&gt;;
///     };
/// } ServerKeyExchange;
/// </code>
/// Only named curves are read further, as in tshark.
/// </remarks>
public readonly ref struct ServerKeyExchange
{
    private ServerKeyExchange(ParseStatus status, KeyExchangeForm form, byte curveType, NamedGroup curve, ReadOnlySpan<byte> point,
        ReadOnlySpan<byte> p, ReadOnlySpan<byte> g, ReadOnlySpan<byte> ys, ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent,
        ReadOnlySpan<byte> hint, DigitallySigned signature, bool hasSignature)
    {
        Status = status;
        Form = form;
        CurveType = curveType;
        NamedCurve = curve;
        Point = point;
        P = p;
        G = g;
        Ys = ys;
        Modulus = modulus;
        Exponent = exponent;
        PskIdentityHint = hint;
        Signature = signature;
        HasSignature = hasSignature;
    }

    public ParseStatus Status { get; }

    public KeyExchangeForm Form { get; }

    /// <summary>ECCurveType (3 named_curve).</summary>
    public byte CurveType { get; }

    /// <summary>The named curve (when <see cref="CurveType"/> is 3).</summary>
    public NamedGroup NamedCurve { get; }

    /// <summary>The server's ephemeral EC public point.</summary>
    public ReadOnlySpan<byte> Point { get; }

    public ReadOnlySpan<byte> P { get; }

    public ReadOnlySpan<byte> G { get; }

    public ReadOnlySpan<byte> Ys { get; }

    public ReadOnlySpan<byte> Modulus { get; }

    public ReadOnlySpan<byte> Exponent { get; }

    public ReadOnlySpan<byte> PskIdentityHint { get; }

    /// <summary>signed_params (not for anonymous key exchanges).</summary>
    public DigitallySigned Signature { get; }

    public bool HasSignature { get; }

    /// <param name="body">The message body (after the four-byte header).</param>
    /// <param name="kex">The negotiated suite's key exchange.</param>
    /// <param name="version">The connection's version: TLS 1.2 puts the signature algorithm on the wire.</param>
    /// <param name="notes">Where notes go; null for none.</param>
    public static ServerKeyExchange Parse(ReadOnlySpan<byte> body, KeyExchangeAlgorithm kex, ushort version, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(body, notes);
        var r = new WireReader(body);
        switch (kex)
        {
            case KeyExchangeAlgorithm.Ecdhe or KeyExchangeAlgorithm.Ecdh or KeyExchangeAlgorithm.EcdhAnon:
                return ReadEcdh(ref r, ctx, version, signed: kex != KeyExchangeAlgorithm.EcdhAnon);
            case KeyExchangeAlgorithm.Dhe or KeyExchangeAlgorithm.DhAnon:
                return ReadDh(ref r, ctx, version, signed: kex == KeyExchangeAlgorithm.Dhe);
            case KeyExchangeAlgorithm.Rsa:
                return ReadRsa(ref r, ctx, version);
            case KeyExchangeAlgorithm.Psk or KeyExchangeAlgorithm.RsaPsk:
            {
                // tshark shows the hint only when its length accounts for the whole body.
                var probe = r;
                if (probe.TryReadUInt16(out ushort hintLength) && 2 + hintLength == body.Length)
                {
                    probe.TryReadBytes(hintLength, out var hint);
                    return new ServerKeyExchange(ParseStatus.Ok, KeyExchangeForm.Psk, 0, default, default, default, default, default,
                        default, default, hint, default, false);
                }
                return None(ParseStatus.Ok);
            }
            default:
                return None(ParseStatus.Ok);
        }
    }

    private static ServerKeyExchange None(ParseStatus status) =>
        new(status, KeyExchangeForm.None, 0, default, default, default, default, default, default, default, default, default, false);

    private static ServerKeyExchange ReadEcdh(scoped ref WireReader r, scoped in TlsParseContext ctx, ushort version, bool signed)
    {
        if (!r.TryReadUInt8(out byte curveType))
        {
            ctx.Truncated(r, "Curve Type", 1);
            return None(ParseStatus.Malformed);
        }
        if (curveType != 3)
            return new ServerKeyExchange(ParseStatus.Ok, KeyExchangeForm.Ecdh, curveType, default, default, default, default, default,
                default, default, default, default, false);
        if (!r.TryReadUInt16(out ushort curve))
        {
            ctx.Truncated(r, "Named Curve", 2);
            return new ServerKeyExchange(ParseStatus.Malformed, KeyExchangeForm.Ecdh, curveType, default, default, default, default,
                default, default, default, default, default, false);
        }
        var group = new NamedGroup(curve);
        if (!ReadFixedVector8(ref r, ctx, "Pubkey", out var point))
            return new ServerKeyExchange(ParseStatus.Malformed, KeyExchangeForm.Ecdh, curveType, group, point, default, default,
                default, default, default, default, default, false);
        if (!signed)
        {
            ctx.Trailing(r);
            return new ServerKeyExchange(ParseStatus.Ok, KeyExchangeForm.Ecdh, curveType, group, point, default, default, default,
                default, default, default, default, false);
        }
        var signature = DigitallySigned.Read(ref r, ctx, version);
        if (signature.Status == ParseStatus.Ok) ctx.Trailing(r);
        return new ServerKeyExchange(signature.Status, KeyExchangeForm.Ecdh, curveType, group, point, default, default, default,
            default, default, default, signature, true);
    }

    private static ServerKeyExchange ReadDh(scoped ref WireReader r, scoped in TlsParseContext ctx, ushort version, bool signed)
    {
        ReadOnlySpan<byte> p = default, g = default, ys = default;
        bool ok = ReadFixedVector16(ref r, ctx, "p", out p) && ReadFixedVector16(ref r, ctx, "g", out g)
            && ReadFixedVector16(ref r, ctx, "pubkey", out ys);
        if (!ok || !signed)
        {
            if (ok) ctx.Trailing(r);
            return new ServerKeyExchange(ok ? ParseStatus.Ok : ParseStatus.Malformed, KeyExchangeForm.Dh, 0, default, default, p, g, ys,
                default, default, default, default, false);
        }
        var signature = DigitallySigned.Read(ref r, ctx, version);
        if (signature.Status == ParseStatus.Ok) ctx.Trailing(r);
        return new ServerKeyExchange(signature.Status, KeyExchangeForm.Dh, 0, default, default, p, g, ys, default, default, default,
            signature, true);
    }

    private static ServerKeyExchange ReadRsa(scoped ref WireReader r, scoped in TlsParseContext ctx, ushort version)
    {
        ReadOnlySpan<byte> modulus = default, exponent = default;
        bool ok = ReadFixedVector16(ref r, ctx, "Modulus", out modulus) && ReadFixedVector16(ref r, ctx, "Exponent", out exponent);
        if (!ok)
            return new ServerKeyExchange(ParseStatus.Malformed, KeyExchangeForm.Rsa, 0, default, default, default, default, default,
                modulus, exponent, default, default, false);
        var signature = DigitallySigned.Read(ref r, ctx, version);
        if (signature.Status == ParseStatus.Ok) ctx.Trailing(r);
        return new ServerKeyExchange(signature.Status, KeyExchangeForm.Rsa, 0, default, default, default, default, default,
            modulus, exponent, default, signature, true);
    }

    // tshark reads these lengths with plain accessors: a short vector is an exception, not a truncated vector.
    internal static bool ReadFixedVector8(scoped ref WireReader r, scoped in TlsParseContext ctx, string what, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!r.TryReadUInt8(out byte length))
        {
            ctx.Truncated(r, what + " Length", 1);
            return false;
        }
        if (r.TryReadBytes(length, out value)) return true;
        ctx.Truncated(r, what, length);
        r.TryReadBytes(r.Remaining, out value);
        return false;
    }

    internal static bool ReadFixedVector16(scoped ref WireReader r, scoped in TlsParseContext ctx, string what, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!r.TryReadUInt16(out ushort length))
        {
            ctx.Truncated(r, what + " Length", 2);
            return false;
        }
        if (r.TryReadBytes(length, out value)) return true;
        ctx.Truncated(r, what, length);
        r.TryReadBytes(r.Remaining, out value);
        return false;
    }
}

/// <summary>
/// A ClientKeyExchange body, whose form depends on the negotiated cipher suite's key exchange.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 5246 §7.4.7
/// struct {
///     select (KeyExchangeAlgorithm) {
///         case rsa:
///             EncryptedPreMasterSecret;    /* public-key-encrypted PreMasterSecret&lt;0..2^16-1&gt; */
///         case dhe_dss: case dhe_rsa: case dh_dss: case dh_rsa: case dh_anon:
///             ClientDiffieHellmanPublic;   /* opaque dh_Yc&lt;1..2^16-1&gt; (explicit) */
///     } exchange_keys;
/// } ClientKeyExchange;
/// // RFC 8422 §5.7
/// struct {
///     ECPoint ecdh_Yc;                     /* opaque point &lt;1..2^8-1&gt; */
/// } ClientECDiffieHellmanPublic;
/// // RFC 4279 §2, §4
/// opaque psk_identity&lt;0..2^16-1&gt;;        /* psk; rsa_psk adds EncryptedPreMasterSecret */
/// </code>
/// SSL 3.0 sends the RSA-encrypted premaster secret without its length (RFC 6101 §5.6.7.1).
/// </remarks>
public readonly ref struct ClientKeyExchange
{
    private ClientKeyExchange(ParseStatus status, KeyExchangeForm form, ReadOnlySpan<byte> point, ReadOnlySpan<byte> yc,
        ReadOnlySpan<byte> epms, ReadOnlySpan<byte> identity)
    {
        Status = status;
        Form = form;
        Point = point;
        Yc = yc;
        EncryptedPreMasterSecret = epms;
        PskIdentity = identity;
    }

    public ParseStatus Status { get; }

    public KeyExchangeForm Form { get; }

    /// <summary>The client's ephemeral EC public point.</summary>
    public ReadOnlySpan<byte> Point { get; }

    /// <summary>The client's DH public value.</summary>
    public ReadOnlySpan<byte> Yc { get; }

    public ReadOnlySpan<byte> EncryptedPreMasterSecret { get; }

    public ReadOnlySpan<byte> PskIdentity { get; }

    public static ClientKeyExchange Parse(ReadOnlySpan<byte> body, KeyExchangeAlgorithm kex, ushort version, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(body, notes);
        var r = new WireReader(body);
        bool ok;
        switch (kex)
        {
            case KeyExchangeAlgorithm.Ecdhe or KeyExchangeAlgorithm.Ecdh or KeyExchangeAlgorithm.EcdhAnon:
            {
                ok = ServerKeyExchange.ReadFixedVector8(ref r, ctx, "Pubkey", out var point);
                if (ok) ctx.Trailing(r);
                return new ClientKeyExchange(Of(ok), KeyExchangeForm.Ecdh, point, default, default, default);
            }
            case KeyExchangeAlgorithm.Dhe or KeyExchangeAlgorithm.Dh or KeyExchangeAlgorithm.DhAnon:
            {
                ok = ServerKeyExchange.ReadFixedVector16(ref r, ctx, "Pubkey", out var yc);
                if (ok) ctx.Trailing(r);
                return new ClientKeyExchange(Of(ok), KeyExchangeForm.Dh, default, yc, default, default);
            }
            case KeyExchangeAlgorithm.Rsa:
            {
                if (version is TlsVersion.Ssl2 or TlsVersion.Ssl3 or TlsVersion.Dtls10OpenSsl)
                    return new ClientKeyExchange(ParseStatus.Ok, KeyExchangeForm.Rsa, default, default, body, default);
                ok = ServerKeyExchange.ReadFixedVector16(ref r, ctx, "Encrypted PreMaster", out var epms);
                if (ok) ctx.Trailing(r);
                return new ClientKeyExchange(Of(ok), KeyExchangeForm.Rsa, default, default, epms, default);
            }
            case KeyExchangeAlgorithm.Psk:
            {
                ok = ServerKeyExchange.ReadFixedVector16(ref r, ctx, "PSK Identity", out var identity);
                if (ok) ctx.Trailing(r);
                return new ClientKeyExchange(Of(ok), KeyExchangeForm.Psk, default, default, default, identity);
            }
            case KeyExchangeAlgorithm.RsaPsk:
            {
                ReadOnlySpan<byte> identity = default, epms = default;
                ok = ServerKeyExchange.ReadFixedVector16(ref r, ctx, "PSK Identity", out identity)
                    && ServerKeyExchange.ReadFixedVector16(ref r, ctx, "Encrypted PreMaster", out epms);
                if (ok) ctx.Trailing(r);
                return new ClientKeyExchange(Of(ok), KeyExchangeForm.RsaPsk, default, default, epms, identity);
            }
            default:
                return new ClientKeyExchange(ParseStatus.Ok, KeyExchangeForm.None, default, default, default, default);
        }
    }

    private static ParseStatus Of(bool ok) => ok ? ParseStatus.Ok : ParseStatus.Malformed;
}

/// <summary>The key exchange of a cipher suite, read from the generated registry's decomposition of IANA's name.</summary>
public static class KeyExchangeAlgorithms
{
    /// <summary>
    /// ECDHE, DHE, RSA (RSA_EXPORT included), DH/ECDH (fixed, or anonymous when authentication is "anon"), the PSK
    /// family, SRP, KRB5; <see cref="KeyExchangeAlgorithm.Tls13"/> for a TLS 1.3 suite; Unknown for an unregistered
    /// value, a signalling value or NULL.
    /// </summary>
    public static KeyExchangeAlgorithm ForCipherSuite(CipherSuite suite)
    {
        if (Registry.CipherSuites.Get(suite.Value) is not { } info) return KeyExchangeAlgorithm.Unknown;
        bool anon = info.Authentication == "anon";
        return info.KeyExchange switch
        {
            "any" => KeyExchangeAlgorithm.Tls13,
            "ECDHE" => KeyExchangeAlgorithm.Ecdhe,
            "DHE" => KeyExchangeAlgorithm.Dhe,
            "RSA" => KeyExchangeAlgorithm.Rsa,
            "DH" => anon ? KeyExchangeAlgorithm.DhAnon : KeyExchangeAlgorithm.Dh,
            "ECDH" => anon ? KeyExchangeAlgorithm.EcdhAnon : KeyExchangeAlgorithm.Ecdh,
            "PSK" => KeyExchangeAlgorithm.Psk,
            "RSA_PSK" => KeyExchangeAlgorithm.RsaPsk,
            "DHE_PSK" => KeyExchangeAlgorithm.DhePsk,
            "ECDHE_PSK" => KeyExchangeAlgorithm.EcdhePsk,
            "SRP_SHA" => KeyExchangeAlgorithm.Srp,
            "KRB5" => KeyExchangeAlgorithm.Krb5,
            _ => KeyExchangeAlgorithm.Unknown,
        };
    }
}
