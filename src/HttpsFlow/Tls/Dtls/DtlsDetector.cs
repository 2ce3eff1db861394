namespace HttpsFlow.Tls.Dtls;

/// <summary>How a UDP datagram reaches DTLS, if it does.</summary>
public enum DtlsEntry : byte
{
    /// <summary>Not DTLS: the UDP line stands.</summary>
    None,
    /// <summary>A port registered for DTLS (853, 2221, 5684, 5868): whatever the datagram holds is handed to DTLS.</summary>
    Port,
    /// <summary>DTLS's UDP heuristic accepted the datagram.</summary>
    Heuristic,
}

/// <summary>
/// Decides, as tshark 4.0's UDP dissector does, whether a datagram is handed to DTLS. UDP tries the lower port's
/// registered protocol, then the higher port's, then its heuristics: a DTLS port hands the datagram to DTLS
/// whatever it holds; a port whose protocol takes such a datagram keeps it from DTLS (data/tshark/udp-ports.csv);
/// otherwise DTLS's heuristic (enabled by default) takes a datagram made of whole DTLS records. A port of 0 is not
/// looked up. Conversations that another protocol claimed first are not modelled.
/// </summary>
public static class DtlsDetector
{
    public const ushort VersionDtls10 = TlsVersion.Dtls10;
    public const ushort VersionDtls12 = TlsVersion.Dtls12;
    public const ushort VersionDtls10OpenSsl = TlsVersion.Dtls10OpenSsl;

    /// <summary>True for the record versions tshark's DTLS accepts: DTLS 1.0, DTLS 1.2 and OpenSSL's pre-0.9.8f 0x0100.</summary>
    public static bool IsDtlsVersion(ushort version) => version is VersionDtls10 or VersionDtls12 or VersionDtls10OpenSsl;

    /// <summary>Content types 20–25 (ssl_is_valid_content_type): DTLS 1.3's ACK (26) and unified headers are not among them in tshark 4.0.</summary>
    public static bool IsValidContentType(byte type) => type is >= 20 and <= 25;

    /// <summary>looks_like_dtls: a valid content type followed by a DTLS record version (three bytes needed).</summary>
    public static bool LooksLikeRecord(ReadOnlySpan<byte> data, int offset) =>
        offset >= 0 && offset + 3 <= data.Length && IsValidContentType(data[offset])
        && IsDtlsVersion((ushort)(data[offset + 1] << 8 | data[offset + 2]));

    /// <summary>Where tshark hands a datagram between these ports, with these bytes, to DTLS.</summary>
    /// <param name="srcPort">The UDP source port.</param>
    /// <param name="dstPort">The UDP destination port.</param>
    /// <param name="captured">The UDP payload as captured.</param>
    /// <param name="reported">The UDP payload's length as the UDP header declares it.</param>
    /// <param name="cidLength">The connection ID length for a content type 25 record (0 when not known).</param>
    public static DtlsEntry Decide(ushort srcPort, ushort dstPort, ReadOnlySpan<byte> captured, int reported, int cidLength = 0)
    {
        ushort low = Math.Min(srcPort, dstPort), high = Math.Max(srcPort, dstPort);
        if (low != 0)
        {
            if (UdpPorts.IsDtls(low)) return DtlsEntry.Port;
            if (UdpPorts.TakesDatagram(low)) return DtlsEntry.None;
        }
        if (high != 0)
        {
            if (UdpPorts.IsDtls(high)) return DtlsEntry.Port;
            if (UdpPorts.TakesDatagram(high)) return DtlsEntry.None;
        }
        return Heuristic(captured, reported, cidLength) ? DtlsEntry.Heuristic : DtlsEntry.None;
    }

    /// <summary>
    /// DTLS's heuristic on UDP (dissect_dtls_heur): a datagram captured whole must be exactly a run of records that
    /// each look like DTLS; one cut by the snapshot length must look like DTLS record after record as far as it goes.
    /// </summary>
    public static bool Heuristic(ReadOnlySpan<byte> captured, int reported, int cidLength = 0)
    {
        int length = captured.Length;
        long offset = 0;
        if (reported == length)
        {
            while (offset + 13 <= length && LooksLikeRecord(captured, (int)offset))
            {
                if (captured[(int)offset] == 25) offset += cidLength;
                if (offset + 13 > length) return false; // tshark reads past the datagram here (an exception)
                offset += (captured[(int)offset + 11] << 8 | captured[(int)offset + 12]) + 13;
                if (offset == length) return true;
            }
            return false;
        }
        while (length - offset >= 3)
        {
            if (!LooksLikeRecord(captured, (int)offset)) return false;
            offset += 3;
            if (length - offset < 10) return true; // whatever is there, even three bytes
            offset += (captured[(int)offset + 8] << 8 | captured[(int)offset + 9]) + 10;
            if (offset == length) return true;
        }
        return length >= 3 && offset <= reported;
    }
}
