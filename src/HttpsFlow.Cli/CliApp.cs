using System.CommandLine;
using HttpsFlow.Capture;
using HttpsFlow.Decryption;
using HttpsFlow.Filters;
using HttpsFlow.Output;
using HttpsFlow.Pipeline;

namespace HttpsFlow.Cli;

/// <summary>The `httpsflow` command line: one binary, a subcommand per view.</summary>
public static class CliApp
{
    /// <summary>Exit codes: 0 success; 1 usage error; 2 input problem (after printing all that was readable).</summary>
    public const int ExitOk = 0;
    public const int ExitUsage = 1;
    public const int ExitInput = 2;

    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, Stream? stdoutStream = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var root = Build(stdout, stderr, stdoutStream);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            var parsed = root.Parse(args);
            return parsed.Invoke(config);
        }
        catch (Exception e)
        {
            // Never a stack trace for a user: one line, and the exit code of an internal failure.
            stderr.WriteLine($"httpsflow: internal error: {e.GetType().Name}: {e.Message}");
            return 70;
        }
    }

    private static RootCommand Build(TextWriter stdout, TextWriter stderr, Stream? stdoutStream)
    {
        var root = new RootCommand("""
            HttpsFlow shows every step of an HTTPS connection, read from a packet capture.

            Examples:
              httpsflow explain samples/test-site-tls12.pcapng
              httpsflow list samples/test-site-tls12.pcapng
              httpsflow list capture.pcap.gz
              tcpdump -w - port 443 | httpsflow list -
            """);
        root.Subcommands.Add(ListCommand.Build(stdout, stderr, stdoutStream));
        root.Subcommands.Add(ConversationsCommand.Build(stdout, stderr, stdoutStream));
        root.Subcommands.Add(FieldsCommand.Build(stdout, stderr, stdoutStream));
        root.Subcommands.Add(JsonCommand.Build(stdout, stderr, stdoutStream));
        root.Subcommands.Add(ShowCommand.Build(stdout, stderr, stdoutStream));
        root.Subcommands.Add(ExplainCommand.Build(stdout, stderr, stdoutStream));
        root.Subcommands.Add(FollowCommand.Build(stdout, stderr, stdoutStream));
        root.Subcommands.Add(HandshakesCommand.Build(stdout, stderr, stdoutStream));
        root.Subcommands.Add(CertsCommand.Build(stdout, stderr, stdoutStream));
        root.Subcommands.Add(ReportCommand.Build(stdout, stderr, stdoutStream));
        root.Subcommands.Add(InjectSecretsCommand.Build(stdout, stderr));
        root.Subcommands.Add(CaptureCommand.Build(stdout, stderr, stdoutStream));
        root.Subcommands.Add(LabCommand.Build(stdout, stderr, stdoutStream));
        return root;
    }

    /// <summary>HttpsFlow's version, as its assembly states it (written into the pcapng files it makes).</summary>
    internal static string Version =>
        typeof(CliApp).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

    /// <summary>The --color option: colour on a terminal only (auto, the default), never, or always.</summary>
    internal static Option<string> ColorOption()
    {
        var option = new Option<string>("--color")
        {
            Description = "Colour the output: auto (only on a terminal, default), never, always.",
            DefaultValueFactory = _ => "auto",
            HelpName = "auto|never|always",
        };
        option.AcceptOnlyFromAmong("auto", "never", "always");
        return option;
    }

    /// <summary>Whether to colour: always, never, or on a terminal when NO_COLOR is not set.</summary>
    internal static bool UseColor(string? setting, bool terminal) => setting switch
    {
        "always" => true,
        "never" => false,
        _ => terminal && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")),
    };

    /// <summary>The terminal's width when writing to one, else <paramref name="fallback"/>.</summary>
    internal static int TerminalWidth(bool terminal, int fallback)
    {
        if (!terminal) return fallback;
        try
        {
            int w = Console.WindowWidth;
            return w >= 40 ? w : fallback;
        }
        catch (IOException)
        {
            return fallback;
        }
    }

    /// <summary>The --format option of commands that print a table: text, csv or json.</summary>
    internal static Option<string> FormatOption(string description)
    {
        var option = new Option<string>("--format") { Description = description, DefaultValueFactory = _ => "text", HelpName = "text|csv|json" };
        option.AcceptOnlyFromAmong("text", "csv", "json");
        return option;
    }

    internal static ListFormat ParseFormat(string? value) => value switch
    {
        "csv" => ListFormat.Csv,
        "json" => ListFormat.Json,
        _ => ListFormat.Text,
    };

    /// <summary>The FILE argument of commands that read a capture.</summary>
    internal static Argument<string> CaptureArgument() =>
        new("FILE") { Description = "A pcap or pcapng capture, optionally gzip-compressed; '-' reads standard input." };

    /// <summary>The --trust option: a PEM file of trust anchors (default: the system's store).</summary>
    internal static Option<string?> TrustOption(string what) =>
        new("--trust") { Description = $"PEM file of trusted root certificates for {what} (default: this machine's trust store).", HelpName = "PEM" };

    /// <summary>The --stream option of commands that look at TLS connections.</summary>
    internal static Option<int?> StreamOption(string what) =>
        new("--stream") { Description = $"{what} only this TCP connection (its tcp.stream number, as `list` and `conversations --format csv` show).", HelpName = "N" };

    /// <summary>Reads the trust anchors of --trust; null anchors when it was not given. False (after one line on
    /// stderr) when the file cannot be read or holds no certificate.</summary>
    internal static bool TryLoadTrust(string? path, TextWriter stderr, out IReadOnlyList<X509.Certificate>? anchors)
    {
        anchors = null;
        if (path is null) return true;
        try
        {
            anchors = X509.Certificate.ParsePem(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"httpsflow: {path}: {e.Message}");
            return false;
        }
        if (anchors.Count == 0)
        {
            stderr.WriteLine($"httpsflow: {path}: no PEM certificate in it");
            return false;
        }
        return true;
    }

    /// <summary>
    /// Dissects the whole capture into <paramref name="recorder"/> (and <paramref name="also"/>, a decryptor say), with a
    /// progress line on a terminal.
    /// </summary>
    internal static Walkthrough.ConnectionRecorder Record(string path, CaptureReader reader, TextWriter stderr, Walkthrough.ConnectionRecorder recorder,
        Tls.List.ITlsObserver? also = null) => Record(path, reader, stderr, recorder, also, null, out _);

    /// <summary>
    /// As <see cref="Record(string, CaptureReader, TextWriter, Walkthrough.ConnectionRecorder, Tls.List.ITlsObserver?)"/>,
    /// and with a display filter: <paramref name="matched"/> gets the tcp.stream of every connection with a packet that
    /// passes it (empty without a filter).
    /// </summary>
    internal static Walkthrough.ConnectionRecorder Record(string path, CaptureReader reader, TextWriter stderr, Walkthrough.ConnectionRecorder recorder,
        Tls.List.ITlsObserver? also, DisplayFilter? filter, out HashSet<int> matched)
    {
        var dissector = new Dissector { TlsObserver = also is null ? recorder : new Tls.List.TlsObservers(recorder, also) };
        filter?.Configure(dissector);
        matched = [];
        using var progress = Progress.For(path, reader, stderr);
        long n = 0;
        while (dissector.Next(reader) is { } frame)
        {
            recorder.OnFrame(frame, dissector.Tcp.Last);
            if (filter is not null && frame.Transport == Net.TransportKind.Tcp && frame.Tcp.Stream >= 0 && filter.Matches(frame))
                matched.Add(frame.Tcp.Stream);
            progress?.Tick(++n);
        }
        return recorder;
    }

    /// <summary>The end of a TLS command: exit 2 after a read error, exit 1 with one line when nothing was reported.</summary>
    internal static int TlsCommandExit(int written, int? stream, string path, CaptureReader reader, TextWriter stderr)
    {
        if (ReadOutcome(reader, path, stderr) != ExitOk) return ExitInput;
        return NoTlsFound(written, stream, path, stderr);
    }

    internal static int NoTlsFound(int written, int? stream, string path, TextWriter stderr)
    {
        if (written > 0) return ExitOk;
        stderr.WriteLine(stream is { } s
            ? $"httpsflow: {path}: tcp.stream {s} carries no TLS"
            : $"httpsflow: {path}: no TLS connection found");
        return ExitUsage;
    }

    /// <summary>-c/--count must not be negative: false (after saying so) when it is.</summary>
    internal static bool CountIsValid(long? max, TextWriter stderr)
    {
        if (max is not < 0) return true;
        stderr.WriteLine("httpsflow: --count must not be negative");
        return false;
    }

    /// <summary>The exit code once a capture has been read: 2 (after saying why) when reading stopped at damage, else 0.</summary>
    internal static int ReadOutcome(CaptureReader reader, string path, TextWriter stderr)
    {
        if (reader.Error is null) return ExitOk;
        stderr.WriteLine($"httpsflow: {path}: {reader.Error}");
        return ExitInput;
    }

    /// <summary>The -Y option: a Wireshark display filter.</summary>
    internal static Option<string?> FilterOption(string what) => new("-Y", "--display-filter")
    {
        Description = $"Wireshark display filter (as tshark -Y): {what}, e.g. -Y 'ip.addr == 10.0.0.0/8 and tcp.port == 443'. See docs/filters.md.",
        HelpName = "FILTER",
    };

    /// <summary>
    /// Compiles the -Y filter before any capture is read. False (after printing tshark's kind of message, with the
    /// offending part underlined) when it cannot be compiled; true with a null filter when there is none.
    /// </summary>
    internal static bool TryCompileFilter(string? text, TextWriter stderr, out DisplayFilter? filter)
    {
        filter = null;
        if (string.IsNullOrWhiteSpace(text)) return true; // tshark takes an empty -Y as no filter

        if (DisplayFilter.TryCompile(text, out filter, out var error)) return true;
        stderr.WriteLine($"httpsflow: {error!.Format(text)}");
        return false;
    }

    /// <summary>Opens a capture for a command, or reports why it cannot be read (exit code 2).</summary>
    internal static CaptureReader? OpenCapture(string path, TextWriter stderr)
    {
        try
        {
            return CaptureReader.Open(path);
        }
        catch (CaptureOpenException e)
        {
            stderr.WriteLine($"httpsflow: {path}: {e.Message}");
            return null;
        }
    }
}

