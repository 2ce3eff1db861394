using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Walkthrough;

/// <summary>`httpsflow certs`: chains in issuing order with linkage and validation, JSON, and the PEM/DER export.</summary>
public class CertsCommandTests
{
    private static string Sample(string name) => Path.Combine(Repo.Samples, name);
    private static readonly string Root = Path.Combine(Repo.Samples, "pki", "root.pem");

    [Fact]
    public void TextShowsWhoIssuedWhomAndTheValidation()
    {
        var (exit, stdout, stderr) = Repo.Run("certs", Sample("test-site-tls12.pcapng"), "--trust", Root);
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("tcp.stream 0  127.0.0.1:56536 -> 127.0.0.1:443  SNI test.httpsflow.example  server chain, 2 certificates\n", stdout);
        Assert.Contains($"against {Root}: valid\n", stdout);
        Assert.Contains("host name test.httpsflow.example: matches the leaf", stdout);
        Assert.Contains("[0] leaf: CN=test.httpsflow.example\n      issued by [1] CN=HttpsFlow Test R3,O=HttpsFlow Test,C=US, signature verified", stdout);
        Assert.Contains("[1] intermediate: CN=HttpsFlow Test R3,O=HttpsFlow Test,C=US\n      issued by trust anchor CN=HttpsFlow Test Root X1,O=HttpsFlow Test,C=US, signature verified", stdout);
        Assert.Contains("SANs      DNS:test.httpsflow.example", stdout);
        Assert.Contains("(valid at capture time)", stdout);
        Assert.Contains("sha256    A9:14:40:22", stdout);
    }

    [Fact]
    public void JsonCarriesLinkageAndTheReasonWhenValidationFails()
    {
        var (exit, stdout, stderr) = Repo.Run("certs", Sample("test-site-tls12.pcapng"), "--format", "json");
        Assert.True(exit == 0, stderr);
        var chain = JsonDocument.Parse(stdout).RootElement[0];
        Assert.Equal("server", chain.GetProperty("side").GetString());
        Assert.False(chain.GetProperty("valid").GetBoolean());
        Assert.Equal("unable to get local issuer certificate", chain.GetProperty("validation_status").GetString());
        Assert.Contains("HttpsFlow Test Root X1", chain.GetProperty("validation_reason").GetString());
        var certs = chain.GetProperty("certificates");
        Assert.Equal(2, certs.GetArrayLength());
        Assert.Equal(1, certs[0].GetProperty("issued_by_index").GetInt32());
        Assert.True(certs[0].GetProperty("signature_verified").GetBoolean());
        Assert.Equal(JsonValueKind.Null, certs[1].GetProperty("issued_by_index").ValueKind);
        Assert.Equal("valid", certs[1].GetProperty("validity_at_capture").GetString());
        Assert.True(certs[1].GetProperty("is_ca").GetBoolean());
        Assert.Equal("test.httpsflow.example", certs[0].GetProperty("sans")[0].GetString()!.Replace("DNS:", ""));
    }

    [Fact]
    public void Tls13SaysTheCertificatesAreEncrypted()
    {
        var (exit, stdout, _) = Repo.Run("certs", Sample("tls13.pcapng"));
        Assert.Equal(0, exit);
        Assert.StartsWith("No certificate was sent in the clear", stdout);
    }

    [Fact]
    public void ExportWritesPemAndDerThatReadBack()
    {
        var dir = Directory.CreateTempSubdirectory("httpsflow-export");
        try
        {
            var (exit, _, stderr) = Repo.Run("certs", Sample("test-site-tls12.pcapng"), "--export", Path.Combine(dir.FullName, "out"));
            Assert.Equal(0, exit);
            var lines = stderr.TrimEnd('\n').Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.Equal($"httpsflow: wrote {dir.FullName}/out/stream0-server-0-test.httpsflow.example.pem and {dir.FullName}/out/stream0-server-0-test.httpsflow.example.der", lines[0]);
            Assert.EndsWith("stream0-server-1-HttpsFlow_Test_R3.der", lines[1]);
            var (_, json, _) = Repo.Run("certs", Sample("test-site-tls12.pcapng"), "--format", "json");
            var expected = JsonDocument.Parse(json).RootElement[0].GetProperty("certificates").EnumerateArray()
                .ToDictionary(c => c.GetProperty("index").GetInt32(), c => c.GetProperty("sha256").GetString());
            foreach (var (index, name) in new[] { (0, "test.httpsflow.example"), (1, "HttpsFlow_Test_R3") })
            {
                string stem = Path.Combine(dir.FullName, "out", $"stream0-server-{index}-{name}");
                var pem = HttpsFlow.X509.Certificate.ParsePem(File.ReadAllText(stem + ".pem"));
                var der = File.ReadAllBytes(stem + ".der");
                Assert.Single(pem);
                Assert.Equal(der, pem[0].Der.ToArray());
                Assert.Equal(expected[index], Convert.ToHexStringLower(pem[0].Sha256Fingerprint));
                // .NET's own reader agrees (a second, independent parser).
                using var platform = X509CertificateLoader.LoadCertificate(der);
                Assert.Equal(expected[index], platform.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant());
                using var fromPem = X509Certificate2.CreateFromPem(File.ReadAllText(stem + ".pem"));
                Assert.Equal(der, fromPem.RawData);
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void ExportToAPlaceThatCannotBeADirectoryIsOneLine()
    {
        var (exit, _, stderr) = Repo.Run("certs", Sample("test-site-tls12.pcapng"), "--export", Root);
        Assert.Equal(1, exit);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }
}
