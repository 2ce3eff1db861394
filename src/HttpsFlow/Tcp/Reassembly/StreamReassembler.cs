using System.Buffers;
using System.Runtime.CompilerServices;
using HttpsFlow.Common;

namespace HttpsFlow.Tcp.Reassembly;

/// <summary>
/// Turns the segments of one direction of a TCP connection into that direction's byte stream, as the layers above
/// (TLS, HTTP) read it: in order, each byte exactly once, and every byte that never arrived reported as a gap. One
/// reassembler per direction; fed with raw (absolute) sequence numbers.
/// </summary>
/// <remarks>
/// <para><b>Numbering.</b> Bytes are numbered by 64-bit stream offsets that never wrap: offset 0 is the byte after
/// the SYN (RFC 9293 §3.4: the SYN occupies the sequence number before the first data byte), or, for a connection
/// seen mid-stream, the first byte of the first segment. A raw sequence number is related to an offset by its signed
/// 32-bit distance from the next expected one (RFC 9293 §3.4's modular comparison), so wrap-around at 2^32 is
/// ordinary. Data from before offset 0 (a mid-stream start followed by an earlier retransmission) is dropped.</para>
/// <para><b>Window.</b> A segment more than <see cref="MaxWindow"/> (2^30, the largest window TCP can advertise,
/// RFC 7323 §2.3) before or after the next expected byte is not acceptable to a receiver (RFC 9293 §3.10.7.4) and is
/// ignored with a note. A second such segment that continues the first one exactly means the numbering really moved
/// on (a huge loss, or ports reused without a SYN): the stream continues after a gap as long as the distance modulo
/// 2^32. A single wild segment thus cannot derail a healthy stream, and a stream that jumped recovers.</para>
/// <para><b>Delivery.</b> Data at the next expected offset is handed to <see cref="IStreamConsumer.OnData"/> straight
/// from the caller's span, without a copy. Data beyond a hole is copied into pooled pages
/// (<see cref="OutOfOrderBuffer"/>) and delivered when the hole fills. Where segments overlap, the first copy of a
/// byte wins and later copies are only compared with it: a difference (with bytes already delivered, as far as
/// <see cref="ReassemblyLimits.RetainedDeliveredBytes"/> reaches back, or with bytes held) adds the note
/// <see cref="DifferentOverlapMessage"/>.</para>
/// <para><b>Holes that do not fill.</b> A hole is given up, reported with <see cref="IStreamConsumer.OnGap"/>, and
/// delivery goes on from the data after it: when out-of-order data would exceed the buffer limit (with a note); when
/// the peer acknowledges bytes past the hole while data waits behind it (<see cref="Acknowledged"/>: the receiver
/// had them, the capture did not, so no retransmission will bring them); at a RST (<see cref="Reset"/>); and at the
/// end of the capture (<see cref="Flush"/>). A FIN that arrives while a hole remains before it does not give the hole
/// up at once — an improvement on giving up at the FIN: a segment reordered behind the FIN is common, and its bytes
/// would otherwise be lost — the FIN marks where the stream ends, and <see cref="StreamEnd.Fin"/> is reported when
/// every byte before it has been delivered or given up.</para>
/// <para><b>Provenance and lifetimes.</b> Every delivered byte range is logged as (stream offset, length, frame) in a
/// ring (<see cref="Segments"/>) so that a consumer can name the frames that carried a PDU (tshark's
/// <c>tcp.segment</c>); the frame being processed at delivery (<see cref="StreamChunk.Frame"/>) is the one the PDU is
/// "reassembled in". Records live until the consumer calls <see cref="Release"/> past them (typically once a PDU
/// is parsed), and at most <see cref="ReassemblyLimits.MaxSegmentRecords"/> are kept: when the ring is full the
/// oldest is dropped and <see cref="ProvenanceFloor"/> moves up. The bytes themselves are not kept for the consumer:
/// a chunk's span is valid only during <see cref="IStreamConsumer.OnData"/>.</para>
/// <para><b>Cost.</b> An in-order segment with nothing buffered costs one consumer call, one provenance record and
/// one copy into the retained-bytes ring, and allocates nothing. Any segment's work is bounded by its length plus the
/// out-of-order data it releases, itself bounded by the limits. Nothing here throws on any segment; notes are
/// collected for <see cref="DrainNotes"/>.</para>
/// <para>Not thread-safe. A consumer must not feed the reassembler from inside its callbacks. A new connection on
/// the same ports (a new <c>tcp.stream</c>, see <see cref="TcpConversations"/>) needs new reassemblers.</para>
/// </remarks>
public sealed class StreamReassembler : IDisposable
{
    /// <summary>The largest distance from the next expected byte at which a segment is accepted (RFC 7323 §2.3: 2^30).</summary>
    public const int MaxWindow = 1 << 30;

