using System.Collections.Frozen;

namespace HttpsFlow.Tls.Registry;

/// <summary>One value of a protocol registry, with the name IANA gives it and the name tshark prints for it.</summary>
/// <param name="Value">The value on the wire.</param>
/// <param name="IanaName">IANA's name (<c>handshake_failure</c>), or null where IANA assigns none.</param>
/// <param name="TsharkName">tshark 4.0.17's name (<c>Handshake Failure</c>), or null where tshark prints "Unknown".</param>
/// <param name="Recommended">IANA's Recommended column (Y, N, or D for discouraged) where the registry has one.</param>
/// <param name="Reference">IANA's Reference column where the data has one.</param>
public readonly record struct RegistryEntry(ushort Value, string? IanaName, string? TsharkName, string? Recommended, string? Reference)
{
    internal static FrozenDictionary<ushort, string> IanaNames(RegistryEntry[] entries) =>
        entries.Where(e => e.IanaName is not null).ToFrozenDictionary(e => e.Value, e => e.IanaName!);

    internal static FrozenDictionary<ushort, string> TsharkNames(RegistryEntry[] entries) =>
        entries.Where(e => e.TsharkName is not null).ToFrozenDictionary(e => e.Value, e => e.TsharkName!);
}

/// <summary>One registered ALPN protocol ID (RFC 7301 Section 6).</summary>
/// <param name="Id">The identification sequence, as sent in the extension (<c>h2</c> is 0x68 0x32).</param>
/// <param name="Protocol">IANA's protocol name (<c>HTTP/2 over TLS</c>).</param>
/// <param name="Reference">IANA's Reference column where the data has one.</param>
public sealed record AlpnProtocolEntry(ReadOnlyMemory<byte> Id, string Protocol, string? Reference);
