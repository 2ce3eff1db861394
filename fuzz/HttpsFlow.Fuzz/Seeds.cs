using HttpsFlow.Capture;
using HttpsFlow.Net;
using HttpsFlow.Pipeline;
using HttpsFlow.Tcp;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Fuzz;

/// <summary>
/// Cuts seed inputs for the harnesses out of real captures (`HttpsFlow.Fuzz seeds OUTDIR CAPTURE…`): the first
/// packets of each capture (packet), each TCP connection's first payloads in the tls harness's framing (tls), and
/// every certificate the connections carried (x509). Captures themselves are copied by fuzz/run.sh (capture).
/// </summary>
internal static class Seeds
{
    public static void Write(string outDir, IEnumerable<string> captures)
    {
        foreach (var h in Harnesses.Names) Directory.CreateDirectory(Path.Combine(outDir, h));
        var certs = new HashSet<string>();
        foreach (var path in captures)
        {
            string name = Path.GetFileName(path).Split('.')[0];
            using var reader = CaptureReader.Open(path);
            var recorder = new ConnectionRecorder { KeepFrames = false };
            var dissector = new Dissector { KeepPayload = true, TlsObserver = recorder };
            var streams = new Dictionary<int, MemoryStream>();
            while (dissector.Next(reader) is { } f)
            {
                recorder.OnFrame(f, dissector.Tcp.Last);
                if (f.Transport != TransportKind.Tcp || f.PayloadLength <= 0 || (f.Tcp.Analysis & (TcpAnalysisFlags.Retransmission | TcpAnalysisFlags.OutOfOrder)) != 0)
                    continue;
                if (!streams.TryGetValue(f.Tcp.Stream, out var ms)) streams[f.Tcp.Stream] = ms = new MemoryStream();
                if (ms.Length > 12_000) continue;
                bool fromServer = f.SrcPort < f.DstPort;
                int len = Math.Min(f.PayloadLength, Math.Min(f.PayloadBytes.Length, 0x7fff));
                ms.WriteByte((byte)((fromServer ? 0x80 : 0) | (len >> 8)));
                ms.WriteByte((byte)len);
                ms.Write(f.PayloadBytes, 0, len);
            }
            foreach (var (stream, ms) in streams.Take(3))
                File.WriteAllBytes(Path.Combine(outDir, "tls", $"{name}-{stream}"), ms.ToArray());
            foreach (var c in recorder.Connections)
                foreach (var cert in (c.ServerCertificates?.Chain ?? []).Concat(c.ClientCertificates?.Chain ?? []))
                {
                    string fp = HandshakeSummary.Fingerprint(cert)[..12];
                    if (certs.Add(fp)) File.WriteAllBytes(Path.Combine(outDir, "x509", fp), cert.Der.ToArray());
                }
            // Packets: re-read the capture for the raw bytes.
            using var again = CaptureReader.Open(path);
            for (int i = 0; i < 40 && again.Read(out var p) == ReadOutcome.Packet; i++)
            {
                if (i % 10 != 0) continue;
                int index = Array.IndexOf(Harnesses.PacketLinkTypes, p.LinkType);
                if (index < 0) continue;
                File.WriteAllBytes(Path.Combine(outDir, "packet", $"{name}-{i}"), [(byte)index, .. p.Data]);
            }
        }
    }

}
