using System.Diagnostics;
using HttpsFlow.Http.Http1;
using static HttpsFlow.Tests.Http.Http1.Http1Run;

namespace HttpsFlow.Tests.Http.Http1;

/// <summary>
/// Malformed and hostile HTTP/1.x: every case ends as a note (never an exception), the parser goes on with what
/// follows where it can, and memory and time stay bounded whatever the input.
/// </summary>
public class Http1RobustnessTests
{
    private static Http1Recorder Both(string text, params string[] methods) => Responses(text, 0, methods);

    [Theory]
    [InlineData("GARBAGE\r\n\r\nGET /ok HTTP/1.1\r\n\r\n")]
    [InlineData("GET\r\nGET /ok HTTP/1.1\r\n\r\n")]
    [InlineData("GET /nover\r\nGET /ok HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/x.y\r\nHost: h\r\n\r\nGET /ok HTTP/1.1\r\n\r\n")]
    [InlineData("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\nGET /ok HTTP/1.1\r\n\r\n")]
    [InlineData("G(ET / HTTP/1.1\r\n\r\nGET /ok HTTP/1.1\r\n\r\n")]
    public void BadRequestLineIsSkipped(string text)
    {
        var sink = SameWhateverTheCut(Http1Direction.Requests, [Bytes(text)]);
        Assert.Equal("/ok", sink.Messages[^1].Target);
        Assert.Contains(Http1NoteKeys.BadStartLine, sink.NoteKeys);
    }

