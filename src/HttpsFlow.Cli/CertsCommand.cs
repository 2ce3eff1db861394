using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using HttpsFlow.Output;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Cli;

/// <summary>`httpsflow certs FILE`: the certificate chains of each TLS connection, linked, checked and exportable.</summary>
internal static class CertsCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Stream? stdoutStream)
    {
        var file = CliApp.CaptureArgument();
        var format = new Option<string>("--format") { Description = "table: a block per chain for people (default); json: every fact, for programs.", DefaultValueFactory = _ => "table", HelpName = "table|json" };
        format.AcceptOnlyFromAmong("table", "json");
        var stream = CliApp.StreamOption("Show");
        var trust = CliApp.TrustOption("validating the chains");
        var export = new Option<string?>("--export") { Description = "Also write every certificate to this directory as PEM and DER (created when missing).", HelpName = "DIR" };
        var cmd = new Command("certs", """
            Show the certificates each TLS connection carried in the clear (the server's chain, and the client's
            when it sent one; TLS 1.3 encrypts them), in issuing order from the leaf up: who issued whom and whether
            each signature verifies with its issuer's key, the validity period and whether it held at the capture's
            time, the subject alternative names, the key, the serial number and the SHA-256 and SHA-1 fingerprints.
            Each chain is validated at the connection's time against the roots of --trust, or this machine's trust
            store, with the reason when it fails; the leaf is checked against the SNI name.

            With --export DIR each certificate is written twice, as DIR/NAME.pem and DIR/NAME.der, NAME being
            stream<N>-<server|client>-<index as sent>-<common name> with characters other than letters, digits,
            '.', '-' and '_' replaced by '_'; each file written is named on standard error.

            Examples:
              httpsflow certs samples/test-site-tls12.pcapng --trust samples/pki/root.pem
              httpsflow certs capture.pcapng --format json
              httpsflow certs capture.pcap --stream 2 --export ./certs
            """);
        cmd.Arguments.Add(file);
        var filterOpt = CliApp.FilterOption("only the connections with a packet that matches");
        foreach (var o in new Option[] { format, stream, trust, export, filterOpt }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            string? trustPath = parse.GetValue(trust);
            if (!CliApp.TryLoadTrust(trustPath, stderr, out var anchors)) return CliApp.ExitUsage;
            string? exportDir = parse.GetValue(export);
            if (exportDir is not null)
            {
                try
                {
                    Directory.CreateDirectory(exportDir);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    stderr.WriteLine($"httpsflow: {exportDir}: {e.Message}");
                    return CliApp.ExitUsage;
                }
            }
            if (!CliApp.TryCompileFilter(parse.GetValue(filterOpt), stderr, out var filter)) return CliApp.ExitUsage;
            using var reader = CliApp.OpenCapture(path, stderr);
            if (reader is null) return CliApp.ExitInput;
            int? only = parse.GetValue(stream);
            var recorder = CliApp.Record(path, reader, stderr, new ConnectionRecorder { Stream = only, KeepFrames = false }, null, filter, out var matched);
            var connections = recorder.Connections.Where(c => filter is null || matched.Contains(c.Stream)).ToList();
            var summary = new HandshakeSummary(anchors);
            var chains = connections.SelectMany(c => CertificateReport.For(c, summary, anchors)).ToList();
            string trustSource = trustPath ?? "the system trust store";
            var output = stdoutStream ?? Console.OpenStandardOutput();
            using (var sink = new TextSink(output, ownsStream: stdoutStream is null))
            {
                try
                {
                    if (parse.GetValue(format) == "json") CertificateText.WriteJson(sink, chains, trustSource);
                    else if (chains.Count > 0) CertificateText.WriteText(sink, chains, trustSource);
                    else if (connections.Count > 0) sink.Append("No certificate was sent in the clear (TLS 1.3 encrypts them; a resumed session sends none).").EndLine();
                    sink.Flush();
                }
                catch (IOException)
                {
                    // The reader of our output went away (`| head`): stop quietly.
                }
            }
            if (exportDir is not null && !Export(exportDir, chains, stderr)) return CliApp.ExitInput;
            return CliApp.TlsCommandExit(connections.Count, only, path, reader, stderr);
        });
        return cmd;
    }

    /// <summary>The base of an exported certificate's file names.</summary>
    internal static string FileName(ConnectionCertificates chain, ChainLink link)
    {
        string cn = link.Certificate.Subject?.CommonName ?? "no-cn";
        var sb = new StringBuilder();
        foreach (char ch in cn.Length > 64 ? cn[..64] : cn)
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_' ? ch : '_');
        return $"stream{chain.Connection.Stream}-{chain.Side}-{link.Index}-{sb}";
    }

    private static bool Export(string dir, IEnumerable<ConnectionCertificates> chains, TextWriter stderr)
    {
        foreach (var chain in chains)
        {
            foreach (var link in chain.Links.OrderBy(l => l.Index))
            {
                string basePath = Path.Combine(dir, FileName(chain, link));
                var der = link.Certificate.Der.Span;
                try
                {
                    File.WriteAllText(basePath + ".pem", new string(PemEncoding.Write("CERTIFICATE", der)) + "\n");
                    File.WriteAllBytes(basePath + ".der", der.ToArray());
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"httpsflow: {basePath}: {e.Message}");
                    return false;
                }
                stderr.WriteLine($"httpsflow: wrote {basePath}.pem and {basePath}.der");
            }
        }
        return true;
    }
}
