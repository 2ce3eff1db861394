using System.Text;
using System.Text.RegularExpressions;
using HttpsFlow.Fields;
using HttpsFlow.Net;

namespace HttpsFlow.Filters;

/// <summary>What a compiled filter reads a frame through: its fields, and the frame for its bytes.</summary>
internal sealed class EvalContext
{
    public FieldSet Set = null!;
    public Frame? Frame;
}

/// <summary>A compiled operand: its type, and (unless it is a literal still waiting for a type) how to get its values.</summary>
internal sealed class Operand
{
    public required VType Type;
    public required Node Node;
    public FieldDef? Field;
    /// <summary>Null for a literal: its meaning depends on what it is compared with.</summary>
    public Func<EvalContext, ValBuf>? Eval;
    public bool IsFunction;

    public bool IsLiteral => Eval is null;

    /// <summary>The operand's text as the user wrote it (for messages).</summary>
    public string Name(string filter) => filter.Substring(Node.Pos, Node.Len);
}

/// <summary>
/// Type-checks a parsed filter against the field registry and turns it into delegates over a frame's
/// <see cref="FieldSet"/>. Every operand owns its value buffer, so evaluating a frame allocates nothing except where a
/// function makes new text (string(), upper(), lower()) or a slice joins several ranges.
/// </summary>
internal sealed class FilterCompiler
{
    private readonly string _text;
    public readonly HashSet<FieldDef> Fields = new();
    public bool NeedsPayload;
    public bool NeedsFrameBytes;

    /// <summary>Protocols a frame's protocol chain (frame.protocols) can name that have no field of their own in the registry.</summary>
    private static readonly HashSet<string> ChainProtocols = ["eth", "ethertype", "sll", "null", "raw", "data", "vlan", "ip", "ipv6", "arp", "tcp", "mptcp", "tls", "http", "udp", "icmp", "icmpv6"];

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(200);

    public FilterCompiler(string text) => _text = text;

    private FilterException Error(Node node, string message) => new(message, node.Pos, node.Len);

    private static string OpText(Tok op) => op switch
    {
        Tok.Eq => "==", Tok.Ne => "!=", Tok.AllEq => "===", Tok.AnyNe => "!==", Tok.Gt => ">", Tok.Lt => "<", Tok.Ge => ">=",
        Tok.Le => "<=", Tok.Contains => "contains", Tok.Matches => "matches", _ => op.ToString(),
    };

    public Func<EvalContext, bool> CompileTest(Node node)
    {
        switch (node)
        {
            case LogicalNode { Op: Tok.And } and:
            {
                var l = CompileTest(and.Left);
                var r = CompileTest(and.Right);
                return c => l(c) && r(c);
            }
            case LogicalNode or:
            {
                var l = CompileTest(or.Left);
                var r = CompileTest(or.Right);
                return c => l(c) || r(c);
            }
            case NotNode not:
            {
                var inner = CompileTest(not.Inner);
                return c => !inner(c);
            }
            case GroupNode g:
                return CompileTest(g.Inner);
            case TestNode t:
                return CompileExists(t.Operand);
            case CompareNode cmp:
                return CompileCompare(cmp);
            case InNode @in:
                return CompileIn(@in);
            default:
                throw Error(node, "This is not a test.");
        }
    }

    private Func<EvalContext, bool> CompileExists(Node node)
    {
        if (node is FuncNode f) throw new FilterException("You cannot test whether a function is present.", f.Pos, f.Name.Length);
        var op = CompileOperand(node);
        if (op.IsLiteral)
            throw Error(node, node is WordNode
                ? $"{op.Name(_text)} is neither a field nor a protocol name."
                : $"{op.Name(_text)} is a literal, not a field or protocol; compare it with one.");
        if (node is WordNode && op.Field is { } def)
        {
            return c =>
            {
                foreach (ref readonly var fv in c.Set.Values)
                    if (fv.Def == def) return true;
                return false;
            };
        }
        var eval = op.Eval!;
        if (node is ArithNode)
        {
            // "tcp.flags & 0x02" as a test: true when some result is not zero.
            bool bytes = op.Type == VType.Bytes;
            return c =>
            {
                var b = eval(c);
                for (int i = 0; i < b.Count; i++)
                    if (bytes ? b.Items[i].Span.ContainsAnyExcept((byte)0) : b.Items[i].I != 0) return true;
                return false;
            };
        }
        return c => eval(c).Count > 0;
    }