    [Theory]
    [InlineData("HTTP/1.1 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("HTTP/1 200 OK\r\n\r\n")]
    [InlineData("http/1.1 200 OK\r\n\r\n")]
    [InlineData("ICY 200 OK\r\n\r\n")]
    public void BadStatusLineIsSkipped(string bad)
    {
        var sink = SameWhateverTheCut(Http1Direction.Responses, [Bytes(bad + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")]);
        Assert.Equal("ok", Assert.Single(sink.Messages).BodyText);
        Assert.Contains(Http1NoteKeys.BadStartLine, sink.NoteKeys);
    }

    [Fact]
    public void OtherVersionIsNoted()
    {
        var sink = Requests("GET / HTTP/3.0\r\n\r\n");
        Assert.Equal([Http1NoteKeys.Version], Assert.Single(sink.Messages).NoteKeys);
    }

    [Theory]
    [InlineData("No colon here", Http1NoteKeys.BadHeader)]
    [InlineData(": empty name", Http1NoteKeys.BadHeader)]
    [InlineData("Bad Name: x", Http1NoteKeys.BadHeader)]
    [InlineData("Host : spaced", Http1NoteKeys.BadHeader)]
    [InlineData(" folded-first", Http1NoteKeys.ObsFold)]
    public void BadHeaderLinesAreNoted(string line, string key)
    {
        var sink = Requests($"GET / HTTP/1.1\r\n{line}\r\nAccept: x\r\n\r\n");
        var m = Assert.Single(sink.Messages);
        Assert.Contains(key, m.NoteKeys);
        Assert.Contains("Accept: x", m.Headers);
    }

    [Theory]
    [InlineData("Content-Length: abc")]
    [InlineData("Content-Length: -5")]
    [InlineData("Content-Length: +5")]
    [InlineData("Content-Length: 5 5")]
    [InlineData("Content-Length: 99999999999999999999999")]
    [InlineData("Content-Length: 5\r\nContent-Length: 6")]
    [InlineData("Content-Length: 5, 6")]
    public void BadContentLengthIsNotedAndTheParserResynchronises(string header)
    {
        var sink = SameWhateverTheCut(Http1Direction.Requests, [Bytes($"POST / HTTP/1.1\r\n{header}\r\n\r\nhello\r\nGET /next HTTP/1.1\r\n\r\n")]);
        Assert.Contains(Http1NoteKeys.BadContentLength, sink.Messages[0].NoteKeys);
        Assert.Equal("/next", sink.Messages[^1].Target);
        var r = Both($"HTTP/1.1 200 OK\r\n{header}\r\n\r\nhelloHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "GET", "GET");
        Assert.Contains(Http1NoteKeys.BadContentLength, r.Messages[0].NoteKeys);
    }

    [Fact]
    public void SameContentLengthTwiceIsAccepted()
    {
        var m = Assert.Single(Requests("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nok").Messages);
        Assert.Equal("ok", m.BodyText);
        Assert.Empty(m.Notes);
    }

    [Fact]
    public void TransferEncodingWinsOverContentLength()
    {
        var m = Assert.Single(Requests("POST / HTTP/1.1\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n").Messages);
        Assert.Equal("ok", m.BodyText);
        Assert.Equal([Http1NoteKeys.LengthAndTransferEncoding], m.NoteKeys);
    }

    [Fact]
    public void TransferEncodingNotEndingInChunked()
    {
        var r = Assert.Single(Both("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nrest of stream", "GET").Messages);
        Assert.Equal(Http1BodyKind.UntilClose, r.BodyKind);
        Assert.Contains(Http1NoteKeys.BadTransferEncoding, r.NoteKeys);
        var q = Requests("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nxx\r\nGET /n HTTP/1.1\r\n\r\n");
        Assert.Contains(Http1NoteKeys.BadTransferEncoding, q.Messages[0].NoteKeys);
        Assert.Equal("/n", q.Messages[^1].Target);
    }

    [Theory]
    [InlineData("zz\r\n")]
    [InlineData("\r\n")]
    [InlineData("5 x\r\n")]
    [InlineData("FFFFFFFFFFFFFFFFFF\r\n")]
    [InlineData("0x10\r\n")]
    [InlineData("-1\r\n")]
    public void BadChunkSizeEndsTheMessage(string chunkLine)
    {
        var sink = SameWhateverTheCut(Http1Direction.Responses,
            [Bytes($"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n{chunkLine}HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz")],
            () => Http1ParserTests.Queue("GET", "GET"));
        Assert.Equal(2, sink.Messages.Count);
        Assert.False(sink.Messages[0].IsComplete);
        Assert.Equal("abc", sink.Messages[0].BodyText);
        Assert.Contains(Http1NoteKeys.BadChunk, sink.Messages[0].NoteKeys);
        Assert.Equal("z", sink.Messages[1].BodyText);
    }

    [Fact]
    public void ChunkDataWithoutCrlf()
    {
        var m = Assert.Single(Both("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc4\r\ndefg\r\n0\r\n\r\n", "GET").Messages);
        Assert.Equal("abcdefg", m.BodyText);
        Assert.Equal([Http1NoteKeys.BadChunk], m.NoteKeys);
        Assert.True(m.IsComplete);
    }

    [Fact]
    public void HeaderBlockOverTheLimit()
    {
        var limits = new Http1Limits { MaxHeaderBytes = 2048 };
        string big = "GET /big HTTP/1.1\r\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"X-Header-{i}: {new string('v', 40)}\r\n")) + "\r\n";
        var packets = new[] { Bytes(big + "GET /after HTTP/1.1\r\n\r\n") };
        foreach (int piece in new[] { 0, 1, 100 })
        {
            var sink = Feed(Http1Direction.Requests, packets, piece, limits: limits);
            Assert.Contains(Http1NoteKeys.HeaderTooLong, sink.NoteKeys);
            Assert.Equal("/after", Assert.Single(sink.Messages).Target);
        }
    }

    [Fact]
    public void TooManyHeaderFields()
    {
        var limits = new Http1Limits { MaxHeaderCount = 10 };
        string text = "GET / HTTP/1.1\r\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"X-{i}: {i}\r\n")) + "\r\n";
        var m = Assert.Single(Feed(Http1Direction.Requests, [Bytes(text)], limits: limits).Messages);
        Assert.Equal(10, m.Headers.Length);
        Assert.Equal([Http1NoteKeys.TooManyHeaders], m.NoteKeys);
        Assert.Contains("X-19: 19", m.RawHeader);
    }

    [Fact]
    public void TrailerSectionOverTheLimit()
    {
        var limits = new Http1Limits { MaxHeaderBytes = 1024 };
        string text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-T: " + new string('t', 2000) + "\r\n\r\n";
        var m = Assert.Single(Feed(Http1Direction.Responses, [Bytes(text)], limits: limits).Messages);
        Assert.False(m.IsComplete);
        Assert.Contains(Http1NoteKeys.HeaderTooLong, m.NoteKeys);
    }

    [Fact]
    public void ChunkLineOverTheLimit()
    {
        string text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + new string('e', 10_000) + "\r\nx\r\n0\r\n\r\n";
        var m = Assert.Single(Feed(Http1Direction.Responses, [Bytes(text)], 1000).Messages);
        Assert.Contains(Http1NoteKeys.BadChunk, m.NoteKeys);
    }

    [Fact]
    public void BodyOverTheKeepLimitIsCounted()
    {
        var limits = new Http1Limits { MaxBodyBytes = 100 };
        var m = Assert.Single(Feed(Http1Direction.Requests, [Bytes("POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + new string('b', 1000))], 37, limits: limits).Messages);
        Assert.Equal(100, m.Body.Length);
        Assert.Equal(1000, m.BodyLength);
        Assert.True(m.BodyTruncated);
        Assert.Equal([Http1NoteKeys.BodyNotKept], m.NoteKeys);
    }

    [Fact]
    public void WithoutNotesTheSameMessagesAreRead()
    {
        // The packet list keeps no notes: the messages, their framing and lengths are the same.
        string text = "GET / HTTP/1.1\r\nbad line\r\n\r\nPOST /x HTTP/1.1\r\nContent-Length: 300\r\n\r\n" + new string('b', 300) + "GET /y HTTP/1.1\r\n\r\n";
        var noted = Feed(Http1Direction.Requests, [Bytes(text)], limits: new Http1Limits { MaxBodyBytes = 64 }).Messages;
        var quiet = Feed(Http1Direction.Requests, [Bytes(text)], limits: new Http1Limits { MaxBodyBytes = 64, KeepNotes = false }).Messages;
        Assert.NotEmpty(noted.SelectMany(m => m.NoteKeys));
        Assert.Empty(quiet.SelectMany(m => m.NoteKeys));
        Assert.Equal(noted.Select(m => (m.StartLine, m.BodyLength)), quiet.Select(m => (m.StartLine, m.BodyLength)));
        Assert.Equal(3, quiet.Count);
    }

    [Fact]
    public void NotesPerMessageAreBounded()
    {
        var limits = new Http1Limits { MaxNotesPerMessage = 4 };
        string text = "GET / HTTP/1.1\r\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"bad line {i}\r\n")) + "\r\n";
        var m = Assert.Single(Feed(Http1Direction.Requests, [Bytes(text)], limits: limits).Messages);
        Assert.Equal(4, m.Notes.Length);
        Assert.Equal(Http1NoteKeys.TooManyNotes, m.Notes[^1].Key);
        Assert.Contains("47 more", m.Notes[^1].Message);
    }

    [Fact]
    public void StreamEndingInsideAHeaderBlock()
    {
        var sink = Requests("GET / HTTP/1.1\r\nHost: h");
        Assert.Empty(sink.Messages);
        Assert.Equal([Http1NoteKeys.Incomplete], sink.NoteKeys);
    }

    [Fact]
    public void MethodQueueIsBounded()
    {
        var queue = new Http1MethodQueue(capacity: 3);
        var parser = new Http1Parser(Http1Direction.Requests, new Http1Recorder(), queue);
        parser.Feed(Bytes(string.Concat(Enumerable.Repeat("HEAD / HTTP/1.1\r\n\r\n", 10))), 1);
        Assert.Equal(3, queue.Count);
        Assert.Equal(7, queue.Dropped);
    }

    // ---- hostile input: bounded memory, linear time ----

    private static (Http1Recorder Sink, Http1Parser Parser, long MaxBuffered) Stream(Http1Direction direction, Func<int, byte[]> chunk, int chunks, Http1Limits? limits = null)
    {
        var sink = new Http1Recorder();
        var parser = new Http1Parser(direction, sink, new Http1MethodQueue(), limits);
        long max = 0;
        for (int i = 0; i < chunks; i++)
        {
            parser.Feed(chunk(i), i + 1);
            max = Math.Max(max, parser.BufferedBytes);
        }
        parser.Close();
        return (sink, parser, max);
    }

    [Fact]
    public void EndlessHeaderLineWithoutCrlf()
    {
        var filler = new byte[64 * 1024];
        Array.Fill(filler, (byte)'a');
        var sw = Stopwatch.StartNew();
        var (sink, _, max) = Stream(Http1Direction.Requests, i => i == 0 ? Bytes("GET / HTTP/1.1\r\nX: ") : filler, 1 + 16 * 64); // 64 MiB
        Assert.True(max <= Http1Limits.Default.MaxHeaderBytes, $"held {max}");
        Assert.Contains(Http1NoteKeys.HeaderTooLong, sink.NoteKeys);
        Assert.Empty(sink.Messages);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), sw.Elapsed.ToString());
    }

    [Fact]
    public void EndlessStartLine()
    {
        var filler = new byte[64 * 1024];
        Array.Fill(filler, (byte)'/');
        var (sink, _, max) = Stream(Http1Direction.Requests, i => i == 0 ? Bytes("GET ") : filler, 200);
        Assert.True(max <= Http1Limits.Default.MaxHeaderBytes);
        Assert.Contains(Http1NoteKeys.HeaderTooLong, sink.NoteKeys);
    }

    [Fact]
    public void ChunkSizeBeyondSixtyFourBits()
    {
        var sink = Both("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nabc", "GET");
        var m = Assert.Single(sink.Messages);
        Assert.Contains(m.Notes, n => n.Key == Http1NoteKeys.BadChunk && n.Message.Contains("too large"));
    }

    [Fact]
    public void LargestChunkSizeIsCountedNotHeld()
    {
        var data = new byte[64 * 1024];
        var (sink, _, max) = Stream(Http1Direction.Responses,
            i => i == 0 ? Bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7FFFFFFFFFFFFFFF\r\n") : data, 1 + 64); // 4 MiB of chunk data
        var m = Assert.Single(sink.Messages);
        Assert.Equal(4L << 20, m.BodyLength);
        Assert.Equal(1 << 20, m.Body.Length);
        Assert.True(max <= Http1Limits.Default.MaxBufferedBytes);
        Assert.False(m.IsComplete);
    }

    [Fact]
    public void HugeNumberOfTinyChunks()
    {
        var tiny = Bytes(string.Concat(Enumerable.Repeat("1;e=v\r\nx\r\n", 6_000))); // 60 KB, 6,000 chunks
        var sw = Stopwatch.StartNew();
        var (sink, _, max) = Stream(Http1Direction.Responses,
            i => i == 0 ? Bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") : i == 201 ? Bytes("0\r\n\r\n") : tiny, 202);
        var m = Assert.Single(sink.Messages);
        Assert.Equal(1_200_000, m.ChunkCount);
        Assert.Equal(1_200_000, m.BodyLength);
        Assert.True(m.IsComplete);
        Assert.True(max <= Http1Limits.Default.MaxBufferedBytes);
        Assert.Equal(202, m.Frames.Length);
        Assert.Equal(202, m.FrameCount);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), sw.Elapsed.ToString());
    }

    [Fact]
    public void ManyTinyPipelinedRequests()
    {
        var block = Bytes(string.Concat(Enumerable.Repeat("GET / HTTP/1.1\r\nHost: h\r\n\r\n", 1000)));
        var sink = new Counter();
        var queue = new Http1MethodQueue();
        var parser = new Http1Parser(Http1Direction.Requests, sink, queue);
        var sw = Stopwatch.StartNew();
        long max = 0;
        for (int i = 0; i < 100; i++)
        {
            parser.Feed(block, i + 1);
            max = Math.Max(max, parser.BufferedBytes);
        }
        parser.Close();
        Assert.Equal(100_000, sink.Messages);
        Assert.Equal(100_000, parser.MessageCount);
        Assert.Equal(1024, queue.Count);
        Assert.Equal(100_000 - 1024, queue.Dropped);
        Assert.True(max < 1024);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), sw.Elapsed.ToString());
    }

    private sealed class Counter : IHttp1Sink
    {
        public long Messages;

        public void OnMessage(in Http1Message message)
        {
            if (message.Headers.Host.Length == 1) Messages++;
        }
    }

    [Fact]
    public void BinaryNoiseIsSkippedInLinearTime()
    {
        var rnd = new Random(11);
        var noise = new byte[64 * 1024];
        rnd.NextBytes(noise);
        var newlines = new byte[64 * 1024];
        Array.Fill(newlines, (byte)'\n');
        var sw = Stopwatch.StartNew();
        foreach (var dir in new[] { Http1Direction.Requests, Http1Direction.Responses })
        {
            var (sink, _, max) = Stream(dir, i => i % 2 == 0 ? noise : newlines, 256); // 16 MiB
            Assert.True(max <= Http1Limits.Default.MaxBufferedBytes);
            Assert.DoesNotContain(sink.Notes, n => n.Key == Http1NoteKeys.Bug);
        }
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), sw.Elapsed.ToString());
    }

    [Fact]
    public void RandomInputNeverThrowsAndStaysBounded()
    {
        var rnd = new Random(5);
        string[] pieces = ["GET / HTTP/1.1\r\n", "HTTP/1.1 200 OK\r\n", "Content-Length: 5\r\n", "Transfer-Encoding: chunked\r\n", "\r\n", "5\r\n", "0\r\n",
            "hello", "Content-Encoding: gzip\r\n", "HEAD /h HTTP/1.1\r\n", "HTTP/1.1 100 Continue\r\n", "\n", " fold\r\n", "x", ";", ":", "FFFFFFFFFFFFFFFFFFFF\r\n",
            "Content-Length: -1\r\n", "CONNECT h:1 HTTP/1.1\r\n", "Upgrade: x\r\n", "HTTP/1.1 101 S\r\n"];
        var limits = new Http1Limits { MaxHeaderBytes = 1024, MaxBodyBytes = 256, MaxChunkLineBytes = 64 };
        for (int round = 0; round < 300; round++)
        {
            var ms = new MemoryStream();
            int n = rnd.Next(1, 60);
            for (int i = 0; i < n; i++) ms.Write(Bytes(pieces[rnd.Next(pieces.Length)]));
            var bytes = ms.ToArray();
            var (req, res) = (new Http1Recorder(), new Http1Recorder());
            var (rp, sp) = Http1Parser.CreatePair(req, res, limits);
            int at = 0;
            while (at < bytes.Length)
            {
                int len = Math.Min(bytes.Length - at, rnd.Next(1, 40));
                rp.Feed(bytes.AsSpan(at, len), at);
                sp.Feed(bytes.AsSpan(at, len), at);
                Assert.InRange(rp.BufferedBytes, 0, limits.MaxBufferedBytes);
                Assert.InRange(sp.BufferedBytes, 0, limits.MaxBufferedBytes);
                at += len;
            }
            rp.Close();
            sp.Close();
            Assert.False(rp.GaveUp);
            Assert.False(sp.GaveUp);
            Assert.DoesNotContain(req.Notes.Concat(res.Notes), x => x.Key == Http1NoteKeys.Bug);
        }
    }

    [Fact]
    public void SinkExceptionsAreNotSwallowed()
    {
        var parser = new Http1Parser(Http1Direction.Requests, new Throwing());
        Assert.Throws<InvalidTimeZoneException>(() => parser.Feed(Bytes("GET / HTTP/1.1\r\n\r\n"), 1));
    }

    private sealed class Throwing : IHttp1Sink
    {
        public void OnMessage(in Http1Message message) => throw new InvalidTimeZoneException();
    }

    [Fact]
    public void LimitsOutOfRangeAreClamped()
    {
        var limits = new Http1Limits { MaxHeaderBytes = -1, MaxBodyBytes = -5, MaxDecodedBytes = -1, MaxHeaderCount = 0, MaxFramesListed = 0, MaxNotesPerMessage = 0, MaxChunkLineBytes = 0, MaxDecompressionRatio = 0, MaxCodings = 0 };
        var sink = Feed(Http1Direction.Responses, [Http1DecodingTests.Response("Content-Encoding: gzip\r\n", Http1DecodingTests.Gzip(new byte[5000]))], limits: limits);
        var m = Assert.Single(sink.Messages);
        Assert.Empty(m.Body);
        Assert.True(m.BodyLength > 0);
        Assert.Single(m.Headers); // one field listed: the rest are noted, and the body runs to the end
        Assert.Contains(Http1NoteKeys.TooManyHeaders, m.NoteKeys);
    }
}
