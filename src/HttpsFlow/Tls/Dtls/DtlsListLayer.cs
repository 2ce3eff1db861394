using HttpsFlow.Net;
using HttpsFlow.Tls.List;

namespace HttpsFlow.Tls.Dtls;

/// <summary>
/// Names the DTLS records of UDP datagrams the way tshark 4.0's packet list does, in one pass: which datagrams are
/// DTLS (<see cref="DtlsDetector"/>), the Protocol column (the conversation's DTLS version once a record other than a
/// ClientHello, or a ServerHello, settled it; "DTLS" before), and the Info column (each record's text after ", ":
/// handshake message names, with " (Fragment)" and " (Reassembled)" for messages split into fragments, "Change Cipher
/// Spec", "Alert (…)" or "Encrypted Alert", "Application Data", "Heartbeat …", "Connection ID", "Encrypted Handshake
/// Message", "Continuation Data"). Where tshark's dissector would stop on bytes missing from the datagram, the frame
/// gets the same mark ("[Malformed Packet]", "[Packet size limited during capture]", a reassembly error).
/// A DTLS 1.3 record with the unified header (first bits 001) is not DTLS to tshark 4.0, nor is an ACK record (26):
/// such datagrams stay UDP, or read as "Continuation Data" on a DTLS port.
/// </summary>
public sealed class DtlsListLayer
{
    /// <summary>What tshark keeps per UDP conversation (its SslSession): the version and who the server is.</summary>
    private sealed class Session
    {
        public ushort Version;
        public bool HasServer;
        public IpAddress ServerAddress;
        public ushort ServerPort;
        /// <summary>Connection ID lengths the client and the server asked for (-1: not said).</summary>
        public int ClientCidLength = -1;
        public int ServerCidLength = -1;
    }

    private readonly record struct ConversationKey(IpAddress A, ushort PortA, IpAddress B, ushort PortB)
    {
        public static ConversationKey Of(Frame f)
        {
            int c = f.Src.CompareTo(f.Dst);
            return c < 0 || (c == 0 && f.SrcPort <= f.DstPort)
                ? new ConversationKey(f.Src, f.SrcPort, f.Dst, f.DstPort)
                : new ConversationKey(f.Dst, f.DstPort, f.Src, f.SrcPort);
        }
    }

    /// <summary>Why tshark's dissector stopped reading a datagram (the exception it threw).</summary>
    private enum Fault : byte { None, Bounds, ReportedBounds, ContainedBounds, Reassembly }

    private readonly Dictionary<ConversationKey, Session> _sessions = new();
    private readonly DtlsReassembly _fragments = new();
    private byte[] _data = new byte[2048];

    /// <summary>Conversations kept at most; past this the table starts again.</summary>
    public int MaxSessions { get; init; } = 100_000;

    /// <summary>Conversations with DTLS state.</summary>
    public int SessionCount => _sessions.Count;

    // The datagram being dissected.
    private Frame _frame = null!;
    private Session _session = null!;
    private int _captured, _reported;
    private string _protocol = "DTLS";
    private Fault _fault;
    private string? _reassemblyError;
    private bool _fragmented;

    /// <summary>
    /// Hands a UDP datagram to DTLS where tshark would, and records on the frame what the packet list shows for it
    /// (<see cref="UpperKind.Dtls"/>). Ordinary UDP costs a comparison or two and allocates nothing.
    /// </summary>
    public void Process(Frame f, ReadOnlySpan<byte> payload)
    {
        if (f.Transport != TransportKind.Udp || f.TransportCaptured < 8 || f.UdpLength < 8 || f.UdpLength > f.UdpIpPayload
            || f.Malformed || f.SizeLimited)
            return;
        // Only a datagram that starts with a content type, or one on a DTLS port, can reach DTLS.
        if ((payload.Length < 3 || (uint)(payload[0] - 20) > 5) && !UdpPorts.IsDtls(f.SrcPort) && !UdpPorts.IsDtls(f.DstPort))
            return;
        int reported = f.UdpLength - 8;
        if (reported == 0 || payload.IsEmpty) return; // UDP hands no empty payload on, nor one cut before its first byte
        _sessions.TryGetValue(ConversationKey.Of(f), out var known);
        int cid = known is null ? 0 : Math.Max(0, FromServer(known, f) ? known.ClientCidLength : known.ServerCidLength);
        if (DtlsDetector.Decide(f.SrcPort, f.DstPort, payload, reported, cid) == DtlsEntry.None) return;

        if (known is null)
        {
            if (_sessions.Count >= MaxSessions) _sessions.Clear();
            known = new Session();
            _sessions.Add(ConversationKey.Of(f), known);
        }
        if (_data.Length < payload.Length) _data = new byte[Math.Max(payload.Length, _data.Length * 2)];
        payload.CopyTo(_data);
        _frame = f;
        _session = known;
        _captured = payload.Length;
        _reported = reported;
        _protocol = "DTLS";
        _fault = Fault.None;
        _reassemblyError = null;
        _fragmented = false;
        f.Upper = UpperKind.Dtls;
        f.ClearUpperInfo();
        Dissect();
        f.UpperProtocol = _protocol;
        switch (_fault)
        {
            case Fault.Bounds:
                f.MarkCutShort("DTLS", sizeLimited: true);
                break;
            case Fault.ReportedBounds when _fragmented:
                f.AppendUpperInfo("[BoundErrorUnreassembled Packet]");
                f.AddNote(Common.Severity.Error, "Malformed", "DTLS", "Unreassembled Packet");
                break;
            case Fault.ReportedBounds:
                f.MarkMalformed("DTLS", "record runs past the end of the datagram");
                break;
            case Fault.ContainedBounds:
                f.AppendUpperInfo("[Malformed Packet: length of contained item exceeds length of containing item]");
                f.AddNote(Common.Severity.Error, "Malformed", "DTLS", "length of contained item exceeds length of containing item");
                break;
            case Fault.Reassembly:
                f.AppendUpperInfo("[Reassembly error, protocol DTLS: " + _reassemblyError + "]");
                f.AddNote(Common.Severity.Error, "Malformed", "DTLS", _reassemblyError!);
                break;
        }
        _frame = null!;
        _session = null!;
    }

