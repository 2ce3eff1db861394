using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using System.Text;
using HttpsFlow.Common;

namespace HttpsFlow.Capture;

/// <summary>
/// The pcapng format (draft-ietf-opsawg-pcapng): a sequence of blocks, each
/// <c>type(4) total_length(4) body total_length(4)</c>, grouped in sections that each start with a
/// Section Header Block fixing the byte order. Reads Section Header, Interface Description, Enhanced,
/// Simple and the obsolete Packet blocks, keeps Decryption Secrets, and skips Name Resolution,
/// Interface Statistics, custom and unknown blocks by their length.
/// </summary>
public sealed class PcapNgReader : CaptureReader
{
    internal const uint SectionHeaderType = 0x0a0d0d0a;
    private const uint ByteOrderMagic = 0x1a2b3c4d;

    private const uint InterfaceDescriptionType = 0x00000001;
    private const uint PacketType = 0x00000002;           // obsolete
    private const uint SimplePacketType = 0x00000003;
    private const uint NameResolutionType = 0x00000004;
    private const uint InterfaceStatisticsType = 0x00000005;
    private const uint EnhancedPacketType = 0x00000006;
    private const uint DecryptionSecretsType = 0x0000000a;

    // Interface Description options.
    private const ushort OptEndOfOpt = 0;
    private const ushort OptIfName = 2;
    private const ushort OptIfDescription = 3;
    private const ushort OptIfTsResol = 9;
    private const ushort OptIfTsOffset = 14;

    /// <summary>Largest block accepted. Wireshark refuses blocks over 16 MiB; we allow as much.</summary>
    public const int MaxBlockLength = 16 * 1024 * 1024;

    private bool _bigEndian;
    private bool _inSection;
    private readonly List<InterfaceState> _sectionInterfaces = new();
    private readonly List<string?> _sectionNames = new();
    private readonly List<string?> _sectionDescriptions = new();

    private readonly struct InterfaceState(uint linkType, uint snapLength, ulong unitsPerSecond, bool binary, byte exponent, long offsetSeconds, byte precision)
    {
        public readonly uint LinkType = linkType;
        public readonly uint SnapLength = snapLength;
        public readonly ulong UnitsPerSecond = unitsPerSecond;
        public readonly bool Binary = binary;
        public readonly byte Exponent = exponent;
        public readonly long OffsetSeconds = offsetSeconds;
        public readonly byte Precision = precision;
    }

    internal PcapNgReader(ByteSource source) : base(source, "pcapng") { }

    public override bool HasInterfaceIds => true;

    /// <summary>The name of interface <paramref name="id"/> of the current section (if_name), or null.</summary>
    public string? InterfaceName(int id) => id < _sectionNames.Count ? _sectionNames[id] : null;

    /// <summary>The description of interface <paramref name="id"/> of the current section (if_description), or null.</summary>
    public string? InterfaceDescription(int id) => id < _sectionDescriptions.Count ? _sectionDescriptions[id] : null;

    /// <summary>The current section, counted from 1 (tshark's frame.section_number); 0 before the first.</summary>
    public int SectionNumber { get; private set; }

