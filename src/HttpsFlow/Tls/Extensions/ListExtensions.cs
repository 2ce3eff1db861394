using System.Text;
using HttpsFlow.Common;

namespace HttpsFlow.Tls.Extensions;

/// <summary>
/// supported_groups (10), formerly elliptic_curves.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.2.7
/// struct {
///     NamedGroup named_group_list&lt;2..2^16-1&gt;;
/// } NamedGroupList;
/// </code>
/// </remarks>
public readonly ref struct SupportedGroupsExtension
{
    private SupportedGroupsExtension(ParseStatus status, ReadOnlySpan<byte> list)
    {
        Status = status;
        Groups = new List16<NamedGroup>(list);
    }

    public ParseStatus Status { get; }

    public List16<NamedGroup> Groups { get; }

    public static SupportedGroupsExtension Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (!ctx.ReadVector16(ref r, 2, ushort.MaxValue, out var list))
            return new SupportedGroupsExtension(ParseStatus.Malformed, list.Rest);
        var bytes = list.Rest;
        ctx.Trailing(bytes[(bytes.Length & ~1)..]);
        ctx.Trailing(r);
        return new SupportedGroupsExtension(ParseStatus.Ok, bytes);
    }
}

/// <summary>
/// ec_point_formats (11).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8422 §5.1.2
/// enum { uncompressed (0), deprecated (1..2), reserved (248..255) } ECPointFormat;
/// struct {
///     ECPointFormat ec_point_format_list&lt;1..2^8-1&gt;
/// } ECPointFormatList;
/// </code>
/// </remarks>
public readonly ref struct EcPointFormatsExtension
{
    private EcPointFormatsExtension(ParseStatus status, ReadOnlySpan<byte> formats)
    {
        Status = status;
        Formats = formats;
    }

    public ParseStatus Status { get; }

    /// <summary>The formats, one byte each.</summary>
    public ReadOnlySpan<byte> Formats { get; }

    public static EcPointFormatsExtension Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        // tshark reads the count and then that many bytes without a bounds check: a short list is an exception.
        if (!r.TryReadUInt8(out byte count))
        {
            ctx.Truncated(r, "EC point formats length", 1);
            return new EcPointFormatsExtension(ParseStatus.Malformed, default);
        }
        if (!r.TryReadBytes(count, out var formats))
        {
            ctx.Truncated(r, "EC point formats", count);
            r.TryReadBytes(r.Remaining, out formats);
            return new EcPointFormatsExtension(ParseStatus.Malformed, formats);
        }
        ctx.Trailing(r);
        return new EcPointFormatsExtension(ParseStatus.Ok, formats);
    }
}

/// <summary>
/// signature_algorithms (13) and signature_algorithms_cert (50); also the supported_signature_algorithms of a TLS
/// 1.2 CertificateRequest.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.2.3
/// struct {
///     SignatureScheme supported_signature_algorithms&lt;2..2^16-2&gt;;
/// } SignatureSchemeList;
/// </code>
/// </remarks>
public readonly ref struct SignatureAlgorithmsExtension
{
    private SignatureAlgorithmsExtension(ParseStatus status, ReadOnlySpan<byte> list)
    {
        Status = status;
        Algorithms = new List16<SignatureScheme>(list);
    }

    public ParseStatus Status { get; }

    public List16<SignatureScheme> Algorithms { get; }

    public static SignatureAlgorithmsExtension Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        bool ok = ReadList(ref r, ctx, out var list);
        if (ok) ctx.Trailing(r);
        return new SignatureAlgorithmsExtension(ok ? ParseStatus.Ok : ParseStatus.Malformed, list);
    }

    // ssl_dissect_hash_alg_list
    internal static bool ReadList(scoped ref WireReader r, scoped in TlsParseContext ctx, out ReadOnlySpan<byte> list)
    {
        bool whole = ctx.ReadVector16(ref r, 2, ushort.MaxValue - 1, out var inner);
        list = inner.Rest;
        if (!whole) return false;
        ctx.Trailing(list[(list.Length & ~1)..]);
        return true;
    }
}

/// <summary>
/// application_layer_protocol_negotiation (16).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 7301 §3.1
/// opaque ProtocolName&lt;1..2^8-1&gt;;
/// struct {
///     ProtocolName protocol_name_list&lt;2..2^16-1&gt;
/// } ProtocolNameList;
/// </code>
/// In a ServerHello or EncryptedExtensions the list holds exactly one name, the one selected.
/// </remarks>
public readonly ref struct AlpnExtension
{
    private AlpnExtension(ParseStatus status, ReadOnlySpan<byte> list)
    {
        Status = status;
        Protocols = new OpaqueList(list, 1);
    }

    public ParseStatus Status { get; }

    /// <summary>The protocol names' bytes.</summary>
    public OpaqueList Protocols { get; }

    /// <summary>The first name as text ("h2", "http/1.1"), or null.</summary>
    public string? FirstProtocol
    {
        get
        {
            foreach (var name in Protocols) return Encoding.ASCII.GetString(name);
            return null;
        }
    }

    /// <summary>All names as text (allocates).</summary>
    public string[] ProtocolNames()
    {
        var list = new List<string>();
        foreach (var name in Protocols) list.Add(Encoding.ASCII.GetString(name));
        return list.ToArray();
    }

    public static AlpnExtension Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (!ctx.ReadVector16(ref r, 2, ushort.MaxValue, out var list))
            return new AlpnExtension(ParseStatus.Malformed, list.Rest);
        var bytes = list.Rest;
        while (!list.IsEmpty)
        {
            if (!ctx.ReadVector8(ref list, 1, byte.MaxValue, out _))
                return new AlpnExtension(ParseStatus.Malformed, bytes);
        }
        ctx.Trailing(r);
        return new AlpnExtension(ParseStatus.Ok, bytes);
    }
}

