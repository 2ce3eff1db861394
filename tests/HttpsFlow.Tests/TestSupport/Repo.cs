using System.Diagnostics;
using System.Text;
using HttpsFlow.Cli;

namespace HttpsFlow.Tests.TestSupport;

/// <summary>Paths of the repository the tests run in, and a way to run the CLI in-process.</summary>
internal static class Repo
{
    public static readonly string Root = FindRoot();

    public static string Samples => Path.Combine(Root, "samples");

    public static string Golden => Path.Combine(Root, "tests", "golden");

    /// <summary>The public captures beside the repository (../shared/corpus), when present.</summary>
    public static string? Corpus
    {
        get
        {
            var dir = Path.GetFullPath(Path.Combine(Root, "..", "shared", "corpus"));
            return Directory.Exists(dir) ? dir : null;
        }
    }

    /// <summary>What a corpus theory gets when ../shared/corpus is absent (its one row, which does nothing).</summary>
    public const string CorpusAbsent = "(../shared/corpus is not present)";

    /// <summary>Every capture of ../shared/corpus (relative paths, sorted), or the one <see cref="CorpusAbsent"/> row.</summary>
    public static TheoryData<string> CorpusCaptures()
    {
        var data = new TheoryData<string>();
        if (Corpus is { } dir)
            foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                         .Where(f => f.EndsWith(".pcap") || f.EndsWith(".pcapng") || f.EndsWith(".pcap.gz") || f.EndsWith(".cap"))
                         .Order())
                data.Add(Path.GetRelativePath(dir, f));
        if (data.Count == 0) data.Add(CorpusAbsent);
        return data;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HttpsFlow.slnx")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (HttpsFlow.slnx)");
    }

    /// <summary>Runs `httpsflow ARGS` in-process and returns (exit code, stdout, stderr).</summary>
    public static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new MemoryStream();
        var err = new StringWriter();
        var outWriter = new StringWriter();
        int code = CliApp.Run(args, outWriter, err, stdout);
        string text = Encoding.UTF8.GetString(stdout.ToArray()) + outWriter;
        return (code, text, err.ToString());
    }

    /// <summary>Runs tshark, when installed, with no personal preferences; null when it is not installed.</summary>
    public static string? Tshark(params string[] args)
    {
        var psi = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var home = Directory.CreateTempSubdirectory("httpsflow-tshark");
        psi.Environment["HOME"] = home.FullName;
        psi.Environment["LC_ALL"] = "C.UTF-8";
        psi.Environment["TZ"] = "UTC";
        psi.Environment.Remove("XDG_CONFIG_HOME");
        try
        {
            using var p = Process.Start(psi)!;
            var errTask = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            _ = errTask.Result;
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
        finally
        {
            home.Delete(true);
        }
    }
}
