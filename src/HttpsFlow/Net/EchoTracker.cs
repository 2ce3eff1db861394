namespace HttpsFlow.Net;

/// <summary>
/// Pairs ICMP and ICMPv6 echo replies with their requests (RFC 792, RFC 4443 §4), so a reply can name the frame of
/// its request as tshark does ("request in N"). Bounded: past <see cref="MaxPending"/> requests the table starts again.
/// </summary>
internal sealed class EchoTracker
{
    public const int MaxPending = 65_536;

    private readonly record struct Key(IpAddress Requester, IpAddress Responder, ushort Id, ushort Seq);

    private readonly Dictionary<Key, long> _requests = new();

    public void Track(Frame f)
    {
        bool v6 = f.Transport == TransportKind.Icmpv6;
        byte request = v6 ? (byte)128 : (byte)8;
        byte reply = v6 ? (byte)129 : (byte)0;
        if (f.IcmpType == request)
        {
            if (_requests.Count >= MaxPending) _requests.Clear();
            _requests[new Key(f.Src, f.Dst, f.IcmpId, f.IcmpSeq)] = f.Number;
        }
        else if (f.IcmpType == reply && _requests.TryGetValue(new Key(f.Dst, f.Src, f.IcmpId, f.IcmpSeq), out long frame))
        {
            f.IcmpRequestFrame = frame;
        }
    }
}
