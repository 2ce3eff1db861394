using HttpsFlow.Net;
using HttpsFlow.Tcp;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Extensions;
using HttpsFlow.Tls.Handshake;
using HttpsFlow.Tls.List;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Walkthrough;

/// <summary>
/// Records TLS connections while a capture is dissected: attach it as <see cref="Pipeline.Dissector.TlsObserver"/>
/// and call <see cref="OnFrame"/> with every frame <see cref="Pipeline.Dissector.Next"/> returns. What it keeps is
/// bounded: the handshake facts of each connection (a few kilobytes, certificates included) and, when
/// <see cref="KeepFrames"/> is set, at most <see cref="MaxFramesPerConnection"/> segments per connection; when it is
/// not, the first <see cref="SummaryFramesPerConnection"/> segments and <see cref="SummaryApplicationDataRecords"/>
/// application-data records (enough for the timing of the handshake and the first data).
/// </summary>
public sealed class ConnectionRecorder : ITlsObserver
{
    public const int MaxFramesPerConnection = 100_000;

    /// <summary>Segments kept per connection when <see cref="KeepFrames"/> is off.</summary>
    public const int SummaryFramesPerConnection = 256;

    /// <summary>Application-data records listed per connection when <see cref="KeepFrames"/> is off.</summary>
    public const int SummaryApplicationDataRecords = 64;

    private readonly Dictionary<TcpConversation, TlsConnection> _byConversation = new(ReferenceEqualityComparer.Instance);
    private readonly List<TlsConnection> _order = [];
    private readonly List<TlsItem> _pendingItems = [];
    private List<string>? _currentNames;
    private long _pendingFrame = -1;

    /// <summary>Keep every segment of each connection (for the diagram and narration); off for summaries only (the
    /// first <see cref="SummaryFramesPerConnection"/> segments, for the timing).</summary>
    public bool KeepFrames { get; init; } = true;

    /// <summary>Record only this tcp.stream (null: all).</summary>
    public int? Stream { get; init; }

    /// <summary>The connections that carried TLS, in the order they began.</summary>
    public IEnumerable<TlsConnection> Connections => _order.Where(c => c.IsTls && !c.Dropped);

    /// <summary>
    /// Most connections followed at once before they show TLS (default 10,000). Each costs a few kilobytes (its first
    /// segments are kept for the diagram); past the bound the oldest such connection is dropped, so a scan or a SYN
    /// flood costs bounded memory here. A dropped connection that later shows TLS is followed from that point, without
    /// its opening segments.
    /// </summary>
    public int MaxPendingConnections { get; init; } = 10_000;

    /// <summary>Connections dropped by <see cref="MaxPendingConnections"/> or because the dissector forgot them.</summary>
    public long DroppedConnections { get; private set; }

    // Connections not yet showing TLS, oldest first (entries that became TLS or were dropped are skipped when met).
    private readonly Queue<TlsConnection> _pending = new();
    private int _pendingCount;

    private TlsConnection Get(TcpConversation conversation)
    {
        if (!_byConversation.TryGetValue(conversation, out var c))
        {
            c = new TlsConnection(conversation);
            _byConversation[conversation] = c;
            _order.Add(c);
            _pending.Enqueue(c);
            if (++_pendingCount > MaxPendingConnections) DropOldestPending();
        }
        return c;
    }

    private void DropOldestPending()
    {
        while (_pending.TryDequeue(out var old))
        {
            if (old.IsTls || old.Dropped) continue;
            Drop(old);
            return;
        }
    }

    private void Drop(TlsConnection c)
    {
        _byConversation.Remove(c.Conversation);
        c.Dropped = true;
        _pendingCount--;
        DroppedConnections++;
        if (++_dropped > 1024 && _dropped > _order.Count / 2)
        {
            _order.RemoveAll(x => x.Dropped);
            _dropped = 0;
        }
    }

    private void BecameTls(TlsConnection c)
    {
        if (!c.IsTls && !c.Dropped) _pendingCount--;
    }

    /// <summary>
    /// A connection the dissector forgot (ports reused, or the connection table was full): one that carried no TLS is
    /// dropped, so that a scan or a SYN flood costs nothing here; a TLS one stays, it is what the commands report.
    /// </summary>
    public void OnConversationForgotten(TcpConversation conversation)
    {
        if (!_byConversation.TryGetValue(conversation, out var c) || c.IsTls) return;
        Drop(c);
    }

    private int _dropped;

    private bool Wanted(TcpConversation conversation) => Stream is not { } s || conversation.Stream == s;

