using HttpsFlow.Net;
using HttpsFlow.Tcp;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Tls.List;

/// <summary>Several observers behind the dissector's one <see cref="Pipeline.Dissector.TlsObserver"/>, called in order.</summary>
public sealed class TlsObservers(params ITlsObserver[] observers) : ITlsObserver
{
    public void OnRecord(Frame frame, TcpConversation conversation, bool fromA, in TlsRecord record, ushort version)
    {
        foreach (var o in observers) o.OnRecord(frame, conversation, fromA, record, version);
    }

    public void OnHandshake(Frame frame, TcpConversation conversation, bool fromA, in HandshakeEvent e, ushort version)
    {
        foreach (var o in observers) o.OnHandshake(frame, conversation, fromA, e, version);
    }

    public void OnNote(Frame frame, TcpConversation conversation, bool fromA, in TlsStreamNote note)
    {
        foreach (var o in observers) o.OnNote(frame, conversation, fromA, note);
    }

    public void OnSegment(Frame frame, TcpConversation conversation, bool fromA, ulong start, ulong end, int buffered)
    {
        foreach (var o in observers) o.OnSegment(frame, conversation, fromA, start, end, buffered);
    }

    public void OnQuotedRecord(Frame frame, TcpConversation conversation, bool fromA, in TlsRecord record, ushort version, bool headerOnly)
    {
        foreach (var o in observers) o.OnQuotedRecord(frame, conversation, fromA, record, version, headerOnly);
    }

    public void OnQuotedHandshake(Frame frame, TcpConversation conversation, bool fromA, in HandshakeEvent e, ushort version)
    {
        foreach (var o in observers) o.OnQuotedHandshake(frame, conversation, fromA, e, version);
    }

    public void OnQuoted(Frame frame, TcpConversation conversation, bool fromA, int length)
    {
        foreach (var o in observers) o.OnQuoted(frame, conversation, fromA, length);
    }

    public void OnConversationForgotten(TcpConversation conversation)
    {
        foreach (var o in observers) o.OnConversationForgotten(conversation);
    }
}
