using HttpsFlow.Common;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Handshake;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// No parser throws, whatever it is given: every prefix of every real message, every real message with bytes
/// changed at random, and random bytes, under every message type, version and key exchange. A message cut short is
/// reported (a note or a Malformed status), except where a shorter message is itself valid.
/// </summary>
public class TlsRobustnessTests
{
    private static readonly ushort[] Versions = [TlsVersion.Ssl3, TlsVersion.Tls10, TlsVersion.Tls12, TlsVersion.Tls13];

    private static readonly KeyExchangeAlgorithm[] Kexes = Enum.GetValues<KeyExchangeAlgorithm>();

    /// <summary>Real messages: (name, type, version, key exchange, body).</summary>
    public static IEnumerable<(string Name, TlsHandshakeType Type, ushort Version, KeyExchangeAlgorithm Kex, byte[] Body)> RealMessages()
    {
        yield return ("curl ClientHello", TlsHandshakeType.ClientHello, TlsVersion.Tls12, KeyExchangeAlgorithm.Unknown,
            SampleMessages.Body(TlsSamples.Tls12, true, TlsHandshakeType.ClientHello));
        yield return ("nginx ServerHello", TlsHandshakeType.ServerHello, TlsVersion.Tls12, KeyExchangeAlgorithm.Unknown,
            SampleMessages.Body(TlsSamples.Tls12, false, TlsHandshakeType.ServerHello));
        yield return ("nginx Certificate", TlsHandshakeType.Certificate, TlsVersion.Tls12, KeyExchangeAlgorithm.Unknown,
            SampleMessages.Body(TlsSamples.Tls12, false, TlsHandshakeType.Certificate));
        yield return ("nginx ServerKeyExchange", TlsHandshakeType.ServerKeyExchange, TlsVersion.Tls12, KeyExchangeAlgorithm.Ecdhe,
            SampleMessages.Body(TlsSamples.Tls12, false, TlsHandshakeType.ServerKeyExchange));
        yield return ("curl ClientKeyExchange", TlsHandshakeType.ClientKeyExchange, TlsVersion.Tls12, KeyExchangeAlgorithm.Ecdhe,
            SampleMessages.Body(TlsSamples.Tls12, true, TlsHandshakeType.ClientKeyExchange));
        yield return ("nginx NewSessionTicket", TlsHandshakeType.NewSessionTicket, TlsVersion.Tls12, KeyExchangeAlgorithm.Unknown,
            SampleMessages.Body(TlsSamples.Tls12, false, TlsHandshakeType.NewSessionTicket));
        yield return ("openssl ClientHello", TlsHandshakeType.ClientHello, TlsVersion.Tls13, KeyExchangeAlgorithm.Unknown,
            SampleMessages.Body(TlsSamples.Tls13, true, TlsHandshakeType.ClientHello));
        yield return ("openssl ServerHello", TlsHandshakeType.ServerHello, TlsVersion.Tls13, KeyExchangeAlgorithm.Unknown,
            SampleMessages.Body(TlsSamples.Tls13, false, TlsHandshakeType.ServerHello));
        foreach (var (name, hex, type) in new[]
        {
            ("RFC 8448 ClientHello", Rfc8448.ClientHello, TlsHandshakeType.ClientHello),
            ("RFC 8448 ServerHello", Rfc8448.ServerHello, TlsHandshakeType.ServerHello),
            ("RFC 8448 EncryptedExtensions", Rfc8448.EncryptedExtensions, TlsHandshakeType.EncryptedExtensions),
            ("RFC 8448 Certificate", Rfc8448.Certificate, TlsHandshakeType.Certificate),
            ("RFC 8448 CertificateVerify", Rfc8448.CertificateVerify, TlsHandshakeType.CertificateVerify),
            ("RFC 8448 NewSessionTicket", Rfc8448.NewSessionTicket, TlsHandshakeType.NewSessionTicket),
            ("RFC 8448 resumed ClientHello", Rfc8448.ResumedClientHello, TlsHandshakeType.ClientHello),
            ("RFC 8448 resumed ServerHello", Rfc8448.ResumedServerHello, TlsHandshakeType.ServerHello),
            ("RFC 8448 HelloRetryRequest", Rfc8448.HelloRetryRequest, TlsHandshakeType.ServerHello),
            ("RFC 8448 first ClientHello", Rfc8448.RetryClientHello1, TlsHandshakeType.ClientHello),
        })
            yield return (name, type, TlsVersion.Tls13, KeyExchangeAlgorithm.Unknown, Rfc8448.Bytes(hex)[4..]);
    }

