using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace HttpsFlow.Tests.TestSupport;

/// <summary>
/// Writes pcap and pcapng files into memory, field by field, in either byte order, so that a test states exactly
/// what a reader meets. Every length can be overridden to produce the damaged files the readers must survive.
/// </summary>
/// <remarks>
/// pcap: draft-ietf-opsawg-pcap (file header, 16-byte record headers; the "modified" a1b2cd34 format adds
/// ifindex(4) protocol(2) pkt_type(1) pad(1) to each record header). pcapng: draft-ietf-opsawg-pcapng
/// (blocks of type(4) total_length(4) body total_length(4), options code(2) length(2) value padded to 4).
/// </remarks>
internal static class CaptureBuilder
{
    public const uint PcapMagicMicroseconds = 0xa1b2c3d4;
    public const uint PcapMagicNanoseconds = 0xa1b23c4d;
    public const uint PcapMagicModified = 0xa1b2cd34;

    public const uint SectionHeaderBlock = 0x0a0d0d0a;
    public const uint InterfaceDescriptionBlock = 0x00000001;
    public const uint ObsoletePacketBlock = 0x00000002;
    public const uint SimplePacketBlock = 0x00000003;
    public const uint NameResolutionBlock = 0x00000004;
    public const uint InterfaceStatisticsBlock = 0x00000005;
    public const uint EnhancedPacketBlock = 0x00000006;
    public const uint DecryptionSecretsBlock = 0x0000000a;
    public const uint CustomBlockCopiable = 0x00000bad;
    public const uint CustomBlockNotCopiable = 0x40000bad;
    public const uint ByteOrderMagic = 0x1a2b3c4d;

    public static PcapFile Pcap(uint magic = PcapMagicMicroseconds, bool bigEndian = false, uint snapLength = 262144,
        uint linkType = 1) => new(magic, bigEndian, snapLength, linkType);

    public static PcapNgFile PcapNg() => new();

