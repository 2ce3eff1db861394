namespace HttpsFlow.Decryption;

/// <summary>
/// Opens records on a second thread while the packet list goes on: for the records whose plaintext nothing reads (the
/// middle of an HTTP/1 body whose length is known, named "[TLS segment of a reassembled PDU]" whatever it holds), the
/// decryptor hands on only the plaintext's length and the record itself comes here to be authenticated. Nothing is
/// skipped: every record is still decrypted and its tag checked. The list is held to it (see <see cref="Output.IOutputGate"/>):
/// a line leaves only once every record queued before it was made has opened as assumed, and when one did not (a wrong
/// tag, TLS 1.3 padding or another inner type) <see cref="WaitUntil"/> throws <see cref="SpeculationFailedException"/>,
/// so that the caller reads the capture again without speculating (the output written until then is the same either
/// way: every record before it opened as assumed).
/// The list's thread shares the work: when the worker falls behind (its core busy elsewhere) or when output waits, it
/// opens queued records itself rather than wait, so the second thread can only save time.
/// Why a hand-made queue: one producer, two consumers that claim records one at a time, records copied into one
/// preallocated ring of bytes, no allocation per record and no system call on the way (the worker is woken only when
/// many records wait, and otherwise looks for work every millisecond).
/// </summary>
public sealed class RecordVerifier : Output.IOutputGate, IDisposable
{
    private const int JobSlots = 4096;
    private const int ArenaBytes = 2 << 20;
    private const int WakeDepth = 256;
    // The list's thread opens a record itself at each hand-over while more than this many bytes wait.
    private const int HelpBytes = ArenaBytes / 2;

    private const int Pending = 0, Claimed = 1, Opened = 2, NotAsAssumed = 3;

    private struct Job
    {
        public AeadCipher Owner;
        public ulong Sequence;
        public int Offset;           // of the record (header and fragment) in the arena
        public int Length;
        public int PlainLength;
        public long ArenaEnd;        // the arena's total written bytes once this job's are in
        public long Frame;
    }

    /// <summary>What each thread opening records keeps: its own ciphers (a native context is not shared) and a buffer.</summary>
    private sealed class Opener
    {
        public readonly Dictionary<AeadCipher, AeadCipher> Twins = new(ReferenceEqualityComparer.Instance);
        public byte[] Scratch = new byte[(1 << 14) + 2048 + 256];

        public AeadCipher TwinOf(AeadCipher owner)
        {
            if (Twins.TryGetValue(owner, out var twin)) return twin;
            if (Twins.Count >= 64)
            {
                // Drop the copies of keys no longer in use (a record of one still queued makes its copy again).
                foreach (var (key, value) in Twins)
                {
                    if (!key.IsDisposed) continue;
                    Twins.Remove(key);
                    value.Dispose();
                }
            }
            twin = owner.Twin();
            Twins[owner] = twin;
            return twin;
        }

        public void Dispose()
        {
            foreach (var twin in Twins.Values) twin.Dispose();
            Twins.Clear();
        }
    }

    private readonly Job[] _jobs = new Job[JobSlots];
    private readonly int[] _states = new int[JobSlots];
    private readonly byte[] _arena = GC.AllocateUninitializedArray<byte>(ArenaBytes, pinned: true);
    private long _head;            // records handed over (written by the producer)
    private long _claimed;         // records claimed by an opener
    private long _done;            // records opened, from the first on without a gap
    private long _verified;        // as _done, up to the first that did not open as assumed
    private long _arenaHead;       // bytes written (producer)
    private long _arenaTail;       // bytes released
    private readonly Lock _advance = new();
    private volatile int _consumerSleeping;
    private volatile bool _stop;
    private volatile bool _failed;
    private long _failedFrame = -1;
    private readonly SemaphoreSlim _work = new(0);
    private Thread? _thread;
    private Exception? _crash;
    private readonly Opener _worker = new(), _lister = new();

    /// <summary>Records handed over so far.</summary>
    public long Submitted => _head;

    /// <summary>Records opened by the list's own thread (when the worker was behind).</summary>
    public long OpenedByCaller { get; private set; }

    /// <summary>The frame of the first record that did not open as assumed, or -1.</summary>
    public long FailedFrame => Volatile.Read(ref _failedFrame);

    /// <summary>Records handed over so far (the mark of a line made now).</summary>
    public long Mark => _head;

    /// <summary>Records opened as assumed, from the first on.</summary>
    public long Reached => Volatile.Read(ref _verified);

