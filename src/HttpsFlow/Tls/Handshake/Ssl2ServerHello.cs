using HttpsFlow.Common;

namespace HttpsFlow.Tls.Handshake;

/// <summary>
/// An SSL 2.0 SERVER-HELLO, read from an SSL 2.0 record's data (starting at msg_type; the record header holds the
/// length). It travels in clear and carries the server's certificate.
/// </summary>
/// <remarks>
/// <code>
/// // draft-hickman-netscape-ssl-00, "SERVER-HELLO (Phase 1; Sent in the clear)"
/// char MSG-SERVER-HELLO                 /* 4 */
/// char SESSION-ID-HIT
/// char CERTIFICATE-TYPE
/// char SERVER-VERSION-MSB, SERVER-VERSION-LSB
/// char CERTIFICATE-LENGTH-MSB, CERTIFICATE-LENGTH-LSB
/// char CIPHER-SPECS-LENGTH-MSB, CIPHER-SPECS-LENGTH-LSB
/// char CONNECTION-ID-LENGTH-MSB, CONNECTION-ID-LENGTH-LSB
/// char CERTIFICATE-DATA[MSB&lt;&lt;8|LSB]
/// char CIPHER-SPECS-DATA[MSB&lt;&lt;8|LSB]
/// char CONNECTION-ID-DATA[MSB&lt;&lt;8|LSB]
/// </code>
/// </remarks>
public readonly ref struct Ssl2ServerHello
{
    /// <summary>The fixed part: msg_type to connection_id_length.</summary>
    public const int HeaderLength = 11;

    private Ssl2ServerHello(ParseStatus status, ReadOnlySpan<byte> header, ReadOnlySpan<byte> certificate, ReadOnlySpan<byte> specs, ReadOnlySpan<byte> connectionId)
    {
        Status = status;
        _header = header;
        Certificate = certificate;
        CipherSpecBytes = specs;
        ConnectionId = connectionId;
    }

    private readonly ReadOnlySpan<byte> _header;

    public ParseStatus Status { get; }

    /// <summary>True when the fixed part is there (the fields below are then read).</summary>
    public bool HasHeader => _header.Length == HeaderLength;

    public bool SessionIdHit => HasHeader && _header[1] != 0;

    /// <summary>CERTIFICATE-TYPE: 1 is an X.509 certificate.</summary>
    public byte CertificateType => HasHeader ? _header[2] : (byte)0;

    /// <summary>The server's version (0x0002).</summary>
    public ushort Version => HasHeader ? (ushort)(_header[3] << 8 | _header[4]) : (ushort)0;

    /// <summary>CERTIFICATE-LENGTH as declared.</summary>
    public int CertificateLength => HasHeader ? _header[5] << 8 | _header[6] : 0;

    /// <summary>The certificate's DER (empty when it runs past the data).</summary>
    public ReadOnlySpan<byte> Certificate { get; }

    public ReadOnlySpan<byte> CipherSpecBytes { get; }

    public ReadOnlySpan<byte> ConnectionId { get; }

    /// <param name="data">The SSL 2.0 record's data, from msg_type on.</param>
    /// <param name="notes">Where notes go; null for none.</param>
    public static Ssl2ServerHello Parse(ReadOnlySpan<byte> data, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(data, notes);
        var r = new WireReader(data);
        if (!r.TryReadBytes(HeaderLength, out var header))
        {
            ctx.Truncated(r, "SSLv2 ServerHello header", HeaderLength);
            return new Ssl2ServerHello(ParseStatus.Malformed, default, default, default, default);
        }
        int certificateLength = header[5] << 8 | header[6];
        int specsLength = header[7] << 8 | header[8];
        int idLength = header[9] << 8 | header[10];
        if (!r.TryReadBytes(certificateLength, out var certificate))
        {
            ctx.Truncated(r, "Certificate", certificateLength);
            return new Ssl2ServerHello(ParseStatus.Malformed, header, default, default, default);
        }
        if (!r.TryReadBytes(specsLength, out var specs))
        {
            ctx.Truncated(r, "Cipher Specs", specsLength);
            return new Ssl2ServerHello(ParseStatus.Malformed, header, certificate, default, default);
        }
        if (!r.TryReadBytes(idLength, out var connectionId))
        {
            ctx.Truncated(r, "Connection ID", idLength);
            return new Ssl2ServerHello(ParseStatus.Malformed, header, certificate, specs, default);
        }
        ctx.Trailing(r);
        return new Ssl2ServerHello(ParseStatus.Ok, header, certificate, specs, connectionId);
    }
}
