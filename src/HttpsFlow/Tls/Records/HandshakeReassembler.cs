using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using HttpsFlow.Common;
using HttpsFlow.Tcp.Reassembly;
using HttpsFlow.Tls.Handshake;

namespace HttpsFlow.Tls.Records;

/// <summary>
/// Turns one direction's handshake records into handshake messages (RFC 8446 §5.1: "Handshake messages MAY be
/// coalesced into a single TLSPlaintext record or fragmented across several records"), as tshark 4.0 does it.
/// </summary>
/// <remarks>
/// <para>Feed it the fragment of every handshake-type record of one direction, in order (<see cref="Add(in TlsRecord, IHandshakeSink, bool)"/>).
/// Messages wholly inside a record are reported straight from the record's bytes; a message that continues into
/// later records is copied into a pooled buffer until complete. A message may be up to
/// <see cref="MaxMessageLength"/> bytes (16 MiB by default, more than a uint24 length can say); a longer one is
/// skipped with a note, its pieces still reported so the Info column stays right. With a
/// <see cref="ReassemblyBudget"/>, the buffer is charged to it before it is rented; a message the budget refuses to
/// hold is skipped the same way, with its own note.</para>
/// <para><b>Encrypted handshake records.</b> A record that starts no reassembly is first tested the way tshark tests
/// it (<see cref="LooksEncrypted"/>): 16 bytes or more, and either its first five bytes are zero (a TLS 1.2 AEAD
/// explicit nonce), or the direction sent ChangeCipherSpec in an earlier frame (<see cref="OnChangeCipherSpec"/>), or
/// its first byte is not a handshake type, or the length it would declare is 64 KiB or more. Such a record is
/// reported once as <see cref="HandshakeEventKind.Encrypted"/>. In TLS 1.3 the encrypted handshake travels in
/// application_data records, which never come here without decryption (tshark shows them as "Application Data").</para>
/// <para>Nothing here throws on any input. Not thread-safe.</para>
/// </remarks>
public sealed class HandshakeReassembler : IDisposable
{
    /// <summary>Default limit on a reassembled message's body: 16 MiB.</summary>
    public const int DefaultMaxMessageLength = 16 * 1024 * 1024;

    private readonly ArrayPool<byte> _pool;
    private readonly ReassemblyBudget? _budget;
    private long _charged;      // the size of _buffer, as charged to the budget
    private readonly List<long> _frames = new();
    private readonly List<ulong> _records = new();
    private readonly List<long> _scratchFrames = new();
    private readonly ulong[] _oneRecord = new ulong[1];
    private byte[]? _buffer;
    private int _have;
    private int _total = -1;
    private bool _active;
    private bool _skipping;
    private long _skipRemaining;
    private byte _type;
    private int _declared = -1;
    private ulong _start;
    private ulong _lastEnd;

    /// <param name="maxMessageLength">The longest message body reassembled.</param>
    /// <param name="pool">Where the buffer is rented (<see cref="ArrayPool{T}.Shared"/> when null).</param>
    /// <param name="budget">Shared with other buffers of the run; null: no total bound.</param>
    public HandshakeReassembler(int maxMessageLength = DefaultMaxMessageLength, ArrayPool<byte>? pool = null, ReassemblyBudget? budget = null)
    {
        MaxMessageLength = Math.Max(0, maxMessageLength);
        _pool = pool ?? ArrayPool<byte>.Shared;
        _budget = budget;
    }

    /// <summary>The start of the note when the budget refuses to let the buffer grow.</summary>
    public const string BudgetRefusedMessage = "not reassembled: the reassembly budget is full";

    /// <summary>Bytes of the buffer held (rented), as charged to the budget.</summary>
    public long HeldBytes => _charged;

