using HttpsFlow.Common;

namespace HttpsFlow.Tls.Records;

/// <summary>What the first bytes of a direction's stream say about TLS.</summary>
public enum TlsSniffResult : byte
{
    /// <summary>Too few bytes to tell; nothing seen so far rules TLS out.</summary>
    NeedMoreData,
    NotTls,
    /// <summary>An SSL 3.0 / TLS record header.</summary>
    Tls,
    /// <summary>An SSL 2.0-compatible ClientHello (RFC 5246 Appendix E.2).</summary>
    Ssl2ClientHello,
}

/// <summary>
/// Recognises TLS by content rather than by port. <see cref="Sniff"/> with <c>strict</c> is tshark's heuristic
/// (its "tls_tcp" heuristic dissector, enabled by default): a handshake or application-data record header with a
/// version from SSL 3.0 to TLS 1.2 (TLS 1.3 records carry 0x0301–0x0303 too) and a length from 1 to 2^14+2047, or
/// an SSL 2.0-compatible ClientHello. The broad form accepts any content type from 20 to 24 and any plausible
/// version (0x0300–0x0304, GM/T 0x0101, TLS 1.3 drafts 0x7fxx, DTLS 0xfeff/0xfefd).
/// The per-record tests (<see cref="LooksLikeTlsRecord"/>, <see cref="LooksLikeSsl2Record"/>,
/// <see cref="IsSsl2ClientHello"/>) are the ones tshark applies to each record once a stream is TLS.
/// </summary>
public static class TlsSniffer
{
    /// <summary>Bytes an SSL 2.0 ClientHello needs at least (11 of header and lengths, 3 of cipher specs, 32 of challenge).</summary>
    public const int Ssl2ClientHelloMinLength = 46;

    /// <summary>Classifies the first bytes of a direction's stream.</summary>
    public static TlsSniffResult Sniff(ReadOnlySpan<byte> data, bool strict = true)
    {
        if (data.IsEmpty) return TlsSniffResult.NeedMoreData;
        var r = new WireReader(data);
        r.TryReadUInt8(out byte first);
        if (first == 0x80) return strict ? SniffSsl2(data) : SniffSsl2Record(data);
        bool typeOk = strict ? first is 22 or 23 : first is >= 20 and <= 24;
        if (!typeOk) return TlsSniffResult.NotTls;
        if (!r.TryReadUInt8(out byte major)) return TlsSniffResult.NeedMoreData;
        if (!r.TryReadUInt8(out byte minor))
        {
            bool majorOk = strict ? major is 3 or 1 : major is 3 or 1 or 0x7f or 0xfe;
            return majorOk ? TlsSniffResult.NeedMoreData : TlsSniffResult.NotTls;
        }
        ushort version = (ushort)(major << 8 | minor);
        if (!(strict ? IsTsharkRecordVersion(version) : IsPlausibleVersion(version))) return TlsSniffResult.NotTls;
        if (!r.TryReadUInt16(out ushort length)) return TlsSniffResult.NeedMoreData;
        return length != 0 && length < TlsRecordHeader.MaxCiphertextLength ? TlsSniffResult.Tls : TlsSniffResult.NotTls;
    }

    private static TlsSniffResult SniffSsl2(ReadOnlySpan<byte> data)
    {
        // RFC 5246 Appendix E.2: msg_length (high bit set, < 256 in practice), msg_type 1, version, then
        // cipher_spec_length (non-zero multiple of 3), session_id_length (0 or 16), challenge_length (32).
        var r = new WireReader(data);
        r.TrySkip(2);
        if (r.TryReadUInt8(out byte type) && type != 1) return TlsSniffResult.NotTls;
        if (data.Length < Ssl2ClientHelloMinLength) return TlsSniffResult.NeedMoreData;
        r.TrySkip(2);
        r.TryReadUInt16(out ushort cipherSpecLength);
        r.TryReadUInt16(out ushort sessionIdLength);
        r.TryReadUInt16(out ushort challengeLength);
        if (cipherSpecLength == 0 || cipherSpecLength % 3 != 0) return TlsSniffResult.NotTls;
        if (sessionIdLength != 0 && sessionIdLength != 16) return TlsSniffResult.NotTls;
        return challengeLength == 32 ? TlsSniffResult.Ssl2ClientHello : TlsSniffResult.NotTls;
    }

