using HttpsFlow.Tls;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Tests.Tls;

/// <summary>A record as the tests keep it: copied out of the span it was delivered in.</summary>
internal sealed record SeenRecord(TlsRecordKind Kind, TlsContentType ContentType, ushort Version, int Length, ulong StreamOffset,
    long Frame, long[] Frames, string Hex, TlsUnrecognisedReason Reason, string? InfoUnknownVersion, string? InfoTls12)
{
    public byte[] Fragment(int headerLength) => Convert.FromHexString(Hex)[headerLength..];

    public override string ToString() =>
        Kind == TlsRecordKind.Tls
            ? $"{(byte)ContentType}/{Version:x4}/{Length}@{StreamOffset} f{Frame} [{string.Join(",", Frames)}]"
            : $"{Kind}:{Reason}/{Length}@{StreamOffset} f{Frame} [{string.Join(",", Frames)}]";
}

/// <summary>Collects what a <see cref="TlsRecordParser"/> delivers.</summary>
internal sealed class RecordCollector : ITlsRecordSink
{
    public List<SeenRecord> Records { get; } = new();

    public List<TlsStreamNote> Notes { get; } = new();

    public List<(ulong Offset, ulong Length, long Frame)> Gaps { get; } = new();

    /// <summary>Runs for each record while its spans are valid.</summary>
    public RecordAction? OnEach { get; set; }

    public void OnRecord(in TlsRecord record)
    {
        var frames = new List<long>();
        foreach (var s in record.Segments)
            if (!frames.Contains(s.Frame)) frames.Add(s.Frame);
        Records.Add(new SeenRecord(record.Kind, record.ContentType, record.Version, record.Length, record.StreamOffset, record.Frame,
            frames.ToArray(), Convert.ToHexStringLower(record.Bytes), record.Reason,
            record.Kind == TlsRecordKind.Unrecognised ? record.UnrecognisedInfo(TlsVersion.Unknown) : null,
            record.Kind == TlsRecordKind.Unrecognised ? record.UnrecognisedInfo(TlsVersion.Tls12) : null));
        OnEach?.Invoke(record);
    }

    public void OnNote(in TlsStreamNote note) => Notes.Add(note);

    public void OnGap(ulong streamOffset, ulong length, long frame) => Gaps.Add((streamOffset, length, frame));

    public string[] Describe() => Records.Select(r => r.ToString()).ToArray();
}

internal delegate void RecordAction(in TlsRecord record);

/// <summary>A handshake event as the tests keep it.</summary>
internal sealed record SeenHandshake(HandshakeEventKind Kind, TlsHandshakeType Type, int DeclaredLength, string MessageHex,
    bool IsFirst, bool IsHrr, ulong StreamOffset, ulong EndOffset, long Frame, long[] Frames, ulong[] Records, string? Info)
{
    public byte[] Message => Convert.FromHexString(MessageHex);

    public byte[] Body => Message[4..];

    public override string ToString() => $"{Kind} {Type} {DeclaredLength} first={IsFirst} f{Frame} [{string.Join(",", Frames)}] info={Info ?? "-"}";
}

/// <summary>Collects what a <see cref="HandshakeReassembler"/> reports.</summary>
internal sealed class HandshakeCollector : IHandshakeSink
{
    public List<SeenHandshake> Events { get; } = new();

    public List<TlsStreamNote> Notes { get; } = new();

    public void OnHandshake(in HandshakeEvent e) =>
        Events.Add(new SeenHandshake(e.Kind, e.Type, e.DeclaredLength, Convert.ToHexStringLower(e.Message), e.IsFirstInRecord,
            e.IsHelloRetryRequest, e.StreamOffset, e.EndOffset, e.Frame, e.Frames.ToArray(), e.Records.ToArray(), e.InfoText));

    public void OnNote(in TlsStreamNote note) => Notes.Add(note);

    public string?[] Infos() => Events.Select(e => e.Info).Where(i => i is not null).ToArray();
}

