using System.CommandLine;
using HttpsFlow.Fields;
using HttpsFlow.Output;
using HttpsFlow.Pipeline;
using HttpsFlow.Tree;

namespace HttpsFlow.Cli;

/// <summary>`httpsflow show FILE [-c N] [--frame N] [--format text|json] [--hex]`: each packet's detail tree (docs/show.md).</summary>
internal static class ShowCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Stream? stdoutStream)
    {
        var file = new Argument<string>("FILE") { Description = "A pcap or pcapng capture, optionally gzip-compressed; '-' reads standard input." };
        var count = new Option<long?>("-c", "--count") { Description = "Stop after this many packets.", HelpName = "N" };
        var frameOpt = new Option<long?>("--frame") { Description = "Show only this frame (numbered from 1, as in the packet list).", HelpName = "N" };
        var format = new Option<string>("--format") { Description = "text (as tshark -V) or json (one object per packet: label, field, offset, length, children).", DefaultValueFactory = _ => "text", HelpName = "text|json" };
        format.AcceptOnlyFromAmong("text", "json");
        var hex = new Option<bool>("--hex", "-x") { Description = "Add the packet's bytes: a hex dump after each tree (as tshark -x), or \"bytes\" in json." };
        var cmd = new Command("show", """
            Print each packet's detail tree, as Wireshark's detail pane and `tshark -V` show it: the frame, link, IP, TCP
            and TLS layers with every field, the TLS records, handshake messages, extensions and certificates. Names are
            never resolved (compare with `tshark -n -V`). In json every line carries its Wireshark field name and the
            byte range it covers (docs/show.md).

            Examples:
              httpsflow show samples/test-site-tls12.pcapng --frame 4
              httpsflow show samples/test-site-tls12.pcapng --frame 6 --hex
              httpsflow show samples/tls13.pcapng -c 5 --format json
            """);
        cmd.Arguments.Add(file);
        cmd.Options.Add(count);
        cmd.Options.Add(frameOpt);
        cmd.Options.Add(format);
        cmd.Options.Add(hex);
        var filterOpt = CliApp.FilterOption("only the packets that match");
        cmd.Options.Add(filterOpt);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            long? max = parse.GetValue(count);
            long? only = parse.GetValue(frameOpt);
            bool json = parse.GetValue(format) == "json";
            bool withHex = parse.GetValue(hex);
            if (!CliApp.CountIsValid(max, stderr)) return CliApp.ExitUsage;
            if (only is < 1)
            {
                stderr.WriteLine("httpsflow: --frame must be 1 or more");
                return CliApp.ExitUsage;
            }
            if (!CliApp.TryCompileFilter(parse.GetValue(filterOpt), stderr, out var filter)) return CliApp.ExitUsage;
            using var reader = CliApp.OpenCapture(path, stderr);
            if (reader is null) return CliApp.ExitInput;
            var output = stdoutStream ?? Console.OpenStandardOutput();
            using var sink = new TextSink(output, ownsStream: stdoutStream is null);
            var tls = new TlsFrameStore();
            var dissector = new Dissector { KeepPacketBytes = true, KeepPayload = true, TlsObserver = tls };
            filter?.Configure(dissector);
            long shown = 0;
            bool found = false;
            try
            {
                while ((max is null || shown < max) && dissector.Next(reader) is { } frame)
                {
                    if (only is { } wanted && frame.Number != wanted) continue;
                    if (filter is not null && !filter.Matches(frame)) continue;
                    found = true;
                    shown++;
                    var bytes = frame.CapturedBytes;
                    var tree = PacketTree.Build(frame, bytes, tls);
                    if (json) TreeWriter.WriteJson(sink, frame.Number, tree, bytes, withHex);
                    else
                    {
                        TreeWriter.WriteText(sink, tree);
                        if (withHex) TreeWriter.WriteHex(sink, bytes);
                    }
                    if (only is not null) break;
                }
                sink.Flush();
            }
            catch (IOException)
            {
                return CliApp.ExitOk; // the reader of our output went away
            }
            if (CliApp.ReadOutcome(reader, path, stderr) is var outcome && outcome != CliApp.ExitOk) return outcome;
            if (only is { } n && !found)
            {
                stderr.WriteLine($"httpsflow: {path}: no frame {n} (the capture has fewer frames)");
                return CliApp.ExitInput;
            }
            return CliApp.ExitOk;
        });
        return cmd;
    }
}