    // ---- operands ----

    private Operand CompileOperand(Node node)
    {
        switch (node)
        {
            case WordNode w:
                if (FieldRegistry.TryGet(w.Text, out var def)) return FieldOperand(w, def, 0);
                if (ChainProtocols.Contains(w.Text)) return ChainProtocolOperand(w);
                return new Operand { Type = VType.Str, Node = node };
            case StringNode or CharNode:
                return new Operand { Type = VType.Str, Node = node };
            case LayerNode layer:
                if (layer.Inner is WordNode lw && FieldRegistry.TryGet(lw.Text, out var ldef)) return FieldOperand(layer, ldef, layer.Layer);
                throw Error(layer.Inner, $"{_text.Substring(layer.Inner.Pos, layer.Inner.Len)} is not a field: only fields have layers.");
            case SliceNode slice:
                return CompileSlice(slice);
            case FuncNode f:
                return CompileFunction(f);
            case ArithNode a:
                return CompileArith(a);
            case NegateNode neg:
                return CompileNegate(neg);
            case GroupNode g:
                throw Error(g, "Parentheses group tests; group arithmetic with braces { }.");
            default:
                throw Error(node, $"\"{_text.Substring(node.Pos, node.Len)}\" was unexpected in this context.");
        }
    }

    private Operand FieldOperand(Node node, FieldDef def, int layer)
    {
        Fields.Add(def);
        if (def == TcpFields.Payload) NeedsPayload = true;
        var type = FilterValues.TypeOf(def);
        bool frameBytes = def == FrameFields.Frame;
        if (frameBytes)
        {
            NeedsFrameBytes = true;
            type = VType.Bytes;
        }
        FieldDef? protocol = null;
        if (layer > 0)
        {
            if (!FieldRegistry.TryGet(def.Protocol, out protocol)) protocol = def;
            Fields.Add(protocol);
        }
       var fieldType = def.Type;
        return Producer(type, node, def, (c, buf) =>
        {
            var values = c.Set.Values;
            int seen = 0;
            for (int i = 0; i < values.Length; i++)
            {
                ref readonly var fv = ref values[i];
                if (protocol is not null && fv.Def == protocol) seen++;
                if (fv.Def != def || (layer > 0 && seen != layer)) continue;
                ref var v = ref buf.Add();
                switch (fieldType)
                {
                    case FieldType.RelativeTime:
                        v.I = fv.Time.Seconds * 1_000_000_000L + fv.Time.Nanoseconds;
                        break;
                    case FieldType.AbsoluteTime:
                        v.I = fv.Absolute.Seconds * 1_000_000_000L + fv.Absolute.Nanoseconds;
                        break;
                    case FieldType.String:
                        v.S = fv.Text;
                        break;
                    case FieldType.Bytes or FieldType.Ether:
                        v.B = c.Set.ByteStore;
                        v.Off = fv.BytesStart;
                        v.Len = fv.BytesLength;
                        break;
                    case FieldType.IPv4 or FieldType.IPv6:
                        v.Ip = fv.Ip;
                        break;
                    case FieldType.Protocol when frameBytes && c.Frame is { } frame:
                        v.B = frame.PacketBytes;
                        v.Len = frame.PacketBytesLength;
                        break;
                    default:
                        v.I = fv.Int;
                        break;
                }
            }
        });
    }

