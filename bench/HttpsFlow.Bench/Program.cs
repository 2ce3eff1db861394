using System.Diagnostics;
using BenchmarkDotNet.Running;
using HttpsFlow.Bench;

// `dotnet run -c Release -- stages CAPTURE` times each stage once with a stopwatch (a quick look);
// anything else goes to BenchmarkDotNet, e.g. `dotnet run -c Release -- --filter '*'`.
if (args.Length >= 2 && args[0] == "stages")
{
    foreach (var stage in Enum.GetValues<Stage>())
    {
        StageRunner.Run(args[1], stage); // warm-up
        var sw = Stopwatch.StartNew();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        long n = StageRunner.Run(args[1], stage);
        sw.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Console.WriteLine($"{stage,-12} {n,9} packets {sw.Elapsed.TotalMilliseconds,9:F1} ms {sw.Elapsed.TotalMilliseconds * 1e6 / Math.Max(n, 1),8:F0} ns/packet {allocated / 1024.0,10:F1} KiB allocated");
    }
    return;
}
if (args.Length >= 2 && args[0] == "filter-overhead")
{
    // `filter-overhead CAPTURE [FILTER]`: `list` with and without -Y, alternated, the least CPU time of each kept (a
    // loaded machine adds noise, never speed).
    string filter = args.Length > 2 ? args[2] : StageRunner.DefaultFilter;
    Environment.SetEnvironmentVariable("HTTPSFLOW_BENCH_FILTER", filter);
    double best = double.MaxValue, bestFiltered = double.MaxValue;
    for (int i = 0; i < 15; i++)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        StageRunner.Run(args[1], Stage.List);
        var mid = Process.GetCurrentProcess().TotalProcessorTime;
        StageRunner.Run(args[1], Stage.ListFiltered);
        var end = Process.GetCurrentProcess().TotalProcessorTime;
        best = Math.Min(best, (mid - cpu).TotalMilliseconds);
        bestFiltered = Math.Min(bestFiltered, (end - mid).TotalMilliseconds);
    }
    Console.WriteLine($"list {best:F1} ms CPU, list -Y '{filter}' {bestFiltered:F1} ms CPU: {100 * (bestFiltered / best - 1):F0}% more");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(StageRunner).Assembly).Run(args);
