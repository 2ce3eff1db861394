using System.Text;
using HttpsFlow.Common;
using HttpsFlow.Net;
using HttpsFlow.Tcp;

namespace HttpsFlow.Follow;

/// <summary>
/// Collects the TCP payload of one connection the way tshark 4.0's <c>follow,tcp</c> does: one chunk per segment
/// that brings new bytes, in capture order. Node 0 is the source of the connection's first packet, node 1 its
/// destination. A retransmission gives only the bytes not seen before; a segment that arrives ahead of a hole waits
/// until the hole is filled; when the other side acknowledges bytes that were never captured, a chunk
/// "[N bytes missing in capture file]" (with tshark's trailing NUL byte) stands in for them.
/// </summary>
/// <remarks>Sequence numbers are compared modulo 2^32, as RFC 9293 §3.4 and tshark do. Feed every frame to <see cref="OnFrame"/>
/// of a dissector with <see cref="Pipeline.Dissector.KeepPayload"/> on.</remarks>
public sealed class TcpFollower
{
    private sealed class Fragment(long frame, Timestamp time, bool fromNode1, uint seq, byte[] data)
    {
        public readonly long Frame = frame;
        public readonly Timestamp Time = time;
        public readonly bool FromNode1 = fromNode1;
        public readonly uint Seq = seq;
        public readonly byte[] Data = data;
    }

    private readonly FollowStream _result;
    private readonly uint[] _seq = new uint[2];
    private readonly long[] _written = new long[2];
    private readonly List<Fragment>[] _fragments = [[], []];
    private bool _started;

    public TcpFollower(int stream) => _result = new FollowStream("tcp", stream);

    public int Stream => _result.Stream;

    /// <summary>Whether a packet of the connection was seen.</summary>
    public bool Seen => _started;

    private static bool Lt(uint a, uint b) => (int)(a - b) < 0;
    private static bool Gt(uint a, uint b) => (int)(b - a) < 0;

    public void OnFrame(Frame frame)
    {
        if (frame.Transport != TransportKind.Tcp || frame.Tcp.Stream != Stream || frame.Tcp.Stage != TcpStage.Header) return;
        ref readonly var tcp = ref frame.Tcp;
        // tshark follows a segment only once its whole header was read: not a bogus header length, nor one the
        // capture or the IP length cut short.
        if (!tcp.LengthKnown || tcp.HeaderLength < 20 || tcp.Captured < tcp.HeaderLength) return;
        if (!_started)
        {
            _started = true;
            _result.Node0 = new FollowNode(frame.Src, frame.SrcPort);
            _result.Node1 = new FollowNode(frame.Dst, frame.DstPort);
        }
        bool server = !(frame.Src == _result.Node0.Address && frame.SrcPort == _result.Node0.Port);
        int s = server ? 1 : 0;
        uint sequence = tcp.SeqRaw;
        if ((tcp.Flags & TcpFlags.Syn) != 0) sequence++;
        uint length = (uint)Math.Max(0, frame.PayloadLength);
        int dataOffset = 0;
        int dataLength = Math.Max(0, Math.Min(frame.PayloadCaptured, frame.PayloadBytes.Length));

        // This frame may acknowledge bytes of the other side that were never captured.
        if (_fragments[1 - s].Count > 0)
            while (CheckFragments(1 - s, tcp.AckRaw, frame.Number, useAck: true)) { }

        if (_written[s] == 0 && _seq[s] == 0) _seq[s] = sequence;

        if (Lt(sequence, _seq[s]))
        {
            // Dated, but a retransmission may carry more than was seen: keep only the new part.
            uint next = sequence + length;
            if (Gt(next, _seq[s]))
            {
                dataOffset = (int)(_seq[s] - sequence);
                dataLength = dataLength <= dataOffset ? 0 : dataLength - dataOffset;
                sequence = _seq[s];
                length = next - _seq[s];
            }
        }
        if (dataLength == 0 || Lt(sequence, _seq[s])) return;

        var fragment = new Fragment(frame.Number, frame.Time, server, sequence, frame.PayloadBytes.AsSpan(dataOffset, dataLength).ToArray());
        if (sequence == _seq[s])
        {
            _seq[s] += length;
            _written[s] += fragment.Data.Length;
            Add(fragment);
            while (CheckFragments(s, 0, frame.Number, useAck: false)) { }
        }
        else
        {
            _fragments[s].Add(fragment); // ahead of a hole: wait for it to be filled
        }
    }

    private void Add(Fragment f) => _result.Chunks.Add(new FollowChunk(f.Frame, f.Time, f.FromNode1, f.Data));

    /// <summary>Appends the waiting segment that now fits, or the missing-bytes marker; false when nothing changed.</summary>
    private bool CheckFragments(int s, uint acknowledged, long frameNumber, bool useAck)
    {
        var list = _fragments[s];
        if (list.Count == 0) return false;
        uint lowest = list[0].Seq;
        for (int i = 0; i < list.Count; i++)
        {
            var f = list[i];
            if (Gt(lowest, f.Seq)) lowest = f.Seq;
            if (Lt(f.Seq, _seq[s]))
            {
                uint next = f.Seq + (uint)f.Data.Length;
                if (Gt(next, _seq[s]))
                {
                    int newPos = (int)(_seq[s] - f.Seq);
                    if (f.Data.Length > newPos)
                        Add(new Fragment(f.Frame, f.Time, f.FromNode1, _seq[s], f.Data[newPos..]));
                    _seq[s] += (uint)(f.Data.Length - newPos);
                }
                list.RemoveAt(i);
                return true;
            }
            if (f.Seq == _seq[s])
            {
                if (f.Data.Length > 0) Add(f);
                _seq[s] += (uint)f.Data.Length;
                list.RemoveAt(i);
                return true;
            }
        }
        if (useAck && Gt(acknowledged, lowest))
        {
            // tshark's marker, its C string's NUL included, at time zero.
            var text = Encoding.ASCII.GetBytes($"[{(int)(lowest - _seq[s])} bytes missing in capture file]\0");
            _result.Chunks.Add(new FollowChunk(frameNumber, default, s == 1, text));
            _seq[s] = lowest;
            return true;
        }
        return false;
    }

    /// <summary>The conversation collected so far (segments still waiting for a hole are left out, as tshark does).</summary>
    public FollowStream Result() => _result;
}
