using HttpsFlow.Common;
using HttpsFlow.Net;

namespace HttpsFlow.Follow;

/// <summary>One piece of a followed conversation: what one side sent, as tshark's follow chunks it.</summary>
/// <param name="Frame">The frame that carried (TCP) or completed (TLS) the bytes.</param>
/// <param name="Time">That frame's time.</param>
/// <param name="FromNode1">True when the bytes came from node 1 (printed indented with a tab).</param>
/// <param name="Data">The bytes.</param>
public sealed record FollowChunk(long Frame, Timestamp Time, bool FromNode1, byte[] Data);

/// <summary>An endpoint of a followed conversation; null address when tshark leaves it unset (printed ":0").</summary>
public readonly record struct FollowNode(IpAddress? Address, ushort Port)
{
    public static FollowNode None => new(null, 0);
}

/// <summary>
/// The conversation of one TCP connection as tshark's <c>-z follow,PROTO,MODE,N</c> collects it: two nodes and the
/// chunks in the order they were captured.
/// </summary>
public sealed class FollowStream
{
    public FollowStream(string protocol, int stream)
    {
        Protocol = protocol;
        Stream = stream;
    }

    /// <summary>"tls" or "tcp": the name in the "Follow:" line.</summary>
    public string Protocol { get; }

    /// <summary>The tcp.stream followed.</summary>
    public int Stream { get; }

    /// <summary>Node 0: the source of the first packet the follow took in.</summary>
    public FollowNode Node0 { get; set; } = FollowNode.None;

    /// <summary>Node 1: the other endpoint (tshark 4.0 leaves it unset when following TLS).</summary>
    public FollowNode Node1 { get; set; } = FollowNode.None;

    public List<FollowChunk> Chunks { get; } = [];
}
