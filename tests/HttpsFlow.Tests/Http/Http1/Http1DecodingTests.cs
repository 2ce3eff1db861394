using System.IO.Compression;
using System.Text;
using HttpsFlow.Http.Http1;
using static HttpsFlow.Tests.Http.Http1.Http1Run;

namespace HttpsFlow.Tests.Http.Http1;

/// <summary>
/// Content-Encoding (RFC 9110 §8.4): gzip, x-gzip, deflate in both forms browsers accept (zlib-wrapped and raw), br,
/// several codings undone in reverse order, unknown codings left alone, and the bounds that stop a decompression bomb.
/// Test vectors are made here with System.IO.Compression's encoders.
/// </summary>
public class Http1DecodingTests
{
    private static readonly byte[] Text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<p>Hello, HTTP/1.1 world — ünïcödé.</p>\n", 200)));

    internal static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Optimal)) z.Write(data);
        return ms.ToArray();
    }

    internal static byte[] Zlib(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal)) z.Write(data);
        return ms.ToArray();
    }

    internal static byte[] RawDeflate(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new DeflateStream(ms, CompressionLevel.Optimal)) z.Write(data);
        return ms.ToArray();
    }

    internal static byte[] Brotli(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new BrotliStream(ms, CompressionLevel.Optimal)) z.Write(data);
        return ms.ToArray();
    }

    internal static byte[] Response(string codingHeader, byte[] body, bool chunked = false)
    {
        var head = Bytes($"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{codingHeader}" +
                         (chunked ? "Transfer-Encoding: chunked\r\n\r\n" : $"Content-Length: {body.Length}\r\n\r\n"));
        if (!chunked) return [.. head, .. body];
        var ms = new MemoryStream();
        ms.Write(head);
        for (int i = 0; i < body.Length; i += 100)
        {
            int n = Math.Min(100, body.Length - i);
            ms.Write(Bytes($"{n:x}\r\n"));
            ms.Write(body, i, n);
            ms.Write("\r\n"u8);
        }
        ms.Write("0\r\n\r\n"u8);
        return ms.ToArray();
    }

    private static RecordedMessage One(byte[] response, Http1Limits? limits = null)
    {
        var sink = Feed(Http1Direction.Responses, [response], 0, Http1ParserTests.Queue("GET"), limits);
        return Assert.Single(sink.Messages);
    }

    public static TheoryData<string, string> Codings() => new()
    {
        { "gzip", "Content-Encoding: gzip\r\n" },
        { "x-gzip", "Content-Encoding: x-gzip\r\n" },
        { "zlib", "Content-Encoding: deflate\r\n" },
        { "raw", "Content-Encoding: deflate\r\n" },
        { "br", "Content-Encoding: br\r\n" },
        { "upper", "Content-Encoding: GZIP\r\n" },
    };

    private static byte[] Encode(string kind, byte[] data) => kind switch
    {
        "gzip" or "x-gzip" or "upper" => Gzip(data),
        "zlib" => Zlib(data),
        "raw" => RawDeflate(data),
        _ => Brotli(data),
    };

    [Theory]
    [MemberData(nameof(Codings))]
    public void DecodesEachCoding(string kind, string header)
    {
        foreach (bool chunked in new[] { false, true })
        {
            var body = Encode(kind, Text);
            var m = One(Response(header, body, chunked));
            Assert.Equal(body, m.Body);
            Assert.Equal(Http1Decoding.Decoded, m.Decoding);
            Assert.Equal(Text, m.Decoded);
            Assert.Empty(m.Notes);
        }
    }

    [Fact]
    public void DecodedTheSameByteByByte()
    {
        SameWhateverTheCut(Http1Direction.Responses, [Response("Content-Encoding: br\r\n", Brotli(Text), chunked: true)], () => Http1ParserTests.Queue("GET"));
    }

    [Fact]
    public void SeveralCodingsUndoneInReverseOrder()
    {
        // Applied gzip first, then br: "Content-Encoding: gzip, br".
        var body = Brotli(Gzip(Text));
        Assert.Equal(Text, One(Response("Content-Encoding: gzip, br\r\n", body)).Decoded);
        // The same, as two header fields, with identity in between.
        Assert.Equal(Text, One(Response("Content-Encoding: gzip\r\nContent-Encoding: identity, br\r\n", body)).Decoded);
        // Transfer codings other than chunked are applied after the content codings.
        var m = One(Response("Content-Encoding: deflate\r\nTransfer-Encoding: gzip\r\n", Gzip(Zlib(Text)), chunked: true));
        Assert.Equal(Text, m.Decoded);
    }

    [Fact]
    public void UnknownCodingLeavesTheBodyAsReceived()
    {
        var body = Encoding.ASCII.GetBytes("(compressed with zstd)");
        var m = One(Response("Content-Encoding: gzip, zstd\r\n", body));
        Assert.Equal(Http1Decoding.Unsupported, m.Decoding);
        Assert.Equal(body, m.Decoded);
        Assert.Equal([Http1NoteKeys.UnknownCoding], m.NoteKeys);
        Assert.Contains("zstd", m.Notes[0].Message);
    }

    [Fact]
    public void NoCodingMeansDecodedIsRaw()
    {
        var m = One(Response("", Text));
        Assert.Equal(Http1Decoding.NotEncoded, m.Decoding);
        Assert.Equal(Text, m.Decoded);
    }

    [Fact]
    public void DecodingCanBeTurnedOff()
    {
        var body = Gzip(Text);
        var m = One(Response("Content-Encoding: gzip\r\n", body), new Http1Limits { DecodeBodies = false });
        Assert.Equal(Http1Decoding.Off, m.Decoding);
        Assert.Equal(body, m.Decoded);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("raw")]
    public void CorruptDataKeepsWhatCameOutWithANote(string kind)
    {
        var body = Encode(kind, Text);
        var cut = body[..(body.Length / 2)];
        var m = One(Response($"Content-Encoding: {(kind == "raw" ? "deflate" : kind)}\r\n", cut));
        Assert.True(m.Decoded.Length < Text.Length);
        Assert.True(Text.AsSpan().StartsWith(m.Decoded));
        var garbage = Bytes("this is not compressed data at all, not even a little bit");
        var g = One(Response($"Content-Encoding: {(kind == "raw" ? "deflate" : kind)}\r\n", garbage));
        Assert.Equal(Http1Decoding.Partial, g.Decoding);
        Assert.Contains(Http1NoteKeys.DecodeError, g.NoteKeys);
    }

    /// <summary>A gzip bomb: 64 MiB of zeros in about 64 KB.</summary>
    [Fact]
    public void GzipBombStopsAtTheRatioLimit()
    {
        var bomb = Gzip(new byte[64 << 20]);
        Assert.True(bomb.Length < 100_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var m = One(Response("Content-Encoding: gzip\r\n", bomb));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(Http1Decoding.Partial, m.Decoding);
        var note = Assert.Single(m.Notes, n => n.Key == Http1NoteKeys.DecompressionLimit);
        Assert.StartsWith($"decompression stopped at {m.Decoded.Length} bytes (limit", note.Message);
        Assert.InRange(m.Decoded.Length, 1 << 20, 2 << 20); // the ratio stops it just past the first MiB
        Assert.Contains(":1 to ", note.Message);
        Assert.True(m.Decoded.All(b => b == 0));
        Assert.True(allocated < 64L << 20, $"allocated {allocated} bytes"); // the test's own copies included
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public void DecodedSizeLimit(string kind)
    {
        // Random-looking text that compresses only a little, so that the ratio limit does not apply first.
        var rnd = new Random(7);
        var data = new byte[3 << 20];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)('a' + rnd.Next(16));
        var limits = new Http1Limits { MaxDecodedBytes = 1 << 20, MaxBodyBytes = 4 << 20 };
        var m = One(Response($"Content-Encoding: {kind}\r\n", Encode(kind, data)), limits);
        Assert.Equal(Http1Decoding.Partial, m.Decoding);
        Assert.Equal(1 << 20, m.Decoded.Length);
        Assert.Equal(data.AsSpan(0, 1 << 20).ToArray(), m.Decoded);
        Assert.Contains(m.Notes, n => n.Message == $"decompression stopped at {1 << 20} bytes (limit: {1 << 20} bytes)");
    }

    [Fact]
    public void BrotliBombStopsToo()
    {
        var bomb = Brotli(new byte[32 << 20]);
        var m = One(Response("Content-Encoding: br\r\n", bomb));
        Assert.Equal(Http1Decoding.Partial, m.Decoding);
        Assert.Contains(Http1NoteKeys.DecompressionLimit, m.NoteKeys);
        Assert.InRange(m.Decoded.Length, 1 << 20, 8 << 20);
    }

    [Fact]
    public void NestedBombStaysBounded()
    {
        // gzip inside gzip: each step is bounded on its own.
        var inner = Gzip(new byte[16 << 20]);
        var m = One(Response("Content-Encoding: gzip, gzip\r\n", Gzip(inner)));
        Assert.InRange(m.Decoded.Length, 0, 8 << 20);
    }

    [Fact]
    public void BodyOverTheKeepLimitIsDecodedFromWhatWasKept()
    {
        var limits = new Http1Limits { MaxBodyBytes = 1024 };
        var data = new byte[8192];
        new Random(3).NextBytes(data);
        var body = Gzip(data);
        var m = One(Response("Content-Encoding: gzip\r\n", body), limits);
        Assert.Equal(1024, m.Body.Length);
        Assert.Equal(body.Length, m.BodyLength);
        Assert.True(m.BodyTruncated);
        Assert.Equal(Http1Decoding.Partial, m.Decoding);
        Assert.Contains(Http1NoteKeys.BodyNotKept, m.NoteKeys);
    }

    [Fact]
    public void EmptyBodyWithACoding()
    {
        var m = One(Response("Content-Encoding: gzip\r\n", []));
        Assert.Equal(Http1Decoding.NotEncoded, m.Decoding);
        Assert.Empty(m.Decoded);
    }
}
