using HttpsFlow.Common;

namespace HttpsFlow.Tls.Dtls;

/// <summary>
/// What the DTLS packet list needs from a ClientHello or ServerHello body: the ServerHello's selected version
/// (supported_versions), and the connection ID either side asks for (RFC 9146 connection_id, 54; tshark 4.0 reads
/// the draft's 53 as an unknown extension).
/// A DTLS ClientHello differs from TLS's by the cookie after the session ID (RFC 6347 §4.2.1). Never throws: a body
/// that ends early yields what was read before.
/// </summary>
public readonly struct DtlsHello
{
    private DtlsHello(ushort selectedVersion, int connectionIdLength)
    {
        SelectedVersion = selectedVersion;
        ConnectionIdLength = connectionIdLength;
    }

    /// <summary>A ServerHello's supported_versions value, 0 when absent.</summary>
    public ushort SelectedVersion { get; }

    /// <summary>The length of the connection ID the hello's sender asks to receive, -1 without the extension.</summary>
    public int ConnectionIdLength { get; }

    public const ushort ExtSupportedVersions = 43;
    public const ushort ExtConnectionIdDraft = 53;
    public const ushort ExtConnectionId = 54;

    /// <summary>Scans a hello body (after the 12-byte DTLS handshake header).</summary>
    public static DtlsHello Scan(ReadOnlySpan<byte> body, bool isClientHello)
    {
        var r = new WireReader(body);
        if (!r.TrySkip(2 + 32) || !r.TryReadVector8(out _)) return new DtlsHello(0, -1);
        if (isClientHello)
        {
            if (!r.TryReadVector8(out _) || !r.TryReadVector16(out _) || !r.TryReadVector8(out _)) return new DtlsHello(0, -1);
        }
        else if (!r.TrySkip(3)) return new DtlsHello(0, -1);
        if (!r.TryReadVector16(out var extensions))
        {
            // A list shorter than it says is read as far as it goes.
            if (!r.TryReadUInt16(out _)) return new DtlsHello(0, -1);
            extensions = new WireReader(r.Rest);
        }
        ushort selected = 0;
        int cid = -1;
        while (extensions.TryReadUInt16(out ushort type) && extensions.TryReadUInt16(out ushort length))
        {
            if (!extensions.TryReadBytes(length, out var data)) data = extensions.Rest;
            if (type == ExtSupportedVersions && !isClientHello && data.Length >= 2)
                selected = (ushort)(data[0] << 8 | data[1]);
            else if (type == ExtConnectionId && data.Length >= 1)
                cid = data[0];
            if (data.Length < length) break;
        }
        return new DtlsHello(selected, cid);
    }
}
