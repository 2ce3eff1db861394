using HttpsFlow.Common;
using HttpsFlow.Tcp;
using HttpsFlow.Tls;

namespace HttpsFlow.Decryption;

/// <summary>Whether a connection could be decrypted, and if not why.</summary>
public enum DecryptionStatus : byte
{
    /// <summary>Every encrypted record seen was decrypted (or there was none to decrypt).</summary>
    Decrypted,
    /// <summary>No key log was given and the capture embeds none.</summary>
    NoKeyLog,
    /// <summary>The key log has no secret for this connection's client random.</summary>
    NoKeyForClientRandom,
    /// <summary>The cipher suite (or version) is not one decryption supports.</summary>
    CipherNotSupported,
    /// <summary>The capture lacks the ClientHello or ServerHello, so the keys cannot be chosen.</summary>
    HandshakeNotCaptured,
    /// <summary>Records fail authentication under the logged key: the key belongs to another connection or is wrong.</summary>
    WrongKey,
    /// <summary>An RSA private key was given, but none matches the server's certificate.</summary>
    RsaKeyMismatch,
    /// <summary>An RSA private key was given, but the key exchange is not RSA (ECDHE, DHE, TLS 1.3): the key cannot help.</summary>
    KeyExchangeNotRsa,
}

/// <summary>One direction of a connection: its current keys and sequence number.</summary>
internal sealed class DirectionState
{
    public RecordCipher? Cipher;
    public RecordCipher? Pending;
    /// <summary>TLS 1.3 client: the 0-RTT keys, until EndOfEarlyData (or the first record they do not open).</summary>
    public RecordCipher? EarlyCipher;
    public ulong EarlySequence;
    public ulong Sequence;
    public bool AfterChangeCipherSpec;
    public bool LastRecordEncrypted;
    public bool HandshakeDone;
    public long Decrypted;
    public byte[]? TrafficSecret;
    /// <summary>A decrypted handshake message that arrived in pieces (rare: most records hold whole messages).</summary>
    public readonly PooledBytes HandshakeBuffer = new();

    public void Activate(RecordCipher? cipher)
    {
        if (!ReferenceEquals(Cipher, cipher)) Cipher?.Dispose();
        Cipher = cipher;
        Sequence = 0;
    }

    /// <summary>TLS 1.3: switch to the keys of <paramref name="secret"/>.</summary>
    public void SetTrafficSecret(TlsSession s, byte[] secret)
    {
        var spec = s.Spec!;
        var (key, iv) = TlsKdf.TrafficKeys(spec.PrfHash, secret, spec.KeyLength);
        TrafficSecret = secret;
        Activate(RecordCipher.Create(spec, TlsVersion.Tls13, key, iv, null));
    }
}

/// <summary>What decryption learnt of one TLS connection.</summary>
public sealed class TlsSession
{
    private readonly DirectionState _a = new(), _b = new();
    private DecryptionStatus? _status;
    private readonly List<string> _notes = [];

    internal TlsSession(TcpConversation conversation) => Conversation = conversation;

