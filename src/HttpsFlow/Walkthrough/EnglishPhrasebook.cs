using HttpsFlow.Tcp;
using HttpsFlow.Tls.Registry;

namespace HttpsFlow.Walkthrough;

/// <summary>The walkthrough in English.</summary>
public sealed class EnglishPhrasebook : Phrasebook
{
    public override string SentenceGap => " ";
    public override string Client => "client";
    public override string Server => "server";

    private static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
    private static string Plural(long n, string one, string many) => n == 1 ? $"{N(n)} {one}" : $"{N(n)} {many}";
    private static string List(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        2 => items[0] + " and " + items[1],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };
    private static string Sizes(IReadOnlyList<int> sizes) =>
        sizes.Count <= 6 ? string.Join(", ", sizes.Select(s => N(s))) + " bytes" : $"{N(sizes.Count)} records, {N(sizes.Sum(s => (long)s))} bytes in all";

    public override string Title(int stream, string client, string server, string? sni) =>
        $"TLS connection {N(stream)}: {client} → {server}" + (sni is null ? "" : $" ({sni})");
    public override string DiagramHeading => "Sequence diagram";
    public override string StepsHeading => "Step by step";
    public override string TimingHeading => "Timing";
    public override string FindingsHeading => "Findings";
    public override string NoFindings => "Nothing to report: no losses, no alerts, no certificate problem and no weak choice seen.";
    public override string FindingLevelLabel(FindingLevel level) => level switch
    {
        FindingLevel.Error => "error: ",
        FindingLevel.Warning => "warning: ",
        _ => "note: ",
    };
    public override string LabelClient => "Client";
    public override string LabelServer => "Server";
    public override string LabelSni => "Server name (SNI)";
    public override string LabelVersion => "TLS version";
    public override string LabelSuite => "Cipher suite";
    public override string LabelAlpn => "ALPN";
    public override string LabelHandshake => "Handshake";
    public override string LabelDecrypted => "Decrypted";
    public override string LabelDuration => "Duration";
    public override string LabelFrames => "Frames";
    public override string None => "none";
    public override string NotNegotiated => "not negotiated (no Server Hello in the capture)";
    public override string AlpnNotChosen => "offered, none chosen";
    public override string HandshakeIncomplete => "incomplete";
    public override string HandshakeResumed => "resumed (abbreviated)";
    public override string HandshakeFull => "full";
    public override string NotDecrypted => "no (records after the handshake stay encrypted without the session keys)";
    public override string Decryption(Decryption.DecryptionStatus status) => status switch
    {
        HttpsFlow.Decryption.DecryptionStatus.Decrypted => "yes (with the secrets of the key log)",
        HttpsFlow.Decryption.DecryptionStatus.NoKeyForClientRandom => "no (the key log has no secret for this connection's client random)",
        HttpsFlow.Decryption.DecryptionStatus.CipherNotSupported => "no (this cipher suite or version cannot be decrypted)",
        HttpsFlow.Decryption.DecryptionStatus.HandshakeNotCaptured => "no (the handshake is not in the capture, so the keys cannot be chosen)",
        HttpsFlow.Decryption.DecryptionStatus.WrongKey => "no (the logged key does not decrypt the records: wrong key)",
        HttpsFlow.Decryption.DecryptionStatus.RsaKeyMismatch => "no (the RSA key does not match the server's certificate)",
        HttpsFlow.Decryption.DecryptionStatus.KeyExchangeNotRsa => "no (the key exchange is not RSA, so the server's RSA key cannot decrypt it)",
        _ => NotDecrypted,
    };
    public override string DecryptedFirstClientRecord(string start) => $"Decrypted, the client's first application data starts with “{start}”.";
    public override string DecryptedFirstServerRecord(string start) => $"The server's first application data starts with “{start}”.";
    public override string DecryptedShortBody(string body) => $"The page it returns is just “{body}”.";
    public override string DecryptedHttp2Request(string method, string path, int stream) =>
        $"Decrypted, the client speaks HTTP/2: after the connection preface (“PRI * HTTP/2.0”) and its SETTINGS, it sends a HEADERS frame on stream {stream} asking for “{method} {path}” (the header names and values are HPACK-compressed, not text).";
    public override string DecryptedHttp2Response(string status, int stream) =>
        $"The server answers on stream {stream} with a HEADERS frame whose :status is {status}, then the body in DATA frames.";
    public override string FramesCount(long count, long first, long last) => $"{N(count)} (#{N(first)}–#{N(last)})";

