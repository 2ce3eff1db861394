using System.Buffers;
using System.Numerics;
using HttpsFlow.Common;
using HttpsFlow.Tcp.Reassembly;

namespace HttpsFlow.Tls.Records;

/// <summary>
/// Cuts one direction's byte stream into SSL/TLS records (RFC 8446 §5.1, RFC 5246 §6.2, SSL 2.0 records per
/// RFC 5246 Appendix E.2), resumably: the stream may arrive in chunks of any size, as
/// <see cref="IStreamConsumer.OnData"/> delivers it, and the records that come out are the same however it is cut.
/// </summary>
/// <remarks>
/// <para><b>Which bytes are a record.</b> At each record boundary the parser applies the test tshark applies there,
/// which depends on the connection's version (<see cref="NegotiatedVersion"/>, set by the caller once a ServerHello fixes
/// it): before that (and in TLS 1.3) a header must look like SSL 3.0/TLS (known content type, record version
/// 0x0300–0x0303 or 0x0101) or like SSL 2.0 (<see cref="TlsSniffer"/>); in a TLS 1.0–1.2 connection only the content
/// type is checked, and an SSL 2.0 ClientHello is still recognised. Bytes that fail are delivered as one
/// <see cref="TlsRecordKind.Unrecognised"/> item running to the end of the chunk, and the next chunk is tried afresh
/// (a chunk is what the TCP layer delivers at once, normally one segment, as tshark tries each segment). A chunk
/// that starts with four printable characters is clear text, not TLS (tshark's rule).</para>
/// <para><b>Buffering.</b> A record wholly inside a chunk is delivered straight from the chunk's span. Only a record
/// that continues into a later chunk is copied, into one buffer rented from the pool and returned as soon as the
/// record is complete. A record is at most 5 + 65,535 bytes (its length field is 16 bits), so the buffer is bounded;
/// a record longer than the protocol allows (2^14 + 2048, or 2^14 + 256 in TLS 1.3: RFC 5246 §6.2.3, RFC 8446
/// §5.2) is still delivered, after a note, as tshark does. With a <see cref="ReassemblyBudget"/>, the buffer is
/// charged to it before it is rented; when the budget refuses, the record is given up with a note (its remaining bytes
/// are skipped when its header says how many, otherwise parsing resumes at the next chunk, as after a gap).</para>
/// <para><b>Provenance.</b> Each record carries the pieces of the stream (offset, length, frame) it was made of, and
/// the frame whose bytes completed it (<see cref="TlsRecord.Frame"/>, tshark's "reassembled in").</para>
/// <para><b>Missing bytes.</b> A gap (<see cref="Gap"/>, or a chunk that starts past the expected offset) drops the
/// record in progress with a note and tells the sink (<see cref="ITlsRecordSink.OnGap"/>); parsing resumes at the
/// next chunk. <see cref="Skip"/> does the same without telling the sink, for a caller that passes over bytes as
/// tshark's TCP does (<see cref="PendingRecordEnd"/> says where the record in progress would end). Bytes before the
/// expected offset (already seen) are ignored.</para>
/// <para>Nothing here throws on any input. Not thread-safe; the sink must not feed the parser from its callbacks.</para>
/// </remarks>
public sealed class TlsRecordParser : IStreamConsumer, IDisposable
{
    /// <summary>The most bytes ever buffered: one whole record with the largest length field.</summary>
    public const int MaxBufferedBytes = TlsRecordHeader.Size + ushort.MaxValue;

    private enum ShapeKind : byte { NeedMoreData, Record, Unrecognised }

    private readonly record struct Shape(ShapeKind Kind, TlsRecordKind RecordKind, int HeaderLength, int Total, TlsUnrecognisedReason Reason);

    private readonly ITlsRecordSink _sink;
    private readonly ArrayPool<byte> _pool;
    private readonly ReassemblyBudget? _budget;
    private long _charged;      // the size of _buffer, as charged to the budget
    private long _skip;         // bytes of a given-up record still to pass over
    private readonly List<StreamSegment> _carried = new();
    private StreamSegment[] _scratch = new StreamSegment[8];
    private byte[]? _buffer;
    private int _buffered;
    private Shape _shape;
    private bool _headerKnown;
    private ulong _recordStart;
    private bool _recordAtChunkStart;
    private ulong _next;
    private bool _started;
    private long _index;