    public TcpConversation Conversation { get; }
    /// <summary>True when the ClientHello came from the conversation's endpoint A.</summary>
    public bool ClientIsA { get; internal set; } = true;
    public ushort Version { get; internal set; }
    public ushort CipherSuite { get; internal set; }
    public bool ExtendedMasterSecret { get; internal set; }
    public bool EncryptThenMac { get; internal set; }
    /// <summary>The application protocol the server chose by ALPN (ServerHello, or TLS 1.3's EncryptedExtensions), or null.</summary>
    public string? Alpn { get; internal set; }
    /// <summary>Secrets for this connection were found (in the key log, or by resumption).</summary>
    public bool KeysFound { get; internal set; }
    public long RecordsDecrypted { get; internal set; }
    public long RecordsFailed { get; internal set; }
    /// <summary>Encrypted records seen while no key was in force.</summary>
    public long EncryptedRecordsSkipped { get; internal set; }
    /// <summary>TLS 1.3 0-RTT records not decrypted (no CLIENT_EARLY_TRAFFIC_SECRET).</summary>
    public long EarlyRecordsSkipped { get; internal set; }
    /// <summary>TLS 1.3 0-RTT records decrypted.</summary>
    public long EarlyRecordsDecrypted { get; internal set; }
    public int FinishedVerified { get; internal set; }
    public int FinishedMismatches { get; internal set; }
    public int KeyUpdates { get; internal set; }
    /// <summary>TLS 1.0–1.2 renegotiations followed.</summary>
    public int Renegotiations { get; internal set; }
    /// <summary>The first 512 bytes (at most) of the first application data each side sent.</summary>
    public byte[]? FirstClientData { get; internal set; }
    public byte[]? FirstServerData { get; internal set; }
    /// <summary>Problems met (a Finished that does not match, a record that does not decrypt). Never holds a secret.</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>The outcome: <see cref="DecryptionStatus.Decrypted"/> unless something went wrong.</summary>
    public DecryptionStatus Status => _status ?? (KeysFound || RecordsDecrypted > 0 ? DecryptionStatus.Decrypted
        : ServerHelloSeen ? DecryptionStatus.NoKeyForClientRandom : DecryptionStatus.HandshakeNotCaptured);

    internal bool ServerHelloSeen;
    internal byte[] ClientRandom = [];
    internal byte[] ServerRandom = [];
    internal byte[] ClientSessionId = [];
    internal byte[] ServerSessionId = [];
    internal byte[]? OfferedTicket;
    internal bool EarlyDataOffered;
    /// <summary>The TLS 1.3 cipher suites the ClientHello offered, in its order (to open 0-RTT data before the ServerHello).</summary>
    internal ushort[] OfferedTls13Suites = [];
    /// <summary>The 0-RTT cipher found before the ServerHello, and its suite.</summary>
    internal RecordCipher? EarlyCipherBeforeServerHello;
    internal ushort EarlySuite;
    internal bool EarlyDataAccepted;
    internal bool EndOfEarlyDataSeen;
    internal readonly List<(long Frame, byte[] Record, ulong StreamOffset)> EarlyRecords = [];
    internal bool SecondClientHello;
    internal byte[]? MasterSecret;
    internal bool AwaitingRsa;
    internal System.Security.Cryptography.RSA? RsaKey;
    internal CipherSpec? Spec;
    // Sized for a typical handshake (hellos, a two-certificate chain, key exchange) so that it rarely grows; pooled,
    // as it is given back once both Finished are checked.
    internal readonly PooledBytes Transcript = new(6144);

    /// <summary>Whether the transcript is kept (to check Finished, or for an RSA key's extended master secret).</summary>
    internal bool KeepTranscript { get; init; } = true;

    internal void AddToTranscript(ReadOnlySpan<byte> message)
    {
        if (KeepTranscript) Transcript.Write(message);
    }

    /// <summary>The handshake transcript so far, without a copy.</summary>
    internal ReadOnlySpan<byte> TranscriptBytes => Transcript.Span;

    internal bool IsTls13 => Version == TlsVersion.Tls13;
    public bool IsFromClient(bool fromA) => fromA == ClientIsA;
    internal DirectionState Direction(bool fromA) => fromA ? _a : _b;

    internal void SetStatus(DecryptionStatus status) => _status ??= status;

    /// <summary>Disposes the ciphers and drops the buffers (the connection is forgotten).</summary>
    internal void Release()
    {
        foreach (var d in new[] { _a, _b })
        {
            d.Cipher?.Dispose();
            d.Pending?.Dispose();
            d.EarlyCipher?.Dispose();
            d.Cipher = d.Pending = d.EarlyCipher = null;
            d.HandshakeBuffer.Release();
        }
        EarlyCipherBeforeServerHello?.Dispose();
        EarlyCipherBeforeServerHello = null;
        Transcript.Release();
        EarlyRecords.Clear();
    }

    internal void AddNote(string note)
    {
        if (_notes.Count < 20) _notes.Add(note);
    }
}