/// <summary>
/// Drives one direction the way the TLS layer will: records from the parser, handshake records to the reassembler,
/// ChangeCipherSpec noted, and the Info texts tshark would show collected in order.
/// </summary>
internal sealed class DirectionDriver : ITlsRecordSink
{
    public DirectionDriver(int maxMessage = HandshakeReassembler.DefaultMaxMessageLength)
    {
        Parser = new TlsRecordParser(this);
        Reassembler = new HandshakeReassembler(maxMessage);
    }

    public TlsRecordParser Parser { get; }

    public HandshakeReassembler Reassembler { get; }

    public HandshakeCollector Handshakes { get; } = new();

    public RecordCollector Records { get; } = new();

    /// <summary>Called when a ServerHello settles the connection's version (tshark sets it for both directions at once).</summary>
    public Action<ushort>? OnVersion { get; set; }

    /// <summary>(frame, Info text) in order.</summary>
    public List<(long Frame, string Text)> Info { get; } = new();

    public void OnRecord(in TlsRecord record)
    {
        Records.OnRecord(record);
        switch (record.Kind)
        {
            case TlsRecordKind.Tls when record.ContentType == TlsContentType.Handshake:
            {
                int before = Handshakes.Events.Count;
                Reassembler.Add(record, Handshakes);
                foreach (var e in Handshakes.Events.Skip(before))
                {
                    if (e.Info is { } text) Info.Add((record.Frame, text));
                    if (e.Kind == HandshakeEventKind.Message && e.Type == TlsHandshakeType.ServerHello)
                    {
                        HttpsFlow.Tls.Handshake.ServerHello.Scan(e.Body, out ushort version, out _);
                        if (TlsVersion.Tls13Draft(version) != 0) version = TlsVersion.Tls13;
                        if (TlsVersion.IsSsl3OrTls(version))
                        {
                            Parser.NegotiatedVersion = version;
                            OnVersion?.Invoke(version);
                        }
                    }
                }
                break;
            }
            case TlsRecordKind.Tls when record.ContentType == TlsContentType.ChangeCipherSpec:
                Info.Add((record.Frame, TlsNames.ChangeCipherSpec));
                if (Parser.NegotiatedVersion != TlsVersion.Tls13) Reassembler.OnChangeCipherSpec(record.Frame);
                break;
            case TlsRecordKind.Tls when record.ContentType == TlsContentType.ApplicationData:
                Info.Add((record.Frame, TlsNames.ApplicationData));
                break;
            case TlsRecordKind.Tls when record.ContentType == TlsContentType.Heartbeat:
                Info.Add((record.Frame, TlsHeartbeat.Parse(record.Fragment, Reassembler.ChangeCipherSpecFrame == 0).InfoText));
                break;
            case TlsRecordKind.Ssl2:
                Info.Add((record.Frame, record.Ssl2InfoText!));
                // tshark: an SSL 2.0 server hello or later message while the version is unknown makes the connection SSL 2.0.
                if (Parser.NegotiatedVersion == TlsVersion.Unknown && record.Ssl2MessageType is >= 2 and <= 8)
                {
                    Parser.NegotiatedVersion = TlsVersion.Ssl2;
                    OnVersion?.Invoke(TlsVersion.Ssl2);
                }
                break;
            case TlsRecordKind.Tls when record.ContentType == TlsContentType.Alert:
                Info.Add((record.Frame, TlsAlert.Parse(record.Fragment).InfoText));
                break;
            case TlsRecordKind.Unrecognised when record.UnrecognisedInfo(Parser.NegotiatedVersion) is { } text:
                Info.Add((record.Frame, text));
                break;
        }
    }

    public void OnNote(in TlsStreamNote note) => Records.OnNote(note);

    public void OnGap(ulong streamOffset, ulong length, long frame) => Reassembler.Reset(streamOffset, frame, Handshakes);

    /// <summary>The Info column per frame, as tshark joins it.</summary>
    public Dictionary<long, string> InfoByFrame() =>
        Info.GroupBy(i => i.Frame).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(i => i.Text)));
}
