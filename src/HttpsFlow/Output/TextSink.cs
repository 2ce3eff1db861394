using System.Runtime.CompilerServices;
using System.Text;

namespace HttpsFlow.Output;

/// <summary>
/// Builds lines of text in a reused character buffer and writes them as UTF-8 to a stream in large chunks.
/// Formatting numbers and addresses straight into the buffer keeps the list path free of per-line allocations.
/// </summary>
public sealed class TextSink : IDisposable
{
    private readonly Stream _out;
    private readonly bool _ownsStream;
    private char[] _chars = new char[1 << 14];
    private int _len;
    private readonly byte[] _bytes;
    private int _byteLen;
    private readonly Encoder _encoder = new UTF8Encoding(false).GetEncoder();
    private static readonly UTF8Encoding Utf8 = new(false);

    public TextSink(Stream output, bool ownsStream = false, int bufferBytes = 1 << 16)
    {
        _out = output;
        _ownsStream = ownsStream;
        _bytes = new byte[bufferBytes];
    }

    /// <summary>Characters of the line being built.</summary>
    public int Length => _len;

    public ReadOnlySpan<char> Current => _chars.AsSpan(0, _len);

    private void Grow(int need)
    {
        if (_len + need <= _chars.Length) return;
        Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _len + need));
    }

    public TextSink Append(char c)
    {
        Grow(1);
        _chars[_len++] = c;
        return this;
    }

    public TextSink Append(ReadOnlySpan<char> s)
    {
        Grow(s.Length);
        s.CopyTo(_chars.AsSpan(_len));
        _len += s.Length;
        return this;
    }

    public TextSink Append(string? s) => Append(s.AsSpan());

    public TextSink Append(long value)
    {
        Grow(20);
        value.TryFormat(_chars.AsSpan(_len), out int n);
        _len += n;
        return this;
    }

    public TextSink Append(ulong value)
    {
        Grow(20);
        value.TryFormat(_chars.AsSpan(_len), out int n);
        _len += n;
        return this;
    }

    /// <summary>Lower-case hexadecimal, zero-padded to at least <paramref name="minDigits"/> digits (as printf's "%0Nx").</summary>
    public TextSink AppendHex(ulong value, int minDigits)
    {
        minDigits = Math.Clamp(minDigits, 1, 16);
        Grow(16);
        var span = _chars.AsSpan(_len, 16);
        int digits = 1;
        for (ulong v = value >> 4; v != 0; v >>= 4) digits++;
        int n = Math.Max(digits, minDigits);
        for (int i = n - 1; i >= 0; i--, value >>= 4) span[i] = "0123456789abcdef"[(int)(value & 0xf)];
        _len += n;
        return this;
    }

    public TextSink AppendSpaces(int count)
    {
        if (count <= 0) return this;
        Grow(count);
        _chars.AsSpan(_len, count).Fill(' ');
        _len += count;
        return this;
    }

    /// <summary>Gives a span to write into directly; call <see cref="Commit"/> with what was written.</summary>
    public Span<char> Reserve(int count)
    {
        Grow(count);
        return _chars.AsSpan(_len, count);
    }

    public void Commit(int written) => _len += written;

    /// <summary>Inserts spaces before the text written since <paramref name="start"/> so that it is right-aligned in <paramref name="width"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PadLeftFrom(int start, int width)
    {
        int len = _len - start;
        if (len >= width) return;
        int pad = width - len;
        Grow(pad);
        Array.Copy(_chars, start, _chars, start + pad, len);
        _chars.AsSpan(start, pad).Fill(' ');
        _len += pad;
    }

    /// <summary>Inserts <paramref name="text"/> at <paramref name="position"/> (for prefixes decided after the text).</summary>
    public void Insert(int position, ReadOnlySpan<char> text)
    {
        Grow(text.Length);
        Array.Copy(_chars, position, _chars, position + text.Length, _len - position);
        text.CopyTo(_chars.AsSpan(position));
        _len += text.Length;
    }

    /// <summary>Drops the characters after <paramref name="length"/>.</summary>
    public void Truncate(int length) => _len = Math.Min(_len, length);

    /// <summary>Ends the current line and queues it for output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EndLine()
    {
        Append('\n');
        var chars = _chars.AsSpan(0, _len);
        // At most three bytes per UTF-16 character: when that fits, ASCII runs (nearly all of a line) are converted in
        // vectorised passes and the rest (tshark's arrows, names) with the UTF-8 encoding, which holds no state between
        // lines (each ends with '\n', so no surrogate pair is cut).
        if (_bytes.Length - _byteLen < chars.Length * 3) FlushBytes();
        if (chars.Length * 3 <= _bytes.Length - _byteLen)
        {
            while (true)
            {
                var status = System.Text.Ascii.FromUtf16(chars, _bytes.AsSpan(_byteLen), out int written);
                _byteLen += written;
                chars = chars[written..];
                if (status == System.Buffers.OperationStatus.Done) break;
                int run = chars.IndexOfAnyInRange('\0', '\u007f');
                if (run < 0) run = chars.Length;
                _byteLen += Utf8.GetBytes(chars[..run], _bytes.AsSpan(_byteLen));
                chars = chars[run..];
            }
            _len = 0;
            return;
        }
        while (!chars.IsEmpty)
        {
            if (_bytes.Length - _byteLen < 16) FlushBytes();
            _encoder.Convert(chars, _bytes.AsSpan(_byteLen), false, out int used, out int produced, out _);
            _byteLen += produced;
            chars = chars[used..];
        }
        _len = 0;
    }

    /// <summary>Discards the line being built.</summary>
    public void ClearLine() => _len = 0;

    private void FlushBytes()
    {
        if (_byteLen == 0) return;
        _out.Write(_bytes, 0, _byteLen);
        _byteLen = 0;
    }

    public void Flush()
    {
        FlushBytes();
        _out.Flush();
    }

    public void Dispose()
    {
        try { Flush(); }
        catch (IOException) { /* the reader of our output went away (a closed pipe): nothing left to tell it */ }
        if (_ownsStream) _out.Dispose();
    }
}
