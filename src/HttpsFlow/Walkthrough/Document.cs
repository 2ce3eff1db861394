namespace HttpsFlow.Walkthrough;

/// <summary>The kinds of block a walkthrough is made of.</summary>
public enum BlockKind : byte
{
    /// <summary>A title (level 1) or section heading (level 2).</summary>
    Heading,
    Paragraph,
    /// <summary>A list item under the paragraph before it.</summary>
    Bullet,
    /// <summary>Label/value pairs.</summary>
    Facts,
    /// <summary>Text shown as it is (the sequence diagram).</summary>
    Preformatted,
}

/// <summary>
/// One block of a walkthrough: its text is in the walkthrough's language, with the capture's numbers. <see cref="Frame"/>
/// is the frame a step tells of (0 for blocks that are not about one frame), so a report can link text and diagram.
/// </summary>
public sealed record Block(BlockKind Kind, string Text, int Level = 0, IReadOnlyList<KeyValuePair<string, string>>? Facts = null, long Frame = 0);

/// <summary>
/// An acknowledgement the narration explains: <see cref="Frame"/>'s Ack equals <see cref="AckedSeq"/> +
/// <see cref="AckedLength"/> (+1 when the acknowledged segment was a SYN or FIN), the next byte after frame
/// <see cref="AckedFrame"/>.
/// </summary>
public sealed record AckFact(long Frame, uint Ack, long AckedFrame, uint AckedSeq, int AckedLength, bool AckedSynOrFin, bool Piggybacked);

/// <summary>How serious a finding is.</summary>
public enum FindingLevel : byte { Info, Warning, Error }

/// <summary>Something a reader should know about the connection: a loss, an alert, a certificate problem, a weak choice.</summary>
public sealed record Finding(FindingLevel Level, string Code, string Text);

/// <summary>The time marks of a connection (null where the capture does not show them).</summary>
public sealed record Timing(
    Common.Duration? TcpRoundTrip,
    Common.Duration? TlsHandshake,
    Common.Duration? TimeToFirstApplicationData,
    int? RoundTripsBeforeData,
    Common.Duration Total);

/// <summary>A connection explained: the blocks to print and the facts behind them (for tests and other outputs).</summary>
public sealed class Walk
{
    public required TlsConnection Connection { get; init; }
    /// <summary>The language the blocks are written in ("en" or "zh").</summary>
    public string Language { get; init; } = "en";
    public List<Block> Blocks { get; } = [];
    public List<AckFact> Acks { get; } = [];
    /// <summary>Every TLS message the narration names, with the frame it names it in.</summary>
    public List<(long Frame, string Name)> Messages { get; } = [];
    /// <summary>The frames the diagram draws, in order.</summary>
    public List<long> DiagramFrames { get; } = [];
    public List<Finding> Findings { get; } = [];
    public required Timing Timing { get; init; }
}
