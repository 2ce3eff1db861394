using System.Globalization;
using System.Text.Json;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Cli;

/// <summary>`httpsflow json`: valid JSON Lines whose values are those `httpsflow fields` prints, field for field.</summary>
public class JsonCommandTests
{
    public static TheoryData<string> Samples() => ["test-site-tls12.pcapng", "tls13.pcapng", "lossy.pcap", "mixed.pcapng", "ipv6.pcap"];

    [Theory]
    [MemberData(nameof(Samples))]
    public void EveryValueIsTheFieldsCommandValue(string capture)
    {
        string path = Path.Combine(Repo.Samples, capture);
        // The column pseudo-fields (_ws.col.*) are fields-only, as in tshark's -T json; the expert notes are in both.
        var names = File.ReadAllLines(Path.Combine(Repo.Golden, "fields.txt")).Where(l => l.Length > 0 && !l.StartsWith("_ws.col.", StringComparison.Ordinal)).ToArray();
        var (exit, json, stderr) = Repo.Run("json", path);
        Assert.True(exit == 0, stderr);
        var args = new List<string> { "fields", path, "-E", "separator=\u001f" };
        foreach (var n in names) { args.Add("-e"); args.Add(n); }
        var (fexit, fields, fstderr) = Repo.Run(args.ToArray());
        Assert.True(fexit == 0, fstderr);
        var packets = json.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var rows = fields.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(rows.Length, packets.Length);
        var types = Repo.Run("fields", "--list").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t')).ToDictionary(p => p[0], p => p[1]);
        for (int i = 0; i < rows.Length; i++)
        {
            using var doc = JsonDocument.Parse(packets[i]);
            var cells = rows[i].Split('\u001f');
            var keys = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Equal(keys.Count, keys.Distinct().Count());
            for (int c = 0; c < names.Length; c++)
            {
                string expected = cells[c];
                if (!doc.RootElement.TryGetProperty(names[c], out var value))
                {
                    Assert.True(expected == "", $"frame {i + 1} {names[c]}: fields '{expected}', json has no key");
                    continue;
                }
                var elements = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [value];
                if (value.ValueKind == JsonValueKind.Array) Assert.True(elements.Count > 1, $"frame {i + 1} {names[c]}: an array of one");
                var expectedParts = expected.Split(',');
                if (elements.All(e => e.ValueKind == JsonValueKind.Number))
                {
                    Assert.Equal(expectedParts.Length, elements.Count);
                    for (int k = 0; k < elements.Count; k++)
                        Assert.True(ParseInteger(expectedParts[k]) == elements[k].GetInt64(), $"frame {i + 1} {names[c]}: '{expected}' vs {value}");
                    Assert.Contains(types[names[c]], new[] { "UInt8", "UInt16", "UInt24", "UInt32", "UInt64", "Int32", "FrameNumber" });
                }
                else
                {
                    Assert.All(elements, e => Assert.Equal(JsonValueKind.String, e.ValueKind));
                    Assert.Equal(expected, string.Join(',', elements.Select(e => e.GetString())));
                }
            }
            foreach (var key in keys) Assert.Contains(key, names);
        }
    }

    private static long ParseInteger(string text) =>
        text.StartsWith("0x", StringComparison.Ordinal)
            ? long.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : long.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public void DashEKeepsOnlyTheNamedFieldsInTreeOrder()
    {
        var (exit, stdout, _) = Repo.Run("json", Path.Combine(Repo.Samples, "test-site-tls12.pcapng"), "-e", "tls.handshake.type", "-e", "frame.number");
        Assert.Equal(0, exit);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("{\"frame.number\":1}", lines[0]);
        Assert.Equal("{\"frame.number\":6,\"tls.handshake.type\":[2,11,12,14]}", lines[5]);
        Assert.Equal("{\"frame.number\":4,\"tls.handshake.type\":1}", lines[3]);
    }

    [Fact]
    public void AnUnknownFieldIsAUsageError()
    {
        var (exit, stdout, stderr) = Repo.Run("json", Path.Combine(Repo.Samples, "mixed.pcapng"), "-e", "tls.nonsense");
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Contains("tls.nonsense", stderr);
    }

    [Fact]
    public void HelpShowsExamples()
    {
        var (exit, stdout, _) = Repo.Run("json", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("Examples:", stdout);
        Assert.Contains("docs/json.md", stdout);
    }
}
