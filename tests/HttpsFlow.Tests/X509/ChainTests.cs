using HttpsFlow.X509;

namespace HttpsFlow.Tests.X509;

/// <summary>
/// Ordering certificates into a chain and validating it: the sample chain of the bundled captures at the capture's
/// own time (valid) and at times when a certificate has expired or is not yet valid, and each way a chain can fail.
/// HttpsFlow's own validation is compared with .NET's X509Chain (<see cref="ChainValidator.ValidateWithPlatform"/>).
/// </summary>
public class ChainTests
{
    private static readonly Certificate Root = X509TestData.Root;
    private static readonly Certificate R3 = X509TestData.R3;
    private static readonly Certificate Leaf = X509TestData.Leaf;
    private static readonly Certificate[] Anchors = [Root];

    private static DateTimeOffset CaptureTime => X509TestData.CaptureTime();

    [Fact]
    public void OrdersByIssuerAndKeyIdentifiers()
    {
        var chain = CertificateChain.Order([Root, Leaf, R3]);
        Assert.Equal([Leaf, R3, Root], chain.Path);
        Assert.Empty(chain.Unused);
        Assert.Same(Leaf, chain.Leaf);
        Assert.Same(Root, chain.Top);

        chain = CertificateChain.Order([R3, Leaf]);
        Assert.Equal([Leaf, R3], chain.Path);

        var stray = X509TestData.Load("ec-root");
        var duplicate = X509TestData.Load("r3");
        chain = CertificateChain.Order([Leaf, stray, R3, duplicate]);
        Assert.Equal([Leaf, R3], chain.Path);
        Assert.Equal([stray, duplicate], chain.Unused);

        chain = CertificateChain.Order([X509TestData.Load("ec-leaf"), X509TestData.Load("ip-critical"), X509TestData.Load("ec-root")]);
        Assert.Equal("ec.httpsflow.example", chain.Leaf!.Subject!.CommonName);
        Assert.Equal(2, chain.Path.Count);
        Assert.Single(chain.Unused);

        Assert.Empty(CertificateChain.Order([]).Path);
        Assert.True(CertificateChain.IsIssuerOf(R3, Leaf));
        Assert.False(CertificateChain.IsIssuerOf(Root, Leaf));
    }

    [Fact]
    public void SampleChainIsValidAtCaptureTime()
    {
        var time = CaptureTime;
        Assert.Equal(2026, time.Year);
        Assert.True(Leaf.ValidAt(time));
        var result = ChainValidator.Validate([Leaf, R3], time, Anchors, "test.httpsflow.example");
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(ChainStatus.Valid, result.Status);
        Assert.Null(result.Reason);
        Assert.Same(Root, result.TrustAnchor);
        Assert.Equal([Leaf, R3], result.Chain.Path);

        var platform = ChainValidator.ValidateWithPlatform([Leaf, R3], time, Anchors, "test.httpsflow.example");
        Assert.True(platform.IsValid, platform.Reason);
    }

