using System.Globalization;
using System.Text.RegularExpressions;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Tree;

/// <summary>Every node's byte range lies in its packet, and a simple number shown is the number its bytes hold.</summary>
public partial class ByteRangeTests
{
    public static TheoryData<string> Samples() =>
    [
        "test-site-tls12.pcapng", "test-site-tls12.pcap.gz", "test-site-tls12-dsb.pcapng", "tls13.pcapng", "lossy.pcap",
        "ipv6.pcap", "mixed.pcapng", "cooked-sll.pcap", "cooked-sll2.pcap", "classic-nano.pcap",
    ];

    /// <summary>Fields whose label ends in the value their bytes hold, big-endian, as a decimal or "(0x…)" number.</summary>
    private static readonly HashSet<string> Numeric =
    [
        "tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.window_size_value", "tcp.urgent_pointer",
        "tcp.options.mss_val", "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr", "tcp.option_len",
        "ip.len", "ip.ttl", "ip.id", "ip.proto", "ipv6.plen", "ipv6.nxt", "ipv6.hlim", "udp.srcport", "udp.dstport", "udp.length",
        "eth.type", "sll.etype", "sll.hatype", "tls.record.content_type", "tls.record.opaque_type", "tls.record.version", "tls.record.length",
        "tls.handshake.type", "tls.handshake.length", "tls.handshake.version", "tls.handshake.session_id_length",
        "tls.handshake.cipher_suites_length", "tls.handshake.ciphersuite", "tls.handshake.comp_methods_length",
        "tls.handshake.extensions_length", "tls.handshake.extension.type", "tls.handshake.extension.len",
        "tls.handshake.extensions_supported_group", "tls.handshake.sig_hash_alg", "tls.handshake.extensions_server_name_len",
        "tls.handshake.extensions_alpn_len", "tls.handshake.extensions_alpn_str_len", "tls.handshake.certificates_length",
        "tls.handshake.certificate_length", "tls.handshake.extensions.supported_version", "tls.handshake.extensions_key_share_group",
        "tls.handshake.server_named_curve", "tls.handshake.sig_len",
    ];

    [GeneratedRegex(@"\(0x([0-9a-f]+)\)$|(\d+)\)?$")]
    private static partial Regex LastNumber();

    [Theory]
    [MemberData(nameof(Samples))]
    public void RangesLieInThePacketAndNumbersMatchTheirBytes(string capture)
    {
        int checkedNumbers = 0;
        foreach (var built in TreeSupport.BuildAll(Path.Combine(Repo.Samples, capture)))
        {
            Assert.NotEmpty(built.Roots);
            Assert.StartsWith($"Frame {built.Number}: ", built.Roots[0].Label);
            foreach (var (node, _, _) in TreeSupport.Walk(built.Roots))
            {
                Assert.True(node.Offset >= 0 && node.Length >= 0 && node.Offset + node.Length <= built.Bytes.Length,
                    $"{capture} frame {built.Number}: '{node.Label}' [{node.Offset}, +{node.Length}) outside {built.Bytes.Length} bytes");
                if (node.Field is null || !Numeric.Contains(node.Field) || node.Length is 0 or > 8) continue;
                var m = LastNumber().Match(node.Label);
                Assert.True(m.Success, $"{node.Field}: no number in '{node.Label}'");
                ulong shown = m.Groups[1].Success ? ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                    : ulong.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                ulong held = 0;
                foreach (byte b in built.Bytes.AsSpan(node.Offset, node.Length)) held = held << 8 | b;
                Assert.True(shown == held, $"{capture} frame {built.Number}: '{node.Label}' ({node.Field}) but its bytes hold {held}");
                checkedNumbers++;
            }
        }
        Assert.True(checkedNumbers > 0);
    }

    [Fact]
    public void ReassembledRecordsHaveNoRangeAndWholeOnesDo()
    {
        // lossy.pcap has TLS records TCP reassembled from several segments: shown over no bytes of the packet.
        var frames = TreeSupport.BuildAll(Path.Combine(Repo.Samples, "lossy.pcap"));
        var records = frames.SelectMany(f => TreeSupport.Walk(f.Roots).Select(w => (f, w.Node))).Where(x => x.Node.Field == "tls.record").ToList();
        Assert.Contains(records, x => x.Node.Length == 0);
        Assert.Contains(records, x => x.Node.Length > 0);
        foreach (var (f, node) in records.Where(x => x.Node.Length > 0))
            Assert.Equal((byte)0x03, f.Bytes[node.Offset + 1]); // the record's version's first byte
    }
}
