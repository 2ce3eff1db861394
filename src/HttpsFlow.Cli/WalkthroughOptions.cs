using System.CommandLine;
using HttpsFlow.Capture;
using HttpsFlow.Pipeline;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Cli;

/// <summary>The options and the reading pass that `explain`, `report` and `lab` share.</summary>
internal static class WalkthroughOptions
{
    public static Argument<string> File() =>
        new("FILE") { Description = "A pcap or pcapng capture, optionally gzip-compressed; '-' reads standard input." };

    public static Option<string> Language(string what = "Language of the walkthrough")
    {
        var lang = new Option<string>("--lang") { Description = $"{what}: en (English, default) or zh (Chinese).", DefaultValueFactory = _ => "en", HelpName = "en|zh" };
        lang.AcceptOnlyFromAmong("en", "zh");
        return lang;
    }

    public static Option<int?> Stream() =>
        new("--stream") { Description = "Only this TCP connection (its tcp.stream number, as `list` and `conversations --format csv` show).", HelpName = "N" };

    public static Option<string?> Trust() =>
        new("--trust") { Description = "PEM file of trusted root certificates for checking the server's chain (default: this machine's trust store).", HelpName = "PEM" };

    public static Option<bool> Ascii() => new("--ascii") { Description = "Draw the sequence diagram and lists with plain ASCII characters." };

    public static Option<int?> Width() =>
        new("--width") { Description = "Columns to fit (default: the terminal's width, or 100 when the output is not a terminal).", HelpName = "N" };

    /// <summary>Reads the whole capture once, recording its TLS connections (only <paramref name="stream"/> when given).</summary>
    public static ConnectionRecorder Record(CaptureReader reader, int? stream, string path, TextWriter stderr)
    {
        var recorder = new ConnectionRecorder { Stream = stream };
        var dissector = new Dissector { TlsObserver = recorder };
        using var progress = Progress.For(path, reader, stderr);
        long n = 0;
        while (dissector.Next(reader) is { } frame)
        {
            recorder.OnFrame(frame, dissector.Tcp.Last);
            progress?.Tick(++n);
        }
        return recorder;
    }
}
