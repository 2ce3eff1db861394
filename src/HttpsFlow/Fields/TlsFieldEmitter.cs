using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using HttpsFlow.Common;
using HttpsFlow.Net;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Extensions;
using HttpsFlow.Tls.Handshake;
using HttpsFlow.Tls.Records;
using X509Certificate = HttpsFlow.X509.Certificate;

namespace HttpsFlow.Fields;

/// <summary>
/// The tls.* and X.509 fields of a frame, from what a <see cref="TlsFrameStore"/> kept of it, in the order of tshark's
/// detail tree: one "tls" item per time TCP handed bytes to TLS (a record TCP reassembled from earlier segments, then
/// the rest of the segment), each record's header and content, each handshake message's fields, the certificates'
/// fields. Messages are read with the parsers of Tls/Handshake and Tls/Extensions, certificates with X509's. Nothing
/// here throws on bad bytes: a message the parsers find malformed adds an Error note to the frame.
/// </summary>
public sealed class TlsFieldEmitter
{
    private readonly List<X509Certificate?> _certificates = new();
    private readonly List<X509.OcspResponse> _ocspResponses = new();
    private readonly List<byte[]?> _decompressed = new(); // the frame's CompressedCertificate messages, decompressed
    private int _decompressedEmitted;
    private int _ocspEmitted;
    private Frame? _frame; // the frame being emitted, for notes found in nested structures
    private readonly List<KeyValuePair<string, string>> _certificateFields = new();
    private readonly TlsNotes _notes = new();
    private readonly List<ExpertNote> _experts = new();
    private long _expertsFrame = -1;
    private bool _malformed;
    private readonly StringBuilder _protocols = new();
    private long _preparedFrame = -1;
    private bool _quoted; // the frame's TLS is an ICMP error's quote (see TlsFrameStore.Quoted)

    /// <summary>Parses the frame's certificates (once) and returns what tshark appends to frame.protocols after "tls".</summary>
    public string ProtocolsSuffix(Frame f, TlsFrameStore store)
    {
        Prepare(f, store);
        return _protocols.ToString();
    }

    private void Prepare(Frame f, TlsFrameStore store)
    {
        if (_preparedFrame == f.Number && store.FrameNumber == f.Number) return;
        _preparedFrame = f.Number;
        _certificates.Clear();
        _ocspResponses.Clear();
        _decompressed.Clear();
        _protocols.Clear();
        if (!store.Holds(f)) return;
        var items = store.Items;
        var (reassembled, rest, firstCallEnd) = Calls(f, store);
        for (int i = 0; i < items.Length; i++)
        {
            if ((reassembled && i == 0) || (rest && i == firstCallEnd)) _protocols.Append(":tls");
            ref readonly var item = ref items[i];
            if (Ssl2ServerHelloCertificate(store, item) is { IsEmpty: false } der)
            {
                AddCertificate(der);
                continue;
            }
            if (item.Kind != TlsFrameItemKind.Handshake || item.HandshakeKind != HandshakeEventKind.Message) continue;
            if (item.HandshakeType == TlsHandshakeType.CertificateStatus)
            {
                PrepareOcsp(Body(store, item));
                continue;
            }
            if (item.HandshakeType == TlsHandshakeType.CertificateRequest)
            {
                var request = CertificateRequest.Parse(Body(store, item), item.ConnectionVersion);
                foreach (var dn in request.CertificateAuthorities) AppendNameProtocols(X509.DistinguishedName.Parse(dn, out _));
                continue;
            }
            var body = Body(store, item);
            if (item.HandshakeType == TlsHandshakeType.CompressedCertificate)
            {
                // RFC 8879 §4: a TLS 1.3 Certificate message, compressed; tshark dissects what it decompresses to.
                var plain = CompressedCertificate.Parse(body).Decompress();
                _decompressed.Add(plain);
                if (plain is null) continue;
                body = plain;
            }
            else if (item.HandshakeType != TlsHandshakeType.Certificate) continue;
            bool tls13 = item.ConnectionVersion == TlsVersion.Tls13 || item.HandshakeType == TlsHandshakeType.CompressedCertificate;
            var message = Certificate.Parse(body, tls13);
            if (!message.ListFits) continue; // tshark reads no entry of a list longer than its message
            foreach (var entry in message.Entries)
            {
                AddCertificate(entry.Data);
                if (!tls13) continue;
                // RFC 8446 §4.4.2.1: a TLS 1.3 server staples the OCSP response in the entry's status_request.
                foreach (var e in entry.Extensions)
                    if (e.Type.Value == StatusRequestType) PrepareOcsp(e.Data);
            }
        }
        if (rest && firstCallEnd == items.Length) _protocols.Append(":tls");
    }

    private void AddCertificate(ReadOnlySpan<byte> der)
    {
        var certificate = ParseCertificate(der);
        _certificates.Add(certificate);
        if (certificate is not null) AppendCertificateProtocols(certificate);
    }

    /// <summary>The certificate of an SSL 2.0 ServerHello record (what <see cref="EmitSsl2Record"/> shows), or an empty span.</summary>
    private static ReadOnlySpan<byte> Ssl2ServerHelloCertificate(TlsFrameStore store, in TlsFrameItem item)
    {
        if (item.Kind != TlsFrameItemKind.Record || item.RecordKind != TlsRecordKind.Ssl2) return default;
        var bytes = store.BytesOf(item);
        var fragment = bytes[Math.Min(item.HeaderLength, bytes.Length)..];
        if (fragment.IsEmpty || fragment[0] != 4 || !TlsSniffer.LooksLikeClearSsl2Handshake(fragment)) return default;
        return Ssl2ServerHello.Parse(fragment).Certificate;
    }