    /// <param name="sink">Receives the records.</param>
    /// <param name="pool">Where the buffer is rented (<see cref="ArrayPool{T}.Shared"/> when null).</param>
    /// <param name="budget">Shared with other buffers of the run; null: no total bound.</param>
    public TlsRecordParser(ITlsRecordSink sink, ArrayPool<byte>? pool = null, ReassemblyBudget? budget = null)
    {
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _pool = pool ?? ArrayPool<byte>.Shared;
        _budget = budget;
    }

    /// <summary>The note when the budget refuses to let the buffer grow.</summary>
    public const string BudgetRefusedMessage = "TLS record not reassembled: the reassembly budget is full";

    /// <summary>Bytes of the buffer held (rented), as charged to the budget.</summary>
    public long HeldBytes => _charged;

    /// <summary>
    /// Gives back the buffer of the record in progress without telling the sink (the budget reclaims it for another
    /// connection). The rest of that record is skipped when its length is known; otherwise parsing resumes at the next
    /// chunk, as after a gap. Returns the bytes freed and whether a record was cut.
    /// </summary>
    public long GiveUp(out bool recordCut)
    {
        long freed = _charged;
        recordCut = _buffered > 0;
        if (recordCut && _headerKnown) _skip = _shape.Total - _buffered;
        DropRecord();
        _carried.Clear();
        return freed;
    }

    /// <summary>
    /// The connection's version as far as it is known (<see cref="TlsVersion.Unknown"/> until a ServerHello settles
    /// it; <see cref="TlsVersion.Ssl2"/> for an SSL 2.0 connection). It chooses the record test (see remarks) and the
    /// length limit that is checked.
    /// </summary>
    public ushort NegotiatedVersion { get; set; }

    /// <summary>The stream offset the parser expects next.</summary>
    public ulong NextOffset => _next;

    /// <summary>Bytes of an incomplete record held in the buffer.</summary>
    public int BufferedBytes => _buffered;

    /// <summary>
    /// The stream offset where the record in progress ends, when its header has told its length (a record being
    /// buffered, or one given up whose remaining bytes are being skipped); null when no record is in progress or its
    /// header is not complete yet.
    /// </summary>
    public ulong? PendingRecordEnd =>
        _buffered > 0 && _headerKnown ? _recordStart + (ulong)_shape.Total
        : _skip > 0 ? _next + (ulong)_skip
        : null;

    /// <summary>The stream offset where the record in progress starts (meaningful while <see cref="BufferedBytes"/> &gt; 0).</summary>
    public ulong PendingRecordStart => _recordStart;

    /// <summary>The bytes of the record in progress held so far (valid until the parser is next fed).</summary>
    public ReadOnlySpan<byte> PendingBytes => _buffer.AsSpan(0, _buffered);

    /// <summary>Appends to <paramref name="into"/> the pieces of the stream (offset, length, frame) the record in progress was made of so far.</summary>
    public void CopyPendingSegments(List<StreamSegment> into)
    {
        if (_buffered == 0) return;
        foreach (var s in SegmentsOf(_recordStart, _recordStart + (ulong)_buffered)) into.Add(s);
    }

    /// <summary>Items delivered so far.</summary>
    public long RecordCount => _index;

    /// <summary>Feeds the next bytes of the stream, carried by <paramref name="frame"/>.</summary>
    public void Feed(ReadOnlySpan<byte> data, ulong streamOffset, long frame)
    {
        if (!Align(ref data, ref streamOffset, frame)) return;
        AddCarried(new StreamSegment(streamOffset, data.Length, frame));
        Process(data, streamOffset, frame);
    }

