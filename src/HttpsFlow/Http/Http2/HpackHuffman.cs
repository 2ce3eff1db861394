using System.Runtime.CompilerServices;

namespace HttpsFlow.Http.Http2;

/// <summary>How a Huffman-coded string literal ended.</summary>
public enum HuffmanStatus : byte
{
    Ok,
    /// <summary>The EOS symbol appeared inside the string (RFC 7541 §5.2: a decoding error).</summary>
    EosInString,
    /// <summary>The last bits are not a prefix of EOS, or more than 7 of them are (RFC 7541 §5.2).</summary>
    BadPadding,
}

/// <summary>
/// The static Huffman code of HPACK (RFC 7541 Appendix B) and a decoder for it. The code is canonical: it is fixed by
/// the code length of each of the 257 symbols (256 octets and EOS), from which the codes themselves are rebuilt.
/// </summary>
/// <remarks>
/// Decoding is table-driven, four bits at a time: the state is an inner node of the code tree (256 of them), and
/// one 16-entry row per state gives the node reached after the next four bits, the symbol completed on the way (the
/// shortest code has 5 bits, so at most one per step), and whether EOS was reached. A string may end only at the root
/// or on the all-ones path less than 8 bits deep, which is how the padding rule (at most 7 bits, all ones, the start
/// of EOS) is checked. The table is 16 KiB, built once.
/// </remarks>
public static class HpackHuffman
{
    /// <summary>Code length in bits of each symbol 0–255 and of EOS (256), from RFC 7541 Appendix B.</summary>
    private static ReadOnlySpan<byte> CodeLengths =>
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0-15
        28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 16-31
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,         // 32-47   ' ' .. '/'
        5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,              // 48-63   '0' .. '?'
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,                // 64-79   '@' .. 'O'
        7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,             // 80-95   'P' .. '_'
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,                // 96-111  '`' .. 'o'
        6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,            // 112-127 'p' .. DEL
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 128-143
        24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 144-159
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 160-175
        21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 176-191
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 192-207
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 208-223
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 224-239
        26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 240-255
        30,                                                              // EOS
    ];

    /// <summary>The EOS symbol's number.</summary>
    public const int Eos = 256;

    private const uint EmitFlag = 1u << 16, FailFlag = 1u << 17, AcceptFlag = 1u << 18;

    private static readonly uint[] s_codes = new uint[257];
    // Transition table: [state * 16 + nibble] = next state | symbol << 8 | flags.
    private static readonly uint[] s_table = new uint[256 * 16];
    // Per state: may the string end here?
    private static readonly bool[] s_accepting = new bool[256];

    static HpackHuffman()
    {
        // Canonical codes: shorter codes first, within a length in symbol order.
        uint code = 0;
        for (int len = 1; len <= 30; len++)
        {
            code <<= 1;
            for (int s = 0; s <= 256; s++)
            {
                if (CodeLengths[s] != len) continue;
                s_codes[s] = code++;
            }
        }

        // The code tree: inner nodes numbered from 0 (the root); a child is an inner node (>= 0) or a leaf ~symbol.
        var child = new int[512];
        Array.Fill(child, int.MinValue);
        var onesDepth = new int[256];
        Array.Fill(onesDepth, -1);
        onesDepth[0] = 0;
        int nodes = 1;
        for (int s = 0; s <= 256; s++)
        {
            int len = CodeLengths[s], node = 0;
            for (int i = len - 1; i > 0; i--)
            {
                int bit = (int)(s_codes[s] >> i) & 1;
                ref int next = ref child[node * 2 + bit];
                if (next == int.MinValue)
                {
                    next = nodes++;
                    if (bit == 1 && onesDepth[node] >= 0) onesDepth[next] = onesDepth[node] + 1;
                }
                node = next;
            }
            child[node * 2 + (int)(s_codes[s] & 1)] = ~s;
        }

        for (int state = 0; state < 256; state++) s_accepting[state] = onesDepth[state] is >= 0 and <= 7;
        for (int state = 0; state < 256; state++)
        {
            for (int nibble = 0; nibble < 16; nibble++)
            {
                int node = state;
                uint entry = 0;
                for (int b = 3; b >= 0; b--)
                {
                    int next = child[node * 2 + ((nibble >> b) & 1)];
                    if (next >= 0)
                    {
                        node = next;
                        continue;
                    }
                    int symbol = ~next;
                    if (symbol == Eos)
                    {
                        entry |= FailFlag;
                        break;
                    }
                    entry |= EmitFlag | (uint)symbol << 8;
                    node = 0;
                }
                s_table[state * 16 + nibble] = entry | (uint)node | (s_accepting[node] ? AcceptFlag : 0);
            }
        }
    }

    /// <summary>The code of a symbol (0–255, or <see cref="Eos"/>), right-aligned, and its length in bits.</summary>
    public static (uint Code, int Length) Code(int symbol) => (s_codes[symbol], CodeLengths[symbol]);

    /// <summary>The most octets <paramref name="encodedLength"/> Huffman-coded octets can decode to (codes are at least 5 bits).</summary>
    public static int MaxDecodedLength(int encodedLength) => (int)(encodedLength * 8L / 5);

    /// <summary>
    /// Decodes <paramref name="source"/> into <paramref name="destination"/>, which must hold
    /// <see cref="MaxDecodedLength"/> octets, or, when <paramref name="store"/> is false, only counts (and checks)
    /// the decoded octets. <paramref name="length"/> is the number decoded before any error.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static HuffmanStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, bool store, out int length)
    {
        var table = s_table;
        uint state = 0;
        int n = 0;
        bool accepting = true;
        foreach (byte b in source)
        {
            uint e = table[(int)(state << 4 | (uint)(b >> 4))];
            if ((e & FailFlag) != 0)
            {
                length = n;
                return HuffmanStatus.EosInString;
            }
            if ((e & EmitFlag) != 0)
            {
                if (store) destination[n] = (byte)(e >> 8);
                n++;
            }
            e = table[(int)((e & 0xff) << 4 | (uint)(b & 0x0f))];
            if ((e & FailFlag) != 0)
            {
                length = n;
                return HuffmanStatus.EosInString;
            }
            if ((e & EmitFlag) != 0)
            {
                if (store) destination[n] = (byte)(e >> 8);
                n++;
            }
            state = e & 0xff;
            accepting = (e & AcceptFlag) != 0;
        }
        length = n;
        return accepting ? HuffmanStatus.Ok : HuffmanStatus.BadPadding;
    }
}
