using System.Text;
using HttpsFlow.Http.Http1;

namespace HttpsFlow.Tests.Http.Http1;

/// <summary>A message event copied out of the sink call, so that tests can look at it afterwards.</summary>
public sealed record RecordedMessage
{
    public required string Event { get; init; }
    public required bool IsRequest { get; init; }
    public required long Index { get; init; }
    public required bool IsComplete { get; init; }
    public required bool IsInterim { get; init; }
    public required string StartLine { get; init; }
    public required string Method { get; init; }
    public required string Target { get; init; }
    public required string Version { get; init; }
    public required int VersionMajor { get; init; }
    public required int VersionMinor { get; init; }
    public required int Status { get; init; }
    public required string Reason { get; init; }
    public required string? RequestMethod { get; init; }
    public required string[] Headers { get; init; }
    public required string[] Trailers { get; init; }
    public required string RawHeader { get; init; }
    public required string Host { get; init; }
    public required string UserAgent { get; init; }
    public required string ContentType { get; init; }
    public required string ContentEncoding { get; init; }
    public required string TransferEncoding { get; init; }
    public required long? HeaderContentLength { get; init; }
    public required long StartOffset { get; init; }
    public required long HeadersEndOffset { get; init; }
    public required long EndOffset { get; init; }
    public required long FirstFrame { get; init; }
    public required long HeadersFrame { get; init; }
    public required long CompleteFrame { get; init; }
    public required long[] Frames { get; init; }
    public required int FrameCount { get; init; }
    public required long LastFrame { get; init; }
    public required Http1BodyKind BodyKind { get; init; }
    public required long ContentLength { get; init; }
    public required byte[] Body { get; init; }
    public required long BodyLength { get; init; }
    public required bool BodyTruncated { get; init; }
    public required long ChunkCount { get; init; }
    public required byte[] Decoded { get; init; }
    public required Http1Decoding Decoding { get; init; }
    public required Http1Note[] Notes { get; init; }

    public string BodyText => Encoding.Latin1.GetString(Body);

    public string DecodedText => Encoding.Latin1.GetString(Decoded);

    public string[] NoteKeys => Notes.Select(n => n.Key).ToArray();

    /// <summary>Everything, as one text, for comparing runs.</summary>
    public string Describe() =>
        $"{Event} req={IsRequest} #{Index} complete={IsComplete} interim={IsInterim} [{StartLine}] {Method}|{Target}|{Version}|{VersionMajor}.{VersionMinor}|{Status}|{Reason}|{RequestMethod} " +
        $"headers=[{string.Join(" ; ", Headers)}] trailers=[{string.Join(" ; ", Trailers)}] raw={RawHeader.Length} " +
        $"offsets={StartOffset}/{HeadersEndOffset}/{EndOffset} frames={FirstFrame}/{HeadersFrame}/{CompleteFrame}/[{string.Join(",", Frames)}]/{FrameCount}/{LastFrame} " +
        $"body={BodyKind}/{ContentLength}/{BodyLength}/{BodyTruncated}/{ChunkCount}/{Convert.ToHexString(Body)} decoded={Decoding}/{Convert.ToHexString(Decoded)} " +
        $"notes=[{string.Join(" ; ", Notes.Select(n => n.Key + ":" + n.Message))}]";
}

/// <summary>A sink that copies every event; it also checks, on every event, that the parser stays within its bounds.</summary>
public sealed class Http1Recorder : IHttp1Sink
{
    public List<RecordedMessage> Headers { get; } = [];
    public List<RecordedMessage> Messages { get; } = [];
    public List<Http1Note> Notes { get; } = [];
    public List<string> Events { get; } = [];

    public void OnHeaders(in Http1Message message)
    {
        var r = Copy("headers", message);
        Headers.Add(r);
        Events.Add(r.Describe());
    }

    public void OnMessage(in Http1Message message)
    {
        var r = Copy("message", message);
        Messages.Add(r);
        Events.Add(r.Describe());
    }

    public void OnNote(in Http1Note note)
    {
        Notes.Add(note);
        Events.Add("note " + note.Key + ": " + note.Message);
    }

    public string[] NoteKeys => Notes.Select(n => n.Key).ToArray();

    private static string Text(ReadOnlySpan<byte> s) => Encoding.Latin1.GetString(s);

