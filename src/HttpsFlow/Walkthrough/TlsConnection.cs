using HttpsFlow.Common;
using HttpsFlow.Net;
using HttpsFlow.Tcp;

namespace HttpsFlow.Walkthrough;

/// <summary>One TCP segment of a recorded connection, as the walkthrough and its diagram use it.</summary>
public sealed class FlowFrame
{
    public long Number { get; init; }
    public Timestamp Time { get; init; }
    /// <summary>True when the segment travels from the conversation's endpoint A (resolve with TlsConnection.IsFromClient).</summary>
    public bool FromA { get; init; }
    public TcpFlags Flags { get; init; }
    /// <summary>Relative sequence and acknowledgement numbers, as tshark shows them.</summary>
    public uint Seq { get; init; }
    public uint Ack { get; init; }
    public uint SeqRaw { get; init; }
    public uint AckRaw { get; init; }
    /// <summary>tcp.len.</summary>
    public int Length { get; init; }
    /// <summary>The calculated window (tcp.window_size).</summary>
    public long Window { get; init; }
    public TcpAnalysisFlags Analysis { get; init; }
    /// <summary>SYN options: MSS (0 when absent), window scale shift (-1 when absent), SACK permitted.</summary>
    public int Mss { get; init; }
    public int WindowScale { get; init; } = -1;
    public bool SackPermitted { get; init; }
    /// <summary>The records this segment completes, in order (empty for a bare TCP segment).</summary>
    public List<TlsItem> Tls { get; } = [];
    /// <summary>The segment carries part of a TLS record completed in a later frame.</summary>
    public bool PartOfLaterRecord { get; internal set; }
    public bool HasAck => (Flags & TcpFlags.Ack) != 0;
    /// <summary>tcp.nxtseq: the relative sequence number after this segment (SYN and FIN count one).</summary>
    public uint NextSeq => Seq + (uint)Length + ((Flags & TcpFlags.Syn) != 0 ? 1u : 0u) + ((Flags & TcpFlags.Fin) != 0 ? 1u : 0u);
}

/// <summary>What one TLS record carried, for the diagram and the narration.</summary>
/// <param name="ContentType">The record's content type (22 handshake, 20 change_cipher_spec, 21 alert, 23 application data).</param>
/// <param name="RecordLength">The record's fragment length.</param>
/// <param name="Names">The record's texts as the packet list shows them ("Client Hello", "Encrypted Handshake Message", …).</param>
/// <param name="FirstFrame">The first frame that carried a byte of the record.</param>
public sealed record TlsItem(byte ContentType, int RecordLength, IReadOnlyList<string> Names, long FirstFrame);

/// <summary>A handshake message seen in the clear (or an encrypted handshake record), with the frame that completed it.</summary>
public sealed record HandshakeStep(long Frame, bool FromA, byte Type, string Name, int Length, bool Encrypted);

/// <summary>What the client offered in its ClientHello.</summary>
public sealed class ClientHelloInfo
{
    public long Frame { get; init; }
    public int Length { get; init; }
    public ushort LegacyVersion { get; init; }
    public byte[] Random { get; init; } = [];
    public byte[] SessionId { get; init; } = [];
    public ushort[] CipherSuites { get; init; } = [];
    public ushort[] Extensions { get; init; } = [];
    public ushort[] SupportedVersions { get; init; } = [];
    public ushort[] Groups { get; init; } = [];
    public ushort[] KeyShareGroups { get; init; } = [];
    public ushort[] SignatureAlgorithms { get; init; } = [];
    public string[] Alpn { get; init; } = [];
    public string? ServerName { get; init; }
    /// <summary>The session_ticket extension was present; <see cref="TicketLength"/> &gt; 0 means a ticket was offered for resumption.</summary>
    public bool SessionTicketExtension { get; init; }
    public int TicketLength { get; init; }
    public bool OffersPsk { get; init; }
    public bool OffersEarlyData { get; init; }
    public string Ja3 { get; init; } = "";
    public string Ja3Full { get; init; } = "";
    /// <summary>FoxIO's JA4 (TCP form); empty when the ClientHello did not parse to its end.</summary>
    public string Ja4 { get; init; } = "";
    /// <summary>The highest version offered (supported_versions, else legacy_version).</summary>
    public ushort HighestVersion { get; init; }
    public bool IsSsl2 { get; init; }
}

