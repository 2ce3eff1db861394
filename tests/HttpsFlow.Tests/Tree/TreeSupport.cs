using HttpsFlow.Capture;
using HttpsFlow.Fields;
using HttpsFlow.Pipeline;
using HttpsFlow.Tree;

namespace HttpsFlow.Tests.Tree;

/// <summary>Builds every frame's tree of a capture, as `show` does, keeping each frame's bytes beside it.</summary>
internal static class TreeSupport
{
    public sealed record Built(long Number, byte[] Bytes, List<TreeNode> Roots);

    public static List<Built> BuildAll(Stream capture)
    {
        using var reader = CaptureReader.Open(capture, ownsStream: true);
        var store = new TlsFrameStore();
        var dissector = new Dissector { KeepPacketBytes = true, KeepPayload = true, TlsObserver = store };
        var all = new List<Built>();
        while (dissector.Next(reader) is { } frame)
        {
            var bytes = frame.CapturedBytes.ToArray(); // the frame is reused: keep this one's bytes
            all.Add(new Built(frame.Number, bytes, PacketTree.Build(frame, bytes, store)));
        }
        return all;
    }

    public static List<Built> BuildAll(string path) => BuildAll(File.OpenRead(path));

    public static IEnumerable<(TreeNode Node, TreeNode? Parent, int Depth)> Walk(List<TreeNode> roots)
    {
        var stack = new Stack<(TreeNode, TreeNode?, int)>();
        for (int i = roots.Count - 1; i >= 0; i--) stack.Push((roots[i], null, 0));
        while (stack.Count > 0)
        {
            var (n, parent, depth) = stack.Pop();
            yield return (n, parent, depth);
            for (int i = n.Children.Count - 1; i >= 0; i--) stack.Push((n.Children[i], n, depth + 1));
        }
    }
}
