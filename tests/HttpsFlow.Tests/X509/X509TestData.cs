using System.Buffers.Binary;
using System.Diagnostics;
using HttpsFlow.Capture;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.X509;

namespace HttpsFlow.Tests.X509;

/// <summary>
/// The certificates the X.509 tests read: the sample chain (samples/pki, the chain of the bundled captures) and the
/// extra ones made by tests/HttpsFlow.Tests/X509/data/make-certs.sh; ways to ask openssl and tshark about them.
/// </summary>
internal static class X509TestData
{
    public static string Pki => Path.Combine(Repo.Samples, "pki");

    public static string DataDir => Path.Combine(Repo.Root, "tests", "HttpsFlow.Tests", "X509", "data");

    /// <summary>The certificates made by make-certs.sh, by file name without ".pem".</summary>
    public static readonly string[] DataNames = ["ec-root", "ec-leaf", "ip-critical", "bad-ext", "v1-p384", "ed25519", "ed448", "rsa-pss"];

    public static string PkiPath(string name) => Path.Combine(Pki, name + ".pem");

    public static string DataPath(string name) => Path.Combine(DataDir, name + ".pem");

    /// <summary>Path of a PEM by short name: "root", "r3", "leaf" (samples/pki) or a data certificate.</summary>
    public static string PemPath(string name) => name is "root" or "r3" or "leaf" ? PkiPath(name) : DataPath(name);

    public static byte[] Der(string name) => PemDer(File.ReadAllText(PemPath(name)))[0];

    public static Certificate Load(string name) => Certificate.Parse(Der(name));

    public static List<byte[]> PemDer(string pem)
    {
        var result = new List<byte[]>();
        var rest = pem.AsSpan();
        while (System.Security.Cryptography.PemEncoding.TryFind(rest, out var f))
        {
            result.Add(Convert.FromBase64String(rest[f.Base64Data].ToString()));
            rest = rest[f.Location.End..];
        }
        return result;
    }

    public static Certificate Root => Load("root");
    public static Certificate R3 => Load("r3");
    public static Certificate Leaf => Load("leaf");

    /// <summary>The time of the first packet of samples/test-site-tls12.pcapng (the capture the sample chain was
    /// made for), read with HttpsFlow's own capture reader.</summary>
    public static DateTimeOffset CaptureTime(string capture = "test-site-tls12.pcapng")
    {
        using var reader = CaptureReader.Open(Path.Combine(Repo.Samples, capture));
        if (reader.Read(out var p) != ReadOutcome.Packet) throw new InvalidOperationException("no packet in " + capture);
        return DateTimeOffset.FromUnixTimeSeconds(p.Time.Seconds).AddTicks(p.Time.Nanoseconds / 100);
    }

    /// <summary>One frame with a Certificate message as tshark sees it: the certificates and the values of the
    /// fields asked for (comma-joined, as <c>-T fields</c> prints them).</summary>
    public sealed record TsharkFrame(long Frame, List<byte[]> Certificates, Dictionary<string, string> Fields);

    /// <summary>
    /// Every frame with a Certificate message, with its certificates and the values of <paramref name="fields"/>,
    /// in one run of tshark; null when tshark is not installed.
    /// </summary>
    public static List<TsharkFrame>? TsharkFrames(string capturePath, IReadOnlyList<string> fields, params string[] extra)
    {
        var args = new List<string>(extra) { "-r", capturePath, "-Y", "tls.handshake.certificate", "-T", "fields",
            "-e", "frame.number", "-e", "tls.handshake.certificate" };
        foreach (var f in fields) { args.Add("-e"); args.Add(f); }
        string? output = Repo.Tshark([.. args]);
        if (output is null) return null;
        var result = new List<TsharkFrame>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var cells = line.TrimEnd('\r').Split('\t');
            if (cells.Length < 2 || cells[1].Length == 0) continue;
            var row = new Dictionary<string, string>();
            for (int i = 0; i < fields.Count; i++) row[fields[i]] = i + 2 < cells.Length ? cells[i + 2] : "";
            result.Add(new TsharkFrame(long.Parse(cells[0]), cells[1].Split(',').Select(Convert.FromHexString).ToList(), row));
        }
        return result;
    }

    /// <summary>
    /// A pcap (raw IPv4, link type 101) with one TCP segment from port 443 per certificate, each carrying a TLS 1.2
    /// record with a Certificate handshake message of that one certificate, so that tshark dissects each on its own.
    /// Frame n (from 1) holds certificate n-1.
    /// </summary>
    public static byte[] CertificatePcap(IReadOnlyList<byte[]> certificates)
    {
        var file = new MemoryStream();
        var w = new BinaryWriter(file);
        w.Write(0xa1b2c3d4u); w.Write((ushort)2); w.Write((ushort)4); w.Write(0); w.Write(0u); w.Write(262144u); w.Write(101u);
        for (int i = 0; i < certificates.Count; i++)
        {
            var der = certificates[i];
            // Certificate: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1> (RFC 5246 §7.4.2), in a handshake and a record.
            var body = new List<byte>();
            body.AddRange(U24(der.Length + 3)); body.AddRange(U24(der.Length)); body.AddRange(der);
            var hs = new List<byte> { 11 };
            hs.AddRange(U24(body.Count)); hs.AddRange(body);
            var record = new List<byte> { 22, 3, 3, (byte)(hs.Count >> 8), (byte)hs.Count };
            record.AddRange(hs);
            var tcp = new byte[20];
            BinaryPrimitives.WriteUInt16BigEndian(tcp, 443);
            BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), (ushort)(40000 + i));
            BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), 1);
            BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(8), 1);
            BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(12), 5 << 12 | 0x18);
            BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 65535);
            var ip = new byte[20];
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)(20 + 20 + record.Count));
            ip[6] = 0x40; ip[8] = 64; ip[9] = 6;
            ip[12] = 127; ip[15] = 1; ip[16] = 127; ip[19] = 1;
            byte[] packet = [.. ip, .. tcp, .. record];
            w.Write(1_800_000_000u + (uint)i); w.Write(0u); w.Write((uint)packet.Length); w.Write((uint)packet.Length);
            w.Write(packet);
        }
        w.Flush();
        return file.ToArray();

        static byte[] U24(int n) => [(byte)(n >> 16), (byte)(n >> 8), (byte)n];
    }

    /// <summary>Runs openssl with the arguments; null when it is not installed.</summary>
    public static string? OpenSsl(params string[] args)
    {
        var psi = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LC_ALL"] = "C";
        try
        {
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            _ = err.Result;
            return p.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