    /// <summary>A protocol with no field of its own: present when the frame's protocol chain names it.</summary>
    private Operand ChainProtocolOperand(WordNode w)
    {
        Fields.Add(FrameFields.Protocols);
       string name = w.Text;
        return Producer(VType.Protocol, w, null, (c, buf) =>
        {
            foreach (ref readonly var fv in c.Set.Values)
            {
                if (fv.Def != FrameFields.Protocols || fv.Text is null) continue;
                foreach (var part in fv.Text.AsSpan().Split(':'))
                    if (fv.Text.AsSpan()[part].SequenceEqual(name)) buf.Add();
            }
        });
    }

    /// <summary>An operand whose values <paramref name="fill"/> writes, frame by frame, into the operand's own reused buffer.</summary>
    private static Operand Producer(VType type, Node node, FieldDef? field, Action<EvalContext, ValBuf> fill)
    {
        var buf = new ValBuf();
        return new Operand
        {
            Type = type, Node = node, Field = field,
            Eval = c =>
            {
                buf.Clear();
                fill(c, buf);
                return buf;
            },
        };
    }

    /// <summary>The bytes of a value that has bytes (byte fields, strings, addresses), for slices and len().</summary>
    private static ReadOnlySpan<byte> BytesOf(VType type, ref V v, Span<byte> scratch)
    {
        switch (type)
        {
            case VType.Str:
                v.B ??= FilterValues.StringBytes(v.S ?? "");
                v.Len = v.B.Length;
                return v.B;
            case VType.Ipv4:
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(scratch, v.Ip.V4);
                return scratch[..4];
            case VType.Ipv6:
                v.Ip.WriteV6(scratch);
                return scratch[..16];
            default:
                return v.Span;
        }
    }

    private Operand CompileSlice(SliceNode slice)
    {
        var inner = CompileOperand(slice.Inner);
        if (inner.IsLiteral || inner.Type is not (VType.Bytes or VType.Str or VType.Ipv4 or VType.Ipv6))
        {
            string what = inner.Field is { } f ? FilterValues.TypeName(f) : FilterValues.TypeName(inner.Type);
            throw Error(slice.Inner, $"\"{inner.Name(_text)}\" is a {what} and cannot be sliced into a sequence of bytes.");
        }
        var ranges = slice.Ranges.ToArray();
        var eval = inner.Eval!;
        var type = inner.Type;
        return Producer(VType.Bytes, slice, null, (c, buf) =>
        {
            var src = eval(c);
            Span<byte> scratch = stackalloc byte[16];
            for (int i = 0; i < src.Count; i++)
            {
                var data = BytesOf(type, ref src.Items[i], scratch);
                int total = 0;
                bool ok = true;
                foreach (var r in ranges)
                {
                    if (!Resolve(r, data.Length, out _, out int n)) { ok = false; break; }
                    total += n;
                }
                if (!ok) continue;
                ref var v = ref buf.Add();
                if (ranges.Length == 1 && type is VType.Bytes or VType.Str)
                {
                    Resolve(ranges[0], data.Length, out int s, out int n);
                    v.B = src.Items[i].B;
                    v.Off = src.Items[i].Off + s;
                    v.Len = n;
                    continue;
                }
                var joined = new byte[total];
                int at = 0;
                foreach (var r in ranges)
                {
                    Resolve(r, data.Length, out int s, out int n);
                    data.Slice(s, n).CopyTo(joined.AsSpan(at));
                    at += n;
                }
                v.B = joined;
                v.Len = total;
            }
        });
    }

    /// <summary>A range over data of <paramref name="length"/> bytes; false when it reaches outside the data.</summary>
    private static bool Resolve((long Start, long? Length, bool ToEnd) r, int length, out int start, out int count)
    {
        long s = r.Start < 0 ? length + r.Start : r.Start;
        long n = r.ToEnd ? length - s : r.Length ?? 1;
        start = count = 0;
        if (s < 0 || s > length || n < 0 || s + n > length) return false;
        if (r.ToEnd && n == 0) return false;
        start = (int)s;
        count = (int)n;
        return true;
    }

