using System.Text;
using HttpsFlow.Capture;

namespace HttpsFlow.Decryption;

/// <summary>The labels of an NSS key log line (the format of SSLKEYLOGFILE) that decryption uses.</summary>
public enum KeyLogLabel : byte
{
    /// <summary>CLIENT_RANDOM: the TLS 1.0–1.2 master secret (48 bytes).</summary>
    ClientRandom,
    ClientEarlyTrafficSecret,
    ClientHandshakeTrafficSecret,
    ServerHandshakeTrafficSecret,
    ClientTrafficSecret0,
    ServerTrafficSecret0,
    EarlyExporterSecret,
    ExporterSecret,
}

/// <summary>The secrets a key log holds for one client random.</summary>
public sealed class KeyLogEntry
{
    private readonly byte[]?[] _secrets = new byte[]?[8];

    /// <summary>The secret under <paramref name="label"/>, or null when the key log has none.</summary>
    public byte[]? Get(KeyLogLabel label) => _secrets[(int)label];

    internal void Set(KeyLogLabel label, byte[] secret) => _secrets[(int)label] = secret;

    /// <summary>The TLS 1.0–1.2 master secret (CLIENT_RANDOM).</summary>
    public byte[]? MasterSecret => Get(KeyLogLabel.ClientRandom);
}

/// <summary>A key log line that was skipped, and why. The message never contains the secret.</summary>
/// <param name="Source">The file name, or "capture (Decryption Secrets Block N)".</param>
/// <param name="Line">The line number, from 1.</param>
/// <param name="Message">What is wrong with the line.</param>
public sealed record KeyLogWarning(string Source, int Line, string Message)
{
    public override string ToString() => $"{Source}:{Line}: {Message}";
}

/// <summary>
/// An NSS key log (the SSLKEYLOGFILE format): one secret per line, "LABEL CLIENT_RANDOM SECRET" in hex, '#' comments
/// and blank lines ignored. Lines that cannot be used are skipped with a <see cref="KeyLogWarning"/> naming the line;
/// secrets never appear in a warning. Secrets from a capture's Decryption Secrets Blocks are added with
/// <see cref="Add(DecryptionSecrets, int)"/>.
/// </summary>
public sealed class KeyLog
{
    private readonly Dictionary<string, KeyLogEntry> _entries = new(StringComparer.Ordinal);
    private readonly List<KeyLogWarning> _warnings = [];
    private readonly List<(string ClientRandom, string Line)> _lines = [];

    /// <summary>Lines skipped, in the order read.</summary>
    public IReadOnlyList<KeyLogWarning> Warnings => _warnings;

    /// <summary>Client randoms with at least one secret.</summary>
    public int Count => _entries.Count;

    /// <summary>Lines accepted.</summary>
    public int LineCount => _lines.Count;

    /// <summary>Parses <paramref name="text"/> (the contents of a key log file).</summary>
    public static KeyLog Parse(string text, string source = "key log")
    {
        var log = new KeyLog();
        log.Add(text, source);
        return log;
    }

    /// <summary>Reads a key log file; I/O errors propagate (the caller reports them).</summary>
    public static KeyLog Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Adds the secrets of a Decryption Secrets Block (TLS key logs only; others are ignored).</summary>
    public void Add(DecryptionSecrets secrets, int blockNumber)
    {
        if (secrets.SecretsType != DecryptionSecrets.TlsKeyLog) return;
        Add(Encoding.UTF8.GetString(secrets.Data), $"capture (Decryption Secrets Block {blockNumber})");
    }

