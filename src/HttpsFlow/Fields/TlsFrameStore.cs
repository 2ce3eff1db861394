using HttpsFlow.Net;
using HttpsFlow.Tcp;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Handshake;
using HttpsFlow.Tls.List;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Fields;

/// <summary>What a <see cref="TlsFrameItem"/> holds.</summary>
public enum TlsFrameItemKind : byte
{
    Record,
    Handshake,
}

/// <summary>
/// One record, or one handshake event of the record before it, kept for the frame being dissected. Its bytes are a
/// range of <see cref="TlsFrameStore.Bytes"/>; a reassembled handshake message's frames a range of
/// <see cref="TlsFrameStore.Frames"/>.
/// </summary>
public struct TlsFrameItem
{
    public TlsFrameItemKind Kind;
    public TlsRecordKind RecordKind;
    public TlsContentType ContentType;
    public HandshakeEventKind HandshakeKind;
    public TlsHandshakeType HandshakeType;
    public bool IsHelloRetryRequest;
    public bool FromA;
    /// <summary>The record's legacy version (records), or the connection's version when the item was reported.</summary>
    public ushort RecordVersion;
    public ushort ConnectionVersion;
    public int HeaderLength;
    public int DeclaredLength;
    public int BytesStart;
    public int BytesLength;
    public int FramesStart;
    public int FramesCount;
    /// <summary>For a record: its pieces per TCP segment (a range of <see cref="TlsFrameStore.PiecesOf"/>).</summary>
    public int PiecesStart;
    public int PiecesCount;
    /// <summary>For a record: the first frame that carried a byte of it (earlier than the frame: reassembled by TCP).</summary>
    public long FirstFrame;
    public ulong StreamOffset;
    public ulong EndOffset;
    public TlsConnectionFacts Connection;
    /// <summary>For a record: it was decrypted; <see cref="InnerType"/> is its plaintext's content type (TLS 1.3's inner type).</summary>
    public bool Decrypted;
    public TlsContentType InnerType;
    public bool Tls13Protected;
    /// <summary>For a decrypted record: its plaintext, a range of <see cref="TlsFrameStore.Bytes"/>.</summary>
    public int PlainStart;
    public int PlainLength;
    /// <summary>For a record quoted in an ICMP error: an empty record ending the quote, shown up to its length only.</summary>
    public bool HeaderOnly;
    /// <summary>For unrecognised bytes: tshark's "Ignored Unknown Record" (an unknown content type in a TLS 1.0–1.2 connection).</summary>
    public bool IgnoredUnknown;
}

/// <summary>What the fields need to know about a TLS connection beyond one record: the cipher suite and the application protocol.</summary>
public sealed class TlsConnectionFacts
{
    /// <summary>The cipher suite the ServerHello chose (0 before).</summary>
    public ushort CipherSuite;
    public bool HasCipherSuite;
    /// <summary>The protocol named by the ALPN extension of the ServerHello, or null.</summary>
    public string? AlpnProtocol;
    /// <summary>The protocol tshark gives the decrypted data by port (tls.port table), or null.</summary>
    public string? PortProtocol;

    // What tshark's session-resumption note needs (its ssl_dissect_change_cipher_spec): whether a session ID or a
    // ticket was on offer, the side that sent the ServerHello, whether ServerHelloDone came, and the verdict.
    internal bool SessionOffered;
    internal bool HasServerSide;
    internal bool ServerIsA;
    internal bool ServerHelloDone;
    internal bool Resumed;
}

/// <summary>
/// The TLS of the frame being dissected, kept for the field emitter: an <see cref="ITlsObserver"/> that copies each
/// record and handshake event into one reused byte buffer and one reused item array, reset when a new frame begins. It
/// is attached to the <see cref="Pipeline.Dissector"/> only by commands that print fields, never on the list path.
/// In steady state it allocates nothing per packet (one small object per TLS connection).
/// </summary>
public sealed class TlsFrameStore : ITlsObserver, Decryption.IDecryptedSink
{
    private readonly Dictionary<int, TlsConnectionFacts> _connections = new(); // by tcp.stream
    private byte[] _bytes = new byte[16384];
    private int _byteCount;
    private TlsFrameItem[] _items = new TlsFrameItem[16];
    private long[] _frames = new long[16];
    private int _frameCount;
    private (long Frame, int Length)[] _pieces = new (long, int)[16];
    private int _pieceCount;

