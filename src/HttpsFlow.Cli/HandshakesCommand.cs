using System.CommandLine;
using HttpsFlow.Output;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Cli;

/// <summary>`httpsflow handshakes FILE`: one row per TLS connection, with the fields of Zeek's ssl.log and more.</summary>
internal static class HandshakesCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Stream? stdoutStream)
    {
        var file = CliApp.CaptureArgument();
        var format = new Option<string>("--format")
        {
            Description = "table: the main columns, fitted to the terminal (default); csv or json: every column, for programs.",
            DefaultValueFactory = _ => "table",
            HelpName = "table|csv|json",
        };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var stream = CliApp.StreamOption("Report");
        var trust = CliApp.TrustOption("validating the server's chain");
        var width = new Option<int?>("--width") { Description = "Columns the table may use (default: the terminal's width, or 120 when the output is not a terminal).", HelpName = "N" };
        var cmd = new Command("handshakes", """
            Print one row per TLS connection with the fields of Zeek's ssl.log, under Zeek's names and spellings:
            ts (first TLS record), uid, id.orig_h/p (client), id.resp_h/p (server), version (TLSv12, TLSv13…),
            cipher, curve, server_name (SNI), resumed, last_alert, next_protocol (ALPN), established, ssl_history,
            cert_chain_fps and client_cert_chain_fps (SHA-256 of each certificate as sent), subject and issuer of the
            server's certificate (RFC 4514), validation_status (OpenSSL's words, checked at the capture's time);
            then ja3, ja3s, ja4, tcp_rtt, handshake_time, time_to_first_byte (seconds) and the decryption status.

            ssl_history has a letter per message seen in the clear, upper case from the client: C client hello,
            S server hello, J hello retry request, X certificate, K server key exchange, R certificate request,
            N server hello done, Y certificate verify, G client key exchange, F finished, T new session ticket,
            U certificate status, O encrypted extensions, I change cipher spec, L alert, B heartbeat (and H, V, E,
            W, A, P, M, Z, Q as Zeek has them). Like Zeek, it stops where the connection is established.

            uid is stable: "C" and 17 base-62 digits of SHA-256 over the client and server address and port and
            the connection's first timestamp, so the same capture always gives the same ids.

            Examples:
              httpsflow handshakes samples/test-site-tls12.pcapng
              httpsflow handshakes samples/tls13.pcapng --format json
              httpsflow handshakes capture.pcap --format csv > ssl.csv
              httpsflow handshakes capture.pcapng --stream 3 --trust my-root-ca.pem
            """);
        cmd.Arguments.Add(file);
        var filterOpt = CliApp.FilterOption("only the connections with a packet that matches");
        foreach (var o in new Option[] { format, stream, trust, width, filterOpt }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            if (!CliApp.TryLoadTrust(parse.GetValue(trust), stderr, out var anchors)) return CliApp.ExitUsage;
            if (!CliApp.TryCompileFilter(parse.GetValue(filterOpt), stderr, out var filter)) return CliApp.ExitUsage;
            using var reader = CliApp.OpenCapture(path, stderr);
            if (reader is null) return CliApp.ExitInput;
            int? only = parse.GetValue(stream);
            var recorder = CliApp.Record(path, reader, stderr, new ConnectionRecorder { Stream = only, KeepFrames = false }, null, filter, out var matched);
            var connections = recorder.Connections.Where(c => filter is null || matched.Contains(c.Stream)).ToList();
            var summary = new HandshakeSummary(anchors);
            var rows = connections.Select(summary.Build).ToList();
            bool terminal = stdoutStream is null && !Console.IsOutputRedirected;
            var output = stdoutStream ?? Console.OpenStandardOutput();
            using (var sink = new TextSink(output, ownsStream: stdoutStream is null))
            {
                try
                {
                    if (rows.Count > 0)
                    {
                        switch (parse.GetValue(format))
                        {
                            case "csv": HandshakeTable.WriteCsv(sink, rows); break;
                            case "json": HandshakeTable.WriteJson(sink, rows); break;
                            default: HandshakeTable.WriteTable(sink, rows, parse.GetValue(width) ?? CliApp.TerminalWidth(terminal, 120)); break;
                        }
                    }
                    sink.Flush();
                }
                catch (IOException)
                {
                    // The reader of our output went away (`| head`): stop quietly.
                }
            }
            return CliApp.TlsCommandExit(rows.Count, only, path, reader, stderr);
        });
        return cmd;
    }
}
