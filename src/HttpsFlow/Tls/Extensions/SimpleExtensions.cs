using HttpsFlow.Common;

namespace HttpsFlow.Tls.Extensions;

/// <summary>
/// Extensions whose data must be empty where they appear: encrypt_then_mac (22, RFC 7366 §2), extended_master_secret
/// (23, RFC 7627 §5.1), post_handshake_auth (49, RFC 8446 §4.2.6), early_data (42) in ClientHello and
/// EncryptedExtensions, session_ticket (35) in a ServerHello. Data where none belongs is trailing data.
/// </summary>
public static class EmptyExtension
{
    /// <returns><see cref="ParseStatus.Ok"/> when empty; <see cref="ParseStatus.Malformed"/> (with a note) otherwise.</returns>
    public static ParseStatus Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        new TlsParseContext(data, notes).Trailing(data);
        return data.IsEmpty ? ParseStatus.Ok : ParseStatus.Malformed;
    }
}

/// <summary>
/// padding (21).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 7685 §3: the extension_data field SHALL be filled with zero bytes
/// </code>
/// </remarks>
public readonly ref struct PaddingExtension
{
    private PaddingExtension(ReadOnlySpan<byte> data) => Data = data;

    public ReadOnlySpan<byte> Data { get; }

    public int Length => Data.Length;

    /// <summary>RFC 7685 requires zeros; anything else is noted by <see cref="Parse"/>.</summary>
    public bool IsAllZero => !Data.ContainsAnyExcept((byte)0);

    public ParseStatus Status => ParseStatus.Ok;

    public static PaddingExtension Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        var p = new PaddingExtension(data);
        if (!p.IsAllZero)
            notes?.Add(new TlsNote(TlsNoteKeys.Unexpected, Severity.Warning, "Protocol",
                "Padding extension holds non-zero bytes (RFC 7685 §3)", 0, data.Length));
        return p;
    }
}

/// <summary>
/// session_ticket (35): in a ClientHello, the ticket being offered for resumption (empty to ask for one); in a
/// ServerHello, empty.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 5077 §3.2: the extension_data holds the ticket as opaque bytes
/// </code>
/// </remarks>
public readonly ref struct SessionTicketExtension
{
    private SessionTicketExtension(ReadOnlySpan<byte> ticket) => Ticket = ticket;

    public ReadOnlySpan<byte> Ticket { get; }

    public ParseStatus Status => ParseStatus.Ok;

    public static SessionTicketExtension Parse(ReadOnlySpan<byte> data) => new(data);
}

/// <summary>
/// renegotiation_info (0xff01).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 5746 §3.2
/// struct {
///     opaque renegotiated_connection&lt;0..255&gt;;
/// } RenegotiationInfo;
/// </code>
/// </remarks>
public readonly ref struct RenegotiationInfoExtension
{
    private RenegotiationInfoExtension(ParseStatus status, ReadOnlySpan<byte> value)
    {
        Status = status;
        RenegotiatedConnection = value;
    }

    public ParseStatus Status { get; }

    /// <summary>Empty on an initial handshake; the previous Finished verify_data when renegotiating.</summary>
    public ReadOnlySpan<byte> RenegotiatedConnection { get; }

    public static RenegotiationInfoExtension Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (!ctx.ReadVector8(ref r, 0, 255, out var value)) return new RenegotiationInfoExtension(ParseStatus.Malformed, value.Rest);
        ctx.Trailing(r);
        return new RenegotiationInfoExtension(ParseStatus.Ok, value.Rest);
    }
}

/// <summary>
/// cookie (44).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.2.2
/// struct {
///     opaque cookie&lt;1..2^16-1&gt;;
/// } Cookie;
/// </code>
/// </remarks>
public readonly ref struct CookieExtension
{
    private CookieExtension(ParseStatus status, ReadOnlySpan<byte> cookie)
    {
        Status = status;
        Cookie = cookie;
    }

    public ParseStatus Status { get; }

    public ReadOnlySpan<byte> Cookie { get; }

    public static CookieExtension Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (!ctx.ReadVector16(ref r, 1, ushort.MaxValue, out var cookie)) return new CookieExtension(ParseStatus.Malformed, cookie.Rest);
        ctx.Trailing(r);
        return new CookieExtension(ParseStatus.Ok, cookie.Rest);
    }
}

