namespace HttpsFlow.Http.Http2;

/// <summary>HTTP/2 frame types (RFC 9113 §6, with the extension types Wireshark names).</summary>
public enum Http2FrameType : byte
{
    Data = 0,
    Headers = 1,
    Priority = 2,
    RstStream = 3,
    Settings = 4,
    PushPromise = 5,
    Ping = 6,
    GoAway = 7,
    WindowUpdate = 8,
    Continuation = 9,
    AltSvc = 10,
    Blocked = 11,
    Origin = 12,
    PriorityUpdate = 16,
}

/// <summary>The flag bits of the frame header; which ones mean something depends on the frame type (RFC 9113 §6).</summary>
public static class Http2Flags
{
    /// <summary>END_STREAM on DATA and HEADERS.</summary>
    public const byte EndStream = 0x01;
    /// <summary>ACK on SETTINGS and PING (the same bit as END_STREAM).</summary>
    public const byte Ack = 0x01;
    /// <summary>END_HEADERS on HEADERS, PUSH_PROMISE and CONTINUATION.</summary>
    public const byte EndHeaders = 0x04;
    /// <summary>PADDED on DATA, HEADERS and PUSH_PROMISE.</summary>
    public const byte Padded = 0x08;
    /// <summary>PRIORITY on HEADERS.</summary>
    public const byte Priority = 0x20;
}

/// <summary>HTTP/2 error codes (RFC 9113 §7), used by RST_STREAM and GOAWAY.</summary>
public enum Http2ErrorCode : uint
{
    NoError = 0,
    ProtocolError = 1,
    InternalError = 2,
    FlowControlError = 3,
    SettingsTimeout = 4,
    StreamClosed = 5,
    FrameSizeError = 6,
    RefusedStream = 7,
    Cancel = 8,
    CompressionError = 9,
    ConnectError = 10,
    EnhanceYourCalm = 11,
    InadequateSecurity = 12,
    Http11Required = 13,
}

/// <summary>SETTINGS parameters (RFC 9113 §6.5.2, RFC 8441, RFC 9218).</summary>
public enum Http2SettingId : ushort
{
    HeaderTableSize = 1,
    EnablePush = 2,
    MaxConcurrentStreams = 3,
    InitialWindowSize = 4,
    MaxFrameSize = 5,
    MaxHeaderListSize = 6,
    EnableConnectProtocol = 8,
    NoRfc7540Priorities = 9,
}

/// <summary>
/// The names tshark gives HTTP/2 values (its http2.type, http2.rst_stream.error/http2.goaway.error and
/// http2.settings.id value strings), so that a packet list or detail tree built on this layer reads as tshark's.
/// </summary>
public static class Http2Names
{
    /// <summary>The protocol's maximum frame payload length (a 24-bit field).</summary>
    public const int MaxFrameLength = (1 << 24) - 1;

    /// <summary>The client connection preface (RFC 9113 §3.4), tshark's "Magic".</summary>
    public static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>The preface as tshark prints http2.magic.</summary>
    public const string MagicText = "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n";

    /// <summary>The frame type as http2.type and the Info column show it ("HEADERS"), or null when tshark has no name.</summary>
    public static string? FrameType(byte type) => type switch
    {
        0 => "DATA",
        1 => "HEADERS",
        2 => "PRIORITY",
        3 => "RST_STREAM",
        4 => "SETTINGS",
        5 => "PUSH_PROMISE",
        6 => "PING",
        7 => "GOAWAY",
        8 => "WINDOW_UPDATE",
        9 => "CONTINUATION",
        10 => "ALTSVC",
        11 => "BLOCKED",
        12 => "ORIGIN",
        16 => "PRIORITY_UPDATE",
        _ => null,
    };

    /// <summary>The frame type's name, or "Unknown type (N)" for a type without one.</summary>
    public static string FrameTypeOrUnknown(byte type) => FrameType(type) ?? $"Unknown type ({type})";

