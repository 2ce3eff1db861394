using HttpsFlow.Tests.TestSupport;
using static HttpsFlow.Tests.TestSupport.IcmpQuotes;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// Bytes that are no TLS record where a TLS 1.0–1.2 connection expects one: tshark's "Ignored Unknown Record", a
/// Warning/Protocol note alone under the TLS layer, after the records before them (checked with tshark 4.0.17).
/// </summary>
public class IgnoredUnknownRecordTests
{
    private static readonly byte[] Garbage = [0x84, 0xfd, 0xe7, 0x59, 0xcd, 0xf0, 0x20, 0x40];

    [Fact]
    public void ASegmentOfBytesThatAreNoRecordHasTheNote()
    {
        var (handshake, next, serverNext) = Tls12Handshake();
        var frames = Dissect([.. handshake,
            Segment(true, 50000, 443, next, serverNext, Ack | Psh, Garbage),
            Segment(true, 50000, 443, next + (uint)Garbage.Length, serverNext, Ack | Psh, [.. Alert, .. Garbage])]);

        var alone = frames[^2];
        Assert.Equal("Ignored Unknown Record", alone["_ws.expert.message"]);
        Assert.Equal("6291456", alone["_ws.expert.severity"]);
        Assert.Equal("150994944", alone["_ws.expert.group"]);
        Assert.False(alone.Has("tls.record"));
        Assert.Equal("Ignored Unknown Record", alone.Info);
        var note = Assert.Single(alone.Tree.Single(n => n.Field == "tls").Children);
        Assert.Equal("Ignored Unknown Record", note.Label);
        Assert.Equal("[Expert Info (Warning/Protocol): Ignored Unknown Record]", Assert.Single(note.Children).Label);

        var after = frames[^1];
        Assert.Equal("21", after["tls.record.content_type"]);
        Assert.Equal("Ignored Unknown Record", after["_ws.expert.message"]);
        Assert.Equal("Alert (Level: Fatal, Description: Handshake Failure), Ignored Unknown Record", after.Info);
        Assert.Equal(["TLSv1.2 Record Layer: Alert (Level: Fatal, Description: Handshake Failure)", "Ignored Unknown Record"],
            after.Tree.Single(n => n.Field == "tls").Children.Select(n => n.Label));
    }

    [Fact]
    public void BeforeTheVersionIsKnownSuchBytesAreContinuationDataWithNoNote()
    {
        var (handshake, next, serverNext) = Tls12Handshake();
        var frames = Dissect([.. handshake[..4], Segment(true, 50000, 443, next, 5001, Ack | Psh, Garbage)]);

        Assert.False(frames[^1].Has("_ws.expert"));
        Assert.Empty(frames[^1].Tree.Single(n => n.Field == "tls").Children);
        _ = serverNext;
    }
}
