using HttpsFlow.Common;

namespace HttpsFlow.Tls.Extensions;

/// <summary>
/// key_share (51).
/// </summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.2.8
/// struct {
///     NamedGroup group;
///     opaque key_exchange&lt;1..2^16-1&gt;;
/// } KeyShareEntry;
/// struct {
///     KeyShareEntry client_shares&lt;0..2^16-1&gt;;
/// } KeyShareClientHello;
/// struct {
///     NamedGroup selected_group;
/// } KeyShareHelloRetryRequest;
/// struct {
///     KeyShareEntry server_share;
/// } KeyShareServerHello;
/// </code>
/// </remarks>
public readonly ref struct KeyShareExtension
{
    private KeyShareExtension(ParseStatus status, TlsHandshakeType context, ReadOnlySpan<byte> shares, KeyShareEntry server, NamedGroup selected, bool hasSelected)
    {
        Status = status;
        Context = context;
        ClientSharesBytes = shares;
        ServerShare = server;
        SelectedGroup = selected;
        HasSelectedGroup = hasSelected;
    }

    public ParseStatus Status { get; }

    /// <summary>The message the extension was read for.</summary>
    public TlsHandshakeType Context { get; }

    /// <summary>client_shares' bytes (ClientHello form).</summary>
    public ReadOnlySpan<byte> ClientSharesBytes { get; }

    /// <summary>The client's shares, in order; one cut short ends the enumeration.</summary>
    public KeyShareEntries ClientShares => new(ClientSharesBytes);

    /// <summary>The server's share (ServerHello form).</summary>
    public KeyShareEntry ServerShare { get; }

    /// <summary>The group the server asks for (HelloRetryRequest form).</summary>
    public NamedGroup SelectedGroup { get; }

    public bool HasSelectedGroup { get; }

    /// <param name="data">The extension data.</param>
    /// <param name="context">ClientHello, ServerHello, or HelloRetryRequest (a ServerHello with the special random).</param>
    /// <param name="notes">Where notes go; null for none.</param>
    public static KeyShareExtension Parse(ReadOnlySpan<byte> data, TlsHandshakeType context, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (data.IsEmpty) return new KeyShareExtension(ParseStatus.Ok, context, default, default, default, false);
        switch (context)
        {
            case TlsHandshakeType.ClientHello:
            {
                if (!ctx.ReadVector16(ref r, 0, ushort.MaxValue, out var list))
                    return new KeyShareExtension(ParseStatus.Malformed, context, list.Rest, default, default, false);
                var bytes = list.Rest;
                // ssl_dissect_hnd_hello_ext_key_share: entries while at least four bytes remain.
                while (list.Remaining >= 4)
                {
                    if (!ReadEntry(ref list, ctx, out _))
                        return new KeyShareExtension(ParseStatus.Malformed, context, bytes, default, default, false);
                }
                ctx.Trailing(list);
                ctx.Trailing(r);
                return new KeyShareExtension(ParseStatus.Ok, context, bytes, default, default, false);
            }
            case TlsHandshakeType.ServerHello:
            {
                bool ok = ReadEntry(ref r, ctx, out var entry);
                if (ok) ctx.Trailing(r);
                return new KeyShareExtension(ok ? ParseStatus.Ok : ParseStatus.Malformed, context, default, entry, default, false);
            }
            case TlsHandshakeType.HelloRetryRequest:
            {
                if (!r.TryReadUInt16(out ushort group))
                {
                    ctx.Truncated(r, "Selected Group", 2);
                    return new KeyShareExtension(ParseStatus.Malformed, context, default, default, default, false);
                }
                ctx.Trailing(r);
                return new KeyShareExtension(ParseStatus.Ok, context, default, default, new NamedGroup(group), true);
            }
            default:
                ctx.Trailing(r);
                return new KeyShareExtension(ParseStatus.Ok, context, default, default, default, false);
        }
    }

    private static bool ReadEntry(scoped ref WireReader r, scoped in TlsParseContext ctx, out KeyShareEntry entry)
    {
        entry = default;
        if (!r.TryReadUInt16(out ushort group))
        {
            ctx.Truncated(r, "Key Share Entry group", 2);
            return false;
        }
        bool ok = ctx.ReadVector16(ref r, 1, ushort.MaxValue, out var key);
        entry = new KeyShareEntry(new NamedGroup(group), key.Rest);
        return ok;
    }
}

/// <summary>One KeyShareEntry (RFC 8446 §4.2.8).</summary>
public readonly ref struct KeyShareEntry
{
    internal KeyShareEntry(NamedGroup group, ReadOnlySpan<byte> keyExchange)
    {
        Group = group;
        KeyExchange = keyExchange;
    }

    public NamedGroup Group { get; }

    public ReadOnlySpan<byte> KeyExchange { get; }
}

/// <summary>The KeyShareEntry items of client_shares.</summary>
public readonly ref struct KeyShareEntries
{
    private readonly ReadOnlySpan<byte> _bytes;

    internal KeyShareEntries(ReadOnlySpan<byte> bytes) => _bytes = bytes;

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

        public KeyShareEntry Current { get; private set; }

        public bool MoveNext()
        {
            if (_r.Remaining < 4) return false;
            _r.TryReadUInt16(out ushort group);
            _r.TryReadUInt16(out ushort length);
            _r.TryReadBytes(Math.Min(length, _r.Remaining), out var key);
            Current = new KeyShareEntry(new NamedGroup(group), key);
            return true;
        }
    }
}