    public override string Duration(Common.Duration d)
    {
        double s = d.TotalSeconds;
        if (s < 1) return (s * 1000).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) + " ms";
        if (s < 60) return s.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) + " s";
        return $"{N((long)(s / 60))} min {(s % 60).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} s";
    }

    public override string Lifetime(uint seconds)
    {
        if (seconds == 0) return "no lifetime given";
        if (seconds % 86400 == 0) return Plural(seconds / 86400, "day", "days");
        if (seconds % 3600 == 0) return Plural(seconds / 3600, "hour", "hours");
        if (seconds % 60 == 0) return Plural(seconds / 60, "minute", "minutes");
        return Plural(seconds, "second", "seconds");
    }

    public override string LabelTcpRtt => "TCP round trip (SYN → ACK)";
    public override string LabelTlsHandshake => "TLS handshake (Client Hello → last Finished)";
    public override string LabelFirstData => "First application data (from SYN)";
    public override string LabelRoundTrips => "Round trips before the client's data";
    public override string LabelTotal => "Connection, first to last frame";
    public override string NotSeen => "not in the capture";

    public override string DiagramRecordPiece => "TLS record piece (continues)";
    public override string MoreFrames(long count) => $"… {N(count)} more segments not kept";

    public override string NoFramesKept => "No segment of this connection was kept.";
    public override string FrameHead(long number, string time, string who, string peer) => $"Frame {N(number)} ({time}, {who} → {peer}):";

    public override string Syn(uint isn, int mss, int windowScale, bool sackPermitted)
    {
        var opts = new List<string>();
        if (mss > 0) opts.Add($"a maximum segment size of {N(mss)} bytes");
        if (windowScale >= 0) opts.Add($"window scaling by 2^{N(windowScale)}");
        if (sackPermitted) opts.Add("selective acknowledgements");
        return $"The client opens the connection with SYN. Its initial sequence number is {N(isn)}; Wireshark shows it as Seq=0 "
            + "because it counts each side's bytes from that side's first number (relative sequence numbers)."
            + (opts.Count > 0 ? $" It offers {List(opts)}." : "");
    }

    public override string SynAck(uint isn, uint ack, int mss, int windowScale) =>
        $"The server accepts with SYN, ACK. It starts its own numbering at {N(isn)} (Seq=0) and answers Ack={N(ack)}: a SYN takes up one "
        + "sequence number, so the next thing the server expects from the client is byte 1."
        + (mss > 0 ? $" Its maximum segment size is {N(mss)}" + (windowScale >= 0 ? $", its window scale 2^{N(windowScale)}." : ".") : "");

    public override string HandshakeAck(uint seq, uint ack, Common.Duration? rtt) =>
        $"The client's ACK (Seq={N(seq)}, Ack={N(ack)}) completes the three-way handshake"
        + (rtt is { } r ? $", {Duration(r)} after its SYN" : "")
        + ". From now on Seq is the number of the first data byte a segment carries, and Ack is the next byte its sender expects: "
        + "everything before it has arrived.";

    public override string Carries(string who, int count, string names) =>
        count == 1 ? $"The {who} sends {names}." : $"The {who} sends {N(count)} TLS messages in this one segment: {names}.";

    public override string RecordPiece(string who, int length, long completedIn) =>
        $"The {who} sends {N(length)} bytes that begin (or continue) a TLS record too long for one segment"
        + (completedIn > 0 ? $"; TLS can read it when frame {N(completedIn)} completes it." : ".");

    public override string DataRange(string who, uint seq, int length, uint next) =>
        $"Seq={N(seq)}, Len={N(length)}: bytes {N(seq)}–{N(seq + (uint)length - 1)} of the {who}'s stream; its next byte will be {N(next)}.";

    public override string FinFirst(string who, uint seq) =>
        $"The {who} closes its side first with FIN (Seq={N(seq)}): it has nothing more to send. A FIN takes up one sequence number, like a SYN.";

    public override string FinSecond(string who, uint seq) => $"The {who} closes its side too with FIN (Seq={N(seq)}).";

    public override string Reset(string who) => $"The {who} aborts the connection with RST: no more data will be accepted on it.";

    public override string Analysis(TcpAnalysisFlags flag) => flag switch
    {
        TcpAnalysisFlags.Retransmission => "Wireshark marks it a retransmission: these bytes were sent before.",
        TcpAnalysisFlags.FastRetransmission => "It is a fast retransmission, sent after duplicate ACKs reported a missing segment.",
        TcpAnalysisFlags.SpuriousRetransmission => "It is a spurious retransmission: the peer had already acknowledged these bytes.",
        TcpAnalysisFlags.OutOfOrder => "It arrives out of order: its bytes come before ones already seen.",
        TcpAnalysisFlags.LostSegment => "A segment before it was not captured (lost, or missed by the capture).",
        TcpAnalysisFlags.AckLostSegment => "It acknowledges bytes the capture never saw.",
        TcpAnalysisFlags.DuplicateAck => "It is a duplicate ACK: the same Ack again, a sign that data after a gap is arriving.",
        TcpAnalysisFlags.ZeroWindow => "Its window is zero: the sender's receive buffer is full.",
        TcpAnalysisFlags.WindowFull => "It fills the peer's advertised window.",
        TcpAnalysisFlags.WindowUpdate => "It is a window update: only the advertised window changes.",
        TcpAnalysisFlags.KeepAlive => "It is a keep-alive probe.",
        _ => "",
    };

    public override string AckNothingNew(uint ack) => $"Ack={N(ack)} acknowledges nothing new.";
    public override string AckUnmatched(uint ack) => $"Ack={N(ack)}: the next byte it expects from its peer.";

    public override string AckArithmetic(uint ack, long frame, uint seq, int length, bool fin, IReadOnlyList<long> covered)
    {
        string sum = fin ? $"{N(seq)} + {N(length)} + 1 (the FIN)" : $"{N(seq)} + {N(length)}";
        string frames = covered.Count > 1 ? $" It covers frames {string.Join(", ", covered.Select(n => N(n)))}." : "";
        return $"Ack={N(ack)} = {sum}, frame {N(frame)}'s Seq plus its Len: everything up to frame {N(frame)} has arrived.{frames}";
    }

    public override string Piggyback(string who) =>
        $"The acknowledgement rides on this segment, so the {who} needed no separate ACK for it.";
    public override string BareAck(string who) => $"A bare ACK: the {who} sends no data (Len=0), it only confirms receipt.";

    public override string Summary(long from, long to, int segments, int clientRecords, long clientBytes, int serverRecords, long serverBytes, int acks) =>
        $"Frames {N(from)}–{N(to)}: {Plural(segments, "more segment", "more segments")} of the same exchange: "
        + $"{Plural(clientRecords, "application data record", "application data records")} from the client ({N(clientBytes)} bytes), "
        + $"{N(serverRecords)} from the server ({N(serverBytes)} bytes) and {Plural(acks, "bare ACK", "bare ACKs")}.";

    public override string SuiteParts(string name, CipherSuiteInfo? info)
    {
        if (info is null || info.IsSignaling) return name;
        if (info.IsTls13)
            return $"{name}: records encrypted with {CipherText(info.Cipher)}, keys derived with HKDF-{HashText(info.Hash)}; "
                + "in TLS 1.3 the key exchange and the authentication are negotiated separately (key_share, signature_algorithms)";
        string bulk = info.IsAead
            ? $"{CipherText(info.Cipher)} encrypting and authenticating the records (AEAD), {HashText(info.Hash)} in the key derivation"
            : $"{CipherText(info.Cipher)} encrypting the records, HMAC-{HashText(info.Hash)} protecting their integrity";
        return $"{name}: {info.KeyExchange} key exchange, {info.Authentication} authentication (the certificate's key signs), {bulk}";
    }

    public override string ClientHello(bool second, int length, IReadOnlyList<string> versions, int suiteCount, IReadOnlyList<string> firstSuites,
        string? sni, IReadOnlyList<string> alpn, IReadOnlyList<string> groups, IReadOnlyList<string> keyShares, string ticket, string random,
        int sessionIdLength, bool earlyData, bool tls13Suites)
    {
        var s = new List<string>
        {
            (second ? "Client Hello, again (after the server asked for another key share)" : "Client Hello") + $" ({N(length)} bytes): the client says which versions it speaks ({List(versions)}) and offers {Plural(suiteCount, "cipher suite", "cipher suites")}, in order of preference. The first: {string.Join("; ", firstSuites)}." + (tls13Suites ? " Each is key exchange, authentication, record cipher and hash; a TLS 1.3 suite names only the cipher and the hash, because TLS 1.3 negotiates the key exchange and the signature separately." : ""),
            sni is null ? "It names no server (no SNI extension)." : $"It asks for the site {sni} (server_name, SNI), so a server hosting several sites knows which certificate to send.",
        };
        if (alpn.Count > 0) s.Add($"ALPN offers {List(alpn)} for the protocol inside TLS.");
        if (groups.Count > 0) s.Add($"Groups for the key exchange: {List(groups.Take(6).ToList())}{(groups.Count > 6 ? $" and {N(groups.Count - 6)} more" : "")}.");
        if (keyShares.Count > 0) s.Add($"It already sends a public key for {List(keyShares)} (key_share), so a TLS 1.3 server can answer in one round trip.");
        s.Add(ticket);
        if (earlyData) s.Add("It also sends 0-RTT early data.");
        s.Add($"Its random ({Head(random, 16)}…, 32 bytes) is the first of the two randoms that go into every key of the session.");
        if (sessionIdLength > 0) s.Add($"Session ID: {N(sessionIdLength)} bytes.");
        return string.Join(" ", s);
    }

    public override string TicketPsk => "It offers a pre-shared key from an earlier session (pre_shared_key) to resume without certificates.";
    public override string TicketOffered(int length) => $"It presents a session ticket of {N(length)} bytes to resume an earlier session.";
    public override string TicketEmpty => "An empty session_ticket extension says it would like a ticket for later.";
    public override string TicketNone => "It asks for no session ticket.";
    public override string Ssl2ClientHello(int length) => $"An SSL 2.0-style Client Hello ({N(length)} bytes), the old format some clients used to reach servers of any version.";

    public override string ServerHello(int length, string version, string suite, string random, string? alpn, string? group, string resumption, bool extendedMasterSecret, bool tls13)
    {
        var s = new List<string> { $"Server Hello ({N(length)} bytes): the server picks {version} and the cipher suite {suite}." };
        if (group is not null) s.Add($"It answers the key share with its own public key on {group}.");
        if (alpn is not null) s.Add($"ALPN: {alpn}.");
        s.Add($"Its random ({Head(random, 16)}…) is the second random of the session.");
        s.Add(resumption);
        if (extendedMasterSecret && !tls13) s.Add("Extended master secret is on: the keys are bound to this handshake's transcript.");
        return string.Join(" ", s);
    }

    public override string ResumedPsk => "It accepts the pre-shared key: the session is resumed, no certificate follows.";
    public override string FullTls13 => "A full handshake: everything the server sends next is already encrypted.";
    public override string ResumedSession => "It reuses the session the client proposed: an abbreviated handshake, no certificate and no key exchange.";
    public override string NewSession(int sessionIdLength) => $"It starts a new session (session ID of {N(sessionIdLength)} bytes).";
    public override string NoSessionId => "It gives no session ID.";
    public override string HelloRetryRequest(string group, string suite) =>
        $"Hello Retry Request: the server supports none of the offered key shares and asks for {group} (suite {suite}); the client must send a new Client Hello, which costs a round trip.";

    public override string Certificates(bool fromClient, int count, IReadOnlyList<string> entries, string chainEnd) =>
        (fromClient ? $"Certificate: the client proves its identity with {Plural(count, "certificate", "certificates")}. " : $"Certificate: the server sends its chain of {Plural(count, "certificate", "certificates")}, its own first. ")
        + string.Join(" ", entries) + (chainEnd.Length > 0 ? " " + chainEnd : "");

    public override string CertificateEntry(int index, string subject, string issuer, DateTimeOffset? notBefore, DateTimeOffset? notAfter, bool validAtCapture,
        IReadOnlyList<string> sans, bool? coversSni, string? sni, string key, string signatureAlgorithm, string? signedByIndex, bool selfIssued)
    {
        var s = new List<string> { $"[{N(index)}] {subject}, issued by {issuer}{(selfIssued ? " (itself)" : "")}; valid {Date(notBefore)} to {Date(notAfter)}, {(validAtCapture ? "valid" : "NOT valid")} when captured." };
        if (sans.Count > 0) s.Add($"Names: {string.Join(", ", sans.Take(5))}{(sans.Count > 5 ? $" and {N(sans.Count - 5)} more" : "")}.");
        if (coversSni is { } c && sni is not null) s.Add(c ? $"They cover {sni}." : $"None of them covers {sni}.");
        s.Add($"Key: {key}; signed with {signatureAlgorithm}.");
        if (signedByIndex is not null) s.Add($"Certificate [{signedByIndex}] is its issuer.");
        return string.Join(" ", s);
    }

    public override string ChainEndsAtRoot => "The chain ends at a self-signed root, sent along.";
    public override string ChainEndsAtIssuer(string issuer) => $"The last one was issued by {issuer}, which the server does not send: the client must already trust that root.";

    public override string ServerKeyExchangeEc(int length, string curve, int pointLength, string? scheme, int signatureLength) =>
        $"Server Key Exchange ({N(length)} bytes): the server's ephemeral public key for ECDHE, {N(pointLength)} bytes on the curve {curve}"
        + (scheme is null ? "." : $", signed with {scheme} ({N(signatureLength)}-byte signature) by the certificate's key, so the client knows the key comes from the certificate's owner.")
        + " A new key per connection is what gives forward secrecy.";

    public override string ServerKeyExchangeDh(int length, int primeBits, string? scheme, int signatureLength) =>
        $"Server Key Exchange ({N(length)} bytes): finite-field Diffie-Hellman parameters with a {N(primeBits)}-bit prime and the server's public value"
        + (scheme is null ? "." : $", signed with {scheme} ({N(signatureLength)}-byte signature).");

    public override string ServerHelloDone => "Server Hello Done: the server's part of this round is over; it now waits for the client.";
    public override string CertificateRequest => "Certificate Request: the server asks the client for a certificate of its own.";
    public override string CertificateStatus(int length) => $"Certificate Status ({N(length)} bytes): a stapled OCSP response vouching that the certificate is not revoked.";

    public override string ClientKeyExchangeEc(int pointLength, string? curve) =>
        $"Client Key Exchange: the client's own ephemeral public key ({N(pointLength)} bytes{(curve is null ? "" : " on " + curve)}). "
        + "Each side now combines its private key with the other's public key and gets the same premaster secret, which never crossed the network; "
        + "with the two randoms it becomes the master secret and the session keys.";

    public override string ClientKeyExchangeRsa(int length) =>
        $"Client Key Exchange: a premaster secret encrypted with the server certificate's RSA key ({N(length)} bytes). "
        + "Whoever obtains that private key later can decrypt this session: RSA key exchange has no forward secrecy.";

    public override string ClientKeyExchangeDh(int length) => $"Client Key Exchange: the client's Diffie-Hellman public value ({N(length)} bytes).";

    public override string ChangeCipherSpec(string who) => $"Change Cipher Spec: from its next record on, the {who} encrypts with the new session keys.";
    public override string ChangeCipherSpec13(string who) => $"Change Cipher Spec: in TLS 1.3 a dummy record, sent only so that middleboxes see a familiar handshake; it changes nothing.";

    public override string FinishedEncrypted(string who, int length) =>
        $"Encrypted Handshake Message ({N(length)} bytes): the {who}'s Finished, the first message under the new keys. It carries a hash of every "
        + "handshake message so far: it proves nobody altered the handshake, and the peer can only read it if both derived the same keys.";

    public override string EncryptedHandshake(string who, int length) => $"Encrypted Handshake Message ({N(length)} bytes) from the {who}.";

    public override string NewSessionTicket(int ticketLength, uint lifetime, string lifetimeText) =>
        $"New Session Ticket: a ticket of {N(ticketLength)} bytes (the session's state, encrypted with a key only the server knows), with a lifetime hint of {N(lifetime)} s ({lifetimeText}). "
        + "Within that time the client can present it to resume the session without a full handshake.";

    public override string GenericMessage(string name, int length) => $"{name} ({N(length)} bytes).";

    public override string ApplicationData(string who, IReadOnlyList<int> sizes) =>
        $"Application Data from the {who}: {Sizes(sizes)} of encrypted payload (the HTTP {(who == Client ? "request" : "response")}, unreadable without the session keys).";

    public override string Tls13ServerEncryptedFlight(IReadOnlyList<int> sizes, bool first, bool resumed) =>
        (first ? "From here the server's handshake is encrypted. " : "")
        + $"Records of {Sizes(sizes)} appear as Application Data because TLS 1.3 hides the real content type; they carry "
        + (resumed ? "Encrypted Extensions and the server's Finished." : "Encrypted Extensions, the Certificate, Certificate Verify (the server's signature over the handshake) and Finished.");

    public override string Tls13ClientFinished(int size) =>
        $"The client's Finished ({N(size)}-byte record, shown as Application Data): the handshake is complete after one round trip.";

    public override string Tls13PostHandshake(IReadOnlyList<int> sizes) =>
        $"Encrypted records from the server ({Sizes(sizes)}) before the client has sent any request: post-handshake messages, most likely New Session Tickets for resuming later.";
    public override string FindTls13CertificateHidden => "TLS 1.3 encrypts the certificate: without the session keys its chain cannot be checked here.";

    public override string EncryptedAlert(string who, bool last) =>
        $"Encrypted Alert from the {who}" + (last ? ": at the end of a connection almost always close_notify, TLS's own goodbye before TCP closes." : ".");

    public override string Alert(string who, string level, string description, bool fatal) =>
        $"Alert from the {who}: {level}, {description}" + (fatal ? " — fatal: the connection ends here." : ".");

    public override string FindRetransmissions(int n) => $"{Plural(n, "segment was", "segments were")} retransmitted.";
    public override string FindLost(int n) => $"{Plural(n, "gap", "gaps")} in the sequence numbers: segments lost or not captured.";
    public override string FindDupAcks(int n) => $"{Plural(n, "duplicate ACK", "duplicate ACKs")}.";
    public override string FindOutOfOrder(int n) => $"{Plural(n, "segment arrived", "segments arrived")} out of order.";
    public override string FindZeroWindow(int n) => $"{Plural(n, "zero-window advertisement", "zero-window advertisements")}: a receiver could not keep up.";
    public override string FindReset => "The connection was reset (RST) instead of closed.";
    public override string FindAlert(long frame, string who, string description, bool fatal) => $"{(fatal ? "Fatal" : "Warning")} alert {description} from the {who} in frame {N(frame)}.";
    public override string FindNoHello => "The capture has TLS records but no Client Hello: it began after the handshake.";
    public override string FindNoServerHello => "No Server Hello could be read in this capture: not sent, not captured, or lost among retransmitted and out-of-order segments.";
    public override string FindNoFinished => "The handshake does not finish in this capture.";
    public override string FindNoSni => "The Client Hello names no server (no SNI).";
    public override string FindFinishedMismatch(int count) =>
        $"Decrypted, {(count == 1 ? "a Finished message does" : "both Finished messages do")} not match the handshake in the capture: it was changed on the way, or the capture does not hold what the two sides exchanged.";
    public override string FindOldVersion(string version) => $"{version} is deprecated (RFC 8996): use TLS 1.2 or 1.3.";
    public override string FindNoForwardSecrecy(string keyExchange) => $"{keyExchange} key exchange has no forward secrecy: the server's private key decrypts recorded sessions.";
    public override string FindCbc(string suite) => $"{suite} uses CBC mode, which has a long history of padding attacks; AEAD suites (GCM, ChaCha20-Poly1305) are preferred.";
    public override string FindWeakCipher(string suite) => $"{suite} uses a broken or null cipher.";
    public override string FindSha1Handshake(string scheme) => $"The key exchange is signed with {scheme} (SHA-1 or weaker).";
    public override string FindExpired(int index, string subject, DateTimeOffset notAfter) => $"Certificate [{N(index)}] {subject} had expired at capture time (not after {Date(notAfter)}).";
    public override string FindNotYetValid(int index, string subject, DateTimeOffset notBefore) => $"Certificate [{N(index)}] {subject} was not yet valid at capture time (not before {Date(notBefore)}).";
    public override string FindSha1Certificate(int index, string subject, string algorithm) => $"Certificate [{N(index)}] {subject} is signed with {algorithm}.";
    public override string FindShortKey(int index, string subject, int bits) => $"Certificate [{N(index)}] {subject} has a short {N(bits)}-bit key.";
    public override string FindNameMismatch(string sni, IReadOnlyList<string> sans) => $"The server's certificate does not cover {sni} (its names: {(sans.Count == 0 ? "none" : string.Join(", ", sans.Take(5)))}).";
    public override string FindUntrusted(string issuer, bool systemStore) =>
        $"The chain ends at {issuer}, which is not a trust anchor {(systemStore ? "in this machine's store" : "given with --trust")}" + (systemStore ? " (a private CA? name its root with --trust FILE)." : ".");
    public override string FindSelfSigned(string subject) => $"The server's certificate {subject} is self-signed.";
    public override string FindIncomplete(string issuer) => $"The chain is incomplete: the certificate of {issuer} is missing.";
    public override string FindChainProblem(string text) => $"Certificate chain: {text}.";
    public override string FindFramesDropped(long n) => $"{N(n)} segments beyond HttpsFlow's per-connection limit were counted but not explained.";
}
