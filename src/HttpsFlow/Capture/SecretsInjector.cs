using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace HttpsFlow.Capture;

/// <summary>
/// Writes a copy of a capture as pcapng with a Decryption Secrets Block holding a TLS key log (what
/// <c>editcap --inject-secrets tls,KEYLOG</c> does). A pcapng input keeps its blocks and byte order, the new block
/// placed right after the first Section Header Block; a pcap input (or either gzip-compressed) becomes pcapng with one
/// interface. Bad bytes never throw: <see cref="Write"/> returns an error message instead.
/// </summary>
public static class SecretsInjector
{
    private const uint SectionHeader = 0x0a0d0d0a, SecretsBlock = 0x0a;

    /// <summary>Copies <paramref name="input"/> (a whole capture file) to <paramref name="output"/> with <paramref name="keyLog"/> embedded.</summary>
    /// <returns>Null on success, else why the input could not be copied.</returns>
    public static string? Write(byte[] input, Stream output, string keyLog)
    {
        if (input.Length >= 2 && input[0] == 0x1f && input[1] == 0x8b)
        {
            try
            {
                using var gz = new GZipStream(new MemoryStream(input), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                gz.CopyTo(plain);
                input = plain.ToArray();
            }
            catch (InvalidDataException e)
            {
                return $"bad gzip data: {e.Message}";
            }
        }
        if (input.Length < 24) return "not a pcap or pcapng file (too short)";
        var secrets = Encoding.UTF8.GetBytes(keyLog);
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(input);
        return magic == SectionHeader ? CopyPcapNg(input, output, secrets) : ConvertPcap(input, output, secrets);
    }

    private static string? CopyPcapNg(byte[] input, Stream output, byte[] secrets)
    {
        int offset = 0;
        bool bigEndian = false, injected = false;
        while (offset < input.Length)
        {
            if (input.Length - offset < 12) return $"pcapng block cut short at byte {offset}";
            var span = input.AsSpan(offset);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(span);
            if (type == SectionHeader)
            {
                uint byteOrder = BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
                if (byteOrder == 0x1a2b3c4d) bigEndian = false;
                else if (byteOrder == 0x4d3c2b1a) bigEndian = true;
                else return $"bad byte-order magic at byte {offset + 8}";
            }
            uint length = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
            if (length < 12 || length % 4 != 0 || length > span.Length) return $"bad pcapng block length at byte {offset + 4}";
            output.Write(span[..(int)length]);
            offset += (int)length;
            if (type == SectionHeader && !injected)
            {
                WriteSecretsBlock(output, secrets, bigEndian);
                injected = true;
            }
        }
        return null;
    }

    private static string? ConvertPcap(byte[] input, Stream output, byte[] secrets)
    {
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(input);
        bool swapped, nano;
        switch (magic)
        {
            case 0xa1b2c3d4: swapped = false; nano = false; break;
            case 0xd4c3b2a1: swapped = true; nano = false; break;
            case 0xa1b23c4d: swapped = false; nano = true; break;
            case 0x4d3cb2a1: swapped = true; nano = true; break;
            default: return "not a pcap or pcapng file";
        }
        uint U32(int at) => swapped ? BinaryPrimitives.ReadUInt32BigEndian(input.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(input.AsSpan(at));
        uint snapLength = U32(16);
        uint linkType = U32(20) & 0xffff;

        // The pcap becomes one pcapng section: a header naming HttpsFlow, one interface, the secrets, the packets.
        using var writer = new PcapNgWriter(output, "HttpsFlow inject-secrets", ownsStream: false);
        int id = writer.AddInterface(linkType, null, (int)Math.Min(snapLength, int.MaxValue));
        writer.WriteTlsKeyLog(secrets);
        int offset = 24;
        while (offset < input.Length)
        {
            if (input.Length - offset < 16) return $"pcap record header cut short at byte {offset}";
            long seconds = U32(offset), fraction = U32(offset + 4);
            uint captured = U32(offset + 8), original = U32(offset + 12);
            if (captured > input.Length - offset - 16) return $"pcap record cut short at byte {offset}";
            var time = Common.Timestamp.FromNanoseconds(seconds, nano ? fraction : fraction * 1000);
            writer.WritePacket(id, time, input.AsSpan(offset + 16, (int)captured), (int)Math.Min(original, int.MaxValue));
            offset += 16 + (int)captured;
        }
        return null;
    }

    private static void WriteSecretsBlock(Stream output, byte[] secrets, bool bigEndian)
    {
        int padded = (secrets.Length + 3) & ~3;
        var block = new byte[12 + 8 + padded];
        void Put(int at, uint v)
        {
            if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(at), v);
            else BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(at), v);
        }
        Put(0, SecretsBlock);
        Put(4, (uint)block.Length);
        Put(8, DecryptionSecrets.TlsKeyLog);
        Put(12, (uint)secrets.Length);
        secrets.CopyTo(block, 16);
        Put(block.Length - 4, (uint)block.Length);
        output.Write(block);
    }
}