    /// <summary>Feeds a chunk from a <see cref="StreamReassembler"/>, keeping the provenance of each piece.</summary>
    public void OnData(in StreamChunk chunk)
    {
        var data = chunk.Data;
        ulong offset = chunk.StreamOffset;
        if (!Align(ref data, ref offset, chunk.Frame)) return;
        int before = _carried.Count;
        foreach (var s in chunk.Segments)
        {
            ulong from = Math.Max(s.StreamOffset, offset), to = Math.Min(s.End, offset + (ulong)data.Length);
            if (to > from) AddCarried(new StreamSegment(from, (int)(to - from), s.Frame));
        }
        if (_carried.Count == before) AddCarried(new StreamSegment(offset, data.Length, chunk.Frame));
        Process(data, offset, chunk.Frame);
    }

    void IStreamConsumer.OnGap(ulong streamOffset, ulong length, long frame) => Gap(streamOffset, length, frame);

    void IStreamConsumer.OnEnd(ulong streamOffset, StreamEnd reason, long frame) => End(streamOffset, frame);

    /// <summary>Bytes [<paramref name="streamOffset"/>, +<paramref name="length"/>) will never come.</summary>
    public void Gap(ulong streamOffset, ulong length, long frame) => Skip(streamOffset, length, frame, tellSink: true);

    /// <summary>
    /// Bytes [<paramref name="streamOffset"/>, +<paramref name="length"/>) are not handed to the parser: as after a
    /// <see cref="Gap"/>, the record in progress is dropped with a note and parsing resumes after them, but the sink is
    /// told only when <paramref name="tellSink"/> is true. Untold, what the sink reassembles across records (handshake
    /// messages) goes on as if the bytes had not been there, as tshark's TLS does, which never learns of bytes its TCP
    /// did not capture.
    /// </summary>
    public void Skip(ulong streamOffset, ulong length, long frame, bool tellSink)
    {
        if (!_started)
        {
            _started = true;
            _next = streamOffset;
        }
        if (_buffered > 0)
        {
            string size = _headerKnown ? $"{_buffered} of {_shape.Total} bytes" : $"{_buffered} bytes";
            Note(_recordStart, frame, TlsNoteKeys.Incomplete, Severity.Warning, "Malformed",
                $"TLS record cut by missing stream bytes ({size} seen)", 0, _buffered);
            DropRecord();
        }
        _carried.Clear();
        _skip = 0;
        ulong end = streamOffset + length;
        if (end > _next) _next = end;
        if (tellSink) _sink.OnGap(streamOffset, length, frame);
    }

    /// <summary>The stream ended at <paramref name="streamOffset"/>; a record still incomplete is dropped with a note.</summary>
    public void End(ulong streamOffset, long frame)
    {
        if (_buffered > 0)
        {
            string size = _headerKnown ? $"{_buffered} of {_shape.Total} bytes" : $"{_buffered} bytes";
            Note(_recordStart, frame, TlsNoteKeys.Incomplete, Severity.Warning, "Malformed",
                $"TLS record incomplete at the end of the stream ({size} seen)", 0, _buffered);
            DropRecord();
        }
        _carried.Clear();
    }

    public void Dispose()
    {
        DropRecord();
        _carried.Clear();
    }

    /// <summary>
    /// Starts afresh, as if new, for bytes read on their own (a TCP payload quoted in an ICMP error): a record in
    /// progress is dropped without a note (a record the bytes cut short is not reported) and the next
    /// <see cref="Feed"/> may start at any offset. <see cref="NegotiatedVersion"/> is left to the caller.
    /// </summary>
    public void Restart()
    {
        DropRecord();
        _carried.Clear();
        _skip = 0;
        _started = false;
        _next = 0;
        _index = 0;
    }

    // Makes the chunk start at the expected offset: a chunk past it means missing bytes, a chunk before it repeats
    // bytes already seen. Returns false when nothing new is left.
    private bool Align(ref ReadOnlySpan<byte> data, ref ulong streamOffset, long frame)
    {
        if (!_started)
        {
            _started = true;
            _next = streamOffset;
        }
        if (streamOffset > _next) Gap(_next, streamOffset - _next, frame);
        else if (streamOffset < _next)
        {
            ulong skip = _next - streamOffset;
            if (skip >= (ulong)data.Length) return false;
            data = data[(int)skip..];
            streamOffset = _next;
        }
        _next = streamOffset + (ulong)data.Length;
        return !data.IsEmpty;
    }

