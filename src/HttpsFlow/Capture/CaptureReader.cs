using System.IO.Compression;

namespace HttpsFlow.Capture;

/// <summary>What <see cref="CaptureReader.Read"/> found.</summary>
public enum ReadOutcome : byte
{
    /// <summary>A packet was read.</summary>
    Packet,
    /// <summary>The input ended cleanly.</summary>
    End,
    /// <summary>The input cannot be read further; <see cref="CaptureReader.Error"/> says why and where.</summary>
    Error,
}

/// <summary>
/// A streaming reader of capture files. It reads one record at a time into a reused buffer, so memory
/// stays constant whatever the file's size. It never throws on bad bytes: a problem ends the read with
/// <see cref="ReadOutcome.Error"/> and a message; every packet before it has been returned.
/// </summary>
/// <remarks>
/// Written here rather than taken from a library because the readers are the hot path: no allocation per
/// packet, spans over one buffer, and exact control over what a damaged file yields before it stops.
/// </remarks>
public abstract class CaptureReader : IDisposable
{
    private protected readonly ByteSource Source;
    private readonly List<DecryptionSecrets> _secrets = new();
    private readonly List<CaptureInterface> _interfaces = new();

    private protected CaptureReader(ByteSource source, string format)
    {
        Source = source;
        _format = format;
    }

    private string _format;
    private bool _gzip;

    /// <summary>"pcap", "pcapng", "pcap (nanosecond)", …, with " (gzip)" when the file was compressed.</summary>
    public string Format
    {
        get => _gzip ? _format + " (gzip)" : _format;
        private protected set => _format = value;
    }

    /// <summary>Why reading stopped, when <see cref="Read"/> returned <see cref="ReadOutcome.Error"/>.</summary>
    public string? Error { get; private protected set; }

    /// <summary>The byte offset (in the uncompressed input) at which reading stopped with an error.</summary>
    public long ErrorOffset { get; private protected set; }

    /// <summary>True when records name their interface (pcapng): frames then show frame.interface_id.</summary>
    public virtual bool HasInterfaceIds => false;

    /// <summary>Interfaces described so far (pcapng), or the single one of a pcap file.</summary>
    public IReadOnlyList<CaptureInterface> Interfaces => _interfaces;

    /// <summary>Decryption Secrets Blocks met so far, in file order.</summary>
    public IReadOnlyList<DecryptionSecrets> Secrets => _secrets;

    /// <summary>Raised when a Decryption Secrets Block is read (before the packets that follow it).</summary>
    public event Action<DecryptionSecrets>? SecretsFound;

    /// <summary>Bytes of the (uncompressed) input consumed so far; for progress reports.</summary>
    public long Position => Source.Offset;

    /// <summary>Reads the next packet. <paramref name="packet"/> is valid until the next call.</summary>
    public ReadOutcome Read(out CapturedPacket packet)
    {
        if (Error is not null) { packet = default; return ReadOutcome.Error; }
        try
        {
            return ReadCore(out packet);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // A corrupt gzip stream or a failing device: everything before it has been returned.
            packet = default;
            return Fail($"read error: {e.Message}", Source.Offset);
        }
    }

    private protected abstract ReadOutcome ReadCore(out CapturedPacket packet);

    private protected ReadOutcome Fail(string message, long offset)
    {
        Error = message;
        ErrorOffset = offset;
        return ReadOutcome.Error;
    }

    private protected void AddInterface(CaptureInterface iface) => _interfaces.Add(iface);

    private protected void ClearInterfaces() => _interfaces.Clear();

    private protected void AddSecrets(DecryptionSecrets secrets)
    {
        _secrets.Add(secrets);
        SecretsFound?.Invoke(secrets);
    }

    public void Dispose()
    {
        Source.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Opens a capture file (pcap, pcapng, either gzip-compressed), or standard input for "-".
    /// Throws <see cref="CaptureOpenException"/> with a one-line message when it is not a capture.
    /// </summary>
    public static CaptureReader Open(string path)
    {
        Stream stream;
        try
        {
            stream = path == "-"
                ? Console.OpenStandardInput()
                : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CaptureOpenException($"cannot open: {e.Message}");
        }
        try
        {
            return Open(stream, ownsStream: true);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Opens a capture from a stream, detecting its format (and gzip) from the first bytes.</summary>
    public static CaptureReader Open(Stream stream, bool ownsStream)
    {
        var source = new ByteSource(stream, ownsStream);
        source.Ensure(4);
        var head = source.Span;
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            // gzip (RFC 1952): decompress on the fly and look again at what is inside.
            var gz = new GZipStream(new ByteSourceStream(source), CompressionMode.Decompress);
            try
            {
                var reader = Open(gz, ownsStream: true);
                reader._gzip = true;
                return reader;
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                gz.Dispose();
                throw new CaptureOpenException($"gzip-compressed, but the compressed data cannot be read: {e.Message}");
            }
        }
        if (head.Length < 4)
            throw new CaptureOpenException(head.Length == 0 ? "the file is empty" : $"the file is only {head.Length} bytes long: not a capture");
        uint magicBe = (uint)(head[0] << 24 | head[1] << 16 | head[2] << 8 | head[3]);
        if (magicBe == PcapNgReader.SectionHeaderType)
            return new PcapNgReader(source);
        if (PcapReader.IsMagic(magicBe))
            return new PcapReader(source);
        source.Dispose();
        throw new CaptureOpenException($"not a pcap or pcapng capture: it starts with {Describe(head)}");
    }

    private static string Describe(ReadOnlySpan<byte> head)
    {
        string hex = Convert.ToHexString(head[..Math.Min(4, head.Length)]).ToLowerInvariant();
        hex = string.Join(' ', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));
        bool text = true;
        foreach (byte b in head[..Math.Min(4, head.Length)])
            if (b < 0x09 || (b > 0x0d && b < 0x20) || b > 0x7e) text = false;
        return text ? $"bytes {hex} (text: \"{System.Text.Encoding.ASCII.GetString(head[..Math.Min(4, head.Length)])}\")" : $"bytes {hex}";
    }
}

/// <summary>The input is not a capture HttpsFlow can read; the message is one line for a person.</summary>
public sealed class CaptureOpenException(string message) : Exception(message);

/// <summary>Reads what a <see cref="ByteSource"/> has buffered first, then its stream: lets gzip see the peeked magic.</summary>
internal sealed class ByteSourceStream(ByteSource source) : Stream
{
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0) return 0;
        if (source.Available == 0 && !source.Ensure(1)) return 0;
        int n = Math.Min(buffer.Length, source.Available);
        source.Span[..n].CopyTo(buffer);
        source.Advance(n);
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => source.Offset; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) source.Dispose();
        base.Dispose(disposing);
    }
}
