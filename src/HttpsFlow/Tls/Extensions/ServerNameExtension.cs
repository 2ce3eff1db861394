using System.Text;
using HttpsFlow.Common;

namespace HttpsFlow.Tls.Extensions;

/// <summary>
/// server_name (0).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 6066 §3
/// struct {
///     NameType name_type;
///     select (name_type) {
///         case host_name: HostName;
///     } name;
/// } ServerName;
/// enum { host_name(0), (255) } NameType;
/// opaque HostName&lt;1..2^16-1&gt;;
/// struct {
///     ServerName server_name_list&lt;1..2^16-1&gt;
/// } ServerNameList;
/// </code>
/// A server acknowledges the name with empty extension data (<see cref="IsEmpty"/>).
/// </remarks>
public readonly ref struct ServerNameExtension
{
    private ServerNameExtension(ParseStatus status, ReadOnlySpan<byte> list)
    {
        Status = status;
        ListBytes = list;
    }

    public ParseStatus Status { get; }

    /// <summary>server_name_list's bytes (cut short when malformed).</summary>
    public ReadOnlySpan<byte> ListBytes { get; }

    /// <summary>Empty extension data: a server's acknowledgement.</summary>
    public bool IsEmpty => ListBytes.IsEmpty;

    /// <summary>The entries, in order; a name cut short ends the enumeration.</summary>
    public Enumerator GetEnumerator() => new(ListBytes);

    /// <summary>The first host_name entry's bytes (tshark shows them as ASCII), or an empty span.</summary>
    public ReadOnlySpan<byte> HostNameBytes
    {
        get
        {
            foreach (var e in this)
                if (e.NameType == 0) return e.Name;
            return default;
        }
    }

    /// <summary>The first host_name as text (bytes outside ASCII become '?'), or null.</summary>
    public string? HostName => HostNameBytes.IsEmpty ? null : Encoding.ASCII.GetString(HostNameBytes);

    public static ServerNameExtension Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        if (data.IsEmpty) return new ServerNameExtension(ParseStatus.Ok, default);
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (!ctx.ReadVector16(ref r, 1, ushort.MaxValue, out var list))
            return new ServerNameExtension(ParseStatus.Malformed, list.Rest);
        var bytes = list.Rest;
        var status = ParseStatus.Ok;
        while (!list.IsEmpty)
        {
            list.TryReadUInt8(out _);
            if (!ctx.ReadVector16(ref list, 1, ushort.MaxValue, out _))
            {
                status = ParseStatus.Malformed;
                return new ServerNameExtension(status, bytes);
            }
        }
        ctx.Trailing(r);
        return new ServerNameExtension(status, bytes);
    }

    public readonly ref struct Entry
    {
        internal Entry(byte nameType, ReadOnlySpan<byte> name)
        {
            NameType = nameType;
            Name = name;
        }

        /// <summary>0 for host_name.</summary>
        public byte NameType { get; }

        public ReadOnlySpan<byte> Name { get; }
    }

    public ref struct Enumerator
    {
        private WireReader _r;

        internal Enumerator(ReadOnlySpan<byte> list)
        {
            _r = new WireReader(list);
            Current = default;
        }

        public Entry Current { get; private set; }

        public bool MoveNext()
        {
            if (!_r.TryReadUInt8(out byte type)) return false;
            if (!_r.TryReadUInt16(out ushort length)) return false;
            _r.TryReadBytes(Math.Min(length, _r.Remaining), out var name);
            Current = new Entry(type, name);
            return true;
        }
    }
}
