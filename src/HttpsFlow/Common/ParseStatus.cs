namespace HttpsFlow.Common;

/// <summary>Three outcomes of reading a structure: it was complete, more bytes are needed, or it can never parse.</summary>
public enum ParseStatus : byte
{
    Ok,
    NeedMoreData,
    Malformed,
}