    /// <summary>
    /// Gives back the buffer of the message in progress without telling anyone (the budget reclaims it for another
    /// connection). When <paramref name="clear"/> is false and the message's length is known, its remaining pieces are
    /// still recognised and it ends as skipped, as a message over the limit does; otherwise it is dropped, as after a
    /// gap. Returns the bytes freed.
    /// </summary>
    public long GiveUp(bool clear)
    {
        long freed = _charged;
        if (!_active || _skipping) return freed;
        if (clear || _total < 0) Clear();
        else
        {
            _skipping = true;
            _skipRemaining = _total - _have;
            ReleaseBuffer();
        }
        return freed;
    }

    /// <summary>The longest message body that is reassembled.</summary>
    public int MaxMessageLength { get; }

    /// <summary>The frame of this direction's first ChangeCipherSpec (0 while none).</summary>
    public long ChangeCipherSpecFrame { get; private set; }

    /// <summary>True while a message is incomplete.</summary>
    public bool InProgress => _active;

    /// <summary>Bytes of the incomplete message held.</summary>
    public int BufferedBytes => _have;

    /// <summary>
    /// This direction sent ChangeCipherSpec in <paramref name="frame"/>: later handshake records are taken for
    /// encrypted. tshark ignores ChangeCipherSpec in TLS 1.3 connections; so should the caller.
    /// </summary>
    public void OnChangeCipherSpec(long frame)
    {
        if (ChangeCipherSpecFrame == 0) ChangeCipherSpecFrame = frame;
    }

    /// <summary>Adds the fragment of a handshake record.</summary>
    /// <param name="record">A handshake record.</param>
    /// <param name="sink">Receives the messages.</param>
    /// <param name="maybeEncrypted">False for a decrypted fragment, which is never taken for encrypted.</param>
    public void Add(in TlsRecord record, IHandshakeSink sink, bool maybeEncrypted = true) =>
        Add(record.Fragment, record.FragmentOffset, record.StreamOffset, record.Frame, record.Segments, sink, maybeEncrypted);

    /// <summary>
    /// Adds a handshake fragment that starts at stream offset <paramref name="fragmentOffset"/> in the record at
    /// <paramref name="recordOffset"/>, completed in <paramref name="frame"/> and carried by <paramref name="segments"/>
    /// (for a decrypted fragment, those of its record).
    /// </summary>
    public void Add(ReadOnlySpan<byte> fragment, ulong fragmentOffset, ulong recordOffset, long frame,
        ReadOnlySpan<StreamSegment> segments, IHandshakeSink sink, bool maybeEncrypted = true)
    {
        int pos = 0;
        bool first = true;
        if (_active)
        {
            pos = Continue(fragment, fragmentOffset, recordOffset, frame, segments, sink);
            if (_active) return;
            first = false;
        }
        else if (LooksEncrypted(fragment, maybeEncrypted, frame, ChangeCipherSpecFrame))
        {
            ulong end = fragmentOffset + (ulong)fragment.Length;
            FramesOf(segments, fragmentOffset, end, frame, _scratchFrames, clear: true);
            _oneRecord[0] = recordOffset;
            sink.OnHandshake(new HandshakeEvent(HandshakeEventKind.Encrypted, fragment.IsEmpty ? (byte)0 : fragment[0], -1,
                fragment, true, false, fragmentOffset, end, frame, CollectionsMarshal.AsSpan(_scratchFrames), _oneRecord));
            return;
        }

        while (pos < fragment.Length)
        {
            var rest = fragment[pos..];
            ulong at = fragmentOffset + (ulong)pos;
            var r = new WireReader(rest);
            r.TryReadUInt8(out byte type);
            bool headerKnown = r.TryReadUInt24(out uint length);
            long total = headerKnown ? 4L + length : -1;
            if (!headerKnown || rest.Length < total)
            {
                Start(rest, type, headerKnown ? (int)length : -1, total, at, recordOffset, frame, segments, first, sink);
                return;
            }
            var message = rest[..(int)total];
            bool hrr = false;
            if (first && type == (byte)TlsHandshakeType.ServerHello && length > 2)
                ServerHello.Scan(message[4..], out _, out hrr);
            ulong end = at + (ulong)total;
            FramesOf(segments, at, end, frame, _scratchFrames, clear: true);
            _oneRecord[0] = recordOffset;
            sink.OnHandshake(new HandshakeEvent(HandshakeEventKind.Message, type, (int)length, message, first, hrr,
                at, end, frame, CollectionsMarshal.AsSpan(_scratchFrames), _oneRecord));
            pos += (int)total;
            first = false;
        }
    }