    private const ushort StatusRequestType = 5;
    private const ushort SignedCertificateTimestampType = 18;

    /// <summary>The OCSP responses of a CertificateStatus body (RFC 6066 §8, RFC 6961 §2.2), parsed once per frame.</summary>
    private void PrepareOcsp(ReadOnlySpan<byte> certificateStatus)
    {
        var status = CertificateStatus.Parse(certificateStatus);
        foreach (var der in status.Responses)
        {
            var response = X509.OcspResponse.Parse(der);
            _ocspResponses.Add(response);
            _protocols.Append(":ocsp");
            if (response.ResponderName is { } name) AppendNameProtocols(name);
            foreach (var single in response.Responses)
                foreach (var x in single.Extensions) AppendExtensionProtocols(x.Oid, x.Parsed);
            foreach (var x in response.Extensions) AppendExtensionProtocols(x.Oid, x.Parsed);
            foreach (var certificate in response.Certificates) AppendCertificateProtocols(certificate);
        }
    }

    private void AppendNameProtocols(X509.DistinguishedName name)
    {
        foreach (var attribute in name.Attributes)
            if (IsSelectedAttributeType(attribute.Oid)) _protocols.Append(":x509sat");
    }

    /// <summary>The attribute types whose values tshark hands to x509sat (it registers them by OID).</summary>
    private static bool IsSelectedAttributeType(string oid) =>
        oid.StartsWith("2.5.4.", StringComparison.Ordinal) || oid.StartsWith("1.3.6.1.4.1.311.60.2.1.", StringComparison.Ordinal)
        || oid.StartsWith("0.9.2342.19200300.100.1.", StringComparison.Ordinal) || oid == "1.2.840.113549.1.9.1"; // emailAddress

    /// <summary>
    /// The dissectors tshark calls by OID inside a certificate, in encoding order, as frame.protocols lists them: x509sat
    /// for each name attribute it registers, x509ce for each 2.5.29 extension (then pkix1explicit or pkix1implicit for each
    /// CPS or user-notice policy qualifier), pkix1implicit for the PKIX private extensions (authority information access),
    /// logotypecertextn for logotypes, ns_cert_exts for Netscape's extensions, ocsp for id-pkix-ocsp-nocheck, tls for an
    /// SCT list, pkcs-1 for an elliptic-curve key's named curve.
    /// </summary>
    private void AppendCertificateProtocols(X509Certificate certificate)
    {
        int extension = 0;
        foreach (var (name, value) in X509.CertificateFields.Values(certificate))
        {
            if (name == "x509if.oid")
            {
                if (IsSelectedAttributeType(value)) _protocols.Append(":x509sat");
                continue;
            }
            if (name == "pkcs1.namedCurve")
            {
                _protocols.Append(":pkcs-1"); // id-ecPublicKey's parameters, read by PKCS #1's dissector
                continue;
            }
            if (name != "x509af.extension.id") continue;
            var x = extension < certificate.Extensions.Count ? certificate.Extensions[extension] : null;
            extension++;
            AppendExtensionProtocols(value, x?.Parsed);
        }
    }

    /// <summary>The dissector tshark calls for an extension by its OID (a certificate's or an OCSP response's).</summary>
    private void AppendExtensionProtocols(string oid, X509.ParsedExtension? parsed)
    {
        // Microsoft's certificate template and application policies are read by x509ce too.
        if (oid.StartsWith("2.5.29.", StringComparison.Ordinal) || oid is "1.3.6.1.4.1.311.21.7" or X509.Oids.MsApplicationPolicies)
        {
            _protocols.Append(":x509ce");
            if (parsed is X509.CertificatePoliciesExtension policies)
                foreach (var policy in policies.Policies)
                    foreach (var q in policy.Qualifiers)
                        _protocols.Append(q.Oid switch
                        {
                            "1.3.6.1.5.5.7.2.1" => ":pkix1explicit",
                            "1.3.6.1.5.5.7.2.2" => ":pkix1implicit",
                            _ => "",
                        });
        }
        else if (oid == X509.Oids.Logotype) _protocols.Append(":logotypecertextn");
        else if (oid.StartsWith("1.3.6.1.5.5.7.1.", StringComparison.Ordinal)) _protocols.Append(":pkix1implicit");
        else if (oid.StartsWith("2.16.840.1.113730.1.", StringComparison.Ordinal)) _protocols.Append(":ns_cert_exts"); // Netscape's
        else if (oid.StartsWith("1.3.6.1.5.5.7.48.1.", StringComparison.Ordinal)) _protocols.Append(":ocsp"); // OCSP's (nocheck, nonce, …)
        else if (oid is X509.Oids.SctList or X509.Oids.OcspSctList) _protocols.Append(":tls"); // TLS's dissector reads SCT lists
    }

    /// <summary>
    /// How often TCP handed bytes to TLS in the frame, as tshark's TCP does: once for a record it reassembled from earlier
    /// segments (the first item, up to <c>firstCallEnd</c>), and once for the rest of the segment when there is any
    /// (whole records, or the start of one).
    /// </summary>
    internal static (bool Reassembled, bool HasRest, int FirstCallEnd) Calls(Frame f, TlsFrameStore store)
    {
        if (store.Quoted) return (false, true, 0); // an ICMP error's quote: TLS was called once, on it
        var items = store.Items;
        bool reassembled = items.Length > 0 && items[0].Kind == TlsFrameItemKind.Record && items[0].FirstFrame != f.Number;
        int end = 0;
        ulong reassembledEnd = 0;
        if (reassembled)
        {
            reassembledEnd = items[0].EndOffset;
            end = 1;
            while (end < items.Length && items[end].Kind == TlsFrameItemKind.Handshake) end++;
        }
        ulong pendingStart = store.SegmentEnd - (ulong)store.SegmentBuffered;
        bool rest = end < items.Length
            || (store.HasSegment && store.SegmentBuffered > 0 && pendingStart >= store.SegmentStart && pendingStart >= reassembledEnd);
        return (reassembled, rest, end);
    }

