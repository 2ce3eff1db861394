using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HttpsFlow.Common;

namespace HttpsFlow.Tls;

/// <summary>
/// Stable keys of the notes the TLS parsers raise. Where tshark 4.0 raises the same note, the key is Wireshark's
/// expert field name, so that `_ws.expert` can be reproduced; <see cref="Malformed"/> marks bytes on which tshark's
/// dissector stops with an exception (its "[Malformed Packet]"); keys starting "httpsflow." are HttpsFlow's own.
/// </summary>
public static class TlsNoteKeys
{
    /// <summary>A vector length outside its declared bounds (Warning, Protocol).</summary>
    public const string VectorLength = "tls.malformed.vector_length";
    /// <summary>A vector or field runs past the end of its container (Error, Malformed).</summary>
    public const string BufferTooSmall = "tls.malformed.buffer_too_small";
    /// <summary>Bytes left over after a structure (Warning, Protocol).</summary>
    public const string TrailingData = "tls.malformed.trailing_data";
    /// <summary>A record length not allowed (Error, Protocol).</summary>
    public const string RecordLengthInvalid = "tls.record.length.invalid";
    /// <summary>A record with an unknown content type in a TLS 1.0–1.2 connection (Warning, Protocol).</summary>
    public const string IgnoredUnknownRecord = "tls.ignored_unknown_record";
    /// <summary>OCSP responder IDs or request extensions that are not decoded (Note, Undecoded).</summary>
    public const string StatusRequestUndecoded = "tls.handshake.status_request.undecoded";
    /// <summary>tshark's dissector would stop here with an exception ("Malformed Packet").</summary>
    public const string Malformed = "_ws.malformed";
    /// <summary>A record or handshake message cut by missing stream bytes or by the end of the stream.</summary>
    public const string Incomplete = "httpsflow.tls.incomplete";
    /// <summary>A handshake message longer than the reassembly limit, skipped.</summary>
    public const string HandshakeTooLarge = "httpsflow.tls.handshake_too_large";
    /// <summary>A structure that is well-formed but not what the protocol allows here (e.g. data in an empty extension).</summary>
    public const string Unexpected = "httpsflow.tls.unexpected";
}

/// <summary>
/// A problem found while parsing TLS bytes. <see cref="Offset"/> and <see cref="Length"/> locate the bytes in the
/// span handed to the parser that raised it (a message body, an extension's data, a record's fragment), or, for
/// notes delivered with a stream position (<see cref="TlsStreamNote"/>), from that position.
/// </summary>
public readonly record struct TlsNote(string Key, Severity Severity, string Group, string Message, int Offset, int Length)
{
    public ExpertNote ToExpertNote() => new(Severity, Group, "tls", Message);

    public override string ToString() => $"{Key} @{Offset}+{Length}: {Message}";
}

/// <summary>A note tied to a place in a direction's byte stream and the frame being processed when it was raised.</summary>
public readonly record struct TlsStreamNote(TlsNote Note, ulong StreamOffset, long Frame);

/// <summary>
/// Where parsers put their notes: a reusable list (<see cref="Clear"/> keeps the storage). A parser given no list
/// raises nothing and still returns its partial result.
/// </summary>
public sealed class TlsNotes
{
    private readonly List<TlsNote> _notes = new();

    public int Count => _notes.Count;

    public TlsNote this[int index] => _notes[index];

    public ReadOnlySpan<TlsNote> AsSpan() => CollectionsMarshal.AsSpan(_notes);

    public void Add(in TlsNote note) => _notes.Add(note);

    public void Clear() => _notes.Clear();

    public bool Contains(string key)
    {
        foreach (var n in _notes)
            if (n.Key == key) return true;
        return false;
    }

    public override string ToString() => string.Join("; ", _notes);
}