    /// <summary>The frame the store holds (-1 before the first).</summary>
    public long FrameNumber { get; private set; } = -1;

    public int Count { get; private set; }

    /// <summary>The http.* and http2.* fields the HTTP layers found in decrypted data (null: none).</summary>
    public AppFrameFields? AppFields { get; set; }

    /// <summary>Turns what the store holds into fields (its scratch lists are reused frame to frame).</summary>
    public TlsFieldEmitter Emitter { get; } = new();

    public ReadOnlySpan<TlsFrameItem> Items => _items.AsSpan(0, Count);

    public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, _byteCount);

    public ReadOnlySpan<long> Frames => _frames.AsSpan(0, _frameCount);

    /// <summary>The segment handed to TLS in this frame: its stream range and the bytes left waiting for a record's end.</summary>
    public bool HasSegment { get; private set; }
    public ulong SegmentStart { get; private set; }
    public ulong SegmentEnd { get; private set; }
    public int SegmentBuffered { get; private set; }

    public ReadOnlySpan<byte> BytesOf(in TlsFrameItem item) => _bytes.AsSpan(item.BytesStart, item.BytesLength);

    public ReadOnlySpan<long> FramesOf(in TlsFrameItem item) => _frames.AsSpan(item.FramesStart, item.FramesCount);

    /// <summary>A record's bytes per TCP segment that carried them, in stream order: the frame and how many bytes.</summary>
    public ReadOnlySpan<(long Frame, int Length)> PiecesOf(in TlsFrameItem item) => _pieces.AsSpan(item.PiecesStart, item.PiecesCount);

    /// <summary>
    /// The frame is an ICMP error and what the store holds is TLS's reading of the TCP payload it quotes (one call of
    /// TLS, its records read on their own: see <see cref="ITlsObserver.OnQuotedRecord"/>).
    /// </summary>
    public bool Quoted { get; private set; }

    /// <summary>True when the store holds the TLS of <paramref name="frame"/>.</summary>
    public bool Holds(Frame frame) => FrameNumber == frame.Number && (Count > 0 || HasSegment);

    public void OnConversationForgotten(TcpConversation conversation) => _connections.Remove(conversation.Stream);

    private void Begin(Frame frame)
    {
        if (FrameNumber == frame.Number) return;
        FrameNumber = frame.Number;
        Count = 0;
        _byteCount = 0;
        _frameCount = 0;
        _pieceCount = 0;
        HasSegment = false;
        Quoted = false;
    }

    private int Copy(ReadOnlySpan<byte> bytes)
    {
        if (_byteCount + bytes.Length > _bytes.Length)
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _byteCount + bytes.Length));
        bytes.CopyTo(_bytes.AsSpan(_byteCount));
        int start = _byteCount;
        _byteCount += bytes.Length;
        return start;
    }

    private ref TlsFrameItem Next()
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        ref var item = ref _items[Count++];
        item = default;
        return ref item;
    }

    private TlsConnectionFacts Facts(Frame frame, TcpConversation conversation, ulong bytesBeforeTls = 0)
    {
        if (!_connections.TryGetValue(conversation.Stream, out var facts))
        {
            // TLS that starts after other bytes of the stream was started by the protocol of the port (STARTTLS), which
            // tshark's dissector for it hands over; otherwise the TLS port table names it.
            // After a SOCKS handshake the protocol is the one of the port the client asked the proxy for.
            string? startTls = bytesBeforeTls == 0 ? null
                : conversation.TunnelPort is { } tunnel ? TlsApplicationProtocols.ForPort(tunnel)
                : TlsApplicationProtocols.ForStartTlsPort(frame.DstPort) ?? TlsApplicationProtocols.ForStartTlsPort(frame.SrcPort);
            facts = new TlsConnectionFacts { PortProtocol = startTls ?? TlsApplicationProtocols.ForPort(frame.DstPort) ?? TlsApplicationProtocols.ForPort(frame.SrcPort) };
            _connections[conversation.Stream] = facts;
        }
        return facts;
    }

    /// <summary>
    /// Bytes the TCP stream carried before TLS began in this direction (a STARTTLS exchange): this frame's relative
    /// sequence number less one, less the TLS offset at which its segment starts.
    /// </summary>
    private static ulong BytesBeforeTls(Frame frame, in TlsRecord record)
    {
        foreach (var s in record.Segments)
            if (s.Frame == frame.Number)
                return frame.Tcp.Seq > s.StreamOffset + 1 ? frame.Tcp.Seq - 1 - s.StreamOffset : 0;
        return 0;
    }

    public void OnRecord(Frame frame, TcpConversation conversation, bool fromA, in TlsRecord record, ushort version)
    {
        Begin(frame);
        ref var item = ref AddRecord(fromA, record, version, record.FirstFrame);
        item.Connection = _connections.TryGetValue(conversation.Stream, out var known) ? known
            : Facts(frame, conversation, BytesBeforeTls(frame, record));
        item.PiecesStart = _pieceCount;
        foreach (var s in record.Segments)
        {
            // The part of each segment inside the record (a segment may also carry the ends of its neighbours).
            ulong from = Math.Max(s.StreamOffset, record.StreamOffset), to = Math.Min(s.StreamOffset + (ulong)s.Length, record.EndOffset);
            if (to <= from) continue;
            if (_pieceCount == _pieces.Length) Array.Resize(ref _pieces, _pieces.Length * 2);
            _pieces[_pieceCount++] = (s.Frame, (int)(to - from));
            item.PiecesCount++;
        }
    }

    public void OnHandshake(Frame frame, TcpConversation conversation, bool fromA, in HandshakeEvent e, ushort version)
    {
        Begin(frame);
        var facts = Facts(frame, conversation);
        ref var item = ref AddHandshake(fromA, e, version);
        item.Connection = facts;
        if (e.Kind == HandshakeEventKind.Message)
        {
            if (e.Records.Length > 1)
            {
                // A message reassembled from several records: the frames that carried its pieces (tls.segment).
                if (_frameCount + e.Frames.Length > _frames.Length)
                    Array.Resize(ref _frames, Math.Max(_frames.Length * 2, _frameCount + e.Frames.Length));
                e.Frames.CopyTo(_frames.AsSpan(_frameCount));
                item.FramesStart = _frameCount;
                item.FramesCount = e.Frames.Length;
                _frameCount += e.Frames.Length;
            }
            if (e.Type == TlsHandshakeType.ServerHello && !e.IsHelloRetryRequest) Learn(facts, e.Body);
        }
    }

    /// <summary>The ServerHello fixes the cipher suite (for reading the key exchange) and, by ALPN, the application protocol.</summary>
    private static void Learn(TlsConnectionFacts facts, ReadOnlySpan<byte> body)
    {
        var hello = ServerHello.Parse(body);
        if (hello.HasCipherSuite)
        {
            facts.CipherSuite = hello.CipherSuite.Value;
            facts.HasCipherSuite = true;
        }
        if (hello.Extensions.TryFind(Tls.ExtensionType.Alpn, out var alpn))
        {
            foreach (var protocol in Tls.Extensions.AlpnExtension.Parse(alpn.Data).Protocols)
            {
                facts.AlpnProtocol = TlsApplicationProtocols.ForAlpn(protocol);
                break;
            }
        }
    }

    /// <summary>
    /// A record of this frame was decrypted (the decryptor runs after the store among the dissector's observers, so the
    /// record is the last one kept): its plaintext and inner type are kept with it.
    /// </summary>
    public void OnPlaintext(in Decryption.DecryptedRecord record)
    {
        if (record.Frame != FrameNumber) return;
        for (int i = Count - 1; i >= 0; i--)
        {
            ref var item = ref _items[i];
            if (item.Kind != TlsFrameItemKind.Record) continue;
            if (item.StreamOffset != record.StreamOffset) return;
            item.Decrypted = true;
            item.InnerType = record.ContentType;
            // TLS 1.3 protection (its version known, or 0-RTT data read before the ServerHello): an opaque record.
            item.Tls13Protected = record.Session.Version is TlsVersion.Tls13 or 0;
            item.PlainStart = Copy(record.Plaintext);
            item.PlainLength = record.Plaintext.Length;
            return;
        }
    }

    /// <summary>A handshake message read from decrypted records: kept after its record, as a clear one would be.</summary>
    public void OnHandshake(in Decryption.DecryptedHandshake message)
    {
        if (message.Frame != FrameNumber || Count == 0) return;
        ref var record = ref _items[Count - 1];
        var facts = Count > 0 ? _items[Count - 1].Connection : null;
        ref var item = ref Next();
        item.Kind = TlsFrameItemKind.Handshake;
        item.HandshakeKind = HandshakeEventKind.Message;
        item.HandshakeType = message.Type;
        item.FromA = record.FromA;
        item.ConnectionVersion = message.Session.Version;
        item.DeclaredLength = message.Message.Length - 4;
        item.Connection = facts!;
        item.BytesStart = Copy(message.Message);
        item.BytesLength = message.Message.Length;
        // TLS 1.3 sends ALPN in the encrypted EncryptedExtensions: decrypted, it names the application protocol.
        if (message.Type == TlsHandshakeType.EncryptedExtensions && facts is not null && message.Session.Alpn is { } alpn)
            facts.AlpnProtocol ??= TlsApplicationProtocols.ForAlpn(System.Text.Encoding.ASCII.GetBytes(alpn));
    }

    public void OnQuotedRecord(Frame frame, TcpConversation conversation, bool fromA, in TlsRecord record, ushort version, bool headerOnly)
    {
        Begin(frame);
        Quoted = true;
        ref var item = ref AddRecord(fromA, record, version, frame.Number);
        item.Connection = QuotedFacts(frame, conversation);
        item.HeaderOnly = headerOnly;
    }

    /// <summary>The next item, filled with what a record gives of itself (its bytes copied).</summary>
    private ref TlsFrameItem AddRecord(bool fromA, in TlsRecord record, ushort version, long firstFrame)
    {
        ref var item = ref Next();
        item.Kind = TlsFrameItemKind.Record;
        item.RecordKind = record.Kind;
        item.ContentType = record.ContentType;
        item.FromA = fromA;
        item.RecordVersion = record.Version;
        item.ConnectionVersion = version;
        item.HeaderLength = record.HeaderLength;
        item.FirstFrame = firstFrame;
        item.StreamOffset = record.StreamOffset;
        item.EndOffset = record.EndOffset;
        item.BytesStart = Copy(record.Bytes);
        item.BytesLength = record.Bytes.Length;
        item.IgnoredUnknown = record.Kind == TlsRecordKind.Unrecognised && record.UnrecognisedInfo(version) == TlsNames.IgnoredUnknownRecord;
        return ref item;
    }

    public void OnQuotedHandshake(Frame frame, TcpConversation conversation, bool fromA, in HandshakeEvent e, ushort version)
    {
        Begin(frame);
        Quoted = true;
        ref var item = ref AddHandshake(fromA, e, version);
        item.Connection = QuotedFacts(frame, conversation); // after the item is counted: see QuotedFacts
    }

    /// <summary>The next item, filled with what a handshake event gives of itself (a whole message's bytes copied).</summary>
    private ref TlsFrameItem AddHandshake(bool fromA, in HandshakeEvent e, ushort version)
    {
        ref var item = ref Next();
        item.Kind = TlsFrameItemKind.Handshake;
        item.HandshakeKind = e.Kind;
        item.HandshakeType = e.Type;
        item.IsHelloRetryRequest = e.IsHelloRetryRequest;
        item.FromA = fromA;
        item.ConnectionVersion = version;
        item.DeclaredLength = e.DeclaredLength;
        item.StreamOffset = e.StreamOffset;
        item.EndOffset = e.EndOffset;
        if (e.Kind == HandshakeEventKind.Message)
        {
            item.BytesStart = Copy(e.Message);
            item.BytesLength = e.Message.Length;
        }
        return ref item;
    }

    public void OnQuoted(Frame frame, TcpConversation conversation, bool fromA, int length)
    {
        Begin(frame);
        Quoted = true;
        HasSegment = true;
        SegmentStart = 0;
        SegmentEnd = (ulong)length;
        SegmentBuffered = 0;
    }

    private readonly TlsConnectionFacts _quotedFacts = new();

    /// <summary>
    /// What quoted records show of their connection (the application protocol its ALPN or port names), in an object of
    /// their own: reading a quote learns nothing for the connection (a quoted ServerHello fixes no cipher suite).
    /// </summary>
    private TlsConnectionFacts QuotedFacts(Frame frame, TcpConversation conversation)
    {
        var facts = _quotedFacts;
        if (FrameNumber == frame.Number && Count > 1) return facts; // this quote's earlier items set it
        if (_connections.TryGetValue(conversation.Stream, out var known))
        {
            facts.AlpnProtocol = known.AlpnProtocol;
            facts.PortProtocol = known.PortProtocol;
            facts.CipherSuite = known.CipherSuite;
            facts.HasCipherSuite = known.HasCipherSuite;
        }
        else
        {
            facts.AlpnProtocol = null;
            facts.PortProtocol = TlsApplicationProtocols.ForPort(frame.QuotedDstPort) ?? TlsApplicationProtocols.ForPort(frame.QuotedSrcPort);
            facts.CipherSuite = 0;
            facts.HasCipherSuite = false;
        }
        return facts;
    }

    public void OnSegment(Frame frame, TcpConversation conversation, bool fromA, ulong start, ulong end, int buffered)
    {
        Begin(frame);
        HasSegment = true;
        SegmentStart = start;
        SegmentEnd = end;
        SegmentBuffered = buffered;
    }
}

