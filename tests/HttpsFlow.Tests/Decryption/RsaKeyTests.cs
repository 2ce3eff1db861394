using HttpsFlow.Decryption;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Decryption;

/// <summary>--rsa-key: RSA key exchange decrypted with the server's private key (samples/pki/leaf.key), no key log.</summary>
public class RsaKeyTests
{
    private static string S(string name) => Path.Combine(Repo.Samples, name);

    private static DecryptionRun Run(string capture, string pem)
    {
        var keys = RsaKeyExchange.LoadPem(File.ReadAllText(S(pem)));
        Assert.Single(keys);
        return DecryptionRun.Of(capture, new KeyLog(), keys);
    }

    [Fact]
    public void Rsa_key_exchange_with_extended_master_secret_decrypts()
    {
        // AES128-SHA256: TLS_RSA_WITH_AES_128_CBC_SHA256; the ServerHello echoes extended_master_secret.
        var run = Run("ciphers/tls12-cbc-sha256.pcapng", "pki/leaf.key");
        var s = Assert.Single(run.Sessions);
        Assert.True(s.ExtendedMasterSecret);
        Assert.Equal(DecryptionStatus.Decrypted, s.Status);
        Assert.Equal(2, s.FinishedVerified);
        Assert.StartsWith("GET /test.html HTTP/1.0", run.Text(fromClient: true));
        Assert.EndsWith("test", run.Text(fromClient: false));
    }

    [Fact]
    public void Rsa_key_of_another_certificate()
    {
        var run = Run("ciphers/tls12-cbc-sha256.pcapng", "pki/r3.key");
        Assert.Equal(DecryptionStatus.RsaKeyMismatch, Assert.Single(run.Sessions).Status);
        Assert.Empty(run.Records);
    }

    [Theory]
    [InlineData("test-site-tls12.pcapng")]
    [InlineData("tls13.pcapng")]
    public void Rsa_key_cannot_decrypt_ephemeral_key_exchange(string capture)
    {
        var run = Run(capture, "pki/leaf.key");
        Assert.Equal(DecryptionStatus.KeyExchangeNotRsa, Assert.Single(run.Sessions).Status);
    }

    [Fact]
    public void Explain_with_rsa_key()
    {
        var (exit, stdout, stderr) = Repo.Run("explain", S("ciphers/tls12-cbc-sha256.pcapng"), "--rsa-key", S("pki/leaf.key"), "--width", "200");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("Decrypted          yes", stdout);
        (_, stdout, _) = Repo.Run("explain", S("test-site-tls12.pcapng"), "--rsa-key", S("pki/leaf.key"), "--width", "200");
        Assert.Contains("Decrypted          no (the key exchange is not RSA", stdout);
        (exit, _, stderr) = Repo.Run("explain", S("test-site-tls12.pcapng"), "--rsa-key", S("pki/leaf.pem"));
        Assert.Equal(1, exit);
        Assert.Contains("no unencrypted RSA private key", stderr);
    }
}
