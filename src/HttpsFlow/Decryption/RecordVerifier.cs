namespace HttpsFlow.Decryption;

/// <summary>
/// Opens records on a second thread while the packet list goes on: for the records whose plaintext nothing reads (the
/// middle of an HTTP/1 body whose length is known, named "[TLS segment of a reassembled PDU]" whatever it holds), the
/// decryptor hands on only the plaintext's length and the record itself comes here to be authenticated. Nothing is
/// skipped: every record is still decrypted and its tag checked, on the otherwise idle core. The list is held to it:
/// before any output is written <see cref="Drain"/> waits for every record handed over so far, and when one did not
/// open as the decryptor assumed (a wrong tag, TLS 1.3 padding or another inner type) it throws
/// <see cref="SpeculationFailedException"/>, so that the caller reads the capture again without speculating (the
/// output written until then is the same either way: every record before it opened as assumed).
/// Why a hand-made queue: one producer and one consumer, records copied into one preallocated ring of bytes, no
/// allocation per record and no lock on the way (a wake-up only when the other side sleeps).
/// </summary>
public sealed class RecordVerifier : Output.IOutputGate, IDisposable
{
    private const int JobSlots = 4096;
    private const int ArenaBytes = 1 << 20;
    // The worker is woken only when this many records wait (or the list waits for it); otherwise it looks for work
    // every millisecond by itself, so that handing over a record costs no system call.
    private const int WakeDepth = 256;

    private struct Job
    {
        public AeadCipher? Cipher;   // null: a release of Owner's twin
        public AeadCipher Owner;
        public ulong Sequence;
        public int Offset;           // of the record (header and fragment) in the arena
        public int Length;
        public int PlainLength;
        public long ArenaEnd;        // the arena's total written bytes once this job's are in
        public long Frame;
    }

    private readonly Job[] _jobs = new Job[JobSlots];
    private readonly byte[] _arena = GC.AllocateUninitializedArray<byte>(ArenaBytes, pinned: true);
    private long _head;            // jobs handed over (written by the producer)
    private long _tail;            // jobs finished (written by the consumer)
    private long _verified;        // jobs finished, all of them opened as assumed
    private long _arenaHead;       // bytes written (producer)
    private long _arenaTail;       // bytes released (consumer)
    private volatile int _consumerSleeping;
    private volatile int _producerSleeping;
    private volatile bool _stop;
    private volatile bool _failed;
    private long _failedFrame = -1;
    private readonly SemaphoreSlim _work = new(0);
    private readonly SemaphoreSlim _space = new(0);
    private Thread? _thread;
    private Exception? _crash;

    // The worker's own ciphers (a cipher's native context is not shared between threads), one per key in use.
    private readonly Dictionary<AeadCipher, AeadCipher> _twins = new(ReferenceEqualityComparer.Instance);
    private byte[] _scratch = new byte[(1 << 14) + 2048 + 256];

    /// <summary>Records handed over so far.</summary>
    public long Submitted => _head;

    /// <summary>The frame of the first record that did not open as assumed, or -1.</summary>
    public long FailedFrame => Volatile.Read(ref _failedFrame);

    /// <summary>
    /// Hands over <paramref name="record"/> (its header and fragment) to be opened with <paramref name="cipher"/>'s keys
    /// at <paramref name="sequence"/>: it must give <paramref name="plainLength"/> bytes of application data.
    /// </summary>
    internal void Submit(AeadCipher cipher, ReadOnlySpan<byte> record, ulong sequence, int plainLength, long frame)
    {
        if (_stop) return;
        if (record.Length > ArenaBytes / 4 || _failed)
        {
            // Too large to queue (never for a TLS record) or already failed: nothing more to check, the run is redone.
            _failed = true;
            return;
        }
        cipher.Verifier ??= this;
        long head = _head;
        int at = (int)(_arenaHead % ArenaBytes);
        long skip = at + record.Length > ArenaBytes ? ArenaBytes - at : 0;
        // Room for a job and for the record (after the arena's end is skipped when it does not fit there).
        while (head - Volatile.Read(ref _tail) >= JobSlots || _arenaHead + skip + record.Length - Volatile.Read(ref _arenaTail) > ArenaBytes)
            WaitForSpace();
        if (skip > 0)
        {
            _arenaHead += skip;
            at = 0;
        }
        record.CopyTo(_arena.AsSpan(at));
        _arenaHead += record.Length;
        ref var job = ref _jobs[head % JobSlots];
        job.Cipher = cipher;
        job.Owner = cipher;
        job.Sequence = sequence;
        job.Offset = at;
        job.Length = record.Length;
        job.PlainLength = plainLength;
        job.ArenaEnd = _arenaHead;
        job.Frame = frame;
        Publish(head);
    }

