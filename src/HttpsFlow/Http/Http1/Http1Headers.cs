using System.Buffers;
using System.Text;

namespace HttpsFlow.Http.Http1;

/// <summary>One header field as the parser normalised it: the name as sent, the value without surrounding whitespace and with folded lines joined by one space.</summary>
public readonly ref struct Http1Header
{
    internal Http1Header(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Name = name;
        Value = value;
    }

    /// <summary>The field name as sent (compare without case).</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>The field value.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>The name as text (ISO-8859-1, as HTTP/1 header bytes are read).</summary>
    public string NameText => Encoding.Latin1.GetString(Name);

    /// <summary>The value as text (ISO-8859-1).</summary>
    public string ValueText => Encoding.Latin1.GetString(Value);

    /// <summary>True when the name is <paramref name="name"/>, compared without case.</summary>
    public bool Is(ReadOnlySpan<byte> name) => Ascii.EqualsIgnoreCase(Name, name);
}

/// <summary>
/// The header fields of a header block or trailer section, in the order they were sent, duplicates kept. Names
/// compare without case (RFC 9110 §5.1). The spans are valid only during the sink call that received them.
/// </summary>
public readonly ref struct Http1Headers
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly ReadOnlySpan<HeaderEntry> _entries;

    internal Http1Headers(ReadOnlySpan<byte> data, ReadOnlySpan<HeaderEntry> entries)
    {
        _data = data;
        _entries = entries;
    }

    public int Count => _entries.Length;

    public Http1Header this[int index]
    {
        get
        {
            var e = _entries[index];
            return new Http1Header(_data.Slice(e.NameStart, e.NameLength), _data.Slice(e.ValueStart, e.ValueLength));
        }
    }

    /// <summary>The value of the first field named <paramref name="name"/> (without case).</summary>
    public bool TryGetValue(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        foreach (var e in _entries)
            if (Ascii.EqualsIgnoreCase(_data.Slice(e.NameStart, e.NameLength), name))
            {
                value = _data.Slice(e.ValueStart, e.ValueLength);
                return true;
            }
        value = default;
        return false;
    }


    public bool Contains(ReadOnlySpan<byte> name) => TryGetValue(name, out _);

    /// <summary>How many fields are named <paramref name="name"/>.</summary>
    public int CountOf(ReadOnlySpan<byte> name)
    {
        int n = 0;
        foreach (var e in _entries)
            if (Ascii.EqualsIgnoreCase(_data.Slice(e.NameStart, e.NameLength), name)) n++;
        return n;
    }

    /// <summary>
    /// Every value of the fields named <paramref name="name"/> joined by ", " as one text (how a list-valued field
    /// sent several times is read, RFC 9110 §5.3), or null when there is none.
    /// </summary>
    public string? GetCombined(string name)
    {
        StringBuilder? sb = null;
        foreach (var e in _entries)
        {
            if (!Ascii.EqualsIgnoreCase(_data.Slice(e.NameStart, e.NameLength), name)) continue;
            if (sb is null) sb = new StringBuilder();
            else sb.Append(", ");
            sb.Append(Encoding.Latin1.GetString(_data.Slice(e.ValueStart, e.ValueLength)));
        }
        return sb?.ToString();
    }

    private ReadOnlySpan<byte> First(ReadOnlySpan<byte> name) => TryGetValue(name, out var v) ? v : default;

    /// <summary>The first Host value (empty when absent).</summary>
    public ReadOnlySpan<byte> Host => First("host"u8);

    /// <summary>The first User-Agent value (empty when absent).</summary>
    public ReadOnlySpan<byte> UserAgent => First("user-agent"u8);

    /// <summary>The first Content-Type value (empty when absent).</summary>
    public ReadOnlySpan<byte> ContentType => First("content-type"u8);

    /// <summary>The first Content-Encoding value (empty when absent); <see cref="GetCombined"/> gives all of them.</summary>
    public ReadOnlySpan<byte> ContentEncoding => First("content-encoding"u8);

    /// <summary>The first Transfer-Encoding value (empty when absent); <see cref="GetCombined"/> gives all of them.</summary>
    public ReadOnlySpan<byte> TransferEncoding => First("transfer-encoding"u8);

    /// <summary>
    /// The Content-Length when every Content-Length field (and every element of a list in one) is the same decimal
    /// number; null when there is none or they are invalid or differ (the parser then notes it).
    /// </summary>
    public long? ContentLength => ReadContentLength(out long value) == LengthStatus.Valid ? value : null;

    internal enum LengthStatus : byte { Absent, Valid, Invalid, Differing }

    internal LengthStatus ReadContentLength(out long value)
    {
        value = -1;
        var status = LengthStatus.Absent;
        foreach (var e in _entries)
        {
            if (!Ascii.EqualsIgnoreCase(_data.Slice(e.NameStart, e.NameLength), "content-length"u8)) continue;
            var list = _data.Slice(e.ValueStart, e.ValueLength);
            // RFC 9110 §8.6: a list of identical values may be read as that value.
            while (true)
            {
                int comma = list.IndexOf((byte)',');
                var item = Http1Text.Trim(comma < 0 ? list : list[..comma]);
                if (!Http1Text.TryParseDecimal(item, out long n)) return LengthStatus.Invalid;
                if (status == LengthStatus.Valid && n != value) status = LengthStatus.Differing;
                else if (status == LengthStatus.Absent) status = LengthStatus.Valid;
                if (status == LengthStatus.Valid) value = n;
                if (comma < 0) break;
                list = list[(comma + 1)..];
            }
        }
        if (status == LengthStatus.Differing) value = -1;
        return status;
    }

    public Enumerator GetEnumerator() => new(this);

    public ref struct Enumerator
    {
        private readonly Http1Headers _headers;
        private int _index;

        internal Enumerator(Http1Headers headers)
        {
            _headers = headers;
            _index = -1;
        }

        public bool MoveNext() => ++_index < _headers.Count;

        public readonly Http1Header Current => _headers[_index];
    }
}