/// <summary>What the server chose in its ServerHello.</summary>
public sealed class ServerHelloInfo
{
    public long Frame { get; init; }
    public int Length { get; init; }
    public ushort LegacyVersion { get; init; }
    /// <summary>The version in force: supported_versions' selection, else legacy_version.</summary>
    public ushort Version { get; init; }
    public byte[] Random { get; init; } = [];
    public byte[] SessionId { get; init; } = [];
    public ushort CipherSuite { get; init; }
    public ushort[] Extensions { get; init; } = [];
    public string? Alpn { get; init; }
    public ushort KeyShareGroup { get; init; }
    public bool HasPsk { get; init; }
    public bool IsHelloRetryRequest { get; init; }
    public bool ExtendedMasterSecret { get; init; }
    public bool SessionTicketExtension { get; init; }
    public string Ja3s { get; init; } = "";
    public string Ja3sFull { get; init; } = "";
}

/// <summary>The server's ephemeral key exchange parameters.</summary>
public sealed class ServerKeyExchangeInfo
{
    public long Frame { get; init; }
    public int Length { get; init; }
    public ushort NamedCurve { get; init; }
    public int PointLength { get; init; }
    public int DhPrimeBits { get; init; }
    public ushort SignatureScheme { get; init; }
    public bool HasSignatureScheme { get; init; }
    public int SignatureLength { get; init; }
}

/// <summary>The client's key exchange message.</summary>
public sealed class ClientKeyExchangeInfo
{
    public long Frame { get; init; }
    public int Length { get; init; }
    public int PointLength { get; init; }
    public int DhPublicLength { get; init; }
    public int EncryptedPreMasterLength { get; init; }
}

/// <summary>A NewSessionTicket read in the clear (TLS 1.2).</summary>
public sealed record TicketInfo(long Frame, uint LifetimeHint, int TicketLength);

/// <summary>A TLS alert; encrypted ones have no level or description.</summary>
public sealed record AlertInfo(long Frame, bool FromA, bool Encrypted, byte Level, byte Description);

/// <summary>A certificate message: the chain as sent, each certificate parsed (one bad certificate does not stop the others).</summary>
public sealed record CertificateMessageInfo(long Frame, bool FromA, IReadOnlyList<X509.Certificate> Chain);

/// <summary>
/// Everything recorded about one TCP connection that carried TLS: its segments, the handshake in the clear, and the
/// summary facts the walkthrough, <c>handshakes</c> and <c>certs</c> report.
/// </summary>
public sealed class TlsConnection
{
    /// <summary>Dropped by the recorder (it carried no TLS and the dissector forgot it).</summary>
    internal bool Dropped;

    internal TlsConnection(TcpConversation conversation)
    {
        Conversation = conversation;
    }

    public TcpConversation Conversation { get; }
    public int Stream => Conversation.Stream;

    /// <summary>True when endpoint A (the first packet's sender) is the client: it sent the SYN or the ClientHello.</summary>
    public bool ClientIsA { get; internal set; } = true;
    internal bool ClientKnown;

    public IpAddress ClientAddress => ClientIsA ? Conversation.AddressA : Conversation.AddressB;
    public ushort ClientPort => ClientIsA ? Conversation.PortA : Conversation.PortB;
    public IpAddress ServerAddress => ClientIsA ? Conversation.AddressB : Conversation.AddressA;
    public ushort ServerPort => ClientIsA ? Conversation.PortB : Conversation.PortA;

    public bool IsFromClient(bool fromA) => fromA == ClientIsA;
    public bool IsFromClient(FlowFrame f) => f.FromA == ClientIsA;

    /// <summary>Whether TLS was recognised on the connection (records were parsed).</summary>
    public bool IsTls { get; internal set; }

