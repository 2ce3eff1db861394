namespace HttpsFlow.Output;

/// <summary>How a table is written: for people (as tshark prints it), or for programs.</summary>
public enum ListFormat : byte { Text, Csv, Json }

/// <summary>CSV fields (RFC 4180): quoted when they hold a comma, a quote or a line break; quotes doubled.</summary>
public static class CsvText
{
    public static void AppendField(TextSink sink, ReadOnlySpan<char> value)
    {
        if (value.IndexOfAny(",\"\r\n") < 0)
        {
            sink.Append(value);
            return;
        }
        sink.Append('"');
        foreach (char c in value)
        {
            if (c == '"') sink.Append('"');
            sink.Append(c);
        }
        sink.Append('"');
    }
}

/// <summary>JSON strings (RFC 8259 §7), escaped into the sink without allocating.</summary>
public static class JsonText
{
    public static void AppendString(TextSink sink, ReadOnlySpan<char> value)
    {
        sink.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sink.Append("\\\""); break;
                case '\\': sink.Append("\\\\"); break;
                case '\n': sink.Append("\\n"); break;
                case '\r': sink.Append("\\r"); break;
                case '\t': sink.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        sink.Append("\\u").AppendHex(c, 4);
                    }
                    else sink.Append(c);
                    break;
            }
        }
        sink.Append('"');
    }
}
