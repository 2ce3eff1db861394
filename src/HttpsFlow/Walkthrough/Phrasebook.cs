using System.Globalization;
using HttpsFlow.Tcp;
using HttpsFlow.Tls.Registry;

namespace HttpsFlow.Walkthrough;

/// <summary>
/// Every sentence of a walkthrough, in one language. The narrator decides what to say and supplies the capture's
/// numbers; a phrasebook says it. <see cref="EnglishPhrasebook"/> and <see cref="ChinesePhrasebook"/> say the same things.
/// </summary>
public abstract class Phrasebook
{
    /// <summary>The first <paramref name="length"/> characters of <paramref name="text"/>, or all of it when shorter (a
    /// hello's random can be cut short by a damaged message).</summary>
    protected static string Head(string text, int length) => text.Length <= length ? text : text[..length];

    public static Phrasebook For(string language) => language switch
    {
        "zh" or "zh-CN" or "zh-Hans" => new ChinesePhrasebook(),
        _ => new EnglishPhrasebook(),
    };

    public static IReadOnlyList<string> Languages { get; } = ["en", "zh"];

    protected static string N(long v) => v.ToString(CultureInfo.InvariantCulture);
    protected static string Date(DateTimeOffset? t) => t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "?";

    /// <summary>"AES-128-GCM" from IANA's "AES_128_GCM".</summary>
    protected static string CipherText(string cipher) => cipher.Replace('_', '-');

    /// <summary>"SHA-256" from "SHA256"; "SHA-1" from "SHA".</summary>
    protected static string HashText(string hash) => hash switch
    {
        "SHA" => "SHA-1",
        "SHA256" => "SHA-256",
        "SHA384" => "SHA-384",
        "SHA512" => "SHA-512",
        _ => hash,
    };

    /// <summary>What goes between two sentences: a space in English, nothing in Chinese.</summary>
    public abstract string SentenceGap { get; }

    // Lanes and sides
    public abstract string Client { get; }
    public abstract string Server { get; }

    // Headings and header
    public abstract string Title(int stream, string client, string server, string? sni);
    public abstract string DiagramHeading { get; }
    public abstract string StepsHeading { get; }
    public abstract string TimingHeading { get; }
    public abstract string FindingsHeading { get; }
    public abstract string NoFindings { get; }
    public abstract string FindingLevelLabel(FindingLevel level);
    public abstract string LabelClient { get; }
    public abstract string LabelServer { get; }
    public abstract string LabelSni { get; }
    public abstract string LabelVersion { get; }
    public abstract string LabelSuite { get; }
    public abstract string LabelAlpn { get; }
    public abstract string LabelHandshake { get; }
    public abstract string LabelDecrypted { get; }
    public abstract string LabelDuration { get; }
    public abstract string LabelFrames { get; }
    public abstract string None { get; }
    public abstract string NotNegotiated { get; }
    public abstract string AlpnNotChosen { get; }
    public abstract string HandshakeIncomplete { get; }
    public abstract string HandshakeResumed { get; }
    public abstract string HandshakeFull { get; }
    public abstract string NotDecrypted { get; }
    /// <summary>The "Decrypted" header value for a connection a key log was tried on.</summary>
    public abstract string Decryption(Decryption.DecryptionStatus status);
    /// <summary>What the decrypted first records start with (a request line, a status line), one sentence each.</summary>
    public abstract string DecryptedFirstClientRecord(string start);
    public abstract string DecryptedFirstServerRecord(string start);
    public abstract string DecryptedShortBody(string body);
    /// <summary>HTTP/2 seen in the decrypted data: the first request (HEADERS on a stream) and its response's status.</summary>
    public abstract string DecryptedHttp2Request(string method, string path, int stream);
    public abstract string DecryptedHttp2Response(string status, int stream);
    public abstract string FramesCount(long count, long first, long last);
    public abstract string Duration(Common.Duration d);
    public abstract string Lifetime(uint seconds);

    // Timing
    public abstract string LabelTcpRtt { get; }
    public abstract string LabelTlsHandshake { get; }
    public abstract string LabelFirstData { get; }
    public abstract string LabelRoundTrips { get; }
    public abstract string LabelTotal { get; }
    public abstract string NotSeen { get; }

    // Diagram
    public abstract string DiagramRecordPiece { get; }
    public abstract string MoreFrames(long count);

    // TCP
    public abstract string NoFramesKept { get; }
    public abstract string FrameHead(long number, string time, string who, string peer);
    public abstract string Syn(uint isn, int mss, int windowScale, bool sackPermitted);
    public abstract string SynAck(uint isn, uint ack, int mss, int windowScale);
    public abstract string HandshakeAck(uint seq, uint ack, Common.Duration? rtt);
    public abstract string Carries(string who, int count, string names);
    public abstract string RecordPiece(string who, int length, long completedIn);
    public abstract string DataRange(string who, uint seq, int length, uint next);
    public abstract string FinFirst(string who, uint seq);
    public abstract string FinSecond(string who, uint seq);
    public abstract string Reset(string who);
    public abstract string Analysis(TcpAnalysisFlags flag);
    public abstract string AckNothingNew(uint ack);
    public abstract string AckUnmatched(uint ack);
    public abstract string AckArithmetic(uint ack, long frame, uint seq, int length, bool fin, IReadOnlyList<long> covered);
    public abstract string Piggyback(string who);
    public abstract string BareAck(string who);
    public abstract string Summary(long from, long to, int segments, int clientRecords, long clientBytes, int serverRecords, long serverBytes, int acks);

