namespace HttpsFlow.Capture;

/// <summary>
/// Link-layer header types (tcpdump.org LINKTYPE_ values) that HttpsFlow decodes. An open set: any other
/// value is carried as its number and the frame is listed without a decoded network layer.
/// </summary>
public static class LinkTypes
{
    public const uint Null = 0;        // BSD loopback, host-order 4-byte address family
    public const uint Ethernet = 1;
    public const uint Raw = 101;       // raw IPv4 or IPv6, version from the first nibble
    public const uint Loop = 108;      // OpenBSD loopback, network-order 4-byte address family
    public const uint LinuxSll = 113;  // Linux cooked capture v1
    public const uint Ipv4 = 228;
    public const uint Ipv6 = 229;
    public const uint LinuxSll2 = 276; // Linux cooked capture v2

    public static string Name(uint linkType) => linkType switch
    {
        Null => "NULL",
        Ethernet => "ETHERNET",
        Raw => "RAW",
        Loop => "LOOP",
        LinuxSll => "LINUX_SLL",
        Ipv4 => "IPV4",
        Ipv6 => "IPV6",
        LinuxSll2 => "LINUX_SLL2",
        _ => $"LINKTYPE {linkType}",
    };
}
