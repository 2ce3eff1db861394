using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using HttpsFlow.Fields;
using HttpsFlow.Net;
using HttpsFlow.Tree;

namespace HttpsFlow.Report;

/// <summary>
/// Collects, during the single pass, the detail tree and captured bytes of the first <see cref="Limit"/> TCP packets,
/// for the report's packet pane. Each tree is turned into compact JSON at once (the nodes are not kept), so memory is
/// bounded by the limit; packets past it show, in the page, how to see them with `httpsflow show`.
/// </summary>
public sealed class PacketDetails(int limit)
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
    private readonly Dictionary<long, ReportData.PacketDetail> _kept = [];
    private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new(16 * 1024);

    public int Limit { get; } = limit;

    public IReadOnlyDictionary<long, ReportData.PacketDetail> Kept => _kept;

    /// <summary>Adds <paramref name="f"/> (dissected with <c>KeepPacketBytes</c>) while the limit allows.</summary>
    public void Add(Frame f, TlsFrameStore tls)
    {
        if (_kept.Count >= Limit || f.Transport != TransportKind.Tcp) return;
        var bytes = f.CapturedBytes;
        var tree = PacketTree.Build(f, bytes, tls);
        _buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = Encoder }))
            Write(w, tree);
        _kept[f.Number] = new ReportData.PacketDetail(f.Number, _buffer.WrittenSpan.ToArray(), bytes.ToArray());
    }

    private static void Write(Utf8JsonWriter w, List<TreeNode> nodes)
    {
        w.WriteStartArray();
        foreach (var n in nodes)
        {
            w.WriteStartObject();
            w.WriteString("label", n.Label);
            if (n.Field is not null) w.WriteString("field", n.Field);
            w.WriteNumber("offset", n.Offset);
            w.WriteNumber("length", n.Length);
            if (n.Children.Count > 0)
            {
                w.WritePropertyName("children");
                Write(w, n.Children);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