    private Operand CompileFunction(FuncNode f)
    {
        var nameSpan = new WordNode(f.Name, f.Pos, f.Name.Length);
        void Arity(int min, int max)
        {
            if (f.Args.Count < min || f.Args.Count > max)
                throw Error(f, min == max
                    ? $"Function {f.Name} needs exactly {min} argument{(min == 1 ? "" : "s")}."
                    : $"Function {f.Name} needs at least {min} argument{(min == 1 ? "" : "s")}.");
        }
        Operand Arg(int i)
        {
            var a = CompileOperand(f.Args[i]);
            if (a.IsLiteral) throw Error(f.Args[i], $"Argument {i + 1} of {f.Name}() must be a field or function, not {a.Name(_text)}.");
            return a;
        }
        switch (f.Name)
        {
            case "len":
            {
                Arity(1, 1);
                var a = Arg(0);
                if (a.Type is VType.Label or VType.Time or VType.AbsTime or VType.Protocol)
                    throw Error(f.Args[0], $"{a.Name(_text)} has no length.");
                var eval = a.Eval!;
                var type = a.Type;
                int size = a.Field?.Type switch
                {
                    FieldType.UInt8 or FieldType.Boolean => 1, FieldType.UInt16 => 2, FieldType.UInt24 => 3, FieldType.UInt64 => 8, _ => 4,
                };
                if (a.Field?.Type == FieldType.Boolean && a.Field.Bitmask > 0xff) size = 2;
                return Fn(VType.Int, (c, buf) =>
                {
                    var src = eval(c);
                    Span<byte> scratch = stackalloc byte[16];
                    for (int i = 0; i < src.Count; i++)
                        buf.Add().I = type is VType.Int or VType.Bool ? size : BytesOf(type, ref src.Items[i], scratch).Length;
                });
            }
            case "count":
            {
                Arity(1, 1);
                var a = Arg(0);
                if (f.Args[0] is not (WordNode or LayerNode)) throw Error(f.Args[0], "count() counts the occurrences of a field: its argument must be a field.");
                var eval = a.Eval!;
                return Fn(VType.Int, (c, buf) =>
                {
                    int n = eval(c).Count;
                    if (n > 0) buf.Add().I = n;
                });
            }
            case "upper":
            case "lower":
            {
                Arity(1, 1);
                var a = Arg(0);
                if (a.Type != VType.Str) throw Error(f.Args[0], $"{f.Name}() works on character strings; {a.Name(_text)} is a {FilterValues.TypeName(a.Type)}.");
                var eval = a.Eval!;
                bool upper = f.Name == "upper";
                return Fn(VType.Str, (c, buf) =>
                {
                    var src = eval(c);
                    for (int i = 0; i < src.Count; i++)
                        buf.Add().S = upper ? src.Items[i].S?.ToUpperInvariant() : src.Items[i].S?.ToLowerInvariant();
                });
            }
            case "string":
            {
                Arity(1, 1);
                var a = Arg(0);
                if (a.Type is not (VType.Int or VType.Str or VType.Ipv4 or VType.Ipv6 or VType.Bytes))
                    throw Error(f.Args[0], $"String conversion for field \"{a.Name(_text)}\" is not supported");
                var eval = a.Eval!;
                var type = a.Type;
                return Fn(VType.Str, (c, buf) =>
                {
                    var src = eval(c);
                    for (int i = 0; i < src.Count; i++)
                    {
                        ref var s = ref src.Items[i];
                        buf.Add().S = type switch
                        {
                            VType.Int => s.I.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            VType.Ipv4 or VType.Ipv6 => s.Ip.ToString(),
                            VType.Bytes => Convert.ToHexString(s.Span).ToLowerInvariant(),
                            _ => s.S,
                        };
                    }
                });
            }
            case "abs":
            {
                Arity(1, 1);
                var a = Arg(0);
                if (a.Type is not (VType.Int or VType.Time)) throw Error(f.Args[0], $"abs() works on numbers; {a.Name(_text)} is a {FilterValues.TypeName(a.Type)}.");
                var eval = a.Eval!;
                return Fn(a.Type, (c, buf) =>
                {
                    var src = eval(c);
                    for (int i = 0; i < src.Count; i++) buf.Add().I = Math.Abs(src.Items[i].I);
                });
            }
            case "max":
            case "min":
            {
                if (f.Args.Count == 0) Arity(1, int.MaxValue);
                var args = Enumerable.Range(0, f.Args.Count).Select(Arg).ToArray();
                var type = args[0].Type;
                foreach (var a in args)
                    if (a.Type is not (VType.Int or VType.Time) || a.Type != type)
                        throw Error(a.Node, $"{f.Name}() compares numbers of one type; {a.Name(_text)} is a {FilterValues.TypeName(a.Type)}.");
                var evals = args.Select(a => a.Eval!).ToArray();
                bool max = f.Name == "max";
                return Fn(type, (c, buf) =>
                {
                    bool any = false;
                    long best = 0;
                    foreach (var e in evals)
                    {
                        var src = e(c);
                        for (int i = 0; i < src.Count; i++)
                        {
                            long x = src.Items[i].I;
                            if (!any || (max ? x > best : x < best)) best = x;
                            any = true;
                        }
                    }
                    if (any) buf.Add().I = best;
                });
            }
            default:
                throw Error(nameSpan, $"Function '{f.Name}' does not exist");
        }

        Operand Fn(VType type, Action<EvalContext, ValBuf> fill) { var op = Producer(type, f, null, fill); op.IsFunction = true; return op; }
    }

