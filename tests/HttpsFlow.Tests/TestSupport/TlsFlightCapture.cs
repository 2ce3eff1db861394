namespace HttpsFlow.Tests.TestSupport;

/// <summary>
/// Small captures of one TCP connection carrying TLS records, cut into segments at chosen stream offsets (segments not
/// listed were lost), written to a temporary folder; and the packet list's columns of chosen frames, from httpsflow and,
/// where tshark is installed, checked against tshark's for the very same packets.
/// </summary>
internal sealed class TlsFlightCapture : IDisposable
{
    private static readonly byte[] Client = [10, 0, 0, 1], Server = [10, 0, 0, 2];
    private const uint ClientIsn = 1000, ServerIsn = 5000;
    private const ushort PshAck = PacketFactory.Psh | PacketFactory.Ack;
    public const ushort ClientPort = 40000;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("httpsflow-flight");

    public void Dispose() => _dir.Delete(recursive: true);

    // ---- records ----

    public static byte[] Record(byte type, byte[] body, ushort version = 0x0303) =>
        [type, (byte)(version >> 8), (byte)version, (byte)(body.Length >> 8), (byte)body.Length, .. body];

    public static byte[] Handshake(byte type, byte[] body) =>
        [type, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length, .. body];

    public static byte[] Fill(byte value, int count) => Enumerable.Repeat(value, count).ToArray();

    public static readonly byte[] ClientHello = Record(22,
        Handshake(1, [0x03, 0x03, .. Fill(0x11, 32), 0x00, 0x00, 0x02, 0x00, 0x2f, 0x01, 0x00]), 0x0301);

    public static readonly byte[] ServerHello = Record(22, Handshake(2, [0x03, 0x03, .. Fill(0x22, 32), 0x00, 0xc0, 0x2f, 0x00]));

    /// <summary>A Certificate record of 3,009 bytes: long enough to span three segments.</summary>
    public static readonly byte[] Certificate = Record(22, Handshake(11, Fill(0, 3000)));

    public static readonly byte[] ServerKeyExchange = Record(22, Handshake(12,
        [0x03, 0x00, 0x17, 0x41, .. Fill(0x04, 65), 0x06, 0x01, 0x00, 0x10, .. Fill(0x55, 16)]));

    public static readonly byte[] ServerHelloDone = Record(22, Handshake(14, []));

    public static readonly byte[] AppData = Record(23, Fill(0x99, 50));

    // ---- captures ----

    /// <summary>
    /// On port 443: the handshake, the ClientHello, then the server's <paramref name="stream"/> in the segments
    /// [From, To) given, in that order (frames 5, 6, …), one second apart.
    /// </summary>
    public string Write(string name, byte[] stream, params (int From, int To)[] segments) =>
        Write(name, 443, [(true, ClientHello)], stream, segments);

    /// <summary>
    /// On <paramref name="port"/>: the handshake, the payloads <paramref name="before"/> (frames 4, …), then the
    /// server's <paramref name="stream"/> in the segments given.
    /// </summary>
    public string Write(string name, ushort port, (bool FromClient, byte[] Data)[] before, byte[] stream, (int From, int To)[] segments)
    {
        var pcap = CaptureBuilder.Pcap();
        uint time = 1000;
        void Add(byte[] packet) => pcap.Record(++time, 0, packet);
        uint c = ClientIsn + 1, s = ServerIsn + 1;
        Add(PacketFactory.EthernetTcpData(Client, Server, ClientPort, port, ClientIsn, 0, PacketFactory.Syn, []));
        Add(PacketFactory.EthernetTcpData(Server, Client, port, ClientPort, ServerIsn, c, PacketFactory.Syn | PacketFactory.Ack, []));
        Add(PacketFactory.EthernetTcpData(Client, Server, ClientPort, port, c, s, PacketFactory.Ack, []));
        foreach (var (fromClient, data) in before)
        {
            if (fromClient)
            {
                Add(PacketFactory.EthernetTcpData(Client, Server, ClientPort, port, c, s, PshAck, data));
                c += (uint)data.Length;
            }
            else
            {
                Add(PacketFactory.EthernetTcpData(Server, Client, port, ClientPort, s, c, PshAck, data));
                s += (uint)data.Length;
            }
        }
        foreach (var (from, to) in segments)
            Add(PacketFactory.EthernetTcpData(Server, Client, port, ClientPort, s + (uint)from, c, PshAck, stream.AsSpan(from, to - from)));
        string path = Path.Combine(_dir.FullName, name + ".pcap");
        File.WriteAllBytes(path, pcap.ToArray());
        return path;
    }

    // ---- columns ----

    public const string TcpChain = "eth:ethertype:ip:tcp";
    public const string TlsChain = "eth:ethertype:ip:tcp:tls";

    /// <summary>
    /// Frame number → "Protocol | Info | frame.protocols" for <paramref name="frames"/>, from httpsflow, and checked
    /// against tshark's for the same frames when tshark is installed.
    /// </summary>
    public static Dictionary<int, string> Columns(string path, params int[] frames)
    {
        string[] args = ["-e", "frame.number", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info", "-e", "frame.protocols"];
        var (exit, stdout, stderr) = Repo.Run(["fields", path, .. args]);
        Assert.True(exit == 0, stderr);
        var ours = Parse(stdout, frames);
        if (Repo.Tshark(["-n", "-r", path, "-T", "fields", .. args]) is { } tshark)
            Assert.Equal(Parse(tshark, frames), ours);
        return ours;
    }

    private static Dictionary<int, string> Parse(string output, int[] frames)
    {
        var rows = new Dictionary<int, string>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var p = line.Split('\t');
            if (p.Length >= 4 && int.TryParse(p[0], out int n) && frames.Contains(n)) rows[n] = $"{p[1]} | {p[2]} | {p[3]}";
        }
        return rows;
    }
}