    public const string DifferentOverlapMessage = "Overlapping data differs from the original (retransmission with different bytes)";
    public const string OutOfWindowMessage = "Segment outside the receive window ignored (sequence number more than 2^30 away)";
    public const string ResynchronizedMessage = "Sequence numbers jumped; the stream continues after a gap";
    public const string DataAfterFinMessage = "Data beyond the FIN ignored";
    public const string ConflictingFinMessage = "FIN at a different sequence number from an earlier FIN ignored";

    /// <summary>Notes kept until drained; later ones are counted in <see cref="DroppedNotes"/>.</summary>
    public const int MaxPendingNotes = 64;

    [Flags]
    private enum Raised : byte
    {
        None = 0,
        Different = 1,
        Limit = 2,
        OutOfWindow = 4,
        AfterFin = 8,
        ConflictingFin = 16,
        Resynchronized = 32,
    }

    private readonly IStreamConsumer _consumer;
    private readonly OutOfOrderBuffer _buffer;
    private readonly DeliveredHistory _history;
    private readonly SegmentLog _log;
    private readonly List<ExpertNote> _notes = new();
    private readonly string _pageLimitMessage;
    private readonly string _pieceLimitMessage;
    private readonly string _budgetLimitMessage;

    private bool _started;
    private bool _sawSyn;
    private bool _ended;
    private bool _disposed;
    private StreamEnd _endReason;
    private uint _baseSeq;          // raw sequence number of offset 0
    private uint _nextSeq;          // raw sequence number of _next
    private ulong _next;            // every offset below was delivered or reported as a gap
    private bool _finKnown;
    private ulong _finOffset;       // the stream ends here (the FIN's sequence number)
    private bool _outOfWindowPending;
    private uint _outOfWindowNextSeq; // where the last ignored out-of-window segment ended
    private long _frame;            // the frame being processed
    private Timestamp _time;
    private Raised _raised;         // notes added during this call (one of each kind per call)

    /// <param name="limits">Memory bounds; <see cref="ReassemblyLimits.Default"/> when null.</param>
    /// <param name="consumer">Receives the stream.</param>
    public StreamReassembler(ReassemblyLimits? limits, IStreamConsumer consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        limits ??= ReassemblyLimits.Default;
        var pool = limits.Pool ?? ArrayPool<byte>.Shared;
        _consumer = consumer;
        _buffer = new OutOfOrderBuffer(pool, limits.PageShift, limits.MaxPages, limits.EffectiveMaxSegments, limits.Budget);
        _history = new DeliveredHistory(pool, limits.EffectiveRetained);
        _log = new SegmentLog(limits.EffectiveSegmentRecords);
        _pageLimitMessage = $"Reassembly buffer limit of {Math.Max(limits.MaxBufferedBytesPerDirection, 0)} bytes reached; data skipped";
        _pieceLimitMessage = $"Reassembly buffer limit of {limits.EffectiveMaxSegments} segments reached; data skipped";
        _budgetLimitMessage = limits.Budget is { } b ? $"Reassembly budget of {b.Limit} bytes for all connections reached; data skipped" : "";
    }

    /// <summary>True once a segment has fixed the numbering.</summary>
    public bool Started => _started;