    /// <summary>The keys of <paramref name="cipher"/> are no longer used: the worker drops its copy after the records before.</summary>
    internal void Release(AeadCipher cipher)
    {
        if (_stop || _crash is not null) return;
        long head = _head;
        while (head - Volatile.Read(ref _tail) >= JobSlots) WaitForSpace();
        ref var job = ref _jobs[head % JobSlots];
        job.Cipher = null;
        job.Owner = cipher;
        job.Length = 0;
        job.ArenaEnd = _arenaHead;
        job.Frame = -1;
        Publish(head);
    }

    private void Publish(long head)
    {
        Volatile.Write(ref _head, head + 1);
        if (_thread is null)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "httpsflow verify" };
            _thread.Start();
        }
        else if (_consumerSleeping == 1 && head + 1 - Volatile.Read(ref _tail) >= WakeDepth)
        {
            WakeConsumer();
        }
    }

    private void WakeConsumer()
    {
        if (_consumerSleeping != 1) return;
        _consumerSleeping = 0;
        _work.Release();
    }

    private void WaitForSpace()
    {
        if (_crash is not null || _thread is null) throw new SpeculationFailedException(-1, _crash);
        WakeConsumer();
        _producerSleeping = 1;
        // Check again after saying so: the consumer may have freed space before it saw the flag.
        if (Volatile.Read(ref _tail) == _head) { _producerSleeping = 0; return; }
        _space.Wait(1);
        _producerSleeping = 0;
    }

    /// <summary>Records handed over so far (the mark of a line made now).</summary>
    public long Mark => _head;

    /// <summary>Records opened as assumed, from the first on.</summary>
    public long Reached => Volatile.Read(ref _verified);

    /// <summary>
    /// Waits until the first <paramref name="mark"/> records handed over are opened; throws
    /// <see cref="SpeculationFailedException"/> when one of them did not open as assumed.
    /// </summary>
    public void WaitUntil(long mark)
    {
        var spin = new SpinWait();
        while (Volatile.Read(ref _verified) < mark)
        {
            if (_failed || _crash is not null) throw new SpeculationFailedException(FailedFrame, _crash);
            if (!spin.NextSpinWillYield) spin.SpinOnce();
            else WaitForSpace();
        }
    }

    /// <summary>Waits until every record handed over is opened (see <see cref="WaitUntil"/>).</summary>
    public void Drain() => WaitUntil(_head);

    private void Run()
    {
        try
        {
            var spin = new SpinWait();
            while (!_stop)
            {
                long tail = _tail;
                if (tail == Volatile.Read(ref _head))
                {
                    if (!spin.NextSpinWillYield)
                    {
                        spin.SpinOnce();
                        continue;
                    }
                    _consumerSleeping = 1;
                    if (tail != Volatile.Read(ref _head)) { _consumerSleeping = 0; continue; }
                    _work.Wait(1);
                    _consumerSleeping = 0;
                    spin.Reset();
                    continue;
                }
                spin.Reset();
                ref var job = ref _jobs[tail % JobSlots];
                if (job.Cipher is null)
                {
                    if (_twins.Remove(job.Owner, out var twin)) twin.Dispose();
                }
                else if (!_failed)
                {
                    if (Open(ref job)) Volatile.Write(ref _verified, tail + 1);
                    else
                    {
                        Volatile.Write(ref _failedFrame, job.Frame);
                        _failed = true;
                    }
                }
                if (job.Cipher is null && !_failed) Volatile.Write(ref _verified, tail + 1);
                job.Cipher = null;
                job.Owner = null!;
                Volatile.Write(ref _arenaTail, job.ArenaEnd);
                Volatile.Write(ref _tail, tail + 1);
                if (_producerSleeping == 1)
                {
                    _producerSleeping = 0;
                    _space.Release();
                }
            }
        }
        catch (Exception e)
        {
            // A bug of ours: the producer sees it at its next wait and the run is redone without speculating.
            _crash = e;
            _space.Release();
        }
    }

    private bool Open(ref Job job)
    {
        if (!_twins.TryGetValue(job.Owner, out var twin))
        {
            twin = job.Owner.Twin();
            _twins[job.Owner] = twin;
        }
        var record = _arena.AsSpan(job.Offset, job.Length);
        if (_scratch.Length < record.Length) _scratch = new byte[record.Length];
        return twin.TryDecrypt(record[..5], record[5..], job.Sequence, _scratch, out int length, out byte type)
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
        foreach (var twin in _twins.Values) twin.Dispose();
        _twins.Clear();
        _work.Dispose();
        _space.Dispose();
    }
}

/// <summary>A record opened on the second thread did not give what the list assumed; read the capture again without speculating.</summary>
public sealed class SpeculationFailedException(long frame, Exception? inner)
    : Exception(frame >= 0 ? $"the record in frame {frame} did not open as assumed" : "record verification stopped", inner)
{
    /// <summary>The frame of the record, or -1.</summary>
    public long Frame { get; } = frame;
}
