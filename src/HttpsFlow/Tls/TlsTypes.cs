using System.Globalization;

namespace HttpsFlow.Tls;

// Wire values of TLS as open enums: every value the wire can carry is representable, the named ones are those the
// parsers need. Names for display come from TlsNames (short lists) or from the registries generated from data/
// (cipher suites, groups, signature schemes, extension types), which can extend these partial structs.

/// <summary>
/// ContentType of a TLSPlaintext record (RFC 8446 §5.1; RFC 5246 §6.2.1; 24 heartbeat, RFC 6520; 25 tls12_cid,
/// RFC 9146). A plain C# enum is open: any byte converts to it, and unnamed values print as their number.
/// </summary>
public enum TlsContentType : byte
{
    Invalid = 0,
    ChangeCipherSpec = 20,
    Alert = 21,
    Handshake = 22,
    ApplicationData = 23,
    Heartbeat = 24,
    Tls12Cid = 25,
}

/// <summary>HandshakeType (RFC 8446 §4; RFC 5246 §7.4; RFC 5077; RFC 6066; RFC 8879; NPN's 67).</summary>
public enum TlsHandshakeType : byte
{
    HelloRequest = 0,
    ClientHello = 1,
    ServerHello = 2,
    HelloVerifyRequest = 3,
    NewSessionTicket = 4,
    EndOfEarlyData = 5,
    /// <summary>Draft TLS 1.3 (before -22) only; RFC 8446 sends a ServerHello with a special random instead.</summary>
    HelloRetryRequest = 6,
    EncryptedExtensions = 8,
    Certificate = 11,
    ServerKeyExchange = 12,
    CertificateRequest = 13,
    ServerHelloDone = 14,
    CertificateVerify = 15,
    ClientKeyExchange = 16,
    Finished = 20,
    CertificateUrl = 21,
    CertificateStatus = 22,
    SupplementalData = 23,
    KeyUpdate = 24,
    CompressedCertificate = 25,
    /// <summary>draft-agl-tls-nextprotoneg's EncryptedExtensions (NPN), not TLS 1.3's.</summary>
    NextProtocol = 67,
}

/// <summary>AlertLevel (RFC 5246 §7.2).</summary>
public enum TlsAlertLevel : byte
{
    Warning = 1,
    Fatal = 2,
}

/// <summary>ProtocolVersion values (RFC 8446 §4.2.1, RFC 5246 Appendix E, RFC 6347; 0x0002 stands for SSL 2.0).</summary>
public static class TlsVersion
{
    public const ushort Unknown = 0;
    /// <summary>Not on the wire: the value Wireshark gives SSL 2.0 records, which have no version field.</summary>
    public const ushort Ssl2 = 0x0002;
    public const ushort Ssl3 = 0x0300;
    public const ushort Tls10 = 0x0301;
    public const ushort Tls11 = 0x0302;
    public const ushort Tls12 = 0x0303;
    public const ushort Tls13 = 0x0304;
    /// <summary>GM/T 0024 (Chinese national TLS).</summary>
    public const ushort GmTls = 0x0101;
    public const ushort Dtls10 = 0xfeff;
    public const ushort Dtls12 = 0xfefd;
    public const ushort Dtls10OpenSsl = 0x0100;

    /// <summary>The draft number of a TLS 1.3 draft version (0x7fNN), or 0.</summary>
    public static int Tls13Draft(ushort version) => (version & 0xff00) == 0x7f00 ? version & 0xff : 0;

    /// <summary>True for the record-layer versions a stream of SSL 3.0 / TLS records carries.</summary>
    public static bool IsSsl3OrTls(ushort version) => version is Ssl3 or Tls10 or Tls11 or Tls12 or Tls13 or GmTls;
}

/// <summary>A CipherSuite code point (RFC 8446 §B.4, RFC 5246 §A.5). Names come from the generated registry.</summary>
public readonly partial record struct CipherSuite(ushort Value) : IWireValue16<CipherSuite>
{
    static CipherSuite IWireValue16<CipherSuite>.FromWire(ushort value) => new(value);

    public static readonly CipherSuite EmptyRenegotiationInfoScsv = new(0x00ff);
    public static readonly CipherSuite FallbackScsv = new(0x5600);

    public bool IsGrease => Registry.Grease.IsGrease(Value);

    /// <summary>tshark's name, else IANA's (from the generated registry), else null.</summary>
    public string? Name => Registry.CipherSuites.Name(Value);

    public override string ToString() => "0x" + Value.ToString("x4", CultureInfo.InvariantCulture);
}

