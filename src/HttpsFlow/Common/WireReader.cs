using System.Buffers.Binary;

namespace HttpsFlow.Common;

/// <summary>
/// A forward-only reader over network-order (big-endian) bytes. Every read is bounds-checked and
/// returns false instead of throwing, so a parser over hostile bytes cannot fail by indexing.
/// Vectors (length-prefixed sub-ranges) come back as nested readers bounded to the vector.
/// </summary>
public ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    public WireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _pos;

    /// <summary>Bytes not yet consumed.</summary>
    public readonly int Remaining => _data.Length - _pos;

    public readonly bool IsEmpty => _pos >= _data.Length;

    /// <summary>The unconsumed bytes.</summary>
    public readonly ReadOnlySpan<byte> Rest => _data[_pos..];

    public bool TryReadUInt8(out byte value)
    {
        if (Remaining < 1) { value = 0; return false; }
        value = _data[_pos++];
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (Remaining < 2) { value = 0; return false; }
        value = BinaryPrimitives.ReadUInt16BigEndian(_data[_pos..]);
        _pos += 2;
        return true;
    }

    public bool TryReadUInt24(out uint value)
    {
        if (Remaining < 3) { value = 0; return false; }
        value = (uint)(_data[_pos] << 16 | _data[_pos + 1] << 8 | _data[_pos + 2]);
        _pos += 3;
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (Remaining < 4) { value = 0; return false; }
        value = BinaryPrimitives.ReadUInt32BigEndian(_data[_pos..]);
        _pos += 4;
        return true;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> bytes)
    {
        if (count < 0 || Remaining < count) { bytes = default; return false; }
        bytes = _data.Slice(_pos, count);
        _pos += count;
        return true;
    }

    public bool TrySkip(int count)
    {
        if (count < 0 || Remaining < count) return false;
        _pos += count;
        return true;
    }

    /// <summary>Reads a vector with a one-byte length prefix.</summary>
    public bool TryReadVector8(out WireReader inner)
    {
        inner = default;
        int start = _pos;
        if (!TryReadUInt8(out byte len)) return false;
        if (!TryReadBytes(len, out var body)) { _pos = start; return false; }
        inner = new WireReader(body);
        return true;
    }

    /// <summary>Reads a vector with a two-byte length prefix.</summary>
    public bool TryReadVector16(out WireReader inner)
    {
        inner = default;
        int start = _pos;
        if (!TryReadUInt16(out ushort len)) return false;
        if (!TryReadBytes(len, out var body)) { _pos = start; return false; }
        inner = new WireReader(body);
        return true;
    }

    /// <summary>Reads a vector with a three-byte length prefix.</summary>
    public bool TryReadVector24(out WireReader inner)
    {
        inner = default;
        int start = _pos;
        if (!TryReadUInt24(out uint len)) return false;
        if (len > int.MaxValue || !TryReadBytes((int)len, out var body)) { _pos = start; return false; }
        inner = new WireReader(body);
        return true;
    }
}