    /// <summary>
    /// Drops a message in progress (bytes went missing before it was complete), with a note at
    /// <paramref name="streamOffset"/>. The ChangeCipherSpec frame is kept.
    /// </summary>
    public void Reset(ulong streamOffset, long frame, IHandshakeSink? sink = null)
    {
        if (_active && sink is not null)
        {
            string name = TlsNames.HandshakeType(_type) ?? $"type {_type}";
            string size = _total >= 0 ? $"{_have} of {_total} bytes" : $"{_have} bytes";
            sink.OnNote(new TlsStreamNote(new TlsNote(TlsNoteKeys.Incomplete, Severity.Warning, "Malformed",
                $"Handshake message ({name}) cut short: {size} seen", 0, 0), streamOffset, frame));
        }
        Clear();
    }

    public void Dispose() => Clear();

    /// <summary>
    /// Starts afresh, as if new, for bytes read on their own (a TCP payload quoted in an ICMP error): any message in
    /// progress is dropped without a note, and the direction is taken to have sent ChangeCipherSpec in
    /// <paramref name="changeCipherSpecFrame"/> (0: not yet).
    /// </summary>
    public void Restart(long changeCipherSpecFrame)
    {
        Clear();
        ChangeCipherSpecFrame = changeCipherSpecFrame;
    }

    /// <summary>
    /// tshark's test for a handshake record it cannot read because it is encrypted (is_encrypted_handshake_message):
    /// fewer than 16 bytes is plaintext (any cipher adds at least 16); otherwise encrypted if the first five bytes
    /// are zero (a GCM/CCM explicit nonce of 0, as no record holds two empty HelloRequests), if this direction's
    /// ChangeCipherSpec came in an earlier frame, if the first byte is not a handshake type, or if the message
    /// length it would declare is 64 KiB or more.
    /// </summary>
    public static bool LooksEncrypted(ReadOnlySpan<byte> fragment, bool maybeEncrypted, long frame, long changeCipherSpecFrame)
    {
        if (fragment.Length < 16) return false;
        var r = new WireReader(fragment);
        r.TryReadUInt8(out byte type);
        r.TryReadUInt24(out uint length);
        r.TryReadUInt8(out byte fifth);
        if (maybeEncrypted)
        {
            if (type == 0 && length == 0 && fifth == 0) return true;
            if (changeCipherSpecFrame != 0 && frame > changeCipherSpecFrame) return true;
        }
        if (TlsNames.HandshakeType(type) is null) return true;
        return length >= 0x10000;
    }

    // A message that does not end in this record: start collecting it.
    private void Start(ReadOnlySpan<byte> rest, byte type, int declared, long total, ulong at, ulong recordOffset,
        long frame, ReadOnlySpan<StreamSegment> segments, bool first, IHandshakeSink sink)
    {
        _active = true;
        _type = type;
        _declared = declared;
        _total = (int)Math.Min(total, int.MaxValue);
        _start = at;
        _have = 0;
        _frames.Clear();
        _records.Clear();
        ulong end = at + (ulong)rest.Length;
        FramesOf(segments, at, end, frame, _frames, clear: false);
        _records.Add(recordOffset);
        _lastEnd = end;
        if (declared > MaxMessageLength)
        {
            _skipping = true;
            _skipRemaining = total - rest.Length;
            _have = rest.Length;
            sink.OnNote(new TlsStreamNote(new TlsNote(TlsNoteKeys.HandshakeTooLarge, Severity.Warning, "Protocol",
                $"Handshake message of {declared} bytes exceeds the reassembly limit of {MaxMessageLength} bytes; skipped", 1, 3),
                at, frame));
        }
        else if (!Append(rest, total > 0 ? (int)total : 4))
        {
            Refused(sink, at, frame, rest.Length);
            _have = rest.Length;
            if (total >= 0) _skipRemaining = total - rest.Length;
        }
        sink.OnHandshake(new HandshakeEvent(HandshakeEventKind.FragmentStart, type, declared, rest, first, false,
            at, end, frame, CollectionsMarshal.AsSpan(_frames), CollectionsMarshal.AsSpan(_records)));
        if (_skipping && _total < 0) Clear(); // not even its header could be kept: dropped, as after a gap
    }

