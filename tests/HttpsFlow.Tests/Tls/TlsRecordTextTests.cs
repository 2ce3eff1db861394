using HttpsFlow.Tests.TestSupport;
using static HttpsFlow.Tests.TestSupport.TlsFlightCapture;

namespace HttpsFlow.Tests.Tls;

/// <summary>The Info column of a segment whose TLS records give no text of their own, as tshark shows it.</summary>
public sealed class TlsRecordTextTests : IDisposable
{
    private readonly TlsFlightCapture _captures = new();

    public void Dispose() => _captures.Dispose();

    [Fact]
    public void A_record_that_is_only_the_middle_of_a_handshake_message_leaves_Info_empty()
    {
        // The Certificate message is split over three records, one per segment: the middle record names nothing (tshark
        // does not write "[TLS segment of a reassembled PDU]" there without keys).
        var message = Handshake(11, Fill(0, 1500));
        byte[] first = Record(22, message[..504]), middle = Record(22, message[504..1004]), last = Record(22, message[1004..]);
        byte[] stream = [.. ServerHello, .. first, .. middle, .. last, .. ServerHelloDone];
        int a = ServerHello.Length + first.Length, b = a + middle.Length;
        var rows = Columns(_captures.Write("middle", stream, (0, a), (a, b), (b, stream.Length)), 5, 6, 7);
        Assert.Equal($"TLSv1.2 | Server Hello, [Certificate Fragment] | {TlsChain}", rows[5]);
        Assert.Equal($"TLSv1.2 |  | {TlsChain}", rows[6]);
        Assert.Equal($"TLSv1.2 | Certificate, Server Hello Done | {TlsChain}", rows[7]);
    }
}
