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
