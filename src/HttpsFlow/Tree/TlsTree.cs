using System.Buffers.Binary;
using System.Text;
using HttpsFlow.Common;
using HttpsFlow.Fields;
using HttpsFlow.Net;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Handshake;
using HttpsFlow.Tls.Records;
using HttpsFlow.Tls.Registry;
using static HttpsFlow.Tree.TreeText;

namespace HttpsFlow.Tree;

/// <summary>
/// The Transport Layer Security subtrees of a frame, from what a <see cref="TlsFrameStore"/> kept: one "Transport
/// Layer Security" node per time TCP handed bytes to TLS, a "Record Layer" node per record, a "Handshake Protocol" node
/// per message with the hello fields, cipher suites, extensions and certificates. Records and messages that lie whole in
/// this segment get their packet offsets; those reassembled from several segments get 0/0.
/// </summary>
internal static class TlsTree
{
    public static void Build(Frame f, ReadOnlySpan<byte> p, Region payload, TlsFrameStore store, List<TreeNode> roots)
    {
        var items = store.Items;
        var (reassembled, rest, firstCallEnd) = TlsFieldEmitter.Calls(f, store);
        int i = 0;
        if (reassembled)
        {
            if (f.ReassembledSegments.Count > 1) roots.Add(Segments(f, store.PiecesOf(items[0]), store.BytesOf(items[0])));
            var tls = new TreeNode("Transport Layer Security", "tls");
            Record(f, p, payload, store, items, ref i, tls);
            roots.Add(tls);
        }
        if (!rest) return;
        var node = new TreeNode("Transport Layer Security", "tls");
        i = firstCallEnd;
        int first = -1, end = 0;
        while (i < items.Length)
        {
            var n = Record(f, p, payload, store, items, ref i, node);
            if (n is { Length: > 0 })
            {
                if (first < 0) first = n.Offset;
                end = n.Offset + n.Length;
            }
        }
        if (first >= 0)
        {
            node.Offset = first;
            node.Length = end - first;
        }
        roots.Add(node);
    }

    /// <summary>
    /// "[2 Reassembled TCP Segments (1873 bytes): #6(1268), #8(605)]" with a line per segment, from the pieces of the
    /// record TCP reassembled; when those do not add up to the reassembled length, the frames alone.
    /// </summary>
    private static TreeNode Segments(Frame f, ReadOnlySpan<(long Frame, int Length)> pieces, ReadOnlySpan<byte> record)
    {
        int total = 0;
        foreach (var (_, length) in pieces) total += length;
        bool exact = total == f.ReassembledLength && pieces.Length == f.ReassembledSegments.Count;
        var label = new StringBuilder($"[{f.ReassembledSegments.Count} Reassembled TCP Segments ({f.ReassembledLength} bytes): ");
        var node = new TreeNode("", "tcp.segments");
        int at = 0;
        for (int k = 0; k < f.ReassembledSegments.Count; k++)
        {
            long frame = f.ReassembledSegments[k];
            if (k > 0) label.Append(", ");
            label.Append('#').Append(frame);
            if (exact)
            {
                int length = pieces[k].Length;
                label.Append('(').Append(length).Append(')');
                node.Add($"[Frame: {frame}, payload: {at}-{at + length - 1} ({length} byte{(length == 1 ? "" : "s")})]", "tcp.segment");
                at += length;
            }
            else node.Add($"[Frame: {frame}]", "tcp.segment");
        }
        node.Label = label.Append(']').ToString();
        node.Add($"[Segment count: {f.ReassembledSegments.Count}]", "tcp.segment.count");
        node.Add($"[Reassembled TCP length: {f.ReassembledLength}]", "tcp.reassembled.length");
        if (exact && record.Length == f.ReassembledLength) node.Add($"[Reassembled TCP Data: {HexShort(record)}]", "tcp.reassembled.data");
        return node;
    }

