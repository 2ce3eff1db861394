namespace HttpsFlow.Net;

/// <summary>
/// Pairs ICMP and ICMPv6 echo replies with their requests (RFC 792, RFC 4443 §4), so a reply can name the frame of
/// its request as tshark does ("request in N"). A request and its reply belong together when they pass between the
/// same two addresses (in either direction) with the same identifier, sequence number and checksum (the reply's
/// checksum is the request's adjusted for the changed type, as Wireshark matches them). A request is answered once:
/// a second reply to it names no request, until a new request with the same key replaces it. Bounded: past
/// <see cref="MaxPending"/> requests the table starts again.
/// </summary>
internal sealed class EchoTracker
{
    public const int MaxPending = 65_536;

    /// <param name="Low">The lower of the two addresses, so that both directions give the same key.</param>
    /// <param name="High">The higher of the two.</param>
    /// <param name="V6">ICMPv6 rather than ICMP.</param>
    /// <param name="Checksum">The checksum of the reply (ICMP) or of the request (ICMPv6) the pair carries.</param>
    /// <param name="Id">The echo identifier.</param>
    /// <param name="Seq">The echo sequence number.</param>
    private readonly record struct Key(IpAddress Low, IpAddress High, bool V6, ushort Checksum, ushort Id, ushort Seq);

    private readonly Dictionary<Key, long> _requests = new();

    public void Track(Frame f)
    {
        // The identifier and sequence number are the message's bytes 4–7: without them there is nothing to pair.
        if (f.TransportCaptured < 8) return;
        bool v6 = f.Transport == TransportKind.Icmpv6;
        byte request = v6 ? (byte)128 : (byte)8;
        byte reply = v6 ? (byte)129 : (byte)0;
        if (f.IcmpType == request)
        {
            // ICMP keys on the checksum the reply will carry; ICMPv6 on the request's own.
            ushort checksum = v6 ? NoNegativeZero(f.IcmpChecksum) : ChecksumAfterTypeChange(f.IcmpChecksum, 0x0800);
            if (_requests.Count >= MaxPending) _requests.Clear();
            _requests[KeyOf(f, v6, checksum)] = f.Number;
        }
        else if (f.IcmpType == reply)
        {
            ushort checksum = v6 ? ChecksumAfterTypeChange(f.IcmpChecksum, 0x0100) : NoNegativeZero(f.IcmpChecksum);
            if (_requests.Remove(KeyOf(f, v6, checksum), out long frame)) f.IcmpRequestFrame = frame;
        }
    }

    private static Key KeyOf(Frame f, bool v6, ushort checksum)
    {
        bool srcLow = f.Src.CompareTo(f.Dst) <= 0;
        return new Key(srcLow ? f.Src : f.Dst, srcLow ? f.Dst : f.Src, v6, checksum, f.IcmpId, f.IcmpSeq);
    }

    /// <summary>
    /// The Internet checksum (RFC 1071) of a message whose first 16-bit word rose by <paramref name="typeDifference"/>
    /// (an echo request's type becoming the reply's, or back): the one's-complement sum of the complemented checksum
    /// and the complemented difference, complemented (RFC 1624).
    /// </summary>
    private static ushort ChecksumAfterTypeChange(ushort checksum, ushort typeDifference)
    {
        uint sum = (uint)(ushort)~checksum + (ushort)~typeDifference;
        sum = (sum & 0xffff) + (sum >> 16);
        sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>0xffff and 0 are the same one's-complement value; the key uses 0.</summary>
    private static ushort NoNegativeZero(ushort checksum) => checksum == 0xffff ? (ushort)0 : checksum;
}
