using System.Globalization;
using System.Text;

namespace HttpsFlow.Follow;

/// <summary>The output modes of tshark's <c>-z follow</c>.</summary>
public enum FollowFormat
{
    /// <summary>Each chunk's length, then its bytes with everything but printable ASCII, CR and LF shown as '.'.</summary>
    Ascii,
    /// <summary>A hex dump per chunk, offsets counted per side.</summary>
    Hex,
    /// <summary>Each chunk as one line of lower-case hex digits.</summary>
    Raw,
    /// <summary>The peers, then each chunk's frame, side, time and base64 bytes.</summary>
    Yaml,
}

/// <summary>Writes a <see cref="FollowStream"/> byte for byte as tshark 4.0 prints <c>-q -z follow,PROTO,MODE,N</c>.</summary>
/// <remarks>
/// Node 1's lines are indented with a tab: in ascii mode only the length line, in hex mode every line of the dump,
/// in raw mode the line. The ascii and hex modes show only bytes 0x20–0x7e as themselves.
/// </remarks>
public static class FollowWriter
{
    private const string Separator = "===================================================================\n";
    private const int BytesPerLine = 16;
    private const string HexDigits = "0123456789abcdef";

    /// <summary>The text tshark prints for <paramref name="stream"/> in <paramref name="format"/>.</summary>
    public static string Format(FollowStream stream, FollowFormat format)
    {
        var w = new StringWriter();
        Write(w, stream, format);
        return w.ToString();
    }

    /// <summary>Writes the text tshark prints for <paramref name="stream"/> in <paramref name="format"/>, a chunk at a time.</summary>
    public static void Write(TextWriter writer, FollowStream stream, FollowFormat format)
    {
        var o = new StringBuilder();
        if (format == FollowFormat.Yaml)
        {
            o.Append("peers:\n");
            o.Append("  - peer: 0\n");
            o.Append("    host: ").Append(Host(stream.Node0)).Append('\n');
            o.Append("    port: ").Append(stream.Node0.Port.ToString(CultureInfo.InvariantCulture)).Append('\n');
            o.Append("  - peer: 1\n");
            o.Append("    host: ").Append(Host(stream.Node1)).Append('\n');
            o.Append("    port: ").Append(stream.Node1.Port.ToString(CultureInfo.InvariantCulture)).Append('\n');
            o.Append("packets:\n");
        }
        else
        {
            o.Append('\n').Append(Separator);
            o.Append("Follow: ").Append(stream.Protocol).Append(',').Append(ModeName(format)).Append('\n');
            o.Append("Filter: tcp.stream eq ").Append(stream.Stream.ToString(CultureInfo.InvariantCulture)).Append('\n');
            o.Append("Node 0: ").Append(Endpoint(stream.Node0)).Append('\n');
            o.Append("Node 1: ").Append(Endpoint(stream.Node1)).Append('\n');
        }
        writer.Write(o);
        o.Clear();

        uint node0Offset = 0, node1Offset = 0;
        foreach (var chunk in stream.Chunks)
        {
            var data = chunk.Data;
            string indent = chunk.FromNode1 ? "\t" : "";
            switch (format)
            {
                case FollowFormat.Ascii:
                    o.Append(indent).Append(data.Length.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    foreach (byte b in data) o.Append(b is (byte)'\r' or (byte)'\n' or >= 0x20 and < 0x7f ? (char)b : '.');
                    o.Append('\n');
                    break;
                case FollowFormat.Hex:
                    ref uint offset = ref chunk.FromNode1 ? ref node1Offset : ref node0Offset;
                    HexDump(o, indent, offset, data);
                    offset += (uint)data.Length;
                    break;
                case FollowFormat.Raw:
                    o.Append(indent);
                    foreach (byte b in data) o.Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xf]);
                    o.Append('\n');
                    break;
                case FollowFormat.Yaml:
                    o.Append("  - packet: ").Append(chunk.Frame.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    o.Append("    peer: ").Append(chunk.FromNode1 ? '1' : '0').Append('\n');
                    // tshark prints the time as a double (seconds + nanoseconds / 1e9) with "%.9f".
                    double seconds = chunk.Time.Seconds + chunk.Time.Nanoseconds / 1e9;
                    o.Append("    timestamp: ").Append(seconds.ToString("F9", CultureInfo.InvariantCulture)).Append('\n');
                    o.Append("    data: !!binary |\n");
                    for (int i = 0; i < data.Length; i += 57) // 57 bytes encode to 76 characters
                        o.Append("      ").Append(Convert.ToBase64String(data, i, Math.Min(57, data.Length - i))).Append('\n');
                    break;
            }
            writer.Write(o);
            o.Clear();
        }
        if (format != FollowFormat.Yaml) o.Append(Separator);
        writer.Write(o);
    }

    private static string ModeName(FollowFormat format) => format switch
    {
        FollowFormat.Hex => "hex",
        FollowFormat.Raw => "raw",
        FollowFormat.Yaml => "yaml",
        _ => "ascii",
    };

    private static string Host(FollowNode node) => node.Address?.ToString() ?? "";

    private static string Endpoint(FollowNode node) =>
        node.Address is { IsV6: true } a ? $"[{a}]:{node.Port}" : $"{Host(node)}:{node.Port}";

    /// <summary>tshark's follow hex dump: "%08X" offset, two spaces, 16 hex bytes split after 8, two spaces, the bytes as text.</summary>
    private static void HexDump(StringBuilder o, string indent, uint offset, byte[] data)
    {
        const int hexStart = 10, asciiStart = hexStart + BytesPerLine * 3 + 2;
        Span<char> line = stackalloc char[asciiStart + BytesPerLine + 1];
        int j = 0, k = 0;
        for (int i = 0; i < data.Length;)
        {
            if (i % BytesPerLine == 0)
            {
                line.Fill(' ');
                offset.TryFormat(line, out _, "X8", CultureInfo.InvariantCulture);
                j = hexStart;
                k = asciiStart;
            }
            byte b = data[i];
            line[j++] = HexDigits[b >> 4];
            line[j++] = HexDigits[b & 0xf];
            j++;
            line[k++] = b is >= 0x20 and < 0x7f ? (char)b : '.';
            if (++i % BytesPerLine == BytesPerLine / 2)
            {
                line[j++] = ' ';
                line[k++] = ' ';
            }
            if (i % BytesPerLine == 0 || i == data.Length)
            {
                if (line[k - 1] == ' ') k--;
                o.Append(indent).Append(line[..k]).Append('\n');
                offset += BytesPerLine;
            }
        }
    }
}
