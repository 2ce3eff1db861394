using System.Text;

namespace HttpsFlow.Http;

/// <summary>
/// What tshark's dissector for a body's media type adds to the packet list, for the bodies HTTP and HTTP/2 hand on: the
/// line-based text and generic media dissectors append " (type)"; JSON makes the Protocol column "…/JSON" and appends
/// ", JavaScript Object Notation (type)"; XML makes it "…/XML" and adds nothing; images name their format ("(PNG)",
/// "(JPEG JFIF image)", "(GIF89a)"); a few types (octet-stream, gRPC, multipart) add nothing. The sets were read from
/// tshark 4.0 itself, one crafted response per media type.
/// </summary>
public static class MediaTypes
{
    private static readonly HashSet<string> Json = new(StringComparer.Ordinal)
    {
        "application/json", "application/json-rpc", "application/jsonrequest", "application/merge-patch+json",
        "application/json-patch+json", "application/x-ndjson", "application/senml+json", "application/dds-web+json",
        "application/vnd.oma.lwm2m+json", "application/problem+json",
    };

    private static readonly HashSet<string> Xml = new(StringComparer.Ordinal)
    {
        "application/xml", "text/xml", "image/svg+xml", "application/atom+xml", "application/rss+xml", "application/soap+xml",
        "application/xslt+xml", "application/rdf+xml", "application/mathml+xml", "application/xml-dtd", "application/pidf+xml",
        "text/vnd.wap.wml",
    };

    private static readonly HashSet<string> Silent = new(StringComparer.Ordinal)
    {
        "application/octet-stream", "application/grpc",
    };

    /// <summary>
    /// The Protocol column suffix ("/JSON", "/XML" or null) and what is appended to the Info column (null for nothing)
    /// — " (text/html)", ", JavaScript Object Notation (application/json)" — for a body of
    /// <paramref name="mediaType"/> (lower case, without parameters).
    /// </summary>
    public static (string? ProtocolSuffix, string? Info) Describe(string mediaType, ReadOnlySpan<byte> body)
    {
        if (Json.Contains(mediaType)) return ("/JSON", $", JavaScript Object Notation ({mediaType})");
        if (Xml.Contains(mediaType)) return ("/XML", null);
        if (Silent.Contains(mediaType) || mediaType.StartsWith("multipart/", StringComparison.Ordinal)) return (null, null);
        switch (mediaType)
        {
            case "image/png": return (null, " (PNG)");
            case "image/jpeg" or "image/jpg" or "image/pjpeg" when body.Length > 10 && body[6..10].SequenceEqual("JFIF"u8):
                return (null, " (JPEG JFIF image)");
            case "image/gif" when body.StartsWith("GIF87a"u8) || body.StartsWith("GIF89a"u8):
                return (null, $" ({Encoding.ASCII.GetString(body[..6])})");
        }
        return (null, $" ({mediaType})");
    }

    /// <summary>The media type of a Content-Type value as tshark's media dissectors see it: lower case, no parameters.</summary>
    public static string? Of(ReadOnlySpan<byte> contentType)
    {
        if (contentType.IsEmpty) return null;
        int semi = contentType.IndexOf((byte)';');
        var type = (semi >= 0 ? contentType[..semi] : contentType).Trim((byte)' ').Trim((byte)'\t');
        return type.IsEmpty ? null : Encoding.Latin1.GetString(type).ToLowerInvariant();
    }
}