    /// <summary>
    /// "TCP segment data (N bytes)" under TCP, as tshark shows the bytes of the segment that go into a record reassembled
    /// here from earlier segments (the last piece), one that ends in a later segment (the bytes TLS keeps waiting), or
    /// one that missed bytes and is never completed (the first bytes, after a gap).
    /// </summary>
    public static void SegmentData(Frame f, TlsFrameStore store, TreeNode tcp, Region payload)
    {
        if (!store.Holds(f)) return;
        if (f.UnfinishedPduBytes > 0)
        {
            // The bytes that went into a record which missed some and is never completed.
            int n = f.UnfinishedPduBytes;
            tcp.Add($"TCP segment data ({n} byte{(n == 1 ? "" : "s")})", "tcp.segment_data", payload, 0, n);
        }
        var items = store.Items;
        int offsetInPayload = f.PayloadCaptured - (int)(store.SegmentEnd - store.SegmentStart);
        if (items.Length > 0 && items[0].Kind == TlsFrameItemKind.Record && items[0].FirstFrame != f.Number)
        {
            var pieces = store.PiecesOf(items[0]);
            if (pieces.Length > 0 && pieces[^1].Frame == f.Number)
            {
                int n = pieces[^1].Length;
                tcp.Add($"TCP segment data ({n} byte{(n == 1 ? "" : "s")})", "tcp.segment_data", payload, offsetInPayload, n);
            }
        }
        if (store.HasSegment && store.SegmentBuffered > 0)
        {
            // A middle segment is all waiting bytes; the buffer then also holds earlier segments' bytes.
            int n = (int)Math.Min((ulong)store.SegmentBuffered, store.SegmentEnd - store.SegmentStart);
            tcp.Add($"TCP segment data ({n} byte{(n == 1 ? "" : "s")})", "tcp.segment_data", payload, f.PayloadCaptured - n, n);
        }
    }

    /// <summary>Where stream bytes [start, end) of the current segment lie in the packet, or None.</summary>
    private static Region Place(Frame f, Region payload, TlsFrameStore store, ulong start, ulong end, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> p)
    {
        if (!payload.InPacket || !store.HasSegment || start < store.SegmentStart || end > store.SegmentEnd) return Region.None;
        ulong segmentLength = store.SegmentEnd - store.SegmentStart;
        // The segment ends the TCP payload; a quote (an ICMP error's) starts where its payload does.
        long payloadLength = store.Quoted ? (long)segmentLength : f.PayloadCaptured;
        long at = payload.Base + payloadLength - (long)segmentLength + (long)(start - store.SegmentStart);
        if (at < payload.Base || at + expected.Length > p.Length) return Region.None;
        // Only where the bytes are the very bytes kept: anything else is not this packet's.
        if (!p.Slice((int)at, expected.Length).SequenceEqual(expected)) return Region.None;
        return new Region((int)at, p.Length);
    }

