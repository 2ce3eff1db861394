using HttpsFlow.Fuzz;
using SharpFuzz;

// fuzz/run.sh runs this under afl-fuzz: `HttpsFlow.Fuzz HARNESS` reads inputs from AFL. `HttpsFlow.Fuzz HARNESS
// replay PATH…` runs files (or every file of folders) once each without AFL and prints what escaped, for triage.
if (args is ["seeds", var outDir, .. var captures])
{
    Seeds.Write(outDir, captures);
    return 0;
}
if (args is ["seeds-http2", var http2Dir])
{
    Seeds.WriteHttp2(http2Dir);
    return 0;
}
if (args.Length < 1 || Harnesses.Find(args[0]) is not { } harness)
{
    Console.Error.WriteLine($"usage: HttpsFlow.Fuzz {{{string.Join('|', Harnesses.Names)}}} [replay PATH...]");
    return 2;
}
if (args.Length > 1 && args[1] == "replay")
{
    int failed = 0;
    // The guards keep only the message of what they caught: the first exception of a failing input shows where it was.
    Exception? first = null;
    AppDomain.CurrentDomain.FirstChanceException += (_, e) => first ??= e.Exception;
    foreach (var file in args.Skip(2).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p) : [p]).Order())
    {
        first = null;
        try
        {
            harness(File.ReadAllBytes(file));
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}");
            Console.WriteLine((first is FuzzFinding ? e : first ?? e).StackTrace);
        }
    }
    Console.WriteLine($"{failed} failing");
    return failed == 0 ? 0 : 1;
}
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    harness(buffer.ToArray());
});
return 0;
