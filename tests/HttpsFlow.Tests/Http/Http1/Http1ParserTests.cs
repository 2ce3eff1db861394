using HttpsFlow.Http.Http1;
using static HttpsFlow.Tests.Http.Http1.Http1Run;

namespace HttpsFlow.Tests.Http.Http1;

/// <summary>
/// The HTTP/1.x parser on well-formed traffic (RFC 9112): start lines, header fields, every way a body is delimited,
/// pipelining, interim responses, and the same messages however the stream is cut.
/// </summary>
public class Http1ParserTests
{
    private const string Get =
        "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n";

    private const string Post =
        "POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world";

    private const string ChunkedResponse =
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n" +
        "5;name=value\r\nhello\r\n" + "1A ; ext\r\n, abcdefghijklmnopqrstuvwx\r\n" + "0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n";

    [Fact]
    public void RequestLineAndHeaders()
    {
        var sink = Requests(Get);
        var m = Assert.Single(sink.Messages);
        Assert.True(m.IsRequest);
        Assert.True(m.IsComplete);
        Assert.Equal("GET", m.Method);
        Assert.Equal("/index.html?q=1", m.Target);
        Assert.Equal("HTTP/1.1", m.Version);
        Assert.Equal((1, 1), (m.VersionMajor, m.VersionMinor));
        Assert.Equal("GET /index.html?q=1 HTTP/1.1", m.StartLine);
        Assert.Equal(["Host: example.com", "User-Agent: curl/8.5.0", "Accept: */*"], m.Headers);
        Assert.Equal("example.com", m.Host);
        Assert.Equal("curl/8.5.0", m.UserAgent);
        Assert.Equal(Get, m.RawHeader);
        Assert.Equal(Http1BodyKind.None, m.BodyKind);
        Assert.Empty(m.Body);
        Assert.Empty(m.Notes);
        Assert.Empty(sink.Notes);
        Assert.Equal((0L, (long)Get.Length, (long)Get.Length), (m.StartOffset, m.HeadersEndOffset, m.EndOffset));
        Assert.Equal((1L, 1L, 1L), (m.FirstFrame, m.HeadersFrame, m.CompleteFrame));
    }

    [Fact]
    public void HeadersEventComesBeforeTheBody()
    {
        var sink = new Http1Recorder();
        var parser = new Http1Parser(Http1Direction.Requests, sink);
        var bytes = Bytes(Post);
        int split = Post.IndexOf("hello", StringComparison.Ordinal);
        parser.Feed(bytes.AsSpan(0, split), 10);
        var h = Assert.Single(sink.Headers);
        Assert.Empty(sink.Messages);
        Assert.Equal("POST", h.Method);
        Assert.False(h.IsComplete);
        Assert.Equal(-1, h.CompleteFrame);
        Assert.Equal(10, h.HeadersFrame);
        Assert.True(parser.InMessage);
        Assert.Equal(0, parser.BufferedBytes - split); // the header block is held until the message ends
        parser.Feed(bytes.AsSpan(split, 5), 11);
        Assert.Equal(split + 5, parser.BufferedBytes);
        parser.Feed(bytes.AsSpan(split + 5), 12);
        var m = Assert.Single(sink.Messages);
        Assert.Equal("hello world", m.BodyText);
        Assert.Equal(Http1BodyKind.ContentLength, m.BodyKind);
        Assert.Equal(11, m.ContentLength);
        Assert.Equal(11L, m.HeaderContentLength);
        Assert.Equal("text/plain", m.ContentType);
        Assert.Equal((10L, 10L, 12L), (m.FirstFrame, m.HeadersFrame, m.CompleteFrame));
        Assert.Equal([10L, 11, 12], m.Frames);
        Assert.Equal(3, m.FrameCount);
        Assert.Equal(12, m.LastFrame);
        Assert.False(parser.InMessage);
        Assert.Equal(0, parser.BufferedBytes);
        Assert.Equal(1, parser.MessageCount);
    }

