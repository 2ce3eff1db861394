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

    private bool Skip(FieldDef def) => Wanted is { } w && !w(def);

    public void AddPresence(FieldDef def)
    {
        if (Skip(def)) return;
        Next(def);
    }

    public void AddInt(FieldDef def, long value)
    {
        if (Skip(def)) return;
        Next(def).Int = value;
    }

    public void AddBool(FieldDef def, bool value) => AddInt(def, value ? 1 : 0);

    public void AddTime(FieldDef def, Duration value)
    {
        if (Skip(def)) return;
        Next(def).Time = value;
    }

    public void AddAbsolute(FieldDef def, Timestamp value)
    {
        if (Skip(def)) return;
        Next(def).Absolute = value;
    }

    public void AddIp(FieldDef def, IpAddress value)
    {
        if (Skip(def)) return;
        Next(def).Ip = value;
    }

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