    private static X509Certificate? ParseCertificate(ReadOnlySpan<byte> der)
    {
        if (der.IsEmpty) return null;
        try
        {
            return X509Certificate.Parse(der);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null; // the certificate parser reports problems as notes; this is a last guard
        }
    }

    private static ReadOnlySpan<byte> Body(TlsFrameStore store, in TlsFrameItem item)
    {
        var bytes = store.BytesOf(item);
        return bytes.Length >= HandshakeMessage.HeaderSize ? bytes[HandshakeMessage.HeaderSize..] : default;
    }

    /// <summary>Adds the frame's TLS fields to <paramref name="set"/>.</summary>
    public void Emit(Frame f, TlsFrameStore store, FieldSet set)
    {
        if (!store.Holds(f)) return;
        EmitTls(f, store, set);
        store.AppFields?.Emit(f.Number, set);
    }

    /// <summary>The expert notes tshark's TLS adds in <paramref name="f"/> (known after <see cref="Emit"/> ran for it).</summary>
    public IReadOnlyList<ExpertNote> ExpertsOf(Frame f) => _expertsFrame == f.Number ? _experts : [];

    /// <summary>Whether tshark's TLS dissection of <paramref name="f"/> would stop with an exception ("[Malformed Packet: TLS]").</summary>
    public bool MalformedIn(Frame f) => _expertsFrame == f.Number && _malformed;

    private void EmitTls(Frame f, TlsFrameStore store, FieldSet set)
    {
        _experts.Clear();
        _expertsFrame = f.Number;
        _malformed = false;
        Prepare(f, store);
        int certificateIndex = 0;
        _ocspEmitted = 0;
        _decompressedEmitted = 0;
        _frame = f;
        _quoted = store.Quoted;
        var items = store.Items;
        var (reassembled, rest, firstCallEnd) = Calls(f, store);
        int i = 0;
        if (reassembled)
        {
            set.AddText(TlsFields.Tls, "tls");
            EmitRecord(f, store, items, ref i, set, ref certificateIndex);
        }
        if (!rest) return;
        set.AddText(TlsFields.Tls, "tls");
        i = firstCallEnd;
        while (i < items.Length) EmitRecord(f, store, items, ref i, set, ref certificateIndex);
    }

    /// <summary>The record at <paramref name="i"/> and the handshake events after it; moves <paramref name="i"/> past them.</summary>
    private void EmitRecord(Frame f, TlsFrameStore store, ReadOnlySpan<TlsFrameItem> items, ref int i, FieldSet set, ref int certificateIndex)
    {
        ref readonly var record = ref items[i++];
        if (record.Kind != TlsFrameItemKind.Record)
        {
            // A handshake event without its record cannot happen; skip it rather than guess.
            return;
        }
        var bytes = store.BytesOf(record);
        var fragment = bytes[Math.Min(record.HeaderLength, bytes.Length)..];
        if (record.IgnoredUnknown)
            _experts.Add(new ExpertNote(Severity.Warning, "Protocol", "tls", TlsNames.IgnoredUnknownRecord));
        if (record.HeaderOnly)
        {
            // An empty record ending an ICMP error's quote: tshark's TLS stops after its length.
            set.AddPresence(TlsFields.Record);
            set.AddInt(TlsFields.ContentType, (byte)record.ContentType);
            set.AddInt(TlsFields.RecordVersion, record.RecordVersion);
            set.AddInt(TlsFields.RecordLength, 0);
            return;
        }
        if (record.RecordKind == TlsRecordKind.Tls)
        {
            set.AddPresence(TlsFields.Record);
            // In TLS 1.3 an application_data record is an opaque wrapper (RFC 8446 §5.2): tshark names its type so.
            bool opaque = (record.ConnectionVersion == TlsVersion.Tls13 || record.Decrypted && record.Tls13Protected)
                          && record.ContentType == TlsContentType.ApplicationData;
            set.AddInt(opaque ? TlsFields.OpaqueType : TlsFields.ContentType, (byte)record.ContentType);
            // Decrypted, TLS 1.3's record also shows the inner content type, and a decrypted alert its level and
            // description; the length stays the record's.
            var type = record.ContentType;
            if (record.Decrypted)
            {
                type = record.InnerType;
                if (opaque) set.AddInt(TlsFields.ContentType, (byte)type);
            }
            set.AddInt(TlsFields.RecordVersion, record.RecordVersion);
            set.AddInt(TlsFields.RecordLength, fragment.Length);
            if (record.Decrypted && type == TlsContentType.Alert)
            {
                var plain = store.Bytes.Slice(record.PlainStart, record.PlainLength);
                set.AddPresence(TlsFields.AlertMessage);
                if (plain.Length >= 2)
                {
                    set.AddInt(TlsFields.AlertLevel, plain[0]);
                    set.AddInt(TlsFields.AlertDesc, plain[1]);
                }
            }
            else switch (type)
            {
                case TlsContentType.ChangeCipherSpec:
                    set.AddPresence(TlsFields.ChangeCipherSpec);
                    if (!_quoted) NoteResumption(record);
                    break;
                case TlsContentType.Alert:
                    // An encrypted alert keeps only the item; a clear one (two bytes) shows its level and description.
                    set.AddPresence(TlsFields.AlertMessage);
                    if (fragment.Length == 2)
                    {
                        set.AddInt(TlsFields.AlertLevel, fragment[0]);
                        set.AddInt(TlsFields.AlertDesc, fragment[1]);
                    }
                    break;
                case TlsContentType.ApplicationData:
                    set.AddBytes(TlsFields.AppData, fragment);
                    if ((record.Connection.AlpnProtocol ?? record.Connection.PortProtocol) is { } proto)
                        set.AddText(TlsFields.AppDataProto, proto);
                    break;
            }
        }
        else if (record.RecordKind == TlsRecordKind.Ssl2)
            EmitSsl2Record(fragment, record.RecordVersion, set, ref certificateIndex);
        while (i < items.Length && items[i].Kind == TlsFrameItemKind.Handshake)
            EmitHandshake(f, store, items[i++], set, ref certificateIndex);
    }

