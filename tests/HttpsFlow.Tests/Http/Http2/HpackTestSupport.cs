using HttpsFlow.Http.Http2;

namespace HttpsFlow.Tests.Http.Http2;

/// <summary>Test-only encoders: HPACK's Huffman code and integers, to build vectors the RFC does not list.</summary>
internal static class HpackTestSupport
{
    /// <summary>Huffman-codes <paramref name="data"/> with the table of RFC 7541 Appendix B, padding with ones.</summary>
    public static byte[] HuffmanEncode(ReadOnlySpan<byte> data)
    {
        var output = new List<byte>();
        ulong acc = 0;
        int bits = 0;
        foreach (byte b in data)
        {
            var (code, length) = HpackHuffman.Code(b);
            acc = (acc << length) | code;
            bits += length;
            while (bits >= 8)
            {
                bits -= 8;
                output.Add((byte)(acc >> bits));
            }
        }
        if (bits > 0) output.Add((byte)((acc << (8 - bits)) | (0xffu >> bits)));
        return [.. output];
    }

    /// <summary>An integer with an N-bit prefix (RFC 7541 §5.1), the prefix's other bits set to <paramref name="first"/>.</summary>
    public static byte[] Integer(int value, int prefixBits, byte first = 0)
    {
        int max = (1 << prefixBits) - 1;
        if (value < max) return [(byte)(first | value)];
        var output = new List<byte> { (byte)(first | max) };
        value -= max;
        while (value >= 128)
        {
            output.Add((byte)(value % 128 + 128));
            value /= 128;
        }
        output.Add((byte)value);
        return [.. output];
    }

    /// <summary>A raw (not Huffman-coded) string literal.</summary>
    public static byte[] RawString(string s) => [.. Integer(s.Length, 7), .. System.Text.Encoding.Latin1.GetBytes(s)];

    /// <summary>A literal header field without indexing, new name, raw strings.</summary>
    public static byte[] LiteralNew(string name, string value, byte kind = 0x00) => [kind, .. RawString(name), .. RawString(value)];

    /// <summary>The dynamic table as the RFC's examples print it: "[  1] (s =  57) :authority: www.example.com".</summary>
    public static List<string> TableLines(HpackDynamicTable table)
    {
        var lines = new List<string>();
        for (int i = 1; i <= table.Count; i++)
        {
            string name = System.Text.Encoding.Latin1.GetString(table.Name(i)), value = System.Text.Encoding.Latin1.GetString(table.Value(i));
            lines.Add($"[{i,3}] (s = {name.Length + value.Length + 32,3}) {name}: {value}");
        }
        return lines;
    }
}
