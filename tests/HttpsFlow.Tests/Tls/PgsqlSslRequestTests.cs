using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tls.List;
using static HttpsFlow.Tests.TestSupport.TlsFlightCapture;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// PostgreSQL's SSLRequest and the server's one-byte answer, which tshark names on port 5432 before TLS starts. The
/// expected columns are tshark's for the same packets, checked against it where it is installed.
/// </summary>
public sealed class PgsqlSslRequestTests : IDisposable
{
    private readonly TlsFlightCapture _captures = new();

    public void Dispose() => _captures.Dispose();

    private static readonly byte[] SslRequest = [0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f];

    private string Write(string name, ushort port, byte answer) =>
        _captures.Write(name, port, [(true, SslRequest), (false, [answer]), (true, ClientHello)], ServerHello, [(0, ServerHello.Length)]);

    [Fact]
    public void The_request_and_its_answer_are_named_and_TLS_follows()
    {
        var rows = Columns(Write("pgsql", 5432, (byte)'S'), 4, 5, 6, 7);
        Assert.Equal($"PGSQL | > | {TcpChain}:pgsql", rows[4]);
        Assert.Equal($"PGSQL | < | {TcpChain}", rows[5]);
        Assert.Equal($"TLSv1 | Client Hello | {TlsChain}", rows[6]);
        Assert.Equal($"TLSv1.2 | Server Hello | {TlsChain}", rows[7]);
    }

    [Fact]
    public void The_request_has_a_tree_the_answer_none()
    {
        string path = Write("pgsql-tree", 5432, (byte)'S');
        var (exit, stdout, stderr) = Repo.Run("show", path, "-Y", "frame.number == 4 || frame.number == 5");
        Assert.True(exit == 0, stderr);
        Assert.Contains("    TCP payload (8 bytes)\n    [PDU Size: 8]\nPostgreSQL\n    Type: SSL request\n    Length: 8\n", stdout);
        Assert.Single(stdout.Split('\n'), l => l.StartsWith("PostgreSQL", StringComparison.Ordinal));
    }

    [Fact]
    public void An_answer_other_than_S_keeps_the_connection_out_of_TLS()
    {
        foreach (byte answer in "NE"u8.ToArray())
        {
            string path = Write("pgsql-" + (char)answer, 5432, answer);
            var rows = Columns(path, 4, 5);
            Assert.Equal($"PGSQL | > | {TcpChain}:pgsql", rows[4]);
            Assert.Equal($"PGSQL | < | {TcpChain}", rows[5]);
            // tshark reads what follows as PostgreSQL messages, which HttpsFlow does not name; either way it is not TLS.
            var (exit, stdout, _) = Repo.Run("fields", path, "-e", "_ws.col.Protocol");
            Assert.Equal(0, exit);
            Assert.Equal(["TCP", "TCP", "TCP", "PGSQL", "PGSQL", "TCP", "TCP"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    [Fact]
    public void Nothing_is_named_off_the_PostgreSQL_port()
    {
        var rows = Columns(Write("pgsql-5433", 5433, (byte)'S'), 4, 5, 6);
        Assert.Equal($"TCP | 40000 → 5433 [PSH, ACK] Seq=1 Ack=1 Win=65535 Len=8 | {TcpChain}:data", rows[4]);
        Assert.Equal($"TCP | 5433 → 40000 [PSH, ACK] Seq=1 Ack=9 Win=65535 Len=1 | {TcpChain}:data", rows[5]);
        Assert.Equal($"TLSv1 | Client Hello | {TlsChain}", rows[6]);
    }

    [Theory]
    [InlineData(40000, 5432, true)]
    [InlineData(5432, 40000, true)]
    [InlineData(443, 5432, false)]  // a lower registered port (TLS) is tried first
    [InlineData(80, 5432, false)]   // so is HTTP's
    [InlineData(6000, 5432, true)]  // a higher one is tried after
    [InlineData(40000, 5433, false)]
    public void The_PostgreSQL_dissector_takes_port_5432_unless_a_lower_registered_port_comes_first(int src, int dst, bool expected) =>
        Assert.Equal(expected, TlsListLayer.IsPgsqlConnection((ushort)src, (ushort)dst));
}
