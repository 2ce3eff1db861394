namespace HttpsFlow.Common;

/// <summary>Severity of an expert note, with Wireshark's levels.</summary>
public enum Severity : byte { Chat, Note, Warning, Error }

/// <summary>
/// A fact a dissector wants a person to notice: a malformed header, a truncated packet, a retransmission.
/// Parsers never throw on bad bytes; they add a note and go on.
/// </summary>
/// <param name="Severity">How bad it is.</param>
/// <param name="Group">Wireshark's expert group: "Malformed", "Sequence", "Protocol", ….</param>
/// <param name="Protocol">The protocol that raised it (ip, tcp, …).</param>
/// <param name="Message">What a person reads.</param>
public readonly record struct ExpertNote(Severity Severity, string Group, string Protocol, string Message);

/// <summary>
/// Wireshark's numbers and names for expert severities and groups (epan/proto.h, PI_*), as tshark prints them in
/// <c>_ws.expert.severity</c>, <c>_ws.expert.group</c> and the "Expert Info (Warning/Sequence)" label.
/// </summary>
public static class ExpertCodes
{
    /// <summary>PI_CHAT, PI_NOTE, PI_WARN, PI_ERROR.</summary>
    public static uint SeverityValue(Severity severity) => severity switch
    {
        Severity.Chat => 0x00200000,
        Severity.Note => 0x00400000,
        Severity.Warning => 0x00600000,
        _ => 0x00800000,
    };

    public static string SeverityName(Severity severity) => severity switch
    {
        Severity.Chat => "Chat",
        Severity.Note => "Note",
        Severity.Warning => "Warning",
        _ => "Error",
    };

    /// <summary>PI_CHECKSUM … PI_DEPRECATED, by the group's name (0 for a name Wireshark does not have).</summary>
    public static uint GroupValue(string group) => group switch
    {
        "Checksum" => 0x01000000,
        "Sequence" => 0x02000000,
        "Response" => 0x03000000,
        "Request" => 0x04000000,
        "Undecoded" => 0x05000000,
        "Reassemble" => 0x06000000,
        "Malformed" => 0x07000000,
        "Debug" => 0x08000000,
        "Protocol" => 0x09000000,
        "Security" => 0x0a000000,
        "Comment" => 0x0b000000,
        "Decryption" => 0x0c000000,
        "Assumption" => 0x0d000000,
        "Deprecated" => 0x0e000000,
        _ => 0,
    };
}