    /// <summary>
    /// Hands over <paramref name="record"/> (its header and fragment) to be opened with <paramref name="cipher"/>'s keys
    /// at <paramref name="sequence"/>: it must give <paramref name="plainLength"/> bytes of application data.
    /// </summary>
    internal void Submit(AeadCipher cipher, ReadOnlySpan<byte> record, ulong sequence, int plainLength, long frame)
    {
        if (_stop || _failed || _crash is not null) return; // the run is redone: nothing more to check
        if (record.Length > ArenaBytes / 4)
        {
            _failed = true; // never for a TLS record
            return;
        }
        long head = _head;
        int at = (int)(_arenaHead % ArenaBytes);
        long skip = at + record.Length > ArenaBytes ? ArenaBytes - at : 0;
        // Room for a job and for the record (after the arena's end is skipped when it does not fit there).
        while (head - Volatile.Read(ref _done) >= JobSlots || _arenaHead + skip + record.Length - Volatile.Read(ref _arenaTail) > ArenaBytes)
        {
            if (_failed || _crash is not null) return;
            if (!HelpOnce()) Thread.Yield();
        }
        if (skip > 0)
        {
            _arenaHead += skip;
            at = 0;
        }
        record.CopyTo(_arena.AsSpan(at));
        _arenaHead += record.Length;
        int slot = (int)(head % JobSlots);
        ref var job = ref _jobs[slot];
        job.Owner = cipher;
        job.Sequence = sequence;
        job.Offset = at;
        job.Length = record.Length;
        job.PlainLength = plainLength;
        job.ArenaEnd = _arenaHead;
        job.Frame = frame;
        Volatile.Write(ref _states[slot], Pending);
        Volatile.Write(ref _head, head + 1);
        if (_thread is null)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "httpsflow verify" };
            _thread.Start();
        }
        else if (head + 1 - Volatile.Read(ref _done) >= WakeDepth) WakeWorker();
        if (_arenaHead - Volatile.Read(ref _arenaTail) > HelpBytes) HelpOnce();
    }

    private void WakeWorker()
    {
        if (_consumerSleeping != 1) return;
        _consumerSleeping = 0;
        _work.Release();
    }

    /// <summary>
    /// Waits until the first <paramref name="mark"/> records handed over are opened, opening queued ones meanwhile;
    /// throws <see cref="SpeculationFailedException"/> when one of them did not open as assumed.
    /// </summary>
    public void WaitUntil(long mark)
    {
        var spin = new SpinWait();
        while (Volatile.Read(ref _verified) < mark)
        {
            if (_failed || _crash is not null) throw new SpeculationFailedException(FailedFrame, _crash);
            if (HelpOnce()) continue;
            // Every record up to the mark is claimed: the worker is opening the last of them.
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Waits until every record handed over is opened (see <see cref="WaitUntil"/>).</summary>
    public void Drain() => WaitUntil(_head);

    /// <summary>The list's thread opens the oldest unclaimed record, if any.</summary>
    private bool HelpOnce()
    {
        if (!TryClaim(out long index)) return false;
        OpenedByCaller++;
        Finish(index, _lister);
        return true;
    }

    private bool TryClaim(out long index)
    {
        while (true)
        {
            long c = Volatile.Read(ref _claimed);
            if (c >= Volatile.Read(ref _head))
            {
                index = -1;
                return false;
            }
            if (Interlocked.CompareExchange(ref _claimed, c + 1, c) == c)
            {
                index = c;
                return true;
            }
        }
    }

    private void Finish(long index, Opener opener)
    {
        int slot = (int)(index % JobSlots);
        bool ok = !_failed && Open(ref _jobs[slot], opener);
        Volatile.Write(ref _states[slot], ok ? Opened : NotAsAssumed);
        // Move the counts over every record opened without a gap from the first.
        lock (_advance)
        {
            long done = _done;
            while (done < Volatile.Read(ref _claimed))
            {
                int s = (int)(done % JobSlots);
                int state = Volatile.Read(ref _states[s]);
                if (state < Opened) break;
                if (state == NotAsAssumed && !_failed)
                {
                    Volatile.Write(ref _failedFrame, _jobs[s].Frame);
                    _failed = true;
                }
                long arenaEnd = _jobs[s].ArenaEnd;
                _jobs[s].Owner = null!;
                done++;
                if (!_failed) Volatile.Write(ref _verified, done);
                Volatile.Write(ref _arenaTail, arenaEnd);
                Volatile.Write(ref _done, done);
            }
        }
    }

    private void Run()
    {
        try
        {
            var spin = new SpinWait();
            while (!_stop)
            {
                if (TryClaim(out long index))
                {
                    Finish(index, _worker);
                    spin.Reset();
                    continue;
                }
                if (!spin.NextSpinWillYield)
                {
                    spin.SpinOnce();
                    continue;
                }
                _consumerSleeping = 1;
                if (Volatile.Read(ref _claimed) < Volatile.Read(ref _head)) { _consumerSleeping = 0; continue; }
                _work.Wait(1);
                _consumerSleeping = 0;
                spin.Reset();
            }
        }
        catch (Exception e)
        {
            // A bug of ours: the list sees it at its next wait and the run is redone without speculating.
            _crash = e;
        }
    }

    private bool Open(ref Job job, Opener opener)
    {
        var twin = opener.TwinOf(job.Owner);
        var record = _arena.AsSpan(job.Offset, job.Length);
        if (opener.Scratch.Length < record.Length) opener.Scratch = new byte[record.Length];
        return twin.TryDecrypt(record[..5], record[5..], job.Sequence, opener.Scratch, out int length, out byte type)
            && length == job.PlainLength && type == (byte)Tls.TlsContentType.ApplicationData;
    }

    public void Dispose()
    {
        _stop = true;
        if (_thread is { } t)
        {
            _work.Release();
            t.Join();
        }
        _worker.Dispose();
        _lister.Dispose();
        _work.Dispose();
    }
}

/// <summary>A record opened on the second thread did not give what the list assumed; read the capture again without speculating.</summary>
public sealed class SpeculationFailedException(long frame, Exception? inner)
    : Exception(frame >= 0 ? $"the record in frame {frame} did not open as assumed" : "record verification stopped", inner)
{
    /// <summary>The frame of the record, or -1.</summary>
    public long Frame { get; } = frame;
}