/// <summary>A NamedGroup (RFC 8446 §4.2.7; RFC 8422; RFC 7919).</summary>
public readonly partial record struct NamedGroup(ushort Value) : IWireValue16<NamedGroup>
{
    static NamedGroup IWireValue16<NamedGroup>.FromWire(ushort value) => new(value);

    public static readonly NamedGroup Secp256r1 = new(0x0017);
    public static readonly NamedGroup Secp384r1 = new(0x0018);
    public static readonly NamedGroup Secp521r1 = new(0x0019);
    public static readonly NamedGroup X25519 = new(0x001d);
    public static readonly NamedGroup X448 = new(0x001e);
    public static readonly NamedGroup Ffdhe2048 = new(0x0100);

    public bool IsGrease => Registry.Grease.IsGrease(Value);

    /// <summary>tshark's name, else IANA's (from the generated registry), else null.</summary>
    public string? Name => Registry.NamedGroups.Name(Value);

    public override string ToString() => "0x" + Value.ToString("x4", CultureInfo.InvariantCulture);
}

/// <summary>
/// A SignatureScheme (RFC 8446 §4.2.3), which for TLS 1.2 is read as SignatureAndHashAlgorithm (RFC 5246 §7.4.1.4.1):
/// the high byte the hash, the low byte the signature algorithm.
/// </summary>
public readonly partial record struct SignatureScheme(ushort Value) : IWireValue16<SignatureScheme>
{
    static SignatureScheme IWireValue16<SignatureScheme>.FromWire(ushort value) => new(value);

    public static readonly SignatureScheme RsaPkcs1Sha256 = new(0x0401);
    public static readonly SignatureScheme EcdsaSecp256r1Sha256 = new(0x0403);
    public static readonly SignatureScheme RsaPssRsaeSha256 = new(0x0804);
    public static readonly SignatureScheme Ed25519 = new(0x0807);

    /// <summary>TLS 1.2's HashAlgorithm (none 0, md5 1, sha1 2, sha224 3, sha256 4, sha384 5, sha512 6).</summary>
    public byte Hash => (byte)(Value >> 8);

    /// <summary>TLS 1.2's SignatureAlgorithm (anonymous 0, rsa 1, dsa 2, ecdsa 3).</summary>
    public byte Signature => (byte)Value;

    public bool IsGrease => Registry.Grease.IsGrease(Value);

    /// <summary>tshark's name, else IANA's (from the generated registry), else null.</summary>
    public string? Name => Registry.SignatureSchemes.Name(Value);

    public override string ToString() => "0x" + Value.ToString("x4", CultureInfo.InvariantCulture);
}

