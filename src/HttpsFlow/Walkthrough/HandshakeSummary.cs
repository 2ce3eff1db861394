using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using HttpsFlow.Common;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Registry;
using HttpsFlow.X509;

namespace HttpsFlow.Walkthrough;

/// <summary>
/// One TLS connection as a row with the fields of Zeek's ssl.log (same names, same spellings) and a few more:
/// fingerprints, timing and decryption status. Absent values are null (Zeek's "-").
/// </summary>
public sealed class HandshakeRow
{
    public required int Stream { get; init; }
    /// <summary>When the first TLS record was seen.</summary>
    public required Timestamp Ts { get; init; }
    /// <summary>A stable connection id: see <see cref="HandshakeSummary.Uid"/>.</summary>
    public required string Uid { get; init; }
    public required string OrigH { get; init; }
    public required ushort OrigP { get; init; }
    public required string RespH { get; init; }
    public required ushort RespP { get; init; }
    public string? Version { get; init; }
    public string? Cipher { get; init; }
    public string? Curve { get; init; }
    public string? ServerName { get; init; }
    public bool Resumed { get; init; }
    public string? LastAlert { get; init; }
    public string? NextProtocol { get; init; }
    public bool Established { get; init; }
    public string SslHistory { get; init; } = "";
    /// <summary>SHA-256 of each server certificate, in the order sent (lower-case hex, as Zeek); empty when only the
    /// client sent certificates, null when neither did.</summary>
    public IReadOnlyList<string>? CertChainFps { get; init; }
    public IReadOnlyList<string>? ClientCertChainFps { get; init; }
    /// <summary>The server leaf's subject and issuer (RFC 4514).</summary>
    public string? Subject { get; init; }
    public string? Issuer { get; init; }
    public string? ClientSubject { get; init; }
    public string? ClientIssuer { get; init; }
    /// <summary>The chain's validation in OpenSSL's (and Zeek's) words: "ok", "certificate has expired", …</summary>
    public string? ValidationStatus { get; init; }
    /// <summary>Our sentence for what is wrong with the chain (null when it is valid or absent).</summary>
    public string? ValidationReason { get; init; }
    public string? Ja3 { get; init; }
    public string? Ja3s { get; init; }
    public string? Ja4 { get; init; }
    public Duration? TcpRtt { get; init; }
    public Duration? HandshakeTime { get; init; }
    public Duration? TimeToFirstByte { get; init; }
    public string Decryption { get; init; } = HandshakeSummary.NotDecrypted;
}

/// <summary>Builds <see cref="HandshakeRow"/>s from recorded connections.</summary>
public sealed class HandshakeSummary(IReadOnlyList<Certificate>? trustAnchors)
{
    public const string NotDecrypted = "not decrypted: no key log";

    private readonly Dictionary<string, ChainValidationResult> _validations = new(StringComparer.Ordinal);

    public HandshakeRow Build(TlsConnection c)
    {
        var ch = c.ClientHello;
        var sh = c.ServerHello;
        var timing = Narrator.ComputeTiming(c);
        var serverChain = c.ServerCertificates?.Chain;
        var clientChain = c.ClientCertificates?.Chain;
        bool anyChain = serverChain is { Count: > 0 } || clientChain is { Count: > 0 };
        var leaf = serverChain is { Count: > 0 } ? serverChain[0] : null;
        var clientLeaf = clientChain is { Count: > 0 } ? clientChain[0] : null;
        var validation = serverChain is { Count: > 0 } ? Validate(c, serverChain) : null;
        return new HandshakeRow
        {
            Stream = c.Stream, Ts = c.FirstTlsTime, Uid = Uid(c),
            OrigH = c.ClientAddress.ToString(), OrigP = c.ClientPort, RespH = c.ServerAddress.ToString(), RespP = c.ServerPort,
            Version = sh is null ? null : ZeekVersion(sh.Version),
            Cipher = sh is null ? null : CipherSuites.IanaName(sh.CipherSuite) ?? $"unknown-{sh.CipherSuite}",
            Curve = Curve(c),
            ServerName = ch?.ServerName,
            Resumed = Resumed(c),
            LastAlert = c.Zeek.LastAlert is { } a ? AlertDescriptions.IanaName(a) ?? $"unknown-{a}" : null,
            NextProtocol = sh?.Alpn,
            Established = c.Zeek.Established,
            SslHistory = c.Zeek.History,
            // As Zeek: once either side sent certificates in the clear both lists exist (an empty one is "(empty)").
            CertChainFps = anyChain ? [.. (serverChain ?? []).Select(Fingerprint)] : null,
            ClientCertChainFps = anyChain ? [.. (clientChain ?? []).Select(Fingerprint)] : null,
            Subject = leaf?.Subject?.ToString(), Issuer = leaf?.Issuer?.ToString(),
            ClientSubject = clientLeaf?.Subject?.ToString(), ClientIssuer = clientLeaf?.Issuer?.ToString(),
            ValidationStatus = validation is null ? null : OpenSslStatus(validation),
            ValidationReason = validation?.Reason,
            Ja3 = NullIfEmpty(ch?.Ja3), Ja3s = NullIfEmpty(sh?.Ja3s), Ja4 = NullIfEmpty(ch?.Ja4),
            TcpRtt = timing.TcpRoundTrip, HandshakeTime = timing.TlsHandshake, TimeToFirstByte = timing.TimeToFirstApplicationData,
        };
    }

