using HttpsFlow.Common;
using HttpsFlow.Decryption;
using HttpsFlow.Net;
using HttpsFlow.Tls;

namespace HttpsFlow.Follow;

/// <summary>
/// Collects the decrypted application data of one TCP connection the way tshark 4.0's <c>follow,tls</c> does:
/// one chunk per decrypted, non-empty application-data record (never merged), in the order the records were completed.
/// Node 0 is the source of the first frame in which any record (handshake, alert or data) was decrypted, and a
/// chunk is node 1's when its frame came from the other side. tshark leaves node 1 unset (":0").
/// </summary>
/// <remarks>
/// Attach it as <see cref="TlsDecryptor.Sink"/> and call <see cref="OnFrame"/> for every dissected frame (it keeps
/// the times of the followed connection's frames).
/// </remarks>
public sealed class TlsFollower : IDecryptedSink
{
    private readonly Dictionary<long, Timestamp> _times = [];
    private readonly List<(long Frame, bool FromNode1, byte[] Data)> _records = [];
    private IpAddress _node0;
    private ushort _node0Port;
    private bool _haveNode0;

    public TlsFollower(int stream) => Stream = stream;

    public int Stream { get; }

    /// <summary>Records of the connection that were decrypted (any content type).</summary>
    public long DecryptedRecords { get; private set; }

    /// <summary>Notes the time of a frame of the followed connection.</summary>
    public void OnFrame(Net.Frame frame)
    {
        if (frame.Transport == TransportKind.Tcp && frame.Tcp.Stream == Stream) _times[frame.Number] = frame.Time;
    }

    public void OnPlaintext(in DecryptedRecord record)
    {
        var conversation = record.Session.Conversation;
        // tshark keeps no empty record (TLS 1.0's CBC record splitting sends one before each piece of data).
        if (conversation.Stream != Stream || record.Plaintext.IsEmpty) return;
        DecryptedRecords++;
        bool fromA = record.FromClient == record.Session.ClientIsA;
        var source = fromA ? conversation.AddressA : conversation.AddressB;
        ushort sourcePort = fromA ? conversation.PortA : conversation.PortB;
        if (!_haveNode0)
        {
            _haveNode0 = true;
            _node0 = source;
            _node0Port = sourcePort;
        }
        if (record.ContentType != TlsContentType.ApplicationData) return;
        bool fromNode1 = !(source == _node0 && sourcePort == _node0Port);
        _records.Add((record.Frame, fromNode1, record.Plaintext.ToArray()));
    }

    /// <summary>The conversation collected so far.</summary>
    public FollowStream Result()
    {
        var result = new FollowStream("tls", Stream);
        if (_haveNode0) result.Node0 = new FollowNode(_node0, _node0Port);
        foreach (var (frame, fromNode1, data) in _records)
            result.Chunks.Add(new FollowChunk(frame, _times.GetValueOrDefault(frame), fromNode1, data));
        return result;
    }
}
