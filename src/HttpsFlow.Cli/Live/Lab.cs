using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using HttpsFlow.Capture;
using HttpsFlow.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace HttpsFlow.Cli.Live;

/// <summary>What the lab did: the body fetched, the file written, how many packets and key log lines it holds.</summary>
internal sealed record LabResult(string Body, int StatusCode, string CapturePath, long Packets, int KeyLogLines, byte[] RootCertificate);

/// <summary>
/// The HTTPS experiment on one machine: a Kestrel test site on 127.0.0.1 serving /test.html ("test") behind a fresh
/// chain, fetched once by .NET's HttpClient trusting that chain's root, captured on the loopback interface through
/// libpcap, with the connection's TLS secrets (.NET's own SSLKEYLOGFILE support) embedded in the pcapng written.
/// </summary>
internal static class Lab
{
    public const string SiteName = "test.httpsflow.lab";

    /// <summary>Turns on .NET's TLS key logging into <paramref name="path"/>; must run before the first TLS connection of the process.</summary>
    public static void EnableKeyLog(string path)
    {
        Environment.SetEnvironmentVariable("SSLKEYLOGFILE", path);
        AppContext.SetSwitch("System.Net.EnableSslKeyLogging", true);
    }

    public static async Task<LabResult> RunAsync(string tls, int port, string capturePath, string keyLogPath, TextWriter log, CancellationToken cancel)
    {
        using var pki = LabPki.Create(SiteName, DateTimeOffset.UtcNow);
        var protocols = tls == "1.2" ? SslProtocols.Tls12 : SslProtocols.Tls13;

        // Capture first, so the three-way handshake is in the file.
        using var capture = LiveCapture.Open("lo", $"tcp port {port}", promiscuous: false);
        var packets = new List<(Timestamp Time, byte[] Data, int Length)>();
        using var stopCapture = new CancellationTokenSource();
        var capturing = Task.Run(() =>
        {
            while (!stopCapture.IsCancellationRequested)
                if (capture.Next(out var p)) lock (packets) packets.Add((p.Time, p.Data.ToArray(), p.OriginalLength));
        }, CancellationToken.None);

        await using var site = await StartSiteAsync(pki, port, protocols, cancel);
        log.WriteLine($"httpsflow lab: https://{SiteName}:{port}/test.html served by Kestrel on 127.0.0.1:{port} (TLS {tls}), capturing on lo");

        string body;
        int status;
        using (var client = CreateClient(pki, port, protocols))
        {
            using var response = await client.GetAsync(new Uri($"https://{SiteName}:{port}/test.html"), cancel);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsStringAsync(cancel);
        }
        // Give the close (FIN, ACK exchange) time to reach the capture.
        await Task.Delay(300, cancel);
        await site.StopAsync(cancel);
        await Task.Delay(100, cancel);
        stopCapture.Cancel();
        await capturing;

        byte[] keyLog = File.Exists(keyLogPath) ? await File.ReadAllBytesAsync(keyLogPath, cancel) : [];
        int keyLines = keyLog.Count(b => b == (byte)'\n');
        using (var writer = new PcapNgWriter(File.Create(capturePath), $"HttpsFlow {CliApp.Version} lab"))
        {
            int id = writer.AddInterface(capture.LinkType, "lo");
            // Secrets first: a reader in one pass has them before the first encrypted record.
            writer.WriteTlsKeyLog(keyLog);
            lock (packets)
                foreach (var (time, data, length) in packets) writer.WritePacket(id, time, data, length);
        }
        return new LabResult(body, status, capturePath, packets.Count, keyLines, pki.Root.RawData);
    }

    private static async Task<WebApplication> StartSiteAsync(LabPki pki, int port, SslProtocols protocols, CancellationToken cancel)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = pki.Leaf,
                    ServerCertificateChain = [pki.Intermediate],
                    SslProtocols = protocols,
                    OnAuthenticate = (_, ssl) =>
                    {
                        // The walkthrough's suite: ECDHE key exchange, RSA signature, AES-128-GCM, SHA-256.
                        if (protocols == SslProtocols.Tls12 && !OperatingSystem.IsWindows())
                            ssl.CipherSuitesPolicy = new CipherSuitesPolicy([TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]);
                    },
                });
            });
        });
        var app = builder.Build();
        app.MapGet("/test.html", () => Results.Text("test", "text/html"));
        await app.StartAsync(cancel);
        return app;
    }

    private static HttpClient CreateClient(LabPki pki, int port, SslProtocols protocols)
    {
        var handler = new SocketsHttpHandler
        {
            // The site's name resolves to nothing: connect to 127.0.0.1 and keep the name for SNI and the certificate.
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                    certificate is X509Certificate2 c && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && pki.Trusts(c, chain),
            },
            PooledConnectionLifetime = TimeSpan.FromSeconds(5),
        };
        return new HttpClient(handler, disposeHandler: true) { DefaultRequestVersion = HttpVersion.Version11 };
    }
}