    /// <summary>ssl_packet_from_server: from the server the conversation's ClientHello went to, else from a DTLS port.</summary>
    private static bool FromServer(Session s, Frame f) =>
        s.HasServer ? s.ServerPort == f.SrcPort && s.ServerAddress == f.Src : UdpPorts.IsDtls(f.SrcPort);

    private void Dissect()
    {
        int offset = 0;
        // Record after record while bytes are left, as long as the next record starts within the captured bytes
        // (tvb_reported_length_remaining is 0 past them).
        while (offset < _reported && offset <= _captured && _fault == Fault.None)
        {
            if (DtlsDetector.IsDtlsVersion(_session.Version))
            {
                offset = Record(offset);
                continue;
            }
            // looks_like_dtls, reading as tshark reads: the content type, then (when valid) the version.
            if (!Read(offset, 1)) return;
            bool looks = false;
            if (DtlsDetector.IsValidContentType(_data[offset]))
            {
                if (!Read(offset + 1, 2)) return;
                looks = DtlsDetector.IsDtlsVersion(U16(offset + 1));
            }
            if (looks) offset = Record(offset);
            else
            {
                AddInfo(TlsNames.ContinuationData);
                _protocol = "DTLS";
                return;
            }
        }
    }

    /// <summary>One record (dissect_dtls_record); returns the offset after it.</summary>
    private int Record(int offset)
    {
        bool fromServer = FromServer(_session, _frame);
        int cidLength = Math.Max(0, fromServer ? _session.ClientCidLength : _session.ServerCidLength);
        if (!Read(offset, 1) || !Read(offset + 1, 2) || !Read(offset + 3, 2) || !Read(offset + 5, 6)) return offset;
        byte type = _data[offset];
        ushort version = U16(offset + 1);
        int header = 13;
        if (type == 25 && cidLength > 0)
        {
            if (!Read(offset + 11, cidLength)) return offset;
            header += cidLength;
        }
        if (!Read(offset + header - 2, 2)) return offset;
        int length = U16(offset + header - 2);
        int end = offset + header + length;
        if (!DtlsDetector.IsValidContentType(type))
        {
            AddInfo(TlsNames.ContinuationData);
            _protocol = "DTLS";
            return end;
        }
        int body = offset + header;
        if (!Read(body, 1)) return offset;
        if (_session.Version == 0) TrySetVersion(type, _data[body], version);
        _protocol = TlsNames.VersionShortName(_session.Version) ?? "DTLS";
        switch (type)
        {
            case 20:
                AddInfo(TlsNames.ChangeCipherSpec);
                break;
            case 21:
                if (!Read(body, 1) || !Read(body + 1, 1)) break;
                var level = TlsNames.AlertLevel(_data[body]);
                var description = TlsNames.AlertDescription(_data[body + 1]);
                AddInfo(level is not null && description is not null
                    ? "Alert (Level: " + level + ", Description: " + description + ")"
                    : TlsNames.EncryptedAlert);
                break;
            case 22:
                Handshake(body, length);
                break;
            case 23:
                // The encrypted bytes are a field of their own, which must be there in full.
                AddInfo(TlsNames.ApplicationData);
                Ensure(body, length);
                break;
            case 24:
            {
                if (!Read(body, 1) || !Read(body + 1, 2)) break;
                string? kind = _data[body] switch { 1 => "Request", 2 => "Response", _ => null };
                // Wireshark compares in unsigned arithmetic: a record under 19 bytes passes.
                bool plain = kind is not null && (uint)U16(body + 1) <= (uint)(length - 16 - 3);
                AddInfo(plain ? "Heartbeat " + kind : TlsNames.EncryptedHeartbeat);
                break;
            }
            case 25:
                AddInfo(TlsNames.ContentType(25)!);
                Ensure(body, length);
                break;
        }
        return end;
    }