    private void Process(ReadOnlySpan<byte> data, ulong offset, long frame)
    {
        int pos = 0;
        while (pos < data.Length)
        {
            if (_skip > 0)
            {
                int skipped = (int)Math.Min(_skip, data.Length - pos);
                _skip -= skipped;
                pos += skipped;
                continue;
            }
            if (_buffered == 0)
            {
                var rest = data[pos..];
                var shape = Classify(rest, pos == 0);
                if (shape.Kind == ShapeKind.Unrecognised)
                {
                    Deliver(shape, rest, offset + (ulong)pos, frame);
                    pos = data.Length;
                }
                else if (shape.Kind == ShapeKind.Record && rest.Length >= shape.Total)
                {
                    Deliver(shape, rest[..shape.Total], offset + (ulong)pos, frame);
                    pos += shape.Total;
                }
                else
                {
                    _recordStart = offset + (ulong)pos;
                    _recordAtChunkStart = pos == 0;
                    _headerKnown = shape.Kind == ShapeKind.Record;
                    _shape = shape;
                    if (!Append(rest))
                    {
                        pos += Refused(rest.Length, frame, data.Length - pos);
                        continue;
                    }
                    pos = data.Length;
                }
                continue;
            }

            if (!_headerKnown)
            {
                // Add bytes one at a time up to what the header needs, so that a record shorter than the probe
                // (an SSL 2.0 one, or a zero-length TLS record) never takes bytes of the next one.
                if (!Append(data.Slice(pos, 1)))
                {
                    pos += Refused(0, frame, data.Length - pos);
                    continue;
                }
                pos++;
                var shape = Classify(_buffer.AsSpan(0, _buffered), _recordAtChunkStart);
                if (shape.Kind == ShapeKind.NeedMoreData) continue;
                if (shape.Kind == ShapeKind.Unrecognised)
                {
                    // Clear text or garbage: it runs to the end of this chunk, as tshark consumes the whole
                    // reassembled segment it was looking at.
                    var rest = data[pos..];
                    int fits = Math.Min(rest.Length, MaxBufferedBytes - _buffered);
                    if (!Append(rest[..fits]))
                    {
                        // The unrecognised bytes held are delivered as they are; the rest of the chunk with them.
                        _shape = shape;
                        DeliverBuffered(frame);
                        Deliver(shape, rest, offset + (ulong)pos, frame);
                        pos = data.Length;
                        continue;
                    }
                    _shape = shape;
                    DeliverBuffered(frame);
                    pos += fits;
                    if (pos < data.Length)
                    {
                        Deliver(shape, data[pos..], offset + (ulong)pos, frame);
                        pos = data.Length;
                    }
                    continue;
                }
                if (shape.Total < _buffered)
                {
                    // The rules changed while the header was arriving (the peer's SSL 2.0 record set the version), and
                    // under the new ones the record is shorter than what is held: those bytes are not a record.
                    _shape = new Shape(ShapeKind.Unrecognised, TlsRecordKind.Unrecognised, 0, 0, TlsUnrecognisedReason.NotARecordHeader);
                    DeliverBuffered(frame);
                    continue;
                }
                _shape = shape;
                _headerKnown = true;
            }

            int n = Math.Min(_shape.Total - _buffered, data.Length - pos);
            if (!Append(data.Slice(pos, n)))
            {
                pos += Refused(0, frame, data.Length - pos);
                continue;
            }
            pos += n;
            if (_buffered >= _shape.Total) DeliverBuffered(frame);
        }
        TrimCarried(_buffered > 0 ? _recordStart : offset + (ulong)data.Length);
    }

