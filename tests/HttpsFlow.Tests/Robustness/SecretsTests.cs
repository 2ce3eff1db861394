using System.Text;
using HttpsFlow.Capture;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Robustness;

/// <summary>
/// Key material never leaves through output or errors: the secrets of the capture's Decryption Secrets Block (the
/// last column of each key-log line: master secrets and traffic secrets) appear in no command's stdout or stderr, for
/// the whole capture and for copies cut short inside the secrets block (error messages).
/// </summary>
public sealed class SecretsTests
{
    private static readonly string Capture = Path.Combine(Repo.Samples, "test-site-tls12-dsb.pcapng");

    private static List<string> Secrets()
    {
        using var reader = CaptureReader.Open(Capture);
        while (reader.Read(out _) == ReadOutcome.Packet) { }
        var secrets = reader.Secrets.SelectMany(s => Encoding.ASCII.GetString(s.Data).Split('\n'))
            .Select(l => l.Trim().Split(' ')).Where(p => p.Length == 3).Select(p => p[2]).ToList();
        Assert.NotEmpty(secrets);
        return secrets;
    }

    private static readonly string[][] Commands =
    [
        ["list"], ["json"], ["fields", "-e", "tls.handshake.random", "-e", "tls.handshake.session_id", "-e", "tcp.payload"],
        ["explain"], ["handshakes", "--format", "json"], ["certs"], ["conversations"], ["report", "-o", "-"],
    ];

    private static void AssertNoSecret(string path, List<string> secrets)
    {
        foreach (var command in Commands)
        {
            var (_, stdout, stderr) = Repo.Run([.. command, path]);
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, stdout, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(secret, stderr, StringComparison.OrdinalIgnoreCase);
                // Also not as the first half (a truncated rendering of the secret).
                Assert.DoesNotContain(secret[..32], stdout + stderr, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public void NoCommandPrintsTheEmbeddedSecrets() => AssertNoSecret(Capture, Secrets());

    [Fact]
    public void ErrorsInsideTheSecretsBlockDoNotQuoteIt()
    {
        var secrets = Secrets();
        var bytes = File.ReadAllBytes(Capture);
        int at = Encoding.ASCII.GetString(bytes).IndexOf(secrets[0][..16], StringComparison.OrdinalIgnoreCase);
        Assert.True(at > 0);
        var dir = Directory.CreateTempSubdirectory("httpsflow-secrets");
        try
        {
            foreach (int cut in new[] { at - 40, at + 10, at + 100 })
            {
                string path = Path.Combine(dir.FullName, $"cut-{cut}.pcapng");
                File.WriteAllBytes(path, bytes[..cut]);
                AssertNoSecret(path, secrets);
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
