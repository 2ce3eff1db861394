namespace HttpsFlow.Http;

/// <summary>
/// One decrypted record handed to an application layer, as one call of tshark's application dissector: where it
/// starts in the stream, whether a message (HTTP/1) or frame (HTTP/2) was named in it already, and how many it
/// completed. Shared by <see cref="Http1ListLayer"/> and <see cref="Http2ListLayer"/>.
/// </summary>
internal struct RecordCall
{
    /// <summary>The columns of the record's frame, during the call; null outside it.</summary>
    public AppColumns? Columns;
    public long Frame;
    /// <summary>The stream offset of the record's first byte.</summary>
    public long RecordStart;
    /// <summary>Whether something was named in this call already (the first sets or clears the Info column).</summary>
    public bool Named;
    private int _completed;
    private bool _firstStartedEarlier;

    public void Begin(AppColumns columns, long frame, long recordStart)
    {
        Columns = columns;
        Frame = frame;
        RecordStart = recordStart;
        Named = false;
        _completed = 0;
        _firstStartedEarlier = false;
    }

    /// <summary>A message or frame that began at <paramref name="startOffset"/> was completed by this record.</summary>
    public void Completed(long startOffset)
    {
        if (_completed++ == 0) _firstStartedEarlier = startOffset < RecordStart;
    }

    /// <summary>
    /// Ends the call. As tshark's TLS reassembles for the application: when the record finished a message begun in an
    /// earlier record and then only began the next one (<paramref name="restWaits"/>), that rest is handed on alone
    /// and marked as waiting for more.
    /// </summary>
    public void End(bool restWaits)
    {
        if (_completed == 1 && _firstStartedEarlier && restWaits) Columns!.Append(PlaintextNamer.SegmentText);
        Columns = null;
    }
}
