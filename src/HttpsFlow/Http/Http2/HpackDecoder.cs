using System.Runtime.CompilerServices;
using HttpsFlow.Common;

namespace HttpsFlow.Http.Http2;

/// <summary>
/// The bounds one HPACK decoder keeps to, whatever its peer announces or sends. Exceeding the first is a failure (the
/// table cannot be followed); exceeding the others only stops keeping fields (the table is still followed).
/// </summary>
public sealed record HpackLimits
{
    /// <summary>
    /// The largest dynamic table size accepted, even when SETTINGS_HEADER_TABLE_SIZE allows more: a size update above
    /// it fails the decoder. Default 65,536 octets (the table then holds at most 2 × that in bytes). A value below
    /// 4,096 counts as 4,096: an encoder may use the protocol's initial size without any update, so a decoder that
    /// could not follow it would go wrong silently.
    /// </summary>
    public int MaxTableSize { get; init; } = 64 * 1024;

    /// <summary>
    /// The most header list size (name + value + 32 per field) kept per block; later fields are decoded (to follow the
    /// table) but not kept, with a note. Default 262,144.
    /// </summary>
    public int MaxHeaderListSize { get; init; } = 256 * 1024;

    /// <summary>The most fields kept per block; later ones are decoded but not kept, with a note. Default 1,000.</summary>
    public int MaxHeaderCount { get; init; } = 1000;

    public static HpackLimits Default { get; } = new();
}

/// <summary>
/// An HPACK decoder (RFC 7541) for one direction of one HTTP/2 connection: it turns header blocks into header lists,
/// keeping the dynamic table in step with the peer's encoder.
/// </summary>
/// <remarks>
/// <para>Everything RFC 7541 calls a decoding error is detected: an index of 0 or past the tables, an integer over
/// 2^31-1 or cut short, a string longer than its block, EOS inside a Huffman string or padding that is not 0–7 one
/// bits, a dynamic table size update after the first field or above the SETTINGS_HEADER_TABLE_SIZE limit
/// (<see cref="SettingsMaxTableSize"/>, set by the caller from the peer's SETTINGS; 4,096 by default).</para>
/// <para>Nothing here throws on any input. An error is a note on the block's list, the block is
/// <see cref="HpackBlockStatus.Malformed"/>, and the decoder is <see cref="Failed"/>: the peer's encoder and this table
/// may no longer agree, so later blocks are reported <see cref="HpackBlockStatus.Undecodable"/> instead of
/// decoded into wrong fields.</para>
/// <para>Memory: the dynamic table (see <see cref="HpackDynamicTable"/>), one scratch buffer for the field being decoded
/// (at most the larger of the list and table limits, plus the Huffman expansion of one string) and the caller's list.</para>
/// </remarks>
public sealed class HpackDecoder
{
    private byte[] _scratch = new byte[256];

    public HpackDecoder(HpackLimits? limits = null)
    {
        Limits = limits ?? HpackLimits.Default;
        MaxTableSize = Math.Max(InitialTableSize, Limits.MaxTableSize);
        Table = new HpackDynamicTable(InitialTableSize);
    }

    /// <summary>The dynamic table's size before any update (RFC 7541 §4.2, RFC 9113 §6.5.2).</summary>
    public const int InitialTableSize = 4096;

    public HpackLimits Limits { get; }

    /// <summary>The largest table size this decoder accepts: <see cref="HpackLimits.MaxTableSize"/>, at least 4,096.</summary>
    public int MaxTableSize { get; }

    /// <summary>The dynamic table.</summary>
    public HpackDynamicTable Table { get; }

    /// <summary>
    /// The SETTINGS_HEADER_TABLE_SIZE in force for this decoder (what the receiving side announced): a size update may
    /// not exceed it. Default 4,096 (RFC 9113 §6.5.2).
    /// </summary>
    public int SettingsMaxTableSize { get; set; } = InitialTableSize;

    /// <summary>
    /// A lower SETTINGS_HEADER_TABLE_SIZE the encoder has acknowledged: its next block must start with a size update
    /// to at most this (RFC 7541 §4.2). Set by the connection; -1 when nothing is pending.
    /// </summary>
    public int PendingReducedSize { get; set; } = -1;

    /// <summary>An earlier block failed; blocks are no longer decoded.</summary>
    public bool Failed { get; private set; }

    /// <summary>Why the decoder failed, or null.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>Blocks decoded so far (including failed ones).</summary>
    public long Blocks { get; private set; }

    /// <summary>Bytes held by the decoder and its table (for checking the memory bound).</summary>
    public int AllocatedBytes => _scratch.Length + Table.AllocatedBytes;

    /// <summary>
    /// Marks the decoder failed from outside (a header block that could not be assembled: its CONTINUATION frames
    /// missing or too long), so that later blocks are not decoded against a table that missed a block.
    /// </summary>
    public void MarkFailed(string reason)
    {
        if (Failed) return;
        Failed = true;
        FailureReason = reason;
    }

