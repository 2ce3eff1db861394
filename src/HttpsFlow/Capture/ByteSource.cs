using System.Runtime.CompilerServices;
namespace HttpsFlow.Capture;

/// <summary>
/// A bounded, growable read buffer over a stream, for the capture readers. A block is read whole into
/// the buffer and handed out as a span; the span stays valid until the next <see cref="Ensure"/> or
/// <see cref="Advance"/>. The buffer grows only as far as the largest block (capped by the reader),
/// so memory does not depend on the file's size.
/// </summary>
internal sealed class ByteSource : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _consumed; // absolute offset of _start
    private bool _eof;

    public ByteSource(Stream stream, bool ownsStream, int initialSize = 1 << 18)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        _buffer = new byte[initialSize];
    }

    /// <summary>Byte offset in the (decompressed) input of the first unconsumed byte.</summary>
    public long Offset => _consumed;

    /// <summary>Unconsumed bytes already buffered.</summary>
    public int Available => _end - _start;

    /// <summary>The unconsumed bytes already buffered.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(_start, _end - _start);

    /// <summary>
    /// Makes at least <paramref name="count"/> bytes available. Returns false at the end of the input
    /// (then <see cref="Available"/> says how many were left).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Ensure(int count)
    {
        if (_end - _start >= count) return true;
        if (_eof) return false;
        if (count > _buffer.Length - _start)
        {
            if (count > _buffer.Length)
            {
                var bigger = new byte[Math.Max(count, Math.Min(_buffer.Length * 2, int.MaxValue / 2))];
                Buffer.BlockCopy(_buffer, _start, bigger, 0, _end - _start);
                _buffer = bigger;
            }
            else
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            }
            _end -= _start;
            _start = 0;
        }
        while (_end - _start < count)
        {
            int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n <= 0) { _eof = true; return false; }
            _end += n;
        }
        return true;
    }

    public void Advance(int count)
    {
        _start += count;
        _consumed += count;
    }

    /// <summary>Skips <paramref name="count"/> bytes, reading through them without keeping them.</summary>
    public bool Skip(long count)
    {
        while (count > 0)
        {
            if (Available == 0 && !Ensure(1)) return false;
            int step = (int)Math.Min(count, Available);
            Advance(step);
            count -= step;
        }
        return true;
    }

    public void Dispose()
    {
        if (_ownsStream) _stream.Dispose();
    }
}
