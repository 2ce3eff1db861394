using HttpsFlow.Common;

namespace HttpsFlow.Tcp.Reassembly;

/// <summary>Why a direction's byte stream ended.</summary>
public enum StreamEnd : byte
{
    /// <summary>Every byte up to the FIN was delivered or reported as a gap (RFC 9293 §3.6).</summary>
    Fin,
    /// <summary>The caller reported a RST (<see cref="StreamReassembler.Reset"/>).</summary>
    Reset,
    /// <summary>The capture ended without a FIN (<see cref="StreamReassembler.Flush"/>).</summary>
    EndOfCapture,
}

/// <summary>
/// Receives one direction's byte stream from a <see cref="StreamReassembler"/>, in order and exactly once: the calls
/// to <see cref="OnData"/> and <see cref="OnGap"/> tile the stream from offset 0 without overlap and in increasing
/// offset order; <see cref="OnEnd"/> comes last, at most once.
/// </summary>
/// <remarks>
/// A consumer may call <see cref="StreamReassembler.Release"/> and <see cref="StreamReassembler.Segments"/> from
/// inside these calls; it must not feed the reassembler (<c>Add</c>, <c>Flush</c>, …) from them.
/// </remarks>
public interface IStreamConsumer
{
    /// <summary>The next bytes of the stream; <see cref="StreamChunk.Data"/> is valid only during the call.</summary>
    void OnData(in StreamChunk chunk);

    /// <summary>
    /// Bytes [<paramref name="streamOffset"/>, <paramref name="streamOffset"/> + <paramref name="length"/>) will never
    /// be delivered: the segments that carried them were not captured (or were given up at the buffer limit).
    /// <paramref name="frame"/> is the frame whose processing decided it (the last frame seen, at the end of the capture).
    /// </summary>
    void OnGap(ulong streamOffset, ulong length, long frame);

    /// <summary>The stream ended at <paramref name="streamOffset"/> (its total length, gaps included).</summary>
    void OnEnd(ulong streamOffset, StreamEnd reason, long frame);
}

/// <summary>
/// Contiguous bytes of a stream, handed to <see cref="IStreamConsumer.OnData"/>.
/// </summary>
/// <remarks>
/// <see cref="Data"/> points into the caller's packet buffer (in-order data) or into a pooled page (data that waited
/// for a hole to fill); either way it is valid only during the call, so a consumer that needs the bytes later copies
/// them. <see cref="Frame"/> is the frame whose arrival made the bytes deliverable: the frame a PDU ending in these bytes
/// is "reassembled in" (tshark's <c>tcp.reassembled_in</c>). The frames that carried the bytes (tshark's
/// <c>tcp.segment</c> list) are <see cref="Segments"/>.
/// </remarks>
public readonly ref struct StreamChunk
{
    private readonly StreamReassembler? _source;

    public StreamChunk(ReadOnlySpan<byte> data, ulong streamOffset, long frame, Timestamp time, StreamReassembler? source = null)
    {
        Data = data;
        StreamOffset = streamOffset;
        Frame = frame;
        Time = time;
        _source = source;
    }

    /// <summary>The bytes; valid only during the call that receives them.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>Offset of <c>Data[0]</c> in the direction's byte stream (0 = the first byte after the SYN, or the first byte seen).</summary>
    public ulong StreamOffset { get; }

    /// <summary>Offset just past the last byte of <see cref="Data"/>.</summary>
    public ulong EndOffset => StreamOffset + (ulong)Data.Length;

    /// <summary>The frame being processed when these bytes became deliverable.</summary>
    public long Frame { get; }

    /// <summary>The time of <see cref="Frame"/>.</summary>
    public Timestamp Time { get; }

    /// <summary>The frames that carried these bytes, in stream order (see <see cref="StreamReassembler.Segments"/>).</summary>
    public StreamSegments Segments => _source is null ? default : _source.Segments(StreamOffset, (ulong)Data.Length);
}

/// <summary>Bytes [<see cref="StreamOffset"/>, <see cref="End"/>) of a stream, carried by frame <see cref="Frame"/>.</summary>
public readonly record struct StreamSegment(ulong StreamOffset, int Length, long Frame)
{
    public ulong End => StreamOffset + (ulong)Length;
}

/// <summary>
/// The provenance records that meet a range of stream offsets, each clipped to the range, in stream order. Gaps and
/// released bytes have no records. Enumerating allocates nothing; the view is valid until the reassembler is next fed
/// or released.
/// </summary>
public readonly struct StreamSegments
{
    private readonly SegmentLog? _log;
    private readonly ulong _from;
    private readonly ulong _to;

    internal StreamSegments(SegmentLog log, ulong from, ulong to)
    {
        _log = log;
        _from = from;
        _to = to;
    }

    public Enumerator GetEnumerator() => new(_log, _from, _to);

    /// <summary>Appends the distinct frame numbers of the range to <paramref name="frames"/> in stream order; returns how many it added.</summary>
    public int CopyFramesTo(List<long> frames)
    {
        int first = frames.Count;
        foreach (var s in this)
            if (frames.IndexOf(s.Frame, first) < 0) frames.Add(s.Frame);
        return frames.Count - first;
    }

    public struct Enumerator
    {
        private readonly SegmentLog? _log;
        private readonly ulong _from;
        private readonly ulong _to;
        private int _index;

        internal Enumerator(SegmentLog? log, ulong from, ulong to)
        {
            _log = log;
            _from = from;
            _to = to;
            _index = log is null || to <= from ? int.MaxValue - 1 : log.FirstEndingAfter(from) - 1;
            Current = default;
        }

        public StreamSegment Current { get; private set; }

        public bool MoveNext()
        {
            if (_log is null || _index >= _log.Count - 1) return false;
            var s = _log.At(++_index);
            if (s.StreamOffset >= _to) { _index = int.MaxValue - 1; return false; }
            ulong start = Math.Max(s.StreamOffset, _from), end = Math.Min(s.End, _to);
            Current = new StreamSegment(start, (int)(end - start), s.Frame);
            return true;
        }
    }
}
