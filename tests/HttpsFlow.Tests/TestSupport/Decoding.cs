using HttpsFlow.Capture;
using HttpsFlow.Common;
using HttpsFlow.Net;

namespace HttpsFlow.Tests.TestSupport;

/// <summary>Decodes one packet with <see cref="PacketDecoder"/>, as the pipeline does, into a fresh <see cref="Frame"/>.</summary>
internal static class Decoding
{
    public static readonly Timestamp SomeTime = new(1_700_000_000, 0);

    public static Frame Decode(uint linkType, string hex, int? originalLength = null, PacketDecoder? decoder = null,
        long number = 1) => Decode(linkType, Hex.Parse(hex), originalLength, decoder, number, out _);

    public static Frame Decode(uint linkType, byte[] bytes, int? originalLength, PacketDecoder? decoder, long number,
        out byte[] payload)
    {
        var frame = new Frame { Number = number };
        var packet = new CapturedPacket(bytes, originalLength ?? bytes.Length, linkType, SomeTime, 6, 0);
        payload = (decoder ?? new PacketDecoder()).Decode(in packet, frame).ToArray();
        return frame;
    }

    public static string Mac(Bytes16 address, int length)
    {
        ReadOnlySpan<byte> b = address;
        Span<char> text = stackalloc char[64];
        Assert.True(AddressFormat.TryFormatMac(b[..length], text, out int n));
        return new string(text[..n]);
    }

    public static string V4(uint address)
    {
        Span<char> text = stackalloc char[16];
        Assert.True(AddressFormat.TryFormatV4(address, text, out int n));
        return new string(text[..n]);
    }
}
