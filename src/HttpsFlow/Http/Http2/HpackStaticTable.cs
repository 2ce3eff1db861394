namespace HttpsFlow.Http.Http2;

/// <summary>HPACK's static table (RFC 7541 Appendix A): indexes 1–61, shared by every decoder.</summary>
public static class HpackStaticTable
{
    /// <summary>The number of entries; dynamic table indexes start after it.</summary>
    public const int Count = 61;

    private static readonly (byte[] Name, byte[] Value)[] s_entries = Build();

    private static (byte[], byte[])[] Build()
    {
        string[,] t =
        {
            { ":authority", "" }, { ":method", "GET" }, { ":method", "POST" }, { ":path", "/" },
            { ":path", "/index.html" }, { ":scheme", "http" }, { ":scheme", "https" }, { ":status", "200" },
            { ":status", "204" }, { ":status", "206" }, { ":status", "304" }, { ":status", "400" },
            { ":status", "404" }, { ":status", "500" }, { "accept-charset", "" }, { "accept-encoding", "gzip, deflate" },
            { "accept-language", "" }, { "accept-ranges", "" }, { "accept", "" }, { "access-control-allow-origin", "" },
            { "age", "" }, { "allow", "" }, { "authorization", "" }, { "cache-control", "" },
            { "content-disposition", "" }, { "content-encoding", "" }, { "content-language", "" }, { "content-length", "" },
            { "content-location", "" }, { "content-range", "" }, { "content-type", "" }, { "cookie", "" },
            { "date", "" }, { "etag", "" }, { "expect", "" }, { "expires", "" },
            { "from", "" }, { "host", "" }, { "if-match", "" }, { "if-modified-since", "" },
            { "if-none-match", "" }, { "if-range", "" }, { "if-unmodified-since", "" }, { "last-modified", "" },
            { "link", "" }, { "location", "" }, { "max-forwards", "" }, { "proxy-authenticate", "" },
            { "proxy-authorization", "" }, { "range", "" }, { "referer", "" }, { "refresh", "" },
            { "retry-after", "" }, { "server", "" }, { "set-cookie", "" }, { "strict-transport-security", "" },
            { "transfer-encoding", "" }, { "user-agent", "" }, { "vary", "" }, { "via", "" },
            { "www-authenticate", "" },
        };
        var entries = new (byte[], byte[])[Count];
        for (int i = 0; i < Count; i++)
            entries[i] = (System.Text.Encoding.ASCII.GetBytes(t[i, 0]), System.Text.Encoding.ASCII.GetBytes(t[i, 1]));
        return entries;
    }

    /// <summary>The name of entry <paramref name="index"/> (1–61).</summary>
    public static ReadOnlySpan<byte> Name(int index) => s_entries[index - 1].Name;

    /// <summary>The value of entry <paramref name="index"/> (1–61); empty for the name-only entries.</summary>
    public static ReadOnlySpan<byte> Value(int index) => s_entries[index - 1].Value;
}
