using System.Text.RegularExpressions;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.X509;

namespace HttpsFlow.Tests.X509;

/// <summary>The OID table's names against the labels tshark prints in its detail view (<c>-V</c>), and its lookups.</summary>
public partial class OidsTests
{
    [GeneratedRegex(@": (?<oid>[0-2](?:\.\d+){2,}) \((?<name>[^()]+)\)")]
    private static partial Regex Labelled();

    [Fact]
    public void NamesAreTsharks()
    {
        var ders = X509TestData.DataNames.Where(n => n != "bad-ext").Select(X509TestData.Der).ToList();
        string path = Path.Combine(Path.GetTempPath(), $"httpsflow-oids-{Environment.ProcessId}-{Guid.NewGuid():N}.pcap");
        File.WriteAllBytes(path, X509TestData.CertificatePcap(ders));
        try
        {
            string? detail = Repo.Tshark("-n", "-V", "-r", path);
            string? sample = Repo.Tshark("-n", "-V", "-r", Path.Combine(Repo.Samples, "test-site-tls12.pcapng"), "-Y", "tls.handshake.certificate");
            if (detail is null || sample is null) return; // tshark is not installed
            var seen = new Dictionary<string, string>();
            foreach (Match m in Labelled().Matches(detail + sample)) seen[m.Groups["oid"].Value] = m.Groups["name"].Value;
            Assert.True(seen.Count > 40, $"only {seen.Count} labelled OIDs");
            var wrong = seen.Where(kv => Oids.TsharkLabel(kv.Key) != $"{kv.Key} ({kv.Value})")
                .Select(kv => $"{kv.Key}: tshark '{kv.Value}', ours '{Oids.TsharkLabel(kv.Key)}'").ToList();
            Assert.True(wrong.Count == 0, string.Join('\n', wrong));
            // Every OID of these certificates that tshark names is in the table.
            Assert.All(seen.Where(kv => !kv.Value.StartsWith("iso.") && !kv.Value.StartsWith("joint-iso-itu-t.")),
                kv => Assert.NotNull(Oids.Find(kv.Key)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Lookups()
    {
        Assert.Equal("sha256WithRSAEncryption", Oids.NameOf(Oids.Sha256WithRsa));
        Assert.Equal("ecdsa-with-SHA256", Oids.NameOf(Oids.EcdsaWithSha256));
        Assert.Equal("id-RSASSA-PSS", Oids.NameOf(Oids.RsassaPss));
        Assert.Equal("id-Ed25519", Oids.NameOf(Oids.Ed25519));
        Assert.Equal("id-at-commonName", Oids.NameOf(Oids.CommonName));
        Assert.Equal("id-kp-serverAuth", Oids.NameOf(Oids.ServerAuth));
        Assert.Equal("1.2.3.4", Oids.NameOf("1.2.3.4"));
        Assert.Equal("CN", Oids.ShortNameOf(Oids.CommonName));
        Assert.Equal("emailAddress", Oids.ShortNameOf(Oids.EmailAddress));
        Assert.Equal("serialNumber", Oids.ShortNameOf(Oids.SerialNumber));
        Assert.Equal("1.2.3.4", Oids.ShortNameOf("1.2.3.4"));
        Assert.Equal("2.5.29.17", Oids.ShortNameOf(Oids.SubjectAltName)); // not an attribute type
        Assert.Equal("1.3.101.112 (iso.3.101.112)", Oids.TsharkLabel(Oids.Ed25519));
        Assert.Equal("2.23.140.1.2.1 (joint-iso-itu-t.23.140.1.2.1)", Oids.TsharkLabel("2.23.140.1.2.1"));
        Assert.Equal("2.5.4.3 (id-at-commonName)", Oids.TsharkLabel(Oids.CommonName));
        Assert.Equal(Oids.All.Count, Oids.All.Select(o => o.Oid).Distinct().Count());
        Assert.All(Oids.All, o => Assert.Matches(@"^[0-2](\.\d+)+$", o.Oid));
        Assert.All(Oids.All.Where(o => o.Kind == OidKind.AttributeType), o => Assert.NotNull(o.ShortName));
    }
}
