using System.Buffers;

namespace HttpsFlow.Tcp.Reassembly;

/// <summary>
/// Bytes that arrived beyond a hole, kept until the hole fills: copied into pooled pages at their stream offsets
/// (page n holds offsets [n·P, (n+1)·P)), with a sorted list of the pieces present and the frame that carried each.
/// </summary>
/// <remarks>
/// Placing bytes by offset rather than by arrival makes overlaps simple: a byte has one place, so a later copy of it is
/// compared with the one held, never stored twice (the first copy wins, as a receiver's out-of-order queue keeps it).
/// Pieces leave only from the front (when delivered) or all at once, so a page is free once the first piece starts
/// past it. Memory is bounded by <see cref="ReassemblyLimits.MaxBufferedBytesPerDirection"/> (pages) and
/// <see cref="ReassemblyLimits.MaxBufferedSegments"/> (pieces), and, with a <see cref="ReassemblyBudget"/>, by what is
/// left of it: <see cref="Fits"/> charges the pages a store will rent, and each page returned is released. The owner
/// asks <see cref="Fits"/> before storing and stores at once when it fits.
/// </remarks>
internal sealed class OutOfOrderBuffer
{
    internal readonly record struct Piece(ulong Start, ulong End, long Frame);

    internal enum Room : byte { Fits, PagesFull, PiecesFull, BudgetFull }

    private readonly ArrayPool<byte> _pool;
    private readonly ReassemblyBudget? _budget;
    private readonly int _shift;
    private readonly int _pageSize;
    private readonly int _maxPages;
    private readonly int _maxPieces;

    // Pages held, sorted by page number.
    private ulong[] _pageNumbers = [];
    private byte[][] _pages = [];
    private int _pageCount;

    // Pieces held, sorted by offset, disjoint, in _pieces[_pieceHead .. _pieceHead + _pieceCount).
    private Piece[] _pieces = [];
    private int _pieceHead;
    private int _pieceCount;

    public OutOfOrderBuffer(ArrayPool<byte> pool, int pageShift, int maxPages, int maxPieces, ReassemblyBudget? budget = null)
    {
        _pool = pool;
        _budget = budget;
        _shift = pageShift;
        _pageSize = 1 << pageShift;
        _maxPages = maxPages;
        _maxPieces = maxPieces;
    }

    public int Count => _pieceCount;

    public long HeldBytes => (long)_pageCount * _pageSize;

    public Piece First => _pieces[_pieceHead];

    public Piece PieceAt(int i) => _pieces[_pieceHead + i];

    /// <summary>
    /// Whether bytes [start, end) can be stored within the limits. When they can, the pages the store will rent are
    /// charged to the budget: <see cref="Store"/> must follow.
    /// </summary>
    public Room Fits(ulong start, ulong end)
    {
        long needPages = 0;
        for (ulong n = start >> _shift, last = (end - 1) >> _shift; n <= last; n++)
            if (FindPage(n) < 0 && ++needPages + _pageCount > _maxPages) return Room.PagesFull;
        int overlapped = 0;
        for (int i = FirstEndingAfter(start); i < _pieceCount && PieceAt(i).Start < end; i++) overlapped++;
        // At most one new piece per hole: one more than the pieces it overlaps.
        if ((long)_pieceCount + overlapped + 1 > _maxPieces) return Room.PiecesFull;
        if (needPages > 0 && _budget is not null && !_budget.TryCharge(needPages << _shift)) return Room.BudgetFull;
        return Room.Fits;
    }

    /// <summary>
    /// Stores <paramref name="data"/> at <paramref name="start"/> where nothing is held yet, and compares it with what
    /// is; true when some byte differs. The caller has checked <see cref="Fits"/>.
    /// </summary>
    public bool Store(ulong start, ReadOnlySpan<byte> data, long frame)
    {
        bool differs = false;
        ulong end = start + (ulong)data.Length, cursor = start;
        int i = FirstEndingAfter(start);
        while (cursor < end)
        {
            if (i < _pieceCount && PieceAt(i).Start <= cursor)
            {
                ulong to = Math.Min(end, PieceAt(i).End);
                differs |= Differs(cursor, data.Slice((int)(cursor - start), (int)(to - cursor)));
                cursor = to;
                i++;
            }
            else
            {
                ulong to = i < _pieceCount ? Math.Min(end, PieceAt(i).Start) : end;
                Write(cursor, data.Slice((int)(cursor - start), (int)(to - cursor)));
                InsertPiece(i, new Piece(cursor, to, frame));
                cursor = to;
                i++;
            }
        }
        return differs;
    }

    /// <summary>True when <paramref name="data"/> placed at <paramref name="start"/> disagrees with a held byte.</summary>
    public bool DiffersFromHeld(ulong start, ReadOnlySpan<byte> data)
    {
        ulong end = start + (ulong)data.Length;
        for (int i = FirstEndingAfter(start); i < _pieceCount && PieceAt(i).Start < end; i++)
        {
            var p = PieceAt(i);
            ulong from = Math.Max(start, p.Start), to = Math.Min(end, p.End);
            if (Differs(from, data.Slice((int)(from - start), (int)(to - from)))) return true;
        }
        return false;
    }

