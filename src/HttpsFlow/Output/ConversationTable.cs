using System.Numerics;
using HttpsFlow.Common;
using HttpsFlow.Net;
using HttpsFlow.Tcp;

namespace HttpsFlow.Output;

/// <summary>
/// One row of the TCP conversation table: a connection (a tcp.stream) seen from its side A, the source of the first
/// segment the table counts.
/// </summary>
public readonly record struct ConversationRow(TcpConversation Conversation, TcpFlow AToB, TcpFlow BToA, IpAddress AddressA, ushort PortA,
    IpAddress AddressB, ushort PortB)
{
    public int Stream => Conversation.Stream;
    public long Frames => AToB.Frames + BToA.Frames;
    public long Bytes => AToB.Bytes + BToA.Bytes;
    /// <summary>Number of the first counted frame (sent by A): the order in which rows were first seen.</summary>
    public long FirstFrame => AToB.FirstFrame;
    public Timestamp Earliest => BToA.Frames == 0 || (AToB.Frames != 0 && AToB.Earliest < BToA.Earliest) ? AToB.Earliest : BToA.Earliest;
    public Timestamp Latest => BToA.Frames == 0 || (AToB.Frames != 0 && AToB.Latest > BToA.Latest) ? AToB.Latest : BToA.Latest;

    /// <summary>What a person debugging the connection wants to know first; see <see cref="ConversationTable.State"/>.</summary>
    public string State => ConversationTable.State(AToB.Seen, BToA.Seen);
}

/// <summary>
/// The TCP conversation table: one row per connection, as <c>tshark -n -q -z conv,tcp -r FILE</c> prints it
/// (tshark 4.0), or the same figures unformatted as CSV or JSON.
/// </summary>
/// <remarks>
/// How tshark 4.0 builds and prints the table, as observed on the bundled and public captures and read in its
/// source (the rules, not its code):
/// <list type="bullet">
/// <item>A row is a tcp.stream: two connections that reuse the same addresses and ports are two rows.</item>
/// <item>Only TCP segments whose whole header, options included, was dissected are counted. A header shorter than
/// 20 bytes, a header cut by the snap length, a data offset beyond the segment, a segment too short for a header,
/// and a TCP header quoted inside an ICMP error are not counted; a stream with nothing counted has no row. A
/// payload cut by the snap length does not matter: the frame is counted with its length on the wire.</item>
/// <item>Side A is the source of the first counted segment (not the address that sorts first, not the client);
/// "->" counts A→B and "&lt;-" counts B→A, and tshark prints the "&lt;-" pair first. Bytes are frame lengths on
/// the wire (all headers included).</item>
/// <item>Rows are ordered by total frames, largest first; rows with equal totals keep the order in which their
/// first counted segment appeared. Bytes play no part in the order.</item>
/// <item>Relative Start is the earliest counted segment's time minus the time of the capture's first frame (of
/// any protocol); it is negative when the capture's clock goes backwards. Duration is the latest counted time
/// minus the earliest. Both are converted to binary floating point seconds (whole seconds plus nanoseconds /
/// 10^9) and printed with C's <c>%14.9f</c> and <c>%12.4f</c>: the duration is the difference of the two doubles,
/// rounded to 4 decimals (to nearest, ties to even, on the exact binary value).</item>
/// <item>Sizes: below 10,000 bytes the number and " bytes"; from 10,000 the number divided by 1000 (integer
/// division, so truncated) and " kB"; from 10,000,000 by 1000² and " MB"; then " GB" and " TB" likewise (SI
/// powers of 1000). tshark groups thousands only in a locale that has a separator; the reference runs with
/// LC_ALL=C.UTF-8, which has none, so none is printed ("1009 bytes", "1234 kB").</item>
/// <item>Layout: a line of 80 '=', "TCP Conversations", "Filter:&lt;No Filter&gt;", two header lines; each row is
/// "A:port" and "B:port" left-aligned in 26 characters joined by " &lt;-&gt; ", then for each of "&lt;-", "->",
/// Total two spaces, the frames right-aligned in 6, a space and the size left-aligned in 9; then two spaces,
/// the start in 14 and three spaces and the duration in 12; a closing line of 80 '='. Addresses and ports are
/// never resolved to names (-n).</item>
/// </list>
/// </remarks>
public sealed class ConversationTable
{
    private readonly ListFormat _format;

