namespace HttpsFlow.Tls;

/// <summary>
/// The short TLS name tables the packet list needs, spelled as tshark 4.0 prints them in the Info and Protocol
/// columns (Wireshark's ssl_31_handshake_type, ssl_31_content_type, ssl_31_alert_level/description,
/// ssl_version_short_names, ssl_versions, ssl_20_msg_types). IANA-sized registries (cipher suites, groups,
/// signature schemes, extension types) are generated from data/ elsewhere.
/// </summary>
public static class TlsNames
{
    // ---- Info column texts that are not table lookups ----

    /// <summary>A handshake record that looks encrypted (a Finished after ChangeCipherSpec, or undecryptable data).</summary>
    public const string EncryptedHandshakeMessage = "Encrypted Handshake Message";
    public const string ChangeCipherSpec = "Change Cipher Spec";
    public const string ApplicationData = "Application Data";
    /// <summary>An alert record whose length is not 2 (Wireshark assumes it is encrypted).</summary>
    public const string EncryptedAlert = "Encrypted Alert";
    /// <summary>A ServerHello whose random is the HelloRetryRequest value (RFC 8446 §4.1.3).</summary>
    public const string HelloRetryRequest = "Hello Retry Request";
    /// <summary>Bytes that do not start a record, when the connection's version is not yet a known TLS 1.0–1.2.</summary>
    public const string ContinuationData = "Continuation Data";
    /// <summary>A record with an unknown content type in a TLS 1.0–1.2 connection (RFC 5246 §6: ignored).</summary>
    public const string IgnoredUnknownRecord = "Ignored Unknown Record";
    public const string EncryptedHeartbeat = "Encrypted Heartbeat";
    /// <summary>An SSLv2 record whose message type is not a known clear-text one.</summary>
    public const string EncryptedData = "Encrypted Data";
    /// <summary>Protocol column when the version is unknown.</summary>
    public const string SslProtocol = "SSL";

    /// <summary>HandshakeType as tshark names it ("Client Hello", …), or null for a value it does not know.</summary>
    public static string? HandshakeType(byte type) => type switch
    {
        0 => "Hello Request",
        1 => "Client Hello",
        2 => "Server Hello",
        3 => "Hello Verify Request",
        4 => "New Session Ticket",
        5 => "End of Early Data",
        6 => "Hello Retry Request",
        8 => "Encrypted Extensions",
        11 => "Certificate",
        12 => "Server Key Exchange",
        13 => "Certificate Request",
        14 => "Server Hello Done",
        15 => "Certificate Verify",
        16 => "Client Key Exchange",
        20 => "Finished",
        21 => "Client Certificate URL",
        22 => "Certificate Status",
        23 => "Supplemental Data",
        24 => "Key Update",
        25 => "Compressed Certificate",
        67 => "Encrypted Extensions",
        _ => null,
    };

    /// <summary>The Info text of a complete handshake message: its name, or "Encrypted Handshake Message" when unknown.</summary>
    public static string HandshakeInfo(byte type) => HandshakeType(type) ?? EncryptedHandshakeMessage;

    /// <summary>The Info text of the first fragment of a handshake message split across records: "[Certificate Fragment]".</summary>
    public static string HandshakeFragmentInfo(byte type) => HandshakeType(type) switch
    {
        null => "[Encrypted Handshake Message Fragment]",
        var name => "[" + name + " Fragment]",
    };

    /// <summary>ContentType as tshark names it, or null.</summary>
    public static string? ContentType(byte type) => type switch
    {
        20 => "Change Cipher Spec",
        21 => "Alert",
        22 => "Handshake",
        23 => "Application Data",
        24 => "Heartbeat",
        25 => "Connection ID",
        _ => null,
    };

    /// <summary>True for the content types Wireshark accepts (ssl_is_valid_content_type: 20–25).</summary>
    public static bool IsKnownContentType(byte type) => type is >= 20 and <= 25;

    /// <summary>True for the handshake types Wireshark accepts over TLS (ssl_is_valid_handshake_type; 3 is DTLS-only).</summary>
    public static bool IsValidHandshakeType(byte type) => type != 3 && HandshakeType(type) is not null;

    /// <summary>AlertLevel as tshark names it, or null.</summary>
    public static string? AlertLevel(byte level) => level switch
    {
        1 => "Warning",
        2 => "Fatal",
        _ => null,
    };

