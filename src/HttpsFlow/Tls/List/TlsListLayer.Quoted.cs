using HttpsFlow.Net;
using HttpsFlow.Tcp;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Tls.List;

public sealed partial class TlsListLayer
{
    private QuotedReader? _quoted;

    /// <summary>
    /// The payload of a TCP segment quoted in an ICMP error (<paramref name="f"/>): decides, as tshark's TCP does for
    /// the quoted datagram, whether TLS takes it (<see cref="Frame.QuotedUpper"/>), and if so reads it on its own for the
    /// observer. The packet list's columns stay the ICMP message's (tshark makes them read-only inside an error).
    /// </summary>
    /// <remarks>
    /// TLS takes the quote when its connection is TLS, or one of its ports is a TLS port, or (on a port no other
    /// protocol owns) it looks like a TLS record to tshark's heuristic; never when it starts as clear text. The quote is a
    /// one-off fragment: records wholly inside it are read with the connection's version (so an unknown content type in a
    /// TLS 1.0–1.2 connection is tshark's "Ignored Unknown Record"), a record it cuts short is not (tshark's TLS asks for
    /// more and is never given it). Nothing is reassembled or decrypted, but what tshark's TLS session learns from a
    /// quoted message its connection learns too: a ServerHello's version, and a ChangeCipherSpec after which the
    /// direction's handshake records are taken for encrypted.
    /// </remarks>
    public void ProcessQuoted(Frame f, TcpConversation conversation, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty) return;
        _connections.TryGetValue(conversation.Stream, out var known);
        ushort sport = f.QuotedSrcPort, dport = f.QuotedDstPort;
        bool tlsPort = TcpPorts.IsTls(sport) || TcpPorts.IsTls(dport);
        bool otherPort = TcpPorts.IsOther(sport) || TcpPorts.IsOther(dport);
        bool tlsConnection = known is { IsTls: true };
        bool tls = !TlsSniffer.StartsWithPrintableText(payload)
                   && (tlsConnection || tlsPort
                       || (!otherPort && TlsSniffer.Sniff(payload, strict: true) is TlsSniffResult.Tls or TlsSniffResult.Ssl2ClientHello));
        if (!tls)
        {
            // Bytes no dissector takes are data; on a port another protocol owns, that protocol reads them (tshark's
            // HTTP reads clear text even on port 443), which HttpsFlow does not name.
            f.QuotedUpper = tlsPort || otherPort ? QuotedUpperKind.None : QuotedUpperKind.Data;
            return;
        }
        f.QuotedUpper = QuotedUpperKind.Tls;
        // Without an observer, only what the quote tells a TLS connection matters (the packet list's later lines).
        if (Observer is null && !tlsConnection) return;
        bool fromA = f.QuotedSrc == conversation.AddressA && f.QuotedSrcPort == conversation.PortA;
        var direction = tlsConnection ? (fromA ? known!.A : known!.B) : null;
        (_quoted ??= new QuotedReader()).Read(Observer, f, conversation, fromA, payload, direction);
    }

    /// <summary>Reads a quoted TCP payload's records and handshake messages for the observer, keeping nothing after.</summary>
    private sealed class QuotedReader : ITlsRecordSink, IHandshakeSink
    {
        private readonly TlsRecordParser _parser;
        private readonly HandshakeReassembler _handshakes = new();
        private ITlsObserver? _observer;
        private Direction? _direction;
        private Frame? _frame;
        private TcpConversation? _conversation;
        private bool _fromA;
        private int _length;

        public QuotedReader() => _parser = new TlsRecordParser(this);

        /// <summary>
        /// Reads <paramref name="payload"/> for <paramref name="observer"/> (if any) and for <paramref name="direction"/>,
        /// the direction of the connection's TLS the quoted segment belongs to (null when the connection is not known
        /// for TLS).
        /// </summary>
        public void Read(ITlsObserver? observer, Frame f, TcpConversation conversation, bool fromA, ReadOnlySpan<byte> payload,
            Direction? direction)
        {
            _observer = observer;
            _direction = direction;
            _frame = f;
            _conversation = conversation;
            _fromA = fromA;
            _length = payload.Length;
            _parser.Restart();
            _parser.NegotiatedVersion = direction?.Parser.NegotiatedVersion ?? 0;
            _handshakes.Restart(direction?.Handshakes.ChangeCipherSpecFrame ?? 0);
            try
            {
                _parser.Feed(payload, 0, f.Number);
                observer?.OnQuoted(f, conversation, fromA, payload.Length);
            }
            finally
            {
                // A record or message the quote cut short is dropped: its buffer goes back to the pool.
                _parser.Restart();
                _handshakes.Restart(0);
                _observer = null;
                _direction = null;
                _frame = null;
                _conversation = null;
            }
        }

        public void OnRecord(in TlsRecord record)
        {
            // An empty record that ends the quote: tshark reads the byte after its header, which the quote does not
            // hold, and its TLS stops there (an exception inside an ICMP error is not reported).
            bool headerOnly = record.Kind == TlsRecordKind.Tls && record.Fragment.IsEmpty && record.EndOffset >= (ulong)_length;
            _observer?.OnQuotedRecord(_frame!, _conversation!, _fromA, record, _parser.NegotiatedVersion, headerOnly);
            if (headerOnly || record.Kind != TlsRecordKind.Tls) return;
            if (record.ContentType == TlsContentType.Handshake) _handshakes.Add(record, this);
            else if (record.ContentType == TlsContentType.ChangeCipherSpec && _parser.NegotiatedVersion != TlsVersion.Tls13)
            {
                // tshark's session notes the direction's ChangeCipherSpec, quoted or not: its later handshake
                // records are taken for encrypted.
                _direction?.Handshakes.OnChangeCipherSpec(_frame!.Number);
                _handshakes.OnChangeCipherSpec(_frame!.Number);
            }
        }

        public void OnHandshake(in HandshakeEvent e)
        {
            _observer?.OnQuotedHandshake(_frame!, _conversation!, _fromA, e, _parser.NegotiatedVersion);
            // A quoted ServerHello sets the version of tshark's session, as the segment's own would.
            if (_direction?.LearnVersion(e) is > 0 and var version) _parser.NegotiatedVersion = version;
        }
    }
}
