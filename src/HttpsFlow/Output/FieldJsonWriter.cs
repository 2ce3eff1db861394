using HttpsFlow.Fields;

namespace HttpsFlow.Output;

/// <summary>
/// One frame's fields as one JSON object on one line (JSON Lines): keys are Wireshark field names in the order the
/// detail tree first meets them; a field that occurs once is a value, one that occurs several times an array of its
/// values in order. Integer fields (tshark's FT_UINT*, FT_INT*, FT_FRAMENUM) are JSON numbers, whatever base tshark
/// shows them in; every other value is the string `fields` prints for it (booleans "1"/"0", presence-only fields
/// "1", bytes as lowercase hex, times and addresses as tshark writes them). The storage is reused frame to frame.
/// </summary>
public sealed class FieldJsonWriter
{
    private FieldDef[] _order = new FieldDef[64];
    private int[] _counts = new int[64];
    private char[] _scratch = new char[256];

    public void Write(TextSink sink, FieldSet set)
    {
        var values = set.Values;
        // The distinct fields, in order of first occurrence, with how often each occurs.
        int distinct = 0;
        foreach (ref readonly var v in values)
        {
            int k = IndexOf(v.Def, distinct);
            if (k < 0)
            {
                if (distinct == _order.Length)
                {
                    Array.Resize(ref _order, distinct * 2);
                    Array.Resize(ref _counts, distinct * 2);
                }
                _order[distinct] = v.Def;
                _counts[distinct++] = 1;
            }
            else _counts[k]++;
        }
        sink.Append('{');
        for (int k = 0; k < distinct; k++)
        {
            var def = _order[k];
            if (k > 0) sink.Append(',');
            JsonText.AppendString(sink, def.Name);
            sink.Append(':');
            bool array = _counts[k] > 1;
            if (array) sink.Append('[');
            int written = 0;
            foreach (ref readonly var v in values)
            {
                if (v.Def != def) continue;
                if (written++ > 0) sink.Append(',');
                AppendValue(sink, set, v);
            }
            if (array) sink.Append(']');
        }
        sink.Append('}');
        sink.EndLine();
    }

    private int IndexOf(FieldDef def, int count)
    {
        for (int i = 0; i < count; i++)
            if (_order[i] == def) return i;
        return -1;
    }

    /// <summary>Whether a field's values are JSON numbers: tshark's integer types.</summary>
    public static bool IsNumber(FieldDef def) => def.Type is FieldType.UInt8 or FieldType.UInt16 or FieldType.UInt24
        or FieldType.UInt32 or FieldType.UInt64 or FieldType.Int32 or FieldType.FrameNumber;

    private void AppendValue(TextSink sink, FieldSet set, in FieldValue v)
    {
        if (IsNumber(v.Def) && v.Text is null)
        {
            sink.Append(v.Int);
            return;
        }
        // The text `fields` prints, escaped as a JSON string.
        int start = sink.Length;
        FieldFormatter.Append(sink, set, v);
        int length = sink.Length - start;
        if (_scratch.Length < length) _scratch = new char[Math.Max(length, _scratch.Length * 2)];
        sink.Current[start..].CopyTo(_scratch);
        sink.Truncate(start);
        JsonText.AppendString(sink, _scratch.AsSpan(0, length));
    }
}
