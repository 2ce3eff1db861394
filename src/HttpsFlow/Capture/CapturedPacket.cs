using HttpsFlow.Common;

namespace HttpsFlow.Capture;

/// <summary>
/// One packet record as a capture file holds it. <see cref="Data"/> points into the reader's buffer and
/// is valid only until the next call to <see cref="CaptureReader.Read"/>.
/// </summary>
public readonly ref struct CapturedPacket
{
    public CapturedPacket(ReadOnlySpan<byte> data, int originalLength, uint linkType, Timestamp time,
        byte timePrecision, int interfaceId)
    {
        Data = data;
        OriginalLength = originalLength;
        LinkType = linkType;
        Time = time;
        TimePrecision = timePrecision;
        InterfaceId = interfaceId;
    }

    /// <summary>The captured bytes (may be fewer than <see cref="OriginalLength"/> when a snaplen cut them).</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The length of the packet on the wire.</summary>
    public int OriginalLength { get; }

    public uint LinkType { get; }

    public Timestamp Time { get; }

    /// <summary>Decimal digits the timestamp is precise to (6 for microseconds, 9 for nanoseconds).</summary>
    public byte TimePrecision { get; }

    /// <summary>pcapng interface number (0 for pcap).</summary>
    public int InterfaceId { get; }
}

/// <summary>A pcapng Decryption Secrets Block: secrets embedded in the capture (for example a TLS key log).</summary>
/// <param name="SecretsType">The block's secrets type; 0x544c534b ("TLSK") is an NSS key log.</param>
/// <param name="Data">The secrets, as the block holds them.</param>
public sealed record DecryptionSecrets(uint SecretsType, byte[] Data)
{
    public const uint TlsKeyLog = 0x544c534b;
    public const uint WireGuardKeyLog = 0x57474b4c;
}

/// <summary>What an interface description says (pcapng), or the file header (pcap).</summary>
public sealed record CaptureInterface(uint LinkType, uint SnapLength, string? Name, byte TimePrecision);
