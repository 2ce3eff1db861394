using HttpsFlow.Common;
using HttpsFlow.Net;
using HttpsFlow.Tcp;
using HttpsFlow.Tcp.Reassembly;

namespace HttpsFlow.Tls.List;

// The total bound on the bytes the TLS layer holds for reassembly (DissectorLimits.MaxReassemblyBytes): every
// direction's record parser and handshake reassembler charge their buffers to one ReassemblyBudget. The directions
// that hold bytes are kept in order of their last segment; when a buffer would grow past the budget, the direction idle
// the longest gives up what it holds (a note on the frame that needed the room says which), and it resynchronises as
// after missing bytes when its next segment comes.
public sealed partial class TlsListLayer
{
    private ReassemblyBudget? _budget;
    private Direction? _idlestHolder, _busiestHolder;
    private Direction? _feeding;
    private long _refusalsBefore;

    /// <summary>
    /// Directions that gave up their buffered bytes so that another could grow (each with a note on the frame that
    /// needed the room).
    /// </summary>
    public long BudgetEvictions { get; private set; }

    /// <summary>
    /// The total every direction's buffers are charged to (null: no total bound). Set before the first segment; the
    /// layer becomes the budget's <see cref="ReassemblyBudget.Reclaimer"/>.
    /// </summary>
    public ReassemblyBudget? Budget
    {
        get => _budget;
        set
        {
            _budget = value;
            if (value is not null) value.Reclaimer = Reclaim;
        }
    }

    private sealed partial class Direction
    {
        public TcpConversation? Conversation;
        // Neighbours among the directions holding bytes, in order of their last segment.
        public Direction? Idler, Busier;
        public bool Holding;
        public long LastFrame;

        public long Held => Parser.HeldBytes + Handshakes.HeldBytes;
    }

    private void BeforeFeed(Direction dir)
    {
        if (_budget is null) return;
        _feeding = dir;
        _refusalsBefore = _budget.Refusals;
    }

    private void AfterFeed(Direction dir, Frame f)
    {
        if (_budget is null) return;
        _feeding = null;
        dir.LastFrame = f.Number;
        Unhold(dir);
        if (dir.Held > 0)
        {
            dir.Holding = true;
            dir.Idler = _busiestHolder;
            if (_busiestHolder is not null) _busiestHolder.Busier = dir;
            else _idlestHolder = dir;
            _busiestHolder = dir;
        }
        if (_budget.Refusals != _refusalsBefore)
            f.AddNote(Severity.Warning, "Reassemble", "tls",
                $"Reassembly budget full ({_budget.Limit} bytes): tcp.stream {dir.Conversation?.Stream} alone needs more; its TLS record or handshake message is not reassembled");
    }

    private void Unhold(Direction? d)
    {
        if (d is null || !d.Holding) return;
        if (d.Idler is not null) d.Idler.Busier = d.Busier;
        else _idlestHolder = d.Busier;
        if (d.Busier is not null) d.Busier.Idler = d.Idler;
        else _busiestHolder = d.Idler;
        d.Idler = d.Busier = null;
        d.Holding = false;
    }

    // The budget needs room: the direction idle the longest (not the one being fed) gives up what it holds.
    private bool Reclaim(long needed)
    {
        var victim = _idlestHolder;
        if (victim is not null && victim == _feeding) victim = victim.Busier;
        if (victim is null) return false;
        Unhold(victim);
        long freed = victim.Parser.GiveUp(out bool recordCut);
        freed += victim.Handshakes.GiveUp(clear: recordCut);
        BudgetEvictions++;
        _frame?.AddNote(Severity.Warning, "Reassemble", "tls",
            $"Reassembly budget full ({_budget!.Limit} bytes): tcp.stream {victim.Conversation?.Stream} (idle since frame {victim.LastFrame}) gave up {freed} bytes waiting for reassembly");
        return true;
    }
}
