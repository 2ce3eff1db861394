using HttpsFlow.Common;
using SharpPcap;
using SharpPcap.LibPcap;

namespace HttpsFlow.Cli.Live;

/// <summary>Why a live capture could not start, in one sentence for the user.</summary>
internal sealed class LiveCaptureException(string message) : Exception(message);

/// <summary>One packet from a live capture; <see cref="Data"/> is valid until the next read.</summary>
internal readonly ref struct LivePacket(ReadOnlySpan<byte> data, int originalLength, Timestamp time)
{
    public ReadOnlySpan<byte> Data { get; } = data;
    public int OriginalLength { get; } = originalLength;
    public Timestamp Time { get; } = time;
}

/// <summary>
/// A live capture through libpcap (SharpPcap): opens an interface with nanosecond timestamps and immediate delivery,
/// compiles a BPF filter with libpcap, and hands packets one at a time. Every libpcap failure becomes a
/// <see cref="LiveCaptureException"/> with a sentence that says what to do.
/// </summary>
internal sealed class LiveCapture : IDisposable
{
    private readonly LibPcapLiveDevice _device;

    private LiveCapture(LibPcapLiveDevice device, uint linkType)
    {
        _device = device;
        LinkType = linkType;
    }

    /// <summary>The interface's link type (LINKTYPE_ value for pcapng).</summary>
    public uint LinkType { get; }

    public string Name => _device.Name;

    /// <summary>The interfaces libpcap can see: name, description, whether it is the loopback.</summary>
    public static IReadOnlyList<(string Name, string? Description, bool Loopback)> Interfaces()
    {
        try
        {
            return [.. LibPcapLiveDeviceList.New().Select(d => (d.Name, (string?)d.Description, d.Loopback))];
        }
        catch (Exception e) when (IsLibpcapMissing(e))
        {
            throw new LiveCaptureException(LibpcapMissing);
        }
        catch (PcapException e)
        {
            throw new LiveCaptureException($"cannot list interfaces: {e.Message}");
        }
    }

    private const string LibpcapMissing = "libpcap is not installed; install it with: apt-get install -y libpcap0.8";

    private static bool IsLibpcapMissing(Exception e) =>
        e is DllNotFoundException || (e is TypeInitializationException t && t.InnerException is DllNotFoundException);

    /// <summary>Opens <paramref name="name"/> and applies <paramref name="filter"/> (libpcap's BPF syntax).</summary>
    public static LiveCapture Open(string name, string? filter, int snapLength = 262144, bool promiscuous = true)
    {
        LibPcapLiveDevice? device;
        try
        {
            device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == name);
        }
        catch (Exception e) when (IsLibpcapMissing(e))
        {
            throw new LiveCaptureException(LibpcapMissing);
        }
        catch (PcapException e)
        {
            throw new LiveCaptureException($"cannot list interfaces: {e.Message}");
        }
        if (device is null) throw new LiveCaptureException($"no such interface: {name} (httpsflow capture --list-interfaces shows them)");
        try
        {
            device.Open(new DeviceConfiguration
            {
                Mode = promiscuous ? DeviceModes.Promiscuous : DeviceModes.None,
                ReadTimeout = 100,
                Snaplen = snapLength,
                Immediate = true,
                TimestampResolution = TimestampResolution.Nanosecond,
            });
        }
        catch (PcapException e) when (e.Message.Contains("permitted", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("permission", StringComparison.OrdinalIgnoreCase))
        {
            throw new LiveCaptureException($"no permission to capture on {name}: run as root, or give the program the CAP_NET_RAW and CAP_NET_ADMIN capabilities");
        }
        catch (PcapException e)
        {
            throw new LiveCaptureException($"cannot capture on {name}: {e.Message}");
        }
        try
        {
            if (!string.IsNullOrWhiteSpace(filter)) device.Filter = filter;
        }
        catch (PcapException e)
        {
            device.Close();
            throw new LiveCaptureException($"capture filter \"{filter}\": {e.Message}");
        }
        return new LiveCapture(device, (uint)device.LinkType);
    }

    /// <summary>Waits up to the read timeout (100 ms) for a packet; false when none came (or on an error, see <see cref="Error"/>).</summary>
    public bool Next(out LivePacket packet)
    {
        var status = _device.GetNextPacket(out PacketCapture e);
        if (status != GetPacketStatus.PacketRead)
        {
            if (status == GetPacketStatus.Error) Error = "libpcap read error";
            packet = default;
            return false;
        }
        var header = e.Header;
        var tv = header.Timeval;
        // The device was opened with nanosecond resolution: Value is seconds with the fraction to the nanosecond.
        decimal value = tv.Value;
        long seconds = (long)decimal.Truncate(value);
        int nanos = (int)((value - seconds) * 1_000_000_000m);
        int wireLength = header is PcapHeader ph ? (int)ph.PacketLength : e.Data.Length;
        packet = new LivePacket(e.Data, wireLength, new Timestamp(seconds, nanos));
        return true;
    }

    public string? Error { get; private set; }

    /// <summary>Packets the kernel dropped (libpcap's statistics), when it reports them.</summary>
    public long Dropped
    {
        get
        {
            try
            {
                return _device.Statistics is { } s ? s.DroppedPackets : 0;
            }
            catch (PcapException)
            {
                return 0;
            }
        }
    }

    public void Dispose() => _device.Close();
}