    // The budget would not let the record in progress grow: it is given up with a note, and the sink is told, as
    // after missing bytes. Of the chunk's remaining bytes (the first `taken` of which were being added), returns how
    // many are passed over now: the rest of the record when its length is known (then parsing goes on after it),
    // else all of them (parsing resumes at the next chunk).
    private int Refused(int taken, long frame, int remaining)
    {
        ulong start = _recordStart;
        int held = _buffered;
        string size = _headerKnown ? $"{held + taken} of {_shape.Total} bytes" : $"{held + taken} bytes";
        Note(start, frame, TlsNoteKeys.Incomplete, Severity.Warning, "Malformed", $"{BudgetRefusedMessage} ({size} seen)", 0, held);
        long rest = _headerKnown ? _shape.Total - held : remaining;
        DropRecord();
        _sink.OnGap(start, 0, frame);
        if (rest <= remaining) return (int)rest;
        _skip = rest - remaining;
        return remaining;
    }

    // The test tshark applies at a record boundary (dissect_ssl's per-record dispatch).
    private Shape Classify(ReadOnlySpan<byte> head, bool atChunkStart)
    {
        if (atChunkStart && TlsSniffer.StartsWithPrintableText(head))
            return new Shape(ShapeKind.Unrecognised, TlsRecordKind.Unrecognised, 0, 0, TlsUnrecognisedReason.PrintableText);

        ushort v = NegotiatedVersion;
        if (v == TlsVersion.Ssl2) return Ssl2Shape(head);
        if (head.Length < TlsRecordHeader.Size) return default;
        if (v is TlsVersion.Ssl3 or TlsVersion.Tls10 or TlsVersion.Tls11 or TlsVersion.Tls12 or TlsVersion.GmTls)
        {
            if (TlsSniffer.IsSsl2ClientHello(head)) return Ssl2Shape(head);
            var r = new WireReader(head);
            r.TryReadUInt8(out byte type);
            if (!TlsNames.IsKnownContentType(type))
                return new Shape(ShapeKind.Unrecognised, TlsRecordKind.Unrecognised, 0, 0, TlsUnrecognisedReason.UnknownContentType);
            return TlsShape(head);
        }
        if (TlsSniffer.LooksLikeSsl2Record(head)) return Ssl2Shape(head);
        if (TlsSniffer.LooksLikeTlsRecord(head)) return TlsShape(head);
        return new Shape(ShapeKind.Unrecognised, TlsRecordKind.Unrecognised, 0, 0, TlsUnrecognisedReason.NotARecordHeader);
    }

    private static Shape TlsShape(ReadOnlySpan<byte> head)
    {
        TlsRecordHeader.TryParse(head, out var h);
        return new Shape(ShapeKind.Record, TlsRecordKind.Tls, TlsRecordHeader.Size, h.TotalLength, TlsUnrecognisedReason.None);
    }

    private static Shape Ssl2Shape(ReadOnlySpan<byte> head) =>
        Ssl2RecordHeader.TryParse(head, out var h) == ParseStatus.Ok
            ? new Shape(ShapeKind.Record, TlsRecordKind.Ssl2, h.HeaderLength, h.TotalLength, TlsUnrecognisedReason.None)
            : default;

    private void DeliverBuffered(long frame)
    {
        Deliver(_shape, _buffer.AsSpan(0, _buffered), _recordStart, frame);
        DropRecord();
    }

    private void Deliver(in Shape shape, ReadOnlySpan<byte> bytes, ulong streamOffset, long frame)
    {
        var segments = SegmentsOf(streamOffset, streamOffset + (ulong)bytes.Length);
        if (shape.RecordKind == TlsRecordKind.Tls)
        {
            TlsRecordHeader.TryParse(bytes, out var h);
            CheckLength(h, streamOffset, frame);
            _sink.OnRecord(new TlsRecord(TlsRecordKind.Tls, h.ContentType, h.Version, TlsRecordHeader.Size, bytes,
                streamOffset, frame, _index++, segments));
        }
        else if (shape.RecordKind == TlsRecordKind.Ssl2)
        {
            _sink.OnRecord(new TlsRecord(TlsRecordKind.Ssl2, TlsContentType.Invalid, TlsVersion.Ssl2, shape.HeaderLength,
                bytes, streamOffset, frame, _index++, segments));
        }
        else
        {
            if (shape.Reason == TlsUnrecognisedReason.UnknownContentType
                && NegotiatedVersion is TlsVersion.Tls10 or TlsVersion.Tls11 or TlsVersion.Tls12 or TlsVersion.GmTls)
                Note(streamOffset, frame, TlsNoteKeys.IgnoredUnknownRecord, Severity.Warning, "Protocol",
                    TlsNames.IgnoredUnknownRecord, 0, bytes.Length);
            _sink.OnRecord(new TlsRecord(TlsRecordKind.Unrecognised, TlsContentType.Invalid, 0, 0, bytes,
                streamOffset, frame, _index++, segments, shape.Reason));
        }
    }

