using System.CommandLine;
using System.Text;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Cli;

/// <summary>`httpsflow explain FILE`: the walkthrough of each TLS connection — header, sequence diagram, narration, timing, findings.</summary>
internal static class ExplainCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Stream? stdoutStream)
    {
        var file = CliApp.CaptureArgument();
        var stream = CliApp.StreamOption("Explain");
        var lang = WalkthroughOptions.Language();
        var format = new Option<string>("--format") { Description = "text (wrapped for the terminal, default) or markdown.", DefaultValueFactory = _ => "text", HelpName = "text|markdown" };
        format.AcceptOnlyFromAmong("text", "markdown");
        var ascii = WalkthroughOptions.Ascii();
        var width = WalkthroughOptions.Width();
        var color = CliApp.ColorOption();
        var keylog = new Option<string?>("--keylog") { Description = "NSS key log (SSLKEYLOGFILE) to decrypt with; secrets embedded in a pcapng are used anyway.", HelpName = "KEYLOG" };
        var rsaKey = new Option<string[]>("--rsa-key") { Description = "PEM file with the server's RSA private key: decrypts connections with RSA key exchange (TLS_RSA_WITH_*) that the key log does not cover. May be repeated.", HelpName = "PEM" };
        var filterOpt = CliApp.FilterOption("explain only the connections with a packet that matches");
        var trust = CliApp.TrustOption("checking the server's chain");
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
              httpsflow explain samples/tls13.pcapng --keylog samples/tls13.keys
              httpsflow explain samples/test-site-tls12.pcapng --keylog samples/test-site-tls12.keys --show-secrets
            """);
        cmd.Arguments.Add(file);
        var showSecrets = new Option<bool>("--show-secrets")
        {
            Description = "After each decrypted connection, print its key material: the master secret and the keys and IVs cut from it (TLS 1.0-1.2), or the logged traffic secrets and the application keys and IVs (TLS 1.3). Off by default: HttpsFlow never prints secrets otherwise.",
        };
        foreach (var o in new Option[] { stream, lang, format, ascii, width, color, trust, keylog, rsaKey, filterOpt, showSecrets }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            if (!CliApp.TryLoadTrust(parse.GetValue(trust), stderr, out var anchors)) return CliApp.ExitUsage;
            if (!DecryptionArgs.TryLoad(parse.GetValue(keylog), parse.GetValue(rsaKey), stderr, out var keys, out var rsaKeys, out int keyExit))
                return keyExit;
            if (!CliApp.TryCompileFilter(parse.GetValue(filterOpt), stderr, out var filter)) return CliApp.ExitUsage;
            using var reader = CliApp.OpenCapture(path, stderr);
            if (reader is null) return CliApp.ExitInput;
            int? only = parse.GetValue(stream);
            var decryptor = new Decryption.TlsDecryptor(keys);
            decryptor.UseSecretsOf(reader);
            decryptor.RsaKeys.AddRange(rsaKeys);
            // With -Y: the tcp.stream of every connection with a matching packet.
            var recorder = CliApp.Record(path, reader, stderr, new ConnectionRecorder { Stream = only }, decryptor, filter, out var kept);

            bool terminal = stdoutStream is null && !Console.IsOutputRedirected;
            int columns = parse.GetValue(width) ?? CliApp.TerminalWidth(terminal, 100);
            bool useColor = CliApp.UseColor(parse.GetValue(color), terminal);
            var options = new WalkOptions
            {
                Language = parse.GetValue(lang) ?? "en", Width = columns, Ascii = parse.GetValue(ascii), TrustAnchors = anchors,
                Decryption = conversation => decryptor.Find(conversation) is { } s && (s.KeysFound || decryptor.Keys.Count > 0 || decryptor.RsaKeys.Count > 0) ? s : null,
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
                    if (parse.GetValue(showSecrets) && decryptor.Find(connection.Conversation) is { } session)
                        WriteSecrets(writer, Decryption.SessionSecrets.Of(decryptor, session), walkFormat);
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
            if (written == 0 && filter is not null && only is null)
            {
                stderr.WriteLine($"httpsflow: {path}: no TLS connection has a packet matching the filter");
                return CliApp.ExitUsage;
            }
            return CliApp.NoTlsFound(written, only, path, stderr);
        });
        return cmd;
    }

    /// <summary>The --show-secrets block after a connection's walkthrough.</summary>
    private static void WriteSecrets(TextWriter writer, IReadOnlyList<(string Name, string Hex)> secrets, WalkFormat format)
    {
        writer.WriteLine();
        if (secrets.Count == 0)
        {
            writer.WriteLine("No key material for this connection (it was not decrypted).");
            return;
        }
        writer.WriteLine(format == WalkFormat.Markdown ? "#### Key material (--show-secrets)" : "Key material (--show-secrets)");
        int width = secrets.Max(s => s.Name.Length);
        if (format == WalkFormat.Markdown) writer.WriteLine("```");
        foreach (var (name, hex) in secrets) writer.WriteLine($"  {name.PadRight(width)}  {hex}");
        if (format == WalkFormat.Markdown) writer.WriteLine("```");
    }

    /// <summary>Reads the items of a PEM file; false (after saying why) when it cannot be read or holds none.</summary>
    internal static bool ReadPem<T>(string path, Func<string, IReadOnlyList<T>> parse, string none, TextWriter stderr, out IReadOnlyList<T>? items)
    {
        items = null;
        try
        {
            items = parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"httpsflow: {path}: {e.Message}");
            return false;
        }
        if (items.Count > 0) return true;
        stderr.WriteLine($"httpsflow: {path}: {none}");
        return false;
    }

    /// <summary>Reads a key log, reporting each skipped line (never its secret); null when the file cannot be read.</summary>
    internal static Decryption.KeyLog? LoadKeyLog(string path, TextWriter stderr)
    {
        Decryption.KeyLog keys;
        try
        {
            keys = Decryption.KeyLog.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"httpsflow: {path}: {e.Message}");
            return null;
        }
        foreach (var w in keys.Warnings) stderr.WriteLine($"httpsflow: warning: {w}");
        return keys;
    }
}