    /// <summary>True when the first segment was a SYN; false for a connection seen mid-stream.</summary>
    public bool SawSyn => _sawSyn;

    /// <summary>The raw sequence number of stream offset 0 (the initial sequence number + 1 after a SYN).</summary>
    public uint BaseSequence => _baseSeq;

    /// <summary>Every offset below this was delivered or reported as a gap.</summary>
    public ulong NextOffset => _next;

    /// <summary>Memory held for out-of-order data, in bytes of pages.</summary>
    public long BufferedBytes => _buffer.HeldBytes;

    /// <summary>Out-of-order pieces held.</summary>
    public int BufferedSegments => _buffer.Count;

    /// <summary>True after <see cref="IStreamConsumer.OnEnd"/> (or <see cref="Dispose"/>): later segments are ignored.</summary>
    public bool IsEnded => _ended || _disposed;

    /// <summary>How the stream ended, when it has.</summary>
    public StreamEnd? EndReason => _ended ? _endReason : null;

    /// <summary>The stream offset of the FIN, once a FIN was seen.</summary>
    public ulong? FinOffset => _finKnown ? _finOffset : null;

    /// <summary>Provenance is known for delivered offsets from here on (below it, released or dropped).</summary>
    public ulong ProvenanceFloor => _log.Floor;

    /// <summary>Notes that did not fit in the pending list (<see cref="MaxPendingNotes"/>) because they were not drained.</summary>
    public long DroppedNotes { get; private set; }

    /// <summary>
    /// Feeds one segment of this direction.
    /// </summary>
    /// <param name="seq">The raw sequence number from the TCP header.</param>
    /// <param name="payload">The segment's data (may be empty); read during the call only.</param>
    /// <param name="syn">The SYN flag: the data starts at <paramref name="seq"/> + 1.</param>
    /// <param name="fin">The FIN flag: the stream ends after the data.</param>
    /// <param name="frame">The frame number, recorded as the provenance of the bytes.</param>
    /// <param name="time">The frame's time.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(uint seq, ReadOnlySpan<byte> payload, bool syn, bool fin, long frame, Timestamp time)
    {
        _frame = frame;
        _time = time;
        _raised = Raised.None;
        if (_disposed) return;

        uint dataSeq = syn ? unchecked(seq + 1) : seq;
        if (!_started)
        {
            _started = true;
            _sawSyn = syn;
            _baseSeq = dataSeq;
            _nextSeq = dataSeq;
        }
        if (payload.Length > MaxWindow) payload = payload[..MaxWindow];
        int delta = unchecked((int)(dataSeq - _nextSeq));
        if (_ended)
        {
            // After a FIN, data past it is worth a note; anything else (retransmissions, a repeated FIN) is not.
            if (_endReason == StreamEnd.Fin && !payload.IsEmpty && delta >= -MaxWindow && delta <= MaxWindow
                && (long)_next + delta + payload.Length > (long)_finOffset)
                Note(Raised.AfterFin, "Sequence", DataAfterFinMessage);
            return;
        }

        if (delta > MaxWindow || delta < -MaxWindow)
        {
            if (!OutOfWindow(dataSeq, payload)) return;
            delta = unchecked((int)(dataSeq - _nextSeq));
        }
        else if (!payload.IsEmpty)
        {
            _outOfWindowPending = false;
        }

        // A keep-alive (RFC 9293 §3.8.4) repeats the byte before the next one, often as garbage: not a retransmission.
        bool keepAlive = delta == -1 && payload.Length <= 1 && !syn && !fin;
        Place((long)_next + delta, payload, fin, keepAlive);
        TryEndAtFin();
    }

