using HttpsFlow.Fuzz;
using HttpsFlow.Tests.TestSupport;

namespace HttpsFlow.Tests.Http.Http1;

/// <summary>
/// The http1 fuzzing harness over its seeds and regressions (FuzzCorpusTests replays them with the other
/// harnesses; this runs them with the HTTP/1 tests), and over every way of cutting one conversation.
/// </summary>
public class Http1FuzzSeedTests
{
    public static TheoryData<string> Inputs()
    {
        var data = new TheoryData<string>();
        foreach (var dir in new[] { Path.Combine("fuzz", "seeds", "http1"), Path.Combine("fuzz", "corpus", "http1"), Path.Combine("tests", "HttpsFlow.Tests", "Fuzz", "regressions", "http1") })
            if (Directory.Exists(Path.Combine(Repo.Root, dir)))
                foreach (var f in Directory.GetFiles(Path.Combine(Repo.Root, dir)).Order()) data.Add(Path.GetRelativePath(Repo.Root, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void HarnessAcceptsInput(string file) => Harnesses.Http1(File.ReadAllBytes(Path.Combine(Repo.Root, file)));

    [Fact]
    public void SeedsAreThere() => Assert.True(Inputs().Count >= 8);

    [Fact]
    public void EveryChunkPlan()
    {
        var client = Http1Run.Bytes("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nHEAD /b HTTP/1.1\r\n\r\n");
        var server = Http1Run.Bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n");
        for (int a = 0; a < 12; a++)
            for (int b = 0; b < 12; b++)
            {
                Harnesses.Http1(Harnesses.Http1Input(client, server, [(byte)a, (byte)b]));
                Harnesses.Http1(Harnesses.Http1Input(client, server, [(byte)a, (byte)b], tinyLimits: true));
            }
    }
}