/// <summary>
/// supported_versions (43).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.2.1
/// struct {
///     select (Handshake.msg_type) {
///         case client_hello:
///              ProtocolVersion versions&lt;2..254&gt;;
///         case server_hello: /* and HelloRetryRequest */
///              ProtocolVersion selected_version;
///     };
/// } SupportedVersions;
/// </code>
/// </remarks>
public readonly ref struct SupportedVersionsExtension
{
    private SupportedVersionsExtension(ParseStatus status, ReadOnlySpan<byte> list, ushort selected, bool hasSelected)
    {
        Status = status;
        Versions = new UInt16List(list);
        SelectedVersion = selected;
        HasSelectedVersion = hasSelected;
    }

    public ParseStatus Status { get; }

    /// <summary>The client's versions (ClientHello form).</summary>
    public UInt16List Versions { get; }

    /// <summary>The server's version (ServerHello / HelloRetryRequest form).</summary>
    public ushort SelectedVersion { get; }

    public bool HasSelectedVersion { get; }

    /// <param name="data">The extension data.</param>
    /// <param name="context">The message the extension is in: ClientHello gives the list; ServerHello (and HelloRetryRequest) the selected version.</param>
    /// <param name="notes">Where notes go; null for none.</param>
    public static SupportedVersionsExtension Parse(ReadOnlySpan<byte> data, TlsHandshakeType context, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (context == TlsHandshakeType.ClientHello)
        {
            if (!ctx.ReadVector8(ref r, 2, 254, out var list))
                return new SupportedVersionsExtension(ParseStatus.Malformed, list.Rest, 0, false);
            var bytes = list.Rest;
            ctx.Trailing(bytes[(bytes.Length & ~1)..]);
            ctx.Trailing(r);
            return new SupportedVersionsExtension(ParseStatus.Ok, bytes, 0, false);
        }
        if (context is TlsHandshakeType.ServerHello or TlsHandshakeType.HelloRetryRequest)
        {
            if (!r.TryReadUInt16(out ushort selected))
            {
                ctx.Truncated(r, "Supported Version", 2);
                return new SupportedVersionsExtension(ParseStatus.Malformed, default, 0, false);
            }
            ctx.Trailing(r);
            return new SupportedVersionsExtension(ParseStatus.Ok, default, selected, true);
        }
        ctx.Trailing(r);
        return new SupportedVersionsExtension(ParseStatus.Ok, default, 0, false);
    }
}

/// <summary>
/// psk_key_exchange_modes (45).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.2.9
/// enum { psk_ke(0), psk_dhe_ke(1), (255) } PskKeyExchangeMode;
/// struct {
///     PskKeyExchangeMode ke_modes&lt;1..255&gt;;
/// } PskKeyExchangeModes;
/// </code>
/// </remarks>
public readonly ref struct PskKeyExchangeModesExtension
{
    private PskKeyExchangeModesExtension(ParseStatus status, ReadOnlySpan<byte> modes)
    {
        Status = status;
        Modes = modes;
    }

    public ParseStatus Status { get; }

    /// <summary>The modes, one byte each (0 psk_ke, 1 psk_dhe_ke, GREASE values per RFC 8701).</summary>
    public ReadOnlySpan<byte> Modes { get; }

    public static PskKeyExchangeModesExtension Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (!ctx.ReadVector8(ref r, 1, 255, out var modes))
            return new PskKeyExchangeModesExtension(ParseStatus.Malformed, modes.Rest);
        ctx.Trailing(r);
        return new PskKeyExchangeModesExtension(ParseStatus.Ok, modes.Rest);
    }
}

/// <summary>
/// compress_certificate (27).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8879 §3
/// enum { zlib(1), brotli(2), zstd(3), (65535) } CertificateCompressionAlgorithm;
/// struct {
///     CertificateCompressionAlgorithm algorithms&lt;2..2^8-2&gt;;
/// } CertificateCompressionAlgorithms;
/// </code>
/// Sent in ClientHello and CertificateRequest.
/// </remarks>
public readonly ref struct CompressCertificateExtension
{
    private CompressCertificateExtension(ParseStatus status, ReadOnlySpan<byte> list)
    {
        Status = status;
        Algorithms = new UInt16List(list);
    }

    public ParseStatus Status { get; }

    public UInt16List Algorithms { get; }

    public static CompressCertificateExtension Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (!ctx.ReadVector8(ref r, 1, byte.MaxValue - 1, out var list))
            return new CompressCertificateExtension(ParseStatus.Malformed, list.Rest);
        var bytes = list.Rest;
        ctx.Trailing(bytes[(bytes.Length & ~1)..]);
        ctx.Trailing(r);
        return new CompressCertificateExtension(ParseStatus.Ok, bytes);
    }
}
