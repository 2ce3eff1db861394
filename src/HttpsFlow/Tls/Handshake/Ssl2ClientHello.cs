using HttpsFlow.Common;

namespace HttpsFlow.Tls.Handshake;

/// <summary>
/// The SSL 2.0-compatible ClientHello that SSL 3.0 and TLS clients could send first, read from an SSL 2.0 record's
/// data (starting at msg_type; the two-byte msg_length is the record header).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 5246 Appendix E.2
/// uint8 V2CipherSpec[3];
/// struct {
///     uint16 msg_length;
///     uint8 msg_type;
///     Version version;
///     uint16 cipher_spec_length;
///     uint16 session_id_length;
///     uint16 challenge_length;
///     V2CipherSpec cipher_specs[V2ClientHello.cipher_spec_length];
///     opaque session_id[V2ClientHello.session_id_length];
///     opaque challenge[V2ClientHello.challenge_length;
/// } V2ClientHello;
/// </code>
/// A V2CipherSpec whose first byte is 0 is a TLS cipher suite in the last two.
/// </remarks>
public readonly ref struct Ssl2ClientHello
{
    private Ssl2ClientHello(ParseStatus status, byte type, ushort version, ReadOnlySpan<byte> specs, ReadOnlySpan<byte> sessionId, ReadOnlySpan<byte> challenge)
    {
        Status = status;
        MessageType = type;
        Version = version;
        CipherSpecBytes = specs;
        SessionId = sessionId;
        Challenge = challenge;
    }

    public ParseStatus Status { get; }

    /// <summary>msg_type: 1 for a ClientHello.</summary>
    public byte MessageType { get; }

    /// <summary>The highest version the client supports (0x0002 for SSL 2.0 itself, 0x0300 and up otherwise).</summary>
    public ushort Version { get; }

    public ReadOnlySpan<byte> CipherSpecBytes { get; }

    public ReadOnlySpan<byte> SessionId { get; }

    public ReadOnlySpan<byte> Challenge { get; }

    /// <summary>The cipher specs as 24-bit numbers (0x00XXXX is TLS cipher suite XXXX).</summary>
    public uint[] CipherSpecs()
    {
        var list = new uint[CipherSpecBytes.Length / 3];
        var r = new WireReader(CipherSpecBytes);
        for (int i = 0; i < list.Length; i++) r.TryReadUInt24(out list[i]);
        return list;
    }

    /// <param name="data">The SSL 2.0 record's data, from msg_type on.</param>
    /// <param name="notes">Where notes go; null for none.</param>
    public static Ssl2ClientHello Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (!r.TryReadUInt8(out byte type) || !r.TryReadUInt16(out ushort version)
            || !r.TryReadUInt16(out ushort specLength) || !r.TryReadUInt16(out ushort idLength) || !r.TryReadUInt16(out ushort challengeLength))
        {
            ctx.Truncated(r, "SSLv2 ClientHello header", 9);
            return new Ssl2ClientHello(ParseStatus.Malformed, 0, 0, default, default, default);
        }
        if (type != 1)
            ctx.Add(TlsNoteKeys.Unexpected, Severity.Warning, "Protocol", $"SSLv2 message type {type} is not a ClientHello (1)", 0, 1);
        if (specLength % 3 != 0)
            ctx.Add(TlsNoteKeys.Unexpected, Severity.Warning, "Protocol", $"Cipher spec length {specLength} is not a multiple of 3", 3, 2);
        if (idLength is not (0 or 16 or 32))
            ctx.Add(TlsNoteKeys.Malformed, Severity.Error, "Malformed", "Session ID length error", 5, 2);
        if (challengeLength is < 16 or > 32)
            ctx.Add(TlsNoteKeys.Unexpected, Severity.Warning, "Protocol", $"Challenge length {challengeLength} is outside 16..32 (RFC 5246 Appendix E.2)", 7, 2);
        if (!r.TryReadBytes(specLength, out var specs))
        {
            ctx.Truncated(r, "Cipher Specs", specLength);
            r.TryReadBytes(r.Remaining, out specs);
            return new Ssl2ClientHello(ParseStatus.Malformed, type, version, specs, default, default);
        }
        if (!r.TryReadBytes(idLength, out var sessionId))
        {
            ctx.Truncated(r, "Session ID", idLength);
            r.TryReadBytes(r.Remaining, out sessionId);
            return new Ssl2ClientHello(ParseStatus.Malformed, type, version, specs, sessionId, default);
        }
        if (!r.TryReadBytes(challengeLength, out var challenge))
        {
            ctx.Truncated(r, "Challenge", challengeLength);
            r.TryReadBytes(r.Remaining, out challenge);
            return new Ssl2ClientHello(ParseStatus.Malformed, type, version, specs, sessionId, challenge);
        }
        ctx.Trailing(r);
        return new Ssl2ClientHello(ParseStatus.Ok, type, version, specs, sessionId, challenge);
    }
}
