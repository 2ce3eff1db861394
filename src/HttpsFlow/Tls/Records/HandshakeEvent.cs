namespace HttpsFlow.Tls.Records;

/// <summary>What a <see cref="HandshakeEvent"/> reports.</summary>
public enum HandshakeEventKind : byte
{
    /// <summary>A whole handshake message, from one record or reassembled from several.</summary>
    Message,
    /// <summary>The first piece of a message that continues in later records.</summary>
    FragmentStart,
    /// <summary>A further piece of a message being reassembled (not its last).</summary>
    FragmentContinue,
    /// <summary>The record's handshake bytes look encrypted: tshark's "Encrypted Handshake Message".</summary>
    Encrypted,
    /// <summary>A message longer than the reassembly limit has ended; its bytes were not kept.</summary>
    Skipped,
}

/// <summary>
/// A handshake message or piece of one, as <see cref="HandshakeReassembler"/> reports it to
/// <see cref="IHandshakeSink.OnHandshake"/>. Spans are valid only during that call.
/// </summary>
public readonly ref struct HandshakeEvent
{
    internal HandshakeEvent(HandshakeEventKind kind, byte type, int declaredLength, ReadOnlySpan<byte> message,
        bool isFirstInRecord, bool isHelloRetryRequest, ulong streamOffset, ulong endOffset, long frame,
        ReadOnlySpan<long> frames, ReadOnlySpan<ulong> records)
    {
        Kind = kind;
        Type = (TlsHandshakeType)type;
        DeclaredLength = declaredLength;
        Message = message;
        IsFirstInRecord = isFirstInRecord;
        IsHelloRetryRequest = isHelloRetryRequest;
        StreamOffset = streamOffset;
        EndOffset = endOffset;
        Frame = frame;
        Frames = frames;
        Records = records;
    }

    public HandshakeEventKind Kind { get; }

    /// <summary>msg_type (for <see cref="HandshakeEventKind.Encrypted"/>, the record's first byte, which means nothing).</summary>
    public TlsHandshakeType Type { get; }

    /// <summary>The body length the header declares; -1 while fewer than four bytes of the message are known.</summary>
    public int DeclaredLength { get; }

    /// <summary>
    /// For <see cref="HandshakeEventKind.Message"/>: the whole message, header included (what RFC 8446 §4.4.1's
    /// transcript hashes). For fragments: the piece in this record. For <see cref="HandshakeEventKind.Encrypted"/>:
    /// the record's fragment. Empty for <see cref="HandshakeEventKind.Skipped"/>.
    /// </summary>
    public ReadOnlySpan<byte> Message { get; }

    /// <summary>The message body (after the four-byte header) of a <see cref="HandshakeEventKind.Message"/>.</summary>
    public ReadOnlySpan<byte> Body => Kind == HandshakeEventKind.Message && Message.Length >= 4 ? Message[4..] : default;

    /// <summary>
    /// Whether tshark counts this as the first message of its record, which decides what the Info column shows: a
    /// reassembled message counts as first; a message after another in the same record does not.
    /// </summary>
    public bool IsFirstInRecord { get; }

    /// <summary>A ServerHello that tshark names "Hello Retry Request" (its special random, RFC 8446 §4.1.3; first in its record).</summary>
    public bool IsHelloRetryRequest { get; }

    /// <summary>Stream offset of the message's (or piece's) first byte.</summary>
    public ulong StreamOffset { get; }

    /// <summary>Stream offset just past its last byte (a reassembled message's range includes the record headers between).</summary>
    public ulong EndOffset { get; }

    /// <summary>The frame of the record being processed (for a reassembled message, the one it is reassembled in).</summary>
    public long Frame { get; }

    /// <summary>The distinct frames that carried the message's bytes, in stream order.</summary>
    public ReadOnlySpan<long> Frames { get; }

    /// <summary>Stream offsets of the records that carried the message's bytes, in order.</summary>
    public ReadOnlySpan<ulong> Records { get; }

    /// <summary>
    /// What tshark adds to the Info column for this event, or null for nothing: the message name ("Client Hello",
    /// "Hello Retry Request", "Encrypted Handshake Message" for an unknown type first in its record), "[Certificate
    /// Fragment]" for the first piece of a message that is first in its record, nothing for later pieces.
    /// </summary>
    public string? InfoText => Kind switch
    {
        HandshakeEventKind.Message when IsFirstInRecord && IsHelloRetryRequest => TlsNames.HelloRetryRequest,
        HandshakeEventKind.Message when IsFirstInRecord => TlsNames.HandshakeInfo((byte)Type),
        HandshakeEventKind.Message => TlsNames.HandshakeType((byte)Type),
        HandshakeEventKind.FragmentStart when IsFirstInRecord => TlsNames.HandshakeFragmentInfo((byte)Type),
        HandshakeEventKind.Encrypted => TlsNames.EncryptedHandshakeMessage,
        HandshakeEventKind.Skipped => TlsNames.HandshakeInfo((byte)Type),
        _ => null,
    };
}

/// <summary>Receives what a <see cref="HandshakeReassembler"/> finds. It must not feed the reassembler from these calls.</summary>
public interface IHandshakeSink
{
    void OnHandshake(in HandshakeEvent e);

    void OnNote(in TlsStreamNote note)
    {
    }
}
