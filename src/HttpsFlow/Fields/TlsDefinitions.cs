using B = HttpsFlow.Fields.FieldBase;
using T = HttpsFlow.Fields.FieldType;

namespace HttpsFlow.Fields;

/// <summary>tls.*: records, handshake messages, extensions, JA3, reassembly. Names, types and bases are tshark 4.0's.</summary>
public static class TlsFields
{
    // Defines its fields only after the class before it, whichever class a thread touches first: the registry's
    // order (and ids) never depends on which tests or commands ran first or in parallel.
    private static readonly FieldDef s_after = OtherFields.Udp;

    public static readonly FieldDef Tls = FieldRegistry.Define("tls", "Transport Layer Security", T.Protocol);
    public static readonly FieldDef Record = FieldRegistry.Define("tls.record", "Record Layer", T.None);
    public static readonly FieldDef ContentType = FieldRegistry.Define("tls.record.content_type", "Content Type", T.UInt8, B.Dec);
    public static readonly FieldDef OpaqueType = FieldRegistry.Define("tls.record.opaque_type", "Opaque Type", T.UInt8, B.Dec);
    public static readonly FieldDef RecordVersion = FieldRegistry.Define("tls.record.version", "Version", T.UInt16, B.Hex);
    public static readonly FieldDef RecordLength = FieldRegistry.Define("tls.record.length", "Length", T.UInt16, B.Dec);
    public static readonly FieldDef ChangeCipherSpec = FieldRegistry.Define("tls.change_cipher_spec", "Change Cipher Spec Message", T.None);
    public static readonly FieldDef AlertMessage = FieldRegistry.Define("tls.alert_message", "Alert Message", T.None);
    public static readonly FieldDef AlertLevel = FieldRegistry.Define("tls.alert_message.level", "Level", T.UInt8, B.Dec);
    public static readonly FieldDef AlertDesc = FieldRegistry.Define("tls.alert_message.desc", "Description", T.UInt8, B.Dec);
    public static readonly FieldDef Handshake = FieldRegistry.Define("tls.handshake", "Handshake Protocol", T.None);
    public static readonly FieldDef HandshakeType = FieldRegistry.Define("tls.handshake.type", "Handshake Message Type", T.UInt8, B.Dec);
    public static readonly FieldDef HandshakeLength = FieldRegistry.Define("tls.handshake.length", "Length", T.UInt24, B.Dec);
    public static readonly FieldDef Version = FieldRegistry.Define("tls.handshake.version", "Version", T.UInt16, B.Hex);
    public static readonly FieldDef Random = FieldRegistry.Define("tls.handshake.random", "Random", T.Bytes);
    public static readonly FieldDef SessionIdLength = FieldRegistry.Define("tls.handshake.session_id_length", "Session ID Length", T.UInt16, B.Dec);
    public static readonly FieldDef SessionId = FieldRegistry.Define("tls.handshake.session_id", "Session ID", T.Bytes);
    public static readonly FieldDef CipherSuitesLength = FieldRegistry.Define("tls.handshake.cipher_suites_length", "Cipher Suites Length", T.UInt16, B.Dec);
    public static readonly FieldDef CipherSuite = FieldRegistry.Define("tls.handshake.ciphersuite", "Cipher Suite", T.UInt16, B.Hex);
    public static readonly FieldDef CompMethodsLength = FieldRegistry.Define("tls.handshake.comp_methods_length", "Compression Methods Length", T.UInt8, B.Dec);
    public static readonly FieldDef CompMethod = FieldRegistry.Define("tls.handshake.comp_method", "Compression Method", T.UInt8, B.Dec);
    public static readonly FieldDef ExtensionsLength = FieldRegistry.Define("tls.handshake.extensions_length", "Extensions Length", T.UInt16, B.Dec);
    public static readonly FieldDef ExtensionType = FieldRegistry.Define("tls.handshake.extension.type", "Type", T.UInt16, B.Dec);
    public static readonly FieldDef ExtensionLen = FieldRegistry.Define("tls.handshake.extension.len", "Length", T.UInt16, B.Dec);
    public static readonly FieldDef ServerNameListLen = FieldRegistry.Define("tls.handshake.extensions_server_name_list_len", "Server Name list length", T.UInt16, B.Dec);
    public static readonly FieldDef ServerNameType = FieldRegistry.Define("tls.handshake.extensions_server_name_type", "Server Name Type", T.UInt8, B.Dec);
    public static readonly FieldDef ServerNameLen = FieldRegistry.Define("tls.handshake.extensions_server_name_len", "Server Name length", T.UInt16, B.Dec);
    public static readonly FieldDef ServerName = FieldRegistry.Define("tls.handshake.extensions_server_name", "Server Name", T.String);
    public static readonly FieldDef SupportedGroupsLength = FieldRegistry.Define("tls.handshake.extensions_supported_groups_length", "Supported Groups List Length", T.UInt16, B.Dec);
    public static readonly FieldDef SupportedGroup = FieldRegistry.Define("tls.handshake.extensions_supported_group", "Supported Group", T.UInt16, B.Hex);
    public static readonly FieldDef EcPointFormatsLength = FieldRegistry.Define("tls.handshake.extensions_ec_point_formats_length", "EC point formats Length", T.UInt8, B.Dec);
    public static readonly FieldDef EcPointFormat = FieldRegistry.Define("tls.handshake.extensions_ec_point_format", "EC point format", T.UInt8, B.Dec);
    public static readonly FieldDef SigHashAlgLen = FieldRegistry.Define("tls.handshake.sig_hash_alg_len", "Signature Hash Algorithms Length", T.UInt16, B.Dec);
    public static readonly FieldDef SigHashAlg = FieldRegistry.Define("tls.handshake.sig_hash_alg", "Signature Algorithm", T.UInt16, B.Hex);
    public static readonly FieldDef AlpnLen = FieldRegistry.Define("tls.handshake.extensions_alpn_len", "ALPN Extension Length", T.UInt16, B.Dec);
    public static readonly FieldDef AlpnStrLen = FieldRegistry.Define("tls.handshake.extensions_alpn_str_len", "ALPN string length", T.UInt8, B.Dec);
    public static readonly FieldDef AlpnStr = FieldRegistry.Define("tls.handshake.extensions_alpn_str", "ALPN Next Protocol", T.String);
    public static readonly FieldDef SupportedVersionsLen = FieldRegistry.Define("tls.handshake.extensions.supported_versions_len", "Supported Versions length", T.UInt8, B.Dec);
    public static readonly FieldDef SupportedVersion = FieldRegistry.Define("tls.handshake.extensions.supported_version", "Supported Version", T.UInt16, B.Hex);
    public static readonly FieldDef KeyShareClientLength = FieldRegistry.Define("tls.handshake.extensions_key_share_client_length", "Client Key Share Length", T.UInt16, B.Dec);
    public static readonly FieldDef KeyShareGroup = FieldRegistry.Define("tls.handshake.extensions_key_share_group", "Group", T.UInt16, B.Dec);
    public static readonly FieldDef KeyShareKeyExchangeLength = FieldRegistry.Define("tls.handshake.extensions_key_share_key_exchange_length", "Key Exchange Length", T.UInt16, B.Dec);
    public static readonly FieldDef KeyShareKeyExchange = FieldRegistry.Define("tls.handshake.extensions_key_share_key_exchange", "Key Exchange", T.Bytes);
    public static readonly FieldDef KeyShareSelectedGroup = FieldRegistry.Define("tls.handshake.extensions_key_share_selected_group", "Selected Group", T.UInt16, B.Dec);
    public static readonly FieldDef PskIdentitiesLength = FieldRegistry.Define("tls.handshake.extensions.psk.identities.length", "Identities Length", T.UInt16, B.Dec);
    public static readonly FieldDef PskIdentityLength = FieldRegistry.Define("tls.handshake.extensions.psk.identity.identity_length", "Identity Length", T.UInt16, B.Dec);
    public static readonly FieldDef PskIdentity = FieldRegistry.Define("tls.handshake.extensions.psk.identity.identity", "Identity", T.Bytes);
    public static readonly FieldDef PskObfuscatedTicketAge = FieldRegistry.Define("tls.handshake.extensions.psk.identity.obfuscated_ticket_age", "Obfuscated Ticket Age", T.UInt32, B.Dec);
    public static readonly FieldDef PskSelected = FieldRegistry.Define("tls.handshake.extensions.psk.identity.selected", "Selected Identity", T.UInt16, B.Dec);
    public static readonly FieldDef CertificateRequestContextLength = FieldRegistry.Define("tls.handshake.certificate_request_context_length", "Certificate Request Context Length", T.UInt8, B.Dec);
    public static readonly FieldDef CertificatesLength = FieldRegistry.Define("tls.handshake.certificates_length", "Certificates Length", T.UInt24, B.Dec);
    public static readonly FieldDef Certificates = FieldRegistry.Define("tls.handshake.certificates", "Certificates", T.None);
    public static readonly FieldDef CertificateLength = FieldRegistry.Define("tls.handshake.certificate_length", "Certificate Length", T.UInt24, B.Dec);
    public static readonly FieldDef Certificate = FieldRegistry.Define("tls.handshake.certificate", "Certificate", T.Bytes);
    public static readonly FieldDef ServerCurveType = FieldRegistry.Define("tls.handshake.server_curve_type", "Curve Type", T.UInt8, B.Hex);
    public static readonly FieldDef ServerNamedCurve = FieldRegistry.Define("tls.handshake.server_named_curve", "Named Curve", T.UInt16, B.Hex);
    public static readonly FieldDef ServerPointLen = FieldRegistry.Define("tls.handshake.server_point_len", "Pubkey Length", T.UInt8, B.Dec);
    public static readonly FieldDef ServerPoint = FieldRegistry.Define("tls.handshake.server_point", "Pubkey", T.Bytes);
    public static readonly FieldDef SigLen = FieldRegistry.Define("tls.handshake.sig_len", "Signature Length", T.UInt16, B.Dec);
    public static readonly FieldDef CertVerifySigLen = FieldRegistry.Define("tls.handshake.client_cert_vrfy.sig_len", "Signature length", T.UInt16, B.Dec);
    public static readonly FieldDef ClientPointLen = FieldRegistry.Define("tls.handshake.client_point_len", "Pubkey Length", T.UInt8, B.Dec);
    public static readonly FieldDef ClientPoint = FieldRegistry.Define("tls.handshake.client_point", "Pubkey", T.Bytes);
    public static readonly FieldDef SessionTicketLifetimeHint = FieldRegistry.Define("tls.handshake.session_ticket_lifetime_hint", "Session Ticket Lifetime Hint", T.UInt32, B.Dec);
    public static readonly FieldDef SessionTicketAgeAdd = FieldRegistry.Define("tls.handshake.session_ticket_age_add", "Session Ticket Age Add", T.UInt32, B.Dec);
    public static readonly FieldDef SessionTicketNonceLength = FieldRegistry.Define("tls.handshake.session_ticket_nonce_length", "Session Ticket Nonce Length", T.UInt8, B.Dec);
    public static readonly FieldDef SessionTicketNonce = FieldRegistry.Define("tls.handshake.session_ticket_nonce", "Session Ticket Nonce", T.Bytes);
    public static readonly FieldDef SessionTicketLength = FieldRegistry.Define("tls.handshake.session_ticket_length", "Session Ticket Length", T.UInt16, B.Dec);
    public static readonly FieldDef SessionTicket = FieldRegistry.Define("tls.handshake.session_ticket", "Session Ticket", T.Bytes);
    public static readonly FieldDef VerifyData = FieldRegistry.Define("tls.handshake.verify_data", "Verify Data", T.None);
    public static readonly FieldDef Ja3Full = FieldRegistry.Define("tls.handshake.ja3_full", "JA3 Fullstring", T.String);
    public static readonly FieldDef Ja3 = FieldRegistry.Define("tls.handshake.ja3", "JA3", T.String);
    public static readonly FieldDef Ja3sFull = FieldRegistry.Define("tls.handshake.ja3s_full", "JA3S Fullstring", T.String);
    public static readonly FieldDef Ja3s = FieldRegistry.Define("tls.handshake.ja3s", "JA3S", T.String);
    public static readonly FieldDef AppData = FieldRegistry.Define("tls.app_data", "Encrypted Application Data", T.Bytes);
    public static readonly FieldDef AppDataProto = FieldRegistry.Define("tls.app_data_proto", "Application Data Protocol", T.String);
    public static readonly FieldDef Segments = FieldRegistry.Define("tls.segments", "Reassembled TLS segments", T.None);
    public static readonly FieldDef Segment = FieldRegistry.Define("tls.segment", "TLS segment", T.FrameNumber);
    public static readonly FieldDef SegmentCount = FieldRegistry.Define("tls.segment.count", "Segment count", T.UInt32, B.Dec);
    public static readonly FieldDef ReassembledIn = FieldRegistry.Define("tls.reassembled_in", "Reassembled PDU in frame", T.FrameNumber);
    public static readonly FieldDef ReassembledLength = FieldRegistry.Define("tls.reassembled.length", "Reassembled PDU length", T.UInt32, B.Dec);
}