    [Fact]
    public void RealMessagesParseCleanly()
    {
        foreach (var (name, type, version, kex, body) in RealMessages())
        {
            var notes = new TlsNotes();
            Assert.True(ParseStatus.Ok == TlsWalk.Message(type, body, version, kex, notes), name);
            Assert.True(notes.Count == 0, $"{name}: {notes}");
        }
    }

    [Fact]
    public void EveryPrefixOfARealMessageIsReported()
    {
        foreach (var (name, type, version, kex, body) in RealMessages())
        {
            int silent = 0;
            for (int n = 0; n < body.Length; n++)
            {
                var notes = new TlsNotes();
                var status = TlsWalk.Message(type, body.AsSpan(0, n), version, kex, notes);
                if (status == ParseStatus.Ok && notes.Count == 0) silent++;
            }
            // A hello cut right after its compression methods is a valid hello without extensions (RFC 5246 §7.4.1.2).
            int allowed = type is TlsHandshakeType.ClientHello or TlsHandshakeType.ServerHello ? 1 : 0;
            Assert.True(silent <= allowed, $"{name}: {silent} prefixes parsed without a note");
        }
    }

    [Fact]
    public void RealMessagesWithBytesChangedNeverThrow()
    {
        var random = new Random(8448);
        foreach (var (_, type, version, kex, original) in RealMessages())
        {
            for (int round = 0; round < 150; round++)
            {
                var body = (byte[])original.Clone();
                int changes = random.Next(1, 6);
                for (int i = 0; i < changes && body.Length > 0; i++)
                    body[random.Next(body.Length)] = (byte)(random.Next(3) == 0 ? 0xff : random.Next(256));
                TlsWalk.Message(type, body, version, kex, new TlsNotes());
                // The same bytes read as any other message must not throw either.
                var other = TlsWalk.MessageTypes[random.Next(TlsWalk.MessageTypes.Length)];
                TlsWalk.Message(other, body, Versions[random.Next(Versions.Length)], Kexes[random.Next(Kexes.Length)], new TlsNotes());
            }
        }
    }

    [Fact]
    public void RandomBytesUnderEveryMessageTypeNeverThrow()
    {
        var random = new Random(5246);
        for (int round = 0; round < 400; round++)
        {
            var body = new byte[random.Next(0, 120)];
            random.NextBytes(body);
            foreach (var type in TlsWalk.MessageTypes)
                TlsWalk.Message(type, body, Versions[round % Versions.Length], Kexes[round % Kexes.Length], null);
        }
    }

    [Fact]
    public void RandomBytesUnderEveryExtensionAndContextNeverThrow()
    {
        ushort[] types = [0, 1, 5, 10, 11, 13, 16, 18, 21, 22, 23, 27, 28, 35, 41, 42, 43, 44, 45, 49, 50, 51, 0xfe0d, 0xff01, 0x1234];
        TlsHandshakeType[] contexts =
        [
            TlsHandshakeType.ClientHello, TlsHandshakeType.ServerHello, TlsHandshakeType.HelloRetryRequest,
            TlsHandshakeType.EncryptedExtensions, TlsHandshakeType.Certificate, TlsHandshakeType.CertificateRequest,
            TlsHandshakeType.NewSessionTicket,
        ];
        var random = new Random(8701);
        for (int round = 0; round < 500; round++)
        {
            var data = new byte[random.Next(0, 40)];
            random.NextBytes(data);
            if (data.Length > 2 && random.Next(2) == 0)
            {
                data[0] = 0;
                data[1] = (byte)random.Next(0, data.Length + 2);
            }
            foreach (ushort type in types)
                foreach (var context in contexts)
                    TlsWalk.Extension(new ExtensionType(type), data, context, new TlsNotes());
        }
    }
}