/// <summary>Where a field's name and value lie in a <see cref="HeaderBlock"/>'s normalised bytes.</summary>
internal readonly record struct HeaderEntry(int NameStart, int NameLength, int ValueStart, int ValueLength);

/// <summary>Small helpers over HTTP/1 text bytes.</summary>
internal static class Http1Text
{
    public static bool IsWhite(byte b) => b is (byte)' ' or (byte)'\t';

    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        int a = 0, b = s.Length;
        while (a < b && IsWhite(s[a])) a++;
        while (b > a && IsWhite(s[b - 1])) b--;
        return s[a..b];
    }

    /// <summary>A line without its LF and the CR before it.</summary>
    public static ReadOnlySpan<byte> WithoutEol(ReadOnlySpan<byte> line)
    {
        if (line.Length > 0 && line[^1] == (byte)'\n') line = line[..^1];
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        return line;
    }

    /// <summary>1*DIGIT up to long.MaxValue; anything else (sign, space, overflow, empty) fails.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty) return false;
        foreach (byte b in s)
        {
            uint d = (uint)(b - '0');
            if (d > 9) return false;
            if (value > (long.MaxValue - d) / 10) return false;
            value = value * 10 + d;
        }
        return true;
    }

    /// <summary>RFC 9110 §5.6.2 tchar.</summary>
    public static bool IsTokenChar(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
            or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';

    /// <summary>At most <paramref name="max"/> bytes as printable text, others as \xNN, for notes.</summary>
    public static string Show(ReadOnlySpan<byte> s, int max = 48)
    {
        var sb = new StringBuilder();
        foreach (byte b in s.Length > max ? s[..max] : s)
            if (b is >= 0x20 and < 0x7f && b != (byte)'\\') sb.Append((char)b);
            else sb.Append("\\x").Append(b.ToString("x2"));
        if (s.Length > max) sb.Append('…');
        return sb.ToString();
    }
}

