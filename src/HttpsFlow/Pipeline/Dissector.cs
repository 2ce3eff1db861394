using System.Runtime.CompilerServices;
using HttpsFlow.Capture;
using HttpsFlow.Common;
using HttpsFlow.Net;
using HttpsFlow.Tcp;

namespace HttpsFlow.Pipeline;

/// <summary>
/// The single pass over a capture: reads each record, decodes it, runs the TCP conversation analysis, and hands the
/// finished <see cref="Frame"/> to the caller. One frame object is reused for every packet.
/// </summary>
public sealed class Dissector
{
    private readonly PacketDecoder _decoder = new();
    private readonly TcpConversations _tcp = new();
    private readonly Frame _frame = new();
    private readonly EchoTracker _echo = new();
    private long _number;

    public TcpConversations Tcp => _tcp;

    /// <summary>Decodes the next packet of <paramref name="reader"/>.</summary>
    /// <returns>The frame (valid until the next call), or null at the end or at an error (see <see cref="CaptureReader.Error"/>).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Frame? Next(CaptureReader reader)
    {
        var outcome = reader.Read(out var packet);
        if (outcome != ReadOutcome.Packet) return null;
        _frame.Number = ++_number;
        try
        {
            var payload = _decoder.Decode(packet, _frame);
            if (_frame.Transport is TransportKind.Icmp or TransportKind.Icmpv6)
            {
                _echo.Track(_frame);
                if (_frame.HasQuotedTcp)
                    _tcp.Quoted(_frame, _frame.QuotedSrc, _frame.QuotedSrcPort, _frame.QuotedDst, _frame.QuotedDstPort, _frame.QuotedFlags, _frame.QuotedSeq);
            }
            if (_frame.Transport == TransportKind.Tcp && _frame.Tcp.Stage == TcpStage.Header && _frame.Fragment != FragmentState.Fragment)
                _tcp.Process(_frame);
            _ = payload;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Our own bug must not end the run: the frame says so and the next one is read.
            _frame.MarkMalformed("httpsflow", $"dissector bug: {e.GetType().Name}: {e.Message}");
        }
        return _frame;
    }
}
