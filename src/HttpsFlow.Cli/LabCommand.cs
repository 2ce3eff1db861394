using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using HttpsFlow.Cli.Live;
using HttpsFlow.Pipeline;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Cli;

/// <summary>`httpsflow lab`: serve, fetch, capture and explain one HTTPS request on this machine.</summary>
internal static class LabCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Stream? stdoutStream)
    {
        var tls = new Option<string>("--tls") { Description = "TLS version of the exchange: 1.3 (default) or 1.2 (with ECDHE-RSA-AES128-GCM-SHA256, the suite of the classic walkthrough).", DefaultValueFactory = _ => "1.3", HelpName = "1.2|1.3" };
        tls.AcceptOnlyFromAmong("1.2", "1.3");
        var port = new Option<int>("--port") { Description = "The test site's port on 127.0.0.1 (default 443).", DefaultValueFactory = _ => 443, HelpName = "P" };
        var write = new Option<string?>("-w", "--write") { Description = "Where to write the capture (default: httpsflow-lab.pcapng in the temporary directory).", HelpName = "OUT.pcapng" };
        var lang = WalkthroughOptions.Language();
        var ascii = WalkthroughOptions.Ascii();
        var width = WalkthroughOptions.Width();
        var color = CliApp.ColorOption();
        var cmd = new Command("lab", """
            Reproduce the whole HTTPS experiment on this machine: start a test site on 127.0.0.1 (ASP.NET Core's
            Kestrel serving /test.html, whose body is "test", behind a freshly made chain: a root, an intermediate
            and a certificate for test.httpsflow.lab), fetch it once with .NET's HttpClient trusting that root,
            capture the exchange on the loopback interface through libpcap, write it as pcapng with the
            connection's TLS secrets embedded (so Wireshark and tshark can decrypt it), and explain it.
            Capturing needs root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities; without them the lab stops and
            says so (it never makes packets up).

            Examples:
              sudo httpsflow lab
              sudo httpsflow lab --tls 1.2 --lang zh
              sudo httpsflow lab --port 8443 -w lab.pcapng && tshark -r lab.pcapng -Y http
            """);
        foreach (var o in new Option[] { tls, port, write, lang, ascii, width, color }) cmd.Options.Add(o);
        cmd.SetAction(async (parse, cancel) =>
        {
            int p = parse.GetValue(port);
            if (p is <= 0 or > 65535)
            {
                stderr.WriteLine("httpsflow: --port must be between 1 and 65535");
                return CliApp.ExitUsage;
            }
            string capturePath = parse.GetValue(write) ?? Path.Combine(Path.GetTempPath(), "httpsflow-lab.pcapng");
            string keyLog = Path.Combine(Path.GetTempPath(), $"httpsflow-lab-{Environment.ProcessId}.keys");
            File.Delete(keyLog);
            Lab.EnableKeyLog(keyLog);
            LabResult result;
            try
            {
                result = await Lab.RunAsync(parse.GetValue(tls)!, p, capturePath, keyLog, stderr, cancel);
            }
            catch (LiveCaptureException e)
            {
                stderr.WriteLine($"httpsflow: lab cannot capture on the loopback interface: {e.Message}");
                return CliApp.ExitInput;
            }
            catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                stderr.WriteLine($"httpsflow: lab: port {p} on 127.0.0.1 is in use; choose another with --port");
                return CliApp.ExitInput;
            }
            catch (HttpRequestException e)
            {
                stderr.WriteLine($"httpsflow: lab: the request failed: {e.Message}");
                return CliApp.ExitInput;
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                stderr.WriteLine($"httpsflow: lab: {e.Message}");
                return CliApp.ExitInput;
            }
            finally
            {
                // The key log holds the session's secrets; they now live only in the capture the user asked for.
                File.Delete(keyLog);
            }
            stderr.WriteLine($"httpsflow lab: GET /test.html -> {result.StatusCode}, body \"{result.Body}\"; {result.Packets} packets and {result.KeyLogLines} key log lines written to {result.CapturePath}");

            using var reader = CliApp.OpenCapture(result.CapturePath, stderr);
            if (reader is null) return CliApp.ExitInput;
            // The capture carries its own secrets (a Decryption Secrets Block): the walkthrough is decrypted.
            var decryptor = new Decryption.TlsDecryptor(new Decryption.KeyLog());
            decryptor.UseSecretsOf(reader);
            var recorder = CliApp.Record(result.CapturePath, reader, stderr, new ConnectionRecorder(), decryptor);
            bool terminal = stdoutStream is null && !Console.IsOutputRedirected;
            int columns = parse.GetValue(width) ?? CliApp.TerminalWidth(terminal, 100);
            // The chain is checked against the root the lab made: the one the client trusted.
            var options = new WalkOptions
            {
                Language = parse.GetValue(lang) ?? "en", Width = columns, Ascii = parse.GetValue(ascii),
                TrustAnchors = [X509.Certificate.Parse(result.RootCertificate)],
                Decryption = conversation => decryptor.Find(conversation),
            };
            var output = stdoutStream ?? Console.OpenStandardOutput();
            using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: stdoutStream is not null);
            int written = 0;
            foreach (var connection in recorder.Connections)
            {
                if (written++ > 0) writer.Write("\n\n");
                WalkWriter.Write(writer, Narrator.Explain(connection, options), WalkFormat.Text, columns, options.Ascii, CliApp.UseColor(parse.GetValue(color), terminal));
            }
            writer.Flush();
            if (written == 0)
            {
                stderr.WriteLine($"httpsflow: lab: the capture holds no TLS connection ({result.Packets} packets)");
                return CliApp.ExitInput;
            }
            return CliApp.ExitOk;
        });
        return cmd;
    }
}