    [Fact]
    public void ExpiredAfterTheLeafsNotAfter()
    {
        var time = Leaf.NotAfter!.Value!.Value.AddDays(1);
        var result = ChainValidator.Validate([Leaf, R3], time, Anchors);
        Assert.Equal(ChainStatus.Expired, result.Status);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(0, problem.Index);
        Assert.StartsWith("expired: 'test.httpsflow.example' expired at ", result.Reason);
        Assert.Contains(Leaf.NotAfter.Value.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss"), result.Reason);

        Assert.Equal(ChainStatus.Expired, ChainValidator.ValidateWithPlatform([Leaf, R3], time, Anchors).Status);

        // Later still, the intermediate and the root have expired too.
        var late = Root.NotAfter!.Value!.Value.AddDays(1);
        var all = ChainValidator.Validate([Leaf, R3], late, Anchors);
        Assert.Equal([0, 1, 2], all.Problems.Where(p => p.Status == ChainStatus.Expired).Select(p => p.Index));
    }

    [Fact]
    public void NotYetValidBeforeNotBefore()
    {
        var time = Leaf.NotBefore!.Value!.Value.AddSeconds(-1);
        var result = ChainValidator.Validate([Leaf, R3], time, Anchors);
        Assert.Equal(ChainStatus.NotYetValid, result.Status);
        Assert.StartsWith("not yet valid: ", result.Reason);
        Assert.Equal(ChainStatus.NotYetValid, ChainValidator.ValidateWithPlatform([Leaf, R3], time, Anchors).Status);
    }

    [Fact]
    public void UnknownIssuerWhenTheRootIsNotTrusted()
    {
        var result = ChainValidator.Validate([Leaf, R3], CaptureTime, [X509TestData.Load("ec-root")]);
        Assert.Equal(ChainStatus.UnknownIssuer, result.Status);
        Assert.Contains("'HttpsFlow Test R3'", result.Reason);
        Assert.Null(result.TrustAnchor);

        // The root sent along but not trusted.
        result = ChainValidator.Validate([Leaf, R3, Root], CaptureTime, []);
        Assert.Equal(ChainStatus.UnknownIssuer, result.Status);
        Assert.Contains("self-signed root 'HttpsFlow Test Root X1'", result.Reason);
        Assert.False(ChainValidator.ValidateWithPlatform([Leaf, R3, Root], CaptureTime, []).IsValid);
    }

    [Fact]
    public void IncompleteChainWhenTheIntermediateIsMissing()
    {
        var result = ChainValidator.Validate([Leaf], CaptureTime, Anchors);
        Assert.Equal(ChainStatus.IncompleteChain, result.Status);
        Assert.StartsWith("incomplete chain: the issuer of 'test.httpsflow.example' (CN=HttpsFlow Test R3,O=HttpsFlow Test,C=US)", result.Reason);

        result = ChainValidator.Validate([Leaf, Root], CaptureTime, Anchors);
        Assert.Equal(ChainStatus.IncompleteChain, result.Status);
        Assert.Contains("given but not linked: 'HttpsFlow Test Root X1'", result.Reason);

        Assert.Equal(ChainStatus.IncompleteChain, ChainValidator.ValidateWithPlatform([Leaf], CaptureTime, Anchors).Status);
    }

    [Fact]
    public void SelfSignedLeaf()
    {
        var result = ChainValidator.Validate([Root], CaptureTime, []);
        Assert.Equal(ChainStatus.SelfSigned, result.Status);
        Assert.Equal("self-signed: 'HttpsFlow Test Root X1' is self-signed and not a trust anchor", result.Reason);
        Assert.Equal(ChainStatus.SelfSigned, ChainValidator.ValidateWithPlatform([Root], CaptureTime, []).Status);

        // Trusted, the same certificate is valid on its own.
        Assert.True(ChainValidator.Validate([Root], CaptureTime, Anchors).IsValid);
    }

    [Fact]
    public void SignatureMismatchWhenTheSignatureIsDamaged()
    {
        var der = X509TestData.Der("leaf");
        der[^5] ^= 0x01; // a bit of the signature value
        var tampered = Certificate.Parse(der);
        Assert.True(tampered.IsComplete);
        Assert.Equal(SignatureCheck.Invalid, tampered.VerifySignature(R3));
        var result = ChainValidator.Validate([tampered, R3], CaptureTime, Anchors);
        Assert.Equal(ChainStatus.SignatureMismatch, result.Status);
        Assert.Equal("signature mismatch: the signature of 'test.httpsflow.example' does not verify with the key of 'HttpsFlow Test R3'", result.Reason);
        Assert.Equal(ChainStatus.SignatureMismatch, ChainValidator.ValidateWithPlatform([tampered, R3], CaptureTime, Anchors).Status);
    }

    [Fact]
    public void SignatureMismatchWhenAnotherKeyHasTheIssuersName()
    {
        // Two CAs with the same name and no key identifiers: the name links them, the signature does not.
        var now = DateTimeOffset.UtcNow;
        using var realCa = TestPki.Ca("CN=Same Name CA", keyIdentifiers: false);
        using var otherCa = TestPki.Ca("CN=Same Name CA", keyIdentifiers: false);
        using var leaf = TestPki.Leaf(realCa, "CN=leaf.example", keyIdentifiers: false);
        var result = ChainValidator.Validate([TestPki.Parse(leaf)], now, [TestPki.Parse(otherCa)]);
        Assert.Equal(ChainStatus.SignatureMismatch, result.Status);
        Assert.True(ChainValidator.Validate([TestPki.Parse(leaf)], now, [TestPki.Parse(realCa)]).IsValid);
    }

    [Fact]
    public void IssuersMustBeCertificateAuthorities()
    {
        var now = DateTimeOffset.UtcNow;
        using var root = TestPki.Ca("CN=Test Root");
        using var notCa = TestPki.Leaf(root, "CN=Not A CA", ca: false);
        using var leaf = TestPki.Leaf(notCa, "CN=leaf.example");
        var result = ChainValidator.Validate([TestPki.Parse(leaf), TestPki.Parse(notCa)], now, [TestPki.Parse(root)]);
        Assert.Equal(ChainStatus.NotCertificateAuthority, result.Status);
        Assert.Equal("'Not A CA' issued 'leaf.example' but is not a CA (basicConstraints)", result.Reason);
        Assert.Equal(ChainStatus.NotCertificateAuthority,
            ChainValidator.ValidateWithPlatform([TestPki.Parse(leaf), TestPki.Parse(notCa)], now, [TestPki.Parse(root)]).Status);

        // pathLenConstraint 0 on the first intermediate, and another intermediate below it.
        using var first = TestPki.Leaf(root, "CN=First", ca: true, pathLength: 0);
        using var second = TestPki.Leaf(first, "CN=Second", ca: true);
        using var deep = TestPki.Leaf(second, "CN=deep.example");
        var tooDeep = ChainValidator.Validate([TestPki.Parse(deep), TestPki.Parse(second), TestPki.Parse(first)], now, [TestPki.Parse(root)]);
        Assert.Equal(ChainStatus.NotCertificateAuthority, tooDeep.Status);
        Assert.Equal("'First' allows 0 intermediate CAs below it, the chain has 1", tooDeep.Reason);
        Assert.Equal(2, tooDeep.Problems.Single().Index);
    }

    [Fact]
    public void NameMismatchForAnotherHost()
    {
        var result = ChainValidator.Validate([Leaf, R3], CaptureTime, Anchors, "www.example.com");
        Assert.Equal(ChainStatus.NameMismatch, result.Status);
        Assert.Equal("name mismatch: 'test.httpsflow.example' is not valid for www.example.com (it names DNS:test.httpsflow.example)", result.Reason);
        Assert.Equal(ChainStatus.NameMismatch, ChainValidator.ValidateWithPlatform([Leaf, R3], CaptureTime, Anchors, "www.example.com").Status);
    }

    [Fact]
    public void MadeChainsValidate()
    {
        var time = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var ecRoot = X509TestData.Load("ec-root");
        Assert.True(ChainValidator.Validate([X509TestData.Load("ec-leaf")], time, [ecRoot], "a.wild.httpsflow.example").IsValid);
        Assert.True(ChainValidator.Validate([X509TestData.Load("v1-p384")], time, [ecRoot], "v1.httpsflow.example").IsValid);

        // A critical extension nobody understands.
        var ip = ChainValidator.Validate([X509TestData.Load("ip-critical")], time, [ecRoot], "192.0.2.44");
        Assert.Equal(ChainStatus.UnhandledCriticalExtension, ip.Status);
        Assert.Contains("1.3.6.1.4.1.55555.7.1", ip.Reason);
        Assert.Equal(ChainStatus.UnhandledCriticalExtension, ChainValidator.ValidateWithPlatform([X509TestData.Load("ip-critical")], time, [ecRoot]).Status);

        // EdDSA signatures cannot be checked with the base library.
        var ed = X509TestData.Load("ed25519");
        Assert.Equal(ChainStatus.SelfSigned, ChainValidator.Validate([ed], time, []).Status);
        Assert.True(ChainValidator.Validate([ed], time, [ed]).IsValid);
    }

    [Fact]
    public void MalformedCertificateInTheChain()
    {
        var der = X509TestData.Der("leaf");
        var cut = Certificate.Parse(der.AsSpan(0, der.Length - 40));
        var result = ChainValidator.Validate([cut, R3], CaptureTime, Anchors);
        Assert.Equal(ChainStatus.Malformed, result.Status);
        Assert.Contains("could not be read", result.Reason);
        Assert.False(ChainValidator.ValidateWithPlatform([cut, R3], CaptureTime, Anchors).IsValid);
    }

    [Fact]
    public void SystemTrustAnchorsDoNotTrustTheTestRoot()
    {
        var anchors = ChainValidator.SystemTrustAnchors();
        Assert.DoesNotContain(anchors, a => a.Subject?.CommonName == "HttpsFlow Test Root X1");
        var result = ChainValidator.Validate([Leaf, R3], CaptureTime);
        Assert.Equal(ChainStatus.UnknownIssuer, result.Status);
    }
}
