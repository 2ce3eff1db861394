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
        var file = CliApp.CaptureArgument();
        var output = new Option<string>("-o", "--output") { Description = "The HTML file to write ('-' writes to standard output).", Required = true, HelpName = "report.html" };
        var lang = WalkthroughOptions.Language("Language of the page");
        var stream = CliApp.StreamOption("Report");
        var trust = CliApp.TrustOption("the chain checks");
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
            if (!CliApp.TryLoadTrust(parse.GetValue(trust), stderr, out var anchors)) return CliApp.ExitUsage;
            using var reader = CliApp.OpenCapture(path, stderr);
            if (reader is null) return CliApp.ExitInput;
            var recorder = CliApp.Record(path, reader, stderr, new ConnectionRecorder { Stream = parse.GetValue(stream) });
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
