using HttpsFlow.Common;

namespace HttpsFlow.Tls.Handshake;

/// <summary>
/// A handshake message's framing: type, length and body.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4
/// struct {
///     HandshakeType msg_type;    /* handshake type */
///     uint24 length;             /* remaining bytes in message */
///     select (Handshake.msg_type) { ... };
/// } Handshake;
/// </code>
/// </remarks>
public readonly ref struct HandshakeMessage
{
    /// <summary>Bytes before the body.</summary>
    public const int HeaderSize = 4;

    private HandshakeMessage(TlsHandshakeType type, int length, ReadOnlySpan<byte> bytes)
    {
        Type = type;
        Length = length;
        Bytes = bytes;
    }

    public TlsHandshakeType Type { get; }

    /// <summary>The body length the header declares.</summary>
    public int Length { get; }

    /// <summary>Header and body.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public ReadOnlySpan<byte> Body => Bytes[HeaderSize..];

    /// <summary>
    /// Reads one message from the start of <paramref name="data"/>: <see cref="ParseStatus.NeedMoreData"/> while the
    /// header or body is incomplete (<paramref name="needed"/> then says how many bytes the message needs in all,
    /// or 4 when even the header is short).
    /// </summary>
    public static ParseStatus TryParse(ReadOnlySpan<byte> data, out HandshakeMessage message, out int needed)
    {
        message = default;
        var r = new WireReader(data);
        if (!r.TryReadUInt8(out byte type) || !r.TryReadUInt24(out uint length))
        {
            needed = HeaderSize;
            return ParseStatus.NeedMoreData;
        }
        needed = HeaderSize + (int)length;
        if (data.Length < needed) return ParseStatus.NeedMoreData;
        message = new HandshakeMessage((TlsHandshakeType)type, (int)length, data[..needed]);
        return ParseStatus.Ok;
    }
}
