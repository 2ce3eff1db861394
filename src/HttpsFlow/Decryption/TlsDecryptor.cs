using System.Security.Cryptography;
using HttpsFlow.Net;
using HttpsFlow.Tcp;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Extensions;
using HttpsFlow.Tls.Handshake;
using HttpsFlow.Tls.List;
using HttpsFlow.Tls.Records;
using HttpsFlow.Tls.Registry;

namespace HttpsFlow.Decryption;

/// <summary>A decrypted record, as <see cref="IDecryptedSink.OnPlaintext"/> receives it. Spans are valid only during the call.</summary>
public readonly ref struct DecryptedRecord
{
    internal DecryptedRecord(TlsSession session, long frame, bool fromClient, TlsContentType contentType,
        ReadOnlySpan<byte> plaintext, ulong sequence, ulong streamOffset, int lengthOnly = -1)
    {
        LengthOnly = lengthOnly >= 0;
        Length = lengthOnly >= 0 ? lengthOnly : plaintext.Length;
        Session = session;
        Frame = frame;
        FromClient = fromClient;
        ContentType = contentType;
        Plaintext = plaintext;
        Sequence = sequence;
        StreamOffset = streamOffset;
    }

    public TlsSession Session { get; }
    /// <summary>The frame that completed the record.</summary>
    public long Frame { get; }
    public bool FromClient { get; }
    /// <summary>The content type (the inner type in TLS 1.3).</summary>
    public TlsContentType ContentType { get; }
    public ReadOnlySpan<byte> Plaintext { get; }
    /// <summary>
    /// True when only the plaintext's length is given (<see cref="Plaintext"/> is empty): application data the sink
    /// said it would not read (<see cref="IDecryptedSink.TakesLengthOnly"/>), authenticated by a
    /// <see cref="RecordVerifier"/> on its own thread.
    /// </summary>
    public bool LengthOnly { get; }
    /// <summary>The plaintext's length.</summary>
    public int Length { get; }
    /// <summary>The record's sequence number under its keys.</summary>
    public ulong Sequence { get; }
    /// <summary>Offset of the record's header in its direction's stream.</summary>
    public ulong StreamOffset { get; }
}

/// <summary>A handshake message found in decrypted records (TLS 1.3's EncryptedExtensions … Finished,
/// NewSessionTicket, KeyUpdate; TLS 1.2's Finished). Spans are valid only during the call.</summary>
public readonly ref struct DecryptedHandshake
{
    internal DecryptedHandshake(TlsSession session, long frame, bool fromClient, ReadOnlySpan<byte> message, bool? finishedVerified)
    {
        Session = session;
        Frame = frame;
        FromClient = fromClient;
        Message = message;
        FinishedVerified = finishedVerified;
    }

    public TlsSession Session { get; }
    public long Frame { get; }
    public bool FromClient { get; }
    /// <summary>The whole message, four-byte header included.</summary>
    public ReadOnlySpan<byte> Message { get; }
    public TlsHandshakeType Type => (TlsHandshakeType)Message[0];
    /// <summary>For a Finished: whether its verify_data matched ours (null when it could not be checked).</summary>
    public bool? FinishedVerified { get; }
}

/// <summary>Receives what <see cref="TlsDecryptor"/> decrypts, in stream order per direction.</summary>
public interface IDecryptedSink
{
    void OnPlaintext(in DecryptedRecord record);

    /// <summary>
    /// True when the next <paramref name="length"/> bytes of application data from this side of
    /// <paramref name="session"/> would not be read, only counted (the middle of a body whose length is known): the
    /// record may then be handed on as its length alone (<see cref="DecryptedRecord.LengthOnly"/>).
    /// </summary>
    bool TakesLengthOnly(TlsSession session, bool fromClient, int length) => false;

    void OnHandshake(in DecryptedHandshake message)
    {
    }

    /// <summary>The connection is forgotten (see <see cref="TlsDecryptor.KeepSessions"/>): drop what was kept for it.</summary>
    void OnSessionForgotten(TlsSession session)
    {
    }
}

/// <summary>
/// Decrypts TLS connections while a capture is dissected: attach it as <see cref="Pipeline.Dissector.TlsObserver"/>
/// (alone or with <see cref="TlsObservers"/>). For each connection it learns the client random, version, cipher
/// suite and extensions from the clear handshake, finds the secrets in the <see cref="KeyLog"/>, switches keys where
/// the protocol does (ChangeCipherSpec in TLS 1.0–1.2; after the ServerHello, each Finished and each KeyUpdate in
/// TLS 1.3), decrypts every record, checks each Finished and hands the plaintext to <see cref="Sink"/>. Session
/// resumption works from the key log (the resumed connection's own CLIENT_RANDOM line) or, without one, from the
/// session ID or ticket of an earlier connection of the same capture.
/// </summary>
public sealed class TlsDecryptor : ITlsObserver
{
    // Keyed by tcp.stream (unique per dissector): an int key hashes and compares without a call through the comparer.
    private readonly Dictionary<int, TlsSession> _sessions = new();
    private readonly List<TlsSession> _order = [];
    private readonly Dictionary<string, byte[]> _masterBySessionId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _masterByTicket = new(StringComparer.Ordinal);

