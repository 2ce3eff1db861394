using System.Globalization;
using System.Text;
using HttpsFlow.Tcp;

namespace HttpsFlow.Walkthrough;

/// <summary>
/// Draws a connection as a text sequence diagram: a client lane on the left, a server lane on the right, one arrow per
/// segment with its frame number, time since the connection began, TCP flags or TLS messages, and Seq/Ack/Len.
/// </summary>
public static class SequenceDiagram
{
    private const int NumberWidth = 7;   // "  #1234"
    private const int TimeWidth = 12;    // " 12345.678 ms"

    public static string Draw(TlsConnection c, int width, bool ascii, Phrasebook p, List<long>? drawn = null)
    {
        var sb = new StringBuilder();
        if (c.Frames.Count == 0) return "";
        // Seq/Ack/Len column as wide as its longest text.
        var numbers = c.Frames.Select(Numbers).ToList();
        int numbersWidth = Math.Min(34, numbers.Max(n => n.Length));
        int lane = Math.Max(30, width - NumberWidth - TimeWidth - 3 - numbersWidth - 2);
        char h = ascii ? '-' : '─', v = ascii ? '|' : '│';
        string right = ascii ? ">" : "►", left = ascii ? "<" : "◄";

        string clientLabel = p.Client + " " + Narrator.Endpoint(c.ClientAddress, c.ClientPort);
        string serverLabel = p.Server + " " + Narrator.Endpoint(c.ServerAddress, c.ServerPort);
        var head = new StringBuilder();
        head.Append(' ', NumberWidth + TimeWidth + 1);
        head.Append(clientLabel);
        int gap = lane + 2 - TextWidth.Of(clientLabel) - TextWidth.Of(serverLabel);
        head.Append(' ', Math.Max(2, gap));
        head.Append(serverLabel);
        sb.Append(head.ToString().TrimEnd()).Append('\n');

        var start = c.Frames[0].Time;
        for (int i = 0; i < c.Frames.Count; i++)
        {
            var f = c.Frames[i];
            drawn?.Add(f.Number);
            bool toServer = c.IsFromClient(f);
            var lines = Wrap(Label(f, p), lane - 8);
            string time = FormatMs(f.Time.Subtract(start));
            for (int l = 0; l < lines.Count; l++)
            {
                var line = new StringBuilder();
                if (l == 0)
                {
                    line.Append(("#" + f.Number.ToString(CultureInfo.InvariantCulture)).PadLeft(NumberWidth));
                    line.Append(time.PadLeft(TimeWidth));
                    line.Append(' ');
                }
                else line.Append(' ', NumberWidth + TimeWidth + 1);
                line.Append(v);
                string text = lines[l];
                int textWidth = TextWidth.Of(text);
                if (l == 0)
                {
                    // "──── label ─────►" or "◄─── label ──────"
                    int fill = lane - textWidth - 2;
                    if (toServer)
                    {
                        line.Append(h, 4).Append(' ').Append(text).Append(' ');
                        line.Append(h, Math.Max(1, fill - 5)).Append(right);
                    }
                    else
                    {
                        line.Append(left).Append(h, 3).Append(' ').Append(text).Append(' ');
                        line.Append(h, Math.Max(1, fill - 4));
                    }
                    line.Append(v).Append("  ").Append(numbers[i]);
                }
                else
                {
                    line.Append(' ', 5).Append(text);
                    line.Append(' ', Math.Max(1, lane - 5 - textWidth)).Append(v);
                }
                sb.Append(line.ToString().TrimEnd()).Append('\n');
            }
        }
        if (c.FramesDropped > 0) sb.Append(' ', NumberWidth + TimeWidth + 1).Append(p.MoreFrames(c.FramesDropped)).Append('\n');
        return sb.ToString();
    }

    private static string Numbers(FlowFrame f) =>
        (f.HasAck ? $"Seq={f.Seq} Ack={f.Ack} Len={f.Length}" : $"Seq={f.Seq} Len={f.Length}");

