using HttpsFlow.Common;
using HttpsFlow.Tls.Handshake;

namespace HttpsFlow.Tls.Extensions;

/// <summary>
/// status_request (5).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 6066 §8
/// struct {
///     CertificateStatusType status_type;
///     select (status_type) {
///         case ocsp: OCSPStatusRequest;
///     } request;
/// } CertificateStatusRequest;
/// enum { ocsp(1), (255) } CertificateStatusType;
/// struct {
///     ResponderID responder_id_list&lt;0..2^16-1&gt;;
///     Extensions  request_extensions;
/// } OCSPStatusRequest;
/// opaque ResponderID&lt;1..2^16-1&gt;;
/// opaque Extensions&lt;0..2^16-1&gt;;
/// </code>
/// In a ClientHello (and a TLS 1.3 CertificateRequest) it is the request; in a TLS 1.3 CertificateEntry it carries
/// the response, a CertificateStatus (RFC 8446 §4.4.2.1), read with <see cref="CertificateStatus"/>; in a TLS 1.2
/// ServerHello it is empty.
/// </remarks>
public readonly ref struct StatusRequestExtension
{
    private StatusRequestExtension(ParseStatus status, bool hasRequest, byte statusType, ReadOnlySpan<byte> responderIds, ReadOnlySpan<byte> requestExtensions, ReadOnlySpan<byte> response)
    {
        Status = status;
        HasRequest = hasRequest;
        StatusType = statusType;
        ResponderIdListBytes = responderIds;
        RequestExtensions = requestExtensions;
        ResponseBytes = response;
    }

    public ParseStatus Status { get; }

    /// <summary>True for the request form.</summary>
    public bool HasRequest { get; }

    /// <summary>CertificateStatusType: 1 ocsp, 2 ocsp_multi.</summary>
    public byte StatusType { get; }

    public ReadOnlySpan<byte> ResponderIdListBytes { get; }

    /// <summary>The ResponderIDs (DER), each with its two-byte length.</summary>
    public OpaqueList ResponderIds => new(ResponderIdListBytes, 2);

    /// <summary>request_extensions (DER Extensions).</summary>
    public ReadOnlySpan<byte> RequestExtensions { get; }

    /// <summary>The CertificateStatus bytes of the response form; parse with <see cref="CertificateStatus.Parse"/>.</summary>
    public ReadOnlySpan<byte> ResponseBytes { get; }

    public static StatusRequestExtension Parse(ReadOnlySpan<byte> data, TlsHandshakeType context, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (context == TlsHandshakeType.Certificate)
        {
            var response = CertificateStatus.Parse(data, notes);
            return new StatusRequestExtension(response.Status, false, response.StatusType, default, default, data);
        }
        if (context is not (TlsHandshakeType.ClientHello or TlsHandshakeType.CertificateRequest))
        {
            ctx.Trailing(r);
            return new StatusRequestExtension(ParseStatus.Ok, false, 0, default, default, default);
        }
        return ReadRequest(ref r, ctx, withLength: false);
    }

    // ssl_dissect_hnd_hello_ext_status_request; status_request_v2 items add a request_length.
    internal static StatusRequestExtension ReadRequest(scoped ref WireReader r, scoped in TlsParseContext ctx, bool withLength)
    {
        if (!r.TryReadUInt8(out byte type))
        {
            ctx.Truncated(r, "Certificate Status Type", 1);
            return new StatusRequestExtension(ParseStatus.Malformed, true, 0, default, default, default);
        }
        if (withLength && !r.TryReadUInt16(out _))
        {
            ctx.Truncated(r, "Certificate Status Length", 2);
            return new StatusRequestExtension(ParseStatus.Malformed, true, type, default, default, default);
        }
        if (type is not (1 or 2))
        {
            ctx.Trailing(r);
            return new StatusRequestExtension(ParseStatus.Ok, true, type, default, default, default);
        }
        if (!ctx.ReadVector16(ref r, 0, ushort.MaxValue, out var ids))
            return new StatusRequestExtension(ParseStatus.Malformed, true, type, ids.Rest, default, default);
        if (!ids.IsEmpty)
            ctx.Add(TlsNoteKeys.StatusRequestUndecoded, Severity.Note, "Undecoded",
                "Responder ID list is not implemented, contact Wireshark developers if you want this to be supported", ids.Rest);
        if (!ctx.ReadVector16(ref r, 0, ushort.MaxValue, out var exts))
            return new StatusRequestExtension(ParseStatus.Malformed, true, type, ids.Rest, exts.Rest, default);
        if (!exts.IsEmpty)
            ctx.Add(TlsNoteKeys.StatusRequestUndecoded, Severity.Note, "Undecoded",
                "Request Extensions are not implemented, contact Wireshark developers if you want this to be supported", exts.Rest);
        if (!withLength) ctx.Trailing(r);
        return new StatusRequestExtension(ParseStatus.Ok, true, type, ids.Rest, exts.Rest, default);
    }
}