    /// <summary>ssl_try_set_version with a record's version: only a record that is not a ClientHello says it.</summary>
    private void TrySetVersion(byte contentType, byte handshakeType, ushort version)
    {
        bool authoritative = contentType == 22
            ? IsValidHandshakeType(handshakeType) && handshakeType != 1
            : DtlsDetector.IsValidContentType(contentType);
        if (authoritative && DtlsDetector.IsDtlsVersion(version)) _session.Version = version;
    }

    /// <summary>The handshake types Wireshark accepts over DTLS (ssl_is_valid_handshake_type, HelloVerifyRequest included).</summary>
    private static bool IsValidHandshakeType(byte type) => TlsNames.HandshakeType(type) is not null;

    /// <summary>The handshake messages of a record (dissect_dtls_handshake).</summary>
    private void Handshake(int offset, int recordLength)
    {
        int end = offset + recordLength;
        string? name = null; // kept from one message to the next, as in Wireshark
        bool first = true;
        int fragmentLength;
        for (; offset < end; offset += fragmentLength, first = false)
        {
            int header = offset;
            if (!Read(offset, 1)) return;
            byte type = _data[offset];
            if (!Read(offset + 9, 3)) return;
            fragmentLength = (int)U24(offset + 9);
            // A message running past its record is taken as encrypted (the Finished after ChangeCipherSpec).
            if ((long)offset + fragmentLength <= end) name = TlsNames.HandshakeType(type);
            if (name is null && !first) return;
            if (name is null)
            {
                AddInfo(TlsNames.EncryptedHandshakeMessage);
                return;
            }
            AddInfo(name);
            int length = (int)U24(offset + 1);
            ushort messageSeq = U16(offset + 4);
            int fragmentOffset = (int)U24(offset + 6);
            offset += 12;

            bool fragmented = false;
            DtlsReassembly.Message? whole = null;
            if ((long)fragmentLength + fragmentOffset > length)
            {
                if (fragmentOffset != 0) fragmented = true; // past the end of its message: not reassembled
            }
            else if (fragmentOffset > 0 && fragmentLength == 0)
            {
                continue;
            }
            else if (fragmentLength < length)
            {
                fragmented = true;
                if (IsValidHandshakeType(type))
                {
                    _fragmented = true;
                    if (!Ensure(offset, fragmentLength)) return;
                    var f = _frame;
                    var key = new DtlsFragmentKey(f.Src, f.Dst, f.SrcPort, f.DstPort, messageSeq);
                    var outcome = _fragments.Add(key, fragmentOffset, _data.AsSpan(offset, fragmentLength), length,
                        keepBytes: type is 1 or 2, f.Number, out var message);
                    if (outcome is DtlsFragmentOutcome.Overlaps or DtlsFragmentOutcome.PastLimits)
                    {
                        _fault = Fault.Reassembly;
                        _reassemblyError = outcome == DtlsFragmentOutcome.PastLimits
                            ? "New fragment past old data limits"
                            : "New fragment overlaps old data (retransmission?)";
                        return;
                    }
                    if (outcome == DtlsFragmentOutcome.Completed && fragmentLength + fragmentOffset == message.TotalLength)
                    {
                        whole = message;
                        if (message.Illegal)
                        {
                            // The fragments' tree replaces the whole column, what came before included.
                            _frame.ClearUpperInfo();
                            _frame.AppendUpperInfo("[Illegal Message fragments]");
                        }
                        _frame.AppendUpperInfo(" (Reassembled)");
                        _fragmented = false; // the reassembled message is whole again
                    }
                    else _frame.AppendUpperInfo(" (Fragment)");
                }
            }
            if (fragmented && whole is null) continue;
            // The message goes into the handshake hash (all but CertificateVerify) before it is read: copied from the
            // datagram, header and all, when it came whole.
            if (type != 15)
            {
                if (fragmentOffset == 0 && !Read(header, 12L + fragmentLength)) return;
                // A reassembled message is hashed as long as this fragment's header says.
                if (whole is not null && length > whole.TotalLength)
                {
                    _fault = Fault.ReportedBounds;
                    return;
                }
            }
            Message(type, offset, fragmentLength, whole);
            if (_fault != Fault.None) return;
        }
    }