    /// <summary>
    /// An SSL 2.0 record (packet-tls.c, dissect_ssl2_record): its generated version 0x0002; when its data can be a clear
    /// message (ClientHello, ClientMasterKey, ServerHello), its length, the message type and the message's fields — a
    /// ClientHello's version and session ID length, a ServerHello's version and certificate. Other records are
    /// "Encrypted Data", with no length.
    /// </summary>
    private void EmitSsl2Record(ReadOnlySpan<byte> fragment, ushort recordVersion, FieldSet set, ref int certificateIndex)
    {
        set.AddPresence(TlsFields.Record);
        set.AddInt(TlsFields.RecordVersion, recordVersion);
        if (!TlsSniffer.LooksLikeClearSsl2Handshake(fragment)) return;
        set.AddInt(TlsFields.RecordLength, fragment.Length);
        set.AddInt(TlsFields.HandshakeType, fragment[0]);
        if (fragment[0] == 1 && fragment.Length >= 9)
        {
            set.AddInt(TlsFields.Version, BinaryPrimitives.ReadUInt16BigEndian(fragment[1..]));
            set.AddInt(TlsFields.SessionIdLength, BinaryPrimitives.ReadUInt16BigEndian(fragment[5..]));
        }
        else if (fragment[0] == 4)
        {
            var hello = Ssl2ServerHello.Parse(fragment);
            if (!hello.HasHeader) return;
            set.AddInt(TlsFields.Version, hello.Version);
            set.AddInt(TlsFields.CertificateLength, hello.CertificateLength);
            if (hello.Certificate.IsEmpty) return;
            set.AddBytes(TlsFields.Certificate, hello.Certificate);
            var certificate = certificateIndex < _certificates.Count ? _certificates[certificateIndex] : null;
            certificateIndex++;
            if (certificate is not null) EmitCertificateFields(certificate, set);
        }
    }

    /// <summary>
    /// The server's ChangeCipherSpec before any ServerHelloDone, with a session ID or ticket on offer, resumes the
    /// session (TLS 1.2 and earlier): tshark notes it on that record and on every later one from the server.
    /// </summary>
    private void NoteResumption(in TlsFrameItem record)
    {
        var c = record.Connection;
        if (record.ConnectionVersion == TlsVersion.Tls13 || !c.HasServerSide || record.FromA != c.ServerIsA) return;
        if (!c.ServerHelloDone && c.SessionOffered) c.Resumed = true;
        if (c.Resumed) _experts.Add(new ExpertNote(Severity.Note, "Sequence", "tls", "This session reuses previously negotiated keys (Session resumption)"));
    }

    /// <summary>What the session-resumption note needs to know of a handshake message (<see cref="NoteResumption"/>).</summary>
    private static void TrackResumption(in TlsFrameItem item, ReadOnlySpan<byte> body)
    {
        var c = item.Connection;
        switch (item.HandshakeType)
        {
            case TlsHandshakeType.ClientHello:
            {
                var hello = ClientHello.Parse(body);
                if (!hello.SessionId.IsEmpty) c.SessionOffered = true;
                foreach (var ext in hello.Extensions)
                    if (ext.Type == ExtensionType.SessionTicket && ext.Data.Length > 0) c.SessionOffered = true;
                break;
            }
            case TlsHandshakeType.ServerHello when !item.IsHelloRetryRequest:
                c.HasServerSide = true;
                c.ServerIsA = item.FromA;
                c.ServerHelloDone = false;
                if (body.Length >= 35 && body[34] > 0) c.SessionOffered = true;
                break;
            case TlsHandshakeType.NewSessionTicket:
                c.SessionOffered = true;
                break;
            case TlsHandshakeType.ServerHelloDone:
                c.ServerHelloDone = true;
                break;
        }
    }

