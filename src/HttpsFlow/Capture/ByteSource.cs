using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace HttpsFlow.Capture;

/// <summary>
/// A bounded, growable read buffer over a stream, for the capture readers. A block is read whole into
/// the buffer and handed out as a span; the span stays valid until the next <see cref="Ensure"/> or
/// <see cref="Advance"/>. The buffer grows only as far as the largest block (capped by the reader),
/// so memory does not depend on the file's size.
/// </summary>
/// <remarks>
/// A large capture file on a machine with more than one core is read ahead by a thread of its own
/// (<see cref="ShouldReadAhead"/>): while the dissector works through one chunk, the next is read from the
/// file into another, so the reading (a fifth of the time of a packet list) overlaps the dissecting. The
/// chunks are read into the buffers the readers look at, each behind a reserved space where the end of
/// the previous chunk (a block cut at the chunk's edge) is copied: no byte is copied twice. Three chunks
/// of 1 MiB rotate, so memory stays bounded; a read error is handed over and thrown where it would have
/// been without the thread.
/// </remarks>
internal sealed class ByteSource : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _consumed; // absolute offset of _start
    private bool _eof;
    private readonly ReadAhead? _ahead;

    /// <summary>Files below this size are read on the dissecting thread (a thread is not worth starting).</summary>
    public const long ReadAheadMinimumLength = 8 << 20;

    /// <param name="stream">The input.</param>
    /// <param name="ownsStream">Dispose <paramref name="stream"/> with this.</param>
    /// <param name="initialSize">The first size of the buffer (without reading ahead).</param>
    /// <param name="readAhead">Read ahead on a thread (true), never (false), or when <see cref="ShouldReadAhead"/> says so (null).</param>
    public ByteSource(Stream stream, bool ownsStream, int initialSize = 1 << 18, bool? readAhead = null)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        if (readAhead ?? ShouldReadAhead(stream))
        {
            _ahead = new ReadAhead(stream);
            _buffer = [];
        }
        else _buffer = new byte[initialSize];
    }

    /// <summary>Read ahead on a thread: a seekable file of <see cref="ReadAheadMinimumLength"/> or more, more than one core, not turned off by HTTPSFLOW_READ_AHEAD=0.</summary>
    private static bool ShouldReadAhead(Stream stream)
    {
        if (Environment.ProcessorCount < 2 || Environment.GetEnvironmentVariable("HTTPSFLOW_READ_AHEAD") == "0") return false;
        try
        {
            return stream is FileStream { CanSeek: true } file && file.Length - file.Position >= ReadAheadMinimumLength;
        }
        catch (Exception e) when (e is IOException or NotSupportedException)
        {
            return false;
        }
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
        if (_ahead is not null) return EnsureAhead(count);
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

    /// <summary>Takes the next chunks read ahead until <paramref name="count"/> bytes are there, carrying the unread tail along.</summary>
    private bool EnsureAhead(int count)
    {
        while (_end - _start < count)
        {
            var chunk = _ahead!.Next();
            if (chunk.Error is not null)
            {
                _eof = true;
                chunk.Error.Throw();
            }
            if (chunk.Length == 0)
            {
                _ahead.Give(chunk.Buffer);
                _eof = true;
                return false;
            }
            int tail = _end - _start;
            if (tail <= ReadAhead.Reserve)
            {
                // The usual case: the few bytes left of the last chunk go just before the new one.
                Buffer.BlockCopy(_buffer, _start, chunk.Buffer, ReadAhead.Reserve - tail, tail);
                if (_buffer.Length == ReadAhead.ChunkArrayLength) _ahead.Give(_buffer);
                _buffer = chunk.Buffer;
                _start = ReadAhead.Reserve - tail;
                _end = ReadAhead.Reserve + chunk.Length;
            }
            else
            {
                // A block longer than the reserve: joined in an array of its own.
                var joined = new byte[tail + chunk.Length];
                Buffer.BlockCopy(_buffer, _start, joined, 0, tail);
                Buffer.BlockCopy(chunk.Buffer, ReadAhead.Reserve, joined, tail, chunk.Length);
                if (_buffer.Length == ReadAhead.ChunkArrayLength) _ahead.Give(_buffer);
                _ahead.Give(chunk.Buffer);
                _buffer = joined;
                _start = 0;
                _end = joined.Length;
            }
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
        _ahead?.Stop();
        if (_ownsStream) _stream.Dispose();
    }

    /// <summary>The thread that reads the next chunks while the current one is dissected.</summary>
    private sealed class ReadAhead
    {
        /// <summary>Space kept before each chunk's bytes for the end of the previous chunk.</summary>
        public const int Reserve = 256 << 10;
        public const int ChunkLength = 1 << 20;
        public const int ChunkArrayLength = Reserve + ChunkLength;
        private const int Chunks = 3;

        public readonly record struct Chunk(byte[] Buffer, int Length, ExceptionDispatchInfo? Error);

        private readonly Stream _stream;
        private readonly BlockingCollection<byte[]> _free = new(Chunks);
        private readonly BlockingCollection<Chunk> _filled = new(Chunks);
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private bool _stopped;

        public ReadAhead(Stream stream)
        {
            _stream = stream;
            // Pinned-object heap: outside the young generation the collector walks, and not zeroed first.
            for (int i = 0; i < Chunks; i++) _free.Add(GC.AllocateUninitializedArray<byte>(ChunkArrayLength, pinned: true));
            _thread = new Thread(Run) { IsBackground = true, Name = "httpsflow read-ahead" };
            _thread.Start();
        }

        private void Run()
        {
            try
            {
                while (true)
                {
                    var buffer = _free.Take(_stop.Token);
                    int length = 0;
                    ExceptionDispatchInfo? error = null;
                    try
                    {
                        while (length < ChunkLength)
                        {
                            int n = _stream.Read(buffer, Reserve + length, ChunkLength - length);
                            if (n <= 0) break;
                            length += n;
                        }
                    }
                    catch (Exception e)
                    {
                        error = ExceptionDispatchInfo.Capture(e);
                    }
                    if (error is not null)
                    {
                        // What was read before the error, then the error, thrown where the dissector asks for more.
                        if (length > 0) _filled.Add(new Chunk(buffer, length, null), _stop.Token);
                        _filled.Add(new Chunk([], 0, error), _stop.Token);
                        return;
                    }
                    if (length > 0) _filled.Add(new Chunk(buffer, length, null), _stop.Token);
                    if (length < ChunkLength)
                    {
                        // A short chunk is the last: the end of the file follows.
                        _filled.Add(new Chunk([], 0, null), _stop.Token);
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        /// <summary>The next chunk, waiting for it; a chunk of length 0 is the end.</summary>
        public Chunk Next() => _filled.Take();

        /// <summary>A chunk array the reader has finished with.</summary>
        public void Give(byte[] buffer)
        {
            if (buffer.Length == ChunkArrayLength) _free.TryAdd(buffer);
        }

        /// <summary>Stops the thread and waits for it, so that the stream can be closed.</summary>
        public void Stop()
        {
            if (_stopped) return;
            _stopped = true;
            _stop.Cancel();
            _thread.Join();
            _stop.Dispose();
            _free.Dispose();
            _filled.Dispose();
        }
    }
}
