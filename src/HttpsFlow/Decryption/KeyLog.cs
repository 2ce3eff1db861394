using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// <remarks>
/// Key logs of busy hosts run to megabytes (one line per secret, five per TLS 1.3 connection), and every packet view
/// with <c>--keylog</c> reads one before its first packet: lines are read straight from the file's UTF-8 bytes and
/// client randoms are kept as bytes, so loading allocates little more than the secrets themselves. A line with bytes
/// outside printable ASCII takes the general path (decoded, split at any Unicode white space), which gives the same
/// result for every line the fast path reads.
/// </remarks>
public sealed class KeyLog
{
    private readonly Dictionary<ClientRandomKey, KeyLogEntry> _entries = [];
    private readonly List<KeyLogWarning> _warnings = [];
    // The accepted lines, as places in the texts read (for LinesFor): no string per line.
    private readonly List<byte[]> _texts = [];
    private readonly List<(ClientRandomKey Random, int Text, int Start, int Length)> _lines = [];

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

    /// <summary>Reads a key log file (UTF-8; a UTF-16 file with its byte order mark is read too); I/O errors propagate (the caller reports them).</summary>
    public static KeyLog Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var log = new KeyLog();
        if (bytes is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..]) log.Add(File.ReadAllText(path), path);
        else log.AddUtf8(bytes, path);
        return log;
    }

    /// <summary>Adds the secrets of a Decryption Secrets Block (TLS key logs only; others are ignored).</summary>
    public void Add(DecryptionSecrets secrets, int blockNumber)
    {
        if (secrets.SecretsType != DecryptionSecrets.TlsKeyLog) return;
        AddUtf8(secrets.Data, $"capture (Decryption Secrets Block {blockNumber})");
    }

    /// <summary>Adds every line of <paramref name="text"/>.</summary>
    public void Add(string text, string source) => AddUtf8(Encoding.UTF8.GetBytes(text), source);

    /// <summary>Key logs from this size on are read in two halves at once (on a machine with more than one core).</summary>
    private const int ParallelMinimum = 256 << 10;

    /// <summary>False: always one line after another (for tests that compare the two ways).</summary>
    internal static bool ReadHalvesAtOnce { get; set; } = true;

    /// <summary>Adds every line of the UTF-8 <paramref name="text"/>, which the key log keeps (its lines are not copied).</summary>
    private void AddUtf8(byte[] text, string source)
    {
        int textIndex = _texts.Count;
        _texts.Add(text);
        _lines.EnsureCapacity(_lines.Count + text.AsSpan().Count((byte)'\n') + 1);
        int middle = ReadHalvesAtOnce && text.Length >= ParallelMinimum && Environment.ProcessorCount > 1 ? text.AsSpan(text.Length / 2).IndexOf((byte)'\n') : -1;
        if (middle < 0)
        {
            AddLines(text, textIndex, 0, text.Length, 0, source);
            return;
        }
        // A large key log (a busy host's: five lines per TLS 1.3 connection) is read as two halves at once, the second
        // into a key log of its own that is then merged in order: later lines win, as they do read one after another.
        int split = text.Length / 2 + middle + 1;
        int firstLines = text.AsSpan(0, split).Count((byte)'\n');
        var second = new KeyLog();
        var reading = Task.Run(() => second.AddLines(text, textIndex, split, text.Length, firstLines, source));
        AddLines(text, textIndex, 0, split, 0, source);
        reading.Wait();
        foreach (var (random, entry) in second._entries)
        {
            if (!_entries.TryGetValue(random, out var mine)) _entries[random] = entry;
            else
                foreach (var label in Enum.GetValues<KeyLogLabel>())
                    if (entry.Get(label) is { } secret) mine.Set(label, secret);
        }
        _warnings.AddRange(second._warnings);
        _lines.AddRange(second._lines);
    }

    /// <summary>
    /// Adds the lines of <paramref name="text"/> from <paramref name="from"/> (a line's start) to <paramref name="to"/>
    /// (the end of the text, or just after a line end), numbering them after <paramref name="linesBefore"/>.
    /// </summary>
    private void AddLines(byte[] text, int textIndex, int from, int to, int linesBefore, string source)
    {
        int number = linesBefore, start = from;
        while (start < to || (start == to && to == text.Length))
        {
            int newline = text.AsSpan(start, to - start).IndexOf((byte)'\n');
            int end = newline < 0 ? to : start + newline;
            number++;
            AddLine(text, textIndex, start, end, number, source);
            if (newline < 0) break;
            start = end + 1;
        }
    }

    private void AddLine(byte[] text, int textIndex, int start, int end, int number, string source)
    {
        var raw = text.AsSpan(start, end - start);
        string? problem;
        KeyLogLabel label;
        ClientRandomKey random;
        byte[] secret;
        int lineStart, lineLength;
        if (IsPlainAscii(raw))
        {
            var line = raw.Trim(AsciiBlanks);
            if (line.Length == 0 || line[0] == '#') return;
            problem = ParseLine(line, out label, out random, out secret);
            lineStart = start + (int)(Unsafe.ByteOffset(ref MemoryMarshal.GetReference(raw), ref MemoryMarshal.GetReference(line)));
            lineLength = line.Length;
        }
        else
        {
            // Bytes beyond printable ASCII (a byte order mark, Unicode spaces, other text): the general path.
            var line = Encoding.UTF8.GetString(raw).Trim().TrimStart('\uFEFF');
            if (line.Length == 0 || line[0] == '#') return;
            problem = ParseLine(line, out label, out random, out secret);
            int bom = raw.StartsWith("\uFEFF"u8) ? 3 : 0;
            var trimmed = raw[bom..].Trim(AsciiBlanks);
            lineStart = start + (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(raw), ref MemoryMarshal.GetReference(trimmed));
            lineLength = trimmed.Length;
        }
        if (problem is not null)
        {
            _warnings.Add(new KeyLogWarning(source, number, problem));
            return;
        }
        if (!_entries.TryGetValue(random, out var entry)) _entries[random] = entry = new KeyLogEntry();
        entry.Set(label, secret);
        _lines.Add((random, textIndex, lineStart, lineLength));
    }

    /// <summary>The secrets for <paramref name="clientRandom"/>, or null.</summary>
    public KeyLogEntry? Find(ReadOnlySpan<byte> clientRandom) =>
        clientRandom.Length == 32 ? _entries.GetValueOrDefault(new ClientRandomKey(clientRandom)) : null;

    /// <summary>The accepted lines whose client random is one of <paramref name="clientRandoms"/>, in the order read.</summary>
    public IEnumerable<string> LinesFor(IEnumerable<byte[]> clientRandoms)
    {
        var wanted = new HashSet<ClientRandomKey>(clientRandoms.Where(r => r.Length == 32).Select(r => new ClientRandomKey(r)));
        foreach (var (random, text, start, length) in _lines)
            if (wanted.Contains(random)) yield return Encoding.UTF8.GetString(_texts[text], start, length);
    }

    private static ReadOnlySpan<byte> AsciiBlanks => " \t\r\v\f"u8;
    private static readonly SearchValues<byte> s_blanks = SearchValues.Create(AsciiBlanks);
    private static readonly SearchValues<byte> s_plain = SearchValues.Create(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\t\r\v\f"u8);

    /// <summary>Only printable ASCII and the blanks <see cref="AsciiBlanks"/>: the fast path reads the line exactly as the general one would.</summary>
    private static bool IsPlainAscii(ReadOnlySpan<byte> line) => !line.ContainsAnyExcept(s_plain);

    private static KeyLogLabel? LabelOf(ReadOnlySpan<char> name) => name switch
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

    /// <summary>Reads one printable-ASCII line (trimmed, not a comment); returns why it is unusable, or null.</summary>
    private static string? ParseLine(ReadOnlySpan<byte> line, out KeyLogLabel label, out ClientRandomKey random, out byte[] secret)
    {
        // At most four fields matter: the fourth only tells that there are too many.
        Span<Range> fields = stackalloc Range[4];
        int count = 0, total = 0;
        for (int i = 0; i < line.Length;)
        {
            int skip = line[i..].IndexOfAnyExcept(s_blanks);
            if (skip < 0) break;
            int from = i + skip;
            int length = line[from..].IndexOfAny(s_blanks);
            i = length < 0 ? line.Length : from + length;
            if (count < fields.Length) fields[count++] = from..i;
            total++;
        }
        Span<char> name = stackalloc char[Math.Min(line[fields[0]].Length, 64)];
        Encoding.ASCII.GetChars(line[fields[0]][..name.Length], name);
        return Check(name, line[fields[0]].Length, total, count > 1 ? line[fields[1]] : default, count > 2 ? line[fields[2]] : default,
            out label, out random, out secret);
    }

    /// <summary>Reads one line of any text (the general path); returns why it is unusable, or null.</summary>
    private static string? ParseLine(string line, out KeyLogLabel label, out ClientRandomKey random, out byte[] secret)
    {
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        static byte[] Ascii(string s) => s.All(char.IsAscii) ? Encoding.ASCII.GetBytes(s) : [(byte)'?'];
        return Check(parts[0], parts[0].Length, parts.Length, parts.Length > 1 ? Ascii(parts[1]) : default,
            parts.Length > 2 ? Ascii(parts[2]) : default, out label, out random, out secret);
    }

    /// <summary>The checks of a line split into fields. Messages must never include the secret.</summary>
    private static string? Check(ReadOnlySpan<char> name, int nameLength, int fieldCount, ReadOnlySpan<byte> randomHex, ReadOnlySpan<byte> secretHex,
        out KeyLogLabel label, out ClientRandomKey random, out byte[] secret)
    {
        label = default;
        random = default;
        secret = [];
        if (nameLength > 40 || !IsLabelText(name))
            return "not a key log line (expected LABEL CLIENT_RANDOM SECRET)";
        if (LabelOf(name) is not { } known)
        {
            if (name is "RSA") return "RSA lines (pre-master secrets) are not supported; use CLIENT_RANDOM lines";
            // A "label" holding a long run of hex digits may be key material (a secret on a line of its own, or run into
            // its label): never repeat it.
            return HasHexRun(name, 16) ? "unknown label (not shown: it holds a run of hex digits, which may be a secret)" : $"unknown label {name}";
        }
        if (fieldCount != 3) return $"{name}: expected 3 fields (LABEL CLIENT_RANDOM SECRET), found {fieldCount}";
        Span<byte> randomBytes = stackalloc byte[32];
        if (randomHex.Length != 64 || !TryHex(randomHex, randomBytes)) return $"{name}: the client random is not 64 hex digits";
        int bytes = secretHex.Length / 2;
        Span<byte> secretBytes = bytes <= 64 ? stackalloc byte[64] : new byte[bytes];
        if (secretHex.Length % 2 != 0 || secretHex.IsEmpty || !TryHex(secretHex, secretBytes[..bytes]))
            return $"{name}: the secret is not an even number of hex digits";
        if (known == KeyLogLabel.ClientRandom ? bytes != 48 : bytes is not (32 or 48 or 64))
            return known == KeyLogLabel.ClientRandom
                ? $"{name}: the master secret has {bytes} bytes, not 48"
                : $"{name}: the secret has {bytes} bytes, not 32 or 48";
        label = known;
        random = new ClientRandomKey(randomBytes);
        secret = secretBytes[..bytes].ToArray();
        return null;
    }

    private static bool IsLabelText(ReadOnlySpan<char> name)
    {
        foreach (char c in name)
            if (c is not ((>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_')) return false;
        return true;
    }

    /// <summary>Whether <paramref name="s"/> holds <paramref name="length"/> or more hex digits in a row.</summary>
    private static bool HasHexRun(ReadOnlySpan<char> s, int length)
    {
        int run = 0;
        foreach (char c in s)
        {
            run = char.IsAsciiHexDigit(c) ? run + 1 : 0;
            if (run >= length) return true;
        }
        return false;
    }

    /// <summary>Decodes hex digits (either case) into <paramref name="into"/>, exactly its length; false on a non-hex digit.</summary>
    /// <summary>
    /// Decodes hex digits (either case) with a table, two digits a byte. Why not Convert.FromHexString: its vector path
    /// shuffles bytes in software where the native build may not assume SSSE3, which made it a third of reading a key
    /// log of 9,000 lines.
    /// </summary>
    internal static bool TryHex(ReadOnlySpan<byte> hex, Span<byte> into)
    {
        if (hex.Length != 2 * into.Length) return false;
        ReadOnlySpan<sbyte> table = HexValues;
        int bad = 0;
        for (int i = 0; i < into.Length; i++)
        {
            int hi = table[hex[2 * i]], lo = table[hex[2 * i + 1]];
            bad |= hi | lo;
            into[i] = (byte)((hi << 4) | lo);
        }
        return bad >= 0;
    }

    // The value of each byte as a hex digit, or -1.
    private static ReadOnlySpan<sbyte> HexValues =>
    [
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1,
        -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    ];
}

/// <summary>A 32-byte client random as a dictionary key (four words; the random is random, so its first word hashes well).</summary>
internal readonly struct ClientRandomKey : IEquatable<ClientRandomKey>
{
    private readonly ulong _a, _b, _c, _d;

    public ClientRandomKey(ReadOnlySpan<byte> random)
    {
        _a = BinaryPrimitives.ReadUInt64LittleEndian(random);
        _b = BinaryPrimitives.ReadUInt64LittleEndian(random[8..]);
        _c = BinaryPrimitives.ReadUInt64LittleEndian(random[16..]);
        _d = BinaryPrimitives.ReadUInt64LittleEndian(random[24..]);
    }

    public bool Equals(ClientRandomKey other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is ClientRandomKey other && Equals(other);

    // Crafted randoms (tests, fuzzers, a hostile capture) need not differ in their first bytes: all four words count.
    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);
}
