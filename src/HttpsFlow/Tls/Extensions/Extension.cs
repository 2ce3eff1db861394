using HttpsFlow.Common;

namespace HttpsFlow.Tls.Extensions;

/// <summary>One extension: its type and its data, kept raw; the typed parsers in this folder read the data on demand.</summary>
/// <remarks>
/// <code>
/// // RFC 8446 §4.2
/// struct {
///     ExtensionType extension_type;
///     opaque extension_data&lt;0..2^16-1&gt;;
/// } Extension;
/// </code>
/// </remarks>
public readonly ref struct Extension
{
    internal Extension(ExtensionType type, int declaredLength, ReadOnlySpan<byte> data, int offset)
    {
        Type = type;
        DeclaredLength = declaredLength;
        Data = data;
        Offset = offset;
    }

    public ExtensionType Type { get; }

    /// <summary>extension_data's length as declared.</summary>
    public int DeclaredLength { get; }

    /// <summary>extension_data (cut to what is there when the declared length runs past the end).</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>True when the declared length ran past the end of the extensions block.</summary>
    public bool IsTruncated => Data.Length < DeclaredLength;

    /// <summary>Offset of the extension's type field within the span its list was parsed from (e.g. the message body).</summary>
    public int Offset { get; }

    /// <summary>Offset of <see cref="Data"/> within the span its list was parsed from.</summary>
    public int DataOffset => Offset + 4;

    public bool IsGrease => Type.IsGrease;
}

/// <summary>
/// A block of extensions (RFC 8446 §4.2: <c>Extension extensions&lt;0..2^16-1&gt;</c>), validated once when made and then
/// enumerated lazily. As in tshark: an extensions length that runs past its container makes the list empty (the
/// bytes are kept in <see cref="Bytes"/>); an extension whose data runs past the end is the last one, cut short;
/// one to three bytes after the last whole extension are trailing data.
/// </summary>
public readonly ref struct ExtensionList
{
    private readonly ReadOnlySpan<byte> _walk;

    private ExtensionList(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> walk, int baseOffset, bool present, int declaredLength, ParseStatus status)
    {
        Bytes = bytes;
        _walk = walk;
        BaseOffset = baseOffset;
        IsPresent = present;
        DeclaredLength = declaredLength;
        Status = status;
    }

    /// <summary>The block's bytes after its two-byte length.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>Offset of <see cref="Bytes"/> in the span the enclosing parser was given.</summary>
    public int BaseOffset { get; }

    /// <summary>False when the message had no extensions block at all (allowed before TLS 1.3: RFC 5246 §7.4.1.2).</summary>
    public bool IsPresent { get; }

    /// <summary>The block's declared length (-1 when absent or unreadable).</summary>
    public int DeclaredLength { get; }

    /// <summary><see cref="ParseStatus.Malformed"/> when a length ran past the end.</summary>
    public ParseStatus Status { get; }

    public int Count
    {
        get
        {
            int n = 0;
            foreach (var _ in this) n++;
            return n;
        }
    }

    /// <summary>The first extension of <paramref name="type"/>.</summary>
    public bool TryFind(ExtensionType type, out Extension extension)
    {
        foreach (var e in this)
        {
            if (e.Type == type)
            {
                extension = e;
                return true;
            }
        }
        extension = default;
        return false;
    }

    public bool Contains(ExtensionType type) => TryFind(type, out _);

    /// <summary>The extension types in order (allocates; for tests and summaries).</summary>
    public ushort[] Types()
    {
        var list = new List<ushort>();
        foreach (var e in this) list.Add(e.Type.Value);
        return list.ToArray();
    }

    public Enumerator GetEnumerator() => new(_walk, BaseOffset);

    /// <summary>Parses a block starting at its two-byte length; <paramref name="block"/> may run past the block (the rest is ignored).</summary>
    public static ExtensionList Parse(ReadOnlySpan<byte> block, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(block, notes);
        var r = new WireReader(block);
        return Read(ref r, ctx);
    }

    /// <summary>The same list with its offsets moved by <paramref name="delta"/> (for a list parsed from a sub-span).</summary>
    internal static ExtensionList Rebase(ExtensionList list, int delta) =>
        new(list.Bytes, list._walk, list.BaseOffset + delta, list.IsPresent, list.DeclaredLength, list.Status);

    /// <summary>An absent block.</summary>
    public static ExtensionList None => new(default, default, 0, false, -1, ParseStatus.Ok);

    internal static ExtensionList Read(scoped ref WireReader r, scoped in TlsParseContext ctx, int min = 0)
    {
        bool whole = ctx.ReadVector16(ref r, min, ushort.MaxValue, out var inner, out int declared);
        var bytes = inner.Rest;
        int baseOffset = ctx.OffsetOf(bytes);
        if (!whole)
        {
            // ssl_dissect_hnd_extension gives up on the whole block when its length is wrong.
            return new ExtensionList(bytes, default, baseOffset, true, bytes.IsEmpty && declared == 0 ? -1 : declared, ParseStatus.Malformed);
        }
        var status = ParseStatus.Ok;
        var w = inner;
        while (w.Remaining >= 4)
        {
            w.TrySkip(2);
            if (!ctx.ReadVector16(ref w, 0, ushort.MaxValue, out _, out _))
            {
                status = ParseStatus.Malformed;
                break;
            }
        }
        ctx.Trailing(w);
        return new ExtensionList(bytes, bytes, baseOffset, true, declared, status);
    }

    public ref struct Enumerator
    {
        private WireReader _r;
        private readonly int _base;

        internal Enumerator(ReadOnlySpan<byte> walk, int baseOffset)
        {
            _r = new WireReader(walk);
            _base = baseOffset;
            Current = default;
        }

        public Extension Current { get; private set; }

        public bool MoveNext()
        {
            if (_r.Remaining < 4) return false;
            int at = _r.Position;
            _r.TryReadUInt16(out ushort type);
            _r.TryReadUInt16(out ushort length);
            int take = Math.Min(length, _r.Remaining);
            _r.TryReadBytes(take, out var data);
            Current = new Extension(new ExtensionType(type), length, data, _base + at);
            return true;
        }
    }
}
