using System.Text;
using HttpsFlow.Capture;
using HttpsFlow.Decryption;
using HttpsFlow.Pipeline;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tls;

namespace HttpsFlow.Tests.Decryption;

/// <summary>Runs the decryptor over a capture and keeps what it hands out.</summary>
internal sealed class DecryptionRun : IDecryptedSink
{
    public readonly List<(long Frame, bool FromClient, TlsContentType Type, byte[] Plaintext)> Records = [];
    public readonly List<(long Frame, bool FromClient, TlsHandshakeType Type, bool? Verified)> Handshakes = [];
    public TlsDecryptor Decryptor = null!;

    public IReadOnlyList<TlsSession> Sessions => Decryptor.Sessions;

    public void OnPlaintext(in DecryptedRecord record) =>
        Records.Add((record.Frame, record.FromClient, record.ContentType, record.Plaintext.ToArray()));

    public void OnHandshake(in DecryptedHandshake message) =>
        Handshakes.Add((message.Frame, message.FromClient, message.Type, message.FinishedVerified));

    /// <summary>The application data one side sent, concatenated.</summary>
    public string Text(bool fromClient, int session = -1) => Encoding.Latin1.GetString(Records
        .Where(r => r.FromClient == fromClient && r.Type == TlsContentType.ApplicationData)
        .SelectMany(r => r.Plaintext).ToArray());

    /// <summary>Decrypts <paramref name="capture"/> (a path under samples/) with <paramref name="keyLog"/> (a path, or null for none).</summary>
    public static DecryptionRun Of(string capture, string? keyLog)
    {
        var keys = keyLog is null ? new KeyLog() : KeyLog.Load(Path.Combine(Repo.Samples, keyLog));
        return Of(capture, keys);
    }

    public static DecryptionRun Of(string capture, KeyLog keys, IEnumerable<System.Security.Cryptography.RSA>? rsaKeys = null,
        bool verifyFinished = true)
    {
        var run = new DecryptionRun();
        run.Decryptor = new TlsDecryptor(keys) { Sink = run, VerifyFinished = verifyFinished };
        run.Decryptor.RsaKeys.AddRange(rsaKeys ?? []);
        using var reader = CaptureReader.Open(Path.Combine(Repo.Samples, capture));
        run.Decryptor.UseSecretsOf(reader);
        var dissector = new Dissector { TlsObserver = run.Decryptor };
        while (dissector.Next(reader) is not null)
        {
        }
        Assert.Null(reader.Error);
        return run;
    }
}