/// <summary>An ExtensionType (RFC 8446 §4.2 and the IANA TLS ExtensionType Values registry).</summary>
public readonly partial record struct ExtensionType(ushort Value) : IWireValue16<ExtensionType>
{
    static ExtensionType IWireValue16<ExtensionType>.FromWire(ushort value) => new(value);

    public static readonly ExtensionType ServerName = new(0);                    // RFC 6066 §3
    public static readonly ExtensionType MaxFragmentLength = new(1);             // RFC 6066 §4
    public static readonly ExtensionType StatusRequest = new(5);                 // RFC 6066 §8
    public static readonly ExtensionType SupportedGroups = new(10);              // RFC 8446 §4.2.7
    public static readonly ExtensionType EcPointFormats = new(11);               // RFC 8422 §5.1.2
    public static readonly ExtensionType SignatureAlgorithms = new(13);          // RFC 8446 §4.2.3
    public static readonly ExtensionType Heartbeat = new(15);                    // RFC 6520
    public static readonly ExtensionType Alpn = new(16);                         // RFC 7301
    public static readonly ExtensionType SignedCertificateTimestamp = new(18);   // RFC 6962 §3.3.1
    public static readonly ExtensionType ClientCertificateType = new(19);        // RFC 7250
    public static readonly ExtensionType ServerCertificateType = new(20);        // RFC 7250
    public static readonly ExtensionType Padding = new(21);                      // RFC 7685
    public static readonly ExtensionType EncryptThenMac = new(22);               // RFC 7366
    public static readonly ExtensionType ExtendedMasterSecret = new(23);         // RFC 7627
    public static readonly ExtensionType CompressCertificate = new(27);          // RFC 8879
    public static readonly ExtensionType RecordSizeLimit = new(28);              // RFC 8449
    public static readonly ExtensionType SessionTicket = new(35);                // RFC 5077, RFC 8447
    public static readonly ExtensionType PreSharedKey = new(41);                 // RFC 8446 §4.2.11
    public static readonly ExtensionType EarlyData = new(42);                    // RFC 8446 §4.2.10
    public static readonly ExtensionType SupportedVersions = new(43);            // RFC 8446 §4.2.1
    public static readonly ExtensionType Cookie = new(44);                       // RFC 8446 §4.2.2
    public static readonly ExtensionType PskKeyExchangeModes = new(45);          // RFC 8446 §4.2.9
    public static readonly ExtensionType CertificateAuthorities = new(47);       // RFC 8446 §4.2.4
    public static readonly ExtensionType OidFilters = new(48);                   // RFC 8446 §4.2.5
    public static readonly ExtensionType PostHandshakeAuth = new(49);            // RFC 8446 §4.2.6
    public static readonly ExtensionType SignatureAlgorithmsCert = new(50);      // RFC 8446 §4.2.3
    public static readonly ExtensionType KeyShare = new(51);                     // RFC 8446 §4.2.8
    public static readonly ExtensionType EncryptedClientHello = new(0xfe0d);     // draft-ietf-tls-esni
    public static readonly ExtensionType RenegotiationInfo = new(0xff01);        // RFC 5746 §3.2

    public bool IsGrease => Registry.Grease.IsGrease(Value);

    /// <summary>tshark's name, else IANA's (from the generated registry), else null.</summary>
    public string? Name => Registry.ExtensionTypes.Name(Value);

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// How a cipher suite's keys are exchanged (RFC 5246 §7.4.3, RFC 4492, RFC 4279, RFC 5489): what the
/// ServerKeyExchange and ClientKeyExchange bodies hold. The caller maps the negotiated suite to one of these.
/// </summary>
public enum KeyExchangeAlgorithm : byte
{
    /// <summary>Not known (no suite negotiated, or one this list does not cover): the bodies stay raw.</summary>
    Unknown,
    /// <summary>RSA key transport: EncryptedPreMasterSecret; a ServerKeyExchange only for RSA_EXPORT.</summary>
    Rsa,
    /// <summary>DH_DSS / DH_RSA: fixed Diffie-Hellman, no ServerKeyExchange.</summary>
    Dh,
    /// <summary>DHE_DSS / DHE_RSA: signed ServerDHParams.</summary>
    Dhe,
    /// <summary>DH_anon: unsigned ServerDHParams.</summary>
    DhAnon,
    /// <summary>ECDH_ECDSA / ECDH_RSA: ServerECDHParams and a signature (as Wireshark reads them).</summary>
    Ecdh,
    /// <summary>ECDHE_ECDSA / ECDHE_RSA: signed ServerECDHParams.</summary>
    Ecdhe,
    /// <summary>ECDH_anon: unsigned ServerECDHParams.</summary>
    EcdhAnon,
    /// <summary>PSK: psk_identity_hint / psk_identity.</summary>
    Psk,
    /// <summary>RSA_PSK: psk_identity_hint / psk_identity and EncryptedPreMasterSecret.</summary>
    RsaPsk,
    /// <summary>DHE_PSK (not decoded further, as in Wireshark 4.0).</summary>
    DhePsk,
    /// <summary>ECDHE_PSK (not decoded further, as in Wireshark 4.0).</summary>
    EcdhePsk,
    /// <summary>SRP (not decoded further).</summary>
    Srp,
    /// <summary>KRB5 (not decoded further).</summary>
    Krb5,
    /// <summary>TLS 1.3: key exchange happens in key_share; there is no ServerKeyExchange or ClientKeyExchange.</summary>
    Tls13,
}
