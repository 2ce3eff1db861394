namespace HttpsFlow.Filters;

/// <summary>A node of a parsed display filter, with the span of text it came from.</summary>
internal abstract record Node(int Pos, int Len);

internal sealed record LogicalNode(Tok Op, Node Left, Node Right, int P, int L) : Node(P, L);
internal sealed record NotNode(Node Inner, int P, int L) : Node(P, L);
/// <summary>A bare operand used as a test: a field or protocol that must be present.</summary>
internal sealed record TestNode(Node Operand, int P, int L) : Node(P, L);
internal sealed record CompareNode(Tok Op, Node Left, Node Right, Token OpToken, int P, int L) : Node(P, L);
internal sealed record InNode(Node Left, List<(Node Low, Node? High)> Items, bool Negated, int P, int L) : Node(P, L);
/// <summary>A word: a field or protocol name, or a literal whose meaning depends on what it is compared with.</summary>
internal sealed record WordNode(string Text, int P, int L) : Node(P, L);
internal sealed record StringNode(string Value, int P, int L) : Node(P, L);
internal sealed record CharNode(char Value, int P, int L) : Node(P, L);
internal sealed record SliceNode(Node Inner, List<(long Start, long? Length, bool ToEnd)> Ranges, int P, int L) : Node(P, L);
internal sealed record LayerNode(Node Inner, int Layer, int P, int L) : Node(P, L);
internal sealed record FuncNode(string Name, List<Node> Args, int P, int L) : Node(P, L);
internal sealed record ArithNode(Tok Op, Node Left, Node Right, int P, int L) : Node(P, L);
internal sealed record NegateNode(Node Inner, int P, int L) : Node(P, L);
/// <summary>A parenthesised logical expression.</summary>
internal sealed record GroupNode(Node Inner, int P, int L) : Node(P, L);

/// <summary>
/// Recursive-descent parser for Wireshark 4.0's display filter grammar: or &lt; and &lt; not &lt; relation; arithmetic
/// (in braces or bare) with * / % above + -, and bitwise &amp; lowest; slices, layers and function calls on operands.
/// Nesting is bounded, so a hostile filter cannot exhaust the stack.
/// </summary>
internal sealed class FilterParser
{
    public const int MaxDepth = 100;

    private readonly List<Token> _tokens;
    private int _i;
    private int _depth;

    private FilterParser(List<Token> tokens) => _tokens = tokens;

    public static Node Parse(string text)
    {
        var p = new FilterParser(FilterLexer.Lex(text));
        if (p.Peek.Kind == Tok.End) throw new FilterException("Unexpected end of filter expression.", text.Length, 0);
        var node = p.ParseOr();
        // After a complete test, Wireshark's parser takes a "not" as the start of something and stumbles on what follows it.
        if (p.Peek.Kind == Tok.Not && p.PeekAt(1).Kind != Tok.End) throw Unexpected(p.PeekAt(1));
        if (p.Peek.Kind != Tok.End) throw Unexpected(p.Peek);
        return node;
    }

    private Token Peek => _tokens[_i];

    private Token PeekAt(int k) => _tokens[Math.Min(_i + k, _tokens.Count - 1)];

    private Token Take() => _tokens[_i < _tokens.Count - 1 ? _i++ : _i];

    private static FilterException Unexpected(Token t) => t.Kind == Tok.End
        ? new FilterException("Unexpected end of filter expression.", t.Pos, 0)
        : new FilterException($"\"{t.Text}\" was unexpected in this context.", t.Pos, t.Len);

    private void Enter()
    {
        if (++_depth > MaxDepth) throw new FilterException($"Filter is nested too deeply (more than {MaxDepth} levels).", Peek.Pos, Math.Max(Peek.Len, 1));
    }

    private static Node Span(Node a, Node b, Func<int, int, Node> make) => make(a.Pos, b.Pos + b.Len - a.Pos);

    private Node ParseOr()
    {
        Enter();
        var node = ParseBinary(ParseAnd, static k => k == Tok.Or);
        _depth--;
        return node;
    }