    /// <summary>Resolves a literal operand against the type of the other side.</summary>
    private Operand Resolve(Operand literal, Operand other)
    {
        var v = FilterValues.Parse(literal.Node, other.Type, other.Field);
        var buf = ValBuf.Of(v);
        return new Operand { Type = other.Type, Node = literal.Node, Field = other.Field, Eval = _ => buf };
    }

    private Operand CompileArith(ArithNode a)
    {
        var l = CompileOperand(a.Left);
        var r = CompileOperand(a.Right);
        if (l.IsLiteral && r.IsLiteral) throw Error(a.Left, $"{l.Name(_text)} is neither a field nor a protocol name.");
        if (l.IsLiteral) l = Resolve(l, r);
        if (r.IsLiteral) r = Resolve(r, l);
        bool bitand = a.Op == Tok.BitAnd;
        if (bitand && l.Type == VType.Bytes && r.Type == VType.Bytes) return BytesAnd(a, l, r);
        foreach (var side in new[] { l, r })
            if (bitand ? side.Type is not (VType.Int or VType.Bool) : side.Type is not (VType.Int or VType.Time))
                throw Error(side.Node, $"{side.Name(_text)} (type={FilterValues.TypeName(side.Type)}) cannot be used in arithmetic.");
        if (!bitand && l.Type != r.Type) throw Error(r.Node, $"{l.Name(_text)} and {r.Name(_text)} are not of compatible types.");
        if (l.Type == VType.Time && a.Op is Tok.Star or Tok.Slash or Tok.Percent)
            throw Error(l.Node, $"FT_RELATIVE_TIME cannot {(a.Op == Tok.Star ? "*" : a.Op == Tok.Slash ? "/" : "%")}.");
        var le = l.Eval!;
        var re = r.Eval!;
        var op = a.Op;
       bool time = l.Type == VType.Time;
        return Producer(bitand ? VType.Int : l.Type, a, l.Field, (c, buf) =>
        {
            var x = le(c);
            var y = re(c);
            for (int i = 0; i < x.Count; i++)
                for (int j = 0; j < y.Count; j++)
                {
                    long p = x.Items[i].I, q = y.Items[j].I;
                    long result;
                    switch (op)
                    {
                        case Tok.Plus: result = unchecked(p + q); break;
                        case Tok.Minus: result = unchecked(p - q); break;
                        case Tok.Star: result = time ? (long)((Int128)p * q / 1_000_000_000) : unchecked(p * q); break;
                        case Tok.Slash when q == 0:
                        case Tok.Percent when q == 0: continue; // no value, as Wireshark
                        case Tok.Slash: result = time ? (long)((Int128)p * 1_000_000_000 / q) : p / q; break;
                        case Tok.Percent: result = p % q; break;
                        default: result = p & q; break;
                    }
                    buf.Add().I = result;
                }
        });
    }