    private void EmitHandshake(Frame f, TlsFrameStore store, in TlsFrameItem item, FieldSet set, ref int certificateIndex)
    {
        set.AddPresence(TlsFields.Handshake);
        if (item.HandshakeKind is HandshakeEventKind.Encrypted or HandshakeEventKind.FragmentStart or HandshakeEventKind.FragmentContinue)
            return; // tshark names these pieces, with no fields of the message
        set.AddInt(TlsFields.HandshakeType, (byte)item.HandshakeType);
        if (item.DeclaredLength >= 0) set.AddInt(TlsFields.HandshakeLength, item.DeclaredLength);
        if (item.HandshakeKind != HandshakeEventKind.Message) return;
        var body = Body(store, item);
        if (!_quoted) TrackResumption(item, body);
        _notes.Clear();
        ushort version = item.ConnectionVersion;
        bool tls13 = version == TlsVersion.Tls13;
        switch (item.HandshakeType)
        {
            case TlsHandshakeType.ClientHello:
                EmitClientHello(body, set);
                break;
            case TlsHandshakeType.ServerHello:
                EmitServerHello(body, item.IsHelloRetryRequest, set);
                break;
            case TlsHandshakeType.NewSessionTicket:
            {
                var ticket = NewSessionTicket.Parse(body, tls13, _notes);
                if (body.Length >= 4) set.AddInt(TlsFields.SessionTicketLifetimeHint, ticket.Lifetime);
                if (tls13)
                {
                    if (body.Length >= 8) set.AddInt(TlsFields.SessionTicketAgeAdd, ticket.AgeAdd);
                    if (body.Length >= 9)
                    {
                        set.AddInt(TlsFields.SessionTicketNonceLength, body[8]);
                        set.AddBytes(TlsFields.SessionTicketNonce, ticket.Nonce);
                    }
                }
                int at = tls13 ? 9 + ticket.Nonce.Length : 4;
                if (body.Length >= at + 2)
                {
                    set.AddInt(TlsFields.SessionTicketLength, BinaryPrimitives.ReadUInt16BigEndian(body[at..]));
                    set.AddBytes(TlsFields.SessionTicket, ticket.Ticket);
                }
                if (tls13) EmitExtensions(ticket.Extensions, TlsHandshakeType.NewSessionTicket, version, set);
                break;
            }
            case TlsHandshakeType.EncryptedExtensions:
                EmitExtensions(EncryptedExtensions.Parse(body, _notes).Extensions, TlsHandshakeType.EncryptedExtensions, version, set);
                break;
            case TlsHandshakeType.Certificate:
                EmitCertificate(body, tls13, set, ref certificateIndex);
                break;
            case TlsHandshakeType.ServerKeyExchange:
            {
                var kex = item.Connection.HasCipherSuite
                    ? KeyExchangeAlgorithms.ForCipherSuite(new Tls.CipherSuite(item.Connection.CipherSuite)) : KeyExchangeAlgorithm.Unknown;
                var ske = ServerKeyExchange.Parse(body, kex, version, _notes);
                if (ske.Form == KeyExchangeForm.Ecdh)
                {
                    set.AddInt(TlsFields.ServerCurveType, ske.CurveType);
                    if (ske.CurveType == 3)
                    {
                        set.AddInt(TlsFields.ServerNamedCurve, ske.NamedCurve.Value);
                        if (body.Length >= 4)
                        {
                            set.AddInt(TlsFields.ServerPointLen, body[3]);
                            set.AddBytes(TlsFields.ServerPoint, ske.Point);
                        }
                    }
                }
                if (ske.HasSignature) EmitSignature(ske.Signature, set);
                break;
            }
            case TlsHandshakeType.CertificateRequest:
            {
                var request = CertificateRequest.Parse(body, version, _notes);
                if (request.HasSignatureAlgorithms) EmitSignatureList(request.SignatureAlgorithms.Bytes, set);
                foreach (var dn in request.CertificateAuthorities) EmitDistinguishedName(dn, set);
                if (tls13) EmitExtensions(request.Extensions, TlsHandshakeType.CertificateRequest, version, set);
                break;
            }
            case TlsHandshakeType.CertificateVerify:
            {
                // A CertificateVerify's signature length is its own field (tls.handshake.client_cert_vrfy.sig_len).
                var signed = CertificateVerify.Parse(body, version, _notes).Signed;
                if (signed.HasAlgorithm) set.AddInt(TlsFields.SigHashAlg, signed.Algorithm.Value);
                if (signed.Status == ParseStatus.Ok) set.AddInt(TlsFields.CertVerifySigLen, signed.Signature.Length);
            }
                break;
            case TlsHandshakeType.ClientKeyExchange:
            {
                var kex = item.Connection.HasCipherSuite
                    ? KeyExchangeAlgorithms.ForCipherSuite(new Tls.CipherSuite(item.Connection.CipherSuite)) : KeyExchangeAlgorithm.Unknown;
                var cke = ClientKeyExchange.Parse(body, kex, version, _notes);
                if (cke.Form == KeyExchangeForm.Ecdh && body.Length >= 1)
                {
                    set.AddInt(TlsFields.ClientPointLen, body[0]);
                    set.AddBytes(TlsFields.ClientPoint, cke.Point);
                }
                break;
            }
            case TlsHandshakeType.Finished:
                if (!body.IsEmpty) set.AddPresence(TlsFields.VerifyData);
                break;
            case TlsHandshakeType.CertificateStatus:
                EmitOcsp(body, set);
                break;
            case TlsHandshakeType.CompressedCertificate:
                if (_decompressedEmitted < _decompressed.Count && _decompressed[_decompressedEmitted++] is { } plain)
                    EmitCertificate(plain, tls13: true, set, ref certificateIndex);
                break;
        }
        if (item.FramesCount > 1)
        {
            // A message reassembled from pieces in several records: the frames that carried them.
            set.AddPresence(TlsFields.Segments);
            foreach (long frame in store.FramesOf(item)) set.AddInt(TlsFields.Segment, frame);
            set.AddInt(TlsFields.SegmentCount, item.FramesCount);
            set.AddInt(TlsFields.ReassembledLength, store.BytesOf(item).Length);
        }
        foreach (var note in _notes.AsSpan())
        {
            if (note.Severity == Severity.Error && !_quoted)
            {
                f.AddNote(Severity.Error, "Malformed", "tls", note.Message);
                break;
            }
        }
        foreach (var note in _notes.AsSpan())
        {
            // The notes that are tshark's own expert fields; its exception ends the message (and the frame's TLS),
            // silently inside an ICMP error (tshark reports no exception in an error's quote).
            if (note.Key == TlsNoteKeys.Malformed)
            {
                _malformed = !_quoted;
                break;
            }
            if (note.Key is TlsNoteKeys.VectorLength or TlsNoteKeys.BufferTooSmall or TlsNoteKeys.TrailingData
                or TlsNoteKeys.RecordLengthInvalid or TlsNoteKeys.IgnoredUnknownRecord or TlsNoteKeys.StatusRequestUndecoded)
                _experts.Add(note.ToExpertNote());
        }
    }

