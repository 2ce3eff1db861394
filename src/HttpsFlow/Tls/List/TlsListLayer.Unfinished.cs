using HttpsFlow.Net;
using HttpsFlow.Tcp.Reassembly;

namespace HttpsFlow.Tls.List;

// A TLS record whose length its header gave, but which misses bytes the capture lacked when a later segment came (see
// SkipLost). tshark's TCP keeps such a record as a PDU it is reassembling: the segments after the gap add their bytes up
// to its end, and a segment that arrives out of order into the gap adds its bytes too. When the gap fills that way, TCP
// completes the PDU in that frame (tcp.segment lists its segments) but does not hand it to TLS, which never reads
// out-of-order data; a segment that fills only part of the gap is marked as a segment of a reassembled PDU. A plain
// retransmission into the gap adds nothing (tshark sets it aside before reassembly).
public sealed partial class TlsListLayer
{
    private sealed class UnfinishedRecord
    {
        /// <summary>How many of the record's first bytes are kept, for tshark's "[Reassembled TCP Data: …]" (36 shown).</summary>
        public const int HeadLength = 36;

        /// <summary>The most pieces followed; a record cut into more (tiny segments) is no longer followed.</summary>
        public const int MaxPieces = 1024;

        public ulong Start;
        public ulong End;
        public readonly List<StreamSegment> Pieces = new();
        public readonly byte[] Head = new byte[HeadLength];

        public void Reset(ulong start, ulong end)
        {
            Start = start;
            End = end;
            Pieces.Clear();
        }

        /// <summary>Adds bytes of the record carried by <paramref name="frame"/> (already clipped to the record).</summary>
        public void Take(ulong offset, ReadOnlySpan<byte> bytes, long frame)
        {
            if (bytes.IsEmpty) return;
            Pieces.Add(new StreamSegment(offset, bytes.Length, frame));
            ulong headEnd = Start + HeadLength;
            if (offset < headEnd) bytes[..(int)Math.Min((ulong)bytes.Length, headEnd - offset)].CopyTo(Head.AsSpan((int)(offset - Start)));
        }

        /// <summary>
        /// Puts the pieces in stream order (stable: a tie keeps the order of arrival) and returns true when they cover
        /// the whole record.
        /// </summary>
        public bool Covered()
        {
            for (int i = 1; i < Pieces.Count; i++)
            {
                var p = Pieces[i];
                int j = i - 1;
                while (j >= 0 && Pieces[j].StreamOffset > p.StreamOffset)
                {
                    Pieces[j + 1] = Pieces[j];
                    j--;
                }
                Pieces[j + 1] = p;
            }
            ulong reached = Start;
            foreach (var p in Pieces)
            {
                if (p.StreamOffset > reached) return false;
                reached = Math.Max(reached, p.End);
            }
            return reached >= End;
        }

        /// <summary>Writes the completed record's provenance on <paramref name="f"/> (tcp.segment and the tree's pieces).</summary>
        public void Describe(Frame f)
        {
            ulong reached = Start;
            foreach (var p in Pieces)
            {
                f.ReassembledSegments.Add(p.Frame);
                f.ReassembledPieces.Add(new ReassembledPiece(p.Frame, (int)(p.StreamOffset - Start), p.Length, p.StreamOffset < reached));
                reached = Math.Max(reached, p.End);
            }
            f.ReassembledLength = (int)(End - Start);
            f.ReassembledHead ??= new byte[HeadLength];
            f.ReassembledHeadLength = (int)Math.Min(End - Start, HeadLength);
            Head.AsSpan(0, f.ReassembledHeadLength).CopyTo(f.ReassembledHead);
        }
    }

    private sealed partial class Direction
    {
        /// <summary>The record that missed bytes, while a segment may still fill its gap (null: none).</summary>
        public UnfinishedRecord? Unfinished;
        private UnfinishedRecord? _spareUnfinished;

        /// <summary>Starts following the record in progress (ending at <paramref name="recordEnd"/>), which missed bytes.</summary>
        public UnfinishedRecord FollowUnfinished(ulong recordEnd)
        {
            var u = Unfinished ?? _spareUnfinished ?? new UnfinishedRecord();
            _spareUnfinished = null;
            u.Reset(Parser.PendingRecordStart, recordEnd);
            if (Parser.BufferedBytes > 0)
            {
                Parser.CopyPendingSegments(u.Pieces);
                var held = Parser.PendingBytes;
                held[..Math.Min(held.Length, UnfinishedRecord.HeadLength)].CopyTo(u.Head);
            }
            Unfinished = u;
            return u;
        }

        public void DropUnfinished()
        {
            _spareUnfinished = Unfinished;
            Unfinished = null;
        }
    }

    /// <summary>
    /// A segment that arrived out of order (or as a fast retransmission) starting inside a record that missed bytes:
    /// its bytes up to the record's end are added to it, completing it when they fill the last of its gap.
    /// </summary>
    private static void FillUnfinished(Direction dir, UnfinishedRecord u, Frame f, ReadOnlySpan<byte> payload, ulong start)
    {
        int n = (int)Math.Min((ulong)payload.Length, u.End - start);
        u.Take(start, payload[..n], f.Number);
        f.UnfinishedPduBytes = n;
        if (u.Pieces.Count > UnfinishedRecord.MaxPieces)
        {
            dir.DropUnfinished();
            f.Upper = UpperKind.SegmentMiddle;
        }
        else if (u.Covered())
        {
            u.Describe(f);
            dir.DropUnfinished();
        }
        else f.Upper = UpperKind.SegmentMiddle;
    }
}