/// <summary>
/// The protocol tshark hands decrypted TLS data to, and names in tls.app_data_proto: by the ServerHello's ALPN
/// (tshark's tls.alpn table, "spdy/" by its prefix), by the protocol that started TLS on its port (STARTTLS), or by
/// port (its tls.port table).
/// </summary>
public static class TlsApplicationProtocols
{
    private const string Http = "Hypertext Transfer Protocol";

    public static string? ForAlpn(ReadOnlySpan<byte> alpn) => alpn switch
    {
        _ when alpn.SequenceEqual("http/1.1"u8) || alpn.SequenceEqual("http/1.0"u8) => Http,
        _ when alpn.SequenceEqual("h2"u8) => "HyperText Transfer Protocol 2",
        _ when alpn.StartsWith("spdy/"u8) => "SPDY",
        _ => null,
    };

    /// <summary>The protocols whose dissectors in tshark follow their STARTTLS (or SSL request) into TLS, by port.</summary>
    public static string? ForStartTlsPort(ushort port) => port switch
    {
        25 or 587 => "Simple Mail Transfer Protocol",
        143 => "Internet Message Access Protocol",
        110 => "Post Office Protocol",
        5222 => "XMPP Protocol",
        389 => "Lightweight Directory Access Protocol",
        3306 => "MySQL Protocol",
        5432 => "PostgreSQL",
        _ => null,
    };

    public static string? ForPort(ushort port) => port switch
    {
        443 => Http,
        465 => "Simple Mail Transfer Protocol",
        993 => "Internet Message Access Protocol",
        995 => "Post Office Protocol",
        636 => "Lightweight Directory Access Protocol",
        853 => "Domain Name System",
        8883 => "MQ Telemetry Transport Protocol",
        5061 => "Session Initiation Protocol",
        5671 => "Advanced Message Queuing Protocol",
        27017 => "Mongo Wire Protocol",
        5684 => "Constrained Application Protocol",
        _ => null,
    };
}
