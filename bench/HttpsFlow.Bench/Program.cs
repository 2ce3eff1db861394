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
BenchmarkSwitcher.FromAssembly(typeof(StageRunner).Assembly).Run(args);
