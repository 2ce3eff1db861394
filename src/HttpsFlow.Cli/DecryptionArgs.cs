using System.CommandLine;
using System.Security.Cryptography;
using HttpsFlow.Capture;
using HttpsFlow.Decryption;
using HttpsFlow.Http;
using HttpsFlow.Pipeline;

namespace HttpsFlow.Cli;

/// <summary>
/// The --keylog and --rsa-key options of the packet views (list, fields, json, show), and the decryption they set up:
/// with a key (or a Decryption Secrets Block in a pcapng, which tshark always uses) the list names what the encrypted
/// records hold, as tshark does with the same keys.
/// </summary>
internal sealed class DecryptionArgs
{
    public readonly Option<string?> KeyLog = new("--keylog")
    {
        Description = "NSS key log (SSLKEYLOGFILE) to decrypt TLS with; secrets embedded in a pcapng are used anyway (as tshark does).",
        HelpName = "KEYLOG",
    };

    public readonly Option<string[]> RsaKey = new("--rsa-key")
    {
        Description = "PEM file with a server's RSA private key, for connections with RSA key exchange. May be repeated.",
        HelpName = "PEM",
    };

    public static DecryptionArgs AddTo(Command command)
    {
        var args = new DecryptionArgs();
        command.Options.Add(args.KeyLog);
        command.Options.Add(args.RsaKey);
        return args;
    }

    /// <summary>Reads the key log and RSA keys given; false (after one line on stderr) when one cannot be read.</summary>
    public bool TryLoad(ParseResult parse, TextWriter stderr, out KeyLog keys, out List<RSA> rsaKeys, out int exit) =>
        TryLoad(parse.GetValue(KeyLog), parse.GetValue(RsaKey), stderr, out keys, out rsaKeys, out exit);

    /// <summary>
    /// The one loader of --keylog and --rsa-key for every command: the RSA keys (an unreadable or empty PEM is a usage
    /// error), then the key log (its bad lines reported by number, never their secret; an unreadable file is an input
    /// error).
    /// </summary>
    public static bool TryLoad(string? keyLogPath, IEnumerable<string>? rsaKeyPaths, TextWriter stderr,
        out KeyLog keys, out List<RSA> rsaKeys, out int exit)
    {
        keys = new KeyLog();
        rsaKeys = [];
        exit = CliApp.ExitOk;
        foreach (var pemPath in rsaKeyPaths ?? [])
        {
            if (!ExplainCommand.ReadPem(pemPath, RsaKeyExchange.LoadPem, "no unencrypted RSA private key in it", stderr, out var loaded))
            {
                exit = CliApp.ExitUsage;
                return false;
            }
            rsaKeys.AddRange(loaded!);
        }
        if (keyLogPath is not null)
        {
            // Loading and initialising libcrypto (a few milliseconds) happens beside the reading of the key log.
            Decryption.NativeCrypto.WarmUp();
            if (ExplainCommand.LoadKeyLog(keyLogPath, stderr) is not { } loaded)
            {
                exit = CliApp.ExitInput;
                return false;
            }
            keys = loaded;
        }
        return true;
    }

    /// <summary>
    /// Sets <paramref name="dissector"/> up to decrypt and name what it decrypts: at once when keys were given, else at
    /// the first Decryption Secrets Block of <paramref name="reader"/> (so that a capture without secrets keeps the
    /// list's fast path).
    /// </summary>
    /// <param name="stores">Also told of what is decrypted (the TLS stores of fields and filters); nulls are skipped.</param>
    public static Decrypting Attach(Dissector dissector, CaptureReader reader, KeyLog keys, List<RSA> rsaKeys, params IDecryptedSink?[] stores)
    {
        var decrypting = new Decrypting(keys, stores);
        decrypting.Decryptor.RsaKeys.AddRange(rsaKeys);
        if (keys.Count > 0 || rsaKeys.Count > 0 || reader.Secrets.Count > 0) decrypting.AttachTo(dissector);
        else reader.SecretsFound += _ => decrypting.AttachTo(dissector);
        decrypting.Decryptor.UseSecretsOf(reader);
        return decrypting;
    }
}

/// <summary>A decryptor and what reads its plaintext, attached to a dissector once.</summary>
internal sealed class Decrypting
{
    public Decrypting(KeyLog keys, IDecryptedSink?[] stores)
    {
        Decryptor = new TlsDecryptor(keys) { KeepSessions = false, VerifyFinished = false };
        var others = stores.OfType<IDecryptedSink>().Distinct().ToArray();
        bool fields = others.OfType<Fields.TlsFrameStore>().Any();
        // The packet list needs only each message's first line, media type and first bytes: bodies are neither kept
        // nor decompressed for it, nor the frames a message came in listed, nor notes kept.
        var http1Limits = fields ? null : new Http.Http1.Http1Limits { MaxBodyBytes = 64, DecodeBodies = false, MaxFramesListed = 1, KeepNotes = false };
        Namer = new PlaintextNamer { Http1 = _ => new Http1ListLayer(http1Limits), Http2 = _ => new Http2ListLayer() };
        Namer.Fields.Enabled = fields;
        foreach (var store in others.OfType<Fields.TlsFrameStore>()) store.AppFields = Namer.Fields;
        Decryptor.Sink = others.Length == 0 ? Namer : new DecryptedSinks([.. others, Namer]);
    }

    public TlsDecryptor Decryptor { get; }
    public PlaintextNamer Namer { get; }
    public bool Attached { get; private set; }

    public void AttachTo(Dissector dissector)
    {
        if (Attached) return;
        Attached = true;
        // After the other observers: a TLS store keeps a record before the decryptor adds what is inside.
        dissector.TlsObserver = dissector.TlsObserver is { } other ? new Tls.List.TlsObservers(other, Decryptor) : Decryptor;
        dissector.TlsNamer = Namer;
    }
}
