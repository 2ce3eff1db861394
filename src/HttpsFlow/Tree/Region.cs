namespace HttpsFlow.Tree;

/// <summary>
/// Where a structure being described lies in the packet's captured bytes: offsets relative to its start become packet
/// offsets, cut to the captured length. A region with no place in the packet (reassembled data) maps everything to 0/0.
/// </summary>
internal readonly record struct Region(int Base, int Limit)
{
    public static readonly Region None = new(-1, 0);

    public bool InPacket => Base >= 0;

    /// <summary>The region <paramref name="rel"/> bytes further on.</summary>
    public Region At(int rel) => Base < 0 ? None : new Region(Base + rel, Limit);

    public (int Offset, int Length) Map(int rel, int length)
    {
        if (Base < 0 || rel < 0 || length < 0) return (0, 0);
        long abs = (long)Base + rel;
        if (abs >= Limit) return (0, 0);
        return ((int)abs, (int)Math.Min(length, Limit - abs));
    }
}

internal static class TreeNodeExtensions
{
    /// <summary>Adds a child over <paramref name="length"/> bytes at <paramref name="rel"/> within <paramref name="region"/>.</summary>
    public static TreeNode Add(this TreeNode parent, string label, string? field, Region region, int rel, int length)
    {
        var (offset, len) = region.Map(rel, length);
        return parent.Add(label, field, offset, len);
    }

    public static TreeNode Node(string label, string? field, Region region, int rel, int length)
    {
        var (offset, len) = region.Map(rel, length);
        return new TreeNode(label, field, offset, len);
    }
}
