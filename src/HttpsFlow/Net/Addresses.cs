using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace HttpsFlow.Net;

/// <summary>An IPv4 or IPv6 address held by value (no allocation), comparable and hashable.</summary>
public readonly struct IpAddress : IEquatable<IpAddress>
{
    private readonly ulong _hi;
    private readonly ulong _lo;
    private readonly bool _v6;

    private IpAddress(ulong hi, ulong lo, bool v6)
    {
        _hi = hi;
        _lo = lo;
        _v6 = v6;
    }

    public bool IsV6 => _v6;

    public static IpAddress FromV4(ReadOnlySpan<byte> four) => new(0, BinaryPrimitives.ReadUInt32BigEndian(four), false);

    public static IpAddress FromV6(ReadOnlySpan<byte> sixteen) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(sixteen), BinaryPrimitives.ReadUInt64BigEndian(sixteen[8..]), true);

    public uint V4 => (uint)_lo;

    public void WriteV6(Span<byte> sixteen)
    {
        BinaryPrimitives.WriteUInt64BigEndian(sixteen, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(sixteen[8..], _lo);
    }

    public bool Equals(IpAddress other) => _hi == other._hi && _lo == other._lo && _v6 == other._v6;

    public override bool Equals(object? obj) => obj is IpAddress a && Equals(a);

    public override int GetHashCode() => HashCode.Combine(_hi, _lo, _v6);

    public static bool operator ==(IpAddress a, IpAddress b) => a.Equals(b);

    public static bool operator !=(IpAddress a, IpAddress b) => !a.Equals(b);

    /// <summary>Orders addresses (v4 before v6, then numerically); used to key conversations.</summary>
    public int CompareTo(IpAddress other)
    {
        if (_v6 != other._v6) return _v6 ? 1 : -1;
        int c = _hi.CompareTo(other._hi);
        return c != 0 ? c : _lo.CompareTo(other._lo);
    }

    /// <summary>Formats as Wireshark does: dotted quad, or RFC 5952 text for IPv6.</summary>
    public bool TryFormat(Span<char> dest, out int written)
    {
        if (!_v6) return AddressFormat.TryFormatV4(V4, dest, out written);
        Span<byte> b = stackalloc byte[16];
        WriteV6(b);
        return AddressFormat.TryFormatV6(b, dest, out written);
    }

    public override string ToString()
    {
        Span<char> buf = stackalloc char[48];
        return TryFormat(buf, out int n) ? new string(buf[..n]) : "?";
    }
}

/// <summary>Text forms of link and network addresses, written into spans without allocating.</summary>
public static class AddressFormat
{
    public static bool TryFormatV4(uint address, Span<char> dest, out int written)
    {
        written = 0;
        for (int i = 3; i >= 0; i--)
        {
            uint octet = (address >> (i * 8)) & 0xff;
            if (!octet.TryFormat(dest[written..], out int n)) return false;
            written += n;
            if (i > 0)
            {
                if (written >= dest.Length) return false;
                dest[written++] = '.';
            }
        }
        return true;
    }

    /// <summary>
    /// RFC 5952: lower-case hex, leading zeros dropped, the longest run of two or more zero groups (the first
    /// of equal runs) replaced by "::". IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible addresses end in a
    /// dotted quad, as Wireshark's ws_inet_ntop6 writes them.
    /// </summary>
    public static bool TryFormatV6(ReadOnlySpan<byte> a, Span<char> dest, out int written)
    {
        written = 0;
        Span<ushort> g = stackalloc ushort[8];
        for (int i = 0; i < 8; i++) g[i] = BinaryPrimitives.ReadUInt16BigEndian(a[(i * 2)..]);

        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8;)
        {
            if (g[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        if (bestLen < 2) bestStart = -1;

        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses end in a dotted quad.
        bool mapped = bestStart == 0 && bestLen == 5 && g[5] == 0xffff;
        bool compatible = bestStart == 0 && bestLen == 6;
        if (mapped || compatible)
        {
            ReadOnlySpan<char> prefix = mapped ? "::ffff:" : "::";
            if (!prefix.TryCopyTo(dest)) return false;
            written = prefix.Length;
            if (!TryFormatV4(BinaryPrimitives.ReadUInt32BigEndian(a[12..]), dest[written..], out int q)) return false;
            written += q;
            return true;
        }

        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                // "::" stands for the run; a group before it has already written one ':'.
                if (i == 0 && !Put(dest, ref written, ':')) return false;
                if (!Put(dest, ref written, ':')) return false;
                i += bestLen - 1;
                continue;
            }
            if (!g[i].TryFormat(dest[written..], out int n, "x")) return false;
            written += n;
            if (i < 7 && !Put(dest, ref written, ':')) return false;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Put(Span<char> dest, ref int written, char c)
    {
        if (written >= dest.Length) return false;
        dest[written++] = c;
        return true;
    }

    private const string Hex = "0123456789abcdef";

    /// <summary>A MAC address as six colon-separated lower-case hex octets.</summary>
    public static bool TryFormatMac(ReadOnlySpan<byte> mac, Span<char> dest, out int written)
    {
        written = 0;
        if (dest.Length < mac.Length * 3 - 1) return false;
        for (int i = 0; i < mac.Length; i++)
        {
            if (i > 0) dest[written++] = ':';
            dest[written++] = Hex[mac[i] >> 4];
            dest[written++] = Hex[mac[i] & 0xf];
        }
        return true;
    }
}
