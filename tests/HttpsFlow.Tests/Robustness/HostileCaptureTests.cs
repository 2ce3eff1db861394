using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using HttpsFlow.Capture;
using HttpsFlow.Pipeline;
using HttpsFlow.Tests.TestSupport;
using static HttpsFlow.Tests.TestSupport.CaptureBuilder;

namespace HttpsFlow.Tests.Robustness;

/// <summary>
/// The hostile-capture corpus (docs/robustness.md): damaged and adversarial captures built here at test time, each run
/// through the commands that read packets. Every one must end with the expected exit code, one plain error line when
/// the file is damaged, never an exception or a stack trace, and within a generous time bound.
/// </summary>
public sealed class HostileCaptureTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("httpsflow-hostile");

    public void Dispose() => _dir.Delete(recursive: true);

    private static readonly byte[] Client = [10, 0, 0, 1], Server = [10, 0, 0, 2];

    internal static byte[] Syn(int i) => PacketFactory.EthernetTcp([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i], Server,
        (ushort)(1024 + i % 60000), 443, (uint)i * 7919, 0, 0x002, 64240);

    private static byte[] Segment(bool fromClient, uint seq, uint ack, ushort flags, ReadOnlySpan<byte> payload, ushort sport = 50000)
    {
        var tcp = PacketFactory.Tcp(fromClient ? Client : Server, fromClient ? Server : Client, fromClient ? sport : (ushort)443,
            fromClient ? (ushort)443 : sport, seq, ack, flags, 65535, default, payload.Length);
        payload.CopyTo(tcp.AsSpan(20));
        return PacketFactory.Ethernet(PacketFactory.ServerMac, PacketFactory.ClientMac, 0x0800, PacketFactory.Ipv4(fromClient ? Client : Server, fromClient ? Server : Client, 6, tcp));
    }

    /// <summary>A TCP connection to port 443 whose client sends <paramref name="clientBytes"/> in segments of at most 1,460 bytes.</summary>
    private static PcapFile Connection(byte[] clientBytes, byte[]? serverBytes = null)
    {
        var pcap = Pcap(linkType: 1);
        uint c = 1000, s = 5000, t = 0;
        pcap.Record(1, t++, Segment(true, c++, 0, 0x002, default));
        pcap.Record(1, t++, Segment(false, s++, c, 0x012, default));
        pcap.Record(1, t++, Segment(true, c, s, 0x010, default));
        for (int o = 0; o < clientBytes.Length; o += 1460)
        {
            var part = clientBytes.AsSpan(o, Math.Min(1460, clientBytes.Length - o));
            pcap.Record(1, t++, Segment(true, c, s, 0x018, part));
            c += (uint)part.Length;
        }
        if (serverBytes is not null)
            for (int o = 0; o < serverBytes.Length; o += 1460)
            {
                var part = serverBytes.AsSpan(o, Math.Min(1460, serverBytes.Length - o));
                pcap.Record(1, t++, Segment(false, s, c, 0x018, part));
                s += (uint)part.Length;
            }
        return pcap;
    }

    private static byte[] Record(byte type, ReadOnlySpan<byte> fragment)
    {
        var r = new byte[5 + fragment.Length];
        r[0] = type; r[1] = 3; r[2] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(3), (ushort)fragment.Length);
        fragment.CopyTo(r.AsSpan(5));
        return r;
    }

    /// <summary>A handshake message split into records of at most 2^14 bytes.</summary>
    private static byte[] Records(byte type, byte[] body)
    {
        var ms = new MemoryStream();
        for (int o = 0; o < body.Length; o += 16384) ms.Write(Record(type, body.AsSpan(o, Math.Min(16384, body.Length - o))));
        return ms.ToArray();
    }

    private static byte[] Handshake(byte type, ReadOnlySpan<byte> body)
    {
        var m = new byte[4 + body.Length];
        m[0] = type;
        m[1] = (byte)(body.Length >> 16); m[2] = (byte)(body.Length >> 8); m[3] = (byte)body.Length;
        body.CopyTo(m.AsSpan(4));
        return m;
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir.FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>
    /// Runs list, fields, explain and handshakes on the capture: <paramref name="exit"/> from list and fields (the
    /// TLS commands may add exit 1, "no TLS connection found"), <paramref name="error"/> in stderr when given, nothing
    /// that looks like an exception, each command within <paramref name="seconds"/>. Returns list's stdout.
    /// </summary>
    private string Check(string name, byte[] capture, int exit, string? error = null, double seconds = 30)
    {
        string path = Write(name, capture);
        string listOut = "";
        foreach (var args in new[]
                 {
                     new[] { "list", path }, ["fields", "-e", "tcp.stream", "-e", "tls.handshake.type", path],
                     ["explain", path], ["handshakes", path],
                 })
        {
            var clock = Stopwatch.StartNew();
            var (code, stdout, stderr) = Repo.Run(args);
            clock.Stop();
            string what = $"{args[0]} {name}";
            Assert.True(clock.Elapsed.TotalSeconds < seconds, $"{what} took {clock.Elapsed.TotalSeconds:F1} s");
            Assert.DoesNotContain("internal error", stderr);
            Assert.DoesNotContain("Exception", stderr);
            Assert.DoesNotContain("   at ", stderr);
            Assert.DoesNotContain("dissector bug", stdout);
            bool tlsCommand = args[0] is "explain" or "handshakes";
            if (tlsCommand && exit == 0) Assert.True(code is 0 or 1, $"{what}: exit {code}: {stderr}");
            else Assert.True(code == exit, $"{what}: exit {code}, expected {exit}: {stderr}");
            if (error is not null) Assert.Contains(error, stderr);
            if (code != 0) Assert.StartsWith("httpsflow: ", stderr);
            if (args[0] == "list") listOut = stdout;
        }
        return listOut;
    }

    private static PcapFile TwoPackets() => Pcap(linkType: 1).Record(1, 0, Syn(1)).Record(1, 1, Syn(2));

    [Fact]
    public void PcapTruncatedAnywhere()
    {
        var whole = TwoPackets().ToArray();
        int record = 24 + 16 + Syn(1).Length;
        Check("cut-in-file-header.pcap", whole[..10], 2);
        Check("header-only.pcap", whole[..24], 0);
        Check("cut-in-record-header.pcap", whole[..(24 + 7)], 2, "cut short");
        Check("cut-in-record-data.pcap", whole[..(24 + 16 + 20)], 2, "cut short");
        Assert.Contains("1 ", Check("cut-at-record-boundary.pcap", whole[..record], 0));
    }

    [Theory]
    [InlineData(0u, 0)]
    [InlineData(0xFFFFFFFFu, 2)]
    [InlineData(0x7FFFFFFFu, 2)]
    [InlineData(100_000_000u, 2)]
    public void PcapRecordLengths(uint includedLength, int exit)
    {
        var pcap = Pcap(linkType: 1).Record(1, 0, Syn(1)).Record(1, 1, includedLength == 0 ? [] : Syn(2), includedLength: includedLength);
        Check($"incl-{includedLength}.pcap", pcap.ToArray(), exit);
    }

    [Fact]
    public void PcapSnapLengthZeroAndTimeGoingBackwards()
    {
        var pcap = Pcap(snapLength: 0, linkType: 1).Record(100, 0, Syn(1)).Record(50, 0, Syn(2)).Record(0, 999_999, Syn(3)).Record(200, 0, Syn(4));
        string list = Check("snap0-backwards.pcap", pcap.ToArray(), 0);
        Assert.Equal(4, list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("-50.000000", list);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(4u)]
    [InlineData(13u)]
    [InlineData(0xFFFFFFFFu)]
    [InlineData(0x7FFFFFF0u)]
    public void PcapNgBlockLengths(uint totalLength)
    {
        var ng = PcapNg().SectionHeader().InterfaceDescription(1, 0).EnhancedPacket(0, 1_000_000, Syn(1))
            .Block(EnhancedPacketBlock, new byte[40], totalLength: totalLength);
        Check($"ng-len-{totalLength}.pcapng", ng.ToArray(), 2);
    }

    [Fact]
    public void PcapNgLengthsDisagreeAndMissingInterface()
    {
        var disagree = PcapNg().SectionHeader().InterfaceDescription(1, 0).EnhancedPacket(0, 1, Syn(1))
            .Block(InterfaceStatisticsBlock, new byte[20], trailingLength: 99);
        Check("ng-trailing-disagrees.pcapng", disagree.ToArray(), 2);
        var noInterface = PcapNg().SectionHeader().InterfaceDescription(1, 0).EnhancedPacket(0, 1, Syn(1)).EnhancedPacket(7, 2, Syn(2));
        Check("ng-interface-7.pcapng", noInterface.ToArray(), 2, "interface");
        var noneAtAll = PcapNg().SectionHeader().EnhancedPacket(0, 1, Syn(1));
        Check("ng-no-interface.pcapng", noneAtAll.ToArray(), 2, "interface");
        var whole = PcapNg().SectionHeader().InterfaceDescription(1, 0).EnhancedPacket(0, 1, Syn(1)).EnhancedPacket(0, 2, Syn(2)).ToArray();
        for (int cut = 1; cut < whole.Length; cut += 7)
        {
            var (code, _, stderr) = Repo.Run("list", Write("ng-cut.pcapng", whole[..cut]));
            Assert.True(code is 0 or 2, $"cut at {cut}: exit {code}");
            Assert.DoesNotContain("internal error", stderr);
        }
    }

    [Fact]
    public void JumboFramesAndSequenceWrap()
    {
        var jumbo = new byte[65535];
        Syn(1).CopyTo(jumbo, 0);
        var pcap = Pcap(linkType: 1).Record(1, 0, jumbo);
        // TCP sequence numbers wrapping past 2^32 in the middle of a connection.
        uint c = 0xFFFFF000, s = 0xFFFFFFF0;
        pcap.Record(1, 1, Segment(true, c++, 0, 0x002, default));
        pcap.Record(1, 2, Segment(false, s++, c, 0x012, default));
        // Clear text, which tshark's TLS dissector hands back to TCP (zeros to port 443 would be TLS Continuation Data).
        var text = new byte[1000];
        text.AsSpan().Fill((byte)'A');
        for (int i = 0; i < 8; i++)
        {
            pcap.Record(1, (uint)(3 + i), Segment(true, c, s, 0x018, text));
            c += 1000;
            pcap.Record(1, (uint)(20 + i), Segment(false, s, c, 0x010, default));
        }
        string list = Check("jumbo-wrap.pcap", pcap.ToArray(), 0);
        Assert.DoesNotContain("Malformed", list.Split('\n')[1]);
        Assert.Contains("Seq=7001", list);
    }

    [Fact]
    public void FragmentFloodAndOverlaps()
    {
        var pcap = Pcap(linkType: 1);
        var payload = new byte[1480];
        for (int i = 0; i < 5000; i++) // first fragments that never complete, each its own datagram
            pcap.Record(1, (uint)i, PacketFactory.Ethernet(PacketFactory.ServerMac, PacketFactory.ClientMac, 0x0800,
                PacketFactory.Ipv4(Client, Server, 17, payload, id: (ushort)i, flagsAndOffset: 0x2000)));
        for (int i = 0; i < 50; i++) // fragments of one datagram overlapping each other at every offset
            pcap.Record(2, (uint)i, PacketFactory.Ethernet(PacketFactory.ServerMac, PacketFactory.ClientMac, 0x0800,
                PacketFactory.Ipv4(Client, Server, 17, new byte[64], id: 9999, flagsAndOffset: (ushort)(0x2000 | i))));
        Check("fragments.pcap", pcap.ToArray(), 0);
    }

    [Fact]
    public void OversizedRecordsAndHugeHandshakeClaims()
    {
        // An application-data record longer than 2^14 + 2048, and a handshake header claiming 16 MiB with 8 bytes behind it.
        var big = Record(23, new byte[20000]);
        var claim = Record(22, [11, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4]);
        string list = Check("tls-oversized.pcap", Connection([.. Record(22, Handshake(1, new byte[60])), .. claim, .. big]).ToArray(), 0);
        Assert.Contains("TLS", list);
        using var reader = CaptureReader.Open(Path.Combine(_dir.FullName, "tls-oversized.pcap"));
        var notes = new NoteCollector();
        var dissector = new Dissector { TlsObserver = notes };
        while (dissector.Next(reader) is not null) { }
        Assert.Contains(notes.Messages, m => m.StartsWith("TLSCiphertext length MUST NOT exceed"));
    }

    [Fact]
    public void RecordsLeftHalfSentOnManyConnectionsStayWithinTheBudget()
    {
        // 2,000 connections each send a record header claiming 16 KiB and 16 KiB - 1 byte of it: each direction holds a
        // 32 KiB buffer, 62.5 MiB in all (tests/hostile/make-hostile.py makes 20,000 of them: 625 MiB without the budget).
        var pcap = Pcap(linkType: 1);
        byte[] record = [23, 3, 3, 0x40, 0x00, .. Enumerable.Repeat((byte)0x17, 16383)];
        uint t = 0;
        for (int i = 0; i < 2000; i++)
        {
            ushort port = (ushort)(1024 + i);
            uint c = 1000, s = 5000;
            pcap.Record(1, t++, Segment(true, c++, 0, 0x002, default, port));
            pcap.Record(1, t++, Segment(false, s++, c, 0x012, default, port));
            pcap.Record(1, t++, Segment(true, c, s, 0x010, default, port));
            for (int o = 0; o < record.Length; o += 1460)
            {
                var part = record.AsSpan(o, Math.Min(1460, record.Length - o));
                pcap.Record(1, t++, Segment(true, c, s, 0x018, part, port));
                c += (uint)part.Length;
            }
        }
        var bytes = pcap.ToArray();
        Check("partial16k-2000.pcap", bytes, 0, seconds: 60);

        // With a budget of 8 MiB the idlest connections give their bytes up, each with a note, and what stays held at the
        // end is within the budget.
        const long budget = 8 << 20;
        long before = GC.GetTotalMemory(true);
        using var reader = CaptureReader.Open(Path.Combine(_dir.FullName, "partial16k-2000.pcap"));
        var dissector = new Dissector(new DissectorLimits { MaxReassemblyBytes = budget });
        long notes = 0;
        while (dissector.Next(reader) is { } f)
        {
            notes += f.Notes.Count(n => n.Message.StartsWith("Reassembly budget full (8388608 bytes): tcp.stream "));
            Assert.True(dissector.ReassemblyBudget.Used <= budget);
        }
        Assert.True(dissector.ReassemblyBudget.Peak <= budget);
        Assert.Equal(dissector.ReassemblyEvictions, notes);
        Assert.True(notes >= 1700, $"{notes} notes");
        long retained = GC.GetTotalMemory(true) - before;
        Assert.True(retained < 40 << 20, $"{retained >> 20} MiB retained");
        GC.KeepAlive(dissector);
    }

    private sealed class NoteCollector : HttpsFlow.Tls.List.ITlsObserver
    {
        public readonly List<string> Messages = [];
        public void OnRecord(HttpsFlow.Net.Frame frame, HttpsFlow.Tcp.TcpConversation conversation, bool fromA, in HttpsFlow.Tls.Records.TlsRecord record, ushort version) { }
        public void OnHandshake(HttpsFlow.Net.Frame frame, HttpsFlow.Tcp.TcpConversation conversation, bool fromA, in HttpsFlow.Tls.Records.HandshakeEvent e, ushort version) { }
        public void OnNote(HttpsFlow.Net.Frame frame, HttpsFlow.Tcp.TcpConversation conversation, bool fromA, in HttpsFlow.Tls.TlsStreamNote note) => Messages.Add(note.Note.Message);
    }

    [Fact]
    public void ClientHelloWithTenThousandExtensions()
    {
        var body = new MemoryStream();
        body.Write([3, 3]);
        body.Write(new byte[32]);
        body.Write([0, 0, 2, 0x13, 0x01, 1, 0]);
        int n = 10_000;
        body.Write([(byte)(n * 4 >> 8), (byte)(n * 4)]);
        for (int i = 0; i < n; i++) body.Write([(byte)(0x30 + (i >> 8 & 0x3f)), (byte)i, 0, 0]);
        var hello = Handshake(1, body.ToArray());
        string list = Check("hello-10000-ext.pcap", Connection(Records(22, hello)).ToArray(), 0, seconds: 60);
        Assert.Contains("Client Hello", list);
    }

    [Fact]
    public void CertificatesDeeplyNestedAndWithHugeIntegers()
    {
        // DER nesting 5,000 deep, and a certificate whose serial number is a 60,000-byte integer.
        var nested = new MemoryStream();
        int depth = 5000;
        var inner = new byte[] { 2, 1, 1 };
        byte[] der = inner;
        for (int i = 0; i < depth; i++) der = [.. Der(0x30, der)];
        byte[] hugeSerial = Der(0x30, [.. Der(0x30, [.. Der(0xA0, Der(2, [2])), .. Der(2, [0x7F, .. new byte[60_000]]), .. Der(0x30, [])])]);
        foreach (var cert in new[] { der, hugeSerial })
        {
            var parsed = HttpsFlow.X509.Certificate.Parse(cert);
            Assert.DoesNotContain(parsed.Notes, n => n.Message.StartsWith("certificate parser failed"));
        }
        // Both in a server's Certificate message.
        var list = new MemoryStream();
        foreach (var cert in new[] { der, hugeSerial }) { list.Write([(byte)(cert.Length >> 16), (byte)(cert.Length >> 8), (byte)cert.Length]); list.Write(cert); }
        var certsBody = new byte[3 + list.Length];
        certsBody[0] = (byte)(list.Length >> 16); certsBody[1] = (byte)(list.Length >> 8); certsBody[2] = (byte)list.Length;
        list.ToArray().CopyTo(certsBody, 3);
        var serverHello = Handshake(2, [3, 3, .. new byte[32], 0, 0xc0, 0x2f, 0]);
        var pcap = Connection(Records(22, Handshake(1, [3, 3, .. new byte[32], 0, 0, 2, 0xc0, 0x2f, 1, 0])), Records(22, [.. serverHello, .. Handshake(11, certsBody)]));
        Check("certs-hostile.pcap", pcap.ToArray(), 0, seconds: 60);
        var (code, _, err) = Repo.Run("certs", Path.Combine(_dir.FullName, "certs-hostile.pcap"));
        Assert.True(code is 0 or 1, err);
        Assert.DoesNotContain("internal error", err);
    }

    private static byte[] Der(byte tag, ReadOnlySpan<byte> content)
    {
        int n = content.Length;
        byte[] len = n < 128 ? [(byte)n] : n < 256 ? [0x81, (byte)n] : n < 65536 ? [0x82, (byte)(n >> 8), (byte)n] : [0x83, (byte)(n >> 16), (byte)(n >> 8), (byte)n];
        return [tag, .. len, .. content];
    }

    [Fact]
    public void GzipBombStreamsWithoutGrowing()
    {
        // 1 GiB once inflated (16 gzip members of 64 MiB: 1,024 zero-filled 64 KiB records each), about 1 MiB on disk.
        var member = new MemoryStream();
        using (var gz = new GZipStream(member, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var header = new byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), 65535);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), 65535);
            var zeros = new byte[65535];
            for (int i = 0; i < 1024; i++) { gz.Write(header); gz.Write(zeros); }
        }
        var file = new MemoryStream();
        file.Write(Gzip(Pcap(snapLength: 65535, linkType: 1).ToArray()));
        for (int i = 0; i < 16; i++) file.Write(member.GetBuffer(), 0, (int)member.Length);
        Assert.True(file.Length < 4 << 20);
        string path = Write("bomb.pcap.gz", file.ToArray());
        long before = GC.GetTotalMemory(true);
        var clock = Stopwatch.StartNew();
        using var reader = CaptureReader.Open(path);
        var dissector = new Dissector();
        long frames = 0, peak = 0;
        while (dissector.Next(reader) is not null)
            if (++frames % 1024 == 0) peak = Math.Max(peak, GC.GetTotalMemory(false) - before);
        Assert.Null(reader.Error);
        Assert.Equal(16 * 1024, frames);
        Assert.True(clock.Elapsed.TotalSeconds < 60, $"{clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(peak < 64 << 20, $"managed memory grew by {peak >> 20} MiB");
    }


    [Fact]
    public void SynFloodKeepsTheConnectionTableBounded()
    {
        // 100,000 half-open connections: with a table of 10,000 the idlest are forgotten, each with a note, and the TLS
        // layer keeps no more than the table.
        var pcap = Pcap(linkType: 1);
        for (int i = 0; i < 100_000; i++) pcap.Record(1, (uint)(i % 1_000_000), Syn(i));
        string path = Write("synflood.pcap", pcap.ToArray());
        using (var reader = CaptureReader.Open(path))
        {
            var dissector = new Dissector(new DissectorLimits { MaxTcpConversations = 10_000 });
            var recorder = new HttpsFlow.Walkthrough.ConnectionRecorder { KeepFrames = false, MaxPendingConnections = 1_000 };
            dissector.TlsObserver = recorder;
            long notes = 0, last = -1;
            while (dissector.Next(reader) is { } f)
            {
                recorder.OnFrame(f, dissector.Tcp.Last);
                if (f.Notes.Any(n => n.Message.StartsWith("Connection table full"))) notes++;
                last = f.Tcp.Stream;
                Assert.True(dissector.Tcp.LiveCount <= 10_000);
            }
            Assert.Equal(90_000, notes);
            Assert.Equal(90_000, dissector.Tcp.Evicted);
            Assert.Equal(99_999, last);
            Assert.True(dissector.TlsConnectionCount <= 10_000);
            Assert.Empty(recorder.Connections);
            Assert.Equal(99_000, recorder.DroppedConnections);
        }
        // The same flood through the commands, with the default table (no eviction: stream numbers as tshark's).
        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = Repo.Run("fields", "-e", "tcp.stream", "-e", "tls.handshake.type", path);
        Assert.Equal(0, code);
        Assert.EndsWith("99999\t\n", stdout);
        Assert.Equal("", stderr);
        foreach (var command in new[] { "handshakes", "explain" })
        {
            (code, _, stderr) = Repo.Run(command, path);
            Assert.Equal(1, code);
            Assert.Contains("no TLS connection found", stderr);
        }
        Assert.True(clock.Elapsed.TotalSeconds < 90, $"{clock.Elapsed.TotalSeconds:F1} s");
    }
}