    /// <param name="format"><see cref="ListFormat.Text"/>: the table as tshark prints it; CSV or JSON for programs.</param>
    public ConversationTable(ListFormat format = ListFormat.Text)
    {
        _format = format;
    }

    /// <summary>The column names of the CSV header and the JSON keys.</summary>
    public static readonly string[] Columns =
    [
        "address_a", "port_a", "address_b", "port_b", "frames_a_to_b", "bytes_a_to_b", "frames_b_to_a", "bytes_b_to_a",
        "frames", "bytes", "relative_start", "duration", "stream", "state",
    ];

    public const string StateClosed = "established and closed (FIN)";
    public const string StateReset = "reset";
    public const string StateOpen = "open";
    public const string StateNoHandshake = "no handshake seen";
    public const string StateSynOnly = "syn only";

    /// <summary>
    /// The state of a connection from what each direction sent, first rule that applies:
    /// a RST from either side: "reset" (a refused connection included);
    /// a SYN one way and a SYN-ACK the other way: "established and closed (FIN)" when either side sent a FIN, else
    /// "open";
    /// nothing but SYNs without ACK (unanswered attempts): "syn only";
    /// anything else (the capture began after the handshake, or missed part of it): "no handshake seen".
    /// </summary>
    public static string State(TcpFlowEvents aToB, TcpFlowEvents bToA)
    {
        var all = aToB | bToA;
        if ((all & TcpFlowEvents.Rst) != 0) return StateReset;
        bool handshake = ((aToB & TcpFlowEvents.Syn) != 0 && (bToA & TcpFlowEvents.SynAck) != 0)
                         || ((bToA & TcpFlowEvents.Syn) != 0 && (aToB & TcpFlowEvents.SynAck) != 0);
        if (handshake) return (all & TcpFlowEvents.Fin) != 0 ? StateClosed : StateOpen;
        if ((all & (TcpFlowEvents.SynAck | TcpFlowEvents.NotSyn)) == 0 && (all & TcpFlowEvents.Syn) != 0) return StateSynOnly;
        return StateNoHandshake;
    }

    /// <summary>The rows of the table in tshark's order (see the class remarks); streams with nothing counted are left out.</summary>
    public static List<ConversationRow> Rows(IEnumerable<TcpConversation> conversations)
    {
        var rows = new List<ConversationRow>();
        foreach (var c in conversations)
        {
            var a = c.FlowA;
            var b = c.FlowB;
            if (a.Frames == 0 && b.Frames == 0) continue;
            // Side A of the table is the source of the first counted segment, which need not be the first packet
            // the connection was seen in (an ICMP quote or a damaged header can come first).
            if (a.Frames != 0 && (b.Frames == 0 || a.FirstFrame < b.FirstFrame))
                rows.Add(new ConversationRow(c, a, b, c.AddressA, c.PortA, c.AddressB, c.PortB));
            else
                rows.Add(new ConversationRow(c, b, a, c.AddressB, c.PortB, c.AddressA, c.PortA));
        }
        rows.Sort(static (x, y) =>
        {
            int c = y.Frames.CompareTo(x.Frames);
            return c != 0 ? c : x.FirstFrame.CompareTo(y.FirstFrame);
        });
        return rows;
    }

    /// <summary>Writes the whole table for <paramref name="conversations"/>, relative to the capture's first frame time.</summary>
    /// <param name="sink">Where the table is written.</param>
    /// <param name="conversations">Every conversation of the capture (each tcp.stream once), in any order.</param>
    /// <param name="captureStart">The timestamp of the capture's first frame (any protocol); unused when there are no rows.</param>
    public void Write(TextSink sink, IEnumerable<TcpConversation> conversations, Timestamp captureStart)
    {
        var rows = Rows(conversations);
        switch (_format)
        {
            case ListFormat.Csv: WriteCsv(sink, rows, captureStart); break;
            case ListFormat.Json: WriteJson(sink, rows, captureStart); break;
            default: WriteText(sink, rows, captureStart); break;
        }
    }

