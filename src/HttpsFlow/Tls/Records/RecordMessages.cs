using HttpsFlow.Common;

namespace HttpsFlow.Tls.Records;

/// <summary>
/// An alert record's fragment.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §6
/// enum { warning(1), fatal(2), (255) } AlertLevel;
/// struct {
///     AlertLevel level;
///     AlertDescription description;
/// } Alert;
/// </code>
/// Like tshark, a fragment that is not exactly two bytes is taken for an encrypted alert.
/// </remarks>
public readonly ref struct TlsAlert
{
    private TlsAlert(bool isEncrypted, byte level, byte description, ReadOnlySpan<byte> bytes)
    {
        IsEncrypted = isEncrypted;
        Level = level;
        Description = description;
        Bytes = bytes;
    }

    /// <summary>The fragment is not two bytes: an encrypted alert (or a coalesced one, which tshark does not read either).</summary>
    public bool IsEncrypted { get; }

    public byte Level { get; }

    public byte Description { get; }

    public ReadOnlySpan<byte> Bytes { get; }

    public static TlsAlert Parse(ReadOnlySpan<byte> fragment)
    {
        if (fragment.Length != 2) return new TlsAlert(true, 0, 0, fragment);
        var r = new WireReader(fragment);
        r.TryReadUInt8(out byte level);
        r.TryReadUInt8(out byte description);
        return new TlsAlert(false, level, description, fragment);
    }

    /// <summary>"Encrypted Alert" or "Alert (Level: Fatal, Description: Handshake Failure)".</summary>
    public string InfoText => IsEncrypted ? TlsNames.EncryptedAlert : TlsNames.AlertInfo(Level, Description);
}

/// <summary>
/// A change_cipher_spec record's fragment.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 5246 §7.1
/// struct {
///     enum { change_cipher_spec(1), (255) } type;
/// } ChangeCipherSpec;
/// </code>
/// RFC 8446 §5 keeps it in TLS 1.3 for middlebox compatibility, where it has no meaning.
/// </remarks>
public readonly ref struct ChangeCipherSpecMessage
{
    private ChangeCipherSpecMessage(ParseStatus status, byte value)
    {
        Status = status;
        Value = value;
    }

    /// <summary><see cref="ParseStatus.Ok"/> for the single byte 1; <see cref="ParseStatus.Malformed"/> otherwise (with a note).</summary>
    public ParseStatus Status { get; }

    public byte Value { get; }

    public static ChangeCipherSpecMessage Parse(ReadOnlySpan<byte> fragment, TlsNotes? notes = null)
    {
        var r = new WireReader(fragment);
        if (!r.TryReadUInt8(out byte value))
        {
            notes?.Add(new TlsNote(TlsNoteKeys.Malformed, Severity.Error, "Malformed", "ChangeCipherSpec: 1 byte needed, 0 left", 0, 0));
            return new ChangeCipherSpecMessage(ParseStatus.Malformed, 0);
        }
        bool ok = value == 1 && r.IsEmpty;
        if (!ok)
            notes?.Add(new TlsNote(TlsNoteKeys.Unexpected, Severity.Warning, "Protocol",
                $"ChangeCipherSpec of {fragment.Length} byte{(fragment.Length == 1 ? "" : "s")} with value {value} (RFC 5246 §7.1 allows the single byte 1)",
                0, fragment.Length));
        return new ChangeCipherSpecMessage(ok ? ParseStatus.Ok : ParseStatus.Malformed, value);
    }
}

/// <summary>
/// A heartbeat record's fragment, read as tshark reads it.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 6520 §4
/// struct {
///     HeartbeatMessageType type;
///     uint16 payload_length;
///     opaque payload[HeartbeatMessage.payload_length];
///     opaque padding[padding_length];
/// } HeartbeatMessage;
/// </code>
/// The fragment is taken for plaintext when it is at most 19 bytes or leaves room for the 16 bytes of padding RFC
/// 6520 requires; otherwise (or before ChangeCipherSpec is known) it is an "Encrypted Heartbeat".
/// </remarks>
public readonly ref struct TlsHeartbeat
{
    private TlsHeartbeat(bool isEncrypted, byte type, ushort payloadLength, ReadOnlySpan<byte> payload)
    {
        IsEncrypted = isEncrypted;
        Type = type;
        PayloadLength = payloadLength;
        Payload = payload;
    }

    public bool IsEncrypted { get; }

    public byte Type { get; }

    public ushort PayloadLength { get; }

    public ReadOnlySpan<byte> Payload { get; }

    /// <param name="fragment">The record fragment.</param>
    /// <param name="plaintext">Whether the record could be plaintext at all (no cipher active in this direction).</param>
    public static TlsHeartbeat Parse(ReadOnlySpan<byte> fragment, bool plaintext = true)
    {
        var r = new WireReader(fragment);
        r.TryReadUInt8(out byte type);
        r.TryReadUInt16(out ushort payloadLength);
        if (fragment.Length <= 19 || 3 + payloadLength + 16 <= fragment.Length) plaintext = true;
        bool encrypted = !plaintext || TlsNames.HeartbeatType(type) is null;
        r.TryReadBytes(Math.Min(payloadLength, r.Remaining), out var payload);
        return new TlsHeartbeat(encrypted, type, payloadLength, payload);
    }

    /// <summary>"Heartbeat Request", "Heartbeat Response" or "Encrypted Heartbeat".</summary>
    public string InfoText => IsEncrypted ? TlsNames.EncryptedHeartbeat : "Heartbeat " + TlsNames.HeartbeatType(Type);
}