    // The budget would not hold the message: it is skipped from here (its pieces still recognised) with a note.
    private void Refused(IHandshakeSink sink, ulong at, long frame, int seen)
    {
        string name = TlsNames.HandshakeType(_type) ?? $"type {_type}";
        string size = _total >= 0 ? $"{seen} of {_total} bytes" : $"{seen} bytes";
        sink.OnNote(new TlsStreamNote(new TlsNote(TlsNoteKeys.Incomplete, Severity.Warning, "Malformed",
            $"Handshake message ({name}) {BudgetRefusedMessage} ({size} seen); skipped", 0, 0), at, frame));
        _skipping = true;
        _skipRemaining = _total >= 0 ? _total - _have : 0;
        ReleaseBuffer();
    }

    // The next piece of the message in progress; returns how many bytes of the fragment it took.
    private int Continue(ReadOnlySpan<byte> fragment, ulong fragmentOffset, ulong recordOffset, long frame,
        ReadOnlySpan<StreamSegment> segments, IHandshakeSink sink)
    {
        int take;
        if (_skipping)
        {
            take = (int)Math.Min(_skipRemaining, fragment.Length);
            _skipRemaining -= take;
            _have += take;
        }
        else
        {
            if (_total < 0)
            {
                // The header itself was split: complete it from this fragment.
                int h = Math.Min(4 - _have, fragment.Length);
                if (!Append(fragment[..h], 4))
                {
                    // Not even the header can be kept: the message is dropped, and the fragment with it.
                    Refused(sink, _start, frame, _have + h);
                    Clear();
                    return fragment.Length;
                }
                if (_have == 4)
                {
                    var r = new WireReader(_buffer.AsSpan(0, 4));
                    r.TryReadUInt8(out _);
                    r.TryReadUInt24(out uint length);
                    _declared = (int)length;
                    _total = (int)Math.Min(4L + length, int.MaxValue);
                    if (_declared > MaxMessageLength)
                    {
                        long body = Math.Min((long)length, fragment.Length - h);
                        _skipping = true;
                        _skipRemaining = length - body;
                        _have = 4 + (int)body;
                        ReleaseBuffer();
                        sink.OnNote(new TlsStreamNote(new TlsNote(TlsNoteKeys.HandshakeTooLarge, Severity.Warning, "Protocol",
                            $"Handshake message of {_declared} bytes exceeds the reassembly limit of {MaxMessageLength} bytes; skipped", 1, 3),
                            _start, frame));
                        return Piece(fragment, h + (int)body, fragmentOffset, recordOffset, frame, segments, sink);
                    }
                    int more = Math.Min(_total - _have, fragment.Length - h);
                    if (!Append(fragment.Slice(h, more), _total))
                    {
                        Refused(sink, _start, frame, _have + more);
                        _skipRemaining -= more;
                        _have += more;
                    }
                    take = h + more;
                }
                else
                {
                    take = h;
                }
            }
            else
            {
                take = Math.Min(_total - _have, fragment.Length);
                if (!Append(fragment[..take], _total))
                {
                    Refused(sink, _start, frame, _have + take);
                    _skipRemaining -= take;
                    _have += take;
                }
            }
        }
        return Piece(fragment, take, fragmentOffset, recordOffset, frame, segments, sink);
    }

