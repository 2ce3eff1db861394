using HttpsFlow.X509;

namespace HttpsFlow.Tests.X509;

/// <summary>
/// <see cref="Certificate.MatchesHostName"/> against RFC 6125 §6: DNS-IDs before the CN, the leftmost-label
/// wildcard, IP addresses against iPAddress names only, case, trailing dots and IDNs.
/// </summary>
public class HostNameTests
{
    [Theory]
    // The sample leaf: CN and SAN test.httpsflow.example
    [InlineData("leaf", "test.httpsflow.example", true)]
    [InlineData("leaf", "TEST.HttpsFlow.Example", true)]
    [InlineData("leaf", "test.httpsflow.example.", true)]
    [InlineData("leaf", "other.httpsflow.example", false)]
    [InlineData("leaf", "httpsflow.example", false)]
    [InlineData("leaf", "x.test.httpsflow.example", false)]
    [InlineData("leaf", "", false)]
    [InlineData("leaf", "127.0.0.1", false)]
    // ec-leaf: DNS ec.httpsflow.example and *.wild.httpsflow.example, IP 192.0.2.10 and 2001:db8::1, an e-mail, a URI
    [InlineData("ec-leaf", "ec.httpsflow.example", true)]
    [InlineData("ec-leaf", "a.wild.httpsflow.example", true)]
    [InlineData("ec-leaf", "A-B.WILD.httpsflow.example", true)]
    [InlineData("ec-leaf", "wild.httpsflow.example", false)]       // the wildcard needs a label
    [InlineData("ec-leaf", ".wild.httpsflow.example", false)]
    [InlineData("ec-leaf", "a.b.wild.httpsflow.example", false)]   // and matches one label only
    [InlineData("ec-leaf", "192.0.2.10", true)]
    [InlineData("ec-leaf", "192.0.2.11", false)]
    [InlineData("ec-leaf", "2001:db8::1", true)]
    [InlineData("ec-leaf", "[2001:db8::1]", true)]
    [InlineData("ec-leaf", "2001:DB8:0:0:0:0:0:1", true)]
    [InlineData("ec-leaf", "pki@httpsflow.example", false)]
    [InlineData("ec-leaf", "httpsflow.example", false)]
    // ip-critical: only IP SANs, and an IP-looking CN that must not be used
    [InlineData("ip-critical", "192.0.2.44", true)]
    [InlineData("ip-critical", "198.51.100.7", true)]
    [InlineData("ip-critical", "2001:db8:0:1::44", true)]
    [InlineData("ip-critical", "192.0.2.45", false)]
    // v1-p384: no extensions, so the CN is used
    [InlineData("v1-p384", "v1.httpsflow.example", true)]
    [InlineData("v1-p384", "V1.HTTPSFLOW.EXAMPLE.", true)]
    [InlineData("v1-p384", "v2.httpsflow.example", false)]
    public void MadeAndSampleCertificates(string certificate, string host, bool matches) =>
        Assert.Equal(matches, X509TestData.Load(certificate).MatchesHostName(host));

    [Fact]
    public void SubjectAltNameTakesPrecedenceOverTheCommonName()
    {
        var c = TestPki.SelfSigned("CN=cn-only.example", TestPki.SubjectAltName(["san.example"]));
        Assert.True(c.MatchesHostName("san.example"));
        Assert.False(c.MatchesHostName("cn-only.example"));

        // A SAN with only IP addresses has no DNS-ID: the CN is still looked at for names.
        var ipOnly = TestPki.SelfSigned("CN=named.example", TestPki.SubjectAltName([], ["192.0.2.1"]));
        Assert.True(ipOnly.MatchesHostName("named.example"));
        Assert.True(ipOnly.MatchesHostName("192.0.2.1"));
    }

    [Fact]
    public void CommonNameWhenThereIsNoSubjectAltName()
    {
        var c = TestPki.SelfSigned("CN=legacy.example, O=Old Style");
        Assert.True(c.MatchesHostName("legacy.example"));
        Assert.False(c.MatchesHostName("Old Style"));
        var wildcard = TestPki.SelfSigned("CN=*.legacy.example");
        Assert.True(wildcard.MatchesHostName("www.legacy.example"));
        Assert.False(wildcard.MatchesHostName("legacy.example"));
        // The most specific CN, the last one encoded, counts.
        var two = TestPki.SelfSigned("CN=first.example, CN=second.example");
        var encoded = two.Subject!.ValuesOf(Oids.CommonName).ToList();
        Assert.Equal(2, encoded.Count);
        Assert.Equal(encoded[1], two.Subject.CommonName);
        Assert.True(two.MatchesHostName(encoded[1]));
        Assert.False(two.MatchesHostName(encoded[0]));
        // An IP address in the CN never matches.
        Assert.False(TestPki.SelfSigned("CN=192.0.2.99").MatchesHostName("192.0.2.99"));
    }

    [Theory]
    [InlineData("*.example.com", "www.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "a.b.example.com", false)]
    [InlineData("*.com", "example.com", false)]              // at least two labels after the wildcard
    [InlineData("f*.example.com", "foo.example.com", false)]  // only the whole label
    [InlineData("*oo.example.com", "foo.example.com", false)]
    [InlineData("www.*.example.com", "www.a.example.com", false)] // only the leftmost label
    [InlineData("*.*.example.com", "a.b.example.com", false)]
    [InlineData("*", "localhost", false)]
    [InlineData("xn--mnchen-3ya.example", "münchen.example", true)] // compared as A-labels
    [InlineData("xn--mnchen-3ya.example", "XN--MNCHEN-3YA.example", true)]
    [InlineData("WWW.Example.COM", "www.example.com", true)]
    [InlineData("www.example.com.", "www.example.com", true)]
    public void Wildcards(string presented, string host, bool matches)
    {
        var c = TestPki.SelfSigned("CN=unused", TestPki.SubjectAltName([presented]));
        Assert.Equal(matches, c.MatchesHostName(host));
    }

    [Fact]
    public void NulInsideAName()
    {
        // A dNSName "good.example\0.evil.example" must not match either part.
        var c = TestPki.SelfSigned("CN=unused", TestPki.SubjectAltName(["good.example\0.evil.example"]));
        Assert.False(c.MatchesHostName("good.example"));
        Assert.False(c.MatchesHostName("good.example\0.evil.example"));
        Assert.Contains(c.Notes, n => n.Message.Contains("NUL"));
        Assert.Equal("good.example", CertificateFields.Join(CertificateFields.Values(c), "x509ce.dNSName"));
    }
}