    /// <summary>AlertDescription as tshark names it (RFC 8446 §6, RFC 5246 §7.2, RFC 8446 §6.2, draft ECH), or null.</summary>
    public static string? AlertDescription(byte description) => description switch
    {
        0 => "Close Notify",
        1 => "End of Early Data",
        10 => "Unexpected Message",
        20 => "Bad Record MAC",
        21 => "Decryption Failed",
        22 => "Record Overflow",
        30 => "Decompression Failure",
        40 => "Handshake Failure",
        41 => "No Certificate",
        42 => "Bad Certificate",
        43 => "Unsupported Certificate",
        44 => "Certificate Revoked",
        45 => "Certificate Expired",
        46 => "Certificate Unknown",
        47 => "Illegal Parameter",
        48 => "Unknown CA",
        49 => "Access Denied",
        50 => "Decode Error",
        51 => "Decrypt Error",
        60 => "Export Restriction",
        70 => "Protocol Version",
        71 => "Insufficient Security",
        80 => "Internal Error",
        86 => "Inappropriate Fallback",
        90 => "User Canceled",
        100 => "No Renegotiation",
        109 => "Missing Extension",
        110 => "Unsupported Extension",
        111 => "Certificate Unobtainable",
        112 => "Unrecognized Name",
        113 => "Bad Certificate Status Response",
        114 => "Bad Certificate Hash Value",
        115 => "Unknown PSK Identity",
        116 => "Certificate Required",
        120 => "No application Protocol",
        121 => "ECH Required",
        _ => null,
    };

    /// <summary>"Alert (Level: Fatal, Description: Handshake Failure)"; unknown values print as "Unknown".</summary>
    public static string AlertInfo(byte level, byte description) =>
        "Alert (Level: " + (AlertLevel(level) ?? "Unknown") + ", Description: " + (AlertDescription(description) ?? "Unknown") + ")";

    /// <summary>The Protocol column's name of a version ("SSLv3", "TLSv1", … "TLSv1.3"), or null.</summary>
    public static string? VersionShortName(ushort version) => version switch
    {
        TlsVersion.Ssl2 => "SSLv2",
        TlsVersion.Ssl3 => "SSLv3",
        TlsVersion.Tls10 => "TLSv1",
        TlsVersion.GmTls => "GMTLSv1",
        TlsVersion.Tls11 => "TLSv1.1",
        TlsVersion.Tls12 => "TLSv1.2",
        TlsVersion.Tls13 => "TLSv1.3",
        TlsVersion.Dtls10 => "DTLSv1.0",
        TlsVersion.Dtls12 => "DTLSv1.2",
        TlsVersion.Dtls10OpenSsl => "DTLS 1.0 (OpenSSL pre 0.9.8f)",
        _ => null,
    };

    /// <summary>The Protocol column: <see cref="VersionShortName"/>, or "SSL" for a version it does not know.</summary>
    public static string ProtocolColumn(ushort version) => VersionShortName(version) ?? SslProtocol;

    /// <summary>A ProtocolVersion as tshark names it in fields ("TLS 1.2", "TLS 1.3 (draft 23)", "Reserved (GREASE)"), or null.</summary>
    public static string? VersionName(ushort version)
    {
        switch (version)
        {
            case TlsVersion.Ssl2: return "SSL 2.0";
            case TlsVersion.Ssl3: return "SSL 3.0";
            case TlsVersion.Tls10: return "TLS 1.0";
            case TlsVersion.GmTls: return "GMTLS";
            case TlsVersion.Tls11: return "TLS 1.1";
            case TlsVersion.Tls12: return "TLS 1.2";
            case TlsVersion.Tls13: return "TLS 1.3";
            case 0xfb17: return "TLS 1.3 (Facebook draft 23)";
            case 0xfb1a: return "TLS 1.3 (Facebook draft 26)";
            case TlsVersion.Dtls10OpenSsl: return "DTLS 1.0 (OpenSSL pre 0.9.8f)";
            case TlsVersion.Dtls10: return "DTLS 1.0";
            case TlsVersion.Dtls12: return "DTLS 1.2";
        }
        int draft = TlsVersion.Tls13Draft(version);
        if (draft is >= 14 and <= 28) return "TLS 1.3 (draft " + draft + ")";
        return Registry.Grease.IsGrease(version) ? "Reserved (GREASE)" : null;
    }

    /// <summary>SSL 2.0 message types (RFC 6101 Appendix E; Wireshark's ssl_20_msg_types), or null.</summary>
    public static string? Ssl2MessageType(byte type) => type switch
    {
        0 => "Error",
        1 => "Client Hello",
        2 => "Client Master Key",
        3 => "Client Finished",
        4 => "Server Hello",
        5 => "Server Verify",
        6 => "Server Finished",
        7 => "Request Certificate",
        8 => "Client Certificate",
        _ => null,
    };

    /// <summary>HeartbeatMessageType (RFC 6520 §3): "Request", "Response", or null.</summary>
    public static string? HeartbeatType(byte type) => type switch
    {
        1 => "Request",
        2 => "Response",
        _ => null,
    };

    /// <summary>
    /// A name (server_name, ALPN protocol) as tshark 4.0 reads it, as ASCII (ENC_ASCII): a byte above 0x7f becomes
    /// U+FFFD, and the string ends at its first NUL.
    /// </summary>
    public static string AsciiText(ReadOnlySpan<byte> bytes)
    {
        int nul = bytes.IndexOf((byte)0);
        if (nul >= 0) bytes = bytes[..nul];
        var chars = bytes.Length <= 256 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = bytes[i] < 0x80 ? (char)bytes[i] : '\uFFFD';
        return new string(chars);
    }
}
