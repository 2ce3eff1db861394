namespace HttpsFlow.Http.Http1;

/// <summary>
/// What one <see cref="Http1Parser"/> (one direction of one connection) may hold, so that a hostile peer cannot make
/// it eat memory or time: every byte it keeps is under one of these bounds whatever the input, and every byte it is
/// handed is looked at a bounded number of times. Values out of range are clamped (never rejected), so a limits
/// record can never make a parser throw. docs/robustness.md lists them with the other bounds of the project.
/// </summary>
public sealed record Http1Limits
{
    /// <summary>The limits used when none are given.</summary>
    public static Http1Limits Default { get; } = new();

    /// <summary>
    /// Most bytes of one header block (start line, header fields and the blank line that ends them), and separately of
    /// one trailer section. A block that grows past it makes the message malformed: it is dropped with a note and the
    /// parser looks for the next start line. 64 KiB by default (servers commonly refuse 8–64 KiB); clamped to
    /// 1 KiB – 16 MiB.
    /// </summary>
    public int MaxHeaderBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Most header fields kept per header block (and per trailer section); later fields stay in the raw block but are
    /// not listed, with a note, and do not take part in framing. 256 by default; clamped to 1 – 65,536.
    /// </summary>
    public int MaxHeaderCount { get; init; } = 256;

    /// <summary>
    /// Most bytes of one chunk-size line (size, extensions, CRLF). Longer is malformed: the message ends there with a
    /// note. 4 KiB by default; clamped to 64 B – 1 MiB.
    /// </summary>
    public int MaxChunkLineBytes { get; init; } = 4 * 1024;

    /// <summary>
    /// Most body bytes (after de-chunking) kept per message for display and decoding; beyond it bytes are counted
    /// (<see cref="Http1Message.BodyLength"/>) but not kept, with a note. 1 MiB by default; clamped to 0 – 256 MiB.
    /// </summary>
    public int MaxBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Most bytes a body may decode to (Content-Encoding); decompression stops there with the note
    /// "decompression stopped at N bytes (limit …)". The decoded bytes are held only while the sink's
    /// <see cref="IHttp1Sink.OnMessage"/> runs. 8 MiB by default; clamped to 0 – 1 GiB.
    /// </summary>
    public int MaxDecodedBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Most decoded bytes per compressed byte read, checked once the output passes <see cref="DecompressionRatioGrace"/>:
    /// a gzip bomb (1,000:1 and more) stops early with a note, long before <see cref="MaxDecodedBytes"/>, while real
    /// text (rarely above 20:1) decodes whole. 100 by default; clamped to 1 – 100,000.
    /// </summary>
    public int MaxDecompressionRatio { get; init; } = 100;

    /// <summary>Decoded bytes allowed before <see cref="MaxDecompressionRatio"/> applies. 1 MiB by default; clamped to 0 – 1 GiB.</summary>
    public int DecompressionRatioGrace { get; init; } = 1024 * 1024;

    /// <summary>
    /// Most content and transfer codings applied to one body ("gzip, br, …") that are undone; a longer list is not
    /// decoded, with a note. 8 by default; clamped to 1 – 64.
    /// </summary>
    public int MaxCodings { get; init; } = 8;

    /// <summary>
    /// Most frame numbers listed per message (<see cref="Http1Message.Frames"/>): the first ones; all are counted
    /// (<see cref="Http1Message.FrameCount"/>) and the last is always known. 1,024 by default; clamped to 1 – 1 Mi.
    /// </summary>
    public int MaxFramesListed { get; init; } = 1024;

    /// <summary>
    /// Whether notes are kept at all (true by default). False for readers that show none of them (the packet list): a
    /// body longer than <see cref="MaxBodyBytes"/>, for one, is then not noted on every message.
    /// </summary>
    public bool KeepNotes { get; init; } = true;

    /// <summary>Most notes kept per message; further ones are counted in one last note. 32 by default; clamped to 2 – 4,096.</summary>
    public int MaxNotesPerMessage { get; init; } = 32;

    /// <summary>When false, bodies are not decoded (<see cref="Http1Message.DecodedBody"/> is the raw body). True by default.</summary>
    public bool DecodeBodies { get; init; } = true;

    internal int HeaderBytes => Math.Clamp(MaxHeaderBytes, 1024, 16 << 20);

    internal int HeaderCount => Math.Clamp(MaxHeaderCount, 1, 65_536);

    internal int ChunkLineBytes => Math.Clamp(MaxChunkLineBytes, 64, 1 << 20);

    internal int BodyBytes => Math.Clamp(MaxBodyBytes, 0, 256 << 20);

    internal int DecodedBytes => Math.Clamp(MaxDecodedBytes, 0, 1 << 30);

    internal int Ratio => Math.Clamp(MaxDecompressionRatio, 1, 100_000);

    internal int RatioGrace => Math.Clamp(DecompressionRatioGrace, 0, 1 << 30);

    internal int Codings => Math.Clamp(MaxCodings, 1, 64);

    internal int FramesListed => Math.Clamp(MaxFramesListed, 1, 1 << 20);

    internal int NotesPerMessage => Math.Clamp(MaxNotesPerMessage, 2, 4096);

    /// <summary>
    /// The most bytes a parser with these limits holds between calls (<see cref="Http1Parser.BufferedBytes"/>): a
    /// header block, a trailer section, a chunk-size line, the kept body and a few bytes of look-ahead. Decoded bodies
    /// are extra, and live only during <see cref="IHttp1Sink.OnMessage"/>.
    /// </summary>
    public long MaxBufferedBytes => 2L * HeaderBytes + ChunkLineBytes + BodyBytes + Http1Parser.ProbeBytes;
}
