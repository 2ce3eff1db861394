using HttpsFlow.Common;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Extensions;
using HttpsFlow.Tls.Handshake;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// Parses bytes as a given message or extension and touches every property and every list, so that a test can
/// show that nothing throws on any input. Returns the parse status.
/// </summary>
internal static class TlsWalk
{
    public static readonly TlsHandshakeType[] MessageTypes =
    [
        TlsHandshakeType.ClientHello, TlsHandshakeType.ServerHello, TlsHandshakeType.Certificate, TlsHandshakeType.ServerKeyExchange,
        TlsHandshakeType.CertificateRequest, TlsHandshakeType.ServerHelloDone, TlsHandshakeType.CertificateVerify,
        TlsHandshakeType.ClientKeyExchange, TlsHandshakeType.Finished, TlsHandshakeType.NewSessionTicket,
        TlsHandshakeType.EncryptedExtensions, TlsHandshakeType.KeyUpdate, TlsHandshakeType.HelloRequest,
        TlsHandshakeType.CertificateStatus, TlsHandshakeType.CompressedCertificate, TlsHandshakeType.EndOfEarlyData,
    ];

    public static ParseStatus Message(TlsHandshakeType type, ReadOnlySpan<byte> body, ushort version, KeyExchangeAlgorithm kex, TlsNotes? notes)
    {
        bool tls13 = version == TlsVersion.Tls13;
        switch (type)
        {
            case TlsHandshakeType.ClientHello:
            {
                var m = ClientHello.Parse(body, notes);
                Touch(m.Random, m.SessionId, m.CompressionMethods);
                foreach (var s in m.CipherSuites) _ = s.IsGrease;
                _ = m.HighestVersion;
                _ = m.ServerName;
                Extensions(m.Extensions, type, notes);
                _ = Ja3.Hash(Ja3.ClientFull(m));
                return m.Status;
            }
            case TlsHandshakeType.ServerHello:
            {
                var m = ServerHello.Parse(body, notes);
                Touch(m.Random, m.SessionId);
                _ = m.SelectedVersion;
                _ = m.IsHelloRetryRequest;
                Extensions(m.Extensions, m.ExtensionContext, notes);
                _ = Ja3.ServerFull(m);
                ServerHello.Scan(body, out _, out _);
                return m.Status;
            }
            case TlsHandshakeType.Certificate:
            {
                var m = Certificate.Parse(body, tls13, notes);
                Touch(m.RequestContext, m.ListBytes);
                foreach (var e in m.Entries)
                {
                    Touch(e.Data);
                    Extensions(e.Extensions, type, notes);
                }
                return m.Status;
            }
            case TlsHandshakeType.ServerKeyExchange:
            {
                var m = ServerKeyExchange.Parse(body, kex, version, notes);
                Touch(m.Point, m.P, m.G, m.Ys, m.Modulus, m.Exponent, m.PskIdentityHint, m.Signature.Signature);
                return m.Status;
            }
            case TlsHandshakeType.CertificateRequest:
            {
                var m = CertificateRequest.Parse(body, version, notes);
                Touch(m.CertificateTypes, m.RequestContext);
                foreach (var s in m.SignatureAlgorithms) _ = s.Hash;
                foreach (var ca in m.CertificateAuthorities) Touch(ca);
                Extensions(m.Extensions, type, notes);
                return m.Status;
            }
            case TlsHandshakeType.CertificateVerify:
            {
                var m = CertificateVerify.Parse(body, version, notes);
                Touch(m.Signature);
                return m.Status;
            }
            case TlsHandshakeType.ClientKeyExchange:
            {
                var m = ClientKeyExchange.Parse(body, kex, version, notes);
                Touch(m.Point, m.Yc, m.EncryptedPreMasterSecret, m.PskIdentity);
                return m.Status;
            }
            case TlsHandshakeType.Finished:
            {
                var m = Finished.Parse(body, version, notes);
                Touch(m.VerifyData, m.Md5Hash, m.ShaHash);
                return m.Status;
            }
            case TlsHandshakeType.NewSessionTicket:
            {
                var m = NewSessionTicket.Parse(body, tls13, notes);
                Touch(m.Nonce, m.Ticket);
                Extensions(m.Extensions, type, notes);
                return m.Status;
            }
            case TlsHandshakeType.EncryptedExtensions:
            {
                var m = EncryptedExtensions.Parse(body, notes);
                Extensions(m.Extensions, type, notes);
                return m.Status;
            }
            case TlsHandshakeType.KeyUpdate:
                return KeyUpdate.Parse(body, notes).Status;
            case TlsHandshakeType.CertificateStatus:
            {
                var m = CertificateStatus.Parse(body, notes);
                foreach (var r in m.Responses) Touch(r);
                Touch(m.OcspResponse);
                return m.Status;
            }
            case TlsHandshakeType.CompressedCertificate:
            {
                var m = CompressedCertificate.Parse(body, notes);
                Touch(m.Compressed);
                return m.Status;
            }
            default:
                return EmptyMessage.Parse(body, type, notes);
        }
    }

