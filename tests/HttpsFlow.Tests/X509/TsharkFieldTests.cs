using HttpsFlow.Tests.TestSupport;
using HttpsFlow.X509;

namespace HttpsFlow.Tests.X509;

/// <summary>
/// Every X.509 field HttpsFlow produces (<see cref="CertificateFields"/>) against tshark 4.0's, run live, frame by
/// frame: on the bundled samples (certificates extracted by tshark itself), on the certificates made by
/// data/make-certs.sh (wrapped in a capture here), and on the public captures in ../shared/corpus when present.
/// tshark joins repeated values of a field with commas; so does <see cref="CertificateFields.Join"/>.
/// </summary>
public class TsharkFieldTests
{
    private static readonly IReadOnlyList<string> Fields = CertificateFields.Supported;

    /// <summary>The fields compared, and what tells where other X.509 values may come from.</summary>
    private static readonly IReadOnlyList<string> AskedFields = [.. Fields, "tls.handshake.type", "ocsp.responseType.id"];

    public static TheoryData<string> Samples() =>
    [
        "test-site-tls12.pcapng", "test-site-tls12-dsb.pcapng", "test-site-tls12.pcap.gz", "ipv6.pcap", "cooked-sll.pcap",
        "cooked-sll2.pcap", "classic-nano.pcap", "tls13.pcapng",
    ];

    [Theory]
    [MemberData(nameof(Samples))]
    public void FieldsEqualTsharkOnSamples(string capture)
    {
        string path = Path.Combine(Repo.Samples, capture);
        // TLS 1.3 sends its certificates encrypted: tshark needs the key log to see them.
        string[] extra = capture == "tls13.pcapng" ? ["-o", "tls.keylog_file:" + Path.Combine(Repo.Samples, "tls13.keys")] : [];
        var frames = X509TestData.TsharkFrames(path, AskedFields, extra);
        if (frames is null) return; // tshark is not installed
        Assert.NotEmpty(frames);
        var differences = Compare(path, frames);
        Assert.True(differences.Count == 0, string.Join('\n', differences));
    }

    [Fact]
    public void FieldsEqualTsharkOnMadeCertificates()
    {
        // bad-ext.pem is left out: tshark stops dissecting at its malformed basicConstraints.
        var names = X509TestData.DataNames.Where(n => n != "bad-ext").ToList();
        var ders = names.Select(X509TestData.Der).ToList();
        string path = Path.Combine(Path.GetTempPath(), $"httpsflow-x509-{Environment.ProcessId}-{Guid.NewGuid():N}.pcap");
        File.WriteAllBytes(path, X509TestData.CertificatePcap(ders));
        try
        {
            var frames = X509TestData.TsharkFrames(path, AskedFields);
            if (frames is null) return;
            Assert.Equal(ders.Count, frames.Count);
            for (int i = 0; i < ders.Count; i++) Assert.Equal(ders[i], frames[i].Certificates.Single());
            var differences = Compare(path, frames);
            Assert.True(differences.Count == 0, string.Join('\n', differences));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Captures in ../shared/corpus with at least one Certificate message tshark can see.</summary>
    public static TheoryData<string> CorpusCaptures() => Repo.CorpusCaptures();

    [Theory]
    [MemberData(nameof(CorpusCaptures))]
    public void FieldsEqualTsharkOnCorpus(string capture)
    {
        if (Repo.Corpus is null) return;
        string path = Path.Combine(Repo.Corpus, capture);
        var frames = X509TestData.TsharkFrames(path, AskedFields);
        if (frames is null || frames.Count == 0) return;
        foreach (var frame in frames)
            foreach (var der in frame.Certificates)
            {
                var c = Certificate.Parse(der); // never throws
                Assert.True(c.IsComplete, $"{capture}: {c}: {string.Join("; ", c.Notes)}");
            }
        var differences = Compare(path, frames);
        Assert.True(differences.Count == 0, string.Join('\n', differences.Take(20)));
    }

    private static List<string> Compare(string path, List<X509TestData.TsharkFrame> frames)
    {
        var differences = new List<string>();
        foreach (var (frame, ders, tshark) in frames)
        {
            var parsed = ders.Select(d => Certificate.Parse(d)).ToList();
            var ours = parsed.SelectMany(CertificateFields.Values).ToList();
            var messages = tshark["tls.handshake.type"].Split(',');
            // A CertificateRequest (13: its certificate_authorities names) or an OCSP response (a CertificateStatus, or
            // a TLS 1.3 CertificateEntry's status_request, with certificates and algorithms of its own) adds X.509
            // values around ours: ours must then appear in tshark's, in order.
            bool more = messages.Contains("13") || tshark["ocsp.responseType.id"].Length > 0;
            // A ServerHello before it may carry SCTs in its signed_certificate_timestamp extension.
            bool sctsBefore = messages.Contains("2");
            // RFC 3709 logotypes: tshark lists a logo's hash algorithm as x509af.algorithm.id; HttpsFlow does not
            // decode logotypes.
            bool logotype = parsed.Any(c => c.FindExtension("1.3.6.1.5.5.7.1.12") is not null);
            foreach (var field in Fields)
            {
                string expected = tshark[field];
                string actual = CertificateFields.Join(ours, field);
                if (expected == actual) continue;
                if (more && IsSubsequence(actual, expected)) continue;
                if (sctsBefore && field.StartsWith("tls.sct.", StringComparison.Ordinal)
                    && (actual.Length == 0 || expected.EndsWith("," + actual, StringComparison.Ordinal))) continue;
                if (logotype && field == "x509af.algorithm.id") continue;
                differences.Add($"{Path.GetFileName(path)} frame {frame} {field}:\n  tshark: {expected}\n  ours:   {actual}");
            }
        }
        return differences;
    }

    /// <summary>Whether the comma-separated values of <paramref name="ours"/> occur in <paramref name="theirs"/> in order.</summary>
    private static bool IsSubsequence(string ours, string theirs)
    {
        if (ours.Length == 0) return true;
        var want = ours.Split(',');
        int i = 0;
        foreach (var v in theirs.Split(','))
            if (i < want.Length && v == want[i]) i++;
        return i == want.Length;
    }
}