/// <summary>
/// The bytes a parser was handed and where its notes go: every note's offset is computed from the position of the
/// bytes it is about within <see cref="Root"/>. Vector reads follow Wireshark's ssl_add_vector: a length beyond its
/// container is truncated to what is there (with a note) rather than abandoned, so later fields can still be shown.
/// </summary>
internal readonly ref struct TlsParseContext
{
    public TlsParseContext(ReadOnlySpan<byte> root, TlsNotes? notes)
    {
        Root = root;
        Notes = notes;
    }

    public ReadOnlySpan<byte> Root { get; }

    public TlsNotes? Notes { get; }

    /// <summary>Offset of <paramref name="at"/>'s first byte within <see cref="Root"/> (clamped to it).</summary>
    public int OffsetOf(ReadOnlySpan<byte> at)
    {
        if (Root.IsEmpty) return 0;
        nint d = Unsafe.ByteOffset(ref MemoryMarshal.GetReference(Root), ref MemoryMarshal.GetReference(at));
        return d < 0 || d > Root.Length ? 0 : (int)d;
    }

    public int OffsetOf(in WireReader r) => OffsetOf(r.Rest);

    public void Add(string key, Severity severity, string group, string message, int offset, int length) =>
        Notes?.Add(new TlsNote(key, severity, group, message, offset, length));

    public void Add(string key, Severity severity, string group, string message, ReadOnlySpan<byte> at) =>
        Add(key, severity, group, message, OffsetOf(at), at.Length);

    /// <summary>tshark would stop with an exception here: a fixed-size field runs past the end.</summary>
    public void Truncated(in WireReader r, string what, int needed) =>
        Add(TlsNoteKeys.Malformed, Severity.Error, "Malformed",
            $"{what}: {needed} byte{(needed == 1 ? "" : "s")} needed, {r.Remaining} left", OffsetOf(r), r.Remaining);

    /// <summary>ssl_end_vector: bytes left after the last element of a vector.</summary>
    public void Trailing(ReadOnlySpan<byte> rest)
    {
        if (rest.IsEmpty) return;
        Add(TlsNoteKeys.TrailingData, Severity.Warning, "Protocol",
            $"{rest.Length} trailing byte{(rest.Length == 1 ? " was" : "s were")} unprocessed", rest);
    }

    /// <summary>ssl_end_vector over a reader: its unread bytes are trailing data.</summary>
    public void Trailing(in WireReader r) => Trailing(r.Rest);

    public bool ReadVector8(scoped ref WireReader r, int min, int max, out WireReader inner, out int declared) =>
        ReadVector(ref r, 1, min, max, out inner, out declared);

    public bool ReadVector16(scoped ref WireReader r, int min, int max, out WireReader inner, out int declared) =>
        ReadVector(ref r, 2, min, max, out inner, out declared);

    public bool ReadVector24(scoped ref WireReader r, int min, int max, out WireReader inner, out int declared) =>
        ReadVector(ref r, 3, min, max, out inner, out declared);

    public bool ReadVector8(scoped ref WireReader r, int min, int max, out WireReader inner) => ReadVector(ref r, 1, min, max, out inner, out _);

    public bool ReadVector16(scoped ref WireReader r, int min, int max, out WireReader inner) => ReadVector(ref r, 2, min, max, out inner, out _);

    public bool ReadVector24(scoped ref WireReader r, int min, int max, out WireReader inner) => ReadVector(ref r, 3, min, max, out inner, out _);

    /// <summary>
    /// Reads a length-prefixed vector (RFC 8446 §3.4). Returns true when the vector is wholly present. When its
    /// length prefix cannot be read, <paramref name="inner"/> is empty; when the length runs past the end, it holds
    /// the bytes there are (and the reader is at the end). Bounds outside [min, max] are noted but not fatal.
    /// </summary>
    private bool ReadVector(scoped ref WireReader r, int prefix, int min, int max, out WireReader inner, out int declared)
    {
        inner = default;
        declared = 0;
        int at = OffsetOf(r);
        uint len = 0;
        bool ok;
        switch (prefix)
        {
            case 1:
                ok = r.TryReadUInt8(out byte b8);
                len = b8;
                break;
            case 2:
                ok = r.TryReadUInt16(out ushort b16);
                len = b16;
                break;
            default:
                ok = r.TryReadUInt24(out len);
                break;
        }
        if (!ok)
        {
            Add(TlsNoteKeys.BufferTooSmall, Severity.Error, "Malformed",
                $"No more room for vector of length {prefix}", at, r.Remaining);
            inner = new WireReader(r.Rest[..0]);
            r.TrySkip(r.Remaining);
            return false;
        }
        declared = (int)len;
        if (len < min)
            Add(TlsNoteKeys.VectorLength, Severity.Warning, "Protocol", $"Vector length {len} is smaller than minimum {min}", at, prefix);
        else if (len > max)
            Add(TlsNoteKeys.VectorLength, Severity.Warning, "Protocol", $"Vector length {len} is larger than maximum {max}", at, prefix);
        if (len > (uint)r.Remaining)
        {
            Add(TlsNoteKeys.BufferTooSmall, Severity.Error, "Malformed",
                $"Vector length {len} is too large, truncating it to {r.Remaining}", at, prefix);
            r.TryReadBytes(r.Remaining, out var rest);
            inner = new WireReader(rest);
            return false;
        }
        r.TryReadBytes((int)len, out var body);
        inner = new WireReader(body);
        return true;
    }
}