    public TlsDecryptor(KeyLog keys) => Keys = keys;

    /// <summary>
    /// Adds the TLS key logs that <paramref name="reader"/>'s Decryption Secrets Blocks hold, those read so far and
    /// those met later (a DSB precedes the packets it is for).
    /// </summary>
    public void UseSecretsOf(Capture.CaptureReader reader)
    {
        int blocks = 0;
        foreach (var secrets in reader.Secrets) Keys.Add(secrets, ++blocks);
        reader.SecretsFound += secrets => Keys.Add(secrets, ++blocks);
    }

    /// <summary>The secrets; more can be added while the capture is read (a Decryption Secrets Block).</summary>
    public KeyLog Keys { get; }

    /// <summary>RSA private keys of servers (for <c>--rsa-key</c>): connections with RSA key exchange and no key log line decrypt with them.</summary>
    public List<System.Security.Cryptography.RSA> RsaKeys { get; } = [];

    /// <summary>
    /// Keep every session for <see cref="Sessions"/> (the default: the walkthrough and the report list them after the
    /// run). False for the packet views, which need a session only while its connection lives: a connection the TCP
    /// table forgets takes its session, keys and application state with it, so memory stays bounded by the table.
    /// </summary>
    public bool KeepSessions { get; init; } = true;

    /// <summary>
    /// Recompute each Finished's verify_data from the handshake transcript (the default: the walkthrough and the
    /// report tell a mismatch). False for the packet views, which show nothing of it (tshark does not check Finished
    /// either): they keep no transcript, unless an RSA key needs one for the extended master secret.
    /// </summary>
    public bool VerifyFinished { get; init; } = true;

    /// <summary>
    /// Opens, on its own thread, the AES-GCM/CCM and ChaCha20-Poly1305 records whose application data the
    /// <see cref="Sink"/> only counts (see <see cref="IDecryptedSink.TakesLengthOnly"/>); null (the default) opens
    /// every record here. For the packet list, whose caller drains it before writing and reads the capture again
    /// without it when a record did not open as assumed.
    /// </summary>
    public RecordVerifier? Verifier { get; set; }

    /// <summary>Receives decrypted records and handshake messages (optional).</summary>
    public IDecryptedSink? Sink { get; set; }

    /// <summary>The TLS connections seen, in the order they began.</summary>
    public IReadOnlyList<TlsSession> Sessions => _order;

    /// <summary>The session of a TCP connection, or null when it carried no TLS.</summary>
    public TlsSession? Find(TcpConversation conversation) => _sessions.GetValueOrDefault(conversation.Stream);

    private DecryptionStatus NoKeyStatus => Keys.Count > 0 ? DecryptionStatus.NoKeyForClientRandom
        : RsaKeys.Count > 0 ? DecryptionStatus.KeyExchangeNotRsa : DecryptionStatus.NoKeyLog;

    private TlsSession Get(TcpConversation conversation)
    {
        if (!_sessions.TryGetValue(conversation.Stream, out var s))
        {
            s = new TlsSession(conversation) { KeepTranscript = VerifyFinished || RsaKeys.Count > 0 };
            _sessions[conversation.Stream] = s;
            if (KeepSessions) _order.Add(s);
        }
        return s;
    }

