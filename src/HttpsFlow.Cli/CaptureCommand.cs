using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using HttpsFlow.Capture;
using HttpsFlow.Cli.Live;
using HttpsFlow.Output;
using HttpsFlow.Pipeline;

namespace HttpsFlow.Cli;

/// <summary>`httpsflow capture -i IFACE`: live capture through libpcap, printed as the packet list and written as pcapng.</summary>
internal static class CaptureCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Stream? stdoutStream)
    {
        var iface = new Option<string?>("-i", "--interface") { Description = "The interface to capture on (see --list-interfaces); 'lo' is the loopback.", HelpName = "IFACE" };
        var filter = new Option<string?>("-f", "--filter") { Description = "A capture filter in libpcap's syntax (as tcpdump's), compiled by libpcap: \"tcp port 443\".", HelpName = "BPF" };
        var write = new Option<string?>("-w", "--write") { Description = "Write the packets to this pcapng file (nanosecond timestamps, the interface's name).", HelpName = "OUT.pcapng" };
        var count = new Option<long?>("-c", "--count") { Description = "Stop after this many packets.", HelpName = "N" };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds.", HelpName = "S" };
        var keylog = new Option<string?>("--keylog") { Description = "Follow this TLS key log (SSLKEYLOGFILE) while capturing and embed its new lines in the pcapng as Decryption Secrets Blocks.", HelpName = "FILE" };
        var quiet = new Option<bool>("-q", "--quiet") { Description = "Do not print the packets (a count on stderr instead, on a terminal)." };
        var list = new Option<bool>("--list-interfaces", "-D") { Description = "List the interfaces libpcap can capture on, and exit." };
        var noPromisc = new Option<bool>("--no-promiscuous", "-p") { Description = "Do not put the interface in promiscuous mode." };
        var cmd = new Command("capture", """
            Capture packets live through libpcap: print each one as a `list` line as it arrives, and write them as
            pcapng with -w. Ctrl-C, -c or --duration end the capture cleanly; the file is complete. Capturing needs
            root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities, and libpcap (Debian: libpcap0.8).

            Examples:
              httpsflow capture --list-interfaces
              sudo httpsflow capture -i lo -f "tcp port 443" -w https.pcapng -c 20
              sudo SSLKEYLOGFILE=/tmp/keys curl https://localhost/ & sudo httpsflow capture -i lo -f "tcp port 443" --keylog /tmp/keys -w x.pcapng --duration 10
              sudo httpsflow capture -i eth0 -q -w all.pcapng
            """);
        foreach (var o in new Option[] { iface, filter, write, count, duration, keylog, quiet, list, noPromisc }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            if (parse.GetValue(list))
            {
                try
                {
                    int i = 1;
                    foreach (var (name, description, loopback) in LiveCapture.Interfaces())
                        stdout.WriteLine($"{i++}. {name}{(description is { Length: > 0 } ? $" ({description})" : loopback ? " (Loopback)" : "")}");
                    stdout.Flush();
                    return CliApp.ExitOk;
                }
                catch (LiveCaptureException e)
                {
                    stderr.WriteLine($"httpsflow: {e.Message}");
                    return CliApp.ExitInput;
                }
            }
            string? name2 = parse.GetValue(iface);
            if (name2 is null)
            {
                stderr.WriteLine("httpsflow: capture needs an interface: -i IFACE (httpsflow capture --list-interfaces shows them)");
                return CliApp.ExitUsage;
            }
            long? max = parse.GetValue(count);
            double? seconds = parse.GetValue(duration);
            if (max is <= 0 || seconds is <= 0)
            {
                stderr.WriteLine("httpsflow: --count and --duration must be positive");
                return CliApp.ExitUsage;
            }
            LiveCapture capture;
            try
            {
                capture = LiveCapture.Open(name2, parse.GetValue(filter), promiscuous: !parse.GetValue(noPromisc));
            }
            catch (LiveCaptureException e)
            {
                stderr.WriteLine($"httpsflow: {e.Message}");
                return CliApp.ExitInput;
            }
            using (capture)
            {
                string? outPath = parse.GetValue(write);
                PcapNgWriter? writer = null;
                try
                {
                    if (outPath is not null) writer = new PcapNgWriter(File.Create(outPath), $"HttpsFlow {CliApp.Version}");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"httpsflow: {outPath}: {e.Message}");
                    return CliApp.ExitInput;
                }
                var follower = parse.GetValue(keylog) is { } k ? new KeyLogFollower(k) : null;
                bool printPackets = !parse.GetValue(quiet);
                var result = Run(capture, writer, follower, printPackets, max, seconds, stdoutStream, stderr);
                writer?.Dispose();
                return result;
            }
        });
        return cmd;
    }

    private static int Run(LiveCapture capture, PcapNgWriter? writer, KeyLogFollower? follower, bool printPackets, long? max, double? seconds,
        Stream? stdoutStream, TextWriter stderr)
    {
        int ifaceId = writer?.AddInterface(capture.LinkType, capture.Name) ?? 0;
        var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        var output = stdoutStream ?? Console.OpenStandardOutput();
        using var sink = new TextSink(output, ownsStream: stdoutStream is null);
        var dissector = new Dissector();
        var listFormatter = new ListFormatter(ListFormat.Text);
        bool liveCount = (!printPackets || Console.IsOutputRedirected) && !Console.IsErrorRedirected && stdoutStream is null;
        var clock = Stopwatch.StartNew();
        long n = 0;
        long lastShown = -1;
        long nextKeyCheck = 0;
        try
        {
            while (!stop.IsCancellationRequested && (max is null || n < max) && (seconds is null || clock.Elapsed.TotalSeconds < seconds))
            {
                if (follower is not null && writer is not null && clock.ElapsedMilliseconds >= nextKeyCheck)
                {
                    writer.WriteTlsKeyLog(follower.ReadNewLines());
                    nextKeyCheck = clock.ElapsedMilliseconds + 100;
                }
                if (!capture.Next(out var packet))
                {
                    if (capture.Error is { } err) { stderr.WriteLine($"httpsflow: {capture.Name}: {err}"); break; }
                    if (printPackets) sink.Flush();
                    continue;
                }
                n++;
                writer?.WritePacket(ifaceId, packet.Time, packet.Data, packet.OriginalLength);
                if (printPackets)
                {
                    var frame = dissector.Dissect(new CapturedPacket(packet.Data, packet.OriginalLength, capture.LinkType, packet.Time, 9, ifaceId),
                        writer is not null, capture.Name);
                    listFormatter.Write(frame, sink);
                }
                if (liveCount && (n - lastShown >= 100 || n == 1))
                {
                    stderr.Write($"\r{n} packets");
                    lastShown = n;
                }
            }
            if (follower is not null && writer is not null) writer.WriteTlsKeyLog(follower.ReadNewLines());
            sink.Flush();
        }
        catch (IOException)
        {
            // The reader of our output went away: stop capturing, keep the file complete.
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        if (liveCount) stderr.Write('\r');
        stderr.WriteLine($"httpsflow: {n} packet{(n == 1 ? "" : "s")} captured on {capture.Name}, {capture.Dropped} dropped by the kernel");
        return CliApp.ExitOk;
    }
}