    private void EmitClientHello(ReadOnlySpan<byte> body, FieldSet set)
    {
        var hello = ClientHello.Parse(body, _notes);
        if (body.Length < 2) return;
        set.AddInt(TlsFields.Version, hello.LegacyVersion);
        if (hello.Random.Length == 32) set.AddBytes(TlsFields.Random, hello.Random);
        if (body.Length < 35) return;
        set.AddInt(TlsFields.SessionIdLength, body[34]);
        if (!hello.SessionId.IsEmpty) set.AddBytes(TlsFields.SessionId, hello.SessionId);
        int at = 35 + body[34];
        if (body.Length < at + 2) return;
        set.AddInt(TlsFields.CipherSuitesLength, BinaryPrimitives.ReadUInt16BigEndian(body[at..]));
        foreach (var suite in hello.CipherSuites) set.AddInt(TlsFields.CipherSuite, suite.Value);
        at += 2 + BinaryPrimitives.ReadUInt16BigEndian(body[at..]);
        if (body.Length < at + 1) return;
        set.AddInt(TlsFields.CompMethodsLength, body[at]);
        foreach (byte method in hello.CompressionMethods) set.AddInt(TlsFields.CompMethod, method);
        EmitExtensions(hello.Extensions, TlsHandshakeType.ClientHello, TlsVersion.Unknown, set, body);
        if (hello.Status == ParseStatus.Ok)
        {
            string full = Ja3.ClientFull(hello);
            set.AddText(TlsFields.Ja3Full, full);
            set.AddText(TlsFields.Ja3, Ja3.Hash(full));
        }
    }

    private void EmitServerHello(ReadOnlySpan<byte> body, bool helloRetry, FieldSet set)
    {
        var hello = ServerHello.Parse(body, _notes);
        if (body.Length < 2) return;
        set.AddInt(TlsFields.Version, hello.LegacyVersion);
        if (hello.Random.Length == 32) set.AddBytes(TlsFields.Random, hello.Random);
        // The ServerHello of a TLS 1.3 draft before 22 has neither session ID nor compression method.
        bool draft = ServerHello.IsEarlyTls13Draft(hello.LegacyVersion);
        if (!draft)
        {
            if (body.Length < 35) return;
            set.AddInt(TlsFields.SessionIdLength, body[34]);
            if (!hello.SessionId.IsEmpty) set.AddBytes(TlsFields.SessionId, hello.SessionId);
        }
        if (!hello.HasCipherSuite) return;
        set.AddInt(TlsFields.CipherSuite, hello.CipherSuite.Value);
        if (!draft)
        {
            if (body.Length < 35 + body[34] + 3) return;
            set.AddInt(TlsFields.CompMethod, hello.CompressionMethod);
        }
        // The extensions are read with the version this ServerHello sets (tshark sets it before reading them).
        ServerHello.Scan(body, out ushort version, out _);
        if (TlsVersion.Tls13Draft(version) != 0) version = TlsVersion.Tls13;
        EmitExtensions(hello.Extensions, helloRetry ? TlsHandshakeType.HelloRetryRequest : TlsHandshakeType.ServerHello, version, set, body);
        if (hello.Status == ParseStatus.Ok)
        {
            string full = Ja3.ServerFull(hello);
            set.AddText(TlsFields.Ja3sFull, full);
            set.AddText(TlsFields.Ja3s, Ja3.Hash(full));
        }
    }

    private static void EmitSignature(in DigitallySigned signed, FieldSet set)
    {
        if (signed.HasAlgorithm) set.AddInt(TlsFields.SigHashAlg, signed.Algorithm.Value);
        if (signed.Status == ParseStatus.Ok) set.AddInt(TlsFields.SigLen, signed.Signature.Length);
    }

    /// <summary>A signature_algorithms list (the extension's, or a CertificateRequest's): its length and each scheme.</summary>
    private static void EmitSignatureList(ReadOnlySpan<byte> schemes, FieldSet set)
    {
        set.AddInt(TlsFields.SigHashAlgLen, schemes.Length);
        foreach (var scheme in new List16<SignatureScheme>(schemes)) set.AddInt(TlsFields.SigHashAlg, scheme.Value);
    }

    private void EmitCertificate(ReadOnlySpan<byte> body, bool tls13, FieldSet set, ref int certificateIndex)
    {
        var message = Certificate.Parse(body, tls13, _notes);
        if (tls13)
        {
            if (body.Length < 1) return;
            set.AddInt(TlsFields.CertificateRequestContextLength, body[0]);
        }
        int at = tls13 ? 1 + message.RequestContext.Length : 0;
        if (body.Length < at + 3) return;
        set.AddInt(TlsFields.CertificatesLength, message.ListDeclaredLength);
        // tshark stops at a list longer than its message (ssl_add_vector), and shows no list item for an empty one.
        if (!message.ListFits || message.ListDeclaredLength == 0) return;
        set.AddPresence(TlsFields.Certificates);
        foreach (var entry in message.Entries)
        {
            set.AddInt(TlsFields.CertificateLength, entry.DeclaredLength);
            set.AddBytes(TlsFields.Certificate, entry.Data);
            var certificate = certificateIndex < _certificates.Count ? _certificates[certificateIndex] : null;
            certificateIndex++;
            if (certificate is not null) EmitCertificateFields(certificate, set);
            if (tls13) EmitExtensions(entry.Extensions, TlsHandshakeType.Certificate, TlsVersion.Tls13, set);
        }
    }