    private Node ParseAnd() => ParseBinary(ParseNot, static k => k == Tok.And);

    /// <summary>A left-associative chain "operand (op operand)*" of one precedence level.</summary>
    private Node ParseBinary(Func<Node> operand, Func<Tok, bool> isOperator, bool arithmetic = false)
    {
        var left = operand();
        while (isOperator(Peek.Kind))
        {
            var op = Take().Kind;
            var right = operand();
            var l = left;
            left = arithmetic
                ? Span(l, right, (p, n) => new ArithNode(op, l, right, p, n))
                : Span(l, right, (p, n) => new LogicalNode(op, l, right, p, n));
        }
        return left;
    }

    private Node ParseNot()
    {
        if (Peek.Kind == Tok.Not)
        {
            Enter();
            var t = Take();
            var inner = ParseNot();
            _depth--;
            return new NotNode(inner, t.Pos, inner.Pos + inner.Len - t.Pos);
        }
        return ParseRelation();
    }

    private Node ParseRelation()
    {
        var left = ParseBitAnd();
        var op = Peek;
        switch (op.Kind)
        {
            case Tok.Eq or Tok.Ne or Tok.AllEq or Tok.AnyNe or Tok.Gt or Tok.Lt or Tok.Ge or Tok.Le or Tok.Contains or Tok.Matches:
            {
                Take();
                var right = ParseBitAnd();
                if (Peek.Kind is Tok.Eq or Tok.Ne or Tok.AllEq or Tok.AnyNe or Tok.Gt or Tok.Lt or Tok.Ge or Tok.Le or Tok.Contains or Tok.Matches or Tok.In)
                    throw Unexpected(Peek);
                return Span(left, right, (p, n) => new CompareNode(op.Kind, left, right, op, p, n));
            }
            case Tok.In:
                Take();
                return ParseSet(left, false);
            case Tok.Not when PeekAt(1).Kind == Tok.In:
                Take();
                Take();
                return ParseSet(left, true);
        }
        return left is GroupNode ? left : new TestNode(left, left.Pos, left.Len);
    }

    private Node ParseSet(Node left, bool negated)
    {
        if (Peek.Kind != Tok.LBrace) throw Unexpected(Peek);
        Take();
        var items = new List<(Node, Node?)>();
        while (true)
        {
            var low = ParseSetValue();
            Node? high = null;
            if (Peek.Kind == Tok.DotDot)
            {
                Take();
                high = ParseSetValue();
            }
            items.Add((low, high));
            if (Peek.Kind == Tok.Comma)
            {
                Take();
                continue;
            }
            if (Peek.Kind != Tok.RBrace) throw Unexpected(Peek);
            var close = Take();
            return new InNode(left, items, negated, left.Pos, close.Pos + 1 - left.Pos);
        }
    }

    private Node ParseSetValue() => ParseUnary();

    private Node ParseBitAnd() => ParseBinary(ParseAdd, static k => k == Tok.BitAnd, arithmetic: true);

    private Node ParseAdd() => ParseBinary(ParseMul, static k => k is Tok.Plus or Tok.Minus, arithmetic: true);

    private Node ParseMul() => ParseBinary(ParseUnary, static k => k is Tok.Star or Tok.Slash or Tok.Percent, arithmetic: true);

    private Node ParseUnary()
    {
        if (Peek.Kind is Tok.Minus or Tok.Plus)
        {
            Enter();
            var t = Take();
            var inner = ParseUnary();
            _depth--;
            if (t.Kind == Tok.Plus) return inner;
            // A minus written against a number is part of the literal ("-1").
            if (inner is WordNode w && w.Pos == t.Pos + 1 && w.Text.Length > 0 && char.IsAsciiDigit(w.Text[0]))
                return new WordNode("-" + w.Text, t.Pos, w.Len + 1);
            return new NegateNode(inner, t.Pos, inner.Pos + inner.Len - t.Pos);
        }
        return ParsePostfix(ParsePrimary());
    }