    /// <summary>An error code's name as tshark shows it ("CANCEL"), or null for a code it does not know.</summary>
    public static string? ErrorCode(uint code) => code switch
    {
        0 => "NO_ERROR",
        1 => "PROTOCOL_ERROR",
        2 => "INTERNAL_ERROR",
        3 => "FLOW_CONTROL_ERROR",
        4 => "SETTINGS_TIMEOUT",
        5 => "STREAM_CLOSED",
        6 => "FRAME_SIZE_ERROR",
        7 => "REFUSED_STREAM",
        8 => "CANCEL",
        9 => "COMPRESSION_ERROR",
        10 => "CONNECT_ERROR",
        11 => "ENHANCE_YOUR_CALM",
        12 => "INADEQUATE_SECURITY",
        13 => "HTTP_1_1_REQUIRED",
        _ => null,
    };

    /// <summary>
    /// A SETTINGS identifier as tshark shows http2.settings.id ("Initial Windows size", its spelling); null when
    /// unnamed. tshark 4.0 names 1–6 and 8; 9 (RFC 9218) gets the RFC's name, which later versions print.
    /// </summary>
    public static string? Setting(ushort id) => id switch
    {
        1 => "Header table size",
        2 => "Enable PUSH",
        3 => "Max concurrent streams",
        4 => "Initial Windows size",
        5 => "Max frame size",
        6 => "Max header list size",
        8 => "Extended CONNECT",
        9 => "No RFC7540 Priorities",
        _ => null,
    };

    /// <summary>The RFC's name of a SETTINGS identifier ("SETTINGS_INITIAL_WINDOW_SIZE"), or null.</summary>
    public static string? SettingRfcName(ushort id) => id switch
    {
        1 => "SETTINGS_HEADER_TABLE_SIZE",
        2 => "SETTINGS_ENABLE_PUSH",
        3 => "SETTINGS_MAX_CONCURRENT_STREAMS",
        4 => "SETTINGS_INITIAL_WINDOW_SIZE",
        5 => "SETTINGS_MAX_FRAME_SIZE",
        6 => "SETTINGS_MAX_HEADER_LIST_SIZE",
        8 => "SETTINGS_ENABLE_CONNECT_PROTOCOL",
        9 => "SETTINGS_NO_RFC7540_PRIORITIES",
        _ => null,
    };

    /// <summary>
    /// The names of the flags set in <paramref name="flags"/> for a frame of <paramref name="type"/>, comma-separated in
    /// the order tshark lists them after "Flags: 0x25, " ("Priority, End Headers, End Stream"); empty when none.
    /// </summary>
    public static string FlagsText(byte type, byte flags)
    {
        var parts = new List<string>(4);
        switch ((Http2FrameType)type)
        {
            case Http2FrameType.Data:
                if ((flags & Http2Flags.Padded) != 0) parts.Add("Padded");
                if ((flags & Http2Flags.EndStream) != 0) parts.Add("End Stream");
                break;
            case Http2FrameType.Headers:
                if ((flags & Http2Flags.Priority) != 0) parts.Add("Priority");
                if ((flags & Http2Flags.Padded) != 0) parts.Add("Padded");
                if ((flags & Http2Flags.EndHeaders) != 0) parts.Add("End Headers");
                if ((flags & Http2Flags.EndStream) != 0) parts.Add("End Stream");
                break;
            case Http2FrameType.PushPromise:
                if ((flags & Http2Flags.Padded) != 0) parts.Add("Padded");
                if ((flags & Http2Flags.EndHeaders) != 0) parts.Add("End Headers");
                break;
            case Http2FrameType.Continuation:
                if ((flags & Http2Flags.EndHeaders) != 0) parts.Add("End Headers");
                break;
            case Http2FrameType.Settings:
            case Http2FrameType.Ping:
                if ((flags & Http2Flags.Ack) != 0) parts.Add("ACK");
                break;
        }
        return string.Join(", ", parts);
    }
}