    public void OnRecord(Frame frame, TcpConversation conversation, bool fromA, in TlsRecord record, ushort version)
    {
        if (record.Kind != TlsRecordKind.Tls) return;
        var s = Get(conversation);
        var d = s.Direction(fromA);
        d.LastRecordEncrypted = false;
        switch (record.ContentType)
        {
            case TlsContentType.ChangeCipherSpec:
                if (s.Version is TlsVersion.Tls13) return; // TLS 1.3's is only for middlebox compatibility
                if (!s.ServerHelloSeen)
                {
                    // Before a ServerHello only a TLS 1.3 client sends one (middlebox compatibility); else the handshake is missing.
                    if (s.ClientRandom.Length != 32) s.SetStatus(DecryptionStatus.HandshakeNotCaptured);
                    return;
                }
                if (d.AfterChangeCipherSpec && d.Pending is null)
                    s.AddNote($"frame {frame.Number}: no keys for the renegotiated handshake; later records of the {(s.IsFromClient(fromA) ? "client" : "server")} are not decrypted");
                d.Activate(d.Pending);
                d.Pending = null;
                d.AfterChangeCipherSpec = true;
                return;
            case TlsContentType.Handshake or TlsContentType.Alert or TlsContentType.ApplicationData or TlsContentType.Heartbeat:
                break;
            default:
                return;
        }
        bool fromClient = s.IsFromClient(fromA);
        if (!s.ServerHelloSeen && s.EarlyDataOffered && fromClient && record.ContentType == TlsContentType.ApplicationData)
        {
            // 0-RTT data: its cipher suite is the resumed session's, which only the ServerHello confirms. With the
            // early secret logged, each TLS 1.3 suite the client offered is tried (the AEAD tag tells the right one),
            // so that the data is read where it travels, as tshark reads it.
            d.LastRecordEncrypted = true;
            if (TryEarlyBeforeServerHello(s, d, frame.Number, record.Bytes, record.StreamOffset)) return;
            if (s.EarlyRecords.Count < 64) s.EarlyRecords.Add((frame.Number, record.Bytes.ToArray(), record.StreamOffset));
            else s.EarlyRecordsSkipped++;
            return;
        }
        bool encrypted = d.AfterChangeCipherSpec || (s.IsTls13 && record.ContentType == TlsContentType.ApplicationData);
        if (!encrypted)
        {
            if (record.ContentType == TlsContentType.ApplicationData && !s.ServerHelloSeen) s.SetStatus(DecryptionStatus.HandshakeNotCaptured);
            return;
        }
        d.LastRecordEncrypted = true;
        if (d.EarlyCipher is not null && TryEarly(s, d, frame.Number, record.Bytes, record.StreamOffset)) return;
        if (d.Cipher is null)
        {
            s.EncryptedRecordsSkipped++;
            return;
        }
        if (Verifier is { } verifier && record.ContentType == TlsContentType.ApplicationData && d.Decrypted > 0
            && d.Cipher is AeadCipher aead && aead.TryPlainLength(record.Fragment.Length, out int assumed)
            && Sink is { } sink && sink.TakesLengthOnly(s, fromClient, assumed))
        {
            // Application data nothing reads: its length goes on now, the record is opened on the verifier's thread.
            verifier.Submit(aead, record.Bytes, d.Sequence, assumed, frame.Number);
            d.Decrypted++;
            s.RecordsDecrypted++;
            sink.OnPlaintext(new DecryptedRecord(s, frame.Number, fromClient, TlsContentType.ApplicationData, default, d.Sequence++,
                record.StreamOffset, assumed));
            return;
        }
        var header = record.Bytes[..5];
        var buffer = Scratch(record.Fragment.Length);
        if (!d.Cipher.TryDecrypt(header, record.Fragment, d.Sequence, buffer, out int plainLength, out var type))
        {
            // In TLS 1.3 a client's records before its Finished may be 0-RTT data under keys we do not have.
            if (s.IsTls13 && fromClient && !d.HandshakeDone && s.EarlyDataOffered)
            {
                s.EarlyRecordsSkipped++;
                return;
            }
            s.RecordsFailed++;
            if (d.Decrypted == 0)
            {
                s.SetStatus(DecryptionStatus.WrongKey);
                s.AddNote($"frame {frame.Number}: the first encrypted record from the {(fromClient ? "client" : "server")} does not decrypt with the logged key");
                d.Activate(null);
            }
            else if (s.RecordsFailed <= 3)
            {
                s.AddNote($"frame {frame.Number}: a record from the {(fromClient ? "client" : "server")} does not decrypt (bytes missing from the capture?)");
            }
            d.Sequence++;
            return;
        }
        Deliver(s, d, fromClient, frame.Number, buffer.AsSpan(0, plainLength), (TlsContentType)type, d.Sequence++, record.StreamOffset);
    }

    private byte[] _scratch = new byte[(1 << 14) + 2048 + 256];

    /// <summary>The buffer records are decrypted into (one for all: a record's plaintext lives only during its delivery).</summary>
    private byte[] Scratch(int length)
    {
        if (_scratch.Length < length) _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        return _scratch;
    }

    private static byte[] AppendUpTo(byte[]? kept, ReadOnlySpan<byte> more, int limit)
    {
        kept ??= [];
        if (kept.Length >= limit) return kept;
        int take = Math.Min(limit - kept.Length, more.Length);
        return [.. kept, .. more[..take]];
    }

    /// <summary>Hands on a decrypted record and reads the handshake messages it carries.</summary>
    private void Deliver(TlsSession s, DirectionState d, bool fromClient, long frame, ReadOnlySpan<byte> plaintext, TlsContentType contentType,
        ulong sequence, ulong streamOffset)
    {
        d.Decrypted++;
        s.RecordsDecrypted++;
        if (contentType == TlsContentType.ApplicationData && KeepSessions)
        {
            // The first 512 bytes each side sent, across records (a response's headers and body often come in two).
            if (fromClient) { if (s.FirstClientData is not { Length: >= 512 }) s.FirstClientData = AppendUpTo(s.FirstClientData, plaintext, 512); }
            else if (s.FirstServerData is not { Length: >= 512 }) s.FirstServerData = AppendUpTo(s.FirstServerData, plaintext, 512);
        }
        Sink?.OnPlaintext(new DecryptedRecord(s, frame, fromClient, contentType, plaintext, sequence, streamOffset));
        if (contentType == TlsContentType.Handshake) AddDecryptedHandshake(s, d, fromClient, frame, plaintext);
    }

