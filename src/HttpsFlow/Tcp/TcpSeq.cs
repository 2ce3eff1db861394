namespace HttpsFlow.Tcp;

/// <summary>Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4): comparisons that survive wrap-around.</summary>
public static class TcpSeq
{
    public static bool Lt(uint a, uint b) => (int)(a - b) < 0;
    public static bool Le(uint a, uint b) => (int)(a - b) <= 0;
    public static bool Gt(uint a, uint b) => (int)(a - b) > 0;
    public static bool Ge(uint a, uint b) => (int)(a - b) >= 0;
}