    private static RecordedMessage Copy(string ev, in Http1Message m)
    {
        var headers = new List<string>();
        foreach (var h in m.Headers) headers.Add(h.NameText + ": " + h.ValueText);
        var trailers = new List<string>();
        foreach (var h in m.Trailers) trailers.Add(h.NameText + ": " + h.ValueText);
        return new RecordedMessage
        {
            Event = ev,
            IsRequest = m.IsRequest,
            Index = m.Index,
            IsComplete = m.IsComplete,
            IsInterim = m.IsInterim,
            StartLine = Text(m.StartLine),
            Method = Text(m.Method),
            Target = Text(m.Target),
            Version = Text(m.Version),
            VersionMajor = m.VersionMajor,
            VersionMinor = m.VersionMinor,
            Status = m.StatusCode,
            Reason = Text(m.ReasonPhrase),
            RequestMethod = m.RequestMethod,
            Headers = headers.ToArray(),
            Trailers = trailers.ToArray(),
            RawHeader = Text(m.RawHeader),
            Host = Text(m.Headers.Host),
            UserAgent = Text(m.Headers.UserAgent),
            ContentType = Text(m.Headers.ContentType),
            ContentEncoding = Text(m.Headers.ContentEncoding),
            TransferEncoding = Text(m.Headers.TransferEncoding),
            HeaderContentLength = m.Headers.ContentLength,
            StartOffset = m.StartOffset,
            HeadersEndOffset = m.HeadersEndOffset,
            EndOffset = m.EndOffset,
            FirstFrame = m.FirstFrame,
            HeadersFrame = m.HeadersFrame,
            CompleteFrame = m.CompleteFrame,
            Frames = m.Frames.ToArray(),
            FrameCount = m.FrameCount,
            LastFrame = m.LastFrame,
            BodyKind = m.BodyKind,
            ContentLength = m.ContentLength,
            Body = m.Body.ToArray(),
            BodyLength = m.BodyLength,
            BodyTruncated = m.BodyTruncated,
            ChunkCount = m.ChunkCount,
            Decoded = m.DecodedBody.ToArray(),
            Decoding = m.Decoding,
            Notes = m.Notes.ToArray(),
        };
    }
}

public static class Http1Run
{
    public static byte[] Bytes(string s) => Encoding.Latin1.GetBytes(s);

    /// <summary>
    /// Feeds <paramref name="packets"/> (frame numbers 1, 2, …) to a parser, each packet cut into pieces of
    /// <paramref name="piece"/> bytes (0: whole), then closes it. Checks the buffered-bytes bound after every piece.
    /// </summary>
    public static Http1Recorder Feed(Http1Direction direction, IEnumerable<byte[]> packets, int piece = 0, Http1MethodQueue? methods = null,
        Http1Limits? limits = null, bool close = true)
    {
        var sink = new Http1Recorder();
        var parser = new Http1Parser(direction, sink, methods, limits);
        FeedInto(parser, packets, piece);
        if (close) parser.Close();
        Assert.Equal(0, parser.BufferedBytes);
        return sink;
    }

    public static void FeedInto(Http1Parser parser, IEnumerable<byte[]> packets, int piece, long firstFrame = 1)
    {
        long frame = firstFrame;
        foreach (var p in packets)
        {
            int step = piece <= 0 ? Math.Max(1, p.Length) : piece;
            for (int i = 0; i < p.Length; i += step)
            {
                parser.Feed(p.AsSpan(i, Math.Min(step, p.Length - i)), frame);
                Assert.InRange(parser.BufferedBytes, 0, parser.Limits.MaxBufferedBytes);
            }
            frame++;
        }
    }

    public static Http1Recorder Requests(string text, int piece = 0) => Feed(Http1Direction.Requests, [Bytes(text)], piece);

    public static Http1Recorder Responses(string text, int piece = 0, params string[] methods)
    {
        var queue = new Http1MethodQueue();
        foreach (var m in methods) queue.Enqueue(m);
        return Feed(Http1Direction.Responses, [Bytes(text)], piece, queue);
    }

    /// <summary>Runs the input whole, byte by byte and in pieces of 2, 3, 7 and 64 bytes; all runs must report the same events.</summary>
    public static Http1Recorder SameWhateverTheCut(Http1Direction direction, byte[][] packets, Func<Http1MethodQueue?>? methods = null, Http1Limits? limits = null)
    {
        var whole = Feed(direction, packets, 0, methods?.Invoke(), limits);
        foreach (int piece in new[] { 1, 2, 3, 7, 64 })
        {
            var cut = Feed(direction, packets, piece, methods?.Invoke(), limits);
            Assert.Equal(whole.Events, cut.Events);
        }
        return whole;
    }
}
