using System.Diagnostics;
using HttpsFlow.Cli;
using HttpsFlow.Cli.Live;

namespace HttpsFlow.Tests.Live;

/// <summary>Running `httpsflow` as its own process, and whether this machine lets the tests capture.</summary>
internal static class LiveTestSupport
{
    private static readonly Lazy<bool> s_canCapture = new(() =>
    {
        try
        {
            using var c = LiveCapture.Open("lo", "tcp port 9", promiscuous: false);
            return true;
        }
        catch (LiveCaptureException)
        {
            return false;
        }
    });

    /// <summary>True where the process may capture on the loopback interface (root, as in CI, or CAP_NET_RAW).</summary>
    public static bool CanCapture => s_canCapture.Value;

    /// <summary>Runs `httpsflow ARGS` in a new process (the lab and capture change process-wide state).</summary>
    public static (int Exit, string Stdout, string Stderr) RunProcess(TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"httpsflow {string.Join(' ', args)} did not end within {timeout}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now.</summary>
    public static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>tshark's exit code and stderr for reading <paramref name="path"/> (null when tshark is not installed).</summary>
    public static (int Exit, string Stderr)? TsharkReads(string path)
    {
        var psi = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-r");
        psi.ArgumentList.Add(path);
        try
        {
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            string stderr = string.Join('\n', err.Result.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("Running as user", StringComparison.Ordinal)));
            return (p.ExitCode, stderr);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
