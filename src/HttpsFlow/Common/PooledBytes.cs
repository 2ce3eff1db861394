using System.Buffers;

namespace HttpsFlow.Common;

/// <summary>
/// A growable byte buffer whose array is rented from <see cref="ArrayPool{T}.Shared"/> on the first write and given
/// back by <see cref="Release"/>. For per-connection buffers that live for a few packets (a handshake transcript,
/// a decrypted handshake message in pieces): thousands of connections share a few arrays instead of each leaving
/// one behind for the collector, so a long capture touches no new memory for them.
/// </summary>
internal sealed class PooledBytes
{
    private byte[]? _array;
    private int _length;
    private readonly int _initialSize;

    /// <param name="initialSize">The size first rented (the pool rounds it up to a power of two).</param>
    public PooledBytes(int initialSize = 256) => _initialSize = initialSize;

    /// <summary>Bytes written since the last <see cref="Clear"/>.</summary>
    public int Length => _length;

    /// <summary>The bytes written; valid until the next write, <see cref="Clear"/> or <see cref="Release"/>.</summary>
    public ReadOnlySpan<byte> Span => _array is null ? default : _array.AsSpan(0, _length);

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        int needed = _length + bytes.Length;
        if (_array is null) _array = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _initialSize));
        else if (needed > _array.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array.Length * 2));
            _array.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_array);
            _array = larger;
        }
        bytes.CopyTo(_array.AsSpan(_length));
        _length = needed;
    }

    /// <summary>Empties the buffer, keeping its array.</summary>
    public void Clear() => _length = 0;

    /// <summary>Keeps only the bytes from <paramref name="start"/> on (what is left of a message in pieces).</summary>
    public void RemoveStart(int start)
    {
        if (_array is null || start <= 0) return;
        start = Math.Min(start, _length);
        _array.AsSpan(start, _length - start).CopyTo(_array);
        _length -= start;
    }

    /// <summary>Empties the buffer and gives its array back to the pool; a later write rents again.</summary>
    public void Release()
    {
        _length = 0;
        if (_array is null) return;
        ArrayPool<byte>.Shared.Return(_array);
        _array = null;
    }
}
