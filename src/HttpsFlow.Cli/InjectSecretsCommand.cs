using System.CommandLine;
using HttpsFlow.Capture;
using HttpsFlow.Decryption;
using HttpsFlow.Net;
using HttpsFlow.Pipeline;
using HttpsFlow.Tcp;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Handshake;
using HttpsFlow.Tls.List;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Cli;

/// <summary>`httpsflow inject-secrets IN --keylog K -w OUT`: a pcapng copy with the key log embedded (as `editcap --inject-secrets tls,K`).</summary>
internal static class InjectSecretsCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("FILE") { Description = "A pcap or pcapng capture, optionally gzip-compressed." };
        var keylog = new Option<string>("--keylog") { Description = "The NSS key log (SSLKEYLOGFILE) with the connections' secrets.", HelpName = "KEYLOG", Required = true };
        var write = new Option<string>("-w") { Description = "The pcapng file to write.", HelpName = "OUT", Required = true };
        var cmd = new Command("inject-secrets", """
            Write a pcapng copy of a capture with its TLS secrets embedded in a Decryption Secrets Block, as
            `editcap --inject-secrets tls,KEYLOG` does, so that Wireshark, tshark and `httpsflow explain` decrypt it
            without the key log. Only the key log lines whose client random appears in a ClientHello of the capture are
            embedded. A pcap input becomes pcapng; the packets are unchanged.

            Examples:
              httpsflow inject-secrets samples/test-site-tls12.pcapng --keylog samples/test-site-tls12.keys -w with-keys.pcapng
              tshark -r with-keys.pcapng -Y http
            """);
        cmd.Arguments.Add(file);
        cmd.Options.Add(keylog);
        cmd.Options.Add(write);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(file)!, keyPath = parse.GetValue(keylog)!, outPath = parse.GetValue(write)!;
            if (path == "-")
            {
                stderr.WriteLine("httpsflow: inject-secrets reads its input twice: give a file, not standard input");
                return CliApp.ExitUsage;
            }
            if (Path.GetFullPath(path) == Path.GetFullPath(outPath))
            {
                stderr.WriteLine("httpsflow: -w must name another file than the input");
                return CliApp.ExitUsage;
            }
            if (ExplainCommand.LoadKeyLog(keyPath, stderr) is not { } keys) return CliApp.ExitInput;
            var randoms = new ClientRandoms();
            using (var reader = CliApp.OpenCapture(path, stderr))
            {
                if (reader is null) return CliApp.ExitInput;
                var dissector = new Dissector { TlsObserver = randoms };
                while (dissector.Next(reader) is not null)
                {
                }
                if (reader.Error is not null)
                {
                    stderr.WriteLine($"httpsflow: {path}: {reader.Error}");
                    return CliApp.ExitInput;
                }
            }
            var lines = keys.LinesFor(randoms.All).ToList();
            if (lines.Count == 0)
            {
                stderr.WriteLine($"httpsflow: {keyPath}: no line matches a client random of the {randoms.All.Count} TLS connection(s) in {path}; nothing written");
                return CliApp.ExitUsage;
            }
            byte[] input;
            try
            {
                input = File.ReadAllBytes(path);
                using var output = new FileStream(outPath, FileMode.Create, FileAccess.Write);
                if (SecretsInjector.Write(input, output, string.Join('\n', lines) + "\n") is { } error)
                {
                    stderr.WriteLine($"httpsflow: {path}: {error}");
                    return CliApp.ExitInput;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"httpsflow: {e.Message}");
                return CliApp.ExitInput;
            }
            stdout.WriteLine($"{outPath}: {lines.Count} key log line(s) for {randoms.All.Count} TLS connection(s) embedded");
            return CliApp.ExitOk;
        });
        return cmd;
    }

    /// <summary>The client randoms of every ClientHello.</summary>
    private sealed class ClientRandoms : ITlsObserver
    {
        public readonly List<byte[]> All = [];

        public void OnRecord(Frame frame, TcpConversation conversation, bool fromA, in TlsRecord record, ushort version)
        {
        }

        public void OnHandshake(Frame frame, TcpConversation conversation, bool fromA, in HandshakeEvent e, ushort version)
        {
            if (e.Kind != HandshakeEventKind.Message || e.Type != TlsHandshakeType.ClientHello) return;
            var random = ClientHello.Parse(e.Body).Random;
            if (random.Length == 32) All.Add(random.ToArray());
        }
    }
}
