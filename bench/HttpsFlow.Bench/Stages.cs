using BenchmarkDotNet.Attributes;
using HttpsFlow.Capture;
using HttpsFlow.Filters;
using HttpsFlow.Net;
using HttpsFlow.Output;
using HttpsFlow.Pipeline;

namespace HttpsFlow.Bench;

public enum Stage { Read, Decode, Tcp, List, ListFiltered }

/// <summary>Runs the pipeline on a capture up to a given stage; returns the number of packets.</summary>
public static class StageRunner
{
    public const string DefaultFilter = "ip.addr == 10.77.0.1 and tcp.port==443";

    public static long Run(string path, Stage stage)
    {
        using var reader = CaptureReader.Open(path);
        long n = 0;
        switch (stage)
        {
            case Stage.Read:
                while (reader.Read(out _) == ReadOutcome.Packet) n++;
                break;
            case Stage.Decode:
            {
                var decoder = new PacketDecoder();
                var frame = new Frame();
                while (reader.Read(out var p) == ReadOutcome.Packet)
                {
                    decoder.Decode(p, frame);
                    n++;
                }
                break;
            }
            case Stage.Tcp:
            {
                var d = new Dissector();
                while (d.Next(reader) is not null) n++;
                break;
            }
            case Stage.List:
            {
                var d = new Dissector();
                var list = new ListFormatter();
                using var sink = new TextSink(Stream.Null);
                while (d.Next(reader) is { } f)
                {
                    list.Write(f, sink);
                    n++;
                }
                break;
            }
            case Stage.ListFiltered:
            {
                // `list -Y FILTER`: the same work plus the filter (HTTPSFLOW_BENCH_FILTER, default the walkthrough's).
                string text = Environment.GetEnvironmentVariable("HTTPSFLOW_BENCH_FILTER") ?? DefaultFilter;
                if (!DisplayFilter.TryCompile(text, out var filter, out var error)) throw new ArgumentException(error!.Format(text));
                var d = new Dissector();
                filter!.Configure(d);
                var list = new ListFormatter();
                using var sink = new TextSink(Stream.Null);
                while (d.Next(reader) is { } f)
                {
                    if (filter.Matches(f)) list.Write(f, sink);
                    else list.Skip(f);
                    n++;
                }
                break;
            }
        }
        return n;
    }
}

/// <summary>
/// The stages of `httpsflow list` on a capture (HTTPSFLOW_BENCH_CAPTURE, default bench/data/large.pcap made by
/// bench/make-large-capture.sh). MemoryDiagnoser shows allocation: the per-packet path should allocate nothing.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class PipelineBenchmarks
{
    private string _path = "";

    [GlobalSetup]
    public void Setup()
    {
        _path = Environment.GetEnvironmentVariable("HTTPSFLOW_BENCH_CAPTURE")
            ?? Path.Combine(FindRoot(), "bench", "data", "large.pcap");
        if (!File.Exists(_path))
            throw new FileNotFoundException($"no capture at {_path}: run bench/make-large-capture.sh first");
    }

    [Benchmark] public long Read() => StageRunner.Run(_path, Stage.Read);
    [Benchmark] public long Decode() => StageRunner.Run(_path, Stage.Decode);
    [Benchmark] public long Tcp() => StageRunner.Run(_path, Stage.Tcp);
    [Benchmark] public long List() => StageRunner.Run(_path, Stage.List);
    [Benchmark] public long ListFiltered() => StageRunner.Run(_path, Stage.ListFiltered);

    internal static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HttpsFlow.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
