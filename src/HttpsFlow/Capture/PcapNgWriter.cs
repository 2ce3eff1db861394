using System.Buffers.Binary;
using System.Text;
using HttpsFlow.Common;

namespace HttpsFlow.Capture;

/// <summary>
/// Writes a pcapng file (draft-ietf-opsawg-pcapng) in the host's little-endian byte order: one Section Header Block
/// naming the writing application, Interface Description Blocks (name, link type, snap length, nanosecond
/// timestamps), Enhanced Packet Blocks, and Decryption Secrets Blocks (TLS key log lines) that tshark uses to decrypt.
/// Blocks are written whole, so a file cut off by a crash is still readable up to its last complete block.
/// </summary>
public sealed class PcapNgWriter : IDisposable
{
    private const uint SectionHeaderType = 0x0a0d0d0a;
    private const uint InterfaceDescriptionType = 0x00000001;
    private const uint EnhancedPacketType = 0x00000006;
    private const uint DecryptionSecretsType = 0x0000000a;
    private const ushort OptEnd = 0, OptShbOs = 3, OptShbUserAppl = 4, OptIfName = 2, OptIfTsResol = 9;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private byte[] _block = new byte[64 * 1024];
    private int _interfaces;

    /// <summary>Starts a file on <paramref name="stream"/> with a section header naming <paramref name="application"/>.</summary>
    public PcapNgWriter(Stream stream, string application, bool ownsStream = true)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        var options = new List<(ushort, byte[])>
        {
            (OptShbOs, Encoding.UTF8.GetBytes(Environment.OSVersion.VersionString)),
            (OptShbUserAppl, Encoding.UTF8.GetBytes(application)),
        };
        // byte-order magic, version 1.0, section length unknown (-1)
        Span<byte> fixedPart = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart, 0x1a2b3c4d);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart[4..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(fixedPart[8..], -1);
        WriteBlock(SectionHeaderType, fixedPart, default, options);
    }

    /// <summary>Packets written so far.</summary>
    public long Packets { get; private set; }

    /// <summary>Adds an interface with nanosecond timestamps; returns its id for <see cref="WritePacket"/>.</summary>
    public int AddInterface(uint linkType, string? name, int snapLength = 262144)
    {
        Span<byte> fixedPart = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart, (ushort)linkType);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart[2..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[4..], (uint)snapLength);
        var options = new List<(ushort, byte[])> { (OptIfTsResol, [9]) };
        if (name is not null) options.Insert(0, (OptIfName, Encoding.UTF8.GetBytes(name)));
        WriteBlock(InterfaceDescriptionType, fixedPart, default, options);
        return _interfaces++;
    }

    /// <summary>Writes one packet on interface <paramref name="interfaceId"/>, its time in nanoseconds.</summary>
    public void WritePacket(int interfaceId, Timestamp time, ReadOnlySpan<byte> data, int originalLength)
    {
        if ((uint)interfaceId >= (uint)_interfaces) throw new ArgumentOutOfRangeException(nameof(interfaceId), "no such interface");
        ulong ns = (ulong)time.Seconds * 1_000_000_000UL + (ulong)time.Nanoseconds;
        Span<byte> fixedPart = stackalloc byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart, (uint)interfaceId);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[4..], (uint)(ns >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[8..], (uint)ns);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[12..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[16..], (uint)Math.Max(originalLength, data.Length));
        WriteBlock(EnhancedPacketType, fixedPart, data, null);
        Packets++;
    }

    /// <summary>Writes TLS key log lines (NSS format) as a Decryption Secrets Block; packets after it can use them.</summary>
    public void WriteTlsKeyLog(ReadOnlySpan<byte> keyLogLines)
    {
        if (keyLogLines.IsEmpty) return;
        Span<byte> fixedPart = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart, DecryptionSecrets.TlsKeyLog);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[4..], (uint)keyLogLines.Length);
        WriteBlock(DecryptionSecretsType, fixedPart, keyLogLines, null);
    }

    public void Flush() => _stream.Flush();

    private static int Pad4(int n) => (n + 3) & ~3;

    private void WriteBlock(uint type, ReadOnlySpan<byte> fixedPart, ReadOnlySpan<byte> data, List<(ushort Code, byte[] Value)>? options)
    {
        int optionsLength = 0;
        if (options is { Count: > 0 })
        {
            foreach (var (_, value) in options) optionsLength += 4 + Pad4(value.Length);
            optionsLength += 4; // opt_endofopt
        }
        int total = 12 + fixedPart.Length + Pad4(data.Length) + optionsLength;
        if (_block.Length < total) _block = new byte[Math.Max(total, _block.Length * 2)];
        var b = _block.AsSpan(0, total);
        b.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(b, type);
        BinaryPrimitives.WriteUInt32LittleEndian(b[4..], (uint)total);
        int at = 8;
        fixedPart.CopyTo(b[at..]);
        at += fixedPart.Length;
        data.CopyTo(b[at..]);
        at += Pad4(data.Length);
        if (options is { Count: > 0 })
        {
            foreach (var (code, value) in options)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(b[at..], code);
                BinaryPrimitives.WriteUInt16LittleEndian(b[(at + 2)..], (ushort)value.Length);
                value.CopyTo(b[(at + 4)..]);
                at += 4 + Pad4(value.Length);
            }
            BinaryPrimitives.WriteUInt16LittleEndian(b[at..], OptEnd);
            at += 4;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(b[at..], (uint)total);
        _stream.Write(b);
    }

    public void Dispose()
    {
        _stream.Flush();
        if (_ownsStream) _stream.Dispose();
    }
}
