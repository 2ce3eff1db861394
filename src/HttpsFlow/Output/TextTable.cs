namespace HttpsFlow.Output;

/// <summary>
/// A plain-text table for people: a header line and one line per row, columns two spaces apart, each as wide as its
/// widest cell. When the lines would be wider than the width asked for, the widest columns give up characters first
/// (down to their minimum) and cells that no longer fit end with '…'. The last column is never padded.
/// </summary>
public sealed class TextTable(params (string Header, int MinWidth)[] columns)
{
    private const int Gap = 2;
    private readonly List<string?[]> _rows = [];

    public void Add(params string?[] cells) => _rows.Add(cells);

    public int Count => _rows.Count;

    public void Write(TextSink sink, int width)
    {
        int n = columns.Length;
        var widths = new int[n];
        for (int i = 0; i < n; i++)
        {
            widths[i] = columns[i].Header.Length;
            foreach (var r in _rows) widths[i] = Math.Max(widths[i], (r[i] ?? "-").Length);
        }
        int total = widths.Sum() + Gap * (n - 1);
        while (total > width)
        {
            int widest = -1;
            for (int i = 0; i < n; i++)
                if (widths[i] > Math.Max(columns[i].MinWidth, 1) && (widest < 0 || widths[i] > widths[widest])) widest = i;
            if (widest < 0) break;
            widths[widest]--;
            total--;
        }
        Line(sink, columns.Select(c => (string?)c.Header).ToArray(), widths);
        foreach (var r in _rows) Line(sink, r, widths);
    }

    private static void Line(TextSink sink, string?[] cells, int[] widths)
    {
        for (int i = 0; i < widths.Length; i++)
        {
            string text = cells[i] ?? "-";
            if (text.Length > widths[i]) text = widths[i] <= 1 ? "…" : string.Concat(text.AsSpan(0, widths[i] - 1), "…");
            sink.Append(text);
            if (i < widths.Length - 1) sink.AppendSpaces(widths[i] - text.Length + Gap);
        }
        sink.EndLine();
    }
}
