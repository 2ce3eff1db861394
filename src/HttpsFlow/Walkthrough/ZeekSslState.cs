using System.Text;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Walkthrough;

/// <summary>
/// The facts of a connection that Zeek's ssl.log derives from the order of records, followed as the records arrive:
/// <see cref="History"/> (ssl_history), <see cref="Established"/>, <see cref="LastAlert"/> and the part of
/// resumption that depends on order.
/// </summary>
/// <remarks>
/// The rules, as Zeek's documentation of ssl.log and its baselines describe them (no code taken from Zeek):
/// <list type="bullet">
/// <item>ssl_history has one letter per event, upper case when the client sent it: C client_hello, S server_hello,
/// J hello_retry_request, H hello_request, V hello_verify_request, T new_session_ticket, E end_of_early_data,
/// O encrypted_extensions, X certificate, K server_key_exchange, R certificate_request, N server_hello_done,
/// Y certificate_verify, G client_key_exchange, F finished, W certificate_url, U certificate_status,
/// A supplemental_data, P key_update, M message_hash, Z any other handshake type, I change_cipher_spec,
/// B heartbeat, L alert, Q an unknown content type. Only messages seen in the clear have letters; at most 100.</item>
/// <item>A side's records are ciphertext once it has sent ChangeCipherSpec or, when the server chose TLS 1.3, once
/// it has sent an application_data record. The connection is established at the first ciphertext record after
/// both sides are encrypted; Zeek stops analysing there, so nothing after it (alerts included) is recorded.</item>
/// <item>last_alert is the description of the last alert read in the clear before that point.</item>
/// </list>
/// </remarks>
public sealed class ZeekSslState
{
    /// <summary>Zeek's limit on the history's length.</summary>
    public const int MaxHistory = 100;

    private readonly StringBuilder _history = new();
    private bool _clientEncrypted, _serverEncrypted;

    /// <summary>ssl_history.</summary>
    public string History => _history.ToString();

    /// <summary>Both sides switched to encryption and a protected record followed.</summary>
    public bool Established { get; private set; }

    /// <summary>The description of the last alert seen in the clear (null: none).</summary>
    public byte? LastAlert { get; private set; }

    /// <summary>The client sent ChangeCipherSpec before any ClientKeyExchange (an abbreviated handshake).</summary>
    public bool ClientCcsWithoutKeyExchange { get; private set; }

    private void Add(bool fromClient, char letter)
    {
        if (_history.Length >= MaxHistory) return;
        _history.Append(fromClient ? char.ToUpperInvariant(letter) : letter);
    }

    private static bool ChoseTls13(TlsConnection c) =>
        c.ServerHello is { } sh && (sh.Version == TlsVersion.Tls13 || (sh.Version & 0xff00) is 0x7f00 or 0x7e00);

    internal void OnRecord(TlsConnection c, bool fromA, in TlsRecord record)
    {
        if (Established) return;
        if (record.Kind == TlsRecordKind.Ssl2)
        {
            if (record.Ssl2MessageType == 1) Add(true, 'c');
            else if (record.Ssl2MessageType == 4) Add(false, 's');
            return;
        }
        if (record.Kind != TlsRecordKind.Tls) return;
        bool client = c.IsFromClient(fromA);
        bool encrypted = client ? _clientEncrypted : _serverEncrypted;
        switch (record.ContentType)
        {
            case TlsContentType.ChangeCipherSpec when !encrypted:
                Add(client, 'i');
                if (client)
                {
                    _clientEncrypted = true;
                    if (c.ClientKeyExchange is null) ClientCcsWithoutKeyExchange = true;
                }
                else _serverEncrypted = true;
                return;
            case TlsContentType.Alert when !encrypted:
                Add(client, 'l');
                if (record.Fragment.Length >= 2) LastAlert = record.Fragment[1];
                return;
            case TlsContentType.Heartbeat when !encrypted:
                Add(client, 'b');
                return;
            case TlsContentType.Handshake when !encrypted:
                return; // its messages follow
            case TlsContentType.ApplicationData when !encrypted && ChoseTls13(c):
                encrypted = true;
                if (client) _clientEncrypted = true; else _serverEncrypted = true;
                break;
            case TlsContentType.ChangeCipherSpec or TlsContentType.Alert or TlsContentType.Heartbeat
                or TlsContentType.Handshake or TlsContentType.ApplicationData:
                break;
            default:
                if (!encrypted) Add(client, 'q');
                return;
        }
        if (encrypted && _clientEncrypted && _serverEncrypted) Established = true;
    }

    internal void OnMessage(TlsConnection c, bool fromA, byte type, bool helloRetryRequest)
    {
        if (Established) return;
        char letter = helloRetryRequest ? 'j' : type switch
        {
            0 => 'h', 1 => 'c', 2 => 's', 3 => 'v', 4 => 't', 5 => 'e', 6 => 'j', 8 => 'o', 11 => 'x', 12 => 'k',
            13 => 'r', 14 => 'n', 15 => 'y', 16 => 'g', 20 => 'f', 21 => 'w', 22 => 'u', 23 => 'a', 24 => 'p',
            254 => 'm', _ => 'z',
        };
        Add(c.IsFromClient(fromA), letter);
    }
}
