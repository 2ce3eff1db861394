using HttpsFlow.Common;
using HttpsFlow.Tls.Extensions;

namespace HttpsFlow.Tls.Handshake;

/// <summary>
/// Messages with an empty body: HelloRequest (RFC 5246 §7.4.1.1: <c>struct { } HelloRequest;</c>),
/// ServerHelloDone (RFC 5246 §7.4.5: <c>struct { } ServerHelloDone;</c>) and EndOfEarlyData (RFC 8446 §4.5:
/// <c>struct {} EndOfEarlyData;</c>). Bytes in the body are noted.
/// </summary>
public static class EmptyMessage
{
    public static ParseStatus Parse(ReadOnlySpan<byte> body, TlsHandshakeType type, TlsNotes? notes = null)
    {
        if (body.IsEmpty) return ParseStatus.Ok;
        notes?.Add(new TlsNote(TlsNoteKeys.Unexpected, Severity.Warning, "Protocol",
            $"{TlsNames.HandshakeType((byte)type) ?? "Handshake message"} should be empty but holds {body.Length} byte{(body.Length == 1 ? "" : "s")}",
            0, body.Length));
        return ParseStatus.Malformed;
    }
}

/// <summary>
/// A Finished body.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.4.4
/// struct {
///     opaque verify_data[Hash.length];
/// } Finished;
/// // RFC 5246 §7.4.9: verify_data[verify_data_length], 12 bytes unless the suite says otherwise
/// // RFC 6101 §5.6.9 (SSL 3.0): opaque md5_hash[16]; opaque sha_hash[20];
/// </code>
/// </remarks>
public readonly ref struct Finished
{
    private Finished(ParseStatus status, ReadOnlySpan<byte> verifyData, bool isSsl3)
    {
        Status = status;
        VerifyData = verifyData;
        IsSsl3 = isSsl3;
    }

    public ParseStatus Status { get; }

    /// <summary>verify_data: the whole body.</summary>
    public ReadOnlySpan<byte> VerifyData { get; }

    public bool IsSsl3 { get; }

    /// <summary>SSL 3.0's md5_hash.</summary>
    public ReadOnlySpan<byte> Md5Hash => IsSsl3 && VerifyData.Length >= 16 ? VerifyData[..16] : default;

    /// <summary>SSL 3.0's sha_hash.</summary>
    public ReadOnlySpan<byte> ShaHash => IsSsl3 && VerifyData.Length >= 36 ? VerifyData[16..36] : default;

    public static Finished Parse(ReadOnlySpan<byte> body, ushort version, TlsNotes? notes = null)
    {
        bool ssl3 = version == TlsVersion.Ssl3;
        if (ssl3 && body.Length < 36)
        {
            notes?.Add(new TlsNote(TlsNoteKeys.Malformed, Severity.Error, "Malformed",
                $"SSL 3.0 Finished: 36 bytes needed, {body.Length} left", 0, body.Length));
            return new Finished(ParseStatus.Malformed, body, true);
        }
        return new Finished(ParseStatus.Ok, body, ssl3);
    }
}

/// <summary>
/// A NewSessionTicket body.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 5077 §3.3 (TLS 1.0–1.2)
/// struct {
///     uint32 ticket_lifetime_hint;
///     opaque ticket&lt;0..2^16-1&gt;;
/// } NewSessionTicket;
///
/// // RFC 8446 §4.6.1
/// struct {
///     uint32 ticket_lifetime;
///     uint32 ticket_age_add;
///     opaque ticket_nonce&lt;0..255&gt;;
///     opaque ticket&lt;1..2^16-1&gt;;
///     Extension extensions&lt;0..2^16-2&gt;;
/// } NewSessionTicket;
/// </code>
/// </remarks>
public readonly ref struct NewSessionTicket
{
    private NewSessionTicket(ParseStatus status, bool isTls13, uint lifetime, uint ageAdd, ReadOnlySpan<byte> nonce,
        ReadOnlySpan<byte> ticket, ExtensionList extensions)
    {
        Status = status;
        IsTls13 = isTls13;
        Lifetime = lifetime;
        AgeAdd = ageAdd;
        Nonce = nonce;
        Ticket = ticket;
        Extensions = extensions;
    }

    public ParseStatus Status { get; }

    public bool IsTls13 { get; }

    /// <summary>ticket_lifetime_hint (TLS 1.2) or ticket_lifetime (TLS 1.3), in seconds.</summary>
    public uint Lifetime { get; }

    /// <summary>ticket_age_add (TLS 1.3).</summary>
    public uint AgeAdd { get; }

    /// <summary>ticket_nonce (TLS 1.3).</summary>
    public ReadOnlySpan<byte> Nonce { get; }

    public ReadOnlySpan<byte> Ticket { get; }

    /// <summary>Extensions (TLS 1.3: early_data's max_early_data_size).</summary>
    public ExtensionList Extensions { get; }

    public static NewSessionTicket Parse(ReadOnlySpan<byte> body, bool isTls13, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(body, notes);
        var r = new WireReader(body);
        if (!r.TryReadUInt32(out uint lifetime))
        {
            ctx.Truncated(r, "Session Ticket Lifetime Hint", 4);
            return new NewSessionTicket(ParseStatus.Malformed, isTls13, 0, 0, default, default, ExtensionList.None);
        }
        uint ageAdd = 0;
        ReadOnlySpan<byte> nonce = default;
        if (isTls13)
        {
            if (!r.TryReadUInt32(out ageAdd))
            {
                ctx.Truncated(r, "Session Ticket Age Add", 4);
                return new NewSessionTicket(ParseStatus.Malformed, true, lifetime, 0, default, default, ExtensionList.None);
            }
            if (!ctx.ReadVector8(ref r, 0, byte.MaxValue, out var n))
                return new NewSessionTicket(ParseStatus.Malformed, true, lifetime, ageAdd, n.Rest, default, ExtensionList.None);
            nonce = n.Rest;
        }
        if (!ctx.ReadVector16(ref r, isTls13 ? 1 : 0, ushort.MaxValue, out var ticket))
            return new NewSessionTicket(ParseStatus.Malformed, isTls13, lifetime, ageAdd, nonce, ticket.Rest, ExtensionList.None);
        if (!isTls13)
            return new NewSessionTicket(ParseStatus.Ok, false, lifetime, 0, default, ticket.Rest, ExtensionList.None);
        var extensions = ExtensionList.Read(ref r, ctx);
        if (extensions.Status == ParseStatus.Ok) ctx.Trailing(r);
        return new NewSessionTicket(extensions.Status, true, lifetime, ageAdd, nonce, ticket.Rest, extensions);
    }
}