    /// <summary>0-RTT data before the ServerHello: opens it with the suite that authenticates it, and keeps that cipher.</summary>
    private bool TryEarlyBeforeServerHello(TlsSession s, DirectionState d, long frame, ReadOnlySpan<byte> record, ulong streamOffset)
    {
        if (s.EarlyCipherBeforeServerHello is null)
        {
            if (s.EarlyRecords.Count > 0) return false; // an earlier record did not open: keep the order
            if (Keys.Find(s.ClientRandom)?.Get(KeyLogLabel.ClientEarlyTrafficSecret) is not { } early) return false;
            foreach (var suite in s.OfferedTls13Suites)
            {
                if (CipherSpec.For(suite, out _) is not { IsTls13: true } spec) continue;
                var (key, iv) = TlsKdf.TrafficKeys(spec.PrfHash, early, spec.KeyLength);
                var cipher = RecordCipher.Create(spec, TlsVersion.Tls13, key, iv, null);
                if (cipher.TryDecrypt(record[..5], record[5..], 0, out _, out _))
                {
                    s.EarlyCipherBeforeServerHello = cipher;
                    s.EarlySuite = suite;
                    break;
                }
                cipher.Dispose();
            }
            if (s.EarlyCipherBeforeServerHello is null) return false;
        }
        var c = s.EarlyCipherBeforeServerHello;
        var buffer = Scratch(record.Length);
        if (!c.TryDecrypt(record[..5], record[5..], d.EarlySequence, buffer, out int plainLength, out var type)) return false;
        s.EarlyRecordsDecrypted++;
        Deliver(s, d, fromClient: true, frame, buffer.AsSpan(0, plainLength), (TlsContentType)type, d.EarlySequence++, streamOffset);
        return true;
    }

    /// <summary>TLS 1.3 0-RTT: opens a client record with the early traffic keys; false when it is not early data.</summary>
    private bool TryEarly(TlsSession s, DirectionState d, long frame, ReadOnlySpan<byte> record, ulong streamOffset)
    {
        var buffer = Scratch(record.Length);
        if (!d.EarlyCipher!.TryDecrypt(record[..5], record[5..], d.EarlySequence, buffer, out int plainLength, out var type))
        {
            // Early data ends with EndOfEarlyData, or (rejected by the server) when the handshake keys take over.
            d.EarlyCipher.Dispose();
            d.EarlyCipher = null;
            return false;
        }
        s.EarlyRecordsDecrypted++;
        Deliver(s, d, fromClient: true, frame, buffer.AsSpan(0, plainLength), (TlsContentType)type, d.EarlySequence++, streamOffset);
        return true;
    }

    public void OnHandshake(Frame frame, TcpConversation conversation, bool fromA, in HandshakeEvent e, ushort version)
    {
        if (e.Kind != HandshakeEventKind.Message) return;
        var s = Get(conversation);
        if (s.Direction(fromA).LastRecordEncrypted) return;
        var message = e.Message;
        if (message.Length < 4) return;
        switch (e.Type)
        {
            case TlsHandshakeType.ClientHello:
                OnClientHello(s, fromA, e.Body);
                break;
            case TlsHandshakeType.ServerHello:
                if (OnServerHello(s, fromA, e.Body, message)) return;
                break;
            case TlsHandshakeType.NewSessionTicket when !s.IsTls13 && s.MasterSecret is { } master:
                var ticket = NewSessionTicket.Parse(e.Body, false);
                if (ticket.Ticket.Length > 0) _masterByTicket[Convert.ToHexString(ticket.Ticket)] = master;
                break;
            case TlsHandshakeType.Certificate when s.AwaitingRsa && !s.IsFromClient(fromA):
                s.RsaKey = RsaKeyExchange.MatchCertificate(RsaKeys, e.Body);
                if (s.RsaKey is null)
                {
                    s.AwaitingRsa = false;
                    s.SetStatus(DecryptionStatus.RsaKeyMismatch);
                }
                break;
            case TlsHandshakeType.ClientKeyExchange when s.AwaitingRsa && s.IsFromClient(fromA):
                s.AddToTranscript(message);
                OnRsaClientKeyExchange(s, e.Body);
                return;
        }
        s.AddToTranscript(message);
    }

    private void OnRsaClientKeyExchange(TlsSession s, ReadOnlySpan<byte> body)
    {
        s.AwaitingRsa = false;
        if (s.RsaKey is null)
        {
            s.SetStatus(DecryptionStatus.RsaKeyMismatch);
            return;
        }
        var preMaster = RsaKeyExchange.DecryptPreMasterSecret(s.RsaKey, body, s.Version);
        if (preMaster is null)
        {
            s.SetStatus(DecryptionStatus.WrongKey);
            s.AddNote("the RSA key does not decrypt the ClientKeyExchange");
            return;
        }
        var spec = s.Spec!;
        byte[]? sessionHash = null;
        if (s.ExtendedMasterSecret)
        {
            var transcript = s.TranscriptBytes;
            sessionHash = s.Version >= TlsVersion.Tls12
                ? TlsKdf.Hash(spec.PrfHash, transcript)
                : TlsKdf.Concat(TlsKdf.Hash(System.Security.Cryptography.HashAlgorithmName.MD5, transcript), TlsKdf.Hash(System.Security.Cryptography.HashAlgorithmName.SHA1, transcript));
        }
        var master = TlsKdf.MasterSecret(s.Version, spec.PrfHash, preMaster, s.ClientRandom, s.ServerRandom, sessionHash);
        DeriveTls12Keys(s, master);
    }

