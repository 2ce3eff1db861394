using System.Globalization;
using System.Text.Json;
using HttpsFlow.Tcp;
using HttpsFlow.Walkthrough;
using HttpsFlow.X509;

namespace HttpsFlow.Report;

/// <summary>
/// Writes the data a report page draws from, as JSON: per connection its summary (the handshakes fields), the frames of
/// its diagram, the walkthrough's steps keyed by frame, the timing phases, the certificate chain and the findings; and,
/// when given, each packet's detail tree and bytes. Written with <see cref="Utf8JsonWriter"/> (no reflection).
/// </summary>
public static class ReportData
{
    /// <summary>A packet's detail tree (already JSON) and captured bytes, for the packet pane.</summary>
    public sealed record PacketDetail(long Frame, byte[] TreeJson, byte[] Bytes);

    /// <summary>
    /// The report's data: "connections" holds each connection's summary (what the overview table and the findings
    /// list need); "details" holds, for each, the rest — diagram frames, steps, certificates, packets — as gzip-compressed
    /// JSON in base64, which the page inflates (the browser's DecompressionStream) only when that connection is opened.
    /// A capture with thousands of connections so makes a file a fraction of the size, that opens at once.
    /// </summary>
    public static void Write(Utf8JsonWriter w, string fileName, string language, IReadOnlyList<Walk> walks, IReadOnlyDictionary<long, PacketDetail>? packets)
    {
        w.WriteStartObject();
        w.WriteString("file", fileName);
        w.WriteString("lang", language);
        w.WriteStartArray("connections");
        foreach (var walk in walks) WriteSummary(w, walk);
        w.WriteEndArray();
        w.WriteStartArray("details");
        var buffer = new System.IO.MemoryStream();
        foreach (var walk in walks)
        {
            buffer.SetLength(0);
            using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            using (var inner = new Utf8JsonWriter(gzip, new JsonWriterOptions { Encoder = w.Options.Encoder }))
                WriteDetail(inner, walk, packets);
            w.WriteBase64StringValue(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static double Ms(Common.Duration d) => Math.Round(d.TotalSeconds * 1000, 3);

    private static void WriteSummary(Utf8JsonWriter w, Walk walk)
    {
        var c = walk.Connection;
        w.WriteStartObject();
        w.WriteNumber("stream", c.Stream);
        w.WriteString("client", Narrator.Endpoint(c.ClientAddress, c.ClientPort));
        w.WriteString("server", Narrator.Endpoint(c.ServerAddress, c.ServerPort));
        w.WriteString("sni", c.ClientHello?.ServerName ?? "");
        w.WriteString("version", c.ServerHello is { } sh ? Narrator.VersionName(sh.Version) : "");
        w.WriteString("suite", c.ServerHello is { } sh2 ? Narrator.SuiteName(sh2.CipherSuite) : "");
        w.WriteString("alpn", c.ServerHello?.Alpn ?? "");
        w.WriteBoolean("resumed", c.Resumed);
        w.WriteString("ja3", c.ClientHello?.Ja3 ?? "");
        w.WriteString("ja3s", c.ServerHello?.Ja3s ?? "");
        var t = walk.Timing;
        if (t.TcpRoundTrip is { } rtt) w.WriteNumber("rtt", Ms(rtt)); else w.WriteNull("rtt");
        if (t.TlsHandshake is { } hs) w.WriteNumber("handshake", Ms(hs)); else w.WriteNull("handshake");
        if (t.TimeToFirstApplicationData is { } fb) w.WriteNumber("firstData", Ms(fb)); else w.WriteNull("firstData");
        w.WriteNumber("total", Ms(t.Total));
        int worst = walk.Findings.Count == 0 ? 0 : walk.Findings.Max(f => (int)f.Level) + 1;
        w.WriteNumber("worst", worst); // 0 nothing, 1 note, 2 warning, 3 error
        string certStatus = c.ServerCertificates is null ? "" : walk.Findings.FirstOrDefault(f => f.Code.StartsWith("cert.", StringComparison.Ordinal))?.Code ?? "cert.valid";
        w.WriteString("certStatus", certStatus);
        WriteFindings(w, walk);
        w.WriteEndObject();
    }

    private static void WriteDetail(Utf8JsonWriter w, Walk walk, IReadOnlyDictionary<long, PacketDetail>? packets)
    {
        var c = walk.Connection;
        var phrases = Phrasebook.For(walk.Language);
        w.WriteStartObject();
        // Header facts and timing facts, as the walkthrough words them.
        WriteFacts(w, "header", walk.Blocks.FirstOrDefault(b => b.Kind == BlockKind.Facts)?.Facts);
        WriteFacts(w, "timing", walk.Blocks.LastOrDefault(b => b.Kind == BlockKind.Facts)?.Facts);
        w.WriteString("title", walk.Blocks.FirstOrDefault(b => b.Kind == BlockKind.Heading)?.Text ?? "");

        // The time phases of the waterfall, in ms from the connection's first frame.
        w.WriteStartObject("phases");
        if (c.Frames.Count > 0)
        {
            var start = c.Frames[0].Time;
            double At(long frame) => c.FindFrame(frame) is { } f ? Ms(f.Time.Subtract(start)) : -1;
            bool hasSyn = (c.Frames[0].Flags & TcpFlags.Syn) != 0;
            double tcpEnd = hasSyn && c.Conversation.HasInitialRtt ? Ms(c.Conversation.InitialRtt) : -1;
            double chAt = c.ClientHello is { } ch ? At(ch.Frame) : -1;
            long endFrame = Narrator.HandshakeEndFrame(c);
            double tlsEnd = endFrame > 0 ? At(endFrame) : -1;
            long dataFrame = Narrator.FirstApplicationDataFrame(c);
            double dataAt = dataFrame > 0 ? At(dataFrame) : -1;
            double last = Ms(c.Frames[^1].Time.Subtract(start));
            if (tcpEnd >= 0) Phase(w, "tcp", 0, tcpEnd);
            if (chAt >= 0 && tlsEnd >= 0) Phase(w, "tls", chAt, tlsEnd);
            if (tlsEnd >= 0 && dataAt >= 0) Phase(w, "wait", tlsEnd, dataAt);
            if (dataAt >= 0) Phase(w, "transfer", dataAt, last);
            w.WriteNumber("end", last);
        }
        w.WriteEndObject();

        w.WriteStartArray("frames");
        if (c.Frames.Count > 0)
        {
            var start = c.Frames[0].Time;
            foreach (var f in c.Frames)
            {
                w.WriteStartObject();
                w.WriteNumber("n", f.Number);
                w.WriteNumber("t", Ms(f.Time.Subtract(start)));
                w.WriteBoolean("c", c.IsFromClient(f));
                w.WriteString("label", SequenceDiagram.Label(f, phrases));
                w.WriteString("nums", f.HasAck ? $"Seq={f.Seq} Ack={f.Ack} Len={f.Length}" : $"Seq={f.Seq} Len={f.Length}");
                bool retrans = (f.Analysis & (TcpAnalysisFlags.Retransmission | TcpAnalysisFlags.FastRetransmission | TcpAnalysisFlags.SpuriousRetransmission)) != 0;
                if (retrans) w.WriteBoolean("retrans", true);
                if ((f.Analysis & (TcpAnalysisFlags.LostSegment | TcpAnalysisFlags.OutOfOrder | TcpAnalysisFlags.DuplicateAck)) != 0) w.WriteBoolean("trouble", true);
                if (f.Tls.Any(x => x.ContentType == 21)) w.WriteBoolean("alert", true);
                if ((f.Flags & TcpFlags.Rst) != 0) w.WriteBoolean("rst", true);
                w.WriteEndObject();
            }
        }
        w.WriteEndArray();

        w.WriteStartArray("steps");
        bool inSteps = false;
        foreach (var b in walk.Blocks)
        {
            if (b.Kind == BlockKind.Heading && b.Level == 2)
            {
                inSteps = b.Text == phrases.StepsHeading;
                continue;
            }
            if (!inSteps || b.Kind is not (BlockKind.Paragraph or BlockKind.Bullet)) continue;
            w.WriteStartObject();
            w.WriteNumber("frame", b.Frame);
            w.WriteBoolean("bullet", b.Kind == BlockKind.Bullet);
            w.WriteString("text", b.Text);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("certs");
        if (c.ServerCertificates is { } certs)
        {
            var at = c.Start.ToDateTimeOffset();
            for (int i = 0; i < certs.Chain.Count; i++)
            {
                var cert = certs.Chain[i];
                w.WriteStartObject();
                w.WriteString("subject", cert.Subject?.ToString() ?? "");
                w.WriteString("subjectName", Narrator.Name(cert.Subject));
                w.WriteString("issuer", cert.Issuer?.ToString() ?? "");
                w.WriteString("issuerName", Narrator.Name(cert.Issuer));
                w.WriteString("notBefore", cert.NotBefore?.Value?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "?");
                w.WriteString("notAfter", cert.NotAfter?.Value?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "?");
                w.WriteBoolean("validAtCapture", cert.ValidAt(at));
                w.WriteStartArray("sans");
                foreach (var n in cert.SubjectAltName?.DnsNames ?? []) w.WriteStringValue(n);
                w.WriteEndArray();
                var key = cert.PublicKey;
                w.WriteString("key", key is null ? "?" : key.Type switch
                {
                    PublicKeyType.Rsa or PublicKeyType.RsaPss => $"RSA {key.KeySizeBits}",
                    PublicKeyType.Ec => $"EC {key.CurveNistName ?? key.CurveName ?? key.CurveOid}",
                    _ => key.Type.ToString(),
                });
                w.WriteString("signature", cert.SignatureAlgorithm?.Name ?? "?");
                w.WriteString("serial", cert.SerialNumberHex);
                w.WriteString("sha256", Certificate.FormatFingerprint(cert.Sha256Fingerprint));
                w.WriteString("sha1", Certificate.FormatFingerprint(cert.Sha1Fingerprint));
                w.WriteBoolean("ca", cert.IsCertificateAuthority);
                w.WriteBoolean("signedByNext", i + 1 < certs.Chain.Count && CertificateChain.IsIssuerOf(certs.Chain[i + 1], cert));
                w.WriteEndObject();
            }
        }
        w.WriteEndArray();

        w.WriteStartObject("packets");
        if (packets is not null)
        {
            foreach (var f in c.Frames)
            {
                if (!packets.TryGetValue(f.Number, out var detail)) continue;
                w.WriteStartObject(f.Number.ToString(CultureInfo.InvariantCulture));
                w.WritePropertyName("tree");
                w.WriteRawValue(detail.TreeJson, skipInputValidation: true);
                w.WriteString("hex", Convert.ToBase64String(detail.Bytes));
                w.WriteEndObject();
            }
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteFindings(Utf8JsonWriter w, Walk walk)
    {
        w.WriteStartArray("findings");
        foreach (var f in walk.Findings)
        {
            w.WriteStartObject();
            w.WriteString("level", f.Level.ToString().ToLowerInvariant());
            w.WriteString("code", f.Code);
            w.WriteString("text", f.Text);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Phase(Utf8JsonWriter w, string name, double from, double to)
    {
        w.WriteStartArray(name);
        w.WriteNumberValue(from);
        w.WriteNumberValue(Math.Max(from, to));
        w.WriteEndArray();
    }

    private static void WriteFacts(Utf8JsonWriter w, string name, IReadOnlyList<KeyValuePair<string, string>>? facts)
    {
        w.WriteStartArray(name);
        foreach (var (k, v) in facts ?? [])
        {
            w.WriteStartArray();
            w.WriteStringValue(k);
            w.WriteStringValue(v);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }
}
