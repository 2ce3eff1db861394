using HttpsFlow.Common;

namespace HttpsFlow.Tls.Records;

/// <summary>
/// The five-byte header of an SSL 3.0 / TLS record.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §5.1
/// struct {
///     ContentType type;
///     ProtocolVersion legacy_record_version;
///     uint16 length;
///     opaque fragment[TLSPlaintext.length];
/// } TLSPlaintext;
/// </code>
/// </remarks>
public readonly struct TlsRecordHeader
{
    /// <summary>Bytes in the header.</summary>
    public const int Size = 5;

    /// <summary>Largest TLSPlaintext.fragment (RFC 8446 §5.1, RFC 5246 §6.2.1): 2^14.</summary>
    public const int MaxPlaintextLength = 1 << 14;

    /// <summary>Largest TLSCiphertext.fragment before TLS 1.3 (RFC 5246 §6.2.3): 2^14 + 2048.</summary>
    public const int MaxCiphertextLength = MaxPlaintextLength + 2048;

    /// <summary>Largest TLSCiphertext.encrypted_record in TLS 1.3 (RFC 8446 §5.2): 2^14 + 256.</summary>
    public const int MaxCiphertextLengthTls13 = MaxPlaintextLength + 256;

    public TlsRecordHeader(TlsContentType contentType, ushort version, ushort length)
    {
        ContentType = contentType;
        Version = version;
        Length = length;
    }

    public TlsContentType ContentType { get; }

    /// <summary>legacy_record_version.</summary>
    public ushort Version { get; }

    /// <summary>Length of the fragment that follows.</summary>
    public ushort Length { get; }

    /// <summary>Header plus fragment.</summary>
    public int TotalLength => Size + Length;

    /// <summary>Reads a header; <see cref="ParseStatus.NeedMoreData"/> when fewer than five bytes are given. Any five bytes parse.</summary>
    public static ParseStatus TryParse(ReadOnlySpan<byte> data, out TlsRecordHeader header)
    {
        var r = new WireReader(data);
        if (!r.TryReadUInt8(out byte type) || !r.TryReadUInt16(out ushort version) || !r.TryReadUInt16(out ushort length))
        {
            header = default;
            return ParseStatus.NeedMoreData;
        }
        header = new TlsRecordHeader((TlsContentType)type, version, length);
        return ParseStatus.Ok;
    }

    /// <summary>The largest fragment the protocol allows for a connection of <paramref name="negotiatedVersion"/> (as tshark checks it).</summary>
    public static int MaxFragmentLength(ushort negotiatedVersion) =>
        negotiatedVersion == TlsVersion.Tls13 ? MaxCiphertextLengthTls13 : MaxCiphertextLength;
}

/// <summary>
/// The two- or three-byte header of an SSL 2.0 record (RFC 6101 Appendix E.1; draft-hickman-netscape-ssl-00 §1.2):
/// with the high bit of the first byte set, a 15-bit length; otherwise a 14-bit length, an is-escape bit and a
/// padding-length byte.
/// </summary>
public readonly struct Ssl2RecordHeader
{
    public Ssl2RecordHeader(int headerLength, int length, bool isEscape, int paddingLength)
    {
        HeaderLength = headerLength;
        Length = length;
        IsEscape = isEscape;
        PaddingLength = paddingLength;
    }

    /// <summary>2 or 3.</summary>
    public int HeaderLength { get; }

    /// <summary>Length of the record data after the header.</summary>
    public int Length { get; }

    public bool IsEscape { get; }

    /// <summary>Padding bytes at the end of the data (three-byte headers only; 0 otherwise).</summary>
    public int PaddingLength { get; }

    public int TotalLength => HeaderLength + Length;

    public static ParseStatus TryParse(ReadOnlySpan<byte> data, out Ssl2RecordHeader header)
    {
        header = default;
        var r = new WireReader(data);
        if (!r.TryReadUInt8(out byte b0) || !r.TryReadUInt8(out byte b1)) return ParseStatus.NeedMoreData;
        if ((b0 & 0x80) != 0)
        {
            header = new Ssl2RecordHeader(2, (b0 & 0x7f) << 8 | b1, false, 0);
            return ParseStatus.Ok;
        }
        if (!r.TryReadUInt8(out byte padding)) return ParseStatus.NeedMoreData;
        header = new Ssl2RecordHeader(3, (b0 & 0x3f) << 8 | b1, (b0 & 0x40) != 0, padding);
        return ParseStatus.Ok;
    }
}
