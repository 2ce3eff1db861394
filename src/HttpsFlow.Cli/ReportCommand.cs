using System.CommandLine;
using HttpsFlow.Pipeline;
using HttpsFlow.Report;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Cli;

/// <summary>`httpsflow report FILE -o report.html`: the walkthrough as one self-contained HTML page.</summary>
internal static class ReportCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Stream? stdoutStream)
    {
        var file = new Argument<string>("FILE") { Description = "A pcap or pcapng capture, optionally gzip-compressed; '-' reads standard input." };
        var output = new Option<string>("-o", "--output") { Description = "The HTML file to write ('-' writes to standard output).", Required = true, HelpName = "report.html" };
        var lang = new Option<string>("--lang") { Description = "Language of the page: en (default) or zh.", DefaultValueFactory = _ => "en", HelpName = "en|zh" };
        lang.AcceptOnlyFromAmong("en", "zh");
        var stream = new Option<int?>("--stream") { Description = "Only this TCP connection (its tcp.stream number).", HelpName = "N" };
        var trust = new Option<string?>("--trust") { Description = "PEM file of trusted root certificates for the chain checks (default: this machine's trust store).", HelpName = "PEM" };
        var cmd = new Command("report", """
            Write the walkthrough of every TLS connection as one HTML file that needs nothing else (no network, no
            fonts, no scripts from elsewhere): findings at the top, a sortable and searchable table of the
            connections, and for the one chosen its header, timing waterfall, a sequence diagram whose arrows select
            the packet and the steps that tell of it, the packet's detail tree and bytes, and the certificate chain
            as cards. Open it in any browser, mail it, attach it to a bug.

            Examples:
              httpsflow report samples/test-site-tls12.pcapng -o test-site.html
              httpsflow report capture.pcapng -o report.html --lang zh --trust my-root.pem
            """);
        cmd.Arguments.Add(file);
        foreach (var o in new Option[] { output, lang, stream, trust }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            if (CliApp.ReadTrustAnchors(parse.GetValue(trust), stderr, out var anchors) is { } bad) return bad;
            using var reader = CliApp.OpenCapture(path, stderr);
            if (reader is null) return CliApp.ExitInput;
            var recorder = new ConnectionRecorder { Stream = parse.GetValue(stream) };
            var dissector = new Dissector { TlsObserver = recorder };
            using var progress = Progress.For(path, reader, stderr);
            long n = 0;
            while (dissector.Next(reader) is { } frame)
            {
                recorder.OnFrame(frame, dissector.Tcp.Last);
                progress?.Tick(++n);
            }
            progress?.Dispose();
            string language = parse.GetValue(lang) ?? "en";
            var options = new WalkOptions { Language = language, TrustAnchors = anchors };
            var walks = recorder.Connections.Select(c => Narrator.Explain(c, options)).ToList();
            if (reader.Error is not null)
                stderr.WriteLine($"httpsflow: {path}: {reader.Error} (the report shows what was read before it)");
            if (walks.Count == 0)
            {
                stderr.WriteLine($"httpsflow: {path}: no TLS connection found");
                return reader.Error is not null ? CliApp.ExitInput : CliApp.ExitUsage;
            }
            string outPath = parse.GetValue(output)!;
            try
            {
                using var o = outPath == "-" ? (stdoutStream ?? Console.OpenStandardOutput()) : File.Create(outPath);
                HtmlReport.Write(o, Path.GetFileName(path), language, walks);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"httpsflow: {outPath}: {e.Message}");
                return CliApp.ExitInput;
            }
            if (outPath != "-") stderr.WriteLine($"httpsflow: wrote {outPath} ({walks.Count} TLS connection{(walks.Count == 1 ? "" : "s")})");
            return reader.Error is not null ? CliApp.ExitInput : CliApp.ExitOk;
        });
        return cmd;
    }
}