    private static void OnClientHello(TlsSession s, bool fromA, ReadOnlySpan<byte> body)
    {
        var hello = ClientHello.Parse(body);
        if (s.ClientRandom.Length == 32)
        {
            s.SecondClientHello = true; // after a HelloRetryRequest (a renegotiation would be encrypted)
            return;
        }
        if (hello.Random.Length != 32) return;
        s.ClientIsA = fromA;
        s.ClientRandom = hello.Random.ToArray();
        s.ClientSessionId = hello.SessionId.ToArray();
        var tls13 = new List<ushort>();
        foreach (var suite in hello.CipherSuites)
            if (suite.Value is >= 0x1301 and <= 0x1305 && !tls13.Contains(suite.Value)) tls13.Add(suite.Value);
        s.OfferedTls13Suites = [.. tls13];
        foreach (var ext in hello.Extensions)
        {
            if (ext.Type == ExtensionType.SessionTicket && ext.Data.Length > 0) s.OfferedTicket = ext.Data.ToArray();
            else if (ext.Type == ExtensionType.EarlyData) s.EarlyDataOffered = true;
        }
    }

    /// <returns>True when the message was fully handled (the transcript already updated).</returns>
    private bool OnServerHello(TlsSession s, bool fromA, ReadOnlySpan<byte> body, ReadOnlySpan<byte> message)
    {
        var hello = ServerHello.Parse(body);
        if (!hello.HasCipherSuite || hello.Random.Length != 32) return false;
        ushort version = hello.SelectedVersion;
        if (TlsVersion.Tls13Draft(version) != 0) version = TlsVersion.Tls13;
        s.Version = version;
        s.CipherSuite = hello.CipherSuite.Value;
        var spec = CipherSpec.For(s.CipherSuite, out var why);
        s.Spec = spec;
        if (hello.IsHelloRetryRequest)
        {
            // RFC 8446 §4.4.1: the first ClientHello is replaced by message_hash(Hash(ClientHello1)).
            if (spec is null) return false;
            if (!s.KeepTranscript) return true;
            var hash = TlsKdf.Hash(spec.PrfHash, s.TranscriptBytes);
            s.Transcript.Clear();
            s.AddToTranscript([254, 0, 0, (byte)hash.Length]);
            s.AddToTranscript(hash);
            s.AddToTranscript(message);
            return true;
        }
        s.ServerHelloSeen = true;
        if (s.ClientRandom.Length != 32)
        {
            s.SetStatus(DecryptionStatus.HandshakeNotCaptured);
            return false;
        }
        s.ServerRandom = hello.Random.ToArray();
        s.ServerSessionId = hello.SessionId.ToArray();
        foreach (var ext in hello.Extensions)
        {
            if (ext.Type == ExtensionType.ExtendedMasterSecret) s.ExtendedMasterSecret = true;
            else if (ext.Type == ExtensionType.EncryptThenMac) s.EncryptThenMac = true;
            else if (ext.Type == ExtensionType.Alpn) s.Alpn = SelectedAlpn(ext.Data);
        }
        if (spec is null)
        {
            s.SetStatus(DecryptionStatus.CipherNotSupported);
            s.AddNote(why ?? "cipher suite not supported");
            return false;
        }
        if (version is < TlsVersion.Tls10 or > TlsVersion.Tls13 || spec.IsTls13 != (version == TlsVersion.Tls13))
        {
            s.SetStatus(DecryptionStatus.CipherNotSupported);
            s.AddNote($"version 0x{version:x4} is not supported");
            return false;
        }
        s.AddToTranscript(message);
        if (s.IsTls13) StartTls13(s);
        else StartTls12(s);
        return true;
    }

    private void StartTls12(TlsSession s)
    {
        var spec = s.Spec!;
        bool resumed = s.ClientSessionId.Length > 0 && s.ClientSessionId.AsSpan().SequenceEqual(s.ServerSessionId);
        byte[]? master = Keys.Find(s.ClientRandom)?.MasterSecret;
        if (master is null && s.OfferedTicket is { } t) master = _masterByTicket.GetValueOrDefault(Convert.ToHexString(t));
        if (master is null && resumed) master = _masterBySessionId.GetValueOrDefault(Convert.ToHexString(s.ServerSessionId));
        if (master is null && RsaKeys.Count > 0 && !resumed)
        {
            if (CipherSuites.Get(s.CipherSuite)?.KeyExchange == "RSA") s.AwaitingRsa = true; // keys come with the ClientKeyExchange
            else s.SetStatus(NoKeyStatus);
            return;
        }
        if (master is null)
        {
            s.SetStatus(NoKeyStatus);
            return;
        }
        DeriveTls12Keys(s, master);
    }

