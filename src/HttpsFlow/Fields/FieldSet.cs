using HttpsFlow.Common;
using HttpsFlow.Net;

namespace HttpsFlow.Fields;

/// <summary>One occurrence of a field in a frame.</summary>
public struct FieldValue
{
    public FieldDef Def;
    public long Int;
    public Duration Time;
    public Timestamp Absolute;
    public IpAddress Ip;
    public string? Text;
    /// <summary>Bytes (Bytes, Ether, and Protocol items without text) as a range of <see cref="FieldSet.Bytes"/>.</summary>
    public int BytesStart;
    public int BytesLength;
}

/// <summary>
/// The fields of one frame, in the order a detail tree lists them (so several occurrences of a field come out in
/// tshark's order). Reused from frame to frame: <see cref="Clear"/> keeps the storage.
/// </summary>
public sealed class FieldSet
{
    private FieldValue[] _values = new FieldValue[128];
    private byte[] _bytes = new byte[4096];
    private int _byteCount;

    public int Count { get; private set; }

    public ReadOnlySpan<FieldValue> Values => _values.AsSpan(0, Count);

    public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, _byteCount);

    /// <summary>The array behind <see cref="Bytes"/> (valid until the next frame), for display filters that keep ranges of it.</summary>
    internal byte[] ByteStore => _bytes;

    /// <summary>Whether <paramref name="def"/> would be stored (so that an emitter can skip building its value).</summary>
    public bool Wants(FieldDef def) => !Skip(def);

    /// <summary>Whether <paramref name="def"/> was asked for by name (not merely let through because every field is).</summary>
    public bool WantsByName(FieldDef def) =>
        WantedIds is { } ids ? (uint)def.Id < (uint)ids.Length && ids[def.Id] : Wanted is { } w && w(def);

    /// <summary>When set, only fields for which this returns true are stored (the rest cost nothing).</summary>
    public Func<FieldDef, bool>? Wanted { get; set; }

    public void Clear()
    {
        Count = 0;
        _byteCount = 0;
    }

    private ref FieldValue Next(FieldDef def)
    {
        if (Count == _values.Length) Array.Resize(ref _values, _values.Length * 2);
        ref var v = ref _values[Count++];
        v = default;
        v.Def = def;
        return ref v;
    }

    /// <summary>
    /// When set, only fields whose <see cref="FieldDef.Id"/> is marked true are stored: the same as <see cref="Wanted"/>,
    /// checked without a delegate call (display filters test every frame).
    /// </summary>
    public bool[]? WantedIds { get; set; }

    /// <summary>
    /// Whether <see cref="WantsLayer"/> and <see cref="WantsAny"/> may answer false: an emitter turns this on only when
    /// every stored field belongs to a protocol it emits itself (see <see cref="WantsOnlyProtocols"/>), so that fields
    /// other code adds within a layer are never lost to a skip.
    /// </summary>
    public bool LayerGating { get; set; }

    private bool _only;
    private bool[]? _onlyFor;

    /// <summary>Whether every field the set stores belongs to one of <paramref name="protocols"/> (false without <see cref="WantedIds"/>).</summary>
    public bool WantsOnlyProtocols(IReadOnlySet<string> protocols)
    {
        if (WantedIds is not { } ids) return false;
        if (_onlyFor != ids)
        {
            _only = FieldRegistry.All.All(d => (uint)d.Id >= (uint)ids.Length || !ids[d.Id] || protocols.Contains(d.Protocol));
            _onlyFor = ids;
        }
        return _only;
    }

    private bool[]? _layers;
    private bool[]? _layersFor;

    /// <summary>
    /// Whether the set may store any field of the protocol whose own field is <paramref name="protocol"/> (e.g.
    /// <c>tcp</c> for every tcp.* field), so that an emitter can skip a whole layer. Always true without
    /// <see cref="WantedIds"/>.
    /// </summary>
    public bool WantsLayer(FieldDef protocol)
    {
        if (WantedIds is not { } ids || !LayerGating) return true;
        if (_layersFor != ids)
        {
            var layers = new bool[FieldRegistry.All.Count];
            foreach (var def in FieldRegistry.All)
            {
                if ((uint)def.Id >= (uint)ids.Length || !ids[def.Id]) continue;
                layers[def.Id] = true;
                if (FieldRegistry.TryGet(def.Protocol, out var p)) layers[p.Id] = true;
            }
            _layers = layers;
            _layersFor = ids;
        }
        return (uint)protocol.Id < (uint)_layers!.Length && _layers[protocol.Id];
    }

    /// <summary>
    /// Whether protocol items (frame, eth, ip, tcp…) are stored with their summary text ("Transmission Control
    /// Protocol, Src Port: …"); when false they are stored as present only (display filters test presence).
    /// </summary>
    public bool ProtocolTexts { get; set; } = true;

    /// <summary>Whether <paramref name="def"/> is stored with its text (see <see cref="ProtocolTexts"/>).</summary>
    public bool WantsText(FieldDef def) => ProtocolTexts && Wants(def);

    /// <summary>Whether the set may store any of <paramref name="defs"/> (always true without <see cref="WantedIds"/>).</summary>
    public bool WantsAny(FieldDef[] defs)
    {
        if (WantedIds is not { } ids || !LayerGating) return true;
        if (_groupsFor != ids)
        {
            Array.Clear(_groupKeys);
            _groupsFor = ids;
        }
        // The answer per group is remembered (a few groups are asked about for every frame).
        for (int i = 0; i < _groupKeys.Length; i++)
        {
            if (ReferenceEquals(_groupKeys[i], defs)) return _groupValues[i];
            if (_groupKeys[i] is null)
            {
                _groupKeys[i] = defs;
                return _groupValues[i] = AnyOf(ids, defs);
            }
        }
        return AnyOf(ids, defs);
    }

    private readonly FieldDef[]?[] _groupKeys = new FieldDef[8][];
    private readonly bool[] _groupValues = new bool[8];
    private bool[]? _groupsFor;

    private static bool AnyOf(bool[] ids, FieldDef[] defs)
    {
        foreach (var d in defs)
            if ((uint)d.Id < (uint)ids.Length && ids[d.Id]) return true;
        return false;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool Skip(FieldDef def)
    {
        if (WantedIds is { } ids) return (uint)def.Id >= (uint)ids.Length || !ids[def.Id];
        return Wanted is { } w && !w(def);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void AddPresence(FieldDef def)
    {
        if (Skip(def)) return;
        Next(def);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void AddInt(FieldDef def, long value)
    {
        if (Skip(def)) return;
        Next(def).Int = value;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void AddBool(FieldDef def, bool value) => AddInt(def, value ? 1 : 0);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void AddTime(FieldDef def, Duration value)
    {
        if (Skip(def)) return;
        Next(def).Time = value;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void AddAbsolute(FieldDef def, Timestamp value)
    {
        if (Skip(def)) return;
        Next(def).Absolute = value;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void AddIp(FieldDef def, IpAddress value)
    {
        if (Skip(def)) return;
        Next(def).Ip = value;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void AddText(FieldDef def, string value)
    {
        if (Skip(def)) return;
        Next(def).Text = value;
    }

    public void AddBytes(FieldDef def, ReadOnlySpan<byte> value)
    {
        if (Skip(def)) return;
        ref var v = ref Next(def);
        if (_byteCount + value.Length > _bytes.Length)
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _byteCount + value.Length));
        value.CopyTo(_bytes.AsSpan(_byteCount));
        v.BytesStart = _byteCount;
        v.BytesLength = value.Length;
        _byteCount += value.Length;
    }

    /// <summary>The bytes of a value added with <see cref="AddBytes"/>.</summary>
    public ReadOnlySpan<byte> BytesOf(in FieldValue v) => _bytes.AsSpan(v.BytesStart, v.BytesLength);
}