    private static TreeNode? Record(Frame f, ReadOnlySpan<byte> p, Region payload, TlsFrameStore store, ReadOnlySpan<TlsFrameItem> items, ref int i, TreeNode tls)
    {
        ref readonly var record = ref items[i++];
        if (record.Kind != TlsFrameItemKind.Record) return null;
        var bytes = store.BytesOf(record);
        var r = record.FirstFrame == f.Number ? Place(f, payload, store, record.StreamOffset, record.EndOffset, bytes, p) : Region.None;
        int headerLength = Math.Min(record.HeaderLength, bytes.Length);
        var fragment = bytes[headerLength..];
        ushort shownVersion = record.ConnectionVersion != 0 ? record.ConnectionVersion : record.RecordVersion;
        string version = TlsNames.VersionShortName(shownVersion) ?? "SSL";
        TreeNode node;
        if (record.RecordKind == TlsRecordKind.Unrecognised)
        {
            // Bytes that are no record: tshark's "Ignored Unknown Record" note in a TLS 1.0–1.2 connection, else
            // nothing (its "Continuation Data" is an Info text only).
            SkipHandshakes(items, ref i);
            if (!record.IgnoredUnknown) return null;
            node = tls.Add(TlsNames.IgnoredUnknownRecord, null, r, 0, bytes.Length);
            var e = node.Add($"[Expert Info (Warning/Protocol): {TlsNames.IgnoredUnknownRecord}]", "_ws.expert");
            e.Add($"[{TlsNames.IgnoredUnknownRecord}]", "tls.ignored_unknown_record");
            e.Add("[Severity level: Warning]", "_ws.expert.severity");
            e.Add("[Group: Protocol]", "_ws.expert.group");
            return node;
        }
        if (record.HeaderOnly)
        {
            // An empty record ending an ICMP error's quote: tshark's TLS stops after its length, before naming it.
            node = tls.Add("Record Layer", "tls.record", r, 0, bytes.Length);
            node.Add($"Content Type: {ContentTypes.Describe((byte)record.ContentType)}", "tls.record.content_type", r, 0, 1);
            node.Add($"Version: {Version(record.RecordVersion)}", "tls.record.version", r, 1, 2);
            node.Add("Length: 0", "tls.record.length", r, 3, 2);
            SkipHandshakes(items, ref i);
            return node;
        }
        if (record.RecordKind == TlsRecordKind.Ssl2)
        {
            node = tls.Add($"SSLv2 Record Layer: {(fragment.Length > 0 ? TlsNames.Ssl2MessageType(fragment[0]) ?? "Encrypted Data" : "Encrypted Data")}", "tls.record", r, 0, bytes.Length);
            node.Add($"Length: {fragment.Length}", "tls.record.length", r, 0, headerLength);
            SkipHandshakes(items, ref i);
            return node;
        }
        string content = record.ContentType switch
        {
            TlsContentType.Handshake => "Handshake Protocol: " + HandshakeSummary(store, items, i),
            TlsContentType.ChangeCipherSpec => "Change Cipher Spec Protocol: Change Cipher Spec",
            TlsContentType.Alert when fragment.Length == 2 => $"Alert (Level: {TlsNames.AlertLevel(fragment[0]) ?? "Unknown"}, Description: {TlsNames.AlertDescription(fragment[1]) ?? "Unknown"})",
            TlsContentType.Alert => "Encrypted Alert",
            TlsContentType.ApplicationData => "Application Data Protocol: " + (record.Connection.AlpnProtocol ?? record.Connection.PortProtocol ?? "Application Data"),
            TlsContentType.Heartbeat => "Heartbeat",
            _ => $"Ignored Unknown Record",
        };
        node = tls.Add($"{version} Record Layer: {content}", "tls.record", r, 0, bytes.Length);
        bool opaque = record.ConnectionVersion == TlsVersion.Tls13 && record.ContentType == TlsContentType.ApplicationData;
        byte type = (byte)record.ContentType;
        node.Add($"{(opaque ? "Opaque Type" : "Content Type")}: {ContentTypes.Describe(type)}", opaque ? "tls.record.opaque_type" : "tls.record.content_type", r, 0, 1);
        node.Add($"Version: {Version(record.RecordVersion)}", "tls.record.version", r, 1, 2);
        node.Add($"Length: {fragment.Length}", "tls.record.length", r, 3, 2);
        var fr = r.At(headerLength);
        switch (record.ContentType)
        {
            case TlsContentType.ChangeCipherSpec:
                node.Add("Change Cipher Spec Message", "tls.change_cipher_spec", fr, 0, fragment.Length);
                break;
            case TlsContentType.Alert:
                if (fragment.Length == 2)
                {
                    var alert = node.Add("Alert Message", "tls.alert_message", fr, 0, 2);
                    alert.Add($"Level: {TlsNames.AlertLevel(fragment[0]) ?? "Unknown"} ({fragment[0]})", "tls.alert_message.level", fr, 0, 1);
                    alert.Add($"Description: {TlsNames.AlertDescription(fragment[1]) ?? "Unknown"} ({fragment[1]})", "tls.alert_message.desc", fr, 1, 1);
                }
                else node.Add("Alert Message: Encrypted Alert", "tls.alert_message", fr, 0, fragment.Length);
                break;
            case TlsContentType.ApplicationData:
                node.Add($"Encrypted Application Data: {HexShort(fragment)}", "tls.app_data", fr, 0, fragment.Length);
                if ((record.Connection.AlpnProtocol ?? record.Connection.PortProtocol) is { } proto)
                    node.Add($"[Application Data Protocol: {proto}]", "tls.app_data_proto");
                break;
        }
        while (i < items.Length && items[i].Kind == TlsFrameItemKind.Handshake)
            Handshake(f, p, payload, store, items[i++], node, fr);
        return node;
    }