    private void DeriveTls12Keys(TlsSession s, byte[] master)
    {
        var spec = s.Spec!;
        s.MasterSecret = master;
        if (s.ServerSessionId.Length > 0) _masterBySessionId[Convert.ToHexString(s.ServerSessionId)] = master;
        int macLength = spec.Mode == RecordMode.Cbc ? spec.MacLength : 0;
        int ivLength = spec.FixedIvLength;
        int total = 2 * (macLength + spec.KeyLength + ivLength);
        var block = TlsKdf.KeyBlock(s.Version, spec.PrfHash, master, s.ClientRandom, s.ServerRandom, total);
        int o = 0;
        byte[] Take(int n)
        {
            var r = block.AsSpan(o, n).ToArray();
            o += n;
            return r;
        }
        var clientMac = Take(macLength);
        var serverMac = Take(macLength);
        var clientKey = Take(spec.KeyLength);
        var serverKey = Take(spec.KeyLength);
        var clientIv = Take(ivLength);
        var serverIv = Take(ivLength);
        s.Direction(s.ClientIsA).Pending = RecordCipher.Create(spec, s.Version, clientKey, clientIv, clientMac, s.EncryptThenMac);
        s.Direction(!s.ClientIsA).Pending = RecordCipher.Create(spec, s.Version, serverKey, serverIv, serverMac, s.EncryptThenMac);
        s.KeysFound = true;
    }

    private void StartTls13(TlsSession s)
    {
        var entry = Keys.Find(s.ClientRandom);
        var clientHs = entry?.Get(KeyLogLabel.ClientHandshakeTrafficSecret);
        var serverHs = entry?.Get(KeyLogLabel.ServerHandshakeTrafficSecret);
        if (clientHs is null || serverHs is null)
        {
            s.SetStatus(NoKeyStatus);
            return;
        }
        s.KeysFound = true;
        s.Direction(s.ClientIsA).SetTrafficSecret(s, clientHs);
        s.Direction(!s.ClientIsA).SetTrafficSecret(s, serverHs);
        var client = s.Direction(s.ClientIsA);
        if (s.EarlyCipherBeforeServerHello is { } opened && s.EarlySuite == s.CipherSuite)
        {
            // The 0-RTT records read so far were opened already; the rest continue under the same keys.
            client.EarlyCipher = opened;
            s.EarlyCipherBeforeServerHello = null;
            foreach (var (frame, bytes, offset) in s.EarlyRecords)
                if (client.EarlyCipher is null || !TryEarly(s, client, frame, bytes, offset)) s.EarlyRecordsSkipped++;
        }
        else if (s.EarlyDataOffered && entry!.Get(KeyLogLabel.ClientEarlyTrafficSecret) is { } early)
        {
            var spec = s.Spec!;
            var (key, iv) = TlsKdf.TrafficKeys(spec.PrfHash, early, spec.KeyLength);
            client.EarlyCipher = RecordCipher.Create(spec, TlsVersion.Tls13, key, iv, null);
            foreach (var (frame, bytes, offset) in s.EarlyRecords)
                if (client.EarlyCipher is null || !TryEarly(s, client, frame, bytes, offset)) s.EarlyRecordsSkipped++;
        }
        else s.EarlyRecordsSkipped += s.EarlyRecords.Count;
        s.EarlyRecords.Clear();
    }

    private void AddDecryptedHandshake(TlsSession s, DirectionState d, bool fromClient, long frame, ReadOnlySpan<byte> plaintext)
    {
        if (d.HandshakeBuffer.Length == 0)
        {
            // The usual case: the record holds whole messages, read in place; only a piece left over is kept.
            while (plaintext.Length >= 4)
            {
                int length = plaintext[1] << 16 | plaintext[2] << 8 | plaintext[3];
                if (plaintext.Length < 4 + length) break;
                OnDecryptedHandshake(s, d, fromClient, frame, plaintext[..(4 + length)]);
                plaintext = plaintext[(4 + length)..];
            }
            if (plaintext.IsEmpty) return;
        }
        d.HandshakeBuffer.Write(plaintext);
        if (d.HandshakeBuffer.Length > 1 << 20)
        {
            s.AddNote($"frame {frame}: a decrypted handshake message is longer than 1 MiB; dropped");
            d.HandshakeBuffer.Release();
            return;
        }
        var buffer = d.HandshakeBuffer.Span;
        int used = 0;
        while (buffer.Length - used >= 4)
        {
            int length = buffer[used + 1] << 16 | buffer[used + 2] << 8 | buffer[used + 3];
            if (buffer.Length - used < 4 + length) break;
            var message = buffer.Slice(used, 4 + length).ToArray(); // the buffer may change under the message's readers
            used += 4 + length;
            OnDecryptedHandshake(s, d, fromClient, frame, message);
        }
        if (used == d.HandshakeBuffer.Length) d.HandshakeBuffer.Release();
        else d.HandshakeBuffer.RemoveStart(used);
    }