    /// <summary>Adds a dissected frame (TCP frames only are kept).</summary>
    public void OnFrame(Frame f, TcpConversation? conversation)
    {
        if (f.Transport != TransportKind.Tcp || conversation is null || f.Tcp.Stream != conversation.Stream || !Wanted(conversation))
        {
            _pendingItems.Clear();
            return;
        }
        var c = Get(conversation);
        bool fromA = f.Src == conversation.AddressA && f.SrcPort == conversation.PortA;
        ref var t = ref f.Tcp;
        if (!c.ClientKnown && (t.Flags & TcpFlags.Syn) != 0)
        {
            c.ClientIsA = (t.Flags & TcpFlags.Ack) == 0 ? fromA : !fromA;
            c.ClientKnown = true;
        }
        if (!c.Started)
        {
            c.Start = f.Time;
            c.Started = true;
        }
        c.End = f.Time;
        if (c.Frames.Count >= (KeepFrames ? MaxFramesPerConnection : SummaryFramesPerConnection))
        {
            c.FramesDropped++;
            _pendingItems.Clear();
            return;
        }
        var ff = new FlowFrame
        {
            Number = f.Number, Time = f.Time, FromA = fromA, Flags = t.Flags, Seq = t.Seq, Ack = t.Ack,
            SeqRaw = t.SeqRaw, AckRaw = t.AckRaw, Length = Math.Max(0, t.Reported - t.HeaderLength), Window = t.WindowSize,
            Analysis = t.Analysis, Mss = t.HasMss ? t.Mss : 0, WindowScale = t.HasWindowScale ? t.WindowScaleShift : -1,
            SackPermitted = t.SackPermitted,
        };
        if (_pendingFrame == f.Number) ff.Tls.AddRange(_pendingItems);
        ff.PartOfLaterRecord = f.Upper is UpperKind.SegmentFirst or UpperKind.SegmentMiddle;
        c.Frames.Add(ff);
        _pendingItems.Clear();
    }

    public void OnRecord(Frame frame, TcpConversation conversation, bool fromA, in TlsRecord record, ushort version)
    {
        if (!Wanted(conversation)) return;
        var c = Get(conversation);
        if (!c.IsTls) c.FirstTlsTime = frame.Time;
        BecameTls(c);
        c.IsTls = true;
        c.Zeek.OnRecord(c, fromA, record);
        if (_pendingFrame != frame.Number)
        {
            _pendingItems.Clear();
            _pendingFrame = frame.Number;
        }
        if (c.RecordVersion == 0 && record.Kind == TlsRecordKind.Tls) c.RecordVersion = record.Version;
        var names = new List<string>(2);
        _currentNames = null;
        switch (record.Kind)
        {
            case TlsRecordKind.Tls when record.ContentType == TlsContentType.Handshake:
                _currentNames = names;
                break;
            case TlsRecordKind.Tls when record.ContentType == TlsContentType.ChangeCipherSpec:
                names.Add(TlsNames.ChangeCipherSpec);
                c.ChangeCipherSpecs.Add((frame.Number, fromA));
                break;
            case TlsRecordKind.Tls when record.ContentType == TlsContentType.ApplicationData:
                names.Add(TlsNames.ApplicationData);
                if (KeepFrames || c.ApplicationData.Count < SummaryApplicationDataRecords) c.ApplicationData.Add((frame.Number, fromA, record.Length));
                else c.ApplicationDataDropped++;
                break;
            case TlsRecordKind.Tls when record.ContentType == TlsContentType.Alert:
                var alert = TlsAlert.Parse(record.Fragment);
                names.Add(alert.InfoText);
                c.Alerts.Add(new AlertInfo(frame.Number, fromA, alert.IsEncrypted, alert.Level, alert.Description));
                break;
            case TlsRecordKind.Tls when record.ContentType == TlsContentType.Heartbeat:
                names.Add("Heartbeat");
                break;
            case TlsRecordKind.Ssl2:
                names.Add(record.Ssl2InfoText ?? TlsNames.EncryptedData);
                if (record.Ssl2MessageType == 1 && c.ClientHello is null)
                {
                    c.ClientHello = new ClientHelloInfo { Frame = frame.Number, Length = record.Length, IsSsl2 = true, HighestVersion = TlsVersion.Ssl2 };
                    SetClient(c, fromA);
                }
                break;
            default:
                if (record.UnrecognisedInfo(version) is { } text) names.Add(text);
                break;
        }
        _pendingItems.Add(new TlsItem((byte)record.ContentType, record.Length, names, record.FirstFrame));
    }

    private static void SetClient(TlsConnection c, bool clientIsFromA)
    {
        if (c.ClientKnown) return;
        c.ClientIsA = clientIsFromA;
        c.ClientKnown = true;
    }