    [Fact]
    public void StatusLineWithAndWithoutReason()
    {
        var sink = Responses("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\nHTTP/1.0 200\r\nContent-Length: 0\r\n\r\nHTTP/1.1 204 \r\n\r\n", 0, "GET", "GET", "GET");
        Assert.Equal(3, sink.Messages.Count);
        Assert.Equal((404, "Not Found", "HTTP/1.1"), (sink.Messages[0].Status, sink.Messages[0].Reason, sink.Messages[0].Version));
        Assert.Equal((200, "", 0), (sink.Messages[1].Status, sink.Messages[1].Reason, sink.Messages[1].VersionMinor));
        Assert.Equal((204, ""), (sink.Messages[2].Status, sink.Messages[2].Reason));
        Assert.All(sink.Messages, m => Assert.Equal("GET", m.RequestMethod));
        Assert.All(sink.Messages, m => Assert.Empty(m.Notes));
    }

    [Fact]
    public void HeaderNamesCaseInsensitiveDuplicatesKeptInOrder()
    {
        var sink = Responses("HTTP/1.1 200 OK\r\nset-cookie: a=1\r\nSET-COOKIE: b=2\r\nVary: Accept\r\nSet-Cookie:c=3  \r\ncontent-length: 0\r\n\r\n", 0, "GET");
        var m = Assert.Single(sink.Messages);
        Assert.Equal(["set-cookie: a=1", "SET-COOKIE: b=2", "Vary: Accept", "Set-Cookie: c=3", "content-length: 0"], m.Headers);
        Assert.Equal(0L, m.HeaderContentLength);
    }

    [Fact]
    public void HeaderHelpers()
    {
        var sink = new HeaderProbe();
        var parser = new Http1Parser(Http1Direction.Requests, sink);
        parser.Feed(Bytes("GET / HTTP/1.1\r\nAccept: a\r\nHOST: h\r\naccept: b\r\nContent-Encoding: gzip\r\nContent-Encoding: br\r\n\r\n"), 1);
        Assert.Equal("a, b", sink.Accept);
        Assert.Equal(2, sink.AcceptCount);
        Assert.Equal("h", sink.Host);
        Assert.Equal("gzip", sink.ContentEncoding);
        Assert.Null(sink.Missing);
    }

    private sealed class HeaderProbe : IHttp1Sink
    {
        public string? Accept, Host, ContentEncoding, Missing = "unset";
        public int AcceptCount;

        public void OnMessage(in Http1Message message)
        {
            var h = message.Headers;
            Accept = h.GetCombined("accept");
            AcceptCount = h.CountOf("ACCEPT"u8);
            Host = h.TryGetValue("host"u8, out var v) ? System.Text.Encoding.Latin1.GetString(v) : null;
            ContentEncoding = System.Text.Encoding.Latin1.GetString(h.ContentEncoding);
            Missing = h.GetCombined("x-none");
        }
    }

    [Fact]
    public void ObsFoldIsJoinedWithOneSpace()
    {
        var sink = Requests("GET / HTTP/1.1\r\nX-Long: first\r\n   second\r\n\tthird\r\nHost: h\r\n\r\n");
        var m = Assert.Single(sink.Messages);
        Assert.Equal(["X-Long: first second third", "Host: h"], m.Headers);
        Assert.Equal([Http1NoteKeys.ObsFold], m.NoteKeys);
    }

    [Fact]
    public void BareLineFeedsAndLeadingEmptyLines()
    {
        var sink = Requests("\r\n\nGET / HTTP/1.0\nHost: h\n\nPOST /p HTTP/1.1\nContent-Length: 2\n\nok");
        Assert.Equal(2, sink.Messages.Count);
        Assert.Equal("h", sink.Messages[0].Host);
        Assert.Equal(3, sink.Messages[0].StartOffset);
        Assert.Equal("ok", sink.Messages[1].BodyText);
        Assert.Empty(sink.Notes);
    }

    [Fact]
    public void ChunkedWithExtensionsAndTrailers()
    {
        var sink = SameWhateverTheCut(Http1Direction.Responses, [Bytes(ChunkedResponse)], () => Queue("GET"));
        var m = Assert.Single(sink.Messages);
        Assert.Equal(Http1BodyKind.Chunked, m.BodyKind);
        Assert.Equal("hello, abcdefghijklmnopqrstuvwx", m.BodyText);
        Assert.Equal(2, m.ChunkCount);
        Assert.Equal(["X-Checksum: abc", "X-Other: 1"], m.Trailers);
        Assert.Equal("chunked", m.TransferEncoding);
        Assert.True(m.IsComplete);
        Assert.Empty(m.Notes);
        Assert.Equal(ChunkedResponse.Length, m.EndOffset);
    }

