using System.Text;
using HttpsFlow.Http.Http1;

namespace HttpsFlow.Tests.Http.Http1;

/// <summary>
/// <see cref="Http1Parser.FeedLength"/>: body bytes given by their length alone, where <see cref="Http1Parser.TakesLengthOnly"/>
/// allows it, leave the parser exactly as the bytes themselves would (every event, offset, frame, note).
/// </summary>
public class Http1FeedLengthTests
{
    private static readonly Http1Limits ListLimits = new() { MaxBodyBytes = 64, DecodeBodies = false, MaxFramesListed = 1, KeepNotes = true };

    private static string Responses()
    {
        var b = new StringBuilder();
        b.Append("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5000\r\n\r\n").Append('a', 5000);
        b.Append("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        b.Append("7d0\r\n").Append('b', 2000).Append("\r\n").Append("10\r\n").Append('c', 16).Append("\r\n0\r\n\r\n");
        b.Append("HTTP/1.1 204 No Content\r\n\r\n");
        b.Append("HTTP/1.1 200 OK\r\nContent-Length: 70\r\n\r\n").Append('d', 70);
        return b.ToString();
    }

    private static (List<string> Events, long Offset, long Total) Run(int recordSize, bool lengths, out int taken)
    {
        var requests = new Http1Recorder();
        var responses = new Http1Recorder();
        var (req, resp) = Http1Parser.CreatePair(requests, responses, ListLimits);
        req.Feed(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("GET / HTTP/1.1\r\nHost: h\r\n\r\n", 4))), 1);
        var data = Encoding.ASCII.GetBytes(Responses());
        taken = 0;
        long frame = 2;
        for (int at = 0; at < data.Length; at += recordSize, frame++)
        {
            var piece = data.AsSpan(at, Math.Min(recordSize, data.Length - at));
            if (lengths && resp.TakesLengthOnly(piece.Length))
            {
                resp.FeedLength(piece.Length, frame);
                taken++;
            }
            else resp.Feed(piece, frame);
        }
        resp.Close(frame);
        return (responses.Events, resp.Offset, resp.BodyTotal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(1417)]
    [InlineData(16384)]
    public void Lengths_leave_the_same_events_as_the_bytes(int recordSize)
    {
        var bytes = Run(recordSize, lengths: false, out _);
        var lengths = Run(recordSize, lengths: true, out int taken);
        Assert.Equal(bytes.Events, lengths.Events);
        Assert.Equal(bytes.Offset, lengths.Offset);
        Assert.Equal(bytes.Total, lengths.Total);
        if (recordSize < 2000) Assert.True(taken > 0, "no piece was taken by its length");
    }

    [Fact]
    public void Only_counted_body_bytes_are_taken_by_length()
    {
        var (_, resp) = Http1Parser.CreatePair(new Http1Recorder(), new Http1Recorder(), ListLimits);
        Assert.False(resp.TakesLengthOnly(10)); // before a message
        resp.Feed("HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n"u8, 1);
        Assert.False(resp.TakesLengthOnly(10)); // the first 64 body bytes are kept
        resp.Feed(new byte[64], 2);
        Assert.True(resp.TakesLengthOnly(136)); // up to the body's end
        Assert.False(resp.TakesLengthOnly(137)); // not past it: the next message is read
        Assert.False(resp.TakesLengthOnly(0));
        Assert.Throws<InvalidOperationException>(() => resp.FeedLength(137, 3));
        resp.FeedLength(136, 3);
        Assert.False(resp.TakesLengthOnly(1));

        resp.Feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\n"u8, 4);
        resp.Feed(new byte[64], 5);
        Assert.True(resp.TakesLengthOnly(191)); // inside the chunk
        Assert.False(resp.TakesLengthOnly(192)); // the chunk's end is followed by its CRLF: read
    }
}
