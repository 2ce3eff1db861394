using System.Formats.Asn1;
using HttpsFlow.Common;

namespace HttpsFlow.X509;

/// <summary>One Signed Certificate Timestamp (RFC 6962 §3.2).</summary>
/// <param name="Version">sct_version: 0 is v1; later versions are kept with only this field read.</param>
/// <param name="LogId">The log's ID: SHA-256 of its public key.</param>
/// <param name="TimestampMilliseconds">Milliseconds since the Unix epoch.</param>
/// <param name="Extensions">CtExtensions, raw.</param>
/// <param name="HashAlgorithm">The TLS HashAlgorithm of the signature (4 = SHA-256).</param>
/// <param name="SignatureAlgorithm">The TLS SignatureAlgorithm (1 = RSA, 3 = ECDSA).</param>
/// <param name="Signature">The signature, raw.</param>
/// <param name="Range">The SerializedSCT, in the certificate's DER.</param>
public sealed record SignedCertificateTimestamp(
    int Version,
    ReadOnlyMemory<byte> LogId,
    ulong TimestampMilliseconds,
    ReadOnlyMemory<byte> Extensions,
    byte HashAlgorithm,
    byte SignatureAlgorithm,
    ReadOnlyMemory<byte> Signature,
    ByteRange Range)
{
    /// <summary>The timestamp as an instant (UTC).</summary>
    public DateTimeOffset Timestamp => TimestampMilliseconds <= 253402300799999UL
        ? DateTimeOffset.FromUnixTimeMilliseconds((long)TimestampMilliseconds)
        : DateTimeOffset.MaxValue;

    /// <summary>The log ID in lower-case hex, as tshark's <c>tls.sct.sct_logid</c>.</summary>
    public string LogIdHex => Convert.ToHexStringLower(LogId.Span);
}

/// <summary>
/// The embedded SCT list (RFC 6962 §3.3, OID 1.3.6.1.4.1.11129.2.4.2): an OCTET STRING holding the TLS-encoded
/// <code>
/// opaque SerializedSCT&lt;1..2^16-1&gt;;
/// struct { SerializedSCT sct_list &lt;1..2^16-1&gt;; } SignedCertificateTimestampList;
/// struct {
///     Version sct_version;                     -- uint8, v1(0)
///     LogID id;                                -- opaque key_id[32]
///     uint64 timestamp;
///     CtExtensions extensions;                 -- opaque &lt;0..2^16-1&gt;
///     digitally-signed struct { … };           -- hash(1) signature(1) opaque signature&lt;0..2^16-1&gt;
/// } SignedCertificateTimestamp;
/// </code>
/// </summary>
public sealed class SctListExtension : ParsedExtension
{
    internal SctListExtension(IReadOnlyList<SignedCertificateTimestamp> timestamps) => Timestamps = timestamps;

    public IReadOnlyList<SignedCertificateTimestamp> Timestamps { get; }

    public int Count => Timestamps.Count;

    public override string ToString() => $"{Count} SCT{(Count == 1 ? "" : "s")}";

    internal static ParsedExtension? Parse(ref ValueReader r)
    {
        if (!r.Read("SignedCertificateTimestampList", Asn1Tag.PrimitiveOctetString, out var tlv)) return null;
        if (!r.ExpectEnd("SignedCertificateTimestampList")) return null;
        var result = SignedCertificateTimestamps.ReadList(tlv.Content(r.Der), tlv.ContentOffset, r.Problem);
        if (r.Problem.Failed) return null;
        return new SctListExtension(result);
    }
}

/// <summary>
/// Reads a TLS-encoded SignedCertificateTimestampList (RFC 6962 §3.3), as the certificate extension's OCTET STRING
/// and the TLS signed_certificate_timestamp extension (RFC 6962 §3.3.1, RFC 8446 §4.4.2) both carry it.
/// </summary>
public static class SignedCertificateTimestamps
{
    /// <summary>The SCTs of <paramref name="list"/> (with its two-byte length), in order; when the bytes go wrong, those
    /// before the problem. Never throws.</summary>
    public static IReadOnlyList<SignedCertificateTimestamp> ReadList(ReadOnlySpan<byte> list) => ReadList(list, 0, null);

    /// <summary>As <see cref="ReadList(ReadOnlySpan{byte})"/>, with the problem recorded in <paramref name="problem"/> and
    /// ranges offset by <paramref name="baseOffset"/>.</summary>
    internal static List<SignedCertificateTimestamp> ReadList(ReadOnlySpan<byte> bytes, int baseOffset, ReadProblem? problem)
    {
        var result = new List<SignedCertificateTimestamp>();
        var whole = new ByteRange(baseOffset, bytes.Length);
        var list = new WireReader(bytes);
        if (!list.TryReadVector16(out var scts))
        {
            problem?.Fail("SignedCertificateTimestampList: the list's length runs past the value", whole);
            return result;
        }
        if (!list.IsEmpty)
        {
            problem?.Fail($"SignedCertificateTimestampList: {list.Remaining} bytes after the list", whole);
            return result;
        }
        while (!scts.IsEmpty)
        {
            int at = baseOffset + 2 + scts.Position;
            if (!scts.TryReadVector16(out var sct))
            {
                problem?.Fail("SerializedSCT: its length runs past the list", new ByteRange(at, Math.Min(2, scts.Remaining)));
                return result;
            }
            var range = new ByteRange(at, 2 + sct.Remaining);
            if (!sct.TryReadUInt8(out byte version))
            {
                problem?.Fail("SerializedSCT is empty", range);
                return result;
            }
            if (version != 0)
            {
                result.Add(new SignedCertificateTimestamp(version, ReadOnlyMemory<byte>.Empty, 0, ReadOnlyMemory<byte>.Empty, 0, 0,
                    ReadOnlyMemory<byte>.Empty, range));
                continue;
            }
            if (!sct.TryReadBytes(32, out var logId) || !sct.TryReadUInt32(out uint high) || !sct.TryReadUInt32(out uint low)
                || !sct.TryReadVector16(out var extensions) || !sct.TryReadUInt8(out byte hash) || !sct.TryReadUInt8(out byte sig)
                || !sct.TryReadVector16(out var signature))
            {
                problem?.Fail("SignedCertificateTimestamp is cut short", range);
                return result;
            }
            if (!sct.IsEmpty)
            {
                problem?.Fail($"SignedCertificateTimestamp: {sct.Remaining} bytes after the signature", range);
                return result;
            }
            result.Add(new SignedCertificateTimestamp(version, logId.ToArray(), (ulong)high << 32 | low, extensions.Rest.ToArray(),
                hash, sig, signature.Rest.ToArray(), range));
        }
        return result;
    }
}