    /// <summary>
    /// Tells the reassembler that the peer acknowledged this direction's bytes up to raw sequence number
    /// <paramref name="ack"/> (an ACK of the other direction). Optional: when data waits behind a hole that the ACK
    /// covers, the receiver had those bytes and the capture did not, so the hole is reported as a gap at once instead
    /// of when the buffer fills or the capture ends.
    /// </summary>
    public void Acknowledged(uint ack, long frame, Timestamp time)
    {
        _frame = frame;
        _time = time;
        _raised = Raised.None;
        if (!_started || _ended || _disposed) return;
        int d = unchecked((int)(ack - _nextSeq));
        if (d <= 0 || d > MaxWindow) return;
        ulong ackOffset = _next + (ulong)d;
        while (!_ended && _next < ackOffset)
        {
            ulong target;
            if (_buffer.Count > 0) target = _buffer.First.Start;
            else if (_finKnown && _next < _finOffset) target = _finOffset;
            else break; // nothing waits behind a hole
            Gap(Math.Min(target, ackOffset) - _next);
            DrainContiguous();
            TryEndAtFin();
        }
    }

    /// <summary>
    /// A RST ended the connection: every hole is reported as a gap, every byte held after it is delivered, and the
    /// stream ends (<see cref="StreamEnd.Reset"/>). Whether a RST is acceptable (RFC 9293 §3.10.7.4, RFC 5961 §3) is
    /// the caller's judgement.
    /// </summary>
    public void Reset(long frame, Timestamp time)
    {
        _frame = frame;
        _time = time;
        _raised = Raised.None;
        if (_ended || _disposed) return;
        DeliverAllBuffered();
        End(StreamEnd.Reset);
    }

    /// <summary>
    /// The capture ended: every hole is reported as a gap (up to the FIN, if one was seen), every byte held is
    /// delivered, and the stream ends (<see cref="StreamEnd.Fin"/> if a FIN was seen, else
    /// <see cref="StreamEnd.EndOfCapture"/>). The frame of these deliveries is the last one fed.
    /// </summary>
    public void Flush()
    {
        _raised = Raised.None;
        if (_ended || _disposed) return;
        DeliverAllBuffered();
        if (_finKnown && _next < _finOffset) Gap(_finOffset - _next);
        End(_finKnown ? StreamEnd.Fin : StreamEnd.EndOfCapture);
    }

    /// <summary>The consumer is done with offsets below <paramref name="upToOffset"/>: their provenance is forgotten.</summary>
    public void Release(ulong upToOffset) => _log.Release(Math.Min(upToOffset, _next));

    /// <summary>
    /// The frames that carried the delivered bytes [<paramref name="offset"/>, <paramref name="offset"/> +
    /// <paramref name="length"/>), each record clipped to the range, in stream order; bytes below
    /// <see cref="ProvenanceFloor"/>, in gaps or not yet delivered have none.
    /// </summary>
    public StreamSegments Segments(ulong offset, ulong length) =>
        new(_log, offset, length > ulong.MaxValue - offset ? ulong.MaxValue : offset + length);

    /// <summary>The stream offset of raw sequence number <paramref name="seq"/>, when it is within the window of the next expected one.</summary>
    public bool TryGetOffset(uint seq, out ulong offset)
    {
        offset = 0;
        if (!_started) return false;
        int d = unchecked((int)(seq - _nextSeq));
        if (d > MaxWindow || d < -MaxWindow || (long)_next + d < 0) return false;
        offset = (ulong)((long)_next + d);
        return true;
    }

    /// <summary>Moves the notes raised since the last call to <paramref name="into"/>; returns how many.</summary>
    public int DrainNotes(List<ExpertNote> into)
    {
        int n = _notes.Count;
        if (n == 0) return 0;
        into.AddRange(_notes);
        _notes.Clear();
        return n;
    }

