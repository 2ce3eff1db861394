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
        var keylog = new Option<string?>("--keylog") { Description = "NSS key log (SSLKEYLOGFILE) to decrypt with; secrets embedded in a pcapng are used anyway.", HelpName = "KEYLOG" };
        var trees = new Option<int>("--packet-trees") { Description = "How many packets (the first TCP ones) carry their detail tree and bytes in the page (default 2000; 0 for none). The rest can be seen with `httpsflow show FILE --frame N`.", DefaultValueFactory = _ => 2000, HelpName = "N" };
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
        var filterOpt = CliApp.FilterOption("only the connections with a packet that matches");
        foreach (var o in new Option[] { output, lang, stream, trust, keylog, trees, filterOpt }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            if (!CliApp.TryLoadTrust(parse.GetValue(trust), stderr, out var anchors)) return CliApp.ExitUsage;
            if (!CliApp.TryCompileFilter(parse.GetValue(filterOpt), stderr, out var filter)) return CliApp.ExitUsage;
            using var reader = CliApp.OpenCapture(path, stderr);
            if (reader is null) return CliApp.ExitInput;
            if (!DecryptionArgs.TryLoad(parse.GetValue(keylog), null, stderr, out var keys, out _, out int keyExit)) return keyExit;
            var decryptor = new Decryption.TlsDecryptor(keys);
            decryptor.UseSecretsOf(reader);
            int treeLimit = parse.GetValue(trees);
            if (treeLimit < 0)
            {
                stderr.WriteLine("httpsflow: --packet-trees must not be negative");
                return CliApp.ExitUsage;
            }
            // One pass: the connections, each packet's detail tree while the limit allows, decryption when keys exist.
            var recorder = new ConnectionRecorder { Stream = parse.GetValue(stream) };
            var tlsStore = new Fields.TlsFrameStore();
            var details = new PacketDetails(treeLimit);
            var dissector = new Dissector
            {
                KeepPacketBytes = treeLimit > 0, KeepPayload = treeLimit > 0,
                TlsObserver = new Tls.List.TlsObservers(recorder, tlsStore, decryptor),
            };
            filter?.Configure(dissector);
            var matched = new HashSet<int>();
            using (var progress = Progress.For(path, reader, stderr))
            {
                long n = 0;
                while (dissector.Next(reader) is { } frame)
                {
                    recorder.OnFrame(frame, dissector.Tcp.Last);
                    if (filter is not null && frame.Transport == Net.TransportKind.Tcp && frame.Tcp.Stream >= 0 && filter.Matches(frame)) matched.Add(frame.Tcp.Stream);
                    details.Add(frame, tlsStore);
                    progress?.Tick(++n);
                }
            }
            string language = parse.GetValue(lang) ?? "en";
            var options = new WalkOptions
            {
                Language = language, TrustAnchors = anchors,
                Decryption = conversation => decryptor.Find(conversation) is { } d && (d.KeysFound || decryptor.Keys.Count > 0) ? d : null,
            };
            var walks = recorder.Connections.Where(c => filter is null || matched.Contains(c.Stream)).Select(c => Narrator.Explain(c, options)).ToList();
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
                HtmlReport.Write(o, Path.GetFileName(path), language, walks, details.Kept);
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
