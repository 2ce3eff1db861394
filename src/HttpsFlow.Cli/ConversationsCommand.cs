using System.CommandLine;
using HttpsFlow.Common;
using HttpsFlow.Output;
using HttpsFlow.Pipeline;
using HttpsFlow.Tcp;

namespace HttpsFlow.Cli;

/// <summary>`httpsflow conversations FILE`: one row per TCP connection, as `tshark -n -q -z conv,tcp -r FILE` prints them.</summary>
internal static class ConversationsCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Stream? stdoutStream)
    {
        var file = new Argument<string>("FILE") { Description = "A pcap or pcapng capture, optionally gzip-compressed; '-' reads standard input." };
        var format = new Option<string>("--format")
        {
            Description = "table: the table tshark prints (default); csv or json: the same figures unformatted, with the "
                          + "tcp.stream number and the connection's state, for programs.",
            DefaultValueFactory = _ => "table",
            HelpName = "table|csv|json",
        };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var cmd = new Command("conversations", """
            Print one row per TCP connection, as `tshark -n -q -z conv,tcp -r FILE` does: both endpoints (A is the
            source of the connection's first segment), frames and bytes each way and in total, the start relative to
            the capture's first packet, and the duration; the busiest connections first. With --format csv or json,
            also the tcp.stream number and the state: established and closed (FIN), reset, open, syn only, or no
            handshake seen.

            Examples:
              httpsflow conversations samples/lossy.pcap
              httpsflow conversations --format csv samples/mixed.pcapng > connections.csv
              httpsflow conversations --format json capture.pcap.gz
              tcpdump -i lo -w - port 443 | httpsflow conversations -
            """);
        cmd.Arguments.Add(file);
        cmd.Options.Add(format);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            using var reader = CliApp.OpenCapture(path, stderr);
            if (reader is null) return CliApp.ExitInput;
            var output = stdoutStream ?? Console.OpenStandardOutput();
            using var sink = new TextSink(output, ownsStream: stdoutStream is null);
            var dissector = new Dissector();
            var conversations = new List<TcpConversation>();
            dissector.Tcp.ConversationStarted += conversations.Add;
            var table = new ConversationTable(CliApp.ParseFormat(parse.GetValue(format)));
            using var progress = Progress.For(path, reader, stderr);
            long n = 0;
            Timestamp first = default;
            while (dissector.Next(reader) is { } frame)
            {
                if (n++ == 0) first = frame.Time;
                progress?.Tick(n);
            }
            progress?.Dispose();
            try
            {
                // Whatever could be read is reported, even when the capture is damaged further on.
                table.Write(sink, conversations, first);
                sink.Flush();
            }
            catch (IOException)
            {
                // The reader of our output went away (a closed pipe, `| head`): stop quietly, as tshark does.
            }
            if (reader.Error is not null)
            {
                stderr.WriteLine($"httpsflow: {path}: {reader.Error}");
                return CliApp.ExitInput;
            }
            return CliApp.ExitOk;
        });
        return cmd;
    }
}