    /// <summary>Decodes one complete header block into <paramref name="list"/> (cleared first). Never throws.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public HpackBlockStatus Decode(ReadOnlySpan<byte> block, HpackHeaderList list)
    {
        list.Reset(block.Length);
        Blocks++;
        if (Failed)
        {
            list.Status = HpackBlockStatus.Undecodable;
            list.AddNote(new Http2Note(Http2NoteKeys.HpackUndecodable, Severity.Warning, "Undecoded",
                $"Header block not decoded: HPACK state lost earlier ({FailureReason})"));
            return list.Status;
        }

        int pos = 0;
        bool fieldSeen = false, updateSeen = false;
        bool limitNoted = false;
        while (pos < block.Length)
        {
            byte b = block[pos];
            if ((b & 0xe0) == 0x20)
            {
                // Dynamic table size update (§6.3): only before the first field.
                if (!ReadInteger(block, ref pos, 5, out int size, list)) return list.Status;
                if (fieldSeen) return Fail(list, $"HPACK: dynamic table size update ({size}) after a header field (RFC 7541 §4.2)");
                if (size > SettingsMaxTableSize)
                    return Fail(list, $"HPACK: dynamic table size update ({size}) above SETTINGS_HEADER_TABLE_SIZE ({SettingsMaxTableSize})");
                if (size > MaxTableSize)
                    return Fail(list, $"HPACK: dynamic table size update ({size}) above this decoder's limit ({MaxTableSize}); the table is not followed");
                Table.SetMaxSize(size);
                list.AddSizeUpdate(size);
                updateSeen = true;
                continue;
            }

            if (!fieldSeen)
            {
                fieldSeen = true;
                if (PendingReducedSize >= 0)
                {
                    if (!updateSeen && Table.MaxSize > PendingReducedSize)
                    {
                        list.AddNote(Http2Note.Protocol(
                            $"HPACK: SETTINGS_HEADER_TABLE_SIZE lowered to {PendingReducedSize} but the block does not start with a dynamic table size update (RFC 7541 §4.2)"));
                        Table.SetMaxSize(PendingReducedSize);
                    }
                    PendingReducedSize = -1;
                }
            }

            HpackRepresentation repr;
            int prefix;
            bool index;
            if ((b & 0x80) != 0)
            {
                // Indexed header field (§6.1).
                if (!ReadInteger(block, ref pos, 7, out int i, list)) return list.Status;
                if (i == 0) return Fail(list, "HPACK: indexed header field with index 0 (RFC 7541 §6.1)");
                if (!Lookup(i, out var n, out var v)) return Fail(list, $"HPACK: index {i} past the end of the tables ({HpackStaticTable.Count} + {Table.Count})");
                Keep(list, n, v, HpackRepresentation.Indexed, i, ref limitNoted);
                continue;
            }
            if ((b & 0xc0) == 0x40)
            {
                prefix = 6;
                index = true;
                repr = HpackRepresentation.IncrementalIndexingIndexedName;
            }
            else if ((b & 0xf0) == 0x10)
            {
                prefix = 4;
                index = false;
                repr = HpackRepresentation.NeverIndexedIndexedName;
            }
            else
            {
                prefix = 4;
                index = false;
                repr = HpackRepresentation.WithoutIndexingIndexedName;
            }

            // Literal header field (§6.2): indexed or new name, then the value. Both are decoded into the scratch buffer
            // (a name taken from the dynamic table is copied first: the insertion below may evict its entry).
            if (!ReadInteger(block, ref pos, prefix, out int nameIndex, list)) return list.Status;
            int nameLength;
            bool stored = true;
            if (nameIndex != 0)
            {
                if (!Lookup(nameIndex, out var n, out _)) return Fail(list, $"HPACK: name index {nameIndex} past the end of the tables ({HpackStaticTable.Count} + {Table.Count})");
                EnsureScratch(n.Length);
                n.CopyTo(_scratch);
                nameLength = n.Length;
            }
            else
            {
                repr++; // the "New Name" form follows each "Indexed Name" form
                if (!ReadString(block, ref pos, 0, out nameLength, ref stored, list)) return list.Status;
            }
            if (!ReadString(block, ref pos, nameLength, out int valueLength, ref stored, list)) return list.Status;

            var name = stored ? _scratch.AsSpan(0, nameLength) : default;
            var value = stored ? _scratch.AsSpan(nameLength, valueLength) : default;
            if (stored) Keep(list, name, value, repr, nameIndex, ref limitNoted);
            else Count(list, nameLength, valueLength, ref limitNoted);
            if (index)
            {
                // A field larger than the table empties it (§4.4); one not stored is always larger than the table.
                if (stored) Table.Add(name, value);
                else Table.Clear();
            }
        }
        return list.Status;
    }

    private bool Lookup(int index, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        if (index <= HpackStaticTable.Count)
        {
            name = HpackStaticTable.Name(index);
            value = HpackStaticTable.Value(index);
            return true;
        }
        int d = index - HpackStaticTable.Count;
        if (d > Table.Count)
        {
            name = value = default;
            return false;
        }
        name = Table.Name(d);
        value = Table.Value(d);
        return true;
    }

