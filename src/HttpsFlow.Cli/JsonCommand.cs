using System.CommandLine;
using HttpsFlow.Fields;
using HttpsFlow.Output;

namespace HttpsFlow.Cli;

/// <summary>`httpsflow json FILE [-e F…]`: every packet's fields as one JSON object per line (docs/json.md).</summary>
internal static class JsonCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Stream? stdoutStream)
    {
        var file = new Argument<string>("FILE") { Description = "A pcap or pcapng capture, optionally gzip-compressed; '-' reads standard input." };
        var fieldsOpt = new Option<string[]>("-e") { Description = "Only this field (Wireshark's name, e.g. tls.handshake.type); repeat for more. Without -e, every field.", HelpName = "FIELD", AllowMultipleArgumentsPerToken = false };
        var count = new Option<long?>("-c", "--count") { Description = "Stop after this many packets.", HelpName = "N" };
        var cmd = new Command("json", """
            Print every packet's fields as JSON Lines: one JSON object per packet, one packet per line. Keys are
            Wireshark's field names in the order of the packet's detail tree; a field that occurs several times is an
            array. Integer fields are JSON numbers (tls.record.version 0x0303 is 771); every other value is the string
            `httpsflow fields` prints for it. The schema is in docs/json.md.

            Examples:
              httpsflow json samples/test-site-tls12.pcapng
              httpsflow json samples/test-site-tls12.pcapng -e frame.number -e tls.handshake.type -e tls.handshake.extensions_server_name
              httpsflow json capture.pcap -e tls.handshake.ja3 | jq -c 'select(."tls.handshake.ja3")'
              httpsflow json samples/http/h2-get.pcapng --keylog samples/http/h2-get.keys -e frame.number -e http2.headers.path
            """);
        cmd.Arguments.Add(file);
        cmd.Options.Add(fieldsOpt);
        cmd.Options.Add(count);
        var filterOpt = CliApp.FilterOption("only the packets that match");
        cmd.Options.Add(filterOpt);
        var decryption = DecryptionArgs.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            long? max = parse.GetValue(count);
            if (!CliApp.CountIsValid(max, stderr)) return CliApp.ExitUsage;
            var names = parse.GetValue(fieldsOpt) ?? [];
            FieldDef[]? defs = null;
            if (names.Length > 0 && !FieldsCommand.TryResolve(names, stderr, out defs)) return CliApp.ExitUsage;
            if (!CliApp.TryCompileFilter(parse.GetValue(filterOpt), stderr, out var filter)) return CliApp.ExitUsage;
            if (!decryption.TryLoad(parse, stderr, out var keys, out var rsaKeys, out int keyExit)) return keyExit;
            using var reader = CliApp.OpenCapture(path, stderr);
            if (reader is null) return CliApp.ExitInput;
            var output = stdoutStream ?? Console.OpenStandardOutput();
            using var sink = new TextSink(output, ownsStream: stdoutStream is null);
            var (dissector, set, tls) = FieldsCommand.CreatePipeline(defs);
            filter?.Configure(dissector);
            DecryptionArgs.Attach(dissector, reader, keys, rsaKeys, tls, filter?.TlsStore);
            var json = new FieldJsonWriter();
            try
            {
                long n = 0;
                while ((max is null || n < max) && dissector.Next(reader) is { } frame)
                {
                    n++;
                    if (filter is not null && !filter.Matches(frame)) continue;
                    FrameFieldEmitter.Emit(frame, set, tls);
                    json.Write(sink, set);
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
}
