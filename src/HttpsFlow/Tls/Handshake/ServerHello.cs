using HttpsFlow.Common;
using HttpsFlow.Tls.Extensions;

namespace HttpsFlow.Tls.Handshake;

/// <summary>
/// A ServerHello body, which in TLS 1.3 may be a HelloRetryRequest (recognised by its random).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.1.3
/// struct {
///     ProtocolVersion legacy_version = 0x0303;    /* TLS v1.2 */
///     Random random;
///     opaque legacy_session_id_echo&lt;0..32&gt;;
///     CipherSuite cipher_suite;
///     uint8 legacy_compression_method = 0;
///     Extension extensions&lt;6..2^16-1&gt;;
/// } ServerHello;
/// </code>
/// "For reasons of backward compatibility with middleboxes the HelloRetryRequest message uses the same structure as
/// the ServerHello, but with Random set to the special value of the SHA-256 of 'HelloRetryRequest'" (RFC 8446 §4.1.3).
/// </remarks>
public readonly ref struct ServerHello
{
    /// <summary>SHA-256("HelloRetryRequest"), the random of a HelloRetryRequest (RFC 8446 §4.1.3).</summary>
    public static ReadOnlySpan<byte> HelloRetryRequestRandom =>
    [
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    ];

    /// <summary>The last eight bytes of a TLS 1.3 server's random when it negotiates TLS 1.2 (RFC 8446 §4.1.3).</summary>
    public static ReadOnlySpan<byte> DowngradeTls12 => [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01];

    /// <summary>The same, when it negotiates TLS 1.1 or below.</summary>
    public static ReadOnlySpan<byte> DowngradeTls11 => [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00];

    private ServerHello(ParseStatus status, ushort version, ReadOnlySpan<byte> random, ReadOnlySpan<byte> sessionId,
        CipherSuite suite, byte compression, bool hasSuite, ExtensionList extensions)
    {
        Status = status;
        LegacyVersion = version;
        Random = random;
        SessionId = sessionId;
        CipherSuite = suite;
        CompressionMethod = compression;
        HasCipherSuite = hasSuite;
        Extensions = extensions;
    }

    public ParseStatus Status { get; }

    public ushort LegacyVersion { get; }

    public ReadOnlySpan<byte> Random { get; }

    public ReadOnlySpan<byte> SessionId { get; }

    public CipherSuite CipherSuite { get; }

    public bool HasCipherSuite { get; }

    public byte CompressionMethod { get; }

    public ExtensionList Extensions { get; }

    /// <summary>True when the random is the HelloRetryRequest value.</summary>
    public bool IsHelloRetryRequest => Random.SequenceEqual(HelloRetryRequestRandom);

    /// <summary>The version the server chose: supported_versions when present (RFC 8446 §4.2.1), else legacy_version.</summary>
    public ushort SelectedVersion
    {
        get
        {
            if (Extensions.TryFind(ExtensionType.SupportedVersions, out var ext))
            {
                var sv = SupportedVersionsExtension.Parse(ext.Data, TlsHandshakeType.ServerHello);
                if (sv.HasSelectedVersion) return sv.SelectedVersion;
            }
            return LegacyVersion;
        }
    }

    /// <summary>The message type under which this message's extensions are read: HelloRetryRequest or ServerHello.</summary>
    public TlsHandshakeType ExtensionContext => IsHelloRetryRequest ? TlsHandshakeType.HelloRetryRequest : TlsHandshakeType.ServerHello;

    /// <summary>A TLS 1.3 draft version before draft 22 (0x7f00–0x7f15), whose ServerHello has no session id and no
    /// compression method, as Wireshark reads it.</summary>
    public static bool IsEarlyTls13Draft(ushort version) => version is >= 0x7f00 and < 0x7f16;

    public static ServerHello Parse(ReadOnlySpan<byte> body, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(body, notes);
        var r = new WireReader(body);
        if (!r.TryReadUInt16(out ushort version))
        {
            ctx.Truncated(r, "ServerHello version", 2);
            return new ServerHello(ParseStatus.Malformed, 0, default, default, default, 0, false, ExtensionList.None);
        }
        ReadOnlySpan<byte> random, sessionId = default;
        bool draft = IsEarlyTls13Draft(version);
        if (draft)
        {
            // TLS 1.3 drafts before 22: version, random, cipher suite, extensions (no session id, no compression).
            if (!r.TryReadBytes(32, out random))
            {
                ctx.Truncated(r, "ServerHello random", 32);
                return new ServerHello(ParseStatus.Malformed, version, default, default, default, 0, false, ExtensionList.None);
            }
        }
        else if (!HelloCommon.ReadRandomAndSessionId(ref r, ctx, "ServerHello", out random, out sessionId))
            return new ServerHello(ParseStatus.Malformed, version, random, sessionId, default, 0, false, ExtensionList.None);
        if (!r.TryReadUInt16(out ushort suite))
        {
            ctx.Truncated(r, "ServerHello cipher suite", 2);
            return new ServerHello(ParseStatus.Malformed, version, random, sessionId, default, 0, false, ExtensionList.None);
        }
        byte compression = 0;
        if (!draft && !r.TryReadUInt8(out compression))
        {
            ctx.Truncated(r, "ServerHello compression method", 1);
            return new ServerHello(ParseStatus.Malformed, version, random, sessionId, new CipherSuite(suite), 0, true, ExtensionList.None);
        }
        if (r.IsEmpty)
            return new ServerHello(ParseStatus.Ok, version, random, sessionId, new CipherSuite(suite), compression, true, ExtensionList.None);
        var extensions = ExtensionList.Read(ref r, ctx);
        if (extensions.Status == ParseStatus.Ok) ctx.Trailing(r);
        return new ServerHello(extensions.Status, version, random, sessionId, new CipherSuite(suite), compression, true, extensions);
    }

    /// <summary>
    /// tshark's quick look at a ServerHello body (tls_scan_server_hello), which decides the connection's version and
    /// whether the Info column says "Hello Retry Request": the legacy version, replaced by a two-byte
    /// supported_versions value when present; a HelloRetryRequest only when legacy_version is TLS 1.2 and the body
    /// has at least 46 bytes.
    /// </summary>
    public static void Scan(ReadOnlySpan<byte> body, out ushort version, out bool isHelloRetryRequest)
    {
        isHelloRetryRequest = false;
        var r = new WireReader(body);
        if (!r.TryReadUInt16(out version)) return;
        if (version != TlsVersion.Tls12 || body.Length < 46) return;
        r.TryReadBytes(32, out var random);
        isHelloRetryRequest = random.SequenceEqual(HelloRetryRequestRandom);
        r.TryReadUInt8(out byte idLength);
        // Skip the session ID, the cipher suite, the compression method and the extensions length.
        if (!r.TrySkip(idLength + 5)) return;
        while (r.Remaining >= 6)
        {
            r.TryReadUInt16(out ushort type);
            r.TryReadUInt16(out ushort length);
            if (r.Remaining < length) break;
            if (type == ExtensionType.SupportedVersions.Value && length == 2)
            {
                r.TryReadUInt16(out version);
                return;
            }
            r.TrySkip(length);
        }
    }
}
