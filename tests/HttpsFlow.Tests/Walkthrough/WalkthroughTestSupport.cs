using HttpsFlow.Capture;
using HttpsFlow.Pipeline;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Tests.Walkthrough;

/// <summary>Records a capture's TLS connections, with each frame's Info column, for the walkthrough tests.</summary>
internal static class Recorded
{
    public sealed record Capture(List<TlsConnection> Connections, Dictionary<long, string> Info);

    public static Capture Read(string path)
    {
        using var reader = CaptureReader.Open(path);
        var recorder = new ConnectionRecorder();
        var dissector = new Dissector { TlsObserver = recorder };
        var info = new Dictionary<long, string>();
        while (dissector.Next(reader) is { } frame)
        {
            recorder.OnFrame(frame, dissector.Tcp.Last);
            info[frame.Number] = frame.UpperInfo.ToString();
        }
        return new Capture(recorder.Connections.ToList(), info);
    }

    /// <summary>The bundled samples that carry TLS (every sample but mixed.pcapng).</summary>
    public static TheoryData<string> TlsSamples()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Repo.Samples).Select(Path.GetFileName).Order(StringComparer.Ordinal))
            if (f!.Contains(".pcap", StringComparison.Ordinal) && f != "mixed.pcapng") data.Add(f);
        return data;
    }
}