    public void OnHandshake(Frame frame, TcpConversation conversation, bool fromA, in HandshakeEvent e, ushort version)
    {
        if (!Wanted(conversation)) return;
        var c = Get(conversation);
        if (e.InfoText is { } text) _currentNames?.Add(text);
        if (e.Kind == HandshakeEventKind.Encrypted)
        {
            c.Handshake.Add(new HandshakeStep(frame.Number, fromA, 0, TlsNames.EncryptedHandshakeMessage, e.Message.Length, true));
            // After ChangeCipherSpec the next (encrypted) handshake message of a side is its Finished.
            if (c.ChangeCipherSpecs.Any(x => x.FromA == fromA))
            {
                if (c.IsFromClient(fromA)) { if (c.ClientFinishedFrame == 0) c.ClientFinishedFrame = frame.Number; }
                else if (c.ServerFinishedFrame == 0) c.ServerFinishedFrame = frame.Number;
            }
            return;
        }
        if (e.Kind != HandshakeEventKind.Message) return;
        var body = e.Body;
        string name = e.IsHelloRetryRequest ? TlsNames.HelloRetryRequest : TlsNames.HandshakeType((byte)e.Type) ?? $"Handshake type {(byte)e.Type}";
        c.Handshake.Add(new HandshakeStep(frame.Number, fromA, (byte)e.Type, name, body.Length, false));
        switch (e.Type)
        {
            case TlsHandshakeType.ClientHello:
                SetClient(c, fromA);
                var ch = ReadClientHello(body, frame.Number);
                if (c.ClientHello is null) c.ClientHello = ch;
                else c.SecondClientHello ??= ch;
                break;
            case TlsHandshakeType.ServerHello:
                SetClient(c, !fromA);
                var sh = ReadServerHello(body, frame.Number);
                if (sh.IsHelloRetryRequest) c.HelloRetryRequest ??= sh;
                else c.ServerHello ??= sh;
                break;
            case TlsHandshakeType.Certificate:
                var chain = ReadCertificates(body, version == TlsVersion.Tls13, frame.Number, fromA);
                if (c.IsFromClient(fromA)) c.ClientCertificates ??= chain;
                else c.ServerCertificates ??= chain;
                break;
            case TlsHandshakeType.ServerKeyExchange when c.ServerHello is { } hello:
                var ske = ServerKeyExchange.Parse(body, KeyExchangeAlgorithms.ForCipherSuite(new CipherSuite(hello.CipherSuite)), version);
                c.ServerKeyExchange ??= new ServerKeyExchangeInfo
                {
                    Frame = frame.Number, Length = body.Length, NamedCurve = ske.NamedCurve.Value, PointLength = ske.Point.Length,
                    DhPrimeBits = ske.P.TrimStart((byte)0).Length * 8, HasSignatureScheme = ske.HasSignature && ske.Signature.HasAlgorithm,
                    SignatureScheme = ske.HasSignature && ske.Signature.HasAlgorithm ? ske.Signature.Algorithm.Value : (ushort)0,
                    SignatureLength = ske.HasSignature ? ske.Signature.Signature.Length : 0,
                };
                break;
            case TlsHandshakeType.ClientKeyExchange when c.ServerHello is { } hello2:
                var cke = ClientKeyExchange.Parse(body, KeyExchangeAlgorithms.ForCipherSuite(new CipherSuite(hello2.CipherSuite)), version);
                c.ClientKeyExchange ??= new ClientKeyExchangeInfo
                {
                    Frame = frame.Number, Length = body.Length, PointLength = cke.Point.Length, DhPublicLength = cke.Yc.Length,
                    EncryptedPreMasterLength = cke.EncryptedPreMasterSecret.Length,
                };
                break;
            case TlsHandshakeType.ClientKeyExchange:
                c.ClientKeyExchange ??= new ClientKeyExchangeInfo { Frame = frame.Number, Length = body.Length };
                break;
            case TlsHandshakeType.NewSessionTicket:
                var nst = NewSessionTicket.Parse(body, version == TlsVersion.Tls13);
                c.Tickets.Add(new TicketInfo(frame.Number, nst.Lifetime, nst.Ticket.Length));
                break;
            case TlsHandshakeType.CertificateRequest:
                c.CertificateRequested = true;
                break;
        }
        c.Zeek.OnMessage(c, fromA, (byte)e.Type, e.IsHelloRetryRequest);
    }

