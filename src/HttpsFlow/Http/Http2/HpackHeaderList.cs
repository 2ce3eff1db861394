using System.Text;

namespace HttpsFlow.Http.Http2;

/// <summary>How a header field was represented in its block (RFC 7541 §6), named as tshark's http2.header.repr.</summary>
public enum HpackRepresentation : byte
{
    Indexed,
    IncrementalIndexingIndexedName,
    IncrementalIndexingNewName,
    WithoutIndexingIndexedName,
    WithoutIndexingNewName,
    NeverIndexedIndexedName,
    NeverIndexedNewName,
}

/// <summary>The outcome of decoding one header block.</summary>
public enum HpackBlockStatus : byte
{
    /// <summary>Decoded; some fields may still have been left out for a limit (<see cref="HpackHeaderList.Truncated"/>).</summary>
    Ok,
    /// <summary>The block breaks RFC 7541; the fields before the error are kept, and the decoder has failed.</summary>
    Malformed,
    /// <summary>Not decoded: an earlier block failed, so the dynamic table is no longer known.</summary>
    Undecodable,
}

/// <summary>One decoded header field; the spans are valid until the list is reused.</summary>
public readonly ref struct HpackHeaderField
{
    internal HpackHeaderField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, HpackRepresentation representation, int index)
    {
        Name = name;
        Value = value;
        Representation = representation;
        Index = index;
    }

    public ReadOnlySpan<byte> Name { get; }
    public ReadOnlySpan<byte> Value { get; }
    public HpackRepresentation Representation { get; }
    /// <summary>The table index the field or its name came from (tshark's http2.header.index); 0 for a new name.</summary>
    public int Index { get; }
}

/// <summary>
/// The header fields decoded from one header block, in order, with what went wrong. One instance is reused block after
/// block (it keeps its storage), so decoding allocates nothing once it has grown; its size is bounded by
/// <see cref="HpackLimits.MaxHeaderListSize"/> and <see cref="HpackLimits.MaxHeaderCount"/>.
/// </summary>
public sealed class HpackHeaderList
{
    private struct Field
    {
        public int Offset;
        public int NameLength;
        public int ValueLength;
        public HpackRepresentation Representation;
        public int Index;
    }

    /// <summary>Table size updates kept per block; more are applied but not listed.</summary>
    public const int MaxSizeUpdatesKept = 16;

    private byte[] _bytes = new byte[256];
    private int _used;
    private Field[] _fields = new Field[16];
    private int _count;
    private readonly List<Http2Note> _notes = [];
    private readonly int[] _sizeUpdates = new int[MaxSizeUpdatesKept];
    private int _sizeUpdateCount;

    /// <summary>The fields kept.</summary>
    public int Count => _count;

    public HpackHeaderField this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
            ref readonly var f = ref _fields[index];
            return new HpackHeaderField(_bytes.AsSpan(f.Offset, f.NameLength), _bytes.AsSpan(f.Offset + f.NameLength, f.ValueLength), f.Representation, f.Index);
        }
    }

    public HpackBlockStatus Status { get; internal set; }

    /// <summary>Fields were decoded but not kept because a limit was reached (the decoder stays in step).</summary>
    public bool Truncated { get; internal set; }

    /// <summary>Every field the block decoded to, kept or not.</summary>
    public int DecodedCount { get; internal set; }

    /// <summary>The header list size of every decoded field (RFC 9113 §6.5.2: name + value + 32 each), kept or not.</summary>
    public long HeaderListSize { get; internal set; }

    /// <summary>The bytes of the header block.</summary>
    public int BlockLength { get; internal set; }

    /// <summary>What went wrong, in order.</summary>
    public IReadOnlyList<Http2Note> Notes => _notes;

    /// <summary>The dynamic table size updates at the block's start, in order (at most <see cref="MaxSizeUpdatesKept"/>).</summary>
    public ReadOnlySpan<int> SizeUpdates => _sizeUpdates.AsSpan(0, _sizeUpdateCount);

    /// <summary>The value of the first field named <paramref name="name"/>; false when there is none.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        for (int i = 0; i < _count; i++)
        {
            ref readonly var f = ref _fields[i];
            if (_bytes.AsSpan(f.Offset, f.NameLength).SequenceEqual(name))
            {
                value = _bytes.AsSpan(f.Offset + f.NameLength, f.ValueLength);
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>The value of the first field named <paramref name="name"/> as text (octets as Latin-1), or null.</summary>
    public string? GetString(ReadOnlySpan<byte> name) => TryGetValue(name, out var v) ? Encoding.Latin1.GetString(v) : null;

    /// <summary>Field <paramref name="index"/>'s name as text (octets as Latin-1).</summary>
    public string NameString(int index) => Encoding.Latin1.GetString(this[index].Name);

    /// <summary>Field <paramref name="index"/>'s value as text (octets as Latin-1).</summary>
    public string ValueString(int index) => Encoding.Latin1.GetString(this[index].Value);

    /// <summary>The fields as "name: value" lines, for tests and diagnostics.</summary>
    public IEnumerable<string> Lines()
    {
        for (int i = 0; i < _count; i++) yield return $"{NameString(i)}: {ValueString(i)}";
    }

    /// <summary>Bytes held (for checking the memory bound).</summary>
    public int AllocatedBytes => _bytes.Length + _fields.Length * 20;

    internal void Reset(int blockLength)
    {
        _used = 0;
        _count = 0;
        _notes.Clear();
        _sizeUpdateCount = 0;
        Status = HpackBlockStatus.Ok;
        Truncated = false;
        DecodedCount = 0;
        HeaderListSize = 0;
        BlockLength = blockLength;
    }

    internal void AddNote(in Http2Note note)
    {
        // A block can raise only a handful of distinct notes; the bound only guards against a bug of ours.
        if (_notes.Count < 64) _notes.Add(note);
    }

    internal void AddSizeUpdate(int size)
    {
        if (_sizeUpdateCount < MaxSizeUpdatesKept) _sizeUpdates[_sizeUpdateCount++] = size;
    }

    internal void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, HpackRepresentation representation, int index)
    {
        int need = name.Length + value.Length;
        if (_bytes.Length - _used < need)
            Array.Resize(ref _bytes, (int)Math.Min(int.MaxValue, Math.Max((long)_bytes.Length * 2, (long)_used + need)));
        if (_count == _fields.Length) Array.Resize(ref _fields, _fields.Length * 2);
        name.CopyTo(_bytes.AsSpan(_used));
        value.CopyTo(_bytes.AsSpan(_used + name.Length));
        _fields[_count++] = new Field { Offset = _used, NameLength = name.Length, ValueLength = value.Length, Representation = representation, Index = index };
        _used += need;
    }

    /// <summary>tshark's text for a representation (http2.header.repr).</summary>
    public static string RepresentationName(HpackRepresentation r) => r switch
    {
        HpackRepresentation.Indexed => "Indexed Header Field",
        HpackRepresentation.IncrementalIndexingIndexedName => "Literal Header Field with Incremental Indexing - Indexed Name",
        HpackRepresentation.IncrementalIndexingNewName => "Literal Header Field with Incremental Indexing - New Name",
        HpackRepresentation.WithoutIndexingIndexedName => "Literal Header Field without Indexing - Indexed Name",
        HpackRepresentation.WithoutIndexingNewName => "Literal Header Field without Indexing - New Name",
        HpackRepresentation.NeverIndexedIndexedName => "Literal Header Field never Indexed - Indexed Name",
        _ => "Literal Header Field never Indexed - New Name",
    };
}