    /// <summary>Returns pooled memory. No further calls reach the consumer (no <see cref="IStreamConsumer.OnEnd"/>).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _buffer.Clear();
        _history.Release();
        _log.Clear();
    }

    // ---- placing a segment ----

    /// <summary>Places data that starts at stream offset <paramref name="start"/> (negative: before the stream's start).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Place(long start, ReadOnlySpan<byte> payload, bool fin, bool keepAlive)
    {
        long end = start + payload.Length;
        if (start < 0)
        {
            int cut = (int)Math.Min(-start, payload.Length);
            payload = payload[cut..];
            start += cut;
        }
        if (fin) SetFin(end);
        if (_finKnown && end > (long)_finOffset && !payload.IsEmpty)
        {
            Note(Raised.AfterFin, "Sequence", DataAfterFinMessage);
            payload = payload[..(int)Math.Clamp((long)_finOffset - start, 0, payload.Length)];
        }
        if (payload.IsEmpty) return;

        ulong s = (ulong)start, e = s + (ulong)payload.Length;
        if (e <= _next)
        {
            if (!keepAlive && _history.Differs(s, payload)) Note(Raised.Different, "Sequence", DifferentOverlapMessage);
        }
        else if (s <= _next) InOrder(s, payload);
        else Future(s, payload);
    }

    /// <summary>A FIN (RFC 9293 §3.6) after data ending at <paramref name="end"/>: the stream ends there.</summary>
    private void SetFin(long end)
    {
        if (end < 0) return; // before offset 0: not a FIN of the stream we number
        ulong at = (ulong)end;
        if (_finKnown)
        {
            if (at != _finOffset) Note(Raised.ConflictingFin, "Sequence", ConflictingFinMessage);
            return;
        }
        if (at < _next)
        {
            // Bytes past it were already delivered: this FIN contradicts the stream.
            Note(Raised.ConflictingFin, "Sequence", ConflictingFinMessage);
            return;
        }
        _finKnown = true;
        _finOffset = at;
        if (_buffer.TruncateAt(at)) Note(Raised.AfterFin, "Sequence", DataAfterFinMessage);
    }

    /// <summary>Data that reaches the next expected offset: delivered now, together with what waited behind it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void InOrder(ulong start, ReadOnlySpan<byte> payload)
    {
        if (start < _next)
        {
            int head = (int)(_next - start);
            if (_history.Differs(start, payload[..head])) Note(Raised.Different, "Sequence", DifferentOverlapMessage);
            payload = payload[head..];
        }
        while (!payload.IsEmpty)
        {
            if (_buffer.Count == 0)
            {
                DeliverDirect(payload);
                break;
            }
            var first = _buffer.First;
            if (first.Start <= _next)
            {
                // Held bytes come first (the first copy wins); the new ones are only compared with them.
                int over = (int)Math.Min((ulong)payload.Length, first.End - _next);
                if (_buffer.DiffersFromHeld(_next, payload[..over])) Note(Raised.Different, "Sequence", DifferentOverlapMessage);
                payload = payload[over..];
                DeliverFirstPiece();
            }
            else
            {
                int n = (int)Math.Min((ulong)payload.Length, first.Start - _next);
                DeliverDirect(payload[..n]);
                payload = payload[n..];
            }
        }
        DrainContiguous();
    }

    /// <summary>Data beyond a hole: held until the hole fills, or the oldest hole is given up when the limits are reached.</summary>
    private void Future(ulong start, ReadOnlySpan<byte> payload)
    {
        while (true)
        {
            ulong end = start + (ulong)payload.Length;
            var room = _buffer.Fits(start, end);
            if (room == OutOfOrderBuffer.Room.Fits)
            {
                if (_buffer.Store(start, payload, _frame)) Note(Raised.Different, "Sequence", DifferentOverlapMessage);
                return;
            }
            Note(Raised.Limit, "Reassemble", room switch
            {
                OutOfOrderBuffer.Room.PagesFull => _pageLimitMessage,
                OutOfOrderBuffer.Room.BudgetFull => _budgetLimitMessage,
                _ => _pieceLimitMessage,
            });
            if (_buffer.Count == 0 || start < _buffer.First.Start)
            {
                // This segment is the earliest data after the hole: skip to it and deliver it directly.
                Gap(start - _next);
                InOrder(start, payload);
                return;
            }
            Gap(_buffer.First.Start - _next);
            DrainContiguous();
            if (end <= _next)
            {
                if (_history.Differs(start, payload)) Note(Raised.Different, "Sequence", DifferentOverlapMessage);
                return;
            }
            if (start <= _next)
            {
                InOrder(start, payload);
                return;
            }
        }
    }

    /// <summary>
    /// The first of two contiguous out-of-window segments makes the second resynchronize the stream; returns true
    /// when the segment is now within the window and should be placed.
    /// </summary>
    private bool OutOfWindow(uint dataSeq, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty) return false; // a bare ACK or FIN far away carries nothing to lose
        if (_outOfWindowPending && dataSeq == _outOfWindowNextSeq && !_finKnown)
        {
            _outOfWindowPending = false;
            Note(Raised.Resynchronized, "Sequence", ResynchronizedMessage);
            DeliverAllBuffered();
            uint jump = unchecked(dataSeq - _nextSeq);
            int d = unchecked((int)jump);
            if (d < -MaxWindow || d > MaxWindow) Gap(jump); // the bytes in between (modulo 2^32) are all missing
            return true;
        }
        Note(Raised.OutOfWindow, "Sequence", OutOfWindowMessage);
        _outOfWindowPending = true;
        _outOfWindowNextSeq = unchecked(dataSeq + (uint)payload.Length);
        return false;
    }

    // ---- delivering ----

    private void Advance(ulong to)
    {
        _nextSeq = unchecked(_nextSeq + (uint)(to - _next));
        _next = to;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DeliverDirect(ReadOnlySpan<byte> data)
    {
        ulong at = _next;
        // State first, consumer last: a consumer that throws cannot make a byte be delivered twice.
        Advance(at + (ulong)data.Length);
        _log.Append(at, data.Length, _frame);
        _history.Append(at, data);
        var chunk = new StreamChunk(data, at, _frame, _time, this);
        _consumer.OnData(in chunk);
    }

    private void DeliverFirstPiece()
    {
        var p = _buffer.First;
        _buffer.RemoveFirst(); // its page stays until ReleaseUnusedPages
        ulong from = Math.Max(p.Start, _next);
        ulong to = _finKnown ? Math.Min(p.End, _finOffset) : p.End;
        if (to <= from) return;
        if (from > _next) Gap(from - _next); // never happens while pieces stay ahead of _next; keeps the tiling if it did
        Advance(to);
        _log.Append(from, (int)(to - from), p.Frame);
        for (ulong at = from; at < to;)
        {
            var bytes = _buffer.Read(at, to);
            if (bytes.IsEmpty) break;
            _history.Append(at, bytes);
            var chunk = new StreamChunk(bytes, at, _frame, _time, this);
            _consumer.OnData(in chunk);
            at += (ulong)bytes.Length;
        }
    }

    /// <summary>Delivers the held pieces that now start at the next expected offset, then returns the pages freed.</summary>
    private void DrainContiguous()
    {
        while (_buffer.Count > 0 && _buffer.First.Start <= _next && !(_finKnown && _next >= _finOffset))
            DeliverFirstPiece();
        if (_finKnown && _next >= _finOffset) _buffer.Clear();
        _buffer.ReleaseUnusedPages();
    }

    /// <summary>Gives up every hole before held data and delivers all of it.</summary>
    private void DeliverAllBuffered()
    {
        while (_buffer.Count > 0)
        {
            ulong first = _buffer.First.Start;
            if (first > _next) Gap(first - _next);
            DrainContiguous();
        }
    }

    private void Gap(ulong length)
    {
        if (length == 0) return;
        ulong at = _next;
        Advance(at + length);
        _history.Gap(_next);
        _consumer.OnGap(at, length, _frame);
    }

    private void TryEndAtFin()
    {
        if (!_ended && _finKnown && _next >= _finOffset) End(StreamEnd.Fin);
    }

    private void End(StreamEnd reason)
    {
        _ended = true;
        _endReason = reason;
        _buffer.Clear();
        _history.Release();
        _consumer.OnEnd(_next, reason, _frame);
    }

    private void Note(Raised kind, string group, string message)
    {
        if ((_raised & kind) != 0) return;
        _raised |= kind;
        if (_notes.Count >= MaxPendingNotes)
        {
            DroppedNotes++;
            return;
        }
        _notes.Add(new ExpertNote(Severity.Warning, group, "tcp", message));
    }
}
