using System.Text;

namespace HttpsFlow.Filters;

internal enum Tok
{
    End,
    /// <summary>A run of name/literal characters: a field or protocol name, a number, an address, a byte string.</summary>
    Word,
    /// <summary>A double-quoted string (escapes decoded).</summary>
    String,
    /// <summary>A single-quoted character constant ('a', '\x16').</summary>
    Char,
    LParen, RParen, LBrace, RBrace, Comma, DotDot,
    /// <summary>A slice: the raw text between '[' and ']'.</summary>
    Slice,
    /// <summary>The layer operator '#', followed by a number.</summary>
    Layer,
    Eq, Ne, AllEq, AnyNe, Gt, Lt, Ge, Le, Contains, Matches, In, And, Or, Not, BitAnd,
    Plus, Minus, Star, Slash, Percent,
}

/// <summary>One token of a display filter, with its place in the text (for error carets).</summary>
internal readonly record struct Token(Tok Kind, int Pos, int Len, string Text);

/// <summary>Splits a display filter into tokens as Wireshark 4.0's scanner does, far enough for its language.</summary>
internal static class FilterLexer
{
    public static List<Token> Lex(string text)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length)
            {
                tokens.Add(new Token(Tok.End, text.Length, 0, ""));
                return tokens;
            }
            int start = i;
            char c = text[i];
            char n = i + 1 < text.Length ? text[i + 1] : '\0';
            char n2 = i + 2 < text.Length ? text[i + 2] : '\0';
            Tok? op = null;
            int len = 1;
            switch (c)
            {
                case '(': op = Tok.LParen; break;
                case ')': op = Tok.RParen; break;
                case '{': op = Tok.LBrace; break;
                case '}': op = Tok.RBrace; break;
                case ',': op = Tok.Comma; break;
                case '+': op = Tok.Plus; break;
                case '-': op = Tok.Minus; break;
                case '*': op = Tok.Star; break;
                case '/': op = Tok.Slash; break;
                case '%': op = Tok.Percent; break;
                case '=' when n == '=' && n2 == '=': op = Tok.AllEq; len = 3; break;
                case '=' when n == '=': op = Tok.Eq; len = 2; break;
                case '!' when n == '=' && n2 == '=': op = Tok.AnyNe; len = 3; break;
                case '!' when n == '=': op = Tok.Ne; len = 2; break;
                case '!': op = Tok.Not; break;
                case '~' when n == '=': op = Tok.AnyNe; len = 2; break;
                case '~': op = Tok.Matches; break;
                case '>' when n == '=': op = Tok.Ge; len = 2; break;
                case '>': op = Tok.Gt; break;
                case '<' when n == '=': op = Tok.Le; len = 2; break;
                case '<': op = Tok.Lt; break;
                case '&' when n == '&': op = Tok.And; len = 2; break;
                case '&': op = Tok.BitAnd; break;
                case '|' when n == '|': op = Tok.Or; len = 2; break;
                case '.' when n == '.': op = Tok.DotDot; len = 2; break;
            }
            if (op is { } kind)
            {
                tokens.Add(new Token(kind, start, len, text.Substring(start, len)));
                i += len;
                continue;
            }
            if (c == '"')
            {
                if (!ReadQuoted(text, ref i, '"', out string? value, out var bad))
                    throw new FilterException(bad.Message, bad.Pos, bad.Len);
                tokens.Add(new Token(Tok.String, start, i - start, value!));
                continue;
            }
            if (c == '\'')
            {
                if (!ReadQuoted(text, ref i, '\'', out string? value, out var bad))
                    throw new FilterException(bad.Message, bad.Pos, bad.Len);
                if (value!.Length != 1 || value[0] > 0xff)
                    throw new FilterException($"{text[start..i]} is not a valid character constant.", start, i - start);
                tokens.Add(new Token(Tok.Char, start, i - start, value));
                continue;
            }
            if (c == '[')
            {
                int close = text.IndexOf(']', i + 1);
                if (close < 0) throw new FilterException("Unexpected end of filter expression.", text.Length, 0);
                tokens.Add(new Token(Tok.Slice, start, close + 1 - start, text[(i + 1)..close]));
                i = close + 1;
                continue;
            }
            if (c == '#')
            {
                i++;
                while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                tokens.Add(new Token(Tok.Layer, start, i - start, text[(start + 1)..i]));
                continue;
            }
            if (IsWordChar(c))
            {
                while (i < text.Length && IsWordChar(text[i]) && !(text[i] == '.' && i + 1 < text.Length && text[i + 1] == '.'))
                {
                    // '-' joins a word only between two word characters (00-1b-…), so "a - 1" stays arithmetic.
                    if (text[i] == '-' && !(i > start && i + 1 < text.Length && char.IsAsciiLetterOrDigit(text[i + 1])))
                        break;
                    i++;
                    // An address's prefix length: "10.0.0.0/8", "fe80::/10".
                    if (i + 1 < text.Length && text[i] == '/' && char.IsAsciiDigit(text[i + 1]) && text.AsSpan(start, i - start).ContainsAny('.', ':'))
                        i++;
                }
                string word = text[start..i];
                // A word with colons is a byte string, a MAC or an IPv6 address; anything else there is where
                // Wireshark's scanner stops ("eth:ethertype" is "eth" then the unexpected ":e").
                int colon = word.IndexOf(':');
                if (colon >= 0 && word.AsSpan().ContainsAnyExcept("0123456789abcdefABCDEF:./"))
                    throw new FilterException($"\"{word.Substring(colon, Math.Min(2, word.Length - colon))}\" was unexpected in this context.", start + colon, Math.Min(2, word.Length - colon));
                var kw = word switch
                {
                    "eq" or "any_eq" => Tok.Eq,
                    "ne" or "all_ne" => Tok.Ne,
                    "all_eq" => Tok.AllEq,
                    "any_ne" => Tok.AnyNe,
                    "gt" => Tok.Gt,
                    "lt" => Tok.Lt,
                    "ge" => Tok.Ge,
                    "le" => Tok.Le,
                    "contains" => Tok.Contains,
                    "matches" => Tok.Matches,
                    "in" => Tok.In,
                    "and" => Tok.And,
                    "or" => Tok.Or,
                    "not" => Tok.Not,
                    "bitwise_and" => Tok.BitAnd,
                    _ => Tok.Word,
                };
                tokens.Add(new Token(kw, start, i - start, word));
                continue;
            }
            throw new FilterException($"\"{c}\" was unexpected in this context.", start, 1);
        }
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-';

    private readonly record struct Bad(string Message, int Pos, int Len);

    /// <summary>Reads a quoted string from text[i] (the opening quote), decoding C escapes (\n \t \\ \" \xhh \ooo).</summary>
    private static bool ReadQuoted(string text, ref int i, char quote, out string? value, out Bad bad)
    {
        int start = i;
        var sb = new StringBuilder();
        var bytes = new List<byte>();
        i++;
        while (i < text.Length && text[i] != quote)
        {
            char c = text[i];
            if (c != '\\')
            {
                FlushBytes(sb, bytes);
                sb.Append(c);
                i++;
                continue;
            }
            if (i + 1 >= text.Length) break;
            char e = text[i + 1];
            i += 2;
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '0' or '1' or '2' or '3' or '4' or '5' or '6' or '7':
                {
                    int v = e - '0', k = 0;
                    while (k < 2 && i < text.Length && text[i] is >= '0' and <= '7') { v = v * 8 + (text[i] - '0'); i++; k++; }
                    if (v > 0xff) { value = null; bad = new Bad("Invalid escape sequence in string.", start, i - start); return false; }
                    bytes.Add((byte)v);
                    continue;
                }
                case 'x':
                {
                    int v = 0, k = 0;
                    while (k < 2 && i < text.Length && char.IsAsciiHexDigit(text[i])) { v = v * 16 + Convert.ToInt32(text[i].ToString(), 16); i++; k++; }
                    if (k == 0) { value = null; bad = new Bad("Invalid escape sequence in string.", start, i - start); return false; }
                    bytes.Add((byte)v);
                    continue;
                }
                default: sb.Append(e); break; // \\, \", \' and any other character stand for themselves
            }
        }
        if (i >= text.Length)
        {
            value = null;
            bad = new Bad("Unexpected end of filter expression.", text.Length, 0);
            return false;
        }
        FlushBytes(sb, bytes);
        i++; // closing quote
        value = sb.ToString();
        bad = default;
        return true;
    }

    /// <summary>Byte escapes become Latin-1 characters; <see cref="FilterValues.StringBytes"/> turns them back into those bytes.</summary>
    private static void FlushBytes(StringBuilder sb, List<byte> bytes)
    {
        // Escaped bytes that form valid UTF-8 become their characters (so "\xc3\xa9" is "é"); others stay as raw bytes.
        if (bytes.Count == 0) return;
        var arr = bytes.ToArray();
        bytes.Clear();
        try
        {
            sb.Append(new UTF8Encoding(false, true).GetString(arr));
        }
        catch (DecoderFallbackException)
        {
            foreach (var b in arr) sb.Append((char)(0xF700 + b)); // a private-use mark for a raw byte
        }
    }
}

/// <summary>A filter that cannot be compiled: the message and the place in the filter text it is about.</summary>
internal sealed class FilterException(string message, int pos, int len) : Exception(message)
{
    public int Pos { get; } = pos;
    public int Len { get; } = len;
}