    /// <summary>
    /// On a TLS port tshark's TLS dissector reads a first record it knows no version for as SSL 2.0 when it looks like
    /// one (<see cref="LooksLikeSsl2Record"/>), whatever its lengths: an SSL 2.0 ClientHello with a 16-byte challenge
    /// is TLS there, though the heuristic would not take it.
    /// </summary>
    private static TlsSniffResult SniffSsl2Record(ReadOnlySpan<byte> data)
    {
        if (data.Length < 3) return TlsSniffResult.NeedMoreData;
        if (!LooksLikeSsl2Record(data)) return TlsSniffResult.NotTls;
        return IsSsl2ClientHello(data) ? TlsSniffResult.Ssl2ClientHello : TlsSniffResult.Tls;
    }

    /// <summary>The record versions tshark's heuristics accept: SSL 3.0, TLS 1.0–1.2 and GM/T.</summary>
    public static bool IsTsharkRecordVersion(ushort version) =>
        version is TlsVersion.Ssl3 or TlsVersion.Tls10 or TlsVersion.Tls11 or TlsVersion.Tls12 or TlsVersion.GmTls;

    /// <summary>Any version a TLS-family record could plausibly carry.</summary>
    public static bool IsPlausibleVersion(ushort version) =>
        version is >= TlsVersion.Ssl3 and <= TlsVersion.Tls13 or TlsVersion.GmTls or TlsVersion.Dtls10 or TlsVersion.Dtls12
        || TlsVersion.Tls13Draft(version) != 0;

    /// <summary>ssl_looks_like_sslv3: a known content type (20–25) and a tshark record version. Needs 3 bytes.</summary>
    public static bool LooksLikeTlsRecord(ReadOnlySpan<byte> data)
    {
        var r = new WireReader(data);
        return r.TryReadUInt8(out byte type) && TlsNames.IsKnownContentType(type)
            && r.TryReadUInt16(out ushort version) && IsTsharkRecordVersion(version);
    }

    /// <summary>
    /// ssl_looks_like_sslv2: the first byte has its high bit set and the third is a clear-text SSL 2.0 message type
    /// (error, client hello, client master key, server hello). Needs 3 bytes.
    /// </summary>
    public static bool LooksLikeSsl2Record(ReadOnlySpan<byte> data)
    {
        var r = new WireReader(data);
        return r.TryReadUInt8(out byte first) && first >= 0x80 && r.TrySkip(1)
            && r.TryReadUInt8(out byte type) && type is 0 or 1 or 2 or 4;
    }

    /// <summary>ssl_is_v2_client_hello: 0x80, any byte, message type 1. Needs 3 bytes.</summary>
    public static bool IsSsl2ClientHello(ReadOnlySpan<byte> data)
    {
        var r = new WireReader(data);
        return r.TryReadUInt8(out byte first) && first == 0x80 && r.TrySkip(1) && r.TryReadUInt8(out byte type) && type == 1;
    }

    /// <summary>
    /// ssl_looks_like_valid_v2_handshake: SSL 2.0 record data (from msg_type on) that can be a clear-text message —
    /// a client hello or server hello carrying a known version, or a client master key whose three lengths fit in
    /// the data. Other types (which travel encrypted) never look valid.
    /// </summary>
    public static bool LooksLikeClearSsl2Handshake(ReadOnlySpan<byte> data)
    {
        var r = new WireReader(data);
        if (!r.TryReadUInt8(out byte type)) return false;
        switch (type)
        {
            case 1:
                return r.TryReadUInt16(out ushort clientVersion) && TlsNames.VersionName(clientVersion) is not null;
            case 4:
                return r.TrySkip(2) && r.TryReadUInt16(out ushort serverVersion) && TlsNames.VersionName(serverVersion) is not null;
            case 2:
                return r.TrySkip(3) && r.TryReadUInt16(out ushort clear) && r.TryReadUInt16(out ushort encrypted)
                    && r.TryReadUInt16(out ushort keyArg) && clear + encrypted + keyArg <= data.Length;
            default:
                return false;
        }
    }

    /// <summary>
    /// True when more than four bytes are given and the first four are printable ASCII: tshark then takes the
    /// segment for clear text and not TLS at all ("extremely unlikely that real TLS traffic starts with four
    /// printable ascii characters").
    /// </summary>
    public static bool StartsWithPrintableText(ReadOnlySpan<byte> data)
    {
        if (data.Length <= 4) return false;
        var r = new WireReader(data);
        for (int i = 0; i < 4; i++)
        {
            r.TryReadUInt8(out byte b);
            if (b is < 0x20 or > 0x7e) return false;
        }
        return true;
    }
}