    /// <summary>The X.509 fields of the OCSP responses in a CertificateStatus body (prepared in frame order).</summary>
    private void EmitOcsp(ReadOnlySpan<byte> certificateStatus, FieldSet set)
    {
        var f = _frame!;
        int count = CertificateStatus.Parse(certificateStatus).Responses.Count;
        for (int i = 0; i < count && _ocspEmitted < _ocspResponses.Count; i++)
        {
            var response = _ocspResponses[_ocspEmitted++];
            EmitX509Fields(X509.CertificateFields.Values(response), set);
            if (response.HasErrors)
                f.AddNote(Severity.Error, "Malformed", "ocsp", response.Notes.First(n => n.Severity == Severity.Error).Message);
        }
    }

    /// <summary>One DER DistinguishedName of a certificate_authorities list: its attributes' fields.</summary>
    private void EmitDistinguishedName(ReadOnlySpan<byte> der, FieldSet set) =>
        EmitX509Fields(X509.CertificateFields.Values(X509.DistinguishedName.Parse(der, out _)), set);

    private void EmitCertificateFields(X509Certificate certificate, FieldSet set) =>
        EmitX509Fields(X509.CertificateFields.Values(certificate), set);

    private void EmitX509Fields(IReadOnlyList<KeyValuePair<string, string>> values, FieldSet set)
    {
        _certificateFields.Clear();
        _certificateFields.AddRange(values);
        foreach (var (name, value) in _certificateFields)
        {
            if (!FieldRegistry.TryGet(name, out var def)) continue;
            switch (def.Type)
            {
                case FieldType.UInt8 or FieldType.UInt16 or FieldType.UInt24 or FieldType.UInt32:
                case FieldType.Int32:
                case FieldType.UInt64:
                    if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n)) set.AddInt(def, n);
                    else set.AddText(def, value); // an exponent beyond 64 bits: as tshark, its decimal text
                    break;
                case FieldType.Boolean:
                    set.AddBool(def, value == "1");
                    break;
                case FieldType.Bytes:
                    AddHex(set, def, value);
                    break;
                default:
                    set.AddText(def, value);
                    break;
            }
        }
    }

    private static void AddHex(FieldSet set, FieldDef def, string hex)
    {
        Span<byte> small = stackalloc byte[256];
        int n = hex.Length / 2;
        var buffer = n <= small.Length ? small[..n] : new byte[n];
        if (Convert.FromHexString(hex.AsSpan(0, n * 2), buffer, out _, out int written) == System.Buffers.OperationStatus.Done)
            set.AddBytes(def, buffer[..written]);
        else set.AddText(def, hex);
    }

    /// <summary>
    /// A message's extensions, read in <paramref name="context"/> with the connection's <paramref name="version"/> as
    /// tshark knows it then (it decides how an SCT's signature is read). <paramref name="message"/> is the body the
    /// extensions' offsets count in (a hello's), or empty.
    /// </summary>
    private void EmitExtensions(in ExtensionList extensions, TlsHandshakeType context, ushort version, FieldSet set,
        ReadOnlySpan<byte> message = default)
    {
        if (!extensions.IsPresent || extensions.DeclaredLength < 0) return;
        set.AddInt(TlsFields.ExtensionsLength, extensions.DeclaredLength);
        foreach (var e in extensions)
        {
            set.AddInt(TlsFields.ExtensionType, e.Type.Value);
            set.AddInt(TlsFields.ExtensionLen, e.DeclaredLength);
            // tshark reads some fixed-size fields where they would be even when the extension's data is shorter,
            // from the bytes that follow in the message ("Dissector processed too much data"): those are the tail.
            var tail = e.DataOffset <= message.Length && message.Length > 0 ? message[e.DataOffset..] : e.Data;
            EmitExtension(e, tail, context, version, set);
        }
    }

    private void EmitExtension(in Extension e, ReadOnlySpan<byte> tail, TlsHandshakeType context, ushort version, FieldSet set)
    {
        var data = e.Data;
        bool server = context is TlsHandshakeType.ServerHello or TlsHandshakeType.HelloRetryRequest;
        switch (e.Type.Value)
        {
            case 0 when data.Length >= 2: // server_name
                set.AddInt(TlsFields.ServerNameListLen, BinaryPrimitives.ReadUInt16BigEndian(data));
                foreach (var entry in ServerNameExtension.Parse(data))
                {
                    set.AddInt(TlsFields.ServerNameType, entry.NameType);
                    set.AddInt(TlsFields.ServerNameLen, entry.Name.Length);
                    set.AddText(TlsFields.ServerName, TlsNames.AsciiText(entry.Name));
                }
                break;
            case 10 when data.Length >= 2: // supported_groups
                set.AddInt(TlsFields.SupportedGroupsLength, BinaryPrimitives.ReadUInt16BigEndian(data));
                foreach (var group in SupportedGroupsExtension.Parse(data).Groups) set.AddInt(TlsFields.SupportedGroup, group.Value);
                break;
            case 11 when tail.Length >= 1: // ec_point_formats: its length and formats read with no check of the extension's end
                set.AddInt(TlsFields.EcPointFormatsLength, tail[0]);
                foreach (byte format in tail.Slice(1, Math.Min(tail[0], tail.Length - 1))) set.AddInt(TlsFields.EcPointFormat, format);
                break;
            case 13 or 50 when data.Length >= 2: // signature_algorithms, signature_algorithms_cert
            case 34 when context == TlsHandshakeType.ClientHello && data.Length >= 2: // delegated_credential (RFC 9345 §4.1.1)
                set.AddInt(TlsFields.SigHashAlgLen, BinaryPrimitives.ReadUInt16BigEndian(data));
                foreach (var scheme in SignatureAlgorithmsExtension.Parse(data).Algorithms) set.AddInt(TlsFields.SigHashAlg, scheme.Value);
                break;
            case 34 when context != TlsHandshakeType.ClientHello && tail.Length >= 6:
            {
                // A DelegatedCredential (RFC 9345 §4): valid_time, expected_cert_verify_algorithm, the key (its
                // SubjectPublicKeyInfo, whose fields are not shown here), algorithm, signature. The two algorithms are
                // tls.handshake.sig_hash_alg; the key's length is checked against the extension's end, as in tshark.
                set.AddInt(TlsFields.SigHashAlg, BinaryPrimitives.ReadUInt16BigEndian(tail[4..]));
                if (data.Length < 9) break;
                int key = tail[6] << 16 | tail[7] << 8 | tail[8];
                if (9 + key <= data.Length && 9 + key + 2 <= tail.Length)
                    set.AddInt(TlsFields.SigHashAlg, BinaryPrimitives.ReadUInt16BigEndian(tail[(9 + key)..]));
                break;
            }
            case 16 when data.Length >= 2: // application_layer_protocol_negotiation
                set.AddInt(TlsFields.AlpnLen, BinaryPrimitives.ReadUInt16BigEndian(data));
                foreach (var protocol in AlpnExtension.Parse(data).Protocols)
                {
                    set.AddInt(TlsFields.AlpnStrLen, protocol.Length);
                    set.AddText(TlsFields.AlpnStr, TlsNames.AsciiText(protocol));
                }
                break;
            case 43: // supported_versions
            {
                var versions = SupportedVersionsExtension.Parse(data, server ? TlsHandshakeType.ServerHello : TlsHandshakeType.ClientHello);
                if (server)
                {
                    // The selected version is read where it would be, whatever the extension's length.
                    if (tail.Length >= 2) set.AddInt(TlsFields.SupportedVersion, BinaryPrimitives.ReadUInt16BigEndian(tail));
                }
                else if (data.Length >= 1)
                {
                    set.AddInt(TlsFields.SupportedVersionsLen, data[0]);
                    foreach (ushort v in versions.Versions) set.AddInt(TlsFields.SupportedVersion, v);
                }
                break;
            }
            case 51 or 40: // key_share (40 until TLS 1.3 draft 23, which tshark reads the same way)
            {
                var share = KeyShareExtension.Parse(data, context);
                if (context == TlsHandshakeType.ClientHello && data.Length >= 2)
                {
                    set.AddInt(TlsFields.KeyShareClientLength, BinaryPrimitives.ReadUInt16BigEndian(data));
                    foreach (var entry in share.ClientShares) EmitKeyShare(entry, set);
                }
                else if (context == TlsHandshakeType.ServerHello && data.Length >= 4)
                    EmitKeyShare(share.ServerShare, set);
                else if (context == TlsHandshakeType.HelloRetryRequest && share.HasSelectedGroup)
                    set.AddInt(TlsFields.KeyShareSelectedGroup, share.SelectedGroup.Value);
                break;
            }
            case StatusRequestType when context == TlsHandshakeType.Certificate: // a TLS 1.3 stapled OCSP response
                EmitOcsp(data, set);
                break;
            case SignedCertificateTimestampType when data.Length >= 2 && context is TlsHandshakeType.ServerHello or TlsHandshakeType.Certificate:
            {
                // tshark reads each SCT's signature with the connection's version: before TLS 1.2 there is no
                // algorithm, its two bytes are read as the signature's length, and that overrun is an error.
                bool algorithms = DigitallySigned.VersionHasAlgorithm(version);
                EmitX509Fields(X509.CertificateFields.Values(X509.SignedCertificateTimestamps.ReadList(data), algorithms), set);
                if (!algorithms)
                    foreach (var item in SignedCertificateTimestampExtension.Parse(data, context).Timestamps)
                        SignedCertificateTimestamp.Parse(item, version, _notes);
                break;
            }
            case 41: // pre_shared_key
            {
                var psk = PreSharedKeyExtension.Parse(data, server ? TlsHandshakeType.ServerHello : TlsHandshakeType.ClientHello);
                if (server)
                {
                    // The selected identity is read where it would be, whatever the extension's length.
                    if (tail.Length >= 2) set.AddInt(TlsFields.PskSelected, BinaryPrimitives.ReadUInt16BigEndian(tail));
                }
                else if (data.Length >= 2)
                {
                    set.AddInt(TlsFields.PskIdentitiesLength, BinaryPrimitives.ReadUInt16BigEndian(data));
                    foreach (var identity in psk.Identities)
                    {
                        set.AddInt(TlsFields.PskIdentityLength, identity.Identity.Length);
                        set.AddBytes(TlsFields.PskIdentity, identity.Identity);
                        set.AddInt(TlsFields.PskObfuscatedTicketAge, identity.ObfuscatedTicketAge);
                    }
                }
                break;
            }
        }
    }

    private static void EmitKeyShare(in KeyShareEntry entry, FieldSet set)
    {
        set.AddInt(TlsFields.KeyShareGroup, entry.Group.Value);
        set.AddInt(TlsFields.KeyShareKeyExchangeLength, entry.KeyExchange.Length);
        set.AddBytes(TlsFields.KeyShareKeyExchange, entry.KeyExchange);
    }
}