    private uint U32(ReadOnlySpan<byte> s) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    private ushort U16(ReadOnlySpan<byte> s) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override ReadOutcome ReadCore(out CapturedPacket packet)
    {
        packet = default;
        while (true)
        {
            long blockOffset = Source.Offset;
            if (!Source.Ensure(12))
            {
                if (Source.Available == 0) return ReadOutcome.End;
                return Fail($"capture cut short at byte {blockOffset}: a block header has only {Source.Available} of 12 bytes", blockOffset);
            }
            var head = Source.Span;
            uint typeBe = BinaryPrimitives.ReadUInt32BigEndian(head);
            if (typeBe == SectionHeaderType)
            {
                // The byte-order magic decides how this section (this block's length included) is read.
                uint bom = BinaryPrimitives.ReadUInt32BigEndian(head[8..]);
                if (bom == ByteOrderMagic) _bigEndian = true;
                else if (BinaryPrimitives.ReverseEndianness(bom) == ByteOrderMagic) _bigEndian = false;
                else return Fail($"section header at byte {blockOffset} has a bad byte-order magic 0x{bom:x8}", blockOffset);
            }
            else if (!_inSection)
            {
                return Fail($"block at byte {blockOffset} comes before any section header", blockOffset);
            }

            uint type = U32(head);
            uint length = U32(head[4..]);
            if (length < 12 || (length & 3) != 0)
                return Fail($"block at byte {blockOffset} has an invalid length {length} (must be a multiple of 4, at least 12)", blockOffset);
            if (length > MaxBlockLength)
                return Fail($"block at byte {blockOffset} claims {length} bytes, more than the limit of {MaxBlockLength}: the file is damaged", blockOffset);
            if (!Source.Ensure((int)length))
                return Fail($"capture cut short at byte {blockOffset}: a block of {length} bytes has only {Source.Available}", blockOffset);

            var block = Source.Span[..(int)length];
            uint trailer = U32(block[^4..]);
            if (trailer != length)
                return Fail($"block at byte {blockOffset} has a leading length {length} and a trailing length {trailer}: the file is damaged", blockOffset);
            var body = block[8..^4];

            switch (type)
            {
                case SectionHeaderType:
                    if (body.Length < 16)
                        return Fail($"section header at byte {blockOffset} is too short ({length} bytes)", blockOffset);
                    ushort major = U16(body[4..]);
                    if (major != 1)
                        return Fail($"section header at byte {blockOffset} has version {major}.{U16(body[6..])}; only version 1 is defined", blockOffset);
                    _inSection = true;
                    _sectionInterfaces.Clear();
                    _sectionNames.Clear();
                    _sectionDescriptions.Clear();
                    SectionNumber++;
                    break;

                case InterfaceDescriptionType:
                    if (body.Length < 8)
                        return Fail($"interface description at byte {blockOffset} is too short ({length} bytes)", blockOffset);
                    AddInterfaceDescription(body);
                    break;

                case EnhancedPacketType:
                case PacketType:
                {
                    // Enhanced: interface_id(4) ts_high(4) ts_low(4) cap_len(4) orig_len(4) data options.
                    // Obsolete Packet: interface_id(2) drops_count(2), then the same fields.
                    string name = type == EnhancedPacketType ? "enhanced packet block" : "packet block";
                    if (body.Length < 20)
                        return Fail($"{name} at byte {blockOffset} is too short ({length} bytes)", blockOffset);
                    uint ifId = type == EnhancedPacketType ? U32(body) : U16(body);
                    uint capLen = U32(body[12..]);
                    uint origLen = U32(body[16..]);
                    if (ifId >= _sectionInterfaces.Count)
                        return Fail($"packet at byte {blockOffset} names interface {ifId}, but the section describes {_sectionInterfaces.Count}", blockOffset);
                    if (capLen > body.Length - 20)
                        return Fail($"packet at byte {blockOffset} claims {capLen} captured bytes in a block with room for {body.Length - 20}", blockOffset);
                    ulong ticks = (ulong)U32(body[4..]) << 32 | U32(body[8..]);
                    packet = MakePacket(body.Slice(20, (int)capLen), origLen, (int)ifId, ticks);
                    Source.Advance((int)length);
                    return ReadOutcome.Packet;
                }

                case SimplePacketType:
                {
                    if (body.Length < 4)
                        return Fail($"simple packet block at byte {blockOffset} is too short ({length} bytes)", blockOffset);
                    if (_sectionInterfaces.Count == 0)
                        return Fail($"simple packet at byte {blockOffset} comes before any interface description", blockOffset);
                    uint origLen = U32(body);
                    var iface = _sectionInterfaces[0];
                    // The captured length is not stored: it is the original length cut by snaplen and by the block.
                    long capLen = Math.Min(origLen, body.Length - 4);
                    if (iface.SnapLength != 0) capLen = Math.Min(capLen, iface.SnapLength);
                    // A simple packet carries no timestamp.
                    packet = new CapturedPacket(body.Slice(4, (int)capLen), (int)Math.Min(origLen, int.MaxValue),
                        iface.LinkType, default, iface.Precision, 0);
                    Source.Advance((int)length);
                    return ReadOutcome.Packet;
                }

                case DecryptionSecretsType:
                    if (body.Length >= 8)
                    {
                        uint secretsType = U32(body);
                        uint secretsLen = U32(body[4..]);
                        if (secretsLen <= body.Length - 8)
                            AddSecrets(new DecryptionSecrets(secretsType, body.Slice(8, (int)secretsLen).ToArray()));
                    }
                    break;

                case NameResolutionType:
                case InterfaceStatisticsType:
                default:
                    // Skipped by length: custom blocks (0x00000bad, 0x40000bad), systemd journal, unknown types.
                    break;
            }
            Source.Advance((int)length);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private CapturedPacket MakePacket(ReadOnlySpan<byte> data, uint origLen, int ifId, ulong ticks)
    {
        var iface = _sectionInterfaces[ifId];
        ulong secs = ticks / iface.UnitsPerSecond;
        ulong rem = ticks % iface.UnitsPerSecond;
        long nanos;
        if (iface.Binary)
            nanos = (long)(((UInt128)rem * 1_000_000_000UL) >> iface.Exponent);
        else if (iface.Exponent <= 9)
            nanos = (long)rem * Pow10(9 - iface.Exponent);
        else
            nanos = (long)(rem / (ulong)Pow10(iface.Exponent - 9));
        var ts = Timestamp.FromNanoseconds(unchecked((long)secs + iface.OffsetSeconds), nanos);
        return new CapturedPacket(data, (int)Math.Min(origLen, int.MaxValue), iface.LinkType, ts, iface.Precision, ifId);
    }

    private static long Pow10(int n)
    {
        long r = 1;
        for (int i = 0; i < n; i++) r *= 10;
        return r;
    }

    private void AddInterfaceDescription(ReadOnlySpan<byte> body)
    {
        uint linkType = U16(body);
        uint snapLength = U32(body[4..]);
        byte tsresol = 6;
        long tsoffset = 0;
        string? name = null, description = null;
        var opts = body[8..];
        // Options: code(2) length(2) value padded to 4. A bad option ends the option list, not the file.
        while (opts.Length >= 4)
        {
            ushort code = U16(opts);
            ushort len = U16(opts[2..]);
            if (code == OptEndOfOpt || len > opts.Length - 4) break;
            var value = opts.Slice(4, len);
            switch (code)
            {
                case OptIfName:
                    name = Encoding.UTF8.GetString(value).TrimEnd('\0');
                    break;
                case OptIfDescription:
                    description = Encoding.UTF8.GetString(value).TrimEnd('\0');
                    break;
                case OptIfTsResol when len >= 1:
                    tsresol = value[0];
                    break;
                case OptIfTsOffset when len >= 8:
                    tsoffset = _bigEndian ? BinaryPrimitives.ReadInt64BigEndian(value) : BinaryPrimitives.ReadInt64LittleEndian(value);
                    break;
            }
            int padded = 4 + ((len + 3) & ~3);
            if (padded > opts.Length) break;
            opts = opts[padded..];
        }

        bool binary = (tsresol & 0x80) != 0;
        byte exponent = (byte)(tsresol & 0x7f);
        ulong units;
        if (binary)
        {
            // 2^-n seconds; beyond 2^-63 the tick count cannot be represented, so clamp.
            if (exponent > 63) exponent = 63;
            units = 1UL << exponent;
        }
        else
        {
            if (exponent > 19) exponent = 19;
            units = 1;
            for (int i = 0; i < exponent; i++) units *= 10;
        }
        byte precision = DecimalPrecision(units);
        if (units == 0) units = 1;
        var state = new InterfaceState(linkType, snapLength, units, binary, exponent, tsoffset, precision);
        _sectionInterfaces.Add(state);
        _sectionNames.Add(name);
        _sectionDescriptions.Add(description);
        AddInterface(new CaptureInterface(linkType, snapLength, name, precision));
    }

    /// <summary>
    /// Wireshark shows times with one of a fixed set of precisions (s, ds, cs, ms, µs, ns), the coarsest that the
    /// interface's units per second reach: 1024 units a second (2^-10) show milliseconds.
    /// </summary>
    private static byte DecimalPrecision(ulong unitsPerSecond) => unitsPerSecond switch
    {
        >= 1_000_000_000 => 9,
        >= 1_000_000 => 6,
        >= 1_000 => 3,
        >= 100 => 2,
        >= 10 => 1,
        _ => 0,
    };
}
