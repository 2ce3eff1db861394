namespace HttpsFlow.Tls.Registry;

/// <summary>
/// A TLS cipher suite from IANA's registry, decomposed into the parts a reader of a handshake wants explained.
/// </summary>
/// <remarks>
/// The parts are derived from IANA's name by data/generate.py; its header states the rules. Examples:
/// <c>TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256</c> is ECDHE / RSA / AES_128_GCM / GCM / 128 / SHA256, AEAD, forward
/// secret; <c>TLS_AES_128_GCM_SHA256</c> (TLS 1.3) is any / any / AES_128_GCM / GCM / 128 / SHA256;
/// <c>TLS_RSA_WITH_3DES_EDE_CBC_SHA</c> is RSA / RSA / 3DES_EDE_CBC / CBC / 168 / SHA, not forward secret.
/// Signalling values (<c>TLS_EMPTY_RENEGOTIATION_INFO_SCSV</c>, <c>TLS_FALLBACK_SCSV</c>) have every part empty.
/// </remarks>
public sealed class CipherSuiteInfo
{
    internal CipherSuiteInfo(ushort value, string ianaName, string? tsharkName, string keyExchange, string authentication,
        string cipher, string mode, int keyBits, string hash, bool isAead, bool encrypts, bool isTls13, bool isExport,
        bool isSignaling, bool isForwardSecret, string recommended, string dtlsOk, string reference)
    {
        Value = value;
        IanaName = ianaName;
        TsharkName = tsharkName;
        KeyExchange = keyExchange;
        Authentication = authentication;
        Cipher = cipher;
        Mode = mode;
        KeyBits = keyBits;
        Hash = hash;
        IsAead = isAead;
        Encrypts = encrypts;
        IsTls13 = isTls13;
        IsExport = isExport;
        IsSignaling = isSignaling;
        IsForwardSecret = isForwardSecret;
        Recommended = recommended;
        DtlsOk = dtlsOk;
        Reference = reference;
    }

    /// <summary>The suite's two bytes as one number: 0xC02F.</summary>
    public ushort Value { get; }

    /// <summary>IANA's name: <c>TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256</c>.</summary>
    public string IanaName { get; }

    /// <summary>The name tshark 4.0.17 prints, or null where it prints "Unknown" (suites registered after it).</summary>
    public string? TsharkName { get; }

    /// <summary>Key exchange: ECDHE, DHE, RSA, DH, ECDH, PSK, DHE_PSK, ECDHE_PSK, RSA_PSK, KRB5, SRP_SHA, ECCPWD,
    /// GOSTR341112_256, NULL; "any" for a TLS 1.3 suite (negotiated by supported_groups and key_share instead).</summary>
    public string KeyExchange { get; }

    /// <summary>Authentication: RSA, ECDSA, DSS, PSK, RSA+PSK, anon, KRB5, SRP, ECCPWD, GOSTR341112_256, NULL; "any" for
    /// a TLS 1.3 suite (negotiated by signature_algorithms).</summary>
    public string Authentication { get; }

    /// <summary>Bulk cipher with its key size and mode as IANA spells it: AES_128_GCM, CHACHA20_POLY1305,
    /// AES_256_CBC, 3DES_EDE_CBC, RC4_128, NULL.</summary>
    public string Cipher { get; }

    /// <summary>Mode: GCM, CCM, CCM_8, POLY1305, CBC, stream (RC4), CTR, CNT, MGM, AEGIS, ASCON, none (NULL).</summary>
    public string Mode { get; }

    /// <summary>Key length in bits: 128, 256, 168 for 3DES, 56 for DES, 40 for export ciphers, 0 for NULL.</summary>
    public int KeyBits { get; }

    /// <summary>The hash in the name: SHA256, SHA384, SHA (HMAC-SHA1), MD5, SM3 ... For CBC and stream suites the MAC's
    /// hash; for AEAD suites the PRF's (TLS 1.2) or HKDF's (TLS 1.3).</summary>
    public string Hash { get; }

    /// <summary>True when records are protected by an AEAD (GCM, CCM, ChaCha20-Poly1305 ...).</summary>
    public bool IsAead { get; }

    /// <summary>False for the NULL ciphers, which authenticate records without encrypting them.</summary>
    public bool Encrypts { get; }

    /// <summary>True for a TLS 1.3 suite (cipher and hash only).</summary>
    public bool IsTls13 { get; }

    /// <summary>True for an export suite (deliberately weakened, withdrawn since TLS 1.1).</summary>
    public bool IsExport { get; }

    /// <summary>True for a signalling value sent in the suite list, not a suite (TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
    /// TLS_FALLBACK_SCSV).</summary>
    public bool IsSignaling { get; }

    /// <summary>True when the key exchange uses fresh ephemeral secrets, so a later theft of the server's key does not
    /// reveal the traffic keys (DHE, ECDHE and their PSK forms, SRP, ECCPWD, every TLS 1.3 suite).</summary>
    public bool IsForwardSecret { get; }

    /// <summary>IANA's Recommended column as written: Y, N, D (discouraged), or empty.</summary>
    public string Recommended { get; }

    /// <summary>True when IANA marks the suite Recommended (Y).</summary>
    public bool IsRecommended => Recommended == "Y";

    /// <summary>IANA's DTLS-OK column: Y or N.</summary>
    public string DtlsOk { get; }

    /// <summary>IANA's Reference column: <c>[RFC5289]</c>.</summary>
    public string Reference { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{IanaName} (0x{Value:x4})";
}