    /// <summary>The held bytes from <paramref name="offset"/> up to <paramref name="end"/> or the end of its page, whichever is first.</summary>
    public ReadOnlySpan<byte> Read(ulong offset, ulong end)
    {
        int p = FindPage(offset >> _shift);
        int at = (int)(offset & (ulong)(_pageSize - 1));
        int n = (int)Math.Min(end - offset, (ulong)(_pageSize - at));
        return p < 0 ? default : _pages[p].AsSpan(at, n);
    }

    public void RemoveFirst()
    {
        _pieceHead++;
        _pieceCount--;
        if (_pieceCount == 0) _pieceHead = 0;
    }

    /// <summary>
    /// Returns the pages no held piece lies in: all of them when nothing is held, else those before the first piece
    /// and after the last (pieces leave only from the front, or from the back by <see cref="TruncateAt"/>).
    /// </summary>
    public void ReleaseUnusedPages()
    {
        if (_pageCount == 0) return;
        if (_pieceCount > 0)
        {
            ulong lastPage = (_pieces[_pieceHead + _pieceCount - 1].End - 1) >> _shift;
            while (_pageCount > 0 && _pageNumbers[_pageCount - 1] > lastPage)
            {
                _pool.Return(_pages[_pageCount - 1]);
                _pages[--_pageCount] = null!;
                _budget?.Release(_pageSize);
            }
        }
        int free;
        if (_pieceCount == 0) free = _pageCount;
        else
        {
            ulong firstPage = First.Start >> _shift;
            free = 0;
            while (free < _pageCount && _pageNumbers[free] < firstPage) free++;
        }
        if (free == 0) return;
        for (int i = 0; i < free; i++)
        {
            _pool.Return(_pages[i]);
            _pages[i] = null!;
        }
        _budget?.Release((long)free << _shift);
        Array.Copy(_pageNumbers, free, _pageNumbers, 0, _pageCount - free);
        Array.Copy(_pages, free, _pages, 0, _pageCount - free);
        Array.Clear(_pages, _pageCount - free, free);
        _pageCount -= free;
    }

    /// <summary>Drops every piece and returns every page.</summary>
    public void Clear()
    {
        _pieceHead = 0;
        _pieceCount = 0;
        ReleaseUnusedPages();
    }

    /// <summary>Drops the pieces at and after <paramref name="offset"/>, and the part of a piece that crosses it; true if anything was dropped.</summary>
    public bool TruncateAt(ulong offset)
    {
        bool dropped = false;
        while (_pieceCount > 0)
        {
            ref var last = ref _pieces[_pieceHead + _pieceCount - 1];
            if (last.Start >= offset)
            {
                _pieceCount--;
                dropped = true;
                continue;
            }
            if (last.End > offset)
            {
                last = last with { End = offset };
                dropped = true;
            }
            break;
        }
        if (_pieceCount == 0) _pieceHead = 0;
        ReleaseUnusedPages();
        return dropped;
    }

    private int FirstEndingAfter(ulong offset)
    {
        int lo = 0, hi = _pieceCount;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (PieceAt(mid).End > offset) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    private void InsertPiece(int index, Piece piece)
    {
        if (_pieceHead + _pieceCount == _pieces.Length)
        {
            if (_pieceHead > 0)
            {
                Array.Copy(_pieces, _pieceHead, _pieces, 0, _pieceCount);
                _pieceHead = 0;
            }
            else Array.Resize(ref _pieces, Math.Max(8, _pieces.Length * 2));
        }
        int at = _pieceHead + index;
        Array.Copy(_pieces, at, _pieces, at + 1, _pieceCount - index);
        _pieces[at] = piece;
        _pieceCount++;
    }

    private int FindPage(ulong number)
    {
        int lo = 0, hi = _pageCount - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            ulong n = _pageNumbers[mid];
            if (n == number) return mid;
            if (n < number) lo = mid + 1;
            else hi = mid - 1;
        }
        return ~lo;
    }

    private byte[] PageFor(ulong number)
    {
        int i = FindPage(number);
        if (i >= 0) return _pages[i];
        i = ~i;
        if (_pageCount == _pages.Length)
        {
            int size = Math.Max(4, _pages.Length * 2);
            Array.Resize(ref _pages, size);
            Array.Resize(ref _pageNumbers, size);
        }
        Array.Copy(_pageNumbers, i, _pageNumbers, i + 1, _pageCount - i);
        Array.Copy(_pages, i, _pages, i + 1, _pageCount - i);
        var page = _pool.Rent(_pageSize);
        _pageNumbers[i] = number;
        _pages[i] = page;
        _pageCount++;
        return page;
    }

    private void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var page = PageFor(offset >> _shift);
            int at = (int)(offset & (ulong)(_pageSize - 1));
            int n = Math.Min(data.Length, _pageSize - at);
            data[..n].CopyTo(page.AsSpan(at));
            data = data[n..];
            offset += (ulong)n;
        }
    }

    private bool Differs(ulong offset, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int p = FindPage(offset >> _shift);
            int at = (int)(offset & (ulong)(_pageSize - 1));
            int n = Math.Min(data.Length, _pageSize - at);
            if (p >= 0 && !data[..n].SequenceEqual(_pages[p].AsSpan(at, n))) return true;
            data = data[n..];
            offset += (ulong)n;
        }
        return false;
    }
}