    /// <summary>
    /// A handshake message dissected whole (not a fragment held for reassembly): what a hello changes (who the server
    /// is, the version and the Protocol column, connection ID lengths), and where tshark's reading of the body would run out of bytes — a
    /// ClientHello or ServerHello is read to its end, a HelloVerifyRequest needs its version and cookie length, a
    /// NewSessionTicket its lifetime and ticket length, a CertificateStatus its type, a DTLS 1.2 CertificateVerify
    /// its signature algorithm. Other bodies are not read for the list.
    /// </summary>
    private void Message(byte type, int offset, int fragmentLength, DtlsReassembly.Message? whole)
    {
        switch (type)
        {
            case 1:
                _session.HasServer = true;
                _session.ServerAddress = _frame.Dst;
                _session.ServerPort = _frame.DstPort;
                if (!BodyHas(offset, fragmentLength, fragmentLength, whole)) return;
                var hello = DtlsHello.Scan(Body(offset, fragmentLength, whole), isClientHello: true);
                if (hello.ConnectionIdLength >= 0) _session.ClientCidLength = hello.ConnectionIdLength;
                return;
            case 2:
            {
                if (!BodyHas(offset, fragmentLength, 2, whole)) return;
                var body = Body(offset, fragmentLength, whole);
                // Its server_version (a DTLS one) becomes the conversation's and the Protocol column's at once;
                // supported_versions does not (DTLS 1.3's 0xfefc is no version to tshark 4.0).
                TrySetVersion(22, 2, (ushort)(body[0] << 8 | body[1]));
                _protocol = TlsNames.VersionShortName(_session.Version) ?? "DTLS";
                if (!BodyHas(offset, fragmentLength, fragmentLength, whole)) return;
                var server = DtlsHello.Scan(body, isClientHello: false);
                if (server.ConnectionIdLength >= 0) _session.ServerCidLength = server.ConnectionIdLength;
                return;
            }
            case 3:
                // The cookie's length byte is read after the two-byte version when the body is shorter than that.
                if ((whole?.TotalLength ?? fragmentLength) < 2) BodyHas(offset, fragmentLength, 3, whole);
                return;
            case 22:
                BodyHas(offset, fragmentLength, 1, whole); // the status type
                return;
            case 4:
                // The ticket length is read after the four-byte lifetime when the body is shorter than that (the
                // bytes left are counted unsigned).
                if ((whole?.TotalLength ?? fragmentLength) < 4) BodyHas(offset, fragmentLength, 6, whole);
                return;
            case 15:
                if (_session.Version == TlsVersion.Dtls12) BodyHas(offset, fragmentLength, 2, whole);
                return;
        }
    }

    /// <summary>The message's body as far as it is here: the reassembled bytes, or those of this datagram.</summary>
    private ReadOnlySpan<byte> Body(int offset, int fragmentLength, DtlsReassembly.Message? whole) =>
        whole is not null ? whole.Data : _data.AsSpan(offset, Math.Clamp(_captured - offset, 0, fragmentLength));

    /// <summary>
    /// Whether the first <paramref name="need"/> bytes of a message body can be read. The body is its own tvb in
    /// tshark, as long as the fragment length says: reading past that is malformed, past the datagram's end (but not
    /// the body's) a contained-length error, past the captured bytes a capture cut short.
    /// </summary>
    private bool BodyHas(int offset, int fragmentLength, int need, DtlsReassembly.Message? whole)
    {
        if (whole is not null)
        {
            if (whole.Data is null) return false; // longer than the list keeps: not read
            if (need <= whole.TotalLength) return true;
            _fault = Fault.ReportedBounds;
            return false;
        }
        if ((long)offset + need <= _captured && need <= fragmentLength) return true;
        if (need > fragmentLength) _fault = Fault.ReportedBounds;
        else if ((long)offset + need > _reported) _fault = Fault.ContainedBounds;
        else _fault = Fault.Bounds;
        return false;
    }

    private void AddInfo(string text)
    {
        if (_frame.UpperInfoLength > 0) _frame.AppendUpperInfo(", ");
        _frame.AppendUpperInfo(text);
    }

    /// <summary>
    /// A read of <paramref name="length"/> bytes at <paramref name="offset"/> (tvb_get_*, tvb_ensure_bytes_exist):
    /// false, with the fault tshark would raise, when they are not all captured.
    /// </summary>
    private bool Read(long offset, long length)
    {
        if (offset + length <= _captured) return true;
        _fault = offset + length > _reported ? Fault.ReportedBounds : Fault.Bounds;
        return false;
    }

    /// <summary>tvb_ensure_bytes_exist: the same check as a read.</summary>
    private bool Ensure(long offset, long length) => Read(offset, length);

    private ushort U16(int at) => (ushort)(_data[at] << 8 | _data[at + 1]);

    private uint U24(int at) => (uint)(_data[at] << 16 | _data[at + 1] << 8 | _data[at + 2]);
}