    private static void SkipHandshakes(ReadOnlySpan<TlsFrameItem> items, ref int i)
    {
        while (i < items.Length && items[i].Kind == TlsFrameItemKind.Handshake) i++;
    }

    internal static string Version(ushort v) => $"{TlsNames.VersionName(v) ?? "Unknown"} (0x{v:x4})";

    private static string HandshakeSummary(TlsFrameStore store, ReadOnlySpan<TlsFrameItem> items, int i)
    {
        int count = 0;
        string? name = null;
        for (int j = i; j < items.Length && items[j].Kind == TlsFrameItemKind.Handshake; j++)
        {
            count++;
            name = items[j].HandshakeKind switch
            {
                HandshakeEventKind.Encrypted => TlsNames.EncryptedHandshakeMessage,
                // Inside an ICMP error's quote tshark does not reassemble: its handshake code names the piece itself.
                HandshakeEventKind.FragmentStart when store.Quoted => (TlsNames.HandshakeType((byte)items[j].HandshakeType) ?? "Unknown") + " (fragment)",
                HandshakeEventKind.FragmentStart or HandshakeEventKind.FragmentContinue => TlsNames.HandshakeFragmentInfo((byte)items[j].HandshakeType),
                _ when items[j].IsHelloRetryRequest => TlsNames.HelloRetryRequest,
                _ => TlsNames.HandshakeInfo((byte)items[j].HandshakeType),
            };
        }
        return count > 1 ? "Multiple Handshake Messages" : name ?? TlsNames.EncryptedHandshakeMessage;
    }

