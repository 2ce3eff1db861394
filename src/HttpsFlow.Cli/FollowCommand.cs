using System.CommandLine;
using System.Text;
using HttpsFlow.Decryption;
using HttpsFlow.Follow;
using HttpsFlow.Pipeline;

namespace HttpsFlow.Cli;

/// <summary>`httpsflow follow FILE --stream N`: the decrypted conversation of one connection, as `tshark -q -z follow,tls,ascii,N` prints it.</summary>
internal static class FollowCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Stream? stdoutStream)
    {
        var file = CliApp.CaptureArgument();
        var stream = CliApp.StreamOption("Follow");
        stream.Required = true;
        var format = new Option<string>("--format")
        {
            Description = "ascii (default): each chunk's length, then its bytes (unprintable ones as '.'); hex: a hex dump; "
                + "raw: one line of hex digits per chunk; yaml: frame, side, time and base64 bytes of each chunk.",
            DefaultValueFactory = _ => "ascii",
            HelpName = "ascii|hex|raw|yaml",
        };
        format.AcceptOnlyFromAmong("ascii", "hex", "raw", "yaml");
        var keylog = new Option<string?>("--keylog") { Description = "NSS key log (SSLKEYLOGFILE) to decrypt with; secrets embedded in a pcapng are used anyway.", HelpName = "KEYLOG" };
        var rsaKey = new Option<string[]>("--rsa-key") { Description = "PEM file with the server's RSA private key: decrypts connections with RSA key exchange (TLS_RSA_WITH_*) that the key log does not cover. May be repeated.", HelpName = "PEM" };
        var tcp = new Option<bool>("--tcp") { Description = "Follow the TCP payload as it was sent (the encrypted records), as `tshark -z follow,tcp,…` does." };
        var cmd = new Command("follow", """
            Print the conversation of one TCP connection exactly as `tshark -q -z follow,tls,ascii,N` does: the
            decrypted application data, one chunk per TLS record in the order the records were captured. Node 0 is
            the side whose records were decrypted first (the client after a full TLS 1.2 handshake, the server in
            TLS 1.3); the other side's chunks are marked with a tab. tshark 4.0 prints node 1 as ":0" for TLS, and so
            does this command. A connection that cannot be decrypted gets the header alone, and the reason on stderr.

            --format hex, raw and yaml are tshark's follow,tls,hex / raw / yaml. --tcp follows the TCP payload
            instead (follow,tcp): one chunk per segment with new bytes, retransmitted bytes shown once, segments that
            came early held until the hole before them is filled, and "[N bytes missing in capture file]" where the
            other side acknowledged bytes the capture lacks.

            Examples:
              httpsflow follow samples/test-site-tls12.pcapng --stream 0 --keylog samples/test-site-tls12.keys
              httpsflow follow samples/test-site-tls12-dsb.pcapng --stream 0
              httpsflow follow samples/tls13.pcapng --stream 0 --keylog samples/tls13.keys --format hex
              httpsflow follow capture.pcapng --stream 3 --format yaml > stream3.yaml
              httpsflow follow capture.pcap --stream 3 --tcp --format raw
            """);
        cmd.Arguments.Add(file);
        foreach (var o in new Option[] { stream, format, keylog, rsaKey, tcp }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            int only = parse.GetValue(stream) ?? 0;
            if (only < 0)
            {
                stderr.WriteLine("httpsflow: --stream must not be negative");
                return CliApp.ExitUsage;
            }
            bool followTcp = parse.GetValue(tcp);
            if (!DecryptionArgs.TryLoad(parse.GetValue(keylog), parse.GetValue(rsaKey), stderr, out var keys, out var rsaKeys, out int keyExit))
                return keyExit;
            using var reader = CliApp.OpenCapture(path, stderr);
            if (reader is null) return CliApp.ExitInput;

            var decryptor = new TlsDecryptor(keys);
            decryptor.UseSecretsOf(reader);
            decryptor.RsaKeys.AddRange(rsaKeys);
            var tlsFollower = new TlsFollower(only);
            var tcpFollower = new TcpFollower(only);
            decryptor.Sink = tlsFollower;
            var dissector = new Dissector { KeepPayload = followTcp };
            if (!followTcp) dissector.TlsObserver = decryptor;
            bool seen = false;
            int streams = 0;
            using (var progress = Progress.For(path, reader, stderr))
            {
                long n = 0;
                while (dissector.Next(reader) is { } frame)
                {
                    if (frame.Transport == Net.TransportKind.Tcp && frame.Tcp.Stream >= 0)
                    {
                        streams = Math.Max(streams, frame.Tcp.Stream + 1);
                        if (frame.Tcp.Stream == only)
                        {
                            seen = true;
                            if (followTcp) tcpFollower.OnFrame(frame);
                            else tlsFollower.OnFrame(frame);
                        }
                    }
                    // A connection known only from the TCP header an ICMP error quotes exists, with nothing to follow.
                    if (frame.HasQuotedTcp && frame.QuotedStream == only) seen = true;
                    progress?.Tick(++n);
                }
            }

            if (!seen)
            {
                if (CliApp.ReadOutcome(reader, path, stderr) != CliApp.ExitOk) return CliApp.ExitInput;
                stderr.WriteLine(streams == 0
                    ? $"httpsflow: {path}: no tcp.stream {only}: the capture has no TCP connection"
                    : $"httpsflow: {path}: no tcp.stream {only}: the capture's TCP connections are 0–{streams - 1}");
                return CliApp.ExitUsage;
            }

            var result = followTcp ? tcpFollower.Result() : tlsFollower.Result();
            var output = stdoutStream ?? Console.OpenStandardOutput();
            using (var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: stdoutStream is not null))
            {
                try
                {
                    FollowWriter.Write(writer, result, ParseFormat(parse.GetValue(format)));
                    writer.Flush();
                }
                catch (IOException)
                {
                    // The reader of our output went away (`| head`): stop quietly.
                }
            }
            if (CliApp.ReadOutcome(reader, path, stderr) != CliApp.ExitOk) return CliApp.ExitInput;
            if (followTcp) return CliApp.ExitOk;

            var session = decryptor.Sessions.FirstOrDefault(s => s.Conversation.Stream == only);
            if (session is null)
            {
                stderr.WriteLine($"httpsflow: {path}: tcp.stream {only} carries no TLS (--tcp follows its TCP payload)");
                return CliApp.ExitUsage;
            }
            if (session.Status != DecryptionStatus.Decrypted)
                stderr.WriteLine($"httpsflow: warning: tcp.stream {only} was not decrypted: {Why(session.Status)}");
            else if (result.Chunks.Count == 0 && tlsFollower.DecryptedRecords == 0)
                stderr.WriteLine($"httpsflow: warning: tcp.stream {only} carries no encrypted record to decrypt");
            return CliApp.ExitOk;
        });
        return cmd;
    }

    private static FollowFormat ParseFormat(string? value) => value switch
    {
        "hex" => FollowFormat.Hex,
        "raw" => FollowFormat.Raw,
        "yaml" => FollowFormat.Yaml,
        _ => FollowFormat.Ascii,
    };

    /// <summary>Why a connection was not decrypted, in a few words.</summary>
    internal static string Why(DecryptionStatus status) => status switch
    {
        DecryptionStatus.NoKeyLog => "no key log was given (--keylog) and the capture embeds none",
        DecryptionStatus.NoKeyForClientRandom => "the key log has no secret for this connection's client random",
        DecryptionStatus.CipherNotSupported => "its cipher suite or version cannot be decrypted",
        DecryptionStatus.HandshakeNotCaptured => "its handshake is not in the capture, so the keys cannot be chosen",
        DecryptionStatus.WrongKey => "the logged key does not decrypt its records (wrong key)",
        DecryptionStatus.RsaKeyMismatch => "the RSA key does not match the server's certificate",
        DecryptionStatus.KeyExchangeNotRsa => "its key exchange is not RSA, so the server's RSA key cannot decrypt it",
        _ => "no keys for it",
    };
}