    private void Keep(HpackHeaderList list, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, HpackRepresentation repr, int index, ref bool limitNoted)
    {
        long size = (long)name.Length + value.Length + HpackDynamicTable.EntryOverhead;
        if (Fits(list, size, ref limitNoted)) list.Add(name, value, repr, index);
        list.DecodedCount++;
        list.HeaderListSize += size;
    }

    private void Count(HpackHeaderList list, int nameLength, int valueLength, ref bool limitNoted)
    {
        long size = (long)nameLength + valueLength + HpackDynamicTable.EntryOverhead;
        Fits(list, size, ref limitNoted); // larger than any limit: never kept
        list.DecodedCount++;
        list.HeaderListSize += size;
    }

    private bool Fits(HpackHeaderList list, long size, ref bool limitNoted)
    {
        if (list.Truncated) return false;
        string? why = null;
        if (list.Count >= Limits.MaxHeaderCount) why = $"Decompression stopped after {Limits.MaxHeaderCount} header lines";
        else if (list.HeaderListSize + size > Limits.MaxHeaderListSize) why = $"Decompression stopped: header list larger than {Limits.MaxHeaderListSize} bytes";
        if (why is null) return true;
        list.Truncated = true;
        if (!limitNoted)
        {
            limitNoted = true;
            list.AddNote(Http2Note.Limit(why));
        }
        return false;
    }

    private HpackBlockStatus Fail(HpackHeaderList list, string message)
    {
        list.Status = HpackBlockStatus.Malformed;
        list.AddNote(new Http2Note(Http2NoteKeys.Hpack, Severity.Error, "Malformed", message));
        MarkFailed(message);
        return list.Status;
    }

    // An integer with an N-bit prefix (§5.1). Values above 2^31-1, or more than five continuation octets, are errors.
    private bool ReadInteger(ReadOnlySpan<byte> block, ref int pos, int prefixBits, out int value, HpackHeaderList list)
    {
        int max = (1 << prefixBits) - 1;
        value = block[pos++] & max;
        if (value < max) return true;
        long v = value;
        for (int shift = 0; ; shift += 7)
        {
            if (pos >= block.Length)
            {
                Fail(list, "HPACK: integer cut short by the end of the header block");
                return false;
            }
            if (shift > 28)
            {
                Fail(list, "HPACK: integer longer than 2^31-1 (RFC 7541 §5.1)");
                return false;
            }
            byte b = block[pos++];
            v += (long)(b & 0x7f) << shift;
            if (v > int.MaxValue)
            {
                Fail(list, "HPACK: integer longer than 2^31-1 (RFC 7541 §5.1)");
                return false;
            }
            if ((b & 0x80) == 0) break;
        }
        value = (int)v;
        return true;
    }

    // A string literal (§5.2), decoded into the scratch buffer at `at`. When it would make the field larger than any
    // limit could keep or index, it is only checked and measured (`stored` becomes false).
    private bool ReadString(ReadOnlySpan<byte> block, ref int pos, int at, out int length, ref bool stored, HpackHeaderList list)
    {
        length = 0;
        if (pos >= block.Length)
        {
            Fail(list, "HPACK: string literal missing at the end of the header block");
            return false;
        }
        bool huffman = (block[pos] & 0x80) != 0;
        if (!ReadInteger(block, ref pos, 7, out int encoded, list)) return false;
        if (encoded > block.Length - pos)
        {
            Fail(list, $"HPACK: string literal of {encoded} bytes runs past the end of the header block ({block.Length - pos} left)");
            return false;
        }
        var source = block.Slice(pos, encoded);
        pos += encoded;
        long cap = Math.Max(Limits.MaxHeaderListSize, MaxTableSize);
        if (!huffman)
        {
            length = encoded;
            if (stored && at + (long)encoded <= cap)
            {
                EnsureScratch(at + encoded);
                source.CopyTo(_scratch.AsSpan(at));
            }
            else stored = false;
            return true;
        }
        int most = HpackHuffman.MaxDecodedLength(encoded);
        HuffmanStatus status;
        if (stored && at + (long)most <= cap)
        {
            EnsureScratch(at + most);
            status = HpackHuffman.Decode(source, _scratch.AsSpan(at), true, out length);
        }
        else
        {
            // Measure first: the string may still be small enough to keep once decoded.
            status = HpackHuffman.Decode(source, default, false, out length);
            if (status == HuffmanStatus.Ok && stored && at + (long)length <= cap)
            {
                EnsureScratch(at + length);
                HpackHuffman.Decode(source, _scratch.AsSpan(at), true, out length);
            }
            else stored = false;
        }
        if (status == HuffmanStatus.EosInString)
        {
            Fail(list, "HPACK: Huffman-coded string contains EOS (RFC 7541 §5.2)");
            return false;
        }
        if (status == HuffmanStatus.BadPadding)
        {
            Fail(list, "HPACK: Huffman-coded string padded with more than 7 bits or with bits other than ones (RFC 7541 §5.2)");
            return false;
        }
        return true;
    }

    private void EnsureScratch(int length)
    {
        if (_scratch.Length >= length) return;
        Array.Resize(ref _scratch, Math.Max(length, Math.Min(_scratch.Length * 2, int.MaxValue / 2)));
    }
}