/// <summary>
/// A header block (or trailer section) as it arrives: the raw bytes up to and including the blank line that ends it,
/// kept in one pooled buffer never larger than the limit, then read into fields. Lines may end in CRLF or a bare LF.
/// </summary>
internal sealed class HeaderBlock
{
    private byte[]? _raw;
    private int _length;
    private int _lineStart;
    private byte[]? _norm;
    private int _normLength;
    private HeaderEntry[] _entries = [];
    private int _count;

    /// <summary>Bytes held (raw).</summary>
    public int Length => _length;

    public ReadOnlySpan<byte> Raw => _raw is null ? default : _raw.AsSpan(0, _length);

    /// <summary>True once the first line has ended.</summary>
    public bool FirstLineDone { get; private set; }

    private int _firstLineEnd;

    /// <summary>The first line without its end of line (a header block's start line).</summary>
    public ReadOnlySpan<byte> FirstLine => Http1Text.WithoutEol(Raw[.._firstLineEnd]);

    public Http1Headers Fields => _norm is null ? default : new Http1Headers(_norm.AsSpan(0, _normLength), _entries.AsSpan(0, _count));

    /// <summary>
    /// Takes bytes up to the end of the block. Stops early after the first line when <paramref name="stopAfterFirstLine"/>
    /// (so the caller can check a start line before taking more). Returns the bytes taken; <paramref name="overflow"/>
    /// when the next line would pass <paramref name="max"/> (nothing of it is taken).
    /// </summary>
    public int Append(ReadOnlySpan<byte> data, int max, bool stopAfterFirstLine, out bool complete, out bool overflow)
    {
        complete = overflow = false;
        int used = 0;
        while (used < data.Length)
        {
            var rest = data[used..];
            int nl = rest.IndexOf((byte)'\n');
            int take = nl < 0 ? rest.Length : nl + 1;
            if (take > max - _length)
            {
                overflow = true;
                return used;
            }
            Ensure(_length + take, max);
            rest[..take].CopyTo(_raw.AsSpan(_length));
            _length += take;
            used += take;
            if (nl < 0) break;
            int lineLength = _length - _lineStart;
            bool blank = lineLength == 1 || (lineLength == 2 && _raw![_lineStart] == (byte)'\r');
            if (!FirstLineDone)
            {
                FirstLineDone = true;
                _firstLineEnd = _length;
                if (!blank)
                {
                    _lineStart = _length;
                    if (stopAfterFirstLine) break;
                    continue;
                }
            }
            _lineStart = _length;
            if (blank)
            {
                complete = true;
                break;
            }
        }
        return used;
    }

