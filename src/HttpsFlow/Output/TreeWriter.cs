using HttpsFlow.Tree;

namespace HttpsFlow.Output;

/// <summary>
/// Prints detail trees: as tshark -V (layers at the margin, four spaces per level, a blank line after each packet), the
/// packet's bytes as tshark -x, or one JSON object per packet (docs/show.md).
/// </summary>
public static class TreeWriter
{
    public static void WriteText(TextSink sink, List<TreeNode> roots)
    {
        foreach (var root in roots) WriteNode(sink, root, 0);
        sink.EndLine();
    }

    private static void WriteNode(TextSink sink, TreeNode node, int depth)
    {
        sink.AppendSpaces(depth * 4);
        sink.Append(node.Label);
        sink.EndLine();
        foreach (var child in node.Children) WriteNode(sink, child, depth + 1);
    }

    /// <summary>tshark -x: offset, sixteen bytes in hex, their ASCII ('.' for the rest); a blank line after.</summary>
    public static void WriteHex(TextSink sink, ReadOnlySpan<byte> bytes)
    {
        for (int line = 0; line < bytes.Length; line += 16)
        {
            var chunk = bytes.Slice(line, Math.Min(16, bytes.Length - line));
            sink.AppendHex((ulong)line, 4).Append("  ");
            for (int i = 0; i < 16; i++)
            {
                if (i < chunk.Length) sink.AppendHex(chunk[i], 2);
                else sink.Append("  ");
                sink.Append(i == 15 ? "   " : " ");
            }
            foreach (byte b in chunk) sink.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
            sink.EndLine();
        }
        sink.EndLine();
    }

    /// <summary>
    /// One line: {"frame":N,"tree":[nodes]} with each node {"label","field","offset","length","children"}, and "bytes"
    /// (the captured bytes in hex) when <paramref name="bytes"/> is given.
    /// </summary>
    public static void WriteJson(TextSink sink, long frame, List<TreeNode> roots, ReadOnlySpan<byte> bytes = default, bool withBytes = false)
    {
        sink.Append("{\"frame\":").Append(frame);
        if (withBytes)
        {
            sink.Append(",\"bytes\":\"");
            foreach (byte b in bytes) sink.AppendHex(b, 2);
            sink.Append('"');
        }
        sink.Append(",\"tree\":");
        WriteJsonNodes(sink, roots);
        sink.Append('}');
        sink.EndLine();
    }

    private static void WriteJsonNodes(TextSink sink, List<TreeNode> nodes)
    {
        sink.Append('[');
        for (int i = 0; i < nodes.Count; i++)
        {
            if (i > 0) sink.Append(',');
            var n = nodes[i];
            sink.Append("{\"label\":");
            JsonText.AppendString(sink, n.Label);
            sink.Append(",\"field\":");
            if (n.Field is null) sink.Append("null");
            else JsonText.AppendString(sink, n.Field);
            sink.Append(",\"offset\":").Append(n.Offset).Append(",\"length\":").Append(n.Length);
            sink.Append(",\"children\":");
            WriteJsonNodes(sink, n.Children);
            sink.Append('}');
        }
        sink.Append(']');
    }
}