    internal static string FormatMs(Common.Duration d)
    {
        double ms = d.TotalSeconds * 1000;
        return ms.ToString("0.000", CultureInfo.InvariantCulture) + " ms";
    }

    /// <summary>What the arrow says: the TLS records' texts, else the TCP flags (and analysis marks).</summary>
    public static string Label(FlowFrame f, Phrasebook p)
    {
        var parts = new List<string>();
        if (f.Tls.Count > 0) parts.AddRange(f.Tls.SelectMany(t => t.Names).Where(n => n.Length > 0));
        else if (f.PartOfLaterRecord) parts.Add(p.DiagramRecordPiece);
        if (parts.Count == 0 || (f.Flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) != 0)
            parts.Insert(0, "[" + Flags(f.Flags) + "]");
        if ((f.Analysis & TcpAnalysisFlags.Retransmission) != 0) parts.Insert(0, "[Retransmission]");
        else if ((f.Analysis & TcpAnalysisFlags.FastRetransmission) != 0) parts.Insert(0, "[Fast Retransmission]");
        else if ((f.Analysis & TcpAnalysisFlags.SpuriousRetransmission) != 0) parts.Insert(0, "[Spurious Retransmission]");
        if ((f.Analysis & TcpAnalysisFlags.DuplicateAck) != 0) parts.Insert(0, "[Dup ACK]");
        if ((f.Analysis & TcpAnalysisFlags.OutOfOrder) != 0) parts.Insert(0, "[Out-Of-Order]");
        if ((f.Analysis & TcpAnalysisFlags.LostSegment) != 0) parts.Insert(0, "[Previous segment not captured]");
        return string.Join(", ", parts);
    }

    private static string Flags(TcpFlags flags)
    {
        var names = new List<string>();
        if ((flags & TcpFlags.Fin) != 0) names.Add("FIN");
        if ((flags & TcpFlags.Syn) != 0) names.Add("SYN");
        if ((flags & TcpFlags.Rst) != 0) names.Add("RST");
        if ((flags & TcpFlags.Psh) != 0) names.Add("PSH");
        if ((flags & TcpFlags.Ack) != 0) names.Add("ACK");
        if ((flags & TcpFlags.Urg) != 0) names.Add("URG");
        return string.Join(", ", names);
    }

    /// <summary>Splits a label at ", " (then at spaces) into lines of at most <paramref name="width"/> columns.</summary>
    internal static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var current = new StringBuilder();
        foreach (var piece in text.Split(", "))
        {
            string candidate = current.Length == 0 ? piece : current + ", " + piece;
            if (TextWidth.Of(candidate) <= width || current.Length == 0)
            {
                current.Clear().Append(candidate);
            }
            else
            {
                lines.Add(current + ",");
                current.Clear().Append(piece);
            }
            while (TextWidth.Of(current.ToString()) > width)
            {
                string s = current.ToString();
                int cut = s.LastIndexOf(' ', Math.Min(s.Length - 1, width));
                if (cut <= 0) cut = Math.Min(s.Length, width);
                lines.Add(s[..cut]);
                current.Clear().Append(s[cut..].TrimStart());
            }
        }
        if (current.Length > 0) lines.Add(current.ToString());
        return lines;
    }
}

/// <summary>Display width of text in a terminal: East Asian wide characters take two columns.</summary>
public static class TextWidth
{
    public static int Of(ReadOnlySpan<char> text)
    {
        int w = 0;
        foreach (char ch in text) w += IsWide(ch) ? 2 : 1;
        return w;
    }

    public static bool IsWide(char c) =>
        c is >= '\u1100' and <= '\u115f' or >= '\u2e80' and <= '\ua4cf' or >= '\uac00' and <= '\ud7a3'
            or >= '\uf900' and <= '\ufaff' or >= '\ufe30' and <= '\ufe4f' or >= '\uff00' and <= '\uff60' or >= '\uffe0' and <= '\uffe6';
}
