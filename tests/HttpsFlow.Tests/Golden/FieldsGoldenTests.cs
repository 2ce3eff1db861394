using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Golden;

/// <summary>
/// `httpsflow fields` against `tshark -T fields` for every field HttpsFlow knows (tests/golden/fields.txt), cell by
/// cell, on every sample and edge-case capture (tests/golden/*.fields.tsv, tests/edge/golden/*.fields.tsv).
/// </summary>
public class FieldsGoldenTests
{
    private static readonly (string Captures, string Golden)[] Sets =
    [
        ("samples", "tests/golden"),
        ("tests/edge", "tests/edge/golden"),
    ];

    /// <summary>
    /// Cells where HttpsFlow knowingly differs today, each with its reason. A capture of "*" means every capture.
    /// Anything not listed must be equal.
    /// </summary>
    private static readonly (string Capture, string Field, long Frame, string Reason)[] KnownDifferences =
    [
        ("*", "frame.protocols", 0,
            "HTTP payloads are named by tshark (':http', ':data-text-lines'), and so are TLS records tshark decrypts with embedded secrets; HttpsFlow names them when its HTTP and decryption layers land, until then ':data' or ':tls'"),
        .. Frames("samples/mixed.pcapng", "http.*", [4, 6],
            "HTTP in the clear over TCP (port 80): tshark dissects it; HttpsFlow reads HTTP inside TLS only"),
        .. Frames("samples/mixed.pcapng", "_ws.col.*", [4, 6],
            "HTTP in the clear over TCP (port 80): tshark names the request and the response; HttpsFlow shows the TCP line"),
        ("tests/edge/tF.pcap", "_ws.col.Info", 2,
            "an unknown EtherType: tshark names the IEEE-registered 'Local Experimental Ethertype 1'; HttpsFlow shows 'Ethernet II' (the packet list test compares only this line's columns)"),
        ("tests/edge/tE.pcap", "tcp.window_size_scalefactor", 2,
            "a data offset longer than the segment: tshark still shows the scale factor (-1) of a segment whose numbers it cannot place"),
        ("tests/edge/tE.pcap", "tcp.options", 2,
            "a data offset longer than the segment: tshark shows '<MISSING>' for the option bytes that are not there"),
        ("tests/edge/tH.pcap", "*", 3,
            "an ICMP error quoting only 8 bytes of TCP: tshark shows the quoted ports and sequence number; HttpsFlow reads quoted TCP headers of 16 bytes or more"),
        ("tests/edge/tK.pcap", "tcp.flags.str", 0,
            "Accurate ECN: tshark writes the ACE counter inside the flag string ('···-1-·A····'); HttpsFlow writes the bits"),
        ("tests/edge/tN.pcap", "*", 164,
            "a connection first seen in an ICMP error and then starting with a SYN-ACK: tshark's completeness and stream times for it"),
        ("tests/edge/tN.pcap", "*", 165,
            "the same connection's handshake ACK: initial RTT measured from the quoted SYN"),
        ("tests/edge/tN.pcap", "*", 184,
            "an IPv4 header cut inside the source address: tshark shows the source"),
        ("tests/edge/veth-frag-arp-nd.pcap", "*", 0,
            "IPv6 extension headers in frame.protocols ('ipv6.fraghdr') and IPv6 datagrams quoted in ICMPv6 errors are not yet shown as fields"),
        ("tests/edge/tJ.pcap", "udp.checksum", 2,
            "UDP over IPv6 with a zero checksum: tshark leaves the checksum field out"),
        ("tests/edge/tE.pcap", "frame.protocols", 9,
            "a TCP header of 3 bytes: tshark names tcp in the protocol chain"),
        // tO*: headers cut short or bogus, layer by layer. The packet list matches tshark on every one of them; the
        // fields of a header Wireshark abandons part-way are not yet trimmed to what it had read.
        .. Frames("tests/edge/tO.pcap", "*", [1, 2, 3],
            "an Ethernet header of 5, 9 and 13 bytes: tshark adds no eth field before the type is read and names only 'eth'"),
        .. Frames("tests/edge/tO.pcap", "*", [4],
            "an IPv4 header cut inside the destination address: tshark shows the source"),
        .. Frames("tests/edge/tO.pcap", "*", [6, 8],
            "a bogus IPv4 header length or total length: tshark shows no field after the bogus one"),
        .. Frames("tests/edge/tO.pcap", "*", [9, 10, 11, 12, 13, 14, 15],
            "802.1Q and 802.1ad tags cut short, or followed by an EtherType nothing decodes: the vlan summary, a tag's fields before its type, 'ieee8021ad' in the chain"),
        .. Frames("tests/edge/tO.pcap", "*", [16, 17],
            "an IPv6 header under 40 bytes: tshark shows only the fields read before the bytes ran out"),
        .. Frames("tests/edge/tO.pcap", "*", [27, 30],
            "ICMP cut before byte 6 and ICMPv6 cut after its type: tshark adds no field (or no code) for them"),
        .. Frames("tests/edge/tO.pcap", "*", [35, 36, 37, 38, 39],
            "a UDP header cut short: tshark adds no field it did not read (no udp field before the ports, no length or checksum after them)"),
        .. Frames("tests/edge/tO.pcap", "frame.protocols", [44, 45, 46, 47, 48, 49, 50, 51],
            "IPv6 extension headers in frame.protocols ('ipv6.hopopts', 'ipv6.dstopts', 'ipv6.routing', 'ipv6.fraghdr') are not yet named"),
        .. Frames("tests/edge/tO_raw.pcap", "*", [4, 9],
            "an IPv4 header cut inside the destination address: tshark shows the source"),
        .. Frames("tests/edge/tO_raw.pcap", "*", [5],
            "a bogus IPv4 header length: tshark shows no field after it"),
        .. Frames("tests/edge/tO_raw.pcap", "*", [6, 7],
            "an IPv6 header under 40 bytes: tshark shows 'ipv6' and the fields read before the bytes ran out"),
        .. Frames("tests/edge/tO_raw.pcap", "frame.protocols", [8],
            "raw IP of an unknown version: tshark names the bytes 'data'"),
        .. Frames("tests/edge/tO_null.pcap", "*", [4],
            "an IPv4 header cut inside the destination address: tshark shows the source"),
        .. Frames("tests/edge/tO_null.pcap", "*", [7],
            "an IPv6 header of one byte: tshark shows 'ipv6' and no field after the version"),
        .. Frames("tests/edge/tO_null.pcap", "frame.protocols", [3, 5],
            "BSD loopback: tshark names 'ip' for AF_INET with no byte of IP, and 'data' after an unknown family"),
        .. Frames("tests/edge/tO_loop.pcap", "frame.protocols", [3, 4],
            "BSD loopback: tshark names 'data' after an unknown family, and 'ip' for AF_INET with no byte of IP"),
        // Expert notes (_ws.expert.*, _ws.malformed): TCP's and TLS's are all tshark's; these come from other layers.
        .. Experts("samples/mixed.pcapng", [4, 6],
            "HTTP in the clear over TCP (port 80): tshark's HTTP notes each start line; HttpsFlow reads HTTP inside TLS only"),
        .. Experts("tests/edge/tC.pcap", [22, 24, 25, 26, 27],
            "TCP options of a wrong or impossible length, and non-zero padding after the end of the list: tshark notes them ('option length should be 4', 'Non-zero header padding', …); HttpsFlow does not yet"),
        .. Experts("tests/edge/tE.pcap", [7], IpTotalLength),
        .. Experts("tests/edge/tO.pcap", [5, 7], IpTotalLength),
        .. Experts("tests/edge/tO_raw.pcap", [3], IpTotalLength),
        .. Experts("tests/edge/tF.pcap", [13],
            "tshark's IPv4 note on a TTL other than 255 towards 224.0.0.0/24 (RFC 3171) is not yet among HttpsFlow's notes"),
        .. Experts("tests/edge/tJ.pcap", [1, 2, 3, 5], UdpNotes),
        .. Experts("tests/edge/tL.pcap", [1, 2, 3, 4, 5], UdpNotes),
        .. Experts("tests/edge/tM.pcap", [2],
            "tshark's Ethernet note on a group (multicast) source address is not yet among HttpsFlow's notes"),
        .. Experts("tests/edge/tO.pcap", [28, 29, 31],
            "ICMP and ICMPv6 checksums are not verified: tshark's 'Bad checksum' note before the exception is missing"),
        .. Experts("tests/edge/tO.pcap", [45, 46, 47, 48, 49],
            "IPv6 extension headers cut short: tshark notes their undecoded bytes and names the extension header (\"IPv6 Routing\") as the protocol of the exception"),
        .. Experts("tests/edge/tO_loop.pcap", [4], LoopbackNoIp),
        .. Experts("tests/edge/tO_null.pcap", [3], LoopbackNoIp),
    ];

