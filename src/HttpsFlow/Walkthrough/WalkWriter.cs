using System.Text;

namespace HttpsFlow.Walkthrough;

/// <summary>How a walkthrough is written out.</summary>
public enum WalkFormat : byte
{
    /// <summary>Wrapped text for a terminal or a file.</summary>
    Text,
    /// <summary>Markdown: headings, a facts table, the diagram in a fenced block.</summary>
    Markdown,
}

/// <summary>Writes a <see cref="Walk"/> as wrapped text (optionally with ANSI colour) or as Markdown.</summary>
public static class WalkWriter
{
    private const string Bold = "\u001b[1m", Reset = "\u001b[0m", Red = "\u001b[31m", Yellow = "\u001b[33m", Cyan = "\u001b[36m", Dim = "\u001b[2m";

    public static void Write(TextWriter w, Walk walk, WalkFormat format, int width, bool ascii = false, bool color = false)
    {
        if (format == WalkFormat.Markdown) WriteMarkdown(w, walk);
        else WriteText(w, walk, Math.Max(40, width), ascii, color);
    }

    private static void WriteText(TextWriter w, Walk walk, int width, bool ascii, bool color)
    {
        BlockKind previous = BlockKind.Heading;
        foreach (var b in walk.Blocks)
        {
            switch (b.Kind)
            {
                case BlockKind.Heading:
                    if (b.Level > 1) w.Write('\n');
                    var headingLines = Wrap(b.Text, width);
                    foreach (var hl in headingLines)
                    {
                        w.Write(color ? Bold + (b.Level == 1 ? "" : Cyan) + hl + Reset : hl);
                        w.Write('\n');
                    }
                    w.Write(new string(b.Level == 1 ? (ascii ? '=' : '═') : (ascii ? '-' : '─'), Math.Min(width, headingLines.Max(l => TextWidth.Of(l)))));
                    w.Write('\n');
                    break;
                case BlockKind.Facts:
                    int labelWidth = b.Facts!.Max(f => TextWidth.Of(f.Key));
                    foreach (var f in b.Facts!)
                    {
                        string label = f.Key + new string(' ', labelWidth - TextWidth.Of(f.Key));
                        var lines = Wrap(f.Value, width - labelWidth - 4);
                        for (int i = 0; i < lines.Count; i++)
                        {
                            w.Write("  ");
                            w.Write(i == 0 ? (color ? Dim + label + Reset : label) : new string(' ', labelWidth));
                            w.Write("  ");
                            w.Write(lines[i]);
                            w.Write('\n');
                        }
                    }
                    break;
                case BlockKind.Paragraph:
                    if (previous is BlockKind.Paragraph or BlockKind.Bullet or BlockKind.Facts) w.Write('\n');
                    foreach (var line in Wrap(b.Text, width)) { w.Write(line); w.Write('\n'); }
                    break;
                case BlockKind.Bullet:
                    string mark = ascii ? "  - " : "  • ";
                    var bl = Wrap(b.Text, width - 4);
                    for (int i = 0; i < bl.Count; i++)
                    {
                        w.Write(i == 0 ? mark : "    ");
                        string text = bl[i];
                        if (color && i == 0) text = ColourFinding(text);
                        w.Write(text);
                        w.Write('\n');
                    }
                    break;
                case BlockKind.Preformatted:
                    w.Write(b.Text);
                    break;
            }
            previous = b.Kind;
        }
    }

    private static string ColourFinding(string text)
    {
        foreach (var (prefix, colour) in new[] { ("error: ", Red), ("warning: ", Yellow), ("错误：", Red), ("警告：", Yellow) })
            if (text.StartsWith(prefix, StringComparison.Ordinal)) return colour + prefix + Reset + text[prefix.Length..];
        return text;
    }

    private static void WriteMarkdown(TextWriter w, Walk walk)
    {
        BlockKind previous = BlockKind.Heading;
        bool first = true;
        foreach (var b in walk.Blocks)
        {
            if (!first && !(b.Kind == BlockKind.Bullet && previous == BlockKind.Bullet)) w.Write('\n');
            first = false;
            switch (b.Kind)
            {
                case BlockKind.Heading:
                    w.Write(new string('#', b.Level) + " " + b.Text + "\n");
                    break;
                case BlockKind.Facts:
                    w.Write("| | |\n|---|---|\n");
                    foreach (var f in b.Facts!) w.Write($"| {EscapeCell(f.Key)} | {EscapeCell(f.Value)} |\n");
                    break;
                case BlockKind.Paragraph:
                    w.Write(b.Text + "\n");
                    break;
                case BlockKind.Bullet:
                    w.Write("- " + b.Text + "\n");
                    break;
                case BlockKind.Preformatted:
                    w.Write("```text\n" + b.Text + "```\n");
                    break;
            }
            previous = b.Kind;
        }
    }

    private static string EscapeCell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>
    /// Wraps <paramref name="text"/> to <paramref name="width"/> display columns: breaks at spaces, and between
    /// East Asian wide characters (which need no spaces), never inside a Latin word or number.
    /// </summary>
    public static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        int lineWidth = 0;
        int i = 0;
        while (i < text.Length)
        {
            // The next unit: one wide character, a run of spaces, or a word of narrow characters.
            int start = i;
            if (TextWidth.IsWide(text[i])) i++;
            else if (text[i] == ' ') { while (i < text.Length && text[i] == ' ') i++; }
            else { while (i < text.Length && text[i] != ' ' && !TextWidth.IsWide(text[i])) i++; }
            string unit = text[start..i];
            int uw = TextWidth.Of(unit);
            if (unit[0] == ' ')
            {
                if (lineWidth > 0 && lineWidth + uw < width) { line.Append(unit); lineWidth += uw; }
                else if (lineWidth > 0) { lines.Add(line.ToString().TrimEnd()); line.Clear(); lineWidth = 0; }
                continue;
            }
            // Closing punctuation stays with what precedes it.
            bool glue = unit.Length == 1 && "，。、；：）」』！？".Contains(unit[0]);
            if (lineWidth + uw > width && lineWidth > 0 && !glue)
            {
                lines.Add(line.ToString().TrimEnd());
                line.Clear();
                lineWidth = 0;
            }
            line.Append(unit);
            lineWidth += uw;
        }
        if (line.Length > 0) lines.Add(line.ToString().TrimEnd());
        if (lines.Count == 0) lines.Add("");
        return lines;
    }
}