/// <summary>
/// signed_certificate_timestamp (18): empty in a ClientHello; a list of SCTs in a ServerHello, EncryptedExtensions or
/// TLS 1.3 CertificateEntry.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 6962 §3.3
/// opaque SerializedSCT&lt;1..2^16-1&gt;;
/// struct {
///     SerializedSCT sct_list &lt;1..2^16-1&gt;;
/// } SignedCertificateTimestampList;
/// </code>
/// </remarks>
public readonly ref struct SignedCertificateTimestampExtension
{
    private SignedCertificateTimestampExtension(ParseStatus status, ReadOnlySpan<byte> list)
    {
        Status = status;
        ListBytes = list;
    }

    public ParseStatus Status { get; }

    public ReadOnlySpan<byte> ListBytes { get; }

    /// <summary>The SerializedSCT items; parse each with <see cref="SignedCertificateTimestamp.Parse"/>.</summary>
    public OpaqueList Timestamps => new(ListBytes, 2);

    public static SignedCertificateTimestampExtension Parse(ReadOnlySpan<byte> data, TlsHandshakeType context, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (context is not (TlsHandshakeType.ServerHello or TlsHandshakeType.EncryptedExtensions or TlsHandshakeType.Certificate))
        {
            ctx.Trailing(r);
            return new SignedCertificateTimestampExtension(ParseStatus.Ok, default);
        }
        if (!ctx.ReadVector16(ref r, 1, ushort.MaxValue, out var list))
            return new SignedCertificateTimestampExtension(ParseStatus.Malformed, list.Rest);
        var bytes = list.Rest;
        while (!list.IsEmpty)
        {
            if (!ctx.ReadVector16(ref list, 1, ushort.MaxValue, out _))
                return new SignedCertificateTimestampExtension(ParseStatus.Malformed, bytes);
        }
        ctx.Trailing(r);
        return new SignedCertificateTimestampExtension(ParseStatus.Ok, bytes);
    }
}

/// <summary>
/// One SignedCertificateTimestamp (v1).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 6962 §3.2
/// enum { v1(0), (255) } Version;
/// struct { opaque key_id[32]; } LogID;
/// opaque CtExtensions&lt;0..2^16-1&gt;;
/// struct {
///     Version sct_version;
///     LogID id;
///     uint64 timestamp;
///     CtExtensions extensions;
///     digitally-signed struct { ... };
/// } SignedCertificateTimestamp;
/// </code>
/// </remarks>
public readonly ref struct SignedCertificateTimestamp
{
    private SignedCertificateTimestamp(ParseStatus status, byte version, ReadOnlySpan<byte> logId, ulong timestamp, ReadOnlySpan<byte> extensions, DigitallySigned signature)
    {
        Status = status;
        Version = version;
        LogId = logId;
        Timestamp = timestamp;
        Extensions = extensions;
        Signature = signature;
    }

    public ParseStatus Status { get; }

    /// <summary>sct_version; only v1 (0) is read further.</summary>
    public byte Version { get; }

    public ReadOnlySpan<byte> LogId { get; }

    /// <summary>Milliseconds since the Unix epoch.</summary>
    public ulong Timestamp { get; }

    public ReadOnlySpan<byte> Extensions { get; }

    public DigitallySigned Signature { get; }

    /// <param name="sct">A SerializedSCT.</param>
    /// <param name="version">The connection's version, which (as tshark reads it) decides whether the signature names its algorithm.</param>
    /// <param name="notes">Where notes go; null for none.</param>
    public static SignedCertificateTimestamp Parse(ReadOnlySpan<byte> sct, ushort version = TlsVersion.Tls12, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(sct, notes);
        var r = new WireReader(sct);
        if (!r.TryReadUInt8(out byte v))
        {
            ctx.Truncated(r, "SCT version", 1);
            return new SignedCertificateTimestamp(ParseStatus.Malformed, 0, default, 0, default, default);
        }
        if (v != 0) return new SignedCertificateTimestamp(ParseStatus.Ok, v, default, 0, default, default);
        if (!r.TryReadBytes(32, out var logId))
        {
            ctx.Truncated(r, "SCT log ID", 32);
            return new SignedCertificateTimestamp(ParseStatus.Malformed, v, default, 0, default, default);
        }
        if (!r.TryReadUInt32(out uint high) || !r.TryReadUInt32(out uint low))
        {
            ctx.Truncated(r, "SCT timestamp", 8);
            return new SignedCertificateTimestamp(ParseStatus.Malformed, v, logId, 0, default, default);
        }
        ulong timestamp = (ulong)high << 32 | low;
        if (!ctx.ReadVector16(ref r, 0, ushort.MaxValue, out var exts))
            return new SignedCertificateTimestamp(ParseStatus.Malformed, v, logId, timestamp, exts.Rest, default);
        var signature = DigitallySigned.Read(ref r, ctx, version);
        if (signature.Status == ParseStatus.Ok) ctx.Trailing(r);
        return new SignedCertificateTimestamp(signature.Status, v, logId, timestamp, exts.Rest, signature);
    }
}
