using HttpsFlow.Common;

namespace HttpsFlow.Tls.Extensions;

/// <summary>
/// pre_shared_key (41).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.2.11
/// struct {
///     opaque identity&lt;1..2^16-1&gt;;
///     uint32 obfuscated_ticket_age;
/// } PskIdentity;
/// opaque PskBinderEntry&lt;32..255&gt;;
/// struct {
///     PskIdentity identities&lt;7..2^16-1&gt;;
///     PskBinderEntry binders&lt;33..2^16-1&gt;;
/// } OfferedPsks;
/// struct {
///     select (Handshake.msg_type) {
///         case client_hello: OfferedPsks;
///         case server_hello: uint16 selected_identity;
///     };
/// } PreSharedKeyExtension;
/// </code>
/// </remarks>
public readonly ref struct PreSharedKeyExtension
{
    private PreSharedKeyExtension(ParseStatus status, ReadOnlySpan<byte> identities, ReadOnlySpan<byte> binders, ushort selected, bool hasSelected)
    {
        Status = status;
        IdentitiesBytes = identities;
        BindersBytes = binders;
        SelectedIdentity = selected;
        HasSelectedIdentity = hasSelected;
    }

    public ParseStatus Status { get; }

    /// <summary>identities' bytes (ClientHello form).</summary>
    public ReadOnlySpan<byte> IdentitiesBytes { get; }

    /// <summary>binders' bytes (ClientHello form).</summary>
    public ReadOnlySpan<byte> BindersBytes { get; }

    /// <summary>The offered identities; one cut short ends the enumeration.</summary>
    public PskIdentities Identities => new(IdentitiesBytes);

    /// <summary>The binders, each a PskBinderEntry's bytes.</summary>
    public OpaqueList Binders => new(BindersBytes, 1);

    /// <summary>The index of the identity the server accepted (ServerHello form).</summary>
    public ushort SelectedIdentity { get; }

    public bool HasSelectedIdentity { get; }

    public static PreSharedKeyExtension Parse(ReadOnlySpan<byte> data, TlsHandshakeType context, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (context == TlsHandshakeType.ClientHello)
        {
            if (!ctx.ReadVector16(ref r, 7, ushort.MaxValue, out var ids))
                return new PreSharedKeyExtension(ParseStatus.Malformed, ids.Rest, default, 0, false);
            var idBytes = ids.Rest;
            while (!ids.IsEmpty)
            {
                if (!ctx.ReadVector16(ref ids, 1, ushort.MaxValue, out _))
                    return new PreSharedKeyExtension(ParseStatus.Malformed, idBytes, default, 0, false);
                if (!ids.TryReadUInt32(out _))
                {
                    ctx.Truncated(ids, "obfuscated_ticket_age", 4);
                    return new PreSharedKeyExtension(ParseStatus.Malformed, idBytes, default, 0, false);
                }
            }
            if (!ctx.ReadVector16(ref r, 33, ushort.MaxValue, out var binders))
                return new PreSharedKeyExtension(ParseStatus.Malformed, idBytes, binders.Rest, 0, false);
            var binderBytes = binders.Rest;
            var status = ParseStatus.Ok;
            while (!binders.IsEmpty)
            {
                if (!ctx.ReadVector8(ref binders, 32, byte.MaxValue, out _))
                {
                    status = ParseStatus.Malformed;
                    break;
                }
            }
            ctx.Trailing(r);
            return new PreSharedKeyExtension(status, idBytes, binderBytes, 0, false);
        }
        if (context == TlsHandshakeType.ServerHello)
        {
            if (!r.TryReadUInt16(out ushort selected))
            {
                ctx.Truncated(r, "selected_identity", 2);
                return new PreSharedKeyExtension(ParseStatus.Malformed, default, default, 0, false);
            }
            ctx.Trailing(r);
            return new PreSharedKeyExtension(ParseStatus.Ok, default, default, selected, true);
        }
        ctx.Trailing(r);
        return new PreSharedKeyExtension(ParseStatus.Ok, default, default, 0, false);
    }
}

/// <summary>One PskIdentity (RFC 8446 §4.2.11).</summary>
public readonly ref struct PskIdentity
{
    internal PskIdentity(ReadOnlySpan<byte> identity, uint obfuscatedTicketAge)
    {
        Identity = identity;
        ObfuscatedTicketAge = obfuscatedTicketAge;
    }

    public ReadOnlySpan<byte> Identity { get; }

    public uint ObfuscatedTicketAge { get; }
}

/// <summary>The identities of an OfferedPsks.</summary>
public readonly ref struct PskIdentities
{
    private readonly ReadOnlySpan<byte> _bytes;

    internal PskIdentities(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public int Count
    {
        get
        {
            int n = 0;
            foreach (var _ in this) n++;
            return n;
        }
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

        public PskIdentity Current { get; private set; }

        public bool MoveNext()
        {
            if (!_r.TryReadUInt16(out ushort length)) return false;
            _r.TryReadBytes(Math.Min(length, _r.Remaining), out var identity);
            if (!_r.TryReadUInt32(out uint age)) age = 0;
            Current = new PskIdentity(identity, age);
            return true;
        }
    }
}
