using HttpsFlow.Net;
using HttpsFlow.Tcp;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Tls.List;

/// <summary>
/// Sees every TLS record and handshake event as <see cref="TlsListLayer"/> finds them, in the single pass, for the
/// consumers that need more than the packet list's text (fields, the detail tree, the walkthrough). Calls for a frame
/// arrive while that frame is being dissected, before <see cref="Pipeline.Dissector.Next"/> returns it; spans are
/// valid only during the call. An observer must not throw; the dissector's guard would mark the frame malformed.
/// </summary>
public interface ITlsObserver
{
    /// <summary>A record completed in <paramref name="frame"/>; its handshake messages follow as <see cref="OnHandshake"/>.</summary>
    /// <remarks>
    /// fromA is true when the record travels from the conversation's endpoint A (the first packet's sender); version is
    /// the connection's version as negotiated so far (0 before a ServerHello).
    /// </remarks>
    void OnRecord(Frame frame, TcpConversation conversation, bool fromA, in TlsRecord record, ushort version);

    /// <summary>A handshake message (or piece, or encrypted handshake record) of the record last reported.</summary>
    void OnHandshake(Frame frame, TcpConversation conversation, bool fromA, in HandshakeEvent e, ushort version);

    /// <summary>A note about a direction's stream (a record too long, cut short, …).</summary>
    void OnNote(Frame frame, TcpConversation conversation, bool fromA, in TlsStreamNote note)
    {
    }

    /// <summary>
    /// A segment's bytes [<paramref name="start"/>, <paramref name="end"/>) of a direction's stream were given to TLS in
    /// <paramref name="frame"/> (after its records and handshake messages were reported); <paramref name="buffered"/>
    /// bytes at the end wait for the rest of a record.
    /// </summary>
    void OnSegment(Frame frame, TcpConversation conversation, bool fromA, ulong start, ulong end, int buffered)
    {
    }

    /// <summary>
    /// A record read from the TCP payload that an ICMP error (<paramref name="frame"/>) quotes from
    /// <paramref name="conversation"/>. TLS reads such a quote on its own, as tshark does: a one-off fragment, with the
    /// connection's version (<paramref name="version"/>) but no reassembly, no decryption, and nothing kept for the
    /// connection's own records. A record the quote cuts short is not reported. <paramref name="headerOnly"/>: an empty
    /// record that ends the quote, whose dissection tshark ends after its header (reading past the quote).
    /// </summary>
    void OnQuotedRecord(Frame frame, TcpConversation conversation, bool fromA, in TlsRecord record, ushort version, bool headerOnly)
    {
    }

    /// <summary>A handshake message (or piece) of the quoted record last reported (see <see cref="OnQuotedRecord"/>).</summary>
    void OnQuotedHandshake(Frame frame, TcpConversation conversation, bool fromA, in HandshakeEvent e, ushort version)
    {
    }

    /// <summary>
    /// TLS read <paramref name="length"/> bytes of TCP payload quoted in the ICMP error <paramref name="frame"/> (after
    /// its records were reported; called even when it found none).
    /// </summary>
    void OnQuoted(Frame frame, TcpConversation conversation, bool fromA, int length)
    {
    }

    /// <summary>
    /// No segment will reach <paramref name="conversation"/> again (its ports were reused, or the connection table was
    /// full and it was the idlest, see <see cref="TcpConversations.ConversationForgotten"/>): what the observer keeps
    /// only to follow it can go. Called between frames or while the frame that caused it is dissected.
    /// </summary>
    void OnConversationForgotten(TcpConversation conversation)
    {
    }
}