    private void OnDecryptedHandshake(TlsSession s, DirectionState d, bool fromClient, long frame, ReadOnlySpan<byte> message)
    {
        var type = (TlsHandshakeType)message[0];
        if (!s.IsTls13 && RenegotiationMessage(s, d, fromClient, type, message))
        {
            Sink?.OnHandshake(new DecryptedHandshake(s, frame, fromClient, message, null));
            return;
        }
        var spec = s.Spec!;
        bool? verified = null;
        bool handshakeFinished = type == TlsHandshakeType.Finished && !d.HandshakeDone;
        if (type == TlsHandshakeType.EncryptedExtensions && !fromClient)
        {
            s.EarlyDataAccepted = HasEarlyDataExtension(message);
            s.Alpn ??= EncryptedExtensionsAlpn(message);
        }
        if (type == TlsHandshakeType.EndOfEarlyData) s.EndOfEarlyDataSeen = true;
        if (handshakeFinished && fromClient && s.EarlyDataAccepted && !s.EndOfEarlyDataSeen)
        {
            // The EndOfEarlyData travelled under 0-RTT keys we lack; it is always the same four bytes.
            s.AddToTranscript([(byte)TlsHandshakeType.EndOfEarlyData, 0, 0, 0]);
            s.EndOfEarlyDataSeen = true;
        }
        if (handshakeFinished && s.KeepTranscript)
        {
            var transcript = s.TranscriptBytes;
            byte[]? expected = null;
            if (s.IsTls13)
                expected = d.TrafficSecret is { } secret ? TlsKdf.FinishedVerifyData13(spec.PrfHash, secret, TlsKdf.Hash(spec.PrfHash, transcript)) : null;
            else if (s.MasterSecret is { } master)
                expected = TlsKdf.FinishedVerifyData12(s.Version, spec.PrfHash, master, fromClient, transcript);
            if (expected is not null)
            {
                verified = message[4..].SequenceEqual(expected);
                if (verified == true) s.FinishedVerified++;
                else
                {
                    s.FinishedMismatches++;
                    s.AddNote($"frame {frame}: the {(fromClient ? "client" : "server")}'s Finished does not match the handshake (verify_data differs) in connection {s.Conversation.Stream}");
                }
            }
        }
        if (handshakeFinished) d.HandshakeDone = true;
        Sink?.OnHandshake(new DecryptedHandshake(s, frame, fromClient, message, verified));
        // TLS 1.3's NewSessionTicket and KeyUpdate come after the handshake; TLS 1.2's NewSessionTicket is part of it.
        bool postHandshake = !handshakeFinished && (d.HandshakeDone || s.IsTls13 && type is TlsHandshakeType.NewSessionTicket or TlsHandshakeType.KeyUpdate);
        if (!postHandshake) s.AddToTranscript(message);
        if (type == TlsHandshakeType.EndOfEarlyData && d.EarlyCipher is not null)
        {
            d.EarlyCipher.Dispose();
            d.EarlyCipher = null;
        }
        if (handshakeFinished && s.Direction(true).HandshakeDone && s.Direction(false).HandshakeDone)
        {
            // Both Finished checked: the transcript is not needed any more.
            s.Transcript.Release();
        }
        if (!s.IsTls13) return;
        if (handshakeFinished)
        {
            var entry = Keys.Find(s.ClientRandom);
            var next = entry?.Get(fromClient ? KeyLogLabel.ClientTrafficSecret0 : KeyLogLabel.ServerTrafficSecret0);
            if (next is null)
            {
                s.AddNote($"the key log has no {(fromClient ? "CLIENT" : "SERVER")}_TRAFFIC_SECRET_0 for connection {s.Conversation.Stream}");
                d.Activate(null);
            }
            else
            {
                d.SetTrafficSecret(s, next);
            }
        }
        else if (type == TlsHandshakeType.KeyUpdate && d.TrafficSecret is { } current)
        {
            d.SetTrafficSecret(s, TlsKdf.NextTrafficSecret(spec.PrfHash, current));
            s.KeyUpdates++;
        }
    }

    /// <summary>
    /// TLS 1.0–1.2 renegotiation: a ClientHello after the handshake starts a new one under the current keys (a new
    /// client random, transcript and key block, taking effect at the next ChangeCipherSpec of each side).
    /// </summary>
    /// <returns>True when the message was handled (the hellos of a renegotiation).</returns>
    private bool RenegotiationMessage(TlsSession s, DirectionState d, bool fromClient, TlsHandshakeType type, ReadOnlySpan<byte> message)
    {
        if (type == TlsHandshakeType.ClientHello && fromClient && d.HandshakeDone)
        {
            s.Renegotiations++;
            s.ClientRandom = [];
            s.Transcript.Clear();
            s.Direction(true).HandshakeDone = s.Direction(false).HandshakeDone = false;
            OnClientHello(s, s.ClientIsA, message[4..]);
            s.AddToTranscript(message);
            return true;
        }
        if (type == TlsHandshakeType.ServerHello && !fromClient && s.Renegotiations > 0 && !d.HandshakeDone)
        {
            if (!OnServerHello(s, !s.ClientIsA, message[4..], message)) s.AddToTranscript(message);
            return true;
        }
        return false;
    }

    /// <summary>The one protocol name of a server's ALPN extension data, or null.</summary>
    private static string? SelectedAlpn(ReadOnlySpan<byte> data)
    {
        var names = AlpnExtension.Parse(data).ProtocolNames();
        return names.Length == 1 ? names[0] : null;
    }