    /// <summary>Adds every line of <paramref name="text"/>.</summary>
    public void Add(string text, string source)
    {
        int number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim().TrimStart('\uFEFF');
            if (line.Length == 0 || line[0] == '#') continue;
            if (ParseLine(line, out var label, out var random, out var secret) is { } problem)
            {
                _warnings.Add(new KeyLogWarning(source, number, problem));
                continue;
            }
            if (!_entries.TryGetValue(random, out var entry)) _entries[random] = entry = new KeyLogEntry();
            entry.Set(label, secret);
            _lines.Add((random, line));
        }
    }

    /// <summary>The secrets for <paramref name="clientRandom"/>, or null.</summary>
    public KeyLogEntry? Find(ReadOnlySpan<byte> clientRandom) =>
        clientRandom.Length == 32 ? _entries.GetValueOrDefault(Convert.ToHexStringLower(clientRandom)) : null;

    /// <summary>The accepted lines whose client random is one of <paramref name="clientRandoms"/>, in the order read.</summary>
    public IEnumerable<string> LinesFor(IEnumerable<byte[]> clientRandoms)
    {
        var wanted = new HashSet<string>(clientRandoms.Select(r => Convert.ToHexStringLower(r)), StringComparer.Ordinal);
        foreach (var (random, line) in _lines)
            if (wanted.Contains(random)) yield return line;
    }

    private static KeyLogLabel? LabelOf(string name) => name switch
    {
        "CLIENT_RANDOM" => KeyLogLabel.ClientRandom,
        "CLIENT_EARLY_TRAFFIC_SECRET" => KeyLogLabel.ClientEarlyTrafficSecret,
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET" => KeyLogLabel.ClientHandshakeTrafficSecret,
        "SERVER_HANDSHAKE_TRAFFIC_SECRET" => KeyLogLabel.ServerHandshakeTrafficSecret,
        "CLIENT_TRAFFIC_SECRET_0" => KeyLogLabel.ClientTrafficSecret0,
        "SERVER_TRAFFIC_SECRET_0" => KeyLogLabel.ServerTrafficSecret0,
        "EARLY_EXPORTER_SECRET" => KeyLogLabel.EarlyExporterSecret,
        "EXPORTER_SECRET" => KeyLogLabel.ExporterSecret,
        _ => null,
    };

    /// <summary>Reads one line; returns why it is unusable, or null. Messages must never include the secret.</summary>
    private static string? ParseLine(string line, out KeyLogLabel label, out string random, out byte[] secret)
    {
        label = default;
        random = "";
        secret = [];
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        string name = parts[0];
        if (name.Length > 40 || !name.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
            return "not a key log line (expected LABEL CLIENT_RANDOM SECRET)";
        if (LabelOf(name) is not { } known)
        {
            if (name == "RSA") return "RSA lines (pre-master secrets) are not supported; use CLIENT_RANDOM lines";
            // A "label" holding a long run of hex digits may be key material (a secret on a line of its own, or run into
            // its label): never repeat it.
            return HasHexRun(name, 16) ? "unknown label (not shown: it holds a run of hex digits, which may be a secret)" : $"unknown label {name}";
        }
        if (parts.Length != 3) return $"{name}: expected 3 fields (LABEL CLIENT_RANDOM SECRET), found {parts.Length}";
        if (parts[1].Length != 64 || !IsHex(parts[1])) return $"{name}: the client random is not 64 hex digits";
        if (!IsHex(parts[2]) || parts[2].Length % 2 != 0) return $"{name}: the secret is not an even number of hex digits";
        int bytes = parts[2].Length / 2;
        if (known == KeyLogLabel.ClientRandom ? bytes != 48 : bytes is not (32 or 48 or 64))
            return known == KeyLogLabel.ClientRandom
                ? $"{name}: the master secret has {bytes} bytes, not 48"
                : $"{name}: the secret has {bytes} bytes, not 32 or 48";
        label = known;
        random = parts[1].ToLowerInvariant();
        secret = Convert.FromHexString(parts[2]);
        return null;
    }

    /// <summary>Whether <paramref name="s"/> holds <paramref name="length"/> or more hex digits in a row.</summary>
    private static bool HasHexRun(string s, int length)
    {
        int run = 0;
        foreach (char c in s)
        {
            run = char.IsAsciiHexDigit(c) ? run + 1 : 0;
            if (run >= length) return true;
        }
        return false;
    }

    private static bool IsHex(string s)
    {
        foreach (char c in s)
            if (!char.IsAsciiHexDigit(c)) return false;
        return s.Length > 0;
    }
}