    private void Ensure(int needed, int max)
    {
        if (_raw is not null && needed <= _raw.Length) return;
        int size = Math.Min(max, Math.Max(needed, Math.Max(512, (_raw?.Length ?? 0) * 2)));
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        if (_raw is not null)
        {
            _raw.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_raw);
        }
        _raw = bigger;
    }

    /// <summary>
    /// Reads the fields of the complete block (after the first line when <paramref name="hasStartLine"/>). Notes go
    /// to <paramref name="parser"/>. At most <paramref name="maxCount"/> fields are listed.
    /// </summary>
    public void ParseFields(bool hasStartLine, int maxCount, Http1Parser parser, string what)
    {
        var raw = Raw;
        _norm ??= ArrayPool<byte>.Shared.Rent(Math.Max(16, raw.Length));
        _normLength = 0;
        _count = 0;
        bool first = hasStartLine, listing = true, notedFold = false, notedName = false, notedColon = false;
        while (!raw.IsEmpty)
        {
            int nl = raw.IndexOf((byte)'\n');
            var line = Http1Text.WithoutEol(nl < 0 ? raw : raw[..(nl + 1)]);
            raw = nl < 0 ? default : raw[(nl + 1)..];
            if (first)
            {
                first = false;
                continue;
            }
            if (line.IsEmpty) break;
            if (Http1Text.IsWhite(line[0]))
            {
                // obs-fold (RFC 9112 §5.2): replaced by one space, joined to the field before.
                if (!notedFold)
                {
                    notedFold = true;
                    parser.Note(Http1NoteKeys.ObsFold, Common.Severity.Note, "Protocol", $"{what} value continued on the next line (obsolete line folding)");
                }
                var more = Http1Text.Trim(line);
                if (_count == 0 || !listing || more.IsEmpty) continue;
                var last = _entries[_count - 1];
                int extra = last.ValueLength > 0 ? more.Length + 1 : more.Length;
                var dst = _norm.AsSpan(_normLength);
                if (last.ValueLength > 0) dst[0] = (byte)' ';
                more.CopyTo(dst[(last.ValueLength > 0 ? 1 : 0)..]);
                _normLength += extra;
                _entries[_count - 1] = last with { ValueLength = last.ValueLength + extra };
                continue;
            }
            int colon = line.IndexOf((byte)':');
            if (colon < 0)
            {
                parser.Note(Http1NoteKeys.BadHeader, Common.Severity.Warning, "Malformed", $"{what} line without a colon ignored: \"{Http1Text.Show(line)}\"");
                continue;
            }
            var name = line[..colon];
            if (name.Length > 0 && Http1Text.IsWhite(name[^1]))
            {
                if (!notedColon)
                {
                    notedColon = true;
                    parser.Note(Http1NoteKeys.BadHeader, Common.Severity.Warning, "Malformed", $"whitespace between a {what.ToLowerInvariant()} name and its colon: \"{Http1Text.Show(name)}\"");
                }
                name = Http1Text.Trim(name);
            }
            if (name.IsEmpty)
            {
                parser.Note(Http1NoteKeys.BadHeader, Common.Severity.Warning, "Malformed", $"{what} with an empty name ignored");
                continue;
            }
            if (!notedName)
                foreach (byte b in name)
                    if (!Http1Text.IsTokenChar(b))
                    {
                        notedName = true;
                        parser.Note(Http1NoteKeys.BadHeader, Common.Severity.Warning, "Malformed", $"invalid character in a {what.ToLowerInvariant()} name: \"{Http1Text.Show(name)}\"");
                        break;
                    }
            if (_count >= maxCount)
            {
                if (listing) parser.Note(Http1NoteKeys.TooManyHeaders, Common.Severity.Warning, "Malformed", $"more than {maxCount} {what.ToLowerInvariant()}s: the rest are not listed");
                listing = false;
                continue;
            }
            var value = Http1Text.Trim(line[(colon + 1)..]);
            if (_count == _entries.Length) GrowEntries(Math.Min(maxCount, Math.Max(16, _count * 2)));
            int nameStart = _normLength;
            name.CopyTo(_norm.AsSpan(_normLength));
            _normLength += name.Length;
            value.CopyTo(_norm.AsSpan(_normLength));
            _entries[_count++] = new HeaderEntry(nameStart, name.Length, _normLength, value.Length);
            _normLength += value.Length;
        }
    }

    /// <summary>The field list grows into a pooled array (given back by <see cref="Clear"/>): a message's fields live only while it is read.</summary>
    private void GrowEntries(int size)
    {
        var bigger = ArrayPool<HeaderEntry>.Shared.Rent(size);
        _entries.AsSpan(0, _count).CopyTo(bigger);
        if (_entries.Length > 0) ArrayPool<HeaderEntry>.Shared.Return(_entries);
        _entries = bigger;
    }

    /// <summary>Forgets the block and gives its buffers back.</summary>
    public void Clear()
    {
        if (_raw is not null) ArrayPool<byte>.Shared.Return(_raw);
        if (_norm is not null) ArrayPool<byte>.Shared.Return(_norm);
        if (_entries.Length > 0) ArrayPool<HeaderEntry>.Shared.Return(_entries);
        _entries = [];
        _raw = _norm = null;
        _length = _lineStart = _normLength = _count = 0;
        FirstLineDone = false;
        _firstLineEnd = 0;
    }
}