    /// <summary>The chain validated at the connection's start (cached per chain: a capture repeats chains).</summary>
    public ChainValidationResult Validate(TlsConnection c, IReadOnlyList<Certificate> chain)
    {
        string key = string.Join(',', chain.Select(Fingerprint));
        if (!_validations.TryGetValue(key, out var result))
        {
            result = ChainValidator.Validate(chain, c.Start.ToDateTimeOffset(), trustAnchors);
            _validations[key] = result;
        }
        return result;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>SHA-256 of a certificate's DER in lower-case hex, as Zeek's cert_chain_fps.</summary>
    public static string Fingerprint(Certificate c) => Convert.ToHexStringLower(c.Sha256Fingerprint);

    /// <summary>
    /// A stable id for a connection, in Zeek's shape ("C" and 17 base-62 characters) but not Zeek's value (Zeek's are
    /// random): the first 12 bytes of SHA-256 over "tcp client-address client-port server-address server-port
    /// start-seconds.nanoseconds" (the connection's first segment), as a base-62 number, padded with '0'.
    /// </summary>
    public static string Uid(TlsConnection c)
    {
        string key = string.Create(CultureInfo.InvariantCulture,
            $"tcp {c.ClientAddress} {c.ClientPort} {c.ServerAddress} {c.ServerPort} {c.Start.Seconds}.{c.Start.Nanoseconds:D9}");
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        var n = new BigInteger(hash.AsSpan(0, 12), isUnsigned: true, isBigEndian: true);
        const string digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        var sb = new StringBuilder();
        while (n > 0)
        {
            sb.Insert(0, digits[(int)(n % 62)]);
            n /= 62;
        }
        return "C" + sb.ToString().PadLeft(17, '0');
    }

    /// <summary>A version as Zeek spells it: SSLv3, TLSv10 … TLSv13, DTLSv10, TLSv13-draft23, unknown-N.</summary>
    public static string ZeekVersion(ushort v) => v switch
    {
        TlsVersion.Ssl2 => "SSLv2",
        TlsVersion.Ssl3 => "SSLv3",
        TlsVersion.Tls10 => "TLSv10",
        TlsVersion.Tls11 => "TLSv11",
        TlsVersion.Tls12 => "TLSv12",
        TlsVersion.Tls13 => "TLSv13",
        0xfeff => "DTLSv10",
        0xfefd => "DTLSv12",
        0xfefc => "DTLSv13",
        _ when (v & 0xff00) == 0x7f00 => $"TLSv13-draft{v & 0xff}",
        _ => $"unknown-{v}",
    };

    /// <summary>The group of the key exchange: the ServerKeyExchange's named curve, else the server's key share.</summary>
    private static string? Curve(TlsConnection c)
    {
        ushort group = c.ServerKeyExchange is { NamedCurve: > 0 } ske ? ske.NamedCurve
            : c.ServerHello is { KeyShareGroup: > 0 } sh ? sh.KeyShareGroup : (ushort)0;
        if (group == 0) return null;
        return NamedGroups.IanaName(group) ?? $"unknown-{group}";
    }

    /// <summary>
    /// Zeek's resumed: the server echoed the client's (non-empty, not all-zero) session id below TLS 1.3; or the client
    /// offered a session ticket with no session id and sent ChangeCipherSpec before any ClientKeyExchange; or the
    /// client offered a pre-shared key and the server accepted one.
    /// </summary>
    public static bool Resumed(TlsConnection c)
    {
        if (c.ClientHello is not { } ch) return false;
        bool realSessionId = ch.SessionId.Length > 0 && ch.SessionId.AsSpan().ContainsAnyExcept((byte)0) || ch.SessionId.Length is > 0 and not 32;
        if (c.ServerHello is { } sh)
        {
            bool tls13 = sh.Version == TlsVersion.Tls13 || (sh.Version & 0xff00) == 0x7f00;
            if (realSessionId && !tls13 && ch.SessionId.AsSpan().SequenceEqual(sh.SessionId)) return true;
            if (ch.OffersPsk && sh.HasPsk) return true;
        }
        return ch.TicketLength > 0 && !realSessionId && c.Zeek.ClientCcsWithoutKeyExchange;
    }

    /// <summary>The validation outcome in OpenSSL's words (X509_verify_cert_error_string), which Zeek logs.</summary>
    public static string OpenSslStatus(ChainValidationResult r) => r.Status switch
    {
        ChainStatus.Valid => "ok",
        ChainStatus.Expired => "certificate has expired",
        ChainStatus.NotYetValid => "certificate is not yet valid",
        ChainStatus.SelfSigned => "self signed certificate",
        ChainStatus.UnknownIssuer when r.Chain.Top?.IsSelfIssued == true => "self signed certificate in certificate chain",
        ChainStatus.UnknownIssuer or ChainStatus.IncompleteChain => "unable to get local issuer certificate",
        ChainStatus.SignatureMismatch => "certificate signature failure",
        ChainStatus.NotCertificateAuthority => "invalid CA certificate",
        ChainStatus.UnhandledCriticalExtension => "unhandled critical extension",
        ChainStatus.NameMismatch => "hostname mismatch",
        ChainStatus.UnsupportedAlgorithm => "unsupported signature algorithm",
        _ => "unable to decode certificate",
    };
}