    // Records the provenance of the piece just taken and reports the message if it is now complete.
    private int Piece(ReadOnlySpan<byte> fragment, int take, ulong fragmentOffset, ulong recordOffset, long frame,
        ReadOnlySpan<StreamSegment> segments, IHandshakeSink sink)
    {
        ulong end = fragmentOffset + (ulong)take;
        FramesOf(segments, fragmentOffset, end, frame, _frames, clear: false);
        if (_records.Count == 0 || _records[^1] != recordOffset) _records.Add(recordOffset);
        _lastEnd = end;
        bool complete = _skipping ? _skipRemaining == 0 : _total >= 0 && _have >= _total;
        if (!complete)
        {
            sink.OnHandshake(new HandshakeEvent(HandshakeEventKind.FragmentContinue, _type, _declared, fragment[..take],
                false, false, fragmentOffset, end, frame, CollectionsMarshal.AsSpan(_frames), CollectionsMarshal.AsSpan(_records)));
            return take;
        }
        if (_skipping)
        {
            sink.OnHandshake(new HandshakeEvent(HandshakeEventKind.Skipped, _type, _declared, default, true, false,
                _start, _lastEnd, frame, CollectionsMarshal.AsSpan(_frames), CollectionsMarshal.AsSpan(_records)));
        }
        else
        {
            var message = _buffer.AsSpan(0, _total);
            bool hrr = false;
            // A reassembled message counts as the first of its record (tshark dissects it with is_first_msg set).
            if (_type == (byte)TlsHandshakeType.ServerHello && _declared > 2) ServerHello.Scan(message[4..], out _, out hrr);
            sink.OnHandshake(new HandshakeEvent(HandshakeEventKind.Message, _type, _declared, message, true, hrr,
                _start, _lastEnd, frame, CollectionsMarshal.AsSpan(_frames), CollectionsMarshal.AsSpan(_records)));
        }
        Clear();
        return take;
    }

    // False when the budget refuses the bigger buffer (nothing is changed then).
    private bool Append(ReadOnlySpan<byte> bytes, int expectedTotal)
    {
        int need = _have + bytes.Length;
        if (_buffer is null || _buffer.Length < need)
        {
            // Grown as bytes arrive (doubling), never to the length a message claims: a 4-byte header that claims
            // 16 MiB must not cost 16 MiB. The pool hands out powers of two: that is what is charged.
            int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(need, Math.Min(Math.Max(expectedTotal, 256), Math.Max(need * 2, 4096))));
            if (_budget is not null && !_budget.TryCharge(size)) return false;
            var bigger = _pool.Rent(size);
            if (_buffer is not null)
            {
                _buffer.AsSpan(0, _have).CopyTo(bigger);
                _pool.Return(_buffer);
                _budget?.Release(_charged);
            }
            _buffer = bigger;
            _charged = size;
        }
        bytes.CopyTo(_buffer.AsSpan(_have));
        _have = need;
        return true;
    }

    private void Clear()
    {
        _active = false;
        _skipping = false;
        _skipRemaining = 0;
        _have = 0;
        _total = -1;
        _declared = -1;
        ReleaseBuffer();
    }

    private void ReleaseBuffer()
    {
        if (_buffer is not null)
        {
            _pool.Return(_buffer);
            _buffer = null;
            _budget?.Release(_charged);
            _charged = 0;
        }
    }

    // The distinct frames of the segments that meet [from, to); the record's frame when no segment is known.
    private static void FramesOf(ReadOnlySpan<StreamSegment> segments, ulong from, ulong to, long frame, List<long> frames, bool clear)
    {
        if (clear) frames.Clear();
        bool any = false;
        foreach (var s in segments)
        {
            if (s.End <= from || s.StreamOffset >= to) continue;
            any = true;
            if (!frames.Contains(s.Frame)) frames.Add(s.Frame);
        }
        if (!any && !frames.Contains(frame)) frames.Add(frame);
    }
}
