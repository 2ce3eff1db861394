using System.Text;
using HttpsFlow.Fields;
using HttpsFlow.Net;

namespace HttpsFlow.Filters;

/// <summary>Why a display filter cannot be used, and the span of the filter text it is about.</summary>
public sealed record FilterError(string Message, int Position, int Length)
{
    /// <summary>
    /// The message, then the filter and a caret-and-tildes line under the offending part, as tshark prints them:
    /// <code>
    /// "true" cannot be found among the possible values for tcp.flags.syn.
    ///     tcp.flags.syn == true
    ///                      ^~~~
    /// </code>
    /// Errors about the end of the filter ("Unexpected end of filter expression.") have no underline, as in tshark.
    /// </summary>
    public string Format(string filter)
    {
        var sb = new StringBuilder(Message);
        if (Length <= 0) return sb.ToString();
        string oneLine = filter.Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' ');
        sb.Append('\n').Append("    ").Append(oneLine).Append('\n')
            .Append(' ', 4 + Math.Min(Position, oneLine.Length)).Append('^').Append('~', Math.Max(0, Length - 1));
        return sb.ToString();
    }
}

/// <summary>
/// A Wireshark 4.0 display filter (<c>ip.addr == 10.0.0.0/8 and tcp.port == 443</c>), compiled once into delegates
/// and evaluated frame by frame over the frame's fields. See docs/filters.md for the language HttpsFlow accepts.
/// An instance is not thread-safe: it reuses its buffers from frame to frame.
/// </summary>
public sealed class DisplayFilter
{
    private readonly Func<EvalContext, bool> _test;
    private readonly EvalContext _context = new();
    private readonly bool[] _wanted;

    private DisplayFilter(string text, Func<EvalContext, bool> test, FilterCompiler compiler)
    {
        Text = text;
        _test = test;
        Fields = compiler.Fields.ToArray();
        NeedsPayload = compiler.NeedsPayload;
        NeedsFrameBytes = compiler.NeedsFrameBytes;
        _wanted = new bool[FieldRegistry.All.Count];
        foreach (var f in Fields) _wanted[f.Id] = true;
    }

    public string Text { get; }

    /// <summary>The fields the filter reads (the only ones a frame needs to emit for it).</summary>
    public IReadOnlyList<FieldDef> Fields { get; }

    /// <summary>The filter reads TCP payload bytes: the dissector must keep them (<c>Dissector.KeepPayload</c>).</summary>
    public bool NeedsPayload { get; }

    /// <summary>The filter reads the frame's bytes: the dissector must keep them (<c>Dissector.KeepPacketBytes</c>).</summary>
    public bool NeedsFrameBytes { get; }

    /// <summary>Whether the filter reads <paramref name="def"/>.</summary>
    public bool Reads(FieldDef def) => def.Id < _wanted.Length && _wanted[def.Id];

    /// <summary>Compiles <paramref name="text"/>; on failure <paramref name="error"/> says why and where. Never throws.</summary>
    public static bool TryCompile(string text, out DisplayFilter? filter, out FilterError? error)
    {
        filter = null;
        error = null;
        try
        {
            var ast = FilterParser.Parse(text);
            var compiler = new FilterCompiler(text);
            var test = compiler.CompileTest(ast);
            filter = new DisplayFilter(text, test, compiler);
            return true;
        }
        catch (FilterException e)
        {
            error = new FilterError(e.Message, e.Pos, e.Len);
            return false;
        }
        catch (Exception e) when (e is InsufficientExecutionStackException or ArgumentException or FormatException or OverflowException)
        {
            error = new FilterError($"The filter could not be compiled: {e.Message}", 0, text.Length);
            return false;
        }
    }

    /// <summary>Whether a frame whose fields are in <paramref name="set"/> passes (the set must hold at least <see cref="Fields"/>).</summary>
    public bool Matches(FieldSet set, Frame? frame = null)
    {
        _context.Set = set;
        _context.Frame = frame;
        return _test(_context);
    }

    /// <summary>
    /// Emits the fields the filter reads from <paramref name="frame"/> (into a set of its own) and tests them. TLS and
    /// certificate fields come from the TLS store <see cref="Configure"/> attached to the dissector.
    /// </summary>
    public bool Matches(Frame frame)
    {
        _set ??= new FieldSet { WantedIds = _wanted, ProtocolTexts = false };
        FrameFieldEmitter.Emit(frame, _set, _tls);
        return Matches(_set, frame);
    }

    private TlsFrameStore? _tls;

    /// <summary>The filter reads TLS or certificate fields (or frame.protocols, which names TLS, or the expert notes, some TLS's): it needs a TLS store.</summary>
    public bool NeedsTls => Fields.Any(d => d.Name.StartsWith("tls", StringComparison.Ordinal) || d.Name.StartsWith("x509", StringComparison.Ordinal)
                                            || d.Name.StartsWith("pkcs1", StringComparison.Ordinal) || d.Name == "frame.protocols"
                                            || d.Protocol is "http" or "http2" || ExpertFields.Contains(d));

    private FieldSet? _set;

    /// <summary>A FieldSet filter that stores only the fields this filter reads.</summary>
    public bool WantedField(FieldDef def) => def.Id < _wanted.Length && _wanted[def.Id];

    /// <summary>The TLS store the filter reads tls.* fields from (null when it reads none, or before <see cref="Configure"/>).</summary>
    public TlsFrameStore? TlsStore => _tls;

    /// <summary>Sets up <paramref name="dissector"/> to keep what the filter reads beyond the decoded headers.</summary>
    public void Configure(Pipeline.Dissector dissector)
    {
        if (NeedsPayload) dissector.KeepPayload = true;
        if (NeedsFrameBytes) dissector.KeepPacketBytes = true;
        if (NeedsTls)
        {
            _tls = new TlsFrameStore();
            dissector.TlsObserver = dissector.TlsObserver is { } other ? new Tls.List.TlsObservers(other, _tls) : _tls;
        }
    }
}