    /// <summary>"eth.dst[0] &amp; 1": the bytes ANDed with a mask (as long as the shorter of the two).</summary>
    private static Operand BytesAnd(ArithNode a, Operand l, Operand r)
    {
        var le = l.Eval!;
        var re = r.Eval!;
        return Producer(VType.Bytes, a, null, (c, buf) =>
        {
            var x = le(c);
            var y = re(c);
            for (int i = 0; i < x.Count; i++)
                for (int j = 0; j < y.Count; j++)
                {
                    var p = x.Items[i].Span;
                    var q = y.Items[j].Span;
                    var result = new byte[Math.Min(p.Length, q.Length)];
                    for (int k = 0; k < result.Length; k++) result[k] = (byte)(p[k] & q[k]);
                    ref var v = ref buf.Add();
                    v.B = result;
                    v.Len = result.Length;
                }
        });
    }

    private Operand CompileNegate(NegateNode n)
    {
        var inner = CompileOperand(n.Inner);
        if (inner.IsLiteral) throw Error(n.Inner, $"{inner.Name(_text)} is neither a field nor a protocol name.");
        if (inner.Type is not (VType.Int or VType.Time))
            throw Error(n.Inner, $"{inner.Name(_text)} (type={FilterValues.TypeName(inner.Type)}) cannot be negated.");
        var eval = inner.Eval!;
        return Producer(inner.Type, n, inner.Field, (c, buf) =>
        {
            var src = eval(c);
            for (int i = 0; i < src.Count; i++) buf.Add().I = unchecked(-src.Items[i].I);
        });
    }

    // ---- relations ----

    private (Operand Left, Operand Right) Sides(Node leftNode, Node rightNode, string opText)
    {
        var l = CompileOperand(leftNode);
        if (l.IsLiteral)
            throw Error(leftNode, $"Left side of \"{opText}\" expression must be a field or function, not {l.Name(_text)}.");
        var r = CompileOperand(rightNode);
        return (l, r);
    }

    private void CheckComparable(Operand l, Tok op)
    {
        if (l.Type == VType.Label || l.Type == VType.Protocol)
        {
            string t = l.Type == VType.Label ? "Label" : "Protocol";
            string hint = l.Type == VType.Protocol ? " (HttpsFlow compares the bytes of the frame protocol only)" : "";
            throw Error(l.Node, $"{l.Name(_text)} (type={t}) cannot participate in {OpText(op)} comparison.{hint}");
        }
        if (op is Tok.Contains or Tok.Matches && l.Type is not (VType.Str or VType.Bytes))
            throw Error(l.Node, $"{l.Name(_text)} (type={FilterValues.TypeName(l.Type)}) cannot participate in '{OpText(op)}' comparison.");
    }

    private Operand Typed(Operand l, Operand r)
    {
        if (r.IsLiteral) return Resolve(r, l);
        bool ints = l.Type is VType.Int or VType.Bool && r.Type is VType.Int or VType.Bool;
        if (!ints && l.Type != r.Type)
            throw Error(r.Node, $"{l.Name(_text)} and {r.Name(_text)} are not of compatible types.");
        return r;
    }