/// <summary>
/// An EncryptedExtensions body (TLS 1.3).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.3.1
/// struct {
///     Extension extensions&lt;0..2^16-1&gt;;
/// } EncryptedExtensions;
/// </code>
/// </remarks>
public readonly ref struct EncryptedExtensions
{
    private EncryptedExtensions(ExtensionList extensions) => Extensions = extensions;

    public ExtensionList Extensions { get; }

    public ParseStatus Status => Extensions.Status;

    public static EncryptedExtensions Parse(ReadOnlySpan<byte> body, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(body, notes);
        var r = new WireReader(body);
        var extensions = ExtensionList.Read(ref r, ctx);
        if (extensions.Status == ParseStatus.Ok) ctx.Trailing(r);
        return new EncryptedExtensions(extensions);
    }
}

/// <summary>
/// A KeyUpdate body (TLS 1.3).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.6.3
/// enum {
///     update_not_requested(0), update_requested(1), (255)
/// } KeyUpdateRequest;
/// struct {
///     KeyUpdateRequest request_update;
/// } KeyUpdate;
/// </code>
/// </remarks>
public readonly ref struct KeyUpdate
{
    private KeyUpdate(ParseStatus status, byte request)
    {
        Status = status;
        RequestUpdate = request;
    }

    public ParseStatus Status { get; }

    /// <summary>0 update_not_requested, 1 update_requested.</summary>
    public byte RequestUpdate { get; }

    public static KeyUpdate Parse(ReadOnlySpan<byte> body, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(body, notes);
        var r = new WireReader(body);
        if (!r.TryReadUInt8(out byte request))
        {
            ctx.Truncated(r, "KeyUpdate Request", 1);
            return new KeyUpdate(ParseStatus.Malformed, 0);
        }
        if (request > 1)
            ctx.Add(TlsNoteKeys.Unexpected, Severity.Warning, "Protocol", $"KeyUpdateRequest {request} is neither 0 nor 1 (RFC 8446 §4.6.3)", 0, 1);
        ctx.Trailing(r);
        return new KeyUpdate(ParseStatus.Ok, request);
    }
}