/// <summary>
/// x509af.*, x509if.*, x509sat.*, x509ce.*, pkcs1.*, pkix1implicit.*, tls.sct.*: the certificate fields tshark 4.0 shows
/// inside a Certificate message (the values come from <see cref="X509.CertificateFields"/>).
/// </summary>
public static class X509Fields
{
    // Defines its fields only after the class before it, whichever class a thread touches first: the registry's
    // order (and ids) never depends on which tests or commands ran first or in parallel.
    private static readonly FieldDef s_after = TlsFields.Tls;

    public static readonly FieldDef Version = FieldRegistry.Define("x509af.version", "version", T.Int32, B.Dec);
    public static readonly FieldDef SerialNumber = FieldRegistry.Define("x509af.serialNumber", "serialNumber", T.Bytes);
    public static readonly FieldDef AlgorithmId = FieldRegistry.Define("x509af.algorithm.id", "Algorithm Id", T.Oid);
    public static readonly FieldDef IfOid = FieldRegistry.Define("x509if.oid", "Object identifier Id", T.Oid);
    public static readonly FieldDef IfId = FieldRegistry.Define("x509if.id", "id", T.Int32, B.Dec);
    public static readonly FieldDef PrintableString = FieldRegistry.Define("x509sat.printableString", "printableString", T.String);
    public static readonly FieldDef Utf8String = FieldRegistry.Define("x509sat.uTF8String", "uTF8String", T.String);
    public static readonly FieldDef BmpString = FieldRegistry.Define("x509sat.bmpString", "bmpString", T.String);
    public static readonly FieldDef TeletexString = FieldRegistry.Define("x509sat.teletexString", "teletexString", T.String);
    public static readonly FieldDef UniversalString = FieldRegistry.Define("x509sat.universalString", "universalString", T.String);
    public static readonly FieldDef CountryName = FieldRegistry.Define("x509sat.CountryName", "CountryName", T.String);
    public static readonly FieldDef SatPrintableString = FieldRegistry.Define("x509sat.PrintableString", "PrintableString", T.String);
    public static readonly FieldDef SatIa5String = FieldRegistry.Define("x509sat.IA5String", "IA5String", T.String);
    public static readonly FieldDef SatUtf8String = FieldRegistry.Define("x509sat.UTF8String", "UTF8String", T.String);
    public static readonly FieldDef UtcTime = FieldRegistry.Define("x509af.utcTime", "utcTime", T.String);
    public static readonly FieldDef GeneralizedTime = FieldRegistry.Define("x509af.generalizedTime", "generalizedTime", T.AbsoluteTime);
    public static readonly FieldDef NamedCurve = FieldRegistry.Define("pkcs1.namedCurve", "namedCurve", T.Oid);
    public static readonly FieldDef SubjectPublicKey = FieldRegistry.Define("x509af.subjectPublicKey", "subjectPublicKey", T.Bytes);
    public static readonly FieldDef Modulus = FieldRegistry.Define("pkcs1.modulus", "modulus", T.Bytes);
    public static readonly FieldDef PublicExponent = FieldRegistry.Define("pkcs1.publicExponent", "publicExponent", T.Int32, B.Dec);
    public static readonly FieldDef ExtensionId = FieldRegistry.Define("x509af.extension.id", "Extension Id", T.Oid);
    public static readonly FieldDef Critical = FieldRegistry.Define("x509af.critical", "critical", T.Boolean);
    public static readonly FieldDef CA = FieldRegistry.Define("x509ce.cA", "cA", T.Boolean);
    public static readonly FieldDef PathLenConstraint = FieldRegistry.Define("x509ce.pathLenConstraint", "pathLenConstraint", T.UInt64, B.Dec);
    public static readonly FieldDef KeyPurposeId = FieldRegistry.Define("x509ce.KeyPurposeId", "KeyPurposeId", T.Oid);
    public static readonly FieldDef SubjectKeyIdentifier = FieldRegistry.Define("x509ce.SubjectKeyIdentifier", "SubjectKeyIdentifier", T.Bytes);
    public static readonly FieldDef KeyIdentifier = FieldRegistry.Define("x509ce.keyIdentifier", "keyIdentifier", T.Bytes);
    public static readonly FieldDef AuthorityCertSerialNumber = FieldRegistry.Define("x509ce.authorityCertSerialNumber", "authorityCertSerialNumber", T.Bytes);
    public static readonly FieldDef DnsName = FieldRegistry.Define("x509ce.dNSName", "dNSName", T.String);
    public static readonly FieldDef Rfc822Name = FieldRegistry.Define("x509ce.rfc822Name", "rfc822Name", T.String);
    public static readonly FieldDef Uri = FieldRegistry.Define("x509ce.uniformResourceIdentifier", "uniformResourceIdentifier", T.String);
    public static readonly FieldDef IPAddress = FieldRegistry.Define("x509ce.iPAddress", "iPAddress", T.Bytes);
    public static readonly FieldDef IPAddressV4 = FieldRegistry.Define("x509ce.IPAddress.ipv4", "iPAddress", T.IPv4);
    public static readonly FieldDef IPAddressV6 = FieldRegistry.Define("x509ce.IPAddress.ipv6", "iPAddress", T.IPv6);
    public static readonly FieldDef RegisteredId = FieldRegistry.Define("x509ce.registeredID", "registeredID", T.Oid);
    public static readonly FieldDef AccessMethod = FieldRegistry.Define("pkix1implicit.accessMethod", "accessMethod", T.Oid);
    public static readonly FieldDef PolicyIdentifier = FieldRegistry.Define("x509ce.policyIdentifier", "policyIdentifier", T.Oid);
    public static readonly FieldDef SctLogId = FieldRegistry.Define("tls.sct.sct_logid", "Log ID", T.Bytes);
    public static readonly FieldDef SctTimestamp = FieldRegistry.Define("tls.sct.sct_timestamp", "Timestamp", T.AbsoluteTime);
    public static readonly FieldDef Encrypted = FieldRegistry.Define("x509af.encrypted", "encrypted", T.Bytes);

    internal static FieldDef After => Encrypted;
}