    // TLS
    public abstract string SuiteParts(string name, CipherSuiteInfo? info);

    /// <summary>A suite with its parts in brief: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (ECDHE, RSA, AES-128-GCM, SHA-256)".</summary>
    public static string SuiteBrief(string name, CipherSuiteInfo? info)
    {
        if (info is null || info.IsSignaling) return name;
        if (info.IsTls13) return $"{name} ({CipherText(info.Cipher)}, {HashText(info.Hash)})";
        return $"{name} ({info.KeyExchange}, {info.Authentication}, {CipherText(info.Cipher)}, {(info.IsAead ? "" : "HMAC-")}{HashText(info.Hash)})";
    }
    public abstract string ClientHello(bool second, int length, IReadOnlyList<string> versions, int suiteCount, IReadOnlyList<string> firstSuites,
        string? sni, IReadOnlyList<string> alpn, IReadOnlyList<string> groups, IReadOnlyList<string> keyShares, string ticket, string random,
        int sessionIdLength, bool earlyData, bool tls13Suites);
    public abstract string TicketPsk { get; }
    public abstract string TicketOffered(int length);
    public abstract string TicketEmpty { get; }
    public abstract string TicketNone { get; }
    public abstract string Ssl2ClientHello(int length);
    public abstract string ServerHello(int length, string version, string suite, string random, string? alpn, string? group, string resumption, bool extendedMasterSecret, bool tls13);
    public abstract string ResumedPsk { get; }
    public abstract string FullTls13 { get; }
    public abstract string ResumedSession { get; }
    public abstract string NewSession(int sessionIdLength);
    public abstract string NoSessionId { get; }
    public abstract string HelloRetryRequest(string group, string suite);
    public abstract string Certificates(bool fromClient, int count, IReadOnlyList<string> entries, string chainEnd);
    public abstract string CertificateEntry(int index, string subject, string issuer, DateTimeOffset? notBefore, DateTimeOffset? notAfter, bool validAtCapture,
        IReadOnlyList<string> sans, bool? coversSni, string? sni, string key, string signatureAlgorithm, string? signedByIndex, bool selfIssued);
    public abstract string ChainEndsAtRoot { get; }
    public abstract string ChainEndsAtIssuer(string issuer);
    public abstract string ServerKeyExchangeEc(int length, string curve, int pointLength, string? scheme, int signatureLength);
    public abstract string ServerKeyExchangeDh(int length, int primeBits, string? scheme, int signatureLength);
    public abstract string ServerHelloDone { get; }
    public abstract string CertificateRequest { get; }
    public abstract string CertificateStatus(int length);
    public abstract string ClientKeyExchangeEc(int pointLength, string? curve);
    public abstract string ClientKeyExchangeRsa(int length);
    public abstract string ClientKeyExchangeDh(int length);
    public abstract string ChangeCipherSpec(string who);
    public abstract string ChangeCipherSpec13(string who);
    public abstract string FinishedEncrypted(string who, int length);
    public abstract string EncryptedHandshake(string who, int length);
    public abstract string NewSessionTicket(int ticketLength, uint lifetime, string lifetimeText);
    public abstract string GenericMessage(string name, int length);
    public abstract string ApplicationData(string who, IReadOnlyList<int> sizes);
    public abstract string Tls13ServerEncryptedFlight(IReadOnlyList<int> sizes, bool first, bool resumed);
    public abstract string Tls13ClientFinished(int size);
    public abstract string Tls13PostHandshake(IReadOnlyList<int> sizes);
    public abstract string FindTls13CertificateHidden { get; }
    public abstract string EncryptedAlert(string who, bool last);
    public abstract string Alert(string who, string level, string description, bool fatal);

    // Findings
    public abstract string FindRetransmissions(int n);
    public abstract string FindLost(int n);
    public abstract string FindDupAcks(int n);
    public abstract string FindOutOfOrder(int n);
    public abstract string FindZeroWindow(int n);
    public abstract string FindReset { get; }
    public abstract string FindAlert(long frame, string who, string description, bool fatal);
    public abstract string FindNoHello { get; }
    public abstract string FindNoServerHello { get; }
    public abstract string FindNoFinished { get; }
    public abstract string FindNoSni { get; }
    public abstract string FindFinishedMismatch(int count);
    public abstract string FindOldVersion(string version);
    public abstract string FindNoForwardSecrecy(string keyExchange);
    public abstract string FindCbc(string suite);
    public abstract string FindWeakCipher(string suite);
    public abstract string FindSha1Handshake(string scheme);
    public abstract string FindExpired(int index, string subject, DateTimeOffset notAfter);
    public abstract string FindNotYetValid(int index, string subject, DateTimeOffset notBefore);
    public abstract string FindSha1Certificate(int index, string subject, string algorithm);
    public abstract string FindShortKey(int index, string subject, int bits);
    public abstract string FindNameMismatch(string sni, IReadOnlyList<string> sans);
    public abstract string FindUntrusted(string issuer, bool systemStore);
    public abstract string FindSelfSigned(string subject);
    public abstract string FindIncomplete(string issuer);
    public abstract string FindChainProblem(string text);
    public abstract string FindFramesDropped(long n);
}
