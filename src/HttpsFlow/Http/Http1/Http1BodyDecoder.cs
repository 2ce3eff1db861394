using System.Buffers;
using System.IO.Compression;
using HttpsFlow.Common;

namespace HttpsFlow.Http.Http1;

/// <summary>The codings the decoder knows (RFC 9110 §8.4.1), and Unknown.</summary>
internal enum Http1Coding : byte { Identity, Gzip, Deflate, Brotli, Unknown }

/// <summary>
/// Undoes a body's codings within bounds: the output of every step is at most <see cref="Http1Limits.MaxDecodedBytes"/>
/// and, past <see cref="Http1Limits.DecompressionRatioGrace"/>, at most <see cref="Http1Limits.MaxDecompressionRatio"/>
/// times the compressed bytes read so far, so a gzip bomb costs a few megabytes and milliseconds. Output buffers are
/// rented from the shared pool; the caller returns the one it gets. Corrupt data ends a step with a note and keeps
/// what came out before it; nothing is thrown.
/// </summary>
internal static class Http1BodyDecoder
{
    public static Http1Coding Parse(ReadOnlySpan<byte> name) =>
        System.Text.Ascii.EqualsIgnoreCase(name, "gzip"u8) || System.Text.Ascii.EqualsIgnoreCase(name, "x-gzip"u8) ? Http1Coding.Gzip
        : System.Text.Ascii.EqualsIgnoreCase(name, "deflate"u8) ? Http1Coding.Deflate
        : System.Text.Ascii.EqualsIgnoreCase(name, "br"u8) ? Http1Coding.Brotli
        : System.Text.Ascii.EqualsIgnoreCase(name, "identity"u8) ? Http1Coding.Identity
        : Http1Coding.Unknown;

    /// <summary>
    /// Undoes <paramref name="codings"/> (in the order they were applied) over <paramref name="input"/>. Returns the
    /// rented buffer holding the result (null when the result is the input itself) and its length.
    /// </summary>
    public static byte[]? Decode(byte[] input, int inputLength, ReadOnlySpan<Http1Coding> codings, Http1Limits limits,
        Http1Parser parser, out int length, out bool partial)
    {
        partial = false;
        byte[]? current = null;
        byte[] source = input;
        length = inputLength;
        for (int i = codings.Length - 1; i >= 0; i--)
        {
            if (codings[i] == Http1Coding.Identity) continue;
            var output = Step(codings[i], source, length, limits, parser, out int written, out bool stopped);
            if (current is not null) ArrayPool<byte>.Shared.Return(current);
            current = output;
            source = output;
            length = written;
            if (stopped)
            {
                partial = true;
                break;
            }
        }
        return current;
    }

    private static byte[] Step(Http1Coding coding, byte[] input, int inputLength, Http1Limits limits, Http1Parser parser,
        out int written, out bool stopped)
    {
        int cap = limits.DecodedBytes;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(inputLength * 4L, 4096), Math.Max(cap, 1)));
        written = 0;
        stopped = false;
        string name = coding switch { Http1Coding.Gzip => "gzip", Http1Coding.Deflate => "deflate", _ => "br" };
        if (coding == Http1Coding.Brotli)
        {
            using var decoder = new BrotliDecoder();
            int consumed = 0;
            while (true)
            {
                if (written >= Math.Min(buffer.Length, cap) && !Grow(ref buffer, written, cap))
                {
                    // Full at the cap: more output means the limit stopped it.
                    Span<byte> probe = stackalloc byte[1];
                    var more = decoder.Decompress(input.AsSpan(consumed, inputLength - consumed), probe, out _, out int w);
                    if (w > 0 || more == System.Buffers.OperationStatus.DestinationTooSmall) stopped = StopAtSize(parser, written, cap);
                    break;
                }
                var status = decoder.Decompress(input.AsSpan(consumed, inputLength - consumed), buffer.AsSpan(written, Math.Min(buffer.Length, cap) - written), out int c, out int wr);
                consumed += c;
                written += wr;
                if (RatioExceeded(written, consumed, limits))
                {
                    stopped = StopAtRatio(parser, written, consumed, limits);
                    break;
                }
                if (status == System.Buffers.OperationStatus.Done) break;
                if (status == System.Buffers.OperationStatus.DestinationTooSmall) continue;
                stopped = true;
                parser.Note(Http1NoteKeys.DecodeError, Severity.Warning, "Malformed", status == System.Buffers.OperationStatus.NeedMoreData
                    ? $"br data ends early: {written} bytes decoded"
                    : $"br data corrupt after {consumed} compressed bytes: {written} bytes decoded");
                break;
            }
            return buffer;
        }

        using var ms = new MemoryStream(input, 0, inputLength, writable: false);
        Stream stream = coding == Http1Coding.Gzip ? new GZipStream(ms, CompressionMode.Decompress)
            : LooksLikeZlib(input.AsSpan(0, inputLength)) ? new ZLibStream(ms, CompressionMode.Decompress)
            : new DeflateStream(ms, CompressionMode.Decompress); // raw deflate, which browsers also accept
        using (stream)
        {
            while (true)
            {
                if (written >= Math.Min(buffer.Length, cap) && !Grow(ref buffer, written, cap))
                {
                    Span<byte> probe = stackalloc byte[1];
                    if (Read(stream, probe, parser, name, written, ref stopped) > 0) stopped = StopAtSize(parser, written, cap);
                    break;
                }
                int r = Read(stream, buffer.AsSpan(written, Math.Min(buffer.Length, cap) - written), parser, name, written, ref stopped);
                if (r <= 0) break;
                written += r;
                if (RatioExceeded(written, ms.Position, limits))
                {
                    stopped = StopAtRatio(parser, written, ms.Position, limits);
                    break;
                }
            }
        }
        return buffer;
    }

    private static int Read(Stream stream, Span<byte> into, Http1Parser parser, string name, int written, ref bool stopped)
    {
        if (into.IsEmpty) return 0;
        try
        {
            return stream.Read(into);
        }
        catch (InvalidDataException)
        {
            stopped = true;
            parser.Note(Http1NoteKeys.DecodeError, Severity.Warning, "Malformed", $"{name} data corrupt: {written} bytes decoded");
            return -1;
        }
    }

    // RFC 1950: CMF (method 8, window ≤ 32K) and FLG make a multiple of 31.
    private static bool LooksLikeZlib(ReadOnlySpan<byte> data) =>
        data.Length >= 2 && (data[0] & 0x0f) == 8 && (data[0] >> 4) <= 7 && ((data[0] << 8) | data[1]) % 31 == 0;

    private static bool Grow(ref byte[] buffer, int written, int cap)
    {
        if (buffer.Length >= cap) return false;
        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, cap));
        buffer.AsSpan(0, written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = bigger;
        return true;
    }

    private static bool RatioExceeded(long written, long consumed, Http1Limits limits) =>
        written > limits.RatioGrace && written > (long)limits.Ratio * Math.Max(consumed, 1);

    private static bool StopAtSize(Http1Parser parser, int written, int cap)
    {
        parser.Note(Http1NoteKeys.DecompressionLimit, Severity.Warning, "Undecoded", $"decompression stopped at {written} bytes (limit: {cap} bytes)");
        return true;
    }

    private static bool StopAtRatio(Http1Parser parser, long written, long consumed, Http1Limits limits)
    {
        parser.Note(Http1NoteKeys.DecompressionLimit, Severity.Warning, "Undecoded",
            $"decompression stopped at {written} bytes (limit: {limits.Ratio}:1 to {consumed} compressed bytes)");
        return true;
    }
}
