using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Report;

/// <summary>
/// Writes the walkthrough of a capture as one self-contained HTML page: the page, its style and script are inline
/// (no network, no fonts, a Content-Security-Policy that forbids any fetch), and the data it draws — connections,
/// diagrams, steps, certificates, packets — is one JSON island the script reads. Diagrams are drawn when a
/// connection is opened, so a report of a large capture opens quickly.
/// </summary>
public static class HtmlReport
{
    private static string Resource(string name)
    {
        using var s = typeof(HtmlReport).Assembly.GetManifestResourceStream("HttpsFlow.Report." + name)
                      ?? throw new InvalidOperationException($"missing resource {name}");
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }

    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);

    public static void Write(Stream output, string fileName, string language, IReadOnlyList<Walk> walks,
        IReadOnlyDictionary<long, ReportData.PacketDetail>? packets = null)
    {
        string page = Resource("report.html");
        int dataAt = page.IndexOf("{{DATA}}", StringComparison.Ordinal);
        string before = page[..dataAt]
            .Replace("{{LANG}}", language == "zh" ? "zh-CN" : "en", StringComparison.Ordinal)
            .Replace("{{TITLE}}", System.Net.WebUtility.HtmlEncode("HttpsFlow: " + fileName), StringComparison.Ordinal)
            .Replace("{{STYLE}}", Resource("report.css"), StringComparison.Ordinal);
        string after = page[(dataAt + "{{DATA}}".Length)..].Replace("{{SCRIPT}}", Resource("report.js"), StringComparison.Ordinal);
        output.Write(Encoding.UTF8.GetBytes(before));
        // The encoder escapes '<', '>' and '&', so nothing in the data can close the script element.
        using (var w = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = Encoder }))
            ReportData.Write(w, fileName, language, walks, packets);
        output.Write(Encoding.UTF8.GetBytes(after));
        output.Flush();
    }
}