/// <summary>
/// early_data (42).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.2.10
/// struct {} Empty;
/// struct {
///     select (Handshake.msg_type) {
///         case new_session_ticket:   uint32 max_early_data_size;
///         case client_hello:         Empty;
///         case encrypted_extensions: Empty;
///     };
/// } EarlyDataIndication;
/// </code>
/// </remarks>
public readonly ref struct EarlyDataExtension
{
    private EarlyDataExtension(ParseStatus status, uint max, bool hasMax)
    {
        Status = status;
        MaxEarlyDataSize = max;
        HasMaxEarlyDataSize = hasMax;
    }

    public ParseStatus Status { get; }

    /// <summary>NewSessionTicket form: the most 0-RTT bytes the client may send.</summary>
    public uint MaxEarlyDataSize { get; }

    public bool HasMaxEarlyDataSize { get; }

    public static EarlyDataExtension Parse(ReadOnlySpan<byte> data, TlsHandshakeType context, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (context == TlsHandshakeType.NewSessionTicket)
        {
            if (!r.TryReadUInt32(out uint max))
            {
                ctx.Truncated(r, "max_early_data_size", 4);
                return new EarlyDataExtension(ParseStatus.Malformed, 0, false);
            }
            ctx.Trailing(r);
            return new EarlyDataExtension(ParseStatus.Ok, max, true);
        }
        return new EarlyDataExtension(EmptyExtension.Parse(data, notes), 0, false);
    }
}

/// <summary>
/// record_size_limit (28).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8449 §4
/// uint16 RecordSizeLimit;
/// </code>
/// </remarks>
public readonly ref struct RecordSizeLimitExtension
{
    private RecordSizeLimitExtension(ParseStatus status, ushort limit)
    {
        Status = status;
        Limit = limit;
    }

    public ParseStatus Status { get; }

    public ushort Limit { get; }

    public static RecordSizeLimitExtension Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (!r.TryReadUInt16(out ushort limit))
        {
            ctx.Truncated(r, "Record Size Limit", 2);
            return new RecordSizeLimitExtension(ParseStatus.Malformed, 0);
        }
        if (limit < 64)
            ctx.Add(TlsNoteKeys.Unexpected, Severity.Warning, "Protocol", $"Record size limit {limit} is below the minimum of 64 (RFC 8449 §4)", 0, 2);
        ctx.Trailing(r);
        return new RecordSizeLimitExtension(ParseStatus.Ok, limit);
    }
}

/// <summary>
/// max_fragment_length (1).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 6066 §4
/// enum { 2^9(1), 2^10(2), 2^11(3), 2^12(4), (255) } MaxFragmentLength;
/// </code>
/// </remarks>
public readonly ref struct MaxFragmentLengthExtension
{
    private MaxFragmentLengthExtension(ParseStatus status, byte value)
    {
        Status = status;
        Value = value;
    }

    public ParseStatus Status { get; }

    public byte Value { get; }

    /// <summary>The length the code stands for (512 to 4096), or 0 for an unknown code.</summary>
    public int Length => Value is >= 1 and <= 4 ? 256 << Value : 0;

    public static MaxFragmentLengthExtension Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (!r.TryReadUInt8(out byte value))
        {
            ctx.Truncated(r, "Maximum Fragment Length", 1);
            return new MaxFragmentLengthExtension(ParseStatus.Malformed, 0);
        }
        ctx.Trailing(r);
        return new MaxFragmentLengthExtension(ParseStatus.Ok, value);
    }
}

/// <summary>
/// encrypted_client_hello (0xfe0d), kept opaque apart from its first byte.
/// </summary>
/// <remarks>
/// <code>
/// // draft-ietf-tls-esni-18 §5
/// enum { outer(0), inner(1) } ECHClientHelloType;
/// struct {
///    ECHClientHelloType type;
///    select (ECHClientHello.type) {
///        case outer:
///            HpkeSymmetricCipherSuite cipher_suite;
///            uint8 config_id;
///            opaque enc&lt;0..2^16-1&gt;;
///            opaque payload&lt;1..2^16-1&gt;;
///        case inner:
///            Empty;
///    };
/// } ECHClientHello;
/// </code>
/// In EncryptedExtensions and HelloRetryRequest the data is the server's retry configurations or a confirmation.
/// </remarks>
public readonly ref struct EncryptedClientHelloExtension
{
    private EncryptedClientHelloExtension(ReadOnlySpan<byte> data) => Data = data;

    public ReadOnlySpan<byte> Data { get; }

    public ParseStatus Status => ParseStatus.Ok;

    /// <summary>ClientHello form: 0 outer, 1 inner; -1 when there is no byte.</summary>
    public int ClientHelloType => Data.IsEmpty ? -1 : Data[0];

    public static EncryptedClientHelloExtension Parse(ReadOnlySpan<byte> data) => new(data);
}