    private static ClientHelloInfo ReadClientHello(ReadOnlySpan<byte> body, long frame)
    {
        var hello = ClientHello.Parse(body);
        var ext = hello.Extensions;
        ushort[] versions = [], groups = [], shares = [], sigs = [];
        string[] alpn = [];
        bool ticketExt = false, psk = false, early = false;
        int ticketLength = 0;
        foreach (var e in ext)
        {
            if (e.Type == ExtensionType.SupportedVersions) versions = SupportedVersionsExtension.Parse(e.Data, TlsHandshakeType.ClientHello).Versions.ToArray();
            else if (e.Type == ExtensionType.SupportedGroups) groups = [.. SupportedGroupsExtension.Parse(e.Data).Groups.ToArray().Select(g => g.Value)];
            else if (e.Type == ExtensionType.SignatureAlgorithms) sigs = [.. SignatureAlgorithmsExtension.Parse(e.Data).Algorithms.ToArray().Select(s => s.Value)];
            else if (e.Type == ExtensionType.Alpn) alpn = AlpnExtension.Parse(e.Data).ProtocolNames();
            else if (e.Type == ExtensionType.KeyShare)
            {
                var list = new List<ushort>();
                foreach (var s in KeyShareExtension.Parse(e.Data, TlsHandshakeType.ClientHello).ClientShares) list.Add(s.Group.Value);
                shares = [.. list];
            }
            else if (e.Type == ExtensionType.SessionTicket) { ticketExt = true; ticketLength = e.Data.Length; }
            else if (e.Type == ExtensionType.PreSharedKey) psk = true;
            else if (e.Type == ExtensionType.EarlyData) early = true;
        }
        var suites = new ushort[hello.CipherSuites.Count];
        for (int i = 0; i < suites.Length; i++) suites[i] = hello.CipherSuites[i].Value;
        string ja3Full = hello.Status == Common.ParseStatus.Ok || hello.CipherSuites.Count > 0 ? Ja3.ClientFull(hello) : "";
        return new ClientHelloInfo
        {
            Frame = frame, Length = body.Length, LegacyVersion = hello.LegacyVersion, Random = hello.Random.ToArray(),
            SessionId = hello.SessionId.ToArray(), CipherSuites = suites, Extensions = ext.Types(), SupportedVersions = versions,
            Groups = groups, KeyShareGroups = shares, SignatureAlgorithms = sigs, Alpn = alpn, ServerName = hello.ServerName,
            SessionTicketExtension = ticketExt, TicketLength = ticketLength, OffersPsk = psk, OffersEarlyData = early,
            Ja3Full = ja3Full, Ja3 = ja3Full.Length > 0 ? Ja3.Hash(ja3Full) : "", HighestVersion = hello.HighestVersion,
            Ja4 = Ja4.Compute(body, Ja4Transport.Tcp) ?? "",
        };
    }

    private static ServerHelloInfo ReadServerHello(ReadOnlySpan<byte> body, long frame)
    {
        var hello = ServerHello.Parse(body);
        string? alpn = null;
        ushort group = 0;
        bool psk = false, ems = false, ticket = false;
        foreach (var e in hello.Extensions)
        {
            if (e.Type == ExtensionType.Alpn) alpn = AlpnExtension.Parse(e.Data).FirstProtocol;
            else if (e.Type == ExtensionType.KeyShare)
            {
                var ks = KeyShareExtension.Parse(e.Data, hello.ExtensionContext);
                group = ks.HasSelectedGroup ? ks.SelectedGroup.Value : ks.ServerShare.Group.Value;
            }
            else if (e.Type == ExtensionType.PreSharedKey) psk = true;
            else if (e.Type == ExtensionType.ExtendedMasterSecret) ems = true;
            else if (e.Type == ExtensionType.SessionTicket) ticket = true;
        }
        string ja3sFull = hello.HasCipherSuite ? Ja3.ServerFull(hello) : "";
        return new ServerHelloInfo
        {
            Frame = frame, Length = body.Length, LegacyVersion = hello.LegacyVersion, Version = hello.SelectedVersion,
            Random = hello.Random.ToArray(), SessionId = hello.SessionId.ToArray(), CipherSuite = hello.CipherSuite.Value,
            Extensions = hello.Extensions.Types(), Alpn = alpn, KeyShareGroup = group, HasPsk = psk,
            IsHelloRetryRequest = hello.IsHelloRetryRequest, ExtendedMasterSecret = ems, SessionTicketExtension = ticket,
            Ja3sFull = ja3sFull, Ja3s = ja3sFull.Length > 0 ? Ja3.Hash(ja3sFull) : "",
        };
    }

    private static CertificateMessageInfo ReadCertificates(ReadOnlySpan<byte> body, bool tls13, long frame, bool fromA)
    {
        var message = Tls.Handshake.Certificate.Parse(body, tls13);
        var list = new List<X509.Certificate>();
        foreach (var entry in message.Entries)
        {
            if (entry.Data.IsEmpty) continue;
            list.Add(X509.Certificate.Parse(entry.Data));
        }
        return new CertificateMessageInfo(frame, fromA, list);
    }
}