    private Node ParsePostfix(Node node)
    {
        while (true)
        {
            if (Peek.Kind == Tok.Slice)
            {
                var t = Take();
                node = new SliceNode(node, ParseRanges(t), node.Pos, t.Pos + t.Len - node.Pos);
            }
            else if (Peek.Kind == Tok.Layer)
            {
                var t = Take();
                if (!int.TryParse(t.Text, out int layer) || layer < 1)
                    throw new FilterException("Layer must be a positive integer.", t.Pos, t.Len);
                node = new LayerNode(node, layer, node.Pos, t.Pos + t.Len - node.Pos);
            }
            else return node;
        }
    }

    private Node ParsePrimary()
    {
        var t = Peek;
        switch (t.Kind)
        {
            case Tok.LParen:
            {
                Enter();
                Take();
                var inner = ParseOr();
                if (Peek.Kind != Tok.RParen) throw Unexpected(Peek);
                var close = Take();
                _depth--;
                return new GroupNode(inner, t.Pos, close.Pos + 1 - t.Pos);
            }
            case Tok.LBrace:
            {
                Enter();
                Take();
                var inner = ParseBitAnd();
                if (Peek.Kind != Tok.RBrace) throw Unexpected(Peek);
                Take();
                _depth--;
                return inner;
            }
            case Tok.String:
                Take();
                return new StringNode(t.Text, t.Pos, t.Len);
            case Tok.Char:
                Take();
                return new CharNode(t.Text[0], t.Pos, t.Len);
            case Tok.Word:
            {
                Take();
                if (Peek.Kind == Tok.LParen && Peek.Pos == t.Pos + t.Len)
                {
                    Enter();
                    Take();
                    var args = new List<Node>();
                    if (Peek.Kind != Tok.RParen)
                    {
                        while (true)
                        {
                            args.Add(ParseBitAnd());
                            if (Peek.Kind == Tok.Comma) { Take(); continue; }
                            break;
                        }
                    }
                    if (Peek.Kind != Tok.RParen) throw Unexpected(Peek);
                    var close = Take();
                    _depth--;
                    return new FuncNode(t.Text, args, t.Pos, close.Pos + 1 - t.Pos);
                }
                return new WordNode(t.Text, t.Pos, t.Len);
            }
            default:
                throw Unexpected(t);
        }
    }

    /// <summary>Slice ranges: "i:j" (start and length), "i-j" (start and end, inclusive), "i" (one byte), ":j", "i:", comma-separated.</summary>
    private static List<(long, long?, bool)> ParseRanges(Token t)
    {
        var list = new List<(long, long?, bool)>();
        foreach (var rawPart in t.Text.Split(','))
        {
            string part = rawPart.Trim();
            FilterException Bad() => new($"\"{part}\" is not a valid range.", t.Pos, t.Len);
            if (part.Length == 0) throw Bad();
            int colon = part.IndexOf(':');
            if (colon >= 0)
            {
                string a = part[..colon].Trim(), b = part[(colon + 1)..].Trim();
                long start = 0;
                if (a.Length > 0 && !long.TryParse(a, out start)) throw Bad();
                if (b.Length == 0) { list.Add((start, null, true)); continue; }
                if (!long.TryParse(b, out long length) || length <= 0) throw Bad();
                list.Add((start, length, false));
                continue;
            }
            int dash = part.IndexOf('-', 1);
            if (dash > 0)
            {
                if (!long.TryParse(part[..dash].Trim(), out long s) || !long.TryParse(part[(dash + 1)..].Trim(), out long e)) throw Bad();
                if (s >= 0 && e >= 0 ? e < s : (s < 0) == (e < 0) && e < s) throw Bad();
                list.Add((s, e, false));
                list[^1] = (s, e - s + 1, false);
                continue;
            }
            if (!long.TryParse(part, out long one)) throw Bad();
            list.Add((one, 1, false));
        }
        return list;
    }
}