/// <summary>
/// A CertificateStatus body (TLS 1.2), which is also the data of a TLS 1.3 CertificateEntry's status_request.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 6066 §8; RFC 6961 §2.2 (ocsp_multi)
/// struct {
///     CertificateStatusType status_type;
///     select (status_type) {
///         case ocsp: OCSPResponse;
///         case ocsp_multi: OCSPResponseList;
///     } response;
/// } CertificateStatus;
/// opaque OCSPResponse&lt;1..2^24-1&gt;;
/// struct {
///     OCSPResponse ocsp_response_list&lt;1..2^24-1&gt;;
/// } OCSPResponseList;
/// </code>
/// </remarks>
public readonly ref struct CertificateStatus
{
    private CertificateStatus(ParseStatus status, byte type, ReadOnlySpan<byte> responses)
    {
        Status = status;
        StatusType = type;
        ResponsesBytes = responses;
    }

    public ParseStatus Status { get; }

    /// <summary>1 ocsp, 2 ocsp_multi.</summary>
    public byte StatusType { get; }

    /// <summary>The OCSPResponse items (each with its three-byte length).</summary>
    public ReadOnlySpan<byte> ResponsesBytes { get; }

    /// <summary>The DER OCSPResponses: one for ocsp, any number for ocsp_multi.</summary>
    public OpaqueList Responses => new(ResponsesBytes, 3);

    /// <summary>The (first) OCSPResponse's DER.</summary>
    public ReadOnlySpan<byte> OcspResponse => Responses.First;

    public static CertificateStatus Parse(ReadOnlySpan<byte> body, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(body, notes);
        var r = new WireReader(body);
        if (!r.TryReadUInt8(out byte type))
        {
            ctx.Truncated(r, "Certificate Status Type", 1);
            return new CertificateStatus(ParseStatus.Malformed, 0, default);
        }
        if (type == 1)
        {
            var start = r.Rest;
            if (!ctx.ReadVector24(ref r, 1, 0xffffff, out _)) return new CertificateStatus(ParseStatus.Malformed, type, start);
            ctx.Trailing(r);
            return new CertificateStatus(ParseStatus.Ok, type, start[..^r.Remaining]);
        }
        if (type == 2)
        {
            if (!ctx.ReadVector24(ref r, 1, 0xffffff, out var list)) return new CertificateStatus(ParseStatus.Malformed, type, list.Rest);
            var bytes = list.Rest;
            while (!list.IsEmpty)
            {
                if (!ctx.ReadVector24(ref list, 1, 0xffffff, out _)) return new CertificateStatus(ParseStatus.Malformed, type, bytes);
            }
            ctx.Trailing(r);
            return new CertificateStatus(ParseStatus.Ok, type, bytes);
        }
        ctx.Trailing(r);
        return new CertificateStatus(ParseStatus.Ok, type, default);
    }
}

/// <summary>
/// A CompressedCertificate body (TLS 1.3).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8879 §4
/// struct {
///      CertificateCompressionAlgorithm algorithm;
///      uint24 uncompressed_length;
///      opaque compressed_certificate_message&lt;1..2^24-1&gt;;
/// } CompressedCertificate;
/// </code>
/// <see cref="Decompress"/> gives the Certificate body inside (zlib, RFC 1950, and brotli, RFC 7932; not zstd).
/// </remarks>
public readonly ref struct CompressedCertificate
{
    private CompressedCertificate(ParseStatus status, ushort algorithm, uint uncompressedLength, ReadOnlySpan<byte> compressed)
    {
        Status = status;
        Algorithm = algorithm;
        UncompressedLength = uncompressedLength;
        Compressed = compressed;
    }

    public ParseStatus Status { get; }

    /// <summary>1 zlib, 2 brotli, 3 zstd.</summary>
    public ushort Algorithm { get; }

    public uint UncompressedLength { get; }

    public ReadOnlySpan<byte> Compressed { get; }

    /// <summary>
    /// The Certificate message body the compressed bytes hold (RFC 8879 §4), or null when the algorithm is not one
    /// HttpsFlow decompresses or the bytes do not decompress to exactly <see cref="UncompressedLength"/> bytes.
    /// Allocates the result; never throws.
    /// </summary>
    public byte[]? Decompress()
    {
        if (Status != ParseStatus.Ok || UncompressedLength == 0) return null;
        var output = new byte[UncompressedLength];
        try
        {
            switch (Algorithm)
            {
                case Registry.CertificateCompressionAlgorithms.Brotli:
                    return System.IO.Compression.BrotliDecoder.TryDecompress(Compressed, output, out int written)
                           && written == output.Length ? output : null;
                case Registry.CertificateCompressionAlgorithms.Zlib:
                {
                    using var input = new MemoryStream(Compressed.ToArray());
                    using var zlib = new System.IO.Compression.ZLibStream(input, System.IO.Compression.CompressionMode.Decompress);
                    int read = 0, n;
                    while (read < output.Length && (n = zlib.Read(output, read, output.Length - read)) > 0) read += n;
                    return read == output.Length && zlib.ReadByte() < 0 ? output : null;
                }
                default:
                    return null;
            }
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    public static CompressedCertificate Parse(ReadOnlySpan<byte> body, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(body, notes);
        var r = new WireReader(body);
        if (!r.TryReadUInt16(out ushort algorithm))
        {
            ctx.Truncated(r, "Algorithm", 2);
            return new CompressedCertificate(ParseStatus.Malformed, 0, 0, default);
        }
        if (!r.TryReadUInt24(out uint length))
        {
            ctx.Truncated(r, "Uncompressed Length", 3);
            return new CompressedCertificate(ParseStatus.Malformed, algorithm, 0, default);
        }
        if (!ctx.ReadVector24(ref r, 1, 0xffffff, out var compressed))
            return new CompressedCertificate(ParseStatus.Malformed, algorithm, length, compressed.Rest);
        ctx.Trailing(r);
        return new CompressedCertificate(ParseStatus.Ok, algorithm, length, compressed.Rest);
    }
}
