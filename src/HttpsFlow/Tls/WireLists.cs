using HttpsFlow.Common;

namespace HttpsFlow.Tls;

/// <summary>A two-byte wire value with a typed wrapper (cipher suite, group, signature scheme, extension type).</summary>
public interface IWireValue16<TSelf> where TSelf : struct, IWireValue16<TSelf>
{
    static abstract TSelf FromWire(ushort value);
}

/// <summary>
/// A vector of two-byte values (RFC 8446 §3.4), read on demand from the bytes. A last odd byte is not an element
/// (the parser that made the list notes it). Valid as long as the bytes it views.
/// </summary>
public readonly ref struct List16<T> where T : struct, IWireValue16<T>
{
    private readonly ReadOnlySpan<byte> _bytes;

    public List16(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>The vector's bytes (without its length prefix).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    public int Count => _bytes.Length / 2;

    public bool IsEmpty => Count == 0;

    public T this[int index]
    {
        get
        {
            var r = new WireReader(_bytes.Slice(checked(index * 2), 2));
            r.TryReadUInt16(out ushort v);
            return T.FromWire(v);
        }
    }

    public bool Contains(T value)
    {
        foreach (var v in this)
            if (v.Equals(value)) return true;
        return false;
    }

    public T[] ToArray()
    {
        var a = new T[Count];
        int i = 0;
        foreach (var v in this) a[i++] = v;
        return a;
    }

    public Enumerator GetEnumerator() => new(_bytes);

    public ref struct Enumerator
    {
        private WireReader _r;

        internal Enumerator(ReadOnlySpan<byte> bytes)
        {
            _r = new WireReader(bytes);
            Current = default;
        }

        public T Current { get; private set; }

        public bool MoveNext()
        {
            if (!_r.TryReadUInt16(out ushort v)) return false;
            Current = T.FromWire(v);
            return true;
        }
    }
}

/// <summary>A vector of plain two-byte numbers (protocol versions, compression algorithms).</summary>
public readonly ref struct UInt16List
{
    private readonly ReadOnlySpan<byte> _bytes;

    public UInt16List(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public ReadOnlySpan<byte> Bytes => _bytes;

    public int Count => _bytes.Length / 2;

    public ushort this[int index]
    {
        get
        {
            var r = new WireReader(_bytes.Slice(checked(index * 2), 2));
            r.TryReadUInt16(out ushort v);
            return v;
        }
    }

    public bool Contains(ushort value)
    {
        foreach (ushort v in this)
            if (v == value) return true;
        return false;
    }

    public ushort[] ToArray()
    {
        var a = new ushort[Count];
        int i = 0;
        foreach (ushort v in this) a[i++] = v;
        return a;
    }

    public Enumerator GetEnumerator() => new(_bytes);

    public ref struct Enumerator
    {
        private WireReader _r;

        internal Enumerator(ReadOnlySpan<byte> bytes)
        {
            _r = new WireReader(bytes);
            Current = 0;
        }

        public ushort Current { get; private set; }

        public bool MoveNext()
        {
            if (!_r.TryReadUInt16(out ushort v)) return false;
            Current = v;
            return true;
        }
    }
}

/// <summary>
/// A vector of variable-length items each with a length prefix of 1, 2 or 3 bytes (ALPN names, distinguished names,
/// OCSP responses, SCTs): enumerates the items' bodies. An item whose length runs past the end is yielded cut to what
/// is there and ends the enumeration (the parser that made the list notes it).
/// </summary>
public readonly ref struct OpaqueList
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly byte _prefix;

    public OpaqueList(ReadOnlySpan<byte> bytes, int prefixLength)
    {
        _bytes = bytes;
        _prefix = (byte)Math.Clamp(prefixLength, 1, 3);
    }

    public ReadOnlySpan<byte> Bytes => _bytes;

    public int Count
    {
        get
        {
            int n = 0;
            foreach (var _ in this) n++;
            return n;
        }
    }

    /// <summary>The first item, or an empty span.</summary>
    public ReadOnlySpan<byte> First
    {
        get
        {
            foreach (var item in this) return item;
            return default;
        }
    }

    public byte[][] ToArray()
    {
        var list = new List<byte[]>();
        foreach (var item in this) list.Add(item.ToArray());
        return list.ToArray();
    }

    public Enumerator GetEnumerator() => new(_bytes, _prefix);

    public ref struct Enumerator
    {
        private WireReader _r;
        private readonly int _prefix;

        internal Enumerator(ReadOnlySpan<byte> bytes, int prefix)
        {
            _r = new WireReader(bytes);
            _prefix = prefix;
            Current = default;
        }

        public ReadOnlySpan<byte> Current { get; private set; }

        public bool MoveNext()
        {
            uint len;
            switch (_prefix)
            {
                case 1:
                    if (!_r.TryReadUInt8(out byte b)) return false;
                    len = b;
                    break;
                case 2:
                    if (!_r.TryReadUInt16(out ushort s)) return false;
                    len = s;
                    break;
                default:
                    if (!_r.TryReadUInt24(out len)) return false;
                    break;
            }
            int take = (int)Math.Min(len, (uint)_r.Remaining);
            _r.TryReadBytes(take, out var item);
            Current = item;
            return true;
        }
    }
}
