using HttpsFlow.Tcp.Reassembly;

namespace HttpsFlow.Tls.Records;

/// <summary>What a <see cref="TlsRecord"/> holds.</summary>
public enum TlsRecordKind : byte
{
    /// <summary>An SSL 3.0 / TLS record: a five-byte header and its fragment.</summary>
    Tls,
    /// <summary>An SSL 2.0 record (a two- or three-byte header), in practice the SSL 2.0-compatible ClientHello.</summary>
    Ssl2,
    /// <summary>Bytes that do not start a record where one was expected: the rest of the chunk they came in.</summary>
    Unrecognised,
}

/// <summary>Why bytes were <see cref="TlsRecordKind.Unrecognised"/>.</summary>
public enum TlsUnrecognisedReason : byte
{
    None,
    /// <summary>The first byte is not a known content type (20–25); the version was not checked.</summary>
    UnknownContentType,
    /// <summary>Neither an SSL 3.0 / TLS header (known type and version) nor an SSL 2.0 one.</summary>
    NotARecordHeader,
    /// <summary>The chunk starts with four printable characters: clear text, not TLS (tshark gives it up to TCP).</summary>
    PrintableText,
}

/// <summary>
/// One record of a direction's stream, as <see cref="TlsRecordParser"/> delivers it to
/// <see cref="ITlsRecordSink.OnRecord"/>. Every span is valid only during that call (it points into the chunk being
/// fed or into the parser's buffer); a consumer that keeps bytes copies them.
/// </summary>
public readonly ref struct TlsRecord
{
    private readonly ReadOnlySpan<StreamSegment> _segments;

    internal TlsRecord(TlsRecordKind kind, TlsContentType contentType, ushort version, int headerLength,
        ReadOnlySpan<byte> bytes, ulong streamOffset, long frame, long index, ReadOnlySpan<StreamSegment> segments,
        TlsUnrecognisedReason reason = TlsUnrecognisedReason.None)
    {
        Kind = kind;
        ContentType = contentType;
        Version = version;
        HeaderLength = headerLength;
        Bytes = bytes;
        StreamOffset = streamOffset;
        Frame = frame;
        Index = index;
        _segments = segments;
        Reason = reason;
    }

    public TlsRecordKind Kind { get; }

    /// <summary>The content type (TLS records only; <see cref="TlsContentType.Invalid"/> otherwise).</summary>
    public TlsContentType ContentType { get; }

    /// <summary>legacy_record_version; <see cref="TlsVersion.Ssl2"/> (0x0002) for SSL 2.0 records, as Wireshark shows them.</summary>
    public ushort Version { get; }

    /// <summary>5 for TLS, 2 or 3 for SSL 2.0, 0 for unrecognised bytes.</summary>
    public int HeaderLength { get; }

    /// <summary>The whole record: header and fragment.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>The fragment (TLS), the message data (SSL 2.0, starting at msg_type), or the unrecognised bytes.</summary>
    public ReadOnlySpan<byte> Fragment => Bytes[HeaderLength..];

    /// <summary>Fragment length (the header's length field for TLS and SSL 2.0).</summary>
    public int Length => Bytes.Length - HeaderLength;

    /// <summary>Offset of the first header byte in the direction's stream.</summary>
    public ulong StreamOffset { get; }

    /// <summary>Offset just past the record.</summary>
    public ulong EndOffset => StreamOffset + (ulong)Bytes.Length;

    /// <summary>Offset of the fragment's first byte.</summary>
    public ulong FragmentOffset => StreamOffset + (ulong)HeaderLength;

    /// <summary>The frame whose bytes completed the record: the one it is "reassembled in".</summary>
    public long Frame { get; }

    /// <summary>Position of the record in its direction, from 0 (unrecognised chunks count too).</summary>
    public long Index { get; }

    /// <summary>
    /// The pieces of the stream that carried the record, in stream order, each clipped to the record, with the frame
    /// that delivered it (tshark's tls.segment list when there is more than one frame).
    /// </summary>
    public ReadOnlySpan<StreamSegment> Segments => _segments;

    /// <summary>The first frame that carried a byte of the record.</summary>
    public long FirstFrame => _segments.IsEmpty ? Frame : _segments[0].Frame;

    /// <summary>True when the record's bytes came in more than one frame.</summary>
    public bool SpansFrames
    {
        get
        {
            foreach (var s in _segments)
                if (s.Frame != FirstFrame) return true;
            return false;
        }
    }

    public TlsUnrecognisedReason Reason { get; }

    /// <summary>The SSL 2.0 message type (first data byte), or -1.</summary>
    public int Ssl2MessageType => Kind == TlsRecordKind.Ssl2 && Length > 0 ? Fragment[0] : -1;

    /// <summary>
    /// The Info text tshark shows for an SSL 2.0 record: the message type's name ("Client Hello", "Server Hello",
    /// "Client Master Key", …) when the data looks like a clear-text SSL 2.0 handshake message, else "Encrypted Data".
    /// Null for other records.
    /// </summary>
    public string? Ssl2InfoText
    {
        get
        {
            if (Kind != TlsRecordKind.Ssl2) return null;
            var name = Ssl2MessageType >= 0 ? TlsNames.Ssl2MessageType((byte)Ssl2MessageType) : null;
            return name is not null && TlsSniffer.LooksLikeClearSsl2Handshake(Fragment) ? name : TlsNames.EncryptedData;
        }
    }

    /// <summary>
    /// The Info text tshark shows for unrecognised bytes in a connection of <paramref name="negotiatedVersion"/>:
    /// "Ignored Unknown Record" for an unknown content type in TLS 1.0–1.2, "Continuation Data" otherwise, and
    /// null for clear text (which tshark does not take for TLS at all).
    /// </summary>
    public string? UnrecognisedInfo(ushort negotiatedVersion) => Reason switch
    {
        TlsUnrecognisedReason.PrintableText => null,
        TlsUnrecognisedReason.UnknownContentType when negotiatedVersion is TlsVersion.Tls10 or TlsVersion.Tls11
            or TlsVersion.Tls12 or TlsVersion.GmTls => TlsNames.IgnoredUnknownRecord,
        _ => TlsNames.ContinuationData,
    };
}

/// <summary>Receives what a <see cref="TlsRecordParser"/> finds, in stream order. It must not feed the parser from these calls.</summary>
public interface ITlsRecordSink
{
    /// <summary>A complete record (or unrecognised bytes); its spans are valid only during the call.</summary>
    void OnRecord(in TlsRecord record);

    /// <summary>A note about the stream (a record cut short, a record too long, …), raised before the record it concerns.</summary>
    void OnNote(in TlsStreamNote note)
    {
    }

    /// <summary>
    /// Bytes [<paramref name="streamOffset"/>, +<paramref name="length"/>) will never come; any record in progress
    /// was dropped, and parsing resumes at the start of the next chunk. Handshake reassembly should be reset.
    /// </summary>
    void OnGap(ulong streamOffset, ulong length, long frame)
    {
    }
}
