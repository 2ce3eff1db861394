using HttpsFlow.Net;
using HttpsFlow.Tcp;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Tls.List;

/// <summary>
/// Names the records the packet list cannot read from their bytes alone: the encrypted ones, once something (a
/// decryptor) knows what is inside. <see cref="TlsListLayer"/> asks it about every record after its
/// <see cref="TlsListLayer.Observer"/> has seen the record, so an observer that decrypts has already done so.
/// </summary>
public interface ITlsRecordNamer
{
    /// <summary>
    /// Names <paramref name="record"/> through <paramref name="columns"/> and returns true, or returns false to let the
    /// list name it from its header ("Application Data", "Encrypted Handshake Message", …).
    /// </summary>
    bool TryName(Frame frame, TcpConversation conversation, bool fromA, in TlsRecord record, TlsListColumns columns);
}

/// <summary>
/// The Protocol and Info columns of the frame being dissected, as a record namer may write them: TLS texts joined by
/// ", ", or an application protocol's line, which replaces what TLS wrote before it in the frame (HTTP and HTTP/2 set
/// the Info column rather than append to it, as in tshark).
/// </summary>
public sealed class TlsListColumns
{
    private readonly TlsListLayer _owner;

    internal TlsListColumns(TlsListLayer owner) => _owner = owner;

    /// <summary>Adds a TLS text ("Finished", "New Session Ticket", an alert) after a ", " when the column has one.</summary>
    public void AddTls(string text) => _owner.AddInfo(text);

    /// <summary>Sets the Protocol column (e.g. "HTTP") and replaces the Info column with <paramref name="info"/>.</summary>
    public void SetApplication(string protocol, string info) => _owner.SetApplication(protocol, info);

    /// <summary>Appends to the Info column as it stands, without a separator.</summary>
    public void Append(string text) => _owner.AppendInfo(text);

    /// <summary>Sets the Protocol column only.</summary>
    public void SetProtocol(string protocol) => _owner.SetApplicationProtocol(protocol);

    /// <summary>Appends to the Protocol column set by the application ("HTTP" becomes "HTTP/XML").</summary>
    public void AppendProtocol(string suffix) => _owner.SetApplicationProtocol((_owner.ApplicationProtocol ?? "") + suffix);

    /// <summary>Clears the Info column back to what a fence protects (tshark's col_clear / col_add_str).</summary>
    public void Clear() => _owner.ClearInfo();

    /// <summary>True for the first record completed in the frame.</summary>
    public bool IsFirstRecord => _owner.RecordIndex == 1;

    /// <summary>The application protocol already set in this frame, or null.</summary>
    public string? ApplicationProtocol => _owner.ApplicationProtocol;

    /// <summary>Marks the record as named even when nothing was written (a piece of a longer message).</summary>
    public void Consumed() => _owner.RecordConsumed();
}