    public static void Extensions(ExtensionList list, TlsHandshakeType context, TlsNotes? notes)
    {
        _ = list.Count;
        foreach (var e in list)
        {
            _ = e.IsGrease;
            _ = e.Type.Name;
            Extension(e.Type, e.Data, context, notes);
        }
    }

    public static ParseStatus Extension(ExtensionType type, ReadOnlySpan<byte> data, TlsHandshakeType context, TlsNotes? notes)
    {
        switch (type.Value)
        {
            case 0:
            {
                var x = ServerNameExtension.Parse(data, notes);
                foreach (var n in x) Touch(n.Name);
                _ = x.HostName;
                return x.Status;
            }
            case 1: return MaxFragmentLengthExtension.Parse(data, notes).Status;
            case 5:
            {
                var x = StatusRequestExtension.Parse(data, context, notes);
                foreach (var id in x.ResponderIds) Touch(id);
                Touch(x.RequestExtensions, x.ResponseBytes);
                return x.Status;
            }
            case 10:
            {
                var x = SupportedGroupsExtension.Parse(data, notes);
                foreach (var g in x.Groups) _ = g.Name;
                return x.Status;
            }
            case 11: return EcPointFormatsExtension.Parse(data, notes).Status;
            case 13 or 50:
            {
                var x = SignatureAlgorithmsExtension.Parse(data, notes);
                foreach (var s in x.Algorithms) _ = s.Name;
                return x.Status;
            }
            case 16:
            {
                var x = AlpnExtension.Parse(data, notes);
                _ = x.ProtocolNames();
                return x.Status;
            }
            case 18:
            {
                var x = SignedCertificateTimestampExtension.Parse(data, context, notes);
                foreach (var sct in x.Timestamps)
                {
                    var s = SignedCertificateTimestamp.Parse(sct, TlsVersion.Tls12, notes);
                    Touch(s.LogId, s.Extensions, s.Signature.Signature);
                }
                return x.Status;
            }
            case 21: return PaddingExtension.Parse(data, notes).Status;
            case 22 or 23 or 49: return EmptyExtension.Parse(data, notes);
            case 27:
            {
                var x = CompressCertificateExtension.Parse(data, notes);
                foreach (ushort a in x.Algorithms) _ = a;
                return x.Status;
            }
            case 28: return RecordSizeLimitExtension.Parse(data, notes).Status;
            case 35: return SessionTicketExtension.Parse(data).Status;
            case 41:
            {
                var x = PreSharedKeyExtension.Parse(data, context, notes);
                foreach (var id in x.Identities) Touch(id.Identity);
                foreach (var b in x.Binders) Touch(b);
                return x.Status;
            }
            case 42: return EarlyDataExtension.Parse(data, context, notes).Status;
            case 43:
            {
                var x = SupportedVersionsExtension.Parse(data, context, notes);
                foreach (ushort v in x.Versions) _ = TlsNames.VersionName(v);
                return x.Status;
            }
            case 44: return CookieExtension.Parse(data, notes).Status;
            case 45: return PskKeyExchangeModesExtension.Parse(data, notes).Status;
            case 51:
            {
                var x = KeyShareExtension.Parse(data, context, notes);
                foreach (var s in x.ClientShares) Touch(s.KeyExchange);
                Touch(x.ServerShare.KeyExchange);
                return x.Status;
            }
            case 0xfe0d: return EncryptedClientHelloExtension.Parse(data).Status;
            case 0xff01: return RenegotiationInfoExtension.Parse(data, notes).Status;
            default: return ParseStatus.Ok;
        }
    }

    private static int s_sink;

    private static void Touch(ReadOnlySpan<byte> a) => s_sink += a.Length;

    private static void Touch(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => s_sink += a.Length + b.Length;

    private static void Touch(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c) => s_sink += a.Length + b.Length + c.Length;

    private static void Touch(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, ReadOnlySpan<byte> d) =>
        s_sink += a.Length + b.Length + c.Length + d.Length;

    private static void Touch(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, ReadOnlySpan<byte> d,
        ReadOnlySpan<byte> e, ReadOnlySpan<byte> f, ReadOnlySpan<byte> g, ReadOnlySpan<byte> h) =>
        s_sink += a.Length + b.Length + c.Length + d.Length + e.Length + f.Length + g.Length + h.Length;
}

/// <summary>Handshake messages taken from the sample captures by the record parser and reassembler.</summary>
internal static class SampleMessages
{
    public static byte[] Body(SamplePayload[] capture, bool fromClient, TlsHandshakeType type, int index = 0)
    {
        var d = new DirectionDriver();
        ulong offset = 0;
        foreach (var p in capture.Where(p => p.FromClient == fromClient))
        {
            d.Parser.Feed(p.Bytes, offset, p.Frame);
            offset += (ulong)p.Bytes.Length;
        }
        return d.Handshakes.Events.Where(e => e.Kind == HandshakeEventKind.Message && e.Type == type).ElementAt(index).Body;
    }
}
