using System.CommandLine;
using HttpsFlow.Fields;
using HttpsFlow.Output;
using HttpsFlow.Pipeline;

namespace HttpsFlow.Cli;

/// <summary>`httpsflow fields FILE -e F…`: chosen fields of every packet, as `tshark -T fields` prints them.</summary>
internal static class FieldsCommand
{
    /// <summary>tshark's -E options: header, separator, occurrence, aggregator, quote.</summary>
    private sealed record Layout(bool Header, string Separator, char Occurrence, int OccurrenceIndex, string Aggregator, char Quote);

    public static Command Build(TextWriter stdout, TextWriter stderr, Stream? stdoutStream)
    {
        var file = new Argument<string>("FILE") { Description = "A pcap or pcapng capture, optionally gzip-compressed; '-' reads standard input.", Arity = ArgumentArity.ZeroOrOne };
        var fieldsOpt = new Option<string[]>("-e") { Description = "A field to print (Wireshark's name, e.g. tcp.seq); repeat for more columns.", HelpName = "FIELD", AllowMultipleArgumentsPerToken = false };
        var layoutOpt = new Option<string[]>("-E") { Description = "header=y|n, separator=/t|/s|C, occurrence=f|l|a|N, aggregator=,|/s|C, quote=d|s|n (as tshark).", HelpName = "OPTION=VALUE" };
        var count = new Option<long?>("-c", "--count") { Description = "Stop after this many packets.", HelpName = "N" };
        var filterOpt = CliApp.FilterOption("print only the packets that match");
        var listOpt = new Option<bool>("--list") { Description = "List the fields HttpsFlow knows (name, type, label) and exit." };
        var cmd = new Command("fields", """
            Print chosen fields of every packet, one line per packet, formatted as `tshark -T fields` formats them.
            Field names are Wireshark's (`tcp.seq`, `ip.src`, `tcp.analysis.ack_rtt`, …); `--list` shows them all.

            Examples:
              httpsflow fields samples/test-site-tls12.pcapng -e frame.number -e tcp.seq -e tcp.ack -e tcp.len
              httpsflow fields samples/lossy.pcap -E header=y -E separator=, -e frame.number -e tcp.analysis.ack_rtt
              httpsflow fields samples/lossy.pcap -Y tcp.analysis.retransmission -e frame.number -e tcp.seq
              httpsflow fields samples/tls13.pcapng --keylog samples/tls13.keys -e frame.number -e tls.handshake.type
              httpsflow fields --list
            """);
        cmd.Arguments.Add(file);
        cmd.Options.Add(fieldsOpt);
        cmd.Options.Add(layoutOpt);
        cmd.Options.Add(count);
        cmd.Options.Add(filterOpt);
        cmd.Options.Add(listOpt);
        var decryption = DecryptionArgs.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var output = stdoutStream ?? Console.OpenStandardOutput();
            using var sink = new TextSink(output, ownsStream: stdoutStream is null);
            if (parse.GetValue(listOpt))
            {
                foreach (var def in FieldRegistry.All)
                {
                    sink.Append(def.Name).Append('\t').Append(def.Type.ToString()).Append('\t').Append(def.Label);
                    sink.EndLine();
                }
                return CliApp.ExitOk;
            }
            string? path = parse.GetValue(file);
            if (path is null)
            {
                stderr.WriteLine("httpsflow: fields needs a capture file (or --list)");
                return CliApp.ExitUsage;
            }
            var names = parse.GetValue(fieldsOpt) ?? [];
            if (names.Length == 0)
            {
                stderr.WriteLine("httpsflow: fields needs at least one -e FIELD (httpsflow fields --list shows them)");
                return CliApp.ExitUsage;
            }
            if (!TryResolve(names, stderr, out var defs)) return CliApp.ExitUsage;
            if (!TryParseLayout(parse.GetValue(layoutOpt) ?? [], out var layout, out string? error))
            {
                stderr.WriteLine($"httpsflow: {error}");
                return CliApp.ExitUsage;
            }
            long? max = parse.GetValue(count);
            if (!CliApp.TryCompileFilter(parse.GetValue(filterOpt), stderr, out var filter)) return CliApp.ExitUsage;
            if (!decryption.TryLoad(parse, stderr, out var keys, out var rsaKeys, out int keyExit)) return keyExit;

            using var reader = CliApp.OpenCapture(path, stderr);
            if (reader is null) return CliApp.ExitInput;
            var (dissector, set, tls) = CreatePipeline(defs);
            filter?.Configure(dissector);
            DecryptionArgs.Attach(dissector, reader, keys, rsaKeys, tls, filter?.TlsStore);
            try
            {
                if (layout.Header)
                {
                    for (int i = 0; i < defs.Length; i++)
                    {
                        if (i > 0) sink.Append(layout.Separator);
                        sink.Append(defs[i].Name);
                    }
                    sink.EndLine();
                }
                long n = 0;
                while ((max is null || n < max) && dissector.Next(reader) is { } frame)
                {
                    n++;
                    if (filter is not null && !filter.Matches(frame)) continue;
                    FrameFieldEmitter.Emit(frame, set, tls);
                    WriteRow(sink, set, defs, layout);
                }
                sink.Flush();
            }
            catch (IOException)
            {
                return CliApp.ExitOk; // the reader of our output went away
            }
            return CliApp.ReadOutcome(reader, path, stderr);
        });
        return cmd;
    }

    /// <summary>Looks the -e names up; reports the unknown ones (a usage error).</summary>
    internal static bool TryResolve(string[] names, TextWriter stderr, out FieldDef[] defs)
    {
        defs = new FieldDef[names.Length];
        var unknown = new List<string>();
        for (int i = 0; i < names.Length; i++)
            if (!FieldRegistry.TryGet(names[i], out defs[i])) unknown.Add(names[i]);
        if (unknown.Count == 0) return true;
        stderr.WriteLine($"httpsflow: unknown field{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown)} (httpsflow fields --list shows the fields it knows)");
        return false;
    }

    /// <summary>
    /// The dissector and the reused field set for printing <paramref name="defs"/> (all fields when null): payload bytes
    /// are kept only when tcp.payload is wanted, TLS records only when a TLS-layer field is.
    /// </summary>
    internal static (Dissector Dissector, FieldSet Set, TlsFrameStore? Tls) CreatePipeline(FieldDef[]? defs)
    {
        HashSet<FieldDef>? wanted = defs is null ? null : new HashSet<FieldDef>(defs);
        var set = new FieldSet { Wanted = wanted is null ? null : wanted.Contains };
        var dissector = new Dissector { KeepPayload = wanted is null || wanted.Contains(TcpFields.Payload) };
        TlsFrameStore? tls = wanted is null || wanted.Any(NeedsTls) ? new TlsFrameStore() : null;
        dissector.TlsObserver = tls;
        return (dissector, set, tls);
    }

    /// <summary>Whether a field comes from the TLS layer (or depends on it, as frame.protocols and the expert notes do).</summary>
    internal static bool NeedsTls(FieldDef def) =>
        def == FrameFields.Protocols || ExpertFields.Contains(def) || def.Protocol is "tls" or "x509af" or "x509if" or "x509sat" or "x509ce" or "pkcs1" or "pkix1implicit" or "http" or "http2";

    private static void WriteRow(TextSink sink, FieldSet set, FieldDef[] defs, Layout layout)
    {
        var values = set.Values;
        for (int i = 0; i < defs.Length; i++)
        {
            if (i > 0) sink.Append(layout.Separator);
            int total = 0;
            foreach (ref readonly var v in values)
                if (v.Def == defs[i]) total++;
            if (total == 0) continue;
            if (layout.Quote != 'n') sink.Append(layout.Quote == 'd' ? '"' : '\'');
            int seen = 0, written = 0;
            foreach (ref readonly var v in values)
            {
                if (v.Def != defs[i]) continue;
                seen++;
                bool take = layout.Occurrence switch
                {
                    'f' => seen == 1,
                    'l' => seen == total,
                    'n' => seen == layout.OccurrenceIndex || (layout.OccurrenceIndex < 0 && seen == total + 1 + layout.OccurrenceIndex),
                    _ => true,
                };
                if (!take) continue;
                if (written++ > 0) sink.Append(layout.Aggregator);
                FieldFormatter.Append(sink, set, v);
            }
            if (layout.Quote != 'n') sink.Append(layout.Quote == 'd' ? '"' : '\'');
        }
        sink.EndLine();
    }

    private static string Unescape(string v) => v switch
    {
        "/t" => "\t",
        "/s" => " ",
        _ => v,
    };

    private static bool TryParseLayout(string[] options, out Layout layout, out string? error)
    {
        layout = new Layout(false, "\t", 'a', 0, ",", 'n');
        error = null;
        foreach (var o in options)
        {
            int eq = o.IndexOf('=');
            if (eq <= 0) { error = $"-E {o}: expected OPTION=VALUE"; return false; }
            string key = o[..eq], value = o[(eq + 1)..];
            switch (key)
            {
                case "header" when value is "y" or "n":
                    layout = layout with { Header = value == "y" };
                    break;
                case "separator" when value.Length > 0:
                    layout = layout with { Separator = Unescape(value) };
                    break;
                case "aggregator" when value.Length > 0:
                    layout = layout with { Aggregator = Unescape(value) };
                    break;
                case "quote" when value is "d" or "s" or "n":
                    layout = layout with { Quote = value[0] };
                    break;
                case "occurrence" when value is "f" or "l" or "a":
                    layout = layout with { Occurrence = value[0] };
                    break;
                case "occurrence" when int.TryParse(value, out int index) && index != 0:
                    layout = layout with { Occurrence = 'n', OccurrenceIndex = index };
                    break;
                default:
                    error = $"-E {o}: not understood (header=y|n, separator=/t|/s|C, occurrence=f|l|a|N, aggregator=,|/s|C, quote=d|s|n)";
                    return false;
            }
        }
        return true;
    }
}