    /// <summary>The bytes compressed as one gzip member (RFC 1952).</summary>
    public static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            gz.Write(data);
        return output.ToArray();
    }

    /// <summary>Appends integers in the byte order of the file or section being written.</summary>
    internal sealed class ByteWriter
    {
        private readonly MemoryStream _bytes = new();

        public bool BigEndian { get; set; }

        public int Length => (int)_bytes.Length;

        public ByteWriter U8(byte value)
        {
            _bytes.WriteByte(value);
            return this;
        }

        public ByteWriter U16(ushort value)
        {
            Span<byte> b = stackalloc byte[2];
            if (BigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, value);
            else BinaryPrimitives.WriteUInt16LittleEndian(b, value);
            _bytes.Write(b);
            return this;
        }

        public ByteWriter U32(uint value)
        {
            Span<byte> b = stackalloc byte[4];
            if (BigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, value);
            else BinaryPrimitives.WriteUInt32LittleEndian(b, value);
            _bytes.Write(b);
            return this;
        }

        public ByteWriter I64(long value)
        {
            Span<byte> b = stackalloc byte[8];
            if (BigEndian) BinaryPrimitives.WriteInt64BigEndian(b, value);
            else BinaryPrimitives.WriteInt64LittleEndian(b, value);
            _bytes.Write(b);
            return this;
        }

        public ByteWriter Bytes(ReadOnlySpan<byte> value)
        {
            _bytes.Write(value);
            return this;
        }

        /// <summary>Zero bytes up to the next multiple of four.</summary>
        public ByteWriter Pad4()
        {
            while (_bytes.Length % 4 != 0) _bytes.WriteByte(0);
            return this;
        }

        public byte[] ToArray() => _bytes.ToArray();
    }

    /// <summary>A classic libpcap file: the 24-byte header, then records.</summary>
    internal sealed class PcapFile
    {
        private readonly ByteWriter _w = new();
        private readonly bool _modified;

        public PcapFile(uint magic, bool bigEndian, uint snapLength, uint linkType)
        {
            _w.BigEndian = bigEndian;
            _modified = magic == PcapMagicModified;
            // magic(4) version_major(2) version_minor(2) thiszone(4) sigfigs(4) snaplen(4) linktype(4)
            _w.U32(magic).U16(2).U16(4).U32(0).U32(0).U32(snapLength).U32(linkType);
        }

        public int Length => _w.Length;

        /// <summary>
        /// A record: ts_sec, ts_usec or ts_nsec, incl_len, orig_len, then the data. <paramref name="includedLength"/>
        /// overrides incl_len (the data written stays <paramref name="data"/>).
        /// </summary>
        public PcapFile Record(uint seconds, uint fraction, ReadOnlySpan<byte> data, uint? originalLength = null,
            uint? includedLength = null)
        {
            _w.U32(seconds).U32(fraction).U32(includedLength ?? (uint)data.Length).U32(originalLength ?? (uint)data.Length);
            if (_modified) _w.U32(2).U16(0x0800).U8(0).U8(0); // ifindex, protocol, pkt_type (host), pad
            _w.Bytes(data);
            return this;
        }

        /// <summary>Bytes as they are, for damaged files.</summary>
        public PcapFile Raw(ReadOnlySpan<byte> bytes)
        {
            _w.Bytes(bytes);
            return this;
        }

        public byte[] ToArray() => _w.ToArray();
    }

    /// <summary>An option of a pcapng block; its value may depend on the section's byte order.</summary>
    internal sealed class Option(ushort code, Func<bool, byte[]> value)
    {
        public ushort Code { get; } = code;

        public byte[] Value(bool bigEndian) => value(bigEndian);

        public static Option Bytes(ushort code, params byte[] value) => new(code, _ => value);

        /// <summary>if_name (2): UTF-8, not zero-terminated.</summary>
        public static Option IfName(string name) => new(2, _ => Encoding.UTF8.GetBytes(name));

        /// <summary>if_tsresol (9): bit 7 clear, 10^-n seconds; set, 2^-n seconds.</summary>
        public static Option IfTsResol(byte value) => new(9, _ => [value]);

        /// <summary>if_tsoffset (14): a signed 64-bit number of seconds added to every timestamp.</summary>
        public static Option IfTsOffset(long seconds) => new(14, big =>
        {
            var b = new byte[8];
            if (big) BinaryPrimitives.WriteInt64BigEndian(b, seconds);
            else BinaryPrimitives.WriteInt64LittleEndian(b, seconds);
            return b;
        });

        /// <summary>An 8-byte counter option (isb_ifrecv = 4, isb_ifdrop = 5, …).</summary>
        public static Option U64(ushort code, ulong value) => new(code, big =>
        {
            var b = new byte[8];
            if (big) BinaryPrimitives.WriteUInt64BigEndian(b, value);
            else BinaryPrimitives.WriteUInt64LittleEndian(b, value);
            return b;
        });
    }

    /// <summary>A pcapng file; the byte order follows the last section header written.</summary>
    internal sealed class PcapNgFile
    {
        private readonly ByteWriter _w = new();

        /// <summary>Bytes written so far: the offset the next block starts at.</summary>
        public int Length => _w.Length;

        public PcapNgFile SectionHeader(bool bigEndian = false, ushort major = 1, ushort minor = 0,
            uint byteOrderMagic = ByteOrderMagic, params Option[] options)
        {
            _w.BigEndian = bigEndian;
            var body = NewBody();
            body.U32(byteOrderMagic).U16(major).U16(minor).I64(-1); // section length: not given
            WriteOptions(body, options);
            return Block(SectionHeaderBlock, body.ToArray());
        }

        public PcapNgFile InterfaceDescription(ushort linkType, uint snapLength = 0, params Option[] options)
        {
            var body = NewBody();
            body.U16(linkType).U16(0).U32(snapLength);
            WriteOptions(body, options);
            return Block(InterfaceDescriptionBlock, body.ToArray());
        }

        /// <summary>
        /// An Enhanced Packet Block; <paramref name="capturedLength"/> overrides the captured-length field
        /// (the data written stays <paramref name="data"/>).
        /// </summary>
        public PcapNgFile EnhancedPacket(uint interfaceId, ulong timestamp, ReadOnlySpan<byte> data,
            uint? originalLength = null, uint? capturedLength = null, uint? totalLength = null, uint? trailingLength = null)
        {
            var body = NewBody();
            body.U32(interfaceId).U32((uint)(timestamp >> 32)).U32((uint)timestamp)
                .U32(capturedLength ?? (uint)data.Length).U32(originalLength ?? (uint)data.Length)
                .Bytes(data).Pad4();
            return Block(EnhancedPacketBlock, body.ToArray(), totalLength, trailingLength);
        }

        /// <summary>A Simple Packet Block: original length, then the data (no captured length, no timestamp).</summary>
        public PcapNgFile SimplePacket(ReadOnlySpan<byte> data, uint originalLength)
        {
            var body = NewBody();
            body.U32(originalLength).Bytes(data).Pad4();
            return Block(SimplePacketBlock, body.ToArray());
        }

        /// <summary>The obsolete Packet Block (type 2): a 16-bit interface id and a 16-bit drops count.</summary>
        public PcapNgFile ObsoletePacket(ushort interfaceId, ushort drops, ulong timestamp, ReadOnlySpan<byte> data,
            uint? originalLength = null)
        {
            var body = NewBody();
            body.U16(interfaceId).U16(drops).U32((uint)(timestamp >> 32)).U32((uint)timestamp)
                .U32((uint)data.Length).U32(originalLength ?? (uint)data.Length).Bytes(data).Pad4();
            return Block(ObsoletePacketBlock, body.ToArray());
        }

        /// <summary>A Name Resolution Block with one IPv4 record (type 1) and the end record.</summary>
        public PcapNgFile NameResolution(ReadOnlySpan<byte> ipv4, string name)
        {
            var body = NewBody();
            var value = new byte[4 + Encoding.UTF8.GetByteCount(name) + 1];
            ipv4.CopyTo(value);
            Encoding.UTF8.GetBytes(name, value.AsSpan(4));
            body.U16(1).U16((ushort)value.Length).Bytes(value).Pad4();
            body.U16(0).U16(0);
            return Block(NameResolutionBlock, body.ToArray());
        }

        public PcapNgFile InterfaceStatistics(uint interfaceId, ulong timestamp, ulong received, ulong dropped)
        {
            var body = NewBody();
            body.U32(interfaceId).U32((uint)(timestamp >> 32)).U32((uint)timestamp);
            WriteOptions(body, [Option.U64(4, received), Option.U64(5, dropped)]);
            return Block(InterfaceStatisticsBlock, body.ToArray());
        }

        /// <summary>A Decryption Secrets Block: secrets type, secrets length, the secrets padded to 4.</summary>
        public PcapNgFile DecryptionSecrets(uint secretsType, ReadOnlySpan<byte> secrets)
        {
            var body = NewBody();
            body.U32(secretsType).U32((uint)secrets.Length).Bytes(secrets).Pad4();
            return Block(DecryptionSecretsBlock, body.ToArray());
        }

        /// <summary>A Custom Block (0x00000BAD or 0x40000BAD): Private Enterprise Number, then the data.</summary>
        public PcapNgFile Custom(uint blockType, uint privateEnterpriseNumber, ReadOnlySpan<byte> data)
        {
            var body = NewBody();
            body.U32(privateEnterpriseNumber).Bytes(data).Pad4();
            return Block(blockType, body.ToArray());
        }

        /// <summary>
        /// Any block: type, total length, body, total length. <paramref name="totalLength"/> and
        /// <paramref name="trailingLength"/> replace the leading and trailing length fields.
        /// </summary>
        public PcapNgFile Block(uint type, ReadOnlySpan<byte> body, uint? totalLength = null, uint? trailingLength = null)
        {
            uint length = (uint)(12 + body.Length);
            _w.U32(type).U32(totalLength ?? length).Bytes(body).U32(trailingLength ?? totalLength ?? length);
            return this;
        }

        /// <summary>Bytes as they are, for damaged files.</summary>
        public PcapNgFile Raw(ReadOnlySpan<byte> bytes)
        {
            _w.Bytes(bytes);
            return this;
        }

        public byte[] ToArray() => _w.ToArray();

        private ByteWriter NewBody() => new() { BigEndian = _w.BigEndian };

        private void WriteOptions(ByteWriter body, Option[] options)
        {
            if (options.Length == 0) return;
            foreach (var o in options)
            {
                var value = o.Value(_w.BigEndian);
                body.U16(o.Code).U16((ushort)value.Length).Bytes(value).Pad4();
            }
            body.U16(0).U16(0); // opt_endofopt
        }
    }
}