    // ssl_check_record_length: RFC 5246 §6.2.1 forbids empty handshake, alert and change_cipher_spec fragments;
    // RFC 5246 §6.2.3 and RFC 8446 §5.2 bound the ciphertext.
    private void CheckLength(in TlsRecordHeader h, ulong streamOffset, long frame)
    {
        if (h.Length == 0 && h.ContentType is TlsContentType.ChangeCipherSpec or TlsContentType.Alert or TlsContentType.Handshake)
            Note(streamOffset, frame, TlsNoteKeys.RecordLengthInvalid, Severity.Error, "Protocol",
                $"Zero-length {TlsNames.ContentType((byte)h.ContentType)} fragments are not allowed", 3, 2);
        int max = TlsRecordHeader.MaxFragmentLength(NegotiatedVersion);
        if (h.Length > max)
            Note(streamOffset, frame, TlsNoteKeys.RecordLengthInvalid, Severity.Error, "Protocol",
                $"TLSCiphertext length MUST NOT exceed 2^14 + {max - TlsRecordHeader.MaxPlaintextLength}", 3, 2);
    }

    private void Note(ulong streamOffset, long frame, string key, Severity severity, string group, string message, int offset, int length) =>
        _sink.OnNote(new TlsStreamNote(new TlsNote(key, severity, group, message, offset, length), streamOffset, frame));

    // False when the budget refuses the bigger buffer (nothing is changed then).
    private bool Append(ReadOnlySpan<byte> bytes)
    {
        int need = _buffered + bytes.Length;
        if (_buffer is null || _buffer.Length < need)
        {
            // The pool hands out powers of two: that is what is charged.
            int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(need, Math.Min(MaxBufferedBytes, Math.Max(1024, (_buffer?.Length ?? 0) * 2))));
            if (_budget is not null && !_budget.TryCharge(size)) return false;
            var bigger = _pool.Rent(size);
            if (_buffer is not null)
            {
                _buffer.AsSpan(0, _buffered).CopyTo(bigger);
                _pool.Return(_buffer);
                _budget?.Release(_charged);
            }
            _buffer = bigger;
            _charged = size;
        }
        bytes.CopyTo(_buffer.AsSpan(_buffered));
        _buffered = need;
        return true;
    }

    private void DropRecord()
    {
        _buffered = 0;
        _headerKnown = false;
        _shape = default;
        if (_buffer is not null)
        {
            _pool.Return(_buffer);
            _buffer = null;
            _budget?.Release(_charged);
            _charged = 0;
        }
    }

    private void AddCarried(StreamSegment s)
    {
        if (s.Length <= 0) return;
        if (_carried.Count > 0 && _carried[^1] is var last && last.Frame == s.Frame && last.End == s.StreamOffset)
            _carried[^1] = new StreamSegment(last.StreamOffset, last.Length + s.Length, last.Frame);
        else
            _carried.Add(s);
    }

    private ReadOnlySpan<StreamSegment> SegmentsOf(ulong from, ulong to)
    {
        int n = 0;
        foreach (var s in _carried)
        {
            if (s.End <= from) continue;
            if (s.StreamOffset >= to) break;
            ulong a = Math.Max(s.StreamOffset, from), b = Math.Min(s.End, to);
            if (n == _scratch.Length) Array.Resize(ref _scratch, n * 2);
            _scratch[n++] = new StreamSegment(a, (int)(b - a), s.Frame);
        }
        return _scratch.AsSpan(0, n);
    }

    private void TrimCarried(ulong keepFrom)
    {
        int drop = 0;
        while (drop < _carried.Count && _carried[drop].End <= keepFrom) drop++;
        if (drop > 0) _carried.RemoveRange(0, drop);
    }
}