    private const string IpTotalLength =
        "an IPv4 total length beyond the packet: tshark's IP note ('IPv4 total length exceeds packet length (N bytes)') is not yet among HttpsFlow's notes";
    private const string UdpNotes =
        "UDP checksums are not verified and UDP's length notes are not yet among HttpsFlow's notes ('Illegal checksum value (0)', 'Bad checksum', 'Bad length value')";
    private const string LoopbackNoIp =
        "BSD loopback with AF_INET and no byte of IP: tshark's exception is IPv4's ('[Malformed Packet: IPv4]'), HttpsFlow's Null/Loopback's";

    /// <summary>The expert fields (_ws.expert.*, _ws.malformed) of several frames of one capture.</summary>
    private static (string Capture, string Field, long Frame, string Reason)[] Experts(string capture, long[] frames, string reason) =>
        [.. Frames(capture, "_ws.expert.*", frames, reason), .. Frames(capture, "_ws.malformed", frames, reason)];

    /// <summary>The same known difference for several frames of one capture.</summary>
    private static (string Capture, string Field, long Frame, string Reason)[] Frames(string capture, string field, long[] frames, string reason) =>
        [.. frames.Select(frame => (capture, field, frame, reason))];

    private static bool Known(string capture, string field, long frame, string tsharkValue, string ours)
    {
        foreach (var k in KnownDifferences)
        {
            if (k.Capture != "*" && k.Capture != capture) continue;
            if (k.Field != "*" && k.Field != field && !(k.Field.EndsWith(".*", StringComparison.Ordinal) && field.StartsWith(k.Field[..^1], StringComparison.Ordinal))
                && !(k.Field.EndsWith(".*", StringComparison.Ordinal) && field == k.Field[..^2])) continue;
            if (k.Frame != 0 && k.Frame != frame) continue;
            if (k.Capture == "*" && k.Field == "frame.protocols" &&
                !(tsharkValue.Contains(":http") || tsharkValue.Contains(":data-text-lines")
                  || (tsharkValue.Contains(":tls:") && ours.EndsWith(":tls", StringComparison.Ordinal))))
                continue;
            return true;
        }
        return false;
    }

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var (captures, golden) in Sets)
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Repo.Root, golden), "*.fields.tsv").Order())
                data.Add(captures + "/" + Path.GetFileName(file)[..^".fields.tsv".Length]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void FieldsEqualTshark(string capture)
    {
        var set = Sets.Single(s => capture.StartsWith(s.Captures + "/", StringComparison.Ordinal) && !capture[(s.Captures.Length + 1)..].Contains('/'));
        string name = capture[(set.Captures.Length + 1)..];
        var expected = File.ReadAllLines(Path.Combine(Repo.Root, set.Golden, name + ".fields.tsv"));
        var header = expected[0].Split('\t');
        var args = new List<string> { "fields", Path.Combine(Repo.Root, capture), "-E", "header=y" };
        foreach (var f in header) { args.Add("-e"); args.Add(f); }
        var (exit, stdout, stderr) = Repo.Run(args.ToArray());
        Assert.True(exit == 0, stderr);
        var ours = stdout.Split('\n');
        Assert.Equal(expected[0], ours[0]);
        var diffs = new List<string>();
        int cells = 0;
        for (int row = 1; row < expected.Length; row++)
        {
            var t = expected[row].Split('\t');
            var o = row < ours.Length ? ours[row].Split('\t') : [];
            for (int c = 0; c < header.Length; c++)
            {
                string tv = c < t.Length ? t[c] : "", ov = c < o.Length ? o[c] : "";
                cells++;
                if (tv == ov || Known(capture, header[c], row, tv, ov)) continue;
                diffs.Add($"frame {row} {header[c]}: tshark '{tv}', httpsflow '{ov}'");
            }
        }
        Assert.True(diffs.Count == 0, $"{diffs.Count} of {cells} cells differ:\n" + string.Join('\n', diffs.Take(25)));
    }

    [Fact]
    public void EveryKnownFieldIsOneTsharkKnows()
    {
        // fields.txt is HttpsFlow's field list; tshark accepted every name in it when the golden files were made
        // (it refuses unknown -e names), and HttpsFlow must know every name in it too.
        var names = File.ReadAllLines(Path.Combine(Repo.Golden, "fields.txt")).Where(l => l.Length > 0).ToList();
        var (exit, stdout, _) = Repo.Run("fields", "--list");
        Assert.Equal(0, exit);
        var ours = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]).ToList();
        Assert.Equal(names, ours);
    }

    [Fact]
    public void AnUnknownFieldIsAUsageError()
    {
        var (exit, stdout, stderr) = Repo.Run("fields", Path.Combine(Repo.Samples, "mixed.pcapng"), "-e", "tcp.seq", "-e", "tcp.nonsense");
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Contains("tcp.nonsense", stderr);
    }

    [Fact]
    public void LayoutOptionsWorkAsInTshark()
    {
        string cap = Path.Combine(Repo.Samples, "test-site-tls12.pcapng");
        var (exit, stdout, _) = Repo.Run("fields", cap, "-c", "2", "-E", "header=y", "-E", "separator=,", "-E", "quote=d",
            "-e", "frame.number", "-e", "tcp.port", "-E", "occurrence=f");
        Assert.Equal(0, exit);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("frame.number,tcp.port", lines[0]);
        Assert.Equal("\"1\",\"56536\"", lines[1]);
        var (_, all, _) = Repo.Run("fields", cap, "-c", "1", "-e", "tcp.port", "-E", "aggregator=/s");
        Assert.Equal("56536 443", all.Trim());
    }
}
