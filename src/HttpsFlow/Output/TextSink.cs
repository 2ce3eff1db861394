using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
    private byte[] _bytes;
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Grow(int need)
    {
        if (_len + need > _chars.Length) Enlarge(need);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Enlarge(int need) => Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _len + need));

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
        if (_bytes.Length - _byteLen < chars.Length * 3) FlushBytes(whole: false);
        if (chars.Length * 3 <= _bytes.Length - _byteLen)
        {
            while (true)
            {
                int written = NarrowAscii(chars, _bytes.AsSpan(_byteLen));
                _byteLen += written;
                chars = chars[written..];
                if (chars.IsEmpty) break;
                int run = chars.IndexOfAnyInRange('\0', '\u007f');
                if (run < 0) run = chars.Length;
                _byteLen += Utf8.GetBytes(chars[..run], _bytes.AsSpan(_byteLen));
                chars = chars[run..];
            }
            _len = 0;
            if (_gate is not null) Checkpoint();
            return;
        }
        while (!chars.IsEmpty)
        {
            if (_bytes.Length - _byteLen < 16) FlushBytes(whole: true);
            _encoder.Convert(chars, _bytes.AsSpan(_byteLen), false, out int used, out int produced, out _);
            _byteLen += produced;
            chars = chars[used..];
        }
        _len = 0;
        if (_gate is not null) Checkpoint();
    }

    /// <summary>
    /// Copies the leading ASCII characters of <paramref name="chars"/> into <paramref name="bytes"/> (room for all of
    /// them) and returns how many. Why not Ascii.FromUtf16: in the native build its vector path calls software
    /// shuffles and mask extractions where SSE2's pack instruction does the job, and it was a tenth of writing a line.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int NarrowAscii(ReadOnlySpan<char> chars, Span<byte> bytes)
    {
        int i = 0;
        if (Sse2.IsSupported && chars.Length >= 16)
        {
            ref ushort src = ref Unsafe.As<char, ushort>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(chars));
            ref byte dst = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(bytes);
            var high = Vector128.Create((ushort)0xFF80);
            for (; i <= chars.Length - 16; i += 16)
            {
                var a = Vector128.LoadUnsafe(ref src, (nuint)i);
                var b = Vector128.LoadUnsafe(ref src, (nuint)(i + 8));
                if (!Vector128.EqualsAll((a | b) & high, Vector128<ushort>.Zero)) break;
                var packed = Sse2.PackUnsignedSaturate(a.AsInt16(), b.AsInt16());
                packed.StoreUnsafe(ref dst, (nuint)i);
            }
        }
        for (; i < chars.Length; i++)
        {
            char c = chars[i];
            if (c > '\u007f') break;
            bytes[i] = (byte)c;
        }
        return i;
    }

    /// <summary>Drops the lines not yet written out (and the one being built); nothing more is written before the next line.</summary>
    public void Discard()
    {
        _gate = null;
        _checkpoints = 0;
        _byteLen = 0;
        _len = 0;
    }

    /// <summary>Discards the line being built.</summary>
    public void ClearLine() => _len = 0;

    /// <summary>Bytes written out so far.</summary>
    public long BytesWritten { get; private set; }

    private IOutputGate? _gate;
    // Where each run of lines ended in _bytes, and the gate's mark when they were made (nondecreasing).
    private (int End, long Mark)[] _marks = [];
    private int _checkpoints;

    /// <summary>
    /// Holds each line back until <paramref name="gate"/> has reached the mark it had when the line was made (see
    /// <see cref="Decryption.RecordVerifier"/>); lines are then written out in order as their marks are reached, and
    /// the buffer grows to <paramref name="bufferBytes"/> so that the gate rarely has to be waited for.
    /// </summary>
    public void HoldFor(IOutputGate gate, int bufferBytes = 1 << 18)
    {
        _gate = gate;
        if (_bytes.Length < bufferBytes) Array.Resize(ref _bytes, bufferBytes);
        _marks = new (int, long)[256];
    }

    private void Checkpoint()
    {
        long mark = _gate!.Mark;
        if (_checkpoints > 0 && _marks[_checkpoints - 1].Mark == mark)
        {
            _marks[_checkpoints - 1].End = _byteLen;
            return;
        }
        if (_checkpoints == _marks.Length) Array.Resize(ref _marks, _marks.Length * 2);
        _marks[_checkpoints++] = (_byteLen, mark);
    }

    /// <summary>
    /// Writes out the buffered bytes: all of them (<paramref name="whole"/>), or, when lines are held for a gate, those
    /// whose marks it has reached, and at least half the buffer (waiting for the gate if need be).
    /// </summary>
    private void FlushBytes(bool whole)
    {
        if (_byteLen == 0) return;
        int end = _byteLen;
        if (_gate is { } gate)
        {
            if (whole || _checkpoints == 0)
            {
                gate.WaitUntil(gate.Mark);
            }
            else
            {
                int k = Reached(gate.Reached);
                if (k == 0 || _marks[k - 1].End < _byteLen / 2)
                {
                    // Not enough reached: wait for the lines up to half the buffer.
                    int t = 0;
                    while (t < _checkpoints - 1 && _marks[t].End < _byteLen / 2) t++;
                    gate.WaitUntil(_marks[t].Mark);
                    k = Math.Max(Reached(gate.Reached), t + 1);
                }
                end = _marks[k - 1].End;
                Array.Copy(_marks, k, _marks, 0, _checkpoints - k);
                _checkpoints -= k;
                for (int i = 0; i < _checkpoints; i++) _marks[i].End -= end;
            }
            if (end == _byteLen) _checkpoints = 0;
        }
        _out.Write(_bytes, 0, end);
        BytesWritten += end;
        if (end < _byteLen) Array.Copy(_bytes, end, _bytes, 0, _byteLen - end);
        _byteLen -= end;
    }

    /// <summary>How many checkpoints have marks at or below <paramref name="reached"/>.</summary>
    private int Reached(long reached)
    {
        int lo = 0, hi = _checkpoints;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_marks[mid].Mark <= reached) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    public void Flush()
    {
        FlushBytes(whole: true);
        _out.Flush();
    }

    public void Dispose()
    {
        try { Flush(); }
        catch (IOException) { /* the reader of our output went away (a closed pipe): nothing left to tell it */ }
        if (_ownsStream) _out.Dispose();
    }
}

/// <summary>
/// What lines of output may depend on, finished later on another thread: a count that grows as work is handed over
/// (<see cref="Mark"/>) and one that follows it as the work is done (<see cref="Reached"/>).
/// </summary>
public interface IOutputGate
{
    /// <summary>Work handed over so far.</summary>
    long Mark { get; }

    /// <summary>Work done so far (never above <see cref="Mark"/>).</summary>
    long Reached { get; }

    /// <summary>Waits until <see cref="Reached"/> is at least <paramref name="mark"/>, or throws when it never will be.</summary>
    void WaitUntil(long mark);
}
