namespace HttpsFlow.Tree;

/// <summary>
/// One line of a packet's detail tree, as Wireshark's detail pane shows it: its text, the Wireshark field it shows
/// (null for a line that is not a field, such as a subtree heading of ours), and the bytes of the packet it covers.
/// </summary>
/// <remarks>
/// <see cref="Offset"/> and <see cref="Length"/> are a range of the frame's captured bytes. A line with no bytes of its
/// own in this packet (a generated "[…]" line, or any part of a TLS record or handshake message that TCP or TLS
/// reassembled from several segments, which Wireshark shows over its "reassembled" data source) has Offset 0 and
/// Length 0.
/// </remarks>
public sealed class TreeNode
{
    public string Label;
    public string? Field;
    public int Offset;
    public int Length;
    public List<TreeNode> Children = new();

    public TreeNode(string label, string? field = null, int offset = 0, int length = 0)
    {
        Label = label;
        Field = field;
        Offset = offset;
        Length = length;
    }

    /// <summary>Adds a child and returns it.</summary>
    public TreeNode Add(string label, string? field = null, int offset = 0, int length = 0)
    {
        var node = new TreeNode(label, field, offset, length);
        Children.Add(node);
        return node;
    }

    public override string ToString() => Label;
}