    /// <summary>The ALPN protocol an EncryptedExtensions message (header included) carries, or null.</summary>
    private static string? EncryptedExtensionsAlpn(ReadOnlySpan<byte> message)
    {
        if (message.Length < 6) return null;
        var list = message[6..];
        int length = Math.Min(list.Length, message[4] << 8 | message[5]);
        for (int i = 0; i + 4 <= length;)
        {
            int type = list[i] << 8 | list[i + 1], size = list[i + 2] << 8 | list[i + 3];
            if (i + 4 + size > length) return null;
            if (type == 16) return SelectedAlpn(list.Slice(i + 4, size));
            i += 4 + size;
        }
        return null;
    }

    /// <summary>Whether an EncryptedExtensions message (header included) carries early_data: the server accepted 0-RTT.</summary>
    private static bool HasEarlyDataExtension(ReadOnlySpan<byte> message)
    {
        if (message.Length < 6) return false;
        var list = message[6..];
        int length = Math.Min(list.Length, message[4] << 8 | message[5]);
        for (int i = 0; i + 4 <= length;)
        {
            int type = list[i] << 8 | list[i + 1], size = list[i + 2] << 8 | list[i + 3];
            if (type == 42) return true;
            i += 4 + size;
        }
        return false;
    }

    public void OnNote(Frame frame, TcpConversation conversation, bool fromA, in TlsStreamNote note)
    {
    }

    public void OnConversationForgotten(TcpConversation conversation)
    {
        if (KeepSessions || !_sessions.Remove(conversation.Stream, out var s)) return;
        s.Release();
        Sink?.OnSessionForgotten(s);
    }
}

/// <summary>Several receivers behind the decryptor's one <see cref="TlsDecryptor.Sink"/>, called in order.</summary>
public sealed class DecryptedSinks(params IDecryptedSink[] sinks) : IDecryptedSink
{
    public void OnPlaintext(in DecryptedRecord record)
    {
        foreach (var s in sinks) s.OnPlaintext(record);
    }

    public void OnHandshake(in DecryptedHandshake message)
    {
        foreach (var s in sinks) s.OnHandshake(message);
    }

    public void OnSessionForgotten(TlsSession session)
    {
        foreach (var s in sinks) s.OnSessionForgotten(session);
    }
}

/// <summary>
/// The key material of a decrypted connection, for a person who asks to see it (`explain --show-secrets`): TLS 1.0–1.2's
/// master secret and the key block cut into its MAC keys, write keys and IVs; TLS 1.3's logged secrets and the write
/// keys and IVs of the application traffic secrets. Nothing else in HttpsFlow prints key material.
/// </summary>
public static class SessionSecrets
{
    public static IReadOnlyList<(string Name, string Hex)> Of(TlsDecryptor decryptor, TlsSession s)
    {
        var list = new List<(string, string)>();
        if (s.Spec is not { } spec || s.ClientRandom.Length != 32) return list;
        static string Hex(ReadOnlySpan<byte> b) => Convert.ToHexStringLower(b);
        if (!s.IsTls13)
        {
            if (s.MasterSecret is not { } master || s.ServerRandom.Length != 32) return list;
            list.Add(("master secret", Hex(master)));
            int mac = spec.Mode == RecordMode.Cbc ? spec.MacLength : 0, key = spec.KeyLength, iv = spec.FixedIvLength;
            var block = TlsKdf.KeyBlock(s.Version, spec.PrfHash, master, s.ClientRandom, s.ServerRandom, 2 * (mac + key + iv));
            int o = 0;
            void Take(string name, int n)
            {
                if (n > 0) list.Add((name, Hex(block.AsSpan(o, n))));
                o += n;
            }
            Take("client write MAC key", mac);
            Take("server write MAC key", mac);
            Take("client write key", key);
            Take("server write key", key);
            Take("client write IV", iv);
            Take("server write IV", iv);
            return list;
        }
        if (decryptor.Keys.Find(s.ClientRandom) is not { } entry) return list;
        foreach (var (label, name) in new[]
        {
            (KeyLogLabel.ClientEarlyTrafficSecret, "CLIENT_EARLY_TRAFFIC_SECRET"),
            (KeyLogLabel.ClientHandshakeTrafficSecret, "CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
            (KeyLogLabel.ServerHandshakeTrafficSecret, "SERVER_HANDSHAKE_TRAFFIC_SECRET"),
            (KeyLogLabel.ClientTrafficSecret0, "CLIENT_TRAFFIC_SECRET_0"),
            (KeyLogLabel.ServerTrafficSecret0, "SERVER_TRAFFIC_SECRET_0"),
            (KeyLogLabel.ExporterSecret, "EXPORTER_SECRET"),
        })
            if (entry.Get(label) is { } secret) list.Add((name, Hex(secret)));
        foreach (var (label, side) in new[] { (KeyLogLabel.ClientTrafficSecret0, "client"), (KeyLogLabel.ServerTrafficSecret0, "server") })
        {
            if (entry.Get(label) is not { } secret) continue;
            var (key, iv) = TlsKdf.TrafficKeys(spec.PrfHash, secret, spec.KeyLength);
            list.Add(($"{side} application write key", Hex(key)));
            list.Add(($"{side} application write IV", Hex(iv)));
        }
        return list;
    }
}