/// <summary>`httpsflow list FILE`: one line per packet, as `tshark -r FILE` prints them.</summary>
internal static class ListCommand
{
    /// <summary>
    /// Whether body records may be opened on a second thread: not with one core, nor with HTTPSFLOW_SPECULATE=0 (every
    /// record is then opened on the list's own thread).
    /// </summary>
    internal static bool RecordVerifierAllowed { get; set; } = DefaultRecordVerifierAllowed;

    internal static bool DefaultRecordVerifierAllowed =>
        Environment.ProcessorCount > 1 && Environment.GetEnvironmentVariable("HTTPSFLOW_SPECULATE") != "0";

    /// <summary>Of the last list made: the records opened on the second thread, and whether the capture was read again.</summary>
    internal static (long Records, bool ReadAgain) LastSpeculation { get; private set; }

    public static Command Build(TextWriter stdout, TextWriter stderr, Stream? stdoutStream)
    {
        var file = new Argument<string>("FILE") { Description = "A pcap or pcapng capture, optionally gzip-compressed; '-' reads standard input." };
        var count = new Option<long?>("-c", "--count") { Description = "Stop after this many packets.", HelpName = "N" };
        var format = CliApp.FormatOption("text: the lines tshark prints (default); csv or json: the same columns, unpadded, for programs.");
        var filterOpt = CliApp.FilterOption("print only the packets that match");
        var cmd = new Command("list", """
            Print one line per packet, as `tshark -r FILE` does: No., Time (seconds since the first packet),
            Source, Destination, Protocol, Length, Info. Names are never resolved (as `tshark -n`).

            Examples:
              httpsflow list samples/test-site-tls12.pcapng
              httpsflow list -c 10 samples/ipv6.pcap
              httpsflow list --keylog samples/tls13.keys samples/tls13.pcapng
              httpsflow list --format csv samples/mixed.pcapng > packets.csv
              httpsflow list -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' samples/lossy.pcap
              tcpdump -i lo -w - port 443 | httpsflow list -
            """);
        cmd.Arguments.Add(file);
        cmd.Options.Add(count);
        cmd.Options.Add(format);
        cmd.Options.Add(filterOpt);
        var decryption = DecryptionArgs.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            long? max = parse.GetValue(count);
            if (!CliApp.CountIsValid(max, stderr)) return CliApp.ExitUsage;
            if (!CliApp.TryCompileFilter(parse.GetValue(filterOpt), stderr, out var filter)) return CliApp.ExitUsage;
            if (!decryption.TryLoad(parse, stderr, out var keys, out var rsaKeys, out int keyExit)) return keyExit;
            var output = stdoutStream ?? Console.OpenStandardOutput();
            var listFormat = CliApp.ParseFormat(parse.GetValue(format));
            // A file can be read twice: body records whose plaintext the list only counts are then opened on a second
            // thread (given a second core), and should one not open as assumed, the list is made again from the start
            // without that.
            bool speculate = filter is null && path != "-" && File.Exists(path) && RecordVerifierAllowed;
            long written = 0;
            try
            {
                if (speculate)
                {
                    using var verifier = new RecordVerifier();
                    int? exit = Run(verifier, 0, out written);
                    LastSpeculation = (verifier.Submitted, exit is null);
                    if (exit is { } code) return code;
                }
                else LastSpeculation = (0, false);
                return Run(null, written, out _) ?? CliApp.ExitInput;
            }
            finally
            {
                if (stdoutStream is null) output.Dispose();
            }

            // One pass over the capture; null when the verifier found a record that did not open as assumed (nothing
            // after the bytes already written was written, and those are the same as without it).
            int? Run(RecordVerifier? verifier, long skip, out long bytesWritten)
            {
                bytesWritten = 0;
                using var reader = CliApp.OpenCapture(path, stderr);
                if (reader is null) return CliApp.ExitInput;
                using var sink = new TextSink(skip > 0 ? new SkipBytesStream(output, skip) : output);
                var dissector = new Dissector();
                filter?.Configure(dissector);
                var decrypting = DecryptionArgs.Attach(dissector, reader, keys, rsaKeys, filter?.TlsStore);
                if (verifier is not null)
                {
                    decrypting.Decryptor.Verifier = verifier;
                    sink.HoldFor(verifier);
                }
                var list = new ListFormatter(listFormat);
                using var progress = Progress.For(path, reader, stderr);
                long n = 0;
                try
                {
                    list.Begin(sink);
                    while ((max is null || n < max) && dissector.Next(reader) is { } frame)
                    {
                        // -c counts packets read, as tshark's does, whether or not they are shown.
                        if (filter is null || filter.Matches(frame)) list.Write(frame, sink);
                        else list.Skip(frame);
                        n++;
                        progress?.Tick(n);
                    }
                    list.End(sink);
                    sink.Flush();
                }
                catch (SpeculationFailedException)
                {
                    bytesWritten = sink.BytesWritten;
                    sink.Discard();
                    return null;
                }
                catch (IOException)
                {
                    // The reader of our output went away (a closed pipe, `| head`): stop quietly, as tshark does.
                    return CliApp.ExitOk;
                }
                progress?.Dispose();
                return CliApp.ReadOutcome(reader, path, stderr);
            }
        });
        return cmd;
    }
}
