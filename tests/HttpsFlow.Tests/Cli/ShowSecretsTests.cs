using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Cli;

/// <summary>`explain --show-secrets`: key material only when asked for, and the right material.</summary>
public class ShowSecretsTests
{
    private static string Secret(string keys, string label) =>
        File.ReadAllLines(Path.Combine(Repo.Samples, keys)).First(l => l.StartsWith(label + " ", StringComparison.Ordinal)).Split(' ')[2];

    [Fact]
    public void Tls12ShowsTheLoggedMasterSecretAndTheKeysCutFromIt()
    {
        var (exit, stdout, stderr) = Repo.Run("explain", Path.Combine(Repo.Samples, "test-site-tls12.pcapng"),
            "--keylog", Path.Combine(Repo.Samples, "test-site-tls12.keys"), "--show-secrets", "--color", "never");
        Assert.True(exit == 0, stderr);
        string master = Secret("test-site-tls12.keys", "CLIENT_RANDOM");
        Assert.Contains("Key material (--show-secrets)", stdout);
        Assert.Contains("master secret     " + master, stdout);
        // AES-128-GCM: 16-byte write keys, 4-byte implicit IVs, no MAC keys.
        var key = stdout.Split('\n').Single(l => l.TrimStart().StartsWith("client write key", StringComparison.Ordinal));
        Assert.Equal(32, key.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1].Length);
        Assert.DoesNotContain("MAC key", stdout);
    }

    [Fact]
    public void Tls13ShowsTheLoggedSecretsAndTheApplicationKeys()
    {
        var (exit, stdout, stderr) = Repo.Run("explain", Path.Combine(Repo.Samples, "tls13.pcapng"),
            "--keylog", Path.Combine(Repo.Samples, "tls13.keys"), "--show-secrets", "--color", "never");
        Assert.True(exit == 0, stderr);
        Assert.Contains(Secret("tls13.keys", "CLIENT_TRAFFIC_SECRET_0"), stdout);
        Assert.Contains(Secret("tls13.keys", "SERVER_HANDSHAKE_TRAFFIC_SECRET"), stdout);
        Assert.Contains("client application write key", stdout);
        Assert.Contains("server application write IV", stdout);
    }

    [Fact]
    public void WithoutTheOptionNoSecretIsPrinted()
    {
        var (exit, stdout, _) = Repo.Run("explain", Path.Combine(Repo.Samples, "test-site-tls12.pcapng"),
            "--keylog", Path.Combine(Repo.Samples, "test-site-tls12.keys"), "--color", "never");
        Assert.Equal(0, exit);
        Assert.DoesNotContain("Key material", stdout);
        Assert.DoesNotContain(Secret("test-site-tls12.keys", "CLIENT_RANDOM"), stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AConnectionNotDecryptedHasNoKeyMaterial()
    {
        var (exit, stdout, _) = Repo.Run("explain", Path.Combine(Repo.Samples, "test-site-tls12.pcapng"), "--show-secrets", "--color", "never");
        Assert.Equal(0, exit);
        Assert.Contains("No key material for this connection (it was not decrypted).", stdout);
    }
}
