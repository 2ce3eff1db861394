using HttpsFlow.Net;

namespace HttpsFlow.Tls.Dtls;

/// <summary>One direction of a UDP conversation and a handshake message_seq: what handshake fragments are keyed by.</summary>
internal readonly record struct DtlsFragmentKey(IpAddress Src, IpAddress Dst, ushort SrcPort, ushort DstPort, ushort MessageSeq);

/// <summary>What adding a handshake fragment did.</summary>
internal enum DtlsFragmentOutcome : byte
{
    /// <summary>The message is still missing bytes.</summary>
    Incomplete,
    /// <summary>This fragment completed the message.</summary>
    Completed,
    /// <summary>The same frame already added a fragment at this offset (and did not complete the message): nothing changed.</summary>
    AlreadyAdded,
    /// <summary>The message was already complete: tshark's "New fragment overlaps old data (retransmission?)".</summary>
    Overlaps,
    /// <summary>The message was already complete and this fragment starts past its end: "New fragment past old data limits".</summary>
    PastLimits,
}

/// <summary>
/// Handshake fragments gathered into messages the way tshark's DTLS dissector gathers them (its reassembly table,
/// keyed by addresses, ports and message_seq, for the whole capture): a message is complete once its total length is
/// known (from the first fragment seen) and the fragments cover it from byte 0 without a gap; a fragment added to a
/// complete message is an error. The bytes are kept only for the hellos, whose bodies the list reads.
/// </summary>
internal sealed class DtlsReassembly
{
    /// <summary>The messages being or having been reassembled.</summary>
    internal sealed class Message
    {
        public int TotalLength;
        public bool Complete;
        public long LastFrame;
        public long ReassembledIn;
        /// <summary>The fragments in offset order (a later one after an earlier one at the same offset), with their
        /// bytes until the message is complete.</summary>
        public readonly List<(int Offset, int Length, long Frame, byte[]? Bytes)> Fragments = new(4);
        /// <summary>The reassembled message, kept for the hellos (null otherwise, or when longer than kept).</summary>
        public byte[]? Data;
        /// <summary>
        /// The fragments disagreed where they overlap, or one ran past the message's length: tshark replaces the
        /// Info column with "[Illegal Message fragments]" when it shows the reassembled message.
        /// </summary>
        public bool Illegal;
    }

    private readonly Dictionary<DtlsFragmentKey, Message> _messages = new();

    /// <summary>Messages kept at most; past this the table starts again (a capture with this many fragmented messages).</summary>
    public int MaxMessages { get; init; } = 65_536;

    /// <summary>Hello bodies up to this length are kept to be read once reassembled.</summary>
    public const int MaxKeptLength = 64 * 1024;

    public int Count => _messages.Count;

    public void Clear() => _messages.Clear();

    /// <summary>
    /// Adds a fragment (fragment_add), then, on the message's first fragment, sets its total length
    /// (fragment_set_tot_len). <paramref name="message"/> is the message the fragment belongs to.
    /// </summary>
    public DtlsFragmentOutcome Add(in DtlsFragmentKey key, int offset, ReadOnlySpan<byte> bytes, int declaredLength,
        bool keepBytes, long frame, out Message message)
    {
        if (!_messages.TryGetValue(key, out var m))
        {
            if (_messages.Count >= MaxMessages) _messages.Clear();
            m = new Message();
            _messages.Add(key, m);
        }
        message = m;
        int length = bytes.Length;
        if (frame <= m.LastFrame)
            foreach (var f in m.Fragments)
                if (f.Frame == frame && f.Offset == offset)
                    return m.Complete && m.ReassembledIn == frame ? DtlsFragmentOutcome.Completed : DtlsFragmentOutcome.AlreadyAdded;
        if (m.Complete)
            return (long)offset + length > m.TotalLength && offset >= m.TotalLength ? DtlsFragmentOutcome.PastLimits : DtlsFragmentOutcome.Overlaps;
        if (frame > m.LastFrame) m.LastFrame = frame;

        bool first = m.Fragments.Count == 0 && m.TotalLength == 0;
        int at = m.Fragments.Count;
        while (at > 0 && m.Fragments[at - 1].Offset > offset) at--;
        byte[]? kept = bytes.Length <= MaxKeptLength ? bytes.ToArray() : null;
        m.Fragments.Insert(at, (offset, length, frame, kept));
        if (first)
        {
            // The total is set after the first fragment is added, so that fragment alone never completes a message.
            m.TotalLength = declaredLength;
            return DtlsFragmentOutcome.Incomplete;
        }
        if (m.TotalLength == 0) return DtlsFragmentOutcome.Incomplete;
        long covered = 0;
        foreach (var f in m.Fragments)
            if (f.Offset <= covered && (long)f.Offset + f.Length > covered)
                covered = (long)f.Offset + f.Length;
        if (covered < m.TotalLength) return DtlsFragmentOutcome.Incomplete;
        m.Complete = true;
        m.ReassembledIn = frame;
        Defragment(m, keepBytes);
        return DtlsFragmentOutcome.Completed;
    }

    /// <summary>
    /// Lays the fragments into the message in offset order (a later one over an earlier), noting where one runs
    /// past the end or disagrees with the bytes already laid where they overlap; then lets the fragments' bytes go.
    /// </summary>
    private static void Defragment(Message m, bool keepBytes)
    {
        int total = m.TotalLength;
        var data = total <= MaxKeptLength ? new byte[total] : null;
        long laid = 0;
        for (int i = 0; i < m.Fragments.Count; i++)
        {
            var (offset, length, frame, bytes) = m.Fragments[i];
            if (length == 0) continue;
            if (offset >= total)
            {
                m.Illegal = true;
                continue;
            }
            int usable = length;
            if ((long)offset + length > total)
            {
                m.Illegal = true;
                usable = total - offset;
            }
            if (offset < laid && data is not null && bytes is not null)
            {
                int compare = (int)Math.Min(length, laid - offset);
                if (!data.AsSpan(offset, compare).SequenceEqual(bytes.AsSpan(0, compare))) m.Illegal = true;
            }
            if (data is not null && bytes is not null) bytes.AsSpan(0, usable).CopyTo(data.AsSpan(offset));
            laid = Math.Max(laid, (long)offset + usable);
            m.Fragments[i] = (offset, length, frame, null);
        }
        m.Data = keepBytes ? data : null;
        m.Fragments.TrimExcess();
    }
}