    private const string Rule = "================================================================================";

    private static void WriteText(TextSink sink, List<ConversationRow> rows, Timestamp captureStart)
    {
        sink.Append(Rule).EndLine();
        sink.Append("TCP Conversations").EndLine();
        sink.Append("Filter:<No Filter>").EndLine();
        sink.AppendSpaces(59).Append("|       <-      | |       ->      | |     Total     |    Relative    |   Duration   |").EndLine();
        sink.AppendSpaces(59).Append("| Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |").EndLine();
        foreach (var r in rows)
        {
            int start = sink.Length;
            AppendEndpoint(sink, r.AddressA, r.PortA);
            sink.AppendSpaces(26 - (sink.Length - start));
            sink.Append(" <-> ");
            start = sink.Length;
            AppendEndpoint(sink, r.AddressB, r.PortB);
            sink.AppendSpaces(26 - (sink.Length - start));
            AppendCounts(sink, r.BToA.Frames, r.BToA.Bytes);
            AppendCounts(sink, r.AToB.Frames, r.AToB.Bytes);
            AppendCounts(sink, r.Frames, r.Bytes);
            sink.Append("  ");

            double first = Seconds(r.Earliest.Subtract(captureStart));
            double last = Seconds(r.Latest.Subtract(captureStart));
            start = sink.Length;
            AppendFixed(sink, first, 9);
            sink.PadLeftFrom(start, 14);
            sink.Append("   ");
            start = sink.Length;
            AppendFixed(sink, last - first, 4);
            sink.PadLeftFrom(start, 12);
            sink.EndLine();
        }
        sink.Append(Rule).EndLine();
    }

    private static void AppendEndpoint(TextSink sink, IpAddress address, ushort port)
    {
        var span = sink.Reserve(48);
        address.TryFormat(span, out int n);
        sink.Commit(n);
        sink.Append(':').Append((long)port);
    }

    /// <summary>Two spaces, the frames right-aligned in 6, a space, the size left-aligned in 9.</summary>
    private static void AppendCounts(TextSink sink, long frames, long bytes)
    {
        sink.Append("  ");
        int start = sink.Length;
        sink.Append(frames);
        sink.PadLeftFrom(start, 6);
        sink.Append(' ');
        start = sink.Length;
        AppendSize(sink, bytes);
        sink.AppendSpaces(9 - (sink.Length - start));
    }

    /// <summary>
    /// A byte count as tshark's tables show it: the number and " bytes" below 10,000; otherwise divided (integer
    /// division) by the largest power of 1000 that leaves at least 10, with " kB", " MB", " GB" or " TB".
    /// </summary>
    public static void AppendSize(TextSink sink, long bytes)
    {
        const long k = 1000;
        if (bytes / k / k / k / k >= 10) sink.Append(bytes / k / k / k / k).Append(" TB");
        else if (bytes / k / k / k >= 10) sink.Append(bytes / k / k / k).Append(" GB");
        else if (bytes / k / k >= 10) sink.Append(bytes / k / k).Append(" MB");
        else if (bytes / k >= 10) sink.Append(bytes / k).Append(" kB");
        else sink.Append(bytes).Append(" bytes");
    }

    /// <summary>A relative time as a double, whole seconds plus nanoseconds / 10^9, as tshark converts it.</summary>
    private static double Seconds(Duration d) => d.Seconds + d.Nanoseconds / 1e9;

