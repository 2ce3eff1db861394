using System.CommandLine;
using System.Text;
using HttpsFlow.Pipeline;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Cli;

/// <summary>`httpsflow explain FILE`: the walkthrough of each TLS connection — header, sequence diagram, narration, timing, findings.</summary>
internal static class ExplainCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Stream? stdoutStream)
    {
        var file = new Argument<string>("FILE") { Description = "A pcap or pcapng capture, optionally gzip-compressed; '-' reads standard input." };
        var stream = new Option<int?>("--stream") { Description = "Explain only this TCP connection (its tcp.stream number, as `list` and `conversations --format csv` show).", HelpName = "N" };
        var lang = new Option<string>("--lang") { Description = "Language of the walkthrough: en (English, default) or zh (Chinese).", DefaultValueFactory = _ => "en", HelpName = "en|zh" };
        lang.AcceptOnlyFromAmong("en", "zh");
        var format = new Option<string>("--format") { Description = "text (wrapped for the terminal, default) or markdown.", DefaultValueFactory = _ => "text", HelpName = "text|markdown" };
        format.AcceptOnlyFromAmong("text", "markdown");
        var ascii = new Option<bool>("--ascii") { Description = "Draw the sequence diagram and lists with plain ASCII characters." };
        var width = new Option<int?>("--width") { Description = "Columns to fit (default: the terminal's width, or 100 when the output is not a terminal).", HelpName = "N" };
        var color = CliApp.ColorOption();
        var filterOpt = CliApp.FilterOption("explain only the connections with a packet that matches");
        var trust = new Option<string?>("--trust") { Description = "PEM file of trusted root certificates for checking the server's chain (default: this machine's trust store).", HelpName = "PEM" };
        var cmd = new Command("explain", """
            Explain each TLS connection of a capture step by step, the way an expert reads it in Wireshark: who talked
            to whom (SNI, version, cipher suite, ALPN, resumed or full), a sequence diagram with every segment's Seq,
            Ack and Len, then every segment in order — the three-way handshake, each Ack worked out from the segment it
            acknowledges (and when it rides on data instead of a bare ACK), each TLS message decoded (the cipher
            suites offered and the one chosen taken apart, the certificate chain checked at the capture's own time,
            the key exchange, Change Cipher Spec and the encrypted Finished, the session ticket's lifetime), the
            application data and the teardown — followed by the timing (TCP round trip, TLS handshake, time to first
            data, round trips) and findings (losses, alerts, certificate problems, weak choices).

            Examples:
              httpsflow explain samples/test-site-tls12.pcapng
              httpsflow explain samples/tls13.pcapng --lang zh
              httpsflow explain capture.pcapng --stream 3 --format markdown > walkthrough.md
              httpsflow explain capture.pcap --trust my-root-ca.pem --ascii
            """);
        cmd.Arguments.Add(file);
        foreach (var o in new Option[] { stream, lang, format, ascii, width, color, trust, filterOpt }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            IReadOnlyList<X509.Certificate>? anchors = null;
            if (parse.GetValue(trust) is { } trustPath)
            {
                try
                {
                    anchors = X509.Certificate.ParsePem(File.ReadAllText(trustPath));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"httpsflow: {trustPath}: {e.Message}");
                    return CliApp.ExitUsage;
                }
                if (anchors.Count == 0)
                {
                    stderr.WriteLine($"httpsflow: {trustPath}: no PEM certificate in it");
                    return CliApp.ExitUsage;
                }
            }
            if (!CliApp.TryCompileFilter(parse.GetValue(filterOpt), stderr, out var filter)) return CliApp.ExitUsage;
            using var reader = CliApp.OpenCapture(path, stderr);
            if (reader is null) return CliApp.ExitInput;
            int? only = parse.GetValue(stream);
            var recorder = new ConnectionRecorder { Stream = only };
            var dissector = new Dissector { TlsObserver = recorder };
            filter?.Configure(dissector);
            var kept = new HashSet<int>(); // with -Y: the tcp.stream of every connection with a matching packet
            using var progress = Progress.For(path, reader, stderr);
            long n = 0;
            while (dissector.Next(reader) is { } frame)
            {
                recorder.OnFrame(frame, dissector.Tcp.Last);
                if (filter is not null && frame.Transport == Net.TransportKind.Tcp && frame.Tcp.Stream >= 0 && filter.Matches(frame)) kept.Add(frame.Tcp.Stream);
                progress?.Tick(++n);
            }
            progress?.Dispose();

            bool terminal = stdoutStream is null && !Console.IsOutputRedirected;
            int columns = parse.GetValue(width) ?? CliApp.TerminalWidth(terminal, 100);
            bool useColor = CliApp.UseColor(parse.GetValue(color), terminal);
            var options = new WalkOptions
            {
                Language = parse.GetValue(lang) ?? "en", Width = columns, Ascii = parse.GetValue(ascii), TrustAnchors = anchors,
            };
            var walkFormat = parse.GetValue(format) == "markdown" ? WalkFormat.Markdown : WalkFormat.Text;
            var output = stdoutStream ?? Console.OpenStandardOutput();
            using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: stdoutStream is not null);
            int written = 0;
            try
            {
                foreach (var connection in recorder.Connections)
                {
                    if (filter is not null && !kept.Contains(connection.Stream)) continue;
                    if (written++ > 0) writer.Write(walkFormat == WalkFormat.Markdown ? "\n---\n\n" : "\n\n");
                    WalkWriter.Write(writer, Narrator.Explain(connection, options), walkFormat, columns, options.Ascii, useColor);
                }
                writer.Flush();
            }
            catch (IOException)
            {
                // The reader of our output went away (`| head`): stop quietly.
            }
            if (reader.Error is not null)
            {
                stderr.WriteLine($"httpsflow: {path}: {reader.Error}");
                return CliApp.ExitInput;
            }
            if (written == 0)
            {
                stderr.WriteLine(only is { } s
                    ? $"httpsflow: {path}: tcp.stream {s} carries no TLS"
                    : filter is not null
                        ? $"httpsflow: {path}: no TLS connection has a packet matching the filter"
                        : $"httpsflow: {path}: no TLS connection found");
                return CliApp.ExitUsage;
            }
            return CliApp.ExitOk;
        });
        return cmd;
    }
}
