using HttpsFlow.Tcp;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Walkthrough;

namespace HttpsFlow.Tests.Walkthrough;

/// <summary>
/// The walkthrough on the bundled samples: its structure (every frame drawn once, every Ack it explains right,
/// every message it names present in the dissection) and the steps of the reference walkthrough with this capture's
/// numbers.
/// </summary>
public class NarratorTests
{
    private static string Sample(string name) => Path.Combine(Repo.Samples, name);

    private static string Text(Walk walk) => string.Join("\n", walk.Blocks.Select(b => b.Text + string.Concat(b.Facts?.Select(f => f.Key + " " + f.Value + "\n") ?? [])));

    [Theory]
    [MemberData(nameof(Recorded.TlsSamples), MemberType = typeof(Recorded))]
    public void EveryFrameOfTheConnectionIsDrawnOnce(string sample)
    {
        var capture = Recorded.Read(Sample(sample));
        Assert.NotEmpty(capture.Connections);
        foreach (var c in capture.Connections)
        {
            foreach (var lang in Phrasebook.Languages)
            {
                var walk = Narrator.Explain(c, new WalkOptions { Language = lang });
                Assert.Equal(c.Frames.Select(f => f.Number), walk.DiagramFrames);
                Assert.Equal(walk.DiagramFrames.Count, walk.DiagramFrames.Distinct().Count());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Recorded.TlsSamples), MemberType = typeof(Recorded))]
    public void EveryAckTheNarrationExplainsIsArithmeticallyRight(string sample)
    {
        var capture = Recorded.Read(Sample(sample));
        foreach (var c in capture.Connections)
        {
            var walk = Narrator.Explain(c, new WalkOptions { MaxNarratedFrames = int.MaxValue });
            Assert.NotEmpty(walk.Acks);
            foreach (var a in walk.Acks)
            {
                var frame = c.FindFrame(a.Frame)!;
                var acked = c.FindFrame(a.AckedFrame)!;
                Assert.Equal(frame.Ack, a.Ack);
                Assert.Equal(acked.Seq, a.AckedSeq);
                Assert.Equal(acked.Length, a.AckedLength);
                Assert.Equal(a.Ack, a.AckedSeq + (uint)a.AckedLength + (a.AckedSynOrFin ? 1u : 0u));
                // The acknowledged segment came from the other side, earlier.
                Assert.NotEqual(c.IsFromClient(frame), c.IsFromClient(acked));
                Assert.True(a.AckedFrame < a.Frame);
                Assert.Equal(frame.Length > 0 || (frame.Flags & TcpFlags.Fin) != 0, a.Piggybacked);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Recorded.TlsSamples), MemberType = typeof(Recorded))]
    public void EveryMessageNamedIsInTheFramesInfoColumn(string sample)
    {
        var capture = Recorded.Read(Sample(sample));
        foreach (var c in capture.Connections)
        {
            var walk = Narrator.Explain(c);
            Assert.NotEmpty(walk.Messages);
            foreach (var (frame, name) in walk.Messages)
                Assert.Contains(name, capture.Info[frame], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheTestSiteWalkthroughTellsEveryStepWithThisCapturesNumbers()
    {
        var c = Assert.Single(Recorded.Read(Sample("test-site-tls12.pcapng")).Connections);
        var walk = Narrator.Explain(c);
        string text = Text(walk);
        string[] expected =
        [
            // The three-way handshake and relative numbers.
            "The client opens the connection with SYN", "Seq=0", "answers Ack=1", "completes the three-way handshake",
            // The Client Hello with its suites and random, the bare ACK with Ack=518.
            "Client Hello (508 bytes)", "offers 31 cipher suites", "TLS_AES_256_GCM_SHA384 (AES-256-GCM, SHA-384)",
            "Seq=1, Len=517: bytes 1–517", "Ack=518 = 1 + 517, frame 4's Seq plus its Len", "A bare ACK",
            // The Server Hello and its suite taken apart.
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: ECDHE key exchange, RSA authentication",
            "AES-128-GCM encrypting and authenticating the records (AEAD), SHA-256 in the key derivation",
            // Certificate, Server Key Exchange and Server Hello Done in one segment; the chain.
            "The server sends 4 TLS messages in this one segment: Server Hello, Certificate, Server Key Exchange, Server Hello Done",
            "[1] test.httpsflow.example, issued by HttpsFlow Test R3", "They cover test.httpsflow.example", "Certificate [2] is its issuer",
            "issued by HttpsFlow Test Root X1", "32 bytes on the curve x25519", "Server Hello Done: the server's part",
            // Client Key Exchange, Change Cipher Spec, the encrypted Finished and its two purposes.
            "Client Key Exchange: the client's own ephemeral public key", "Change Cipher Spec: from its next record on",
            "it proves nobody altered the handshake, and the peer can only read it if both derived the same keys",
            // The ticket and the ACK that rides on it: 611 = 518 + 93.
            "lifetime hint of 300 s (5 minutes)", "Ack=611 = 518 + 93, frame 8's Seq plus its Len", "rides on this segment",
            // Application data and the close.
            "Application Data from the client", "Encrypted Alert", "close_notify", "The client closes its side first with FIN",
            "Ack=767 = 766 + 0 + 1 (the FIN)",
        ];
        foreach (var e in expected) Assert.Contains(e, text, StringComparison.Ordinal);
        Assert.Equal(3, walk.Timing.RoundTripsBeforeData);
        Assert.Contains(walk.Acks, a => a is { Frame: 5, Ack: 518, AckedFrame: 4, Piggybacked: false });
        Assert.Contains(walk.Acks, a => a is { Frame: 9, Ack: 611, AckedFrame: 8, Piggybacked: true });
    }

    [Fact]
    public void TheChineseWalkthroughTellsTheSameSteps()
    {
        var c = Assert.Single(Recorded.Read(Sample("test-site-tls12.pcapng")).Connections);
        var en = Narrator.Explain(c, new WalkOptions { Language = "en" });
        var zh = Narrator.Explain(c, new WalkOptions { Language = "zh" });
        string text = Text(zh);
        foreach (var e in new[] { "客户端发送 SYN 发起连接", "Ack=518 = 1 + 517，即第 4 帧的 Seq 加上它的 Len", "Ack=611 = 518 + 93", "顺带",
                     "密钥交换用 ECDHE，身份认证用 RSA", "有效期提示为 300 秒（5 分钟）", "一是证明握手过程没有被篡改", "Server Hello Done：" })
            Assert.Contains(e, text, StringComparison.Ordinal);
        // The same blocks, acks and messages in both languages: only the words differ.
        Assert.Equal(en.Blocks.Select(b => b.Kind), zh.Blocks.Select(b => b.Kind));
        Assert.Equal(en.Acks, zh.Acks);
        Assert.Equal(en.Messages, zh.Messages);
        Assert.Equal(en.Findings.Select(f => f.Code), zh.Findings.Select(f => f.Code));
    }

    [Fact]
    public void Tls13TellsItsOwnStory()
    {
        var c = Assert.Single(Recorded.Read(Sample("tls13.pcapng")).Connections);
        Assert.True(c.IsTls13);
        var walk = Narrator.Explain(c);
        string text = Text(walk);
        Assert.Contains("in TLS 1.3 a dummy record", text, StringComparison.Ordinal);
        Assert.Contains("Encrypted Extensions, the Certificate, Certificate Verify", text, StringComparison.Ordinal);
        Assert.Contains("The client's Finished", text, StringComparison.Ordinal);
        Assert.Contains("most likely New Session Tickets", text, StringComparison.Ordinal);
        Assert.Contains(walk.Findings, f => f.Code == "tls13.certificate_hidden");
        Assert.NotNull(walk.Timing.TlsHandshake);
    }

    [Fact]
    public void TheLossySampleReportsItsRetransmissions()
    {
        var capture = Recorded.Read(Sample("lossy.pcap"));
        var walk = Narrator.Explain(capture.Connections[0]);
        Assert.Contains(walk.Findings, f => f.Code == "tcp.retransmission");
        Assert.Contains(walk.Blocks, b => b.Text.Contains("retransmission", StringComparison.Ordinal));
    }

    [Fact]
    public void ATrustedRootLeavesNothingToReport()
    {
        var c = Assert.Single(Recorded.Read(Sample("test-site-tls12.pcapng")).Connections);
        var untrusted = Narrator.Explain(c, new WalkOptions { TrustAnchors = [] });
        Assert.Contains(untrusted.Findings, f => f.Code == "cert.unknownissuer");
        var root = HttpsFlow.X509.Certificate.ParsePem(File.ReadAllText(Path.Combine(Repo.Samples, "pki", "root.pem")));
        var trusted = Narrator.Explain(c, new WalkOptions { TrustAnchors = root });
        Assert.Empty(trusted.Findings);
    }

    [Fact]
    public void WrappingKeepsLatinWordsWholeAndBreaksBetweenChineseCharacters()
    {
        var lines = WalkWriter.Wrap("Ack=611 = 518 + 93 客户端发送 SYN 发起连接，它的初始序号是 2336809746。", 20);
        Assert.All(lines, l => Assert.True(TextWidth.Of(l) <= 20 || !l.Contains(' '), l));
        Assert.Contains(lines, l => l.Contains("2336809746", StringComparison.Ordinal));
        Assert.Equal("Ack=611 = 518 + 93 客户端发送 SYN 发起连接，它的初始序号是 2336809746。".Replace(" ", ""), string.Concat(lines).Replace(" ", ""));
        Assert.DoesNotContain(lines, l => l.StartsWith('，'));
    }
}