    private Func<EvalContext, bool> CompileCompare(CompareNode cmp)
    {
        var (l, r) = Sides(cmp.Left, cmp.Right, OpText(cmp.Op));
        CheckComparable(l, cmp.Op);
        if (cmp.Op == Tok.Matches)
        {
            if (cmp.Right is not StringNode s)
                throw Error(cmp.Right, $"{_text.Substring(cmp.Right.Pos, cmp.Right.Len)} is not a string: matches needs a quoted regular expression.");
            Regex regex;
            try
            {
                regex = new Regex(FilterValues.PatternText(s.Value), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (ArgumentException e)
            {
                throw Error(s, $"Invalid regular expression: {e.Message}");
            }
            var eval = l.Eval!;
            bool bytes = l.Type == VType.Bytes;
            return c =>
            {
                var x = eval(c);
                for (int i = 0; i < x.Count; i++)
                {
                    string subject = bytes ? Encoding.Latin1.GetString(x.Items[i].Span) : x.Items[i].S ?? "";
                    try
                    {
                        if (regex.IsMatch(subject)) return true;
                    }
                    catch (RegexMatchTimeoutException)
                    {
                        // Too slow to decide: treated as no match rather than stalling the run.
                    }
                }
                return false;
            };
        }
        if (cmp.Op != Tok.Contains && r.IsLiteral && IsPlainField(cmp.Left, l) && l.Type is VType.Int or VType.Bool or VType.Time or VType.Ipv4 or VType.Ipv6)
            return FieldAgainstConstant(l.Field!, l.Type, cmp.Op, FilterValues.Parse(r.Node, l.Type, l.Field));
        r = cmp.Op == Tok.Contains && r.IsLiteral ? Resolve(r, new Operand { Type = l.Type, Node = l.Node, Eval = l.Eval }) : Typed(l, r);
        var le = l.Eval!;
        var re = r.Eval!;
        var type = l.Type;
        if (cmp.Op == Tok.Contains)
        {
            return c =>
            {
                var x = le(c);
                var y = re(c);
                for (int i = 0; i < x.Count; i++)
                    for (int j = 0; j < y.Count; j++)
                        if (Contains(type, ref x.Items[i], ref y.Items[j])) return true;
                return false;
            };
        }
        var op = cmp.Op;
        return op switch
        {
            // all_ne: every pair differs (and there is something to compare).
            Tok.Ne => c => { var x = le(c); var y = re(c); return x.Count > 0 && y.Count > 0 && !AnyPair(type, Tok.Eq, x, y); },
            // all_eq: every pair is equal.
            Tok.AllEq => c => { var x = le(c); var y = re(c); return x.Count > 0 && y.Count > 0 && !AnyPair(type, Tok.AnyNe, x, y); },
            _ => c => AnyPair(type, op, le(c), re(c)),
        };
    }

    /// <summary>A field named alone (no slice, layer or function), whose values are read straight from the set.</summary>
    private static bool IsPlainField(Node node, Operand op) => node is WordNode && op.Field is { } f && f != FrameFields.Frame && !op.IsLiteral;

    /// <summary>
    /// The common case, "field OP constant" on numbers, times and addresses, without value buffers: one pass over the
    /// frame's fields. Same meaning as the general path (any / all_ne / all_eq).
    /// </summary>
    private static Func<EvalContext, bool> FieldAgainstConstant(FieldDef def, VType type, Tok op, V k)
    {
        bool time = def.Type == FieldType.RelativeTime, absolute = def.Type == FieldType.AbsoluteTime;
        // Ne is "all differ" and AllEq "all equal": both need every value; the others stop at the first hit.
        bool all = op is Tok.Ne or Tok.AllEq;
        Tok test = op switch { Tok.Ne => Tok.AnyNe, Tok.AllEq => Tok.Eq, _ => op };
        return c =>
        {
            var values = c.Set.Values;
            bool seen = false;
            for (int i = 0; i < values.Length; i++)
            {
                ref readonly var fv = ref values[i];
                if (fv.Def != def) continue;
                seen = true;
                var v = new V();
                if (type is VType.Ipv4 or VType.Ipv6) v.Ip = fv.Ip;
                else v.I = time ? fv.Time.Seconds * 1_000_000_000L + fv.Time.Nanoseconds
                    : absolute ? fv.Absolute.Seconds * 1_000_000_000L + fv.Absolute.Nanoseconds
                    : fv.Int;
                bool hit = Test(type, test, ref v, ref k);
                if (all ? !hit : hit) return !all;
            }
            return all && seen;
        };
    }

    private static bool AnyPair(VType type, Tok op, ValBuf x, ValBuf y)
    {
        for (int i = 0; i < x.Count; i++)
            for (int j = 0; j < y.Count; j++)
                if (Test(type, op, ref x.Items[i], ref y.Items[j])) return true;
        return false;
    }

    private static bool Test(VType type, Tok op, ref V a, ref V b)
    {
        if (op is Tok.Eq or Tok.AnyNe)
        {
            bool eq = Equal(type, ref a, ref b);
            return op == Tok.Eq ? eq : !eq;
        }
        int c = Compare(type, ref a, ref b);
        return op switch
        {
            Tok.Gt => c > 0,
            Tok.Lt => c < 0,
            Tok.Ge => c >= 0,
            _ => c <= 0,
        };
    }

    private static bool Equal(VType type, ref V a, ref V b)
    {
        switch (type)
        {
            case VType.Ipv4:
            case VType.Ipv6:
                // A literal carries its prefix length plus one (a network); field values carry none.
                if (b.Prefix > 0) return FilterValues.InPrefix(a.Ip, b.Ip, b.Prefix - 1);
                if (a.Prefix > 0) return FilterValues.InPrefix(b.Ip, a.Ip, a.Prefix - 1);
                return a.Ip == b.Ip;
            default:
                return Compare(type, ref a, ref b) == 0;
        }
    }

    private static int Compare(VType type, ref V a, ref V b)
    {
        switch (type)
        {
            case VType.Bool:
                return (a.I != 0).CompareTo(b.I != 0);
            case VType.Str:
                return string.CompareOrdinal(a.S, b.S);
            case VType.Bytes:
                return a.Span.SequenceCompareTo(b.Span);
            case VType.Ipv4:
            case VType.Ipv6:
                return a.Ip.CompareTo(b.Ip);
            default:
                return a.I.CompareTo(b.I);
        }
    }

    private static bool Contains(VType type, ref V a, ref V b) => type switch
    {
        VType.Str => (a.S ?? "").Contains(b.S ?? "", StringComparison.Ordinal),
        _ => a.Span.IndexOf(b.Span) >= 0,
    };

    private Func<EvalContext, bool> CompileIn(InNode node)
    {
        var l = CompileOperand(node.Left);
        if (l.IsLiteral) throw Error(node.Left, $"Left side of \"in\" expression must be a field or function, not {l.Name(_text)}.");
        CheckComparable(l, Tok.Eq);
        var le = l.Eval!;
        var type = l.Type;
        var items = node.Items.Select(item =>
        {
            var low = Typed(l, CompileOperand(item.Low));
            Operand? high = item.High is null ? null : Typed(l, CompileOperand(item.High));
            if (high is not null && type is VType.Bytes or VType.Str or VType.Protocol)
                throw Error(item.High!, "Ranges in a set are for numbers, times and addresses.");
            return (Low: low.Eval!, High: high?.Eval);
        }).ToArray();
        bool negated = node.Negated;
        return c =>
        {
            var x = le(c);
            bool found = false;
            for (int i = 0; i < x.Count && !found; i++)
            {
                foreach (var (low, high) in items)
                {
                    var lo = low(c);
                    if (high is null)
                    {
                        for (int j = 0; j < lo.Count && !found; j++) found = Equal(type, ref x.Items[i], ref lo.Items[j]);
                    }
                    else
                    {
                        var hi = high(c);
                        for (int j = 0; j < lo.Count && !found; j++)
                            for (int k = 0; k < hi.Count && !found; k++)
                                found = Compare(type, ref x.Items[i], ref lo.Items[j]) >= 0 && Compare(type, ref x.Items[i], ref hi.Items[k]) <= 0;
                    }
                    if (found) break;
                }
            }
            return found != negated;
        };
    }
}
