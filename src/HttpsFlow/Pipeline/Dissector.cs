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
    private readonly TcpConversations _tcp;
    private readonly Frame _frame = new();
    private readonly EchoTracker _echo = new();
    private readonly Tls.List.TlsListLayer _tls = new();
    private readonly Tls.Dtls.DtlsListLayer _dtls = new();

    /// <param name="limits">Bounds on the state kept (null: <see cref="DissectorLimits.Default"/>).</param>
    public Dissector(DissectorLimits? limits = null)
    {
        Limits = limits ?? DissectorLimits.Default;
        Limits.Validate();
        _tcp = new TcpConversations(Limits.MaxTcpConversations);
        _tcp.ConversationForgotten += _tls.Forget;
        ReassemblyBudget = new Tcp.Reassembly.ReassemblyBudget(Limits.MaxReassemblyBytes);
        _tls.Budget = ReassemblyBudget;
    }

    /// <summary>The total the reassembly buffers of every connection are charged to (<see cref="DissectorLimits.MaxReassemblyBytes"/>).</summary>
    public Tcp.Reassembly.ReassemblyBudget ReassemblyBudget { get; }

    /// <summary>Connections that gave up their buffered bytes so that another could grow within the budget.</summary>
    public long ReassemblyEvictions => _tls.BudgetEvictions;

    /// <summary>The bounds this dissector keeps to.</summary>
    public DissectorLimits Limits { get; }

    /// <summary>Connections whose TLS state is kept (bounded with the TCP table).</summary>
    public int TlsConnectionCount => _tls.ConnectionCount;

    /// <summary>Name the TLS records in TCP segments and the DTLS records in UDP datagrams (the packet list's TLS and DTLS lines). On by default.</summary>
    public bool Tls { get; set; } = true;
    private long _number;
    private Timestamp _first, _previous;

    /// <summary>
    /// Copy each frame's TCP/UDP payload (for an ICMP error, the payload of the TCP segment it quotes) into
    /// <see cref="Frame.PayloadBytes"/> (for fields that show it).
    /// </summary>
    public bool KeepPayload { get; set; }

    /// <summary>
    /// Copy each frame's captured bytes into <see cref="Frame.PacketBytes"/> (for hex dumps and detail trees built after
    /// <see cref="Next"/> returns). Off by default: the packet list does not pay for the copy.
    /// </summary>
    public bool KeepPacketBytes { get; set; }

    public TcpConversations Tcp => _tcp;

    /// <summary>Told of every TLS record and handshake message as frames are dissected (see <see cref="Tls.List.ITlsObserver"/>).</summary>
    public Tls.List.ITlsObserver? TlsObserver
    {
        get => _tls.Observer;
        set => _tls.Observer = value;
    }

    /// <summary>Names the TLS records the packet list cannot read by itself, e.g. decrypted ones (see <see cref="Tls.List.ITlsRecordNamer"/>).</summary>
    public Tls.List.ITlsRecordNamer? TlsNamer
    {
        get => _tls.Namer;
        set => _tls.Namer = value;
    }

    /// <summary>Decodes the next packet of <paramref name="reader"/>.</summary>
    /// <returns>The frame (valid until the next call), or null at the end or at an error (see <see cref="CaptureReader.Error"/>).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Frame? Next(CaptureReader reader)
    {
        var outcome = reader.Read(out var packet);
        if (outcome != ReadOutcome.Packet) return null;
        var ng = reader as PcapNgReader;
        var frame = Dissect(packet, reader.HasInterfaceIds, ng?.InterfaceName(packet.InterfaceId));
        frame.InterfaceDescription = ng?.InterfaceDescription(packet.InterfaceId);
        frame.SectionNumber = ng?.SectionNumber ?? 0;
        return frame;
    }

    /// <summary>
    /// Decodes one packet that did not come from a <see cref="CaptureReader"/> (a live capture): the same pass as
    /// <see cref="Next"/>. The frame is valid until the next call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Frame Dissect(in CapturedPacket packet, bool hasInterfaceIds, string? interfaceName)
    {
        _frame.Number = ++_number;
        if (KeepPacketBytes)
        {
            // Copied first, so that even a frame our decoder chokes on can be shown.
            var data = packet.Data;
            if (_frame.PacketBytes.Length < data.Length) _frame.PacketBytes = new byte[Math.Max(data.Length, 2048)];
            data.CopyTo(_frame.PacketBytes);
            _frame.PacketBytesLength = data.Length;
        }
        else _frame.PacketBytesLength = 0;
        if (_number == 1) _first = _previous = packet.Time;
        try
        {
            var payload = _decoder.Decode(packet, _frame);
            if (_frame.Transport is TransportKind.Icmp or TransportKind.Icmpv6)
            {
                _echo.Track(_frame);
                if (_frame.HasQuotedTcp)
                {
                    var quoted = _tcp.Quoted(_frame, _frame.QuotedSrc, _frame.QuotedSrcPort, _frame.QuotedDst, _frame.QuotedDstPort, _frame.QuotedFlags, _frame.QuotedSeq);
                    // The quoted segment's payload: TLS reads it on its own when tshark would hand it to TLS.
                    if (Tls && !payload.IsEmpty) _tls.ProcessQuoted(_frame, quoted, payload);
                }
            }
            if (_frame.Transport == TransportKind.Tcp && _frame.Tcp.Stage == TcpStage.Header && _frame.Fragment != FragmentState.Fragment)
            {
                _tcp.Process(_frame);
                if (Tls && _tcp.Last is { } conv) _tls.Process(_frame, conv, payload);
            }
            else if (_frame.Transport == TransportKind.Udp && Tls && _frame.Fragment != FragmentState.Fragment)
                _dtls.Process(_frame, payload);
            _frame.HasInterfaceId = hasInterfaceIds;
            _frame.InterfaceName = interfaceName;
            _frame.InterfaceDescription = null;
            _frame.SectionNumber = 0;
            _frame.TimeRelative = _frame.Time.Subtract(_first);
            _frame.TimeDelta = _frame.Time.Subtract(_previous);
            _previous = _frame.Time;
            if (KeepPayload)
            {
                if (_frame.PayloadBytes.Length < payload.Length) _frame.PayloadBytes = new byte[Math.Max(payload.Length, 2048)];
                payload.CopyTo(_frame.PayloadBytes);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Our own bug must not end the run: the frame says so and the next one is read.
            _frame.MarkMalformed("httpsflow", $"dissector bug: {e.GetType().Name}: {e.Message}");
        }
        return _frame;
    }
}
