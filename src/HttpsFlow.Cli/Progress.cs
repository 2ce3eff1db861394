using System.Diagnostics;
using HttpsFlow.Capture;

namespace HttpsFlow.Cli;

/// <summary>
/// A progress line on standard error while a large capture is read, only when standard error is a terminal
/// (never in a pipe or a log). It is redrawn at most four times a second and erased at the end.
/// </summary>
internal sealed class Progress : IDisposable
{
    /// <summary>Files smaller than this are read too quickly to need a progress line.</summary>
    public const long Threshold = 64L * 1024 * 1024;

    private readonly CaptureReader _reader;
    private readonly TextWriter _stderr;
    private readonly string _name;
    private readonly long _size; // 0 when unknown (stdin, gzip)
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _nextDraw = 250;
    private bool _drawn;

    private Progress(CaptureReader reader, TextWriter stderr, string name, long size)
    {
        _reader = reader;
        _stderr = stderr;
        _name = name;
        _size = size;
    }

    /// <summary>A progress line for <paramref name="path"/>, or null when none should be shown.</summary>
    public static Progress? For(string path, CaptureReader reader, TextWriter stderr)
    {
        if (Console.IsErrorRedirected || stderr != Console.Error || path == "-") return null;
        long size;
        try { size = new FileInfo(path).Length; }
        catch (IOException) { return null; }
        if (size < Threshold) return null;
        return new Progress(reader, stderr, Path.GetFileName(path), reader.Format.EndsWith("(gzip)", StringComparison.Ordinal) ? 0 : size);
    }

    /// <summary>Call once per packet; cheap unless a redraw is due.</summary>
    public void Tick(long packets)
    {
        if ((packets & 1023) != 0 || _clock.ElapsedMilliseconds < _nextDraw) return;
        _nextDraw = _clock.ElapsedMilliseconds + 250;
        long read = _reader.Position;
        string text = _size > 0
            ? $"\rreading {_name}: {100.0 * read / _size,5:F1}%  {read / 1048576.0:F0} of {_size / 1048576.0:F0} MB  {packets:N0} packets "
            : $"\rreading {_name}: {read / 1048576.0:F0} MB  {packets:N0} packets ";
        _stderr.Write(text);
        _drawn = true;
    }

    public void Dispose()
    {
        if (_drawn) _stderr.Write("\r\x1b[K");
    }
}
