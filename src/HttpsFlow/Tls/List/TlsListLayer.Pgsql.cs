using HttpsFlow.Net;

namespace HttpsFlow.Tls.List;

// PostgreSQL's way into TLS (PostgreSQL protocol documentation, "SSL Session Encryption"): the client's first message
// is an 8-byte SSLRequest (length 8, code 80877103), the server answers with one byte, 'S' to go on in TLS or 'N' to go
// on in the clear (or an error). tshark's PostgreSQL dissector, which has TCP port 5432, names both ("PGSQL", Info ">"
// for what goes to the port, "<" for what comes from it); only the request is in frame.protocols, the answer adds no
// tree. Only this exchange is recognised here, as it decides whether TLS follows; other PostgreSQL messages stay TCP
// lines.
public sealed partial class TlsListLayer
{
    private const ushort PgsqlPort = 5432;

    /// <summary>Where a connection on the PostgreSQL port is in the SSLRequest exchange.</summary>
    private enum PgsqlStage : byte
    {
        None,
        /// <summary>The client sent SSLRequest; the server's one-byte answer is next.</summary>
        Requested,
        /// <summary>The server answered; nothing more is named.</summary>
        Answered,
    }

    /// <summary>PostgreSQL's SSLRequest: length 8, then the request code 80877103 (1234 in the high half, 5679 in the low).</summary>
    internal static ReadOnlySpan<byte> PgsqlSslRequest => [0x00, 0x00, 0x00, 0x08, 0x04, 0xD2, 0x16, 0x2F];

    /// <summary>
    /// True when tshark gives a connection between <paramref name="srcPort"/> and <paramref name="dstPort"/> to its
    /// PostgreSQL dissector: one port is 5432 and the other is not a lower port registered for another protocol (TCP
    /// tries the lower port first).
    /// </summary>
    internal static bool IsPgsqlConnection(ushort srcPort, ushort dstPort)
    {
        if (srcPort != PgsqlPort && dstPort != PgsqlPort) return false;
        ushort other = srcPort == PgsqlPort ? dstPort : srcPort;
        return other >= PgsqlPort || !(TcpPorts.IsTls(other) || TcpPorts.IsOther(other));
    }

    /// <summary>
    /// Names the SSLRequest and its one-byte answer on a PostgreSQL connection whose protocol is not yet decided;
    /// returns false when the answer means TLS will not follow.
    /// </summary>
    private static bool PgsqlExchange(ConnectionState state, Frame f, ReadOnlySpan<byte> payload)
    {
        switch (state.Pgsql)
        {
            case PgsqlStage.None when !state.SawOtherPayload && f.DstPort == PgsqlPort && payload.SequenceEqual(PgsqlSslRequest):
                state.Pgsql = PgsqlStage.Requested;
                f.Upper = UpperKind.PgsqlSslRequest;
                return true;
            case PgsqlStage.Requested when f.SrcPort == PgsqlPort:
                // tshark hands the connection to TLS when the answer starts with 'S'; anything else ('N', an error)
                // keeps it PostgreSQL's.
                state.Pgsql = PgsqlStage.Answered;
                if (payload.Length == 1) f.Upper = UpperKind.PgsqlSslAnswer;
                return payload[0] == (byte)'S';
            default:
                return true;
        }
    }
}