    private static void Handshake(Frame f, ReadOnlySpan<byte> p, Region payload, TlsFrameStore store, in TlsFrameItem item, TreeNode record, Region fragmentRegion)
    {
        var bytes = store.BytesOf(item);
        if (item.HandshakeKind == HandshakeEventKind.Encrypted)
        {
            record.Add("Handshake Protocol: Encrypted Handshake Message", "tls.handshake", fragmentRegion, 0, bytes.Length);
            return;
        }
        // A message lies in the packet when it came whole in this record of this segment.
        var r = item.FramesCount > 1 || !fragmentRegion.InPacket ? Region.None
            : Place(f, payload, store, item.StreamOffset, item.StreamOffset + (ulong)bytes.Length, bytes, p);
        byte type = (byte)item.HandshakeType;
        string name = item.IsHelloRetryRequest ? TlsNames.HelloRetryRequest : TlsNames.HandshakeType(type) ?? "Unknown";
        if (item.HandshakeKind is HandshakeEventKind.FragmentStart or HandshakeEventKind.FragmentContinue or HandshakeEventKind.Skipped)
        {
            var piece = record.Add($"Handshake Protocol: {name} (fragment)", "tls.handshake", r, 0, bytes.Length);
            if (item.HandshakeKind == HandshakeEventKind.FragmentStart && bytes.Length >= 1 && !store.Quoted)
                piece.Add($"Handshake Type: {HandshakeTypes.Describe(type)}", "tls.handshake.type", r, 0, 1);
            return;
        }
        var node = record.Add($"Handshake Protocol: {name}", "tls.handshake", r, 0, bytes.Length);
        node.Add($"Handshake Type: {HandshakeTypes.Describe(type)}", "tls.handshake.type", r, 0, 1);
        if (item.DeclaredLength >= 0) node.Add($"Length: {item.DeclaredLength}", "tls.handshake.length", r, 1, 3);
        var body = bytes.Length >= HandshakeMessage.HeaderSize ? bytes[HandshakeMessage.HeaderSize..] : default;
        var br = r.At(HandshakeMessage.HeaderSize);
        var b = new Body(body, br, node);
        switch (item.HandshakeType)
        {
            case TlsHandshakeType.ClientHello:
                HelloTree.Client(ref b);
                break;
            case TlsHandshakeType.ServerHello:
                HelloTree.Server(ref b, item.IsHelloRetryRequest);
                break;
            case TlsHandshakeType.Certificate:
                CertificateTree.Message(ref b, item.ConnectionVersion == TlsVersion.Tls13);
                break;
            case TlsHandshakeType.ServerKeyExchange:
                KeyExchangeTree.Server(ref b, item.Connection);
                break;
            case TlsHandshakeType.ClientKeyExchange:
                KeyExchangeTree.Client(ref b, item.Connection);
                break;
            case TlsHandshakeType.NewSessionTicket when item.ConnectionVersion != TlsVersion.Tls13 && body.Length >= 6:
            {
                uint hint = BinaryPrimitives.ReadUInt32BigEndian(body);
                int len = BinaryPrimitives.ReadUInt16BigEndian(body[4..]);
                var t = node.Add("TLS Session Ticket", "tls.handshake.session_ticket", br, 0, body.Length);
                t.Add($"Session Ticket Lifetime Hint: {hint} seconds{LifetimeText(hint)}", "tls.handshake.session_ticket_lifetime_hint", br, 0, 4);
                t.Add($"Session Ticket Length: {len}", "tls.handshake.session_ticket_length", br, 4, 2);
                t.Add($"Session Ticket: {HexShort(body[6..Math.Min(body.Length, 6 + len)])}", "tls.handshake.session_ticket", br, 6, Math.Min(len, body.Length - 6));
                break;
            }
            case TlsHandshakeType.Finished when !body.IsEmpty:
                node.Add($"Verify Data", "tls.handshake.verify_data", br, 0, body.Length);
                break;
        }
        if (item.FramesCount > 1)
        {
            var frames = store.FramesOf(item);
            var segs = node.Add($"[{frames.Length} Reassembled Handshake Fragments ({bytes.Length} bytes): {string.Join(", ", frames.ToArray().Select(n => "#" + n))}]", "tls.segments");
            foreach (long n in frames) segs.Add($"[Frame: {n}]", "tls.segment");
        }
    }

    private static string LifetimeText(uint seconds)
    {
        if (seconds == 0) return "";
        var parts = new List<string>();
        uint d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60, s = seconds % 60;
        if (d > 0) parts.Add($"{d} day{(d == 1 ? "" : "s")}");
        if (h > 0) parts.Add($"{h} hour{(h == 1 ? "" : "s")}");
        if (m > 0) parts.Add($"{m} minute{(m == 1 ? "" : "s")}");
        if (s > 0) parts.Add($"{s} second{(s == 1 ? "" : "s")}");
        return $" ({string.Join(", ", parts)})";
    }
}

/// <summary>A bounded cursor over a handshake body that adds nodes at the bytes it reads; reads past the end stop quietly.</summary>
internal ref struct Body
{
    public readonly ReadOnlySpan<byte> Bytes;
    public readonly Region Region;
    public TreeNode Node;
    public int Pos;

    public Body(ReadOnlySpan<byte> bytes, Region region, TreeNode node)
    {
        Bytes = bytes;
        Region = region;
        Node = node;
        Pos = 0;
    }

    public readonly int Left => Bytes.Length - Pos;

    public readonly bool Has(int n) => n >= 0 && Left >= n;

    public int U8() => Bytes[Pos++];

    public int U16()
    {
        int v = BinaryPrimitives.ReadUInt16BigEndian(Bytes[Pos..]);
        Pos += 2;
        return v;
    }

    public int U24()
    {
        int v = Bytes[Pos] << 16 | Bytes[Pos + 1] << 8 | Bytes[Pos + 2];
        Pos += 3;
        return v;
    }

    /// <summary>A node over [at, at+length) of the body under <paramref name="parent"/>.</summary>
    public readonly TreeNode Add(TreeNode parent, string label, string? field, int at, int length) => parent.Add(label, field, Region, at, length);
}
