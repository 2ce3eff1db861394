using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using HttpsFlow.Common;

namespace HttpsFlow.Capture;

/// <summary>
/// The classic libpcap format: a 24-byte file header, then records of a 16-byte header and the packet.
/// Both byte orders, microsecond (a1b2c3d4) and nanosecond (a1b23c4d) magic, and the modified format
/// of Kuznetzov's patches (a1b2cd34, 24-byte record headers).
/// </summary>
/// <remarks>
/// <code>
/// file header: magic(4) version_major(2) version_minor(2) thiszone(4) sigfigs(4) snaplen(4) linktype(4)
/// record:      ts_sec(4) ts_frac(4) incl_len(4) orig_len(4) [modified: ifindex(4) protocol(2) pkt_type(1) pad(1)] data
/// </code>
/// </remarks>
public sealed class PcapReader : CaptureReader
{
    private const uint MagicMicro = 0xa1b2c3d4;
    private const uint MagicNano = 0xa1b23c4d;
    private const uint MagicModified = 0xa1b2cd34;
    private const int FileHeaderLength = 24;

    /// <summary>Largest record accepted; Wireshark's limit for ordinary link types is 256 KiB, this allows more.</summary>
    public const int MaxRecordLength = 16 * 1024 * 1024;

    private bool _headerRead;
    private bool _bigEndian;
    private bool _nano;
    private int _recordHeaderLength = 16;
    private uint _linkType;
    private uint _snapLength;

    internal PcapReader(ByteSource source) : base(source, "pcap") { }

    internal static bool IsMagic(uint magicBigEndian)
    {
        uint swapped = BinaryPrimitives.ReverseEndianness(magicBigEndian);
        return magicBigEndian is MagicMicro or MagicNano or MagicModified
            || swapped is MagicMicro or MagicNano or MagicModified;
    }

    /// <summary>The file header's link type.</summary>
    public uint LinkType => _linkType;

    private uint U32(ReadOnlySpan<byte> s) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    private bool ReadHeader(out ReadOutcome failure)
    {
        failure = ReadOutcome.Error;
        if (!Source.Ensure(FileHeaderLength))
        {
            Fail($"pcap file header cut short: {Source.Available} of {FileHeaderLength} bytes", Source.Offset);
            return false;
        }
        var h = Source.Span;
        uint be = BinaryPrimitives.ReadUInt32BigEndian(h);
        _bigEndian = be is MagicMicro or MagicNano or MagicModified;
        uint magic = _bigEndian ? be : BinaryPrimitives.ReverseEndianness(be);
        _nano = magic == MagicNano;
        if (magic == MagicModified) _recordHeaderLength = 24;
        _snapLength = U32(h[16..]);
        // The top bits of the link-type word carry FCS information (LINKTYPE_ values use 16 bits).
        _linkType = U32(h[20..]) & 0xffff;
        Source.Advance(FileHeaderLength);
        AddInterface(new CaptureInterface(_linkType, _snapLength, null, (byte)(_nano ? 9 : 6)));
        _headerRead = true;
        if (magic == MagicModified) Format = "pcap (modified)";
        else if (_nano) Format = "pcap (nanosecond)";
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override ReadOutcome ReadCore(out CapturedPacket packet)
    {
        packet = default;
        if (!_headerRead && !ReadHeader(out var failure)) return failure;

        long recordOffset = Source.Offset;
        if (!Source.Ensure(_recordHeaderLength))
        {
            if (Source.Available == 0) return ReadOutcome.End;
            return Fail($"capture cut short at byte {recordOffset}: a record header of {_recordHeaderLength} bytes has only {Source.Available}", recordOffset);
        }
        var h = Source.Span;
        uint sec = U32(h);
        uint frac = U32(h[4..]);
        uint incl = U32(h[8..]);
        uint orig = U32(h[12..]);
        if (incl > MaxRecordLength)
            return Fail($"record at byte {recordOffset} claims {incl} captured bytes, more than the limit of {MaxRecordLength}: the file is damaged", recordOffset);
        int total = _recordHeaderLength + (int)incl;
        if (!Source.Ensure(total))
            return Fail($"capture cut short at byte {recordOffset}: a record of {incl} bytes has only {Math.Max(0, Source.Available - _recordHeaderLength)}", recordOffset);

        var data = Source.Span.Slice(_recordHeaderLength, (int)incl);
        // pcap's seconds field is unsigned 32-bit (the format was redefined so, to last past 2038).
        long nanos = _nano ? frac : (long)frac * 1000;
        var ts = Timestamp.FromNanoseconds(sec, nanos);
        packet = new CapturedPacket(data, (int)Math.Min(orig, int.MaxValue), _linkType, ts, (byte)(_nano ? 9 : 6), 0);
        Source.Advance(total);
        return ReadOutcome.Packet;
    }
}