    /// <summary>The segments, in capture order (at most <see cref="ConnectionRecorder.MaxFramesPerConnection"/>).</summary>
    public List<FlowFrame> Frames { get; } = [];
    /// <summary>Segments beyond the limit, counted but not kept.</summary>
    public long FramesDropped { get; internal set; }
    public Timestamp Start { get; internal set; }
    internal bool Started;
    public Timestamp End { get; internal set; }
    /// <summary>When the first TLS record was seen (Zeek's ssl.log ts).</summary>
    public Timestamp FirstTlsTime { get; internal set; }

    /// <summary>What Zeek's ssl.log would record: history letters, established, last alert, resumption.</summary>
    public ZeekSslState Zeek { get; } = new();

    public List<HandshakeStep> Handshake { get; } = [];
    public ClientHelloInfo? ClientHello { get; internal set; }
    public ServerHelloInfo? ServerHello { get; internal set; }
    /// <summary>A HelloRetryRequest, when the server asked for another key share.</summary>
    public ServerHelloInfo? HelloRetryRequest { get; internal set; }
    /// <summary>A second ClientHello (after a HelloRetryRequest).</summary>
    public ClientHelloInfo? SecondClientHello { get; internal set; }
    public CertificateMessageInfo? ServerCertificates { get; internal set; }
    public CertificateMessageInfo? ClientCertificates { get; internal set; }
    public ServerKeyExchangeInfo? ServerKeyExchange { get; internal set; }
    public ClientKeyExchangeInfo? ClientKeyExchange { get; internal set; }
    public List<TicketInfo> Tickets { get; } = [];
    public List<AlertInfo> Alerts { get; } = [];
    /// <summary>Frames with a ChangeCipherSpec, by side.</summary>
    public List<(long Frame, bool FromA)> ChangeCipherSpecs { get; } = [];
    /// <summary>Application-data records: frame, side, fragment length.</summary>
    public List<(long Frame, bool FromA, int Length)> ApplicationData { get; } = [];
    /// <summary>Application-data records not listed (summary recording keeps only the first ones).</summary>
    public long ApplicationDataDropped { get; internal set; }
    public bool CertificateRequested { get; internal set; }
    public ushort RecordVersion { get; internal set; }

    /// <summary>The negotiated version (0 when no ServerHello was seen).</summary>
    public ushort Version => ServerHello?.Version ?? 0;

    public bool IsTls13 => Version == Tls.TlsVersion.Tls13 || Tls.TlsVersion.Tls13Draft(Version) > 0;

    /// <summary>TLS 1.3 by the ServerHello, or by a HelloRetryRequest (which only TLS 1.3 has) when the ServerHello was not read.</summary>
    public bool LooksTls13 => IsTls13 || (ServerHello is null && HelloRetryRequest is not null);

    /// <summary>
    /// Whether the session was resumed: TLS 1.3 with a pre_shared_key accepted; TLS 1.2 and below an abbreviated
    /// handshake (the server answered the ClientHello with ChangeCipherSpec and no Certificate).
    /// </summary>
    public bool Resumed
    {
        get
        {
            if (ServerHello is null) return false;
            if (IsTls13) return ServerHello.HasPsk;
            if (ServerCertificates is not null || ServerKeyExchange is not null) return false;
            bool sameSessionId = ServerHello.SessionId.Length > 0 && ClientHello is { } ch && ch.SessionId.AsSpan().SequenceEqual(ServerHello.SessionId);
            bool serverCcsFirst = ChangeCipherSpecs.Any(c => !IsFromClient(c.FromA)) && ClientKeyExchange is null;
            return sameSessionId || serverCcsFirst;
        }
    }

    /// <summary>The first and last frames in which each side's Finished (an encrypted handshake message after ChangeCipherSpec) was seen.</summary>
    public long ClientFinishedFrame { get; internal set; }
    public long ServerFinishedFrame { get; internal set; }

    /// <summary>Frame by number (binary search over the kept frames).</summary>
    public FlowFrame? FindFrame(long number)
    {
        int lo = 0, hi = Frames.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            long n = Frames[mid].Number;
            if (n == number) return Frames[mid];
            if (n < number) lo = mid + 1; else hi = mid - 1;
        }
        return null;
    }
}