    /// <summary>
    /// <paramref name="value"/> with exactly <paramref name="decimals"/> decimals, as C's printf("%.Nf") writes it:
    /// the exact binary value rounded to nearest, ties to even, and a '-' for any negative value (even one that
    /// rounds to zero).
    /// </summary>
    public static void AppendFixed(TextSink sink, double value, int decimals)
    {
        if (!double.IsFinite(value))
        {
            sink.Append(double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf");
            return;
        }
        long bits = BitConverter.DoubleToInt64Bits(value);
        bool negative = bits < 0;
        int exponent = (int)((bits >> 52) & 0x7ff);
        long mantissa = bits & 0xf_ffff_ffff_ffffL;
        if (exponent == 0) exponent = 1; // subnormal
        else mantissa |= 1L << 52;
        exponent -= 1075; // value = mantissa * 2^exponent

        var scaled = new BigInteger(mantissa) * BigInteger.Pow(10, decimals);
        BigInteger units;
        if (exponent >= 0) units = scaled << exponent;
        else
        {
            int shift = -exponent;
            units = scaled >> shift;
            var remainder = scaled - (units << shift);
            var half = BigInteger.One << (shift - 1);
            int c = remainder.CompareTo(half);
            if (c > 0 || (c == 0 && !units.IsEven)) units += 1;
        }

        string digits = units.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        if (negative) sink.Append('-');
        sink.Append(digits.AsSpan(0, digits.Length - decimals));
        if (decimals > 0) sink.Append('.').Append(digits.AsSpan(digits.Length - decimals));
    }

    private static void AppendRowFields(TextSink scratch, ConversationRow r, Timestamp captureStart, Span<int> ends)
    {
        int i = 0;
        var span = scratch.Reserve(48);
        r.AddressA.TryFormat(span, out int n);
        scratch.Commit(n); ends[i++] = scratch.Length;
        scratch.Append((long)r.PortA); ends[i++] = scratch.Length;
        span = scratch.Reserve(48);
        r.AddressB.TryFormat(span, out n);
        scratch.Commit(n); ends[i++] = scratch.Length;
        scratch.Append((long)r.PortB); ends[i++] = scratch.Length;
        scratch.Append(r.AToB.Frames); ends[i++] = scratch.Length;
        scratch.Append(r.AToB.Bytes); ends[i++] = scratch.Length;
        scratch.Append(r.BToA.Frames); ends[i++] = scratch.Length;
        scratch.Append(r.BToA.Bytes); ends[i++] = scratch.Length;
        scratch.Append(r.Frames); ends[i++] = scratch.Length;
        scratch.Append(r.Bytes); ends[i++] = scratch.Length;
        // Exact nanoseconds here (no floating point): programs get every digit.
        ListFormatter.AppendRelativeTime(scratch, r.Earliest.Subtract(captureStart), 9); ends[i++] = scratch.Length;
        ListFormatter.AppendRelativeTime(scratch, r.Latest.Subtract(r.Earliest), 9); ends[i++] = scratch.Length;
        scratch.Append((long)r.Stream); ends[i++] = scratch.Length;
        scratch.Append(r.State); ends[i] = scratch.Length;
    }

    /// <summary>Columns written as JSON strings; the others are numbers.</summary>
    private static bool IsTextColumn(int i) => i is 0 or 2 or 13;

    private static void WriteCsv(TextSink sink, List<ConversationRow> rows, Timestamp captureStart)
    {
        sink.Append(string.Join(',', Columns)).EndLine();
        var scratch = new TextSink(Stream.Null);
        Span<int> ends = stackalloc int[Columns.Length];
        foreach (var r in rows)
        {
            scratch.ClearLine();
            AppendRowFields(scratch, r, captureStart, ends);
            var text = scratch.Current;
            for (int i = 0, from = 0; i < ends.Length; from = ends[i], i++)
            {
                if (i > 0) sink.Append(',');
                CsvText.AppendField(sink, text[from..ends[i]]);
            }
            sink.EndLine();
        }
    }

    private static void WriteJson(TextSink sink, List<ConversationRow> rows, Timestamp captureStart)
    {
        sink.Append('[').EndLine();
        var scratch = new TextSink(Stream.Null);
        Span<int> ends = stackalloc int[Columns.Length];
        bool firstRow = true;
        foreach (var r in rows)
        {
            scratch.ClearLine();
            AppendRowFields(scratch, r, captureStart, ends);
            var text = scratch.Current;
            sink.Append(firstRow ? "  {" : "  ,{");
            firstRow = false;
            for (int i = 0, from = 0; i < ends.Length; from = ends[i], i++)
            {
                if (i > 0) sink.Append(", ");
                sink.Append('"').Append(Columns[i]).Append("\": ");
                var value = text[from..ends[i]];
                if (IsTextColumn(i)) JsonText.AppendString(sink, value);
                else sink.Append(value);
            }
            sink.Append('}').EndLine();
        }
        sink.Append(']').EndLine();
    }
}