    [Fact]
    public void ChunkedWithoutTrailers()
    {
        var sink = Responses("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 0, "GET");
        var m = Assert.Single(sink.Messages);
        Assert.Equal("abc", m.BodyText);
        Assert.Empty(m.Trailers);
        Assert.True(m.IsComplete);
    }

    [Fact]
    public void ContentLengthBodyIsExact()
    {
        var sink = SameWhateverTheCut(Http1Direction.Requests, [Bytes(Post + Get)]);
        Assert.Equal(2, sink.Messages.Count);
        Assert.Equal("hello world", sink.Messages[0].BodyText);
        Assert.Equal("GET", sink.Messages[1].Method);
        Assert.Equal(Post.Length, sink.Messages[1].StartOffset);
    }

    [Fact]
    public void RequestsAndResponsesTheSameInOneChunkAndByteByByte()
    {
        string requests = Get + Post + "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n" + "OPTIONS * HTTP/1.1\r\n\r\n";
        string responses = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc" + ChunkedResponse +
                           "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "HTTP/1.1 200 OK\r\n\r\nuntil close";
        var q = SameWhateverTheCut(Http1Direction.Requests, [Bytes(requests)]);
        Assert.Equal(["GET", "POST", "HEAD", "OPTIONS"], q.Messages.Select(m => m.Method));
        var r = SameWhateverTheCut(Http1Direction.Responses, [Bytes(responses)], () => Queue("GET", "POST", "HEAD", "OPTIONS"));
        Assert.Equal(["abc", "hello, abcdefghijklmnopqrstuvwx", "", "until close"], r.Messages.Select(m => m.BodyText));
        Assert.Equal(Http1BodyKind.None, r.Messages[2].BodyKind);
        Assert.Equal("HEAD", r.Messages[2].RequestMethod);
        Assert.Equal(Http1BodyKind.UntilClose, r.Messages[3].BodyKind);
        Assert.True(r.Messages[3].IsComplete);
    }

    [Fact]
    public void FramesThatCarriedEachMessage()
    {
        // Three packets: the first holds a whole request and the start of the next, which ends in the third.
        string a = Get, b = Post;
        byte[][] packets = [Bytes(a + b[..10]), Bytes(b[10..30]), Bytes(b[30..] + Get)];
        var sink = Feed(Http1Direction.Requests, packets);
        Assert.Equal(3, sink.Messages.Count);
        Assert.Equal([1L], sink.Messages[0].Frames);
        Assert.Equal([1L, 2, 3], sink.Messages[1].Frames);
        Assert.Equal((1L, 3L, 3L), (sink.Messages[1].FirstFrame, sink.Messages[1].HeadersFrame, sink.Messages[1].CompleteFrame));
        Assert.Equal([3L], sink.Messages[2].Frames);
    }

    [Fact]
    public void FrameListIsBoundedButCounted()
    {
        var limits = new Http1Limits { MaxFramesListed = 4 };
        var packets = new List<byte[]> { Bytes("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n") };
        for (int i = 0; i < 10; i++) packets.Add(Bytes("x"));
        var m = Assert.Single(Feed(Http1Direction.Requests, packets, limits: limits).Messages);
        Assert.Equal([1L, 2, 3, 4], m.Frames);
        Assert.Equal(11, m.FrameCount);
        Assert.Equal(11, m.LastFrame);
    }

    [Theory]
    [InlineData("HEAD")]
    [InlineData("GET")]
    public void HeadResponseHasNoBody(string method)
    {
        const string responses = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        var sink = Responses(responses, 0, method, "GET");
        if (method == "HEAD")
        {
            Assert.Equal(2, sink.Messages.Count);
            Assert.Equal(Http1BodyKind.None, sink.Messages[0].BodyKind);
            Assert.Equal("ok", sink.Messages[1].BodyText);
        }
        else
        {
            // Read as a GET, the first response's five bytes swallow the start of the second.
            Assert.Equal("HTTP/", sink.Messages[0].BodyText);
        }
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public void NoBodyStatuses(int status)
    {
        var sink = Responses($"HTTP/1.1 {status} X\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz", 0, "GET", "GET");
        Assert.Equal(2, sink.Messages.Count);
        Assert.Equal(Http1BodyKind.None, sink.Messages[0].BodyKind);
        Assert.Equal("z", sink.Messages[1].BodyText);
    }

    [Fact]
    public void InterimResponsesAndContinue()
    {
        const string client = "PUT /big HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\ndata";
        const string server = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
        var queue = new Http1MethodQueue();
        var (req, res) = (new Http1Recorder(), new Http1Recorder());
        var rp = new Http1Parser(Http1Direction.Requests, req, queue);
        var sp = new Http1Parser(Http1Direction.Responses, res, queue);
        rp.Feed(Bytes(client), 1);
        sp.Feed(Bytes(server), 2);
        Assert.Equal("data", Assert.Single(req.Messages).BodyText);
        Assert.Equal([100, 102, 103, 201], res.Messages.Select(m => m.Status));
        Assert.Equal([true, true, true, false], res.Messages.Select(m => m.IsInterim));
        Assert.Equal([null, null, null, "PUT"], res.Messages.Select(m => m.RequestMethod));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void PipelinedRequestsAndResponsesMatchInOrder()
    {
        const string client = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\n\r\nPOST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz";
        const string server = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA" +
                              "HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n" +
                              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nC\r\n0\r\n\r\n";
        foreach (int piece in new[] { 0, 1, 5 })
        {
            var (req, res) = (new Http1Recorder(), new Http1Recorder());
            var (rp, sp) = Http1Parser.CreatePair(req, res);
            FeedInto(rp, [Bytes(client)], piece, 1);
            FeedInto(sp, [Bytes(server)], piece, 2);
            rp.Close();
            sp.Close();
            Assert.Equal(["/a", "/b", "/c"], req.Messages.Select(m => m.Target));
            Assert.Equal(["", "", "xyz"], req.Messages.Select(m => m.BodyText));
            Assert.Equal(["GET", "HEAD", "POST"], res.Messages.Select(m => m.RequestMethod));
            Assert.Equal(["A", "", "C"], res.Messages.Select(m => m.BodyText));
            Assert.All(res.Messages, m => Assert.True(m.IsComplete));
            Assert.Empty(res.Notes);
        }
    }

    [Fact]
    public void ReadUntilCloseEndsAtClose()
    {
        var sink = new Http1Recorder();
        var parser = new Http1Parser(Http1Direction.Responses, sink);
        parser.Feed(Bytes("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, "), 5);
        parser.Feed(Bytes("part two"), 6);
        Assert.Empty(sink.Messages);
        Assert.True(parser.InMessage);
        parser.Close(7);
        var m = Assert.Single(sink.Messages);
        Assert.True(m.IsComplete);
        Assert.Equal("part one, part two", m.BodyText);
        Assert.Equal(7, m.CompleteFrame);
        Assert.Equal(Http1BodyKind.UntilClose, m.BodyKind);
        Assert.True(parser.IsClosed);
        parser.Feed(Bytes("HTTP/1.1 200 OK\r\n\r\n"), 8);
        Assert.Single(sink.Messages);
    }

    [Fact]
    public void CloseInsideABodyReportsTheMessageCut()
    {
        var sink = Requests("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly this");
        var m = Assert.Single(sink.Messages);
        Assert.False(m.IsComplete);
        Assert.Equal("only this", m.BodyText);
        Assert.Contains(Http1NoteKeys.Incomplete, m.NoteKeys);
        Assert.Contains("9 of 100 body bytes", m.Notes[0].Message);
    }

    [Fact]
    public void ConnectTunnelAndUpgrade()
    {
        const string client = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01\x00\x05hello\r\nGET / HTTP/1.1\r\n\r\n";
        const string server = "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03 binary";
        var (req, res) = (new Http1Recorder(), new Http1Recorder());
        var (rp, sp) = Http1Parser.CreatePair(req, res);
        rp.Feed(Bytes(client[..client.IndexOf('\x16')]), 1);
        sp.Feed(Bytes(server), 2);
        rp.Feed(Bytes(client[client.IndexOf('\x16')..]), 3);
        Assert.True(rp.IsTunnel);
        rp.Close();
        sp.Close();
        Assert.Equal("CONNECT", Assert.Single(req.Messages).Method);
        var r = Assert.Single(res.Messages);
        Assert.Equal(Http1BodyKind.None, r.BodyKind);
        Assert.Contains(Http1NoteKeys.Tunnel, r.NoteKeys);
        Assert.True(sp.IsTunnel);
        Assert.True(rp.IsTunnel);
        Assert.Equal(10, sp.TunnelBytes);
        Assert.True(rp.TunnelBytes > 0);
    }

    [Fact]
    public void RefusedConnectLetsTheNextRequestThrough()
    {
        const string client = "CONNECT example.com:443 HTTP/1.1\r\n\r\nCONNECT example.com:443 HTTP/1.1\r\nProxy-Authorization: Basic eA==\r\n\r\n";
        const string server = "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n";
        var (req, res) = (new Http1Recorder(), new Http1Recorder());
        var (rp, sp) = Http1Parser.CreatePair(req, res);
        rp.Feed(Bytes(client), 1);
        sp.Feed(Bytes(server), 2);
        Assert.Equal(2, req.Messages.Count);
        Assert.Equal(407, Assert.Single(res.Messages).Status);
        Assert.False(sp.IsTunnel);
    }

    [Fact]
    public void SwitchingProtocols()
    {
        const string client = "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
        const string server = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05Hello";
        var (req, res) = (new Http1Recorder(), new Http1Recorder());
        var (rp, sp) = Http1Parser.CreatePair(req, res);
        rp.Feed(Bytes(client), 1);
        sp.Feed(Bytes(server), 2);
        rp.Close();
        sp.Close();
        Assert.Single(req.Messages);
        var r = Assert.Single(res.Messages);
        Assert.False(r.IsInterim);
        Assert.Equal("GET", r.RequestMethod);
        Assert.Equal(7, sp.TunnelBytes);
        Assert.Equal(11, rp.TunnelBytes);
        Assert.DoesNotContain(req.Notes, n => n.Key == Http1NoteKeys.Skipped);
    }

    [Fact]
    public void Http2PrefaceIsNotHttp1()
    {
        var sink = Requests("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04");
        Assert.Empty(sink.Messages);
        Assert.Contains(Http1NoteKeys.Tunnel, sink.NoteKeys);
    }

    [Fact]
    public void UnknownMethodsAndAbsoluteTargets()
    {
        var sink = Requests("PURGE http://example.com/x HTTP/1.1\r\n\r\nM-SEARCH * HTTP/1.1\r\n\r\n");
        Assert.Equal(["PURGE", "M-SEARCH"], sink.Messages.Select(m => m.Method));
        Assert.Equal("http://example.com/x", sink.Messages[0].Target);
    }

    [Fact]
    public void ResponseWithoutKnownRequest()
    {
        var sink = Feed(Http1Direction.Responses, [Bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")], methods: new Http1MethodQueue());
        Assert.Equal([Http1NoteKeys.UnmatchedResponse], Assert.Single(sink.Messages).NoteKeys);
        // Without a queue the parser does not expect one.
        Assert.Empty(Feed(Http1Direction.Responses, [Bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")]).Messages[0].Notes);
    }

    [Fact]
    public void GapCutsTheMessageAndResynchronises()
    {
        var sink = new Http1Recorder();
        var parser = new Http1Parser(Http1Direction.Requests, sink);
        parser.Feed(Bytes("POST / HTTP/1.1\r\nContent-Length: 50\r\n\r\nabc"), 1);
        parser.Gap(2);
        parser.Feed(Bytes("tail of the lost body\r\nGET /next HTTP/1.1\r\n\r\n"), 3);
        parser.Close();
        Assert.Equal(2, sink.Messages.Count);
        Assert.False(sink.Messages[0].IsComplete);
        Assert.Equal("/next", sink.Messages[1].Target);
        Assert.Contains(Http1NoteKeys.Skipped, sink.NoteKeys);
    }

    internal static Http1MethodQueue Queue(params string[] methods)
    {
        var q = new Http1MethodQueue();
        foreach (var m in methods) q.Enqueue(m);
        return q;
    }
}
