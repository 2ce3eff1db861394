using HttpsFlow.Common;
using HttpsFlow.Tls.Extensions;

namespace HttpsFlow.Tls.Handshake;

/// <summary>
/// A ClientHello body (TLS 1.0 to 1.3; SSL 3.0's has no extensions).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.1.2
/// uint16 ProtocolVersion;
/// opaque Random[32];
/// uint8 CipherSuite[2];    /* Cryptographic suite selector */
/// struct {
///     ProtocolVersion legacy_version = 0x0303;    /* TLS v1.2 */
///     Random random;
///     opaque legacy_session_id&lt;0..32&gt;;
///     CipherSuite cipher_suites&lt;2..2^16-2&gt;;
///     opaque legacy_compression_methods&lt;1..2^8-1&gt;;
///     Extension extensions&lt;8..2^16-1&gt;;
/// } ClientHello;
/// </code>
/// Read as tshark reads it: a missing fixed field stops the parse (tshark's exception); a vector longer than what is
/// left is cut to what is there, noted, and ends the parse.
/// </remarks>
public readonly ref struct ClientHello
{
    private ClientHello(ParseStatus status, ushort version, ReadOnlySpan<byte> random, ReadOnlySpan<byte> sessionId,
        ReadOnlySpan<byte> cipherSuites, ReadOnlySpan<byte> compression, ExtensionList extensions)
    {
        Status = status;
        LegacyVersion = version;
        Random = random;
        SessionId = sessionId;
        CipherSuites = new List16<CipherSuite>(cipherSuites);
        CompressionMethods = compression;
        Extensions = extensions;
    }

    public ParseStatus Status { get; }

    /// <summary>legacy_version (client_version before TLS 1.3).</summary>
    public ushort LegacyVersion { get; }

    /// <summary>The 32-byte random (shorter only when the message is cut short).</summary>
    public ReadOnlySpan<byte> Random { get; }

    public ReadOnlySpan<byte> SessionId { get; }

    public List16<CipherSuite> CipherSuites { get; }

    public ReadOnlySpan<byte> CompressionMethods { get; }

    /// <summary>The extensions (absent when the message ends after the compression methods).</summary>
    public ExtensionList Extensions { get; }

    /// <summary>The versions offered: supported_versions when present (RFC 8446 §4.2.1), else legacy_version alone.</summary>
    public ushort HighestVersion
    {
        get
        {
            if (Extensions.TryFind(ExtensionType.SupportedVersions, out var ext))
            {
                var sv = SupportedVersionsExtension.Parse(ext.Data, TlsHandshakeType.ClientHello);
                ushort best = 0;
                foreach (ushort v in sv.Versions)
                    if (!Registry.Grease.IsGrease(v) && v > best && TlsVersion.Tls13Draft(v) == 0) best = v;
                if (best != 0) return best;
            }
            return LegacyVersion;
        }
    }

    /// <summary>The first host_name of server_name, or null.</summary>
    public string? ServerName =>
        Extensions.TryFind(ExtensionType.ServerName, out var ext) ? ServerNameExtension.Parse(ext.Data).HostName : null;

    public static ClientHello Parse(ReadOnlySpan<byte> body, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(body, notes);
        var r = new WireReader(body);
        if (!r.TryReadUInt16(out ushort version))
        {
            ctx.Truncated(r, "ClientHello version", 2);
            return new ClientHello(ParseStatus.Malformed, 0, default, default, default, default, ExtensionList.None);
        }
        if (!HelloCommon.ReadRandomAndSessionId(ref r, ctx, "ClientHello", out var random, out var sessionId))
            return new ClientHello(ParseStatus.Malformed, version, random, sessionId, default, default, ExtensionList.None);

        bool whole = ctx.ReadVector16(ref r, 2, ushort.MaxValue, out var suites);
        var suiteBytes = suites.Rest;
        if (!whole) return new ClientHello(ParseStatus.Malformed, version, random, sessionId, suiteBytes, default, ExtensionList.None);
        ctx.Trailing(suiteBytes[(suiteBytes.Length & ~1)..]);

        whole = ctx.ReadVector8(ref r, 1, byte.MaxValue, out var compression);
        if (!whole)
            return new ClientHello(ParseStatus.Malformed, version, random, sessionId, suiteBytes, compression.Rest, ExtensionList.None);

        // SSL 3.0 has no extensions, so the block may be missing (RFC 5246 §7.4.1.2).
        if (r.IsEmpty)
            return new ClientHello(ParseStatus.Ok, version, random, sessionId, suiteBytes, compression.Rest, ExtensionList.None);
        var extensions = ExtensionList.Read(ref r, ctx);
        if (extensions.Status == ParseStatus.Ok) ctx.Trailing(r);
        return new ClientHello(extensions.Status, version, random, sessionId, suiteBytes, compression.Rest, extensions);
    }
}

internal static class HelloCommon
{
    /// <summary>ssl_dissect_hnd_hello_common: the random and the session ID, fixed reads that stop the parse when short.</summary>
    public static bool ReadRandomAndSessionId(scoped ref WireReader r, scoped in TlsParseContext ctx, string what,
        out ReadOnlySpan<byte> random, out ReadOnlySpan<byte> sessionId)
    {
        sessionId = default;
        if (!r.TryReadBytes(32, out random))
        {
            ctx.Truncated(r, what + " random", 32);
            r.TryReadBytes(r.Remaining, out random);
            return false;
        }
        if (!r.TryReadUInt8(out byte idLength))
        {
            ctx.Truncated(r, what + " session ID length", 1);
            return false;
        }
        if (idLength > 32)
            ctx.Add(TlsNoteKeys.Unexpected, Severity.Warning, "Protocol",
                $"Session ID length {idLength} is larger than maximum 32", ctx.OffsetOf(r) - 1, 1);
        if (!r.TryReadBytes(idLength, out sessionId))
        {
            ctx.Truncated(r, what + " session ID", idLength);
            r.TryReadBytes(r.Remaining, out sessionId);
            return false;
        }
        return true;
    }
}
