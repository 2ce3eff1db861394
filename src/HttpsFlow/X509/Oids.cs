using System.Collections.Frozen;

namespace HttpsFlow.X509;

/// <summary>What an object identifier names.</summary>
public enum OidKind : byte
{
    Other,
    /// <summary>An attribute type of a distinguished name (X.520, PKCS #9, RFC 4519).</summary>
    AttributeType,
    SignatureAlgorithm,
    PublicKeyAlgorithm,
    /// <summary>A named elliptic curve (RFC 5480, SEC 2).</summary>
    Curve,
    HashAlgorithm,
    /// <summary>A certificate extension (RFC 5280 §4.2, RFC 6962).</summary>
    Extension,
    /// <summary>A purpose of the extended key usage extension (RFC 5280 §4.2.1.12).</summary>
    KeyPurpose,
    /// <summary>An access method of authorityInfoAccess (RFC 5280 §4.2.2.1).</summary>
    AccessMethod,
    CertificatePolicy,
    PolicyQualifier,
    /// <summary>A type-id of an otherName general name.</summary>
    OtherNameType,
}

/// <summary>How tshark 4.0 dissects the value of a name attribute, which decides the field its text lands in.</summary>
internal enum AttributeSyntax : byte
{
    /// <summary>tshark has no dissector for this attribute type: its value is in no x509sat field.</summary>
    None,
    /// <summary>DirectoryString: x509sat.printableString, x509sat.uTF8String, x509sat.bmpString, ….</summary>
    DirectoryString,
    /// <summary>x509sat.CountryName.</summary>
    CountryName,
    /// <summary>SyntaxPrintableString: x509sat.PrintableString.</summary>
    PrintableString,
    /// <summary>SyntaxIA5String: x509sat.IA5String.</summary>
    Ia5String,
    /// <summary>SyntaxUTF8String: x509sat.UTF8String.</summary>
    Utf8String,
}

/// <summary>One entry of the OID table.</summary>
/// <param name="Oid">Dotted decimal.</param>
/// <param name="Name">The name tshark 4.0 shows beside the number (<c>id-at-commonName</c>,
/// <c>sha256WithRSAEncryption</c>, <c>id-kp-serverAuth</c>); where tshark shows none (<see cref="KnownToTshark"/> is
/// false) the name its RFC gives.</param>
/// <param name="Kind">What it names.</param>
/// <param name="ShortName">For attribute types, the short name of RFC 4514 and OpenSSL (CN, O, OU, C, L, ST,
/// emailAddress, serialNumber, …); for the rest a friendly name (<c>ed25519</c>, <c>P-256</c>).</param>
/// <param name="KnownToTshark">Whether tshark 4.0.17 knows this name; if not it shows only the number.</param>
public sealed record OidInfo(string Oid, string Name, OidKind Kind, string? ShortName = null, bool KnownToTshark = true)
{
    internal AttributeSyntax Syntax { get; init; }
}

/// <summary>
/// The object identifiers a certificate uses, with the names tshark gives them (checked against tshark 4.0.17's
/// dissectors: packet-x509sat, packet-x509ce, packet-pkcs1, packet-pkix1implicit, packet-tls).
/// </summary>
public static class Oids
{
    // Attribute types (X.520, RFC 4519, PKCS #9)
    public const string CommonName = "2.5.4.3";
    public const string Surname = "2.5.4.4";
    public const string SerialNumber = "2.5.4.5";
    public const string CountryName = "2.5.4.6";
    public const string LocalityName = "2.5.4.7";
    public const string StateOrProvinceName = "2.5.4.8";
    public const string StreetAddress = "2.5.4.9";
    public const string OrganizationName = "2.5.4.10";
    public const string OrganizationalUnitName = "2.5.4.11";
    public const string Title = "2.5.4.12";
    public const string EmailAddress = "1.2.840.113549.1.9.1";
    public const string DomainComponent = "0.9.2342.19200300.100.1.25";
    public const string UserId = "0.9.2342.19200300.100.1.1";

    // Public key algorithms
    public const string RsaEncryption = "1.2.840.113549.1.1.1";
    public const string RsassaPss = "1.2.840.113549.1.1.10";
    public const string EcPublicKey = "1.2.840.10045.2.1";
    public const string Dsa = "1.2.840.10040.4.1";
    public const string X25519 = "1.3.101.110";
    public const string X448 = "1.3.101.111";
    public const string Ed25519 = "1.3.101.112";
    public const string Ed448 = "1.3.101.113";
    public const string Mgf1 = "1.2.840.113549.1.1.8";

    // Signature algorithms
    public const string Md5WithRsa = "1.2.840.113549.1.1.4";
    public const string Sha1WithRsa = "1.2.840.113549.1.1.5";
    public const string Sha256WithRsa = "1.2.840.113549.1.1.11";
    public const string Sha384WithRsa = "1.2.840.113549.1.1.12";
    public const string Sha512WithRsa = "1.2.840.113549.1.1.13";
    public const string Sha224WithRsa = "1.2.840.113549.1.1.14";
    public const string EcdsaWithSha1 = "1.2.840.10045.4.1";
    public const string EcdsaWithSha224 = "1.2.840.10045.4.3.1";
    public const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    public const string EcdsaWithSha384 = "1.2.840.10045.4.3.3";
    public const string EcdsaWithSha512 = "1.2.840.10045.4.3.4";

    // Hashes
    public const string Sha1 = "1.3.14.3.2.26";
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";
    public const string Sha384 = "2.16.840.1.101.3.4.2.2";
    public const string Sha512 = "2.16.840.1.101.3.4.2.3";
    public const string Sha224 = "2.16.840.1.101.3.4.2.4";

    // Curves
    public const string Secp256r1 = "1.2.840.10045.3.1.7";
    public const string Secp384r1 = "1.3.132.0.34";
    public const string Secp521r1 = "1.3.132.0.35";

    // Extensions
    public const string SubjectKeyIdentifier = "2.5.29.14";
    public const string KeyUsage = "2.5.29.15";
    public const string SubjectAltName = "2.5.29.17";
    public const string IssuerAltName = "2.5.29.18";
    public const string BasicConstraints = "2.5.29.19";
    public const string NameConstraints = "2.5.29.30";
    public const string CrlDistributionPoints = "2.5.29.31";
    public const string CertificatePolicies = "2.5.29.32";
    public const string PolicyMappings = "2.5.29.33";
    public const string AuthorityKeyIdentifier = "2.5.29.35";
    public const string PolicyConstraints = "2.5.29.36";
    public const string ExtKeyUsage = "2.5.29.37";
    public const string FreshestCrl = "2.5.29.46";
    public const string InhibitAnyPolicy = "2.5.29.54";
    public const string AuthorityInfoAccess = "1.3.6.1.5.5.7.1.1";
    public const string SubjectInfoAccess = "1.3.6.1.5.5.7.1.11";
    public const string TlsFeature = "1.3.6.1.5.5.7.1.24";
    public const string SctList = "1.3.6.1.4.1.11129.2.4.2";
    /// <summary>The SCT list an OCSP response carries in a singleExtension (RFC 6962 §3.3).</summary>
    public const string OcspSctList = "1.3.6.1.4.1.11129.2.4.5";
    /// <summary>id-pe-logotype (RFC 3709 §4.1).</summary>
    public const string Logotype = "1.3.6.1.5.5.7.1.12";
    public const string CtPoison = "1.3.6.1.4.1.11129.2.4.3";
    public const string MsApplicationPolicies = "1.3.6.1.4.1.311.21.10";

    // Extended key usage purposes
    public const string AnyExtendedKeyUsage = "2.5.29.37.0";
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    public const string CodeSigning = "1.3.6.1.5.5.7.3.3";
    public const string EmailProtection = "1.3.6.1.5.5.7.3.4";
    public const string TimeStamping = "1.3.6.1.5.5.7.3.8";
    public const string OcspSigning = "1.3.6.1.5.5.7.3.9";

    // Access methods, policy qualifiers, policies
    public const string Ocsp = "1.3.6.1.5.5.7.48.1";
    public const string CaIssuers = "1.3.6.1.5.5.7.48.2";
    public const string CpsQualifier = "1.3.6.1.5.5.7.2.1";
    public const string UserNoticeQualifier = "1.3.6.1.5.5.7.2.2";
    public const string AnyPolicy = "2.5.29.32.0";

    private static OidInfo A(string oid, string name, string? shortName, AttributeSyntax syntax, bool tshark = true) =>
        new(oid, name, OidKind.AttributeType, shortName, tshark) { Syntax = syntax };

    private static readonly OidInfo[] Table =
    [
        // X.520 attribute types (packet-x509sat.c), with the short names of RFC 4514 §3 and OpenSSL
        A("2.5.4.3", "id-at-commonName", "CN", AttributeSyntax.DirectoryString),
        A("2.5.4.4", "id-at-surname", "SN", AttributeSyntax.DirectoryString),
        A("2.5.4.5", "id-at-serialNumber", "serialNumber", AttributeSyntax.PrintableString),
        A("2.5.4.6", "id-at-countryName", "C", AttributeSyntax.CountryName),
        A("2.5.4.7", "id-at-localityName", "L", AttributeSyntax.DirectoryString),
        A("2.5.4.8", "id-at-stateOrProvinceName", "ST", AttributeSyntax.DirectoryString),
        A("2.5.4.9", "id-at-streetAddress", "street", AttributeSyntax.DirectoryString),
        A("2.5.4.10", "id-at-organizationName", "O", AttributeSyntax.DirectoryString),
        A("2.5.4.11", "id-at-organizationalUnitName", "OU", AttributeSyntax.DirectoryString),
        A("2.5.4.12", "id-at-title", "title", AttributeSyntax.DirectoryString),
        A("2.5.4.13", "id-at-description", "description", AttributeSyntax.DirectoryString),
        A("2.5.4.15", "id-at-businessCategory", "businessCategory", AttributeSyntax.DirectoryString),
        A("2.5.4.17", "id-at-postalCode", "postalCode", AttributeSyntax.DirectoryString),
        A("2.5.4.18", "id-at-postOfficeBox", "postOfficeBox", AttributeSyntax.DirectoryString),
        A("2.5.4.41", "id-at-name", "name", AttributeSyntax.DirectoryString),
        A("2.5.4.42", "id-at-givenName", "GN", AttributeSyntax.DirectoryString),
        A("2.5.4.43", "id-at-initials", "initials", AttributeSyntax.DirectoryString),
        A("2.5.4.44", "id-at-generationQualifier", "generationQualifier", AttributeSyntax.DirectoryString),
        A("2.5.4.46", "id-at-dnQualifier", "dnQualifier", AttributeSyntax.PrintableString),
        A("2.5.4.65", "id-at-pseudonym", "pseudonym", AttributeSyntax.DirectoryString),
        A("2.5.4.97", "organizationIdentifier", "organizationIdentifier", AttributeSyntax.None, tshark: false),
        A("1.2.840.113549.1.9.1", "pkcs-9-at-emailAddress", "emailAddress", AttributeSyntax.Ia5String),
        A("1.2.840.113549.1.9.2", "pkcs-9-at-unstructuredName", "unstructuredName", AttributeSyntax.None, tshark: false),
        A("0.9.2342.19200300.100.1.25", "dc", "DC", AttributeSyntax.Ia5String),
        A("0.9.2342.19200300.100.1.1", "id-userid", "UID", AttributeSyntax.None),
        A("1.3.6.1.4.1.311.60.2.1.1", "jurisdictionOfIncorporationLocalityName", "jurisdictionL", AttributeSyntax.DirectoryString),
        A("1.3.6.1.4.1.311.60.2.1.2", "jurisdictionOfIncorporationStateOrProvinceName", "jurisdictionST", AttributeSyntax.DirectoryString),
        A("1.3.6.1.4.1.311.60.2.1.3", "jurisdictionOfIncorporationCountryName", "jurisdictionC", AttributeSyntax.CountryName),

        // Signature algorithms (packet-pkcs1.c, packet-x509af.c); EdDSA per RFC 8410, unknown to tshark 4.0
        new("1.2.840.113549.1.1.2", "md2WithRSAEncryption", OidKind.SignatureAlgorithm),
        new("1.2.840.113549.1.1.4", "md5WithRSAEncryption", OidKind.SignatureAlgorithm),
        new("1.2.840.113549.1.1.5", "sha1WithRSAEncryption", OidKind.SignatureAlgorithm),
        new("1.2.840.113549.1.1.11", "sha256WithRSAEncryption", OidKind.SignatureAlgorithm),
        new("1.2.840.113549.1.1.12", "sha384WithRSAEncryption", OidKind.SignatureAlgorithm),
        new("1.2.840.113549.1.1.13", "sha512WithRSAEncryption", OidKind.SignatureAlgorithm),
        new("1.2.840.113549.1.1.14", "sha224WithRSAEncryption", OidKind.SignatureAlgorithm),
        new("1.2.840.113549.1.1.10", "id-RSASSA-PSS", OidKind.SignatureAlgorithm, "rsassa-pss"),
        new("1.2.840.10045.4.1", "ecdsa-with-SHA1", OidKind.SignatureAlgorithm),
        new("1.2.840.10045.4.3.1", "ecdsa-with-SHA224", OidKind.SignatureAlgorithm),
        new("1.2.840.10045.4.3.2", "ecdsa-with-SHA256", OidKind.SignatureAlgorithm),
        new("1.2.840.10045.4.3.3", "ecdsa-with-SHA384", OidKind.SignatureAlgorithm),
        new("1.2.840.10045.4.3.4", "ecdsa-with-SHA512", OidKind.SignatureAlgorithm),
        new("1.2.840.10040.4.3", "id-dsa-with-sha1", OidKind.SignatureAlgorithm),
        new("2.16.840.1.101.3.4.3.2", "id-dsa-with-sha256", OidKind.SignatureAlgorithm),
        new("1.3.14.3.2.29", "sha-1WithRSAEncryption", OidKind.SignatureAlgorithm),

        // Public key algorithms
        new("1.2.840.113549.1.1.1", "rsaEncryption", OidKind.PublicKeyAlgorithm, "RSA"),
        new("1.2.840.10045.2.1", "id-ecPublicKey", OidKind.PublicKeyAlgorithm, "EC"),
        new("1.2.840.10040.4.1", "id-dsa", OidKind.PublicKeyAlgorithm, "DSA"),
        new("1.2.840.10046.2.1", "dhpublicnumber", OidKind.PublicKeyAlgorithm, "DH"),
        new("1.3.101.110", "id-X25519", OidKind.PublicKeyAlgorithm, "x25519", KnownToTshark: false),
        new("1.3.101.111", "id-X448", OidKind.PublicKeyAlgorithm, "x448", KnownToTshark: false),
        new("1.3.101.112", "id-Ed25519", OidKind.PublicKeyAlgorithm, "ed25519", KnownToTshark: false),
        new("1.3.101.113", "id-Ed448", OidKind.PublicKeyAlgorithm, "ed448", KnownToTshark: false),
        new("1.2.840.113549.1.1.8", "id-mgf1", OidKind.Other, "mgf1"),

        // Hashes
        new("1.2.840.113549.2.5", "md5", OidKind.HashAlgorithm),
        new("1.3.14.3.2.26", "SHA-1", OidKind.HashAlgorithm, "sha1"),
        new("2.16.840.1.101.3.4.2.1", "sha256", OidKind.HashAlgorithm),
        new("2.16.840.1.101.3.4.2.2", "sha384", OidKind.HashAlgorithm),
        new("2.16.840.1.101.3.4.2.3", "sha512", OidKind.HashAlgorithm),
        new("2.16.840.1.101.3.4.2.4", "sha224", OidKind.HashAlgorithm),

        // Named curves (packet-pkcs1.c), with their NIST names where they have one
        new("1.2.840.10045.3.1.1", "secp192r1", OidKind.Curve, "P-192"),
        new("1.3.132.0.33", "secp224r1", OidKind.Curve, "P-224"),
        new("1.2.840.10045.3.1.7", "secp256r1", OidKind.Curve, "P-256"),
        new("1.3.132.0.34", "secp384r1", OidKind.Curve, "P-384"),
        new("1.3.132.0.35", "secp521r1", OidKind.Curve, "P-521"),
        new("1.3.132.0.10", "secp256k1", OidKind.Curve, "secp256k1", KnownToTshark: false),
        new("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1", OidKind.Curve, "brainpoolP256r1", KnownToTshark: false),
        new("1.3.36.3.3.2.8.1.1.11", "brainpoolP384r1", OidKind.Curve, "brainpoolP384r1", KnownToTshark: false),
        new("1.3.36.3.3.2.8.1.1.13", "brainpoolP512r1", OidKind.Curve, "brainpoolP512r1", KnownToTshark: false),

        // Extensions (packet-x509ce.c, packet-pkix1implicit.c, packet-pkix1explicit.c, packet-tls.c)
        new("2.5.29.9", "id-ce-subjectDirectoryAttributes", OidKind.Extension),
        new("2.5.29.14", "id-ce-subjectKeyIdentifier", OidKind.Extension, "subjectKeyIdentifier"),
        new("2.5.29.15", "id-ce-keyUsage", OidKind.Extension, "keyUsage"),
        new("2.5.29.16", "id-ce-privateKeyUsagePeriod", OidKind.Extension),
        new("2.5.29.17", "id-ce-subjectAltName", OidKind.Extension, "subjectAltName"),
        new("2.5.29.18", "id-ce-issuerAltName", OidKind.Extension, "issuerAltName"),
        new("2.5.29.19", "id-ce-basicConstraints", OidKind.Extension, "basicConstraints"),
        new("2.5.29.30", "id-ce-nameConstraints", OidKind.Extension, "nameConstraints"),
        new("2.5.29.31", "id-ce-cRLDistributionPoints", OidKind.Extension, "crlDistributionPoints"),
        new("2.5.29.32", "id-ce-certificatePolicies", OidKind.Extension, "certificatePolicies"),
        new("2.5.29.33", "id-ce-policyMappings", OidKind.Extension, "policyMappings"),
        new("2.5.29.35", "id-ce-authorityKeyIdentifier", OidKind.Extension, "authorityKeyIdentifier"),
        new("2.5.29.36", "id-ce-policyConstraints", OidKind.Extension, "policyConstraints"),
        new("2.5.29.37", "id-ce-extKeyUsage", OidKind.Extension, "extendedKeyUsage"),
        new("2.5.29.46", "id-ce-freshestCRL", OidKind.Extension, "freshestCRL"),
        new("2.5.29.54", "id-ce-inhibitAnyPolicy", OidKind.Extension, "inhibitAnyPolicy"),
        new("1.3.6.1.5.5.7.1.1", "id-pe-authorityInfoAccess", OidKind.Extension, "authorityInfoAccess"),
        new("1.3.6.1.5.5.7.1.3", "id-pe-qcStatements", OidKind.Extension, "qcStatements"),
        new("1.3.6.1.5.5.7.1.11", "id-pe-subjectInfoAccess", OidKind.Extension, "subjectInfoAccess", KnownToTshark: false),
        new("1.3.6.1.5.5.7.1.12", "id-pe-logotype", OidKind.Extension, "logotype"),
        new("1.3.6.1.5.5.7.1.24", "id-pe-tlsfeature", OidKind.Extension, "tlsfeature"),
        new("1.3.6.1.5.5.7.48.1.5", "id-pkix-ocsp-nocheck", OidKind.Extension, "noCheck"),
        new("1.3.6.1.4.1.11129.2.4.2", "SignedCertificateTimestampList", OidKind.Extension, "ctSCTs"),
        new("1.3.6.1.4.1.11129.2.4.3", "CT Precertificate Poison", OidKind.Extension, "ctPoison", KnownToTshark: false),
        new("1.3.6.1.4.1.11129.2.4.5", "SignedCertificateTimestampList", OidKind.Extension, "ctOcspSCTs"),
        new("1.3.6.1.4.1.311.21.7", "id-ms-certificate-template", OidKind.Extension),
        new("1.3.6.1.4.1.311.21.10", "id-ms-application-certificate-policies", OidKind.Extension),
        new("1.3.6.1.4.1.311.21.1", "id-ms-ca-version", OidKind.Extension),
        new("1.3.6.1.4.1.311.21.2", "id-ms-previous-cert-hash", OidKind.Extension),
        new("2.16.840.1.113730.1.1", "ns_cert_exts.cert_type", OidKind.Extension, "nsCertType"),
        new("2.16.840.1.113730.1.13", "ns_cert_exts.comment", OidKind.Extension, "nsComment"),

        // Extended key usage purposes (packet-pkix1implicit.c)
        new("2.5.29.37.0", "anyExtendedKeyUsage", OidKind.KeyPurpose, KnownToTshark: false),
        new("1.3.6.1.5.5.7.3.1", "id-kp-serverAuth", OidKind.KeyPurpose, "serverAuth"),
        new("1.3.6.1.5.5.7.3.2", "id-kp-clientAuth", OidKind.KeyPurpose, "clientAuth"),
        new("1.3.6.1.5.5.7.3.3", "id-kp-codeSigning", OidKind.KeyPurpose, "codeSigning"),
        new("1.3.6.1.5.5.7.3.4", "id-kp-emailProtection", OidKind.KeyPurpose, "emailProtection"),
        new("1.3.6.1.5.5.7.3.5", "id-kp-ip-kp-ipsecEndSystem", OidKind.KeyPurpose, "ipsecEndSystem"),
        new("1.3.6.1.5.5.7.3.6", "id-kp-ipsecTunnel", OidKind.KeyPurpose, "ipsecTunnel"),
        new("1.3.6.1.5.5.7.3.7", "id-kp-ipsecUser", OidKind.KeyPurpose, "ipsecUser"),
        new("1.3.6.1.5.5.7.3.8", "id-kp-timeStamping", OidKind.KeyPurpose, "timeStamping"),
        new("1.3.6.1.5.5.7.3.9", "OCSPSigning", OidKind.KeyPurpose, "OCSPSigning"),
        new("1.3.6.1.5.5.7.3.13", "id-kp-eapOverPPP", OidKind.KeyPurpose),
        new("1.3.6.1.5.5.7.3.14", "id-kp-eapOverLAN", OidKind.KeyPurpose),
        new("1.3.6.1.4.1.311.10.3.3", "msSGC", OidKind.KeyPurpose, KnownToTshark: false),
        new("2.16.840.1.113730.4.1", "nsSGC", OidKind.KeyPurpose, KnownToTshark: false),

        // Access methods and policy qualifiers (packet-pkix1implicit.c, packet-pkix1explicit.c)
        new("1.3.6.1.5.5.7.48.1", "id-ad-ocsp", OidKind.AccessMethod, "OCSP"),
        new("1.3.6.1.5.5.7.48.2", "id-ad-caIssuers", OidKind.AccessMethod, "caIssuers"),
        new("1.3.6.1.5.5.7.2.1", "id-qt-cps", OidKind.PolicyQualifier, "CPS"),
        new("1.3.6.1.5.5.7.2.2", "id-qt-unotice", OidKind.PolicyQualifier, "userNotice"),

        // Certificate policies: anyPolicy (packet-x509ce.c) and the CA/Browser Forum's, unknown to tshark
        new("2.5.29.32.0", "anyPolicy", OidKind.CertificatePolicy),
        new("2.23.140.1.1", "ev-guidelines", OidKind.CertificatePolicy, "EV", KnownToTshark: false),
        new("2.23.140.1.2.1", "domain-validated", OidKind.CertificatePolicy, "DV", KnownToTshark: false),
        new("2.23.140.1.2.2", "organization-validated", OidKind.CertificatePolicy, "OV", KnownToTshark: false),
        new("2.23.140.1.2.3", "individual-validated", OidKind.CertificatePolicy, "IV", KnownToTshark: false),

        // otherName types
        new("1.3.6.1.4.1.311.20.2.3", "id-ms-user-principal-name", OidKind.OtherNameType, "UPN") { Syntax = AttributeSyntax.Utf8String },
    ];

    private static readonly FrozenDictionary<string, OidInfo> ByOid = Table.ToFrozenDictionary(e => e.Oid, StringComparer.Ordinal);

    /// <summary>Every entry of the table.</summary>
    public static IReadOnlyList<OidInfo> All => Table;

    /// <summary>The entry for <paramref name="oid"/>, or null.</summary>
    public static OidInfo? Find(string oid) => ByOid.GetValueOrDefault(oid);

    /// <summary>The name tshark shows (or the RFC's, where tshark has none); the number itself when unknown.</summary>
    public static string NameOf(string oid) => Find(oid)?.Name ?? oid;

    /// <summary>
    /// The short name of an attribute type for RFC 4514 strings (CN, O, OU, C, L, ST, emailAddress, serialNumber,
    /// …); the dotted number when it has none, as RFC 4514 §2.3 says.
    /// </summary>
    public static string ShortNameOf(string oid) => Find(oid) is { Kind: OidKind.AttributeType, ShortName: { } s } ? s : oid;

    /// <summary>
    /// The number as tshark's detail view labels it: <c>2.5.4.3 (id-at-commonName)</c> when tshark knows the name,
    /// otherwise the number with its first arc named (<c>1.3.101.112 (iso.3.101.112)</c>).
    /// </summary>
    public static string TsharkLabel(string oid)
    {
        if (Find(oid) is { KnownToTshark: true } info) return $"{oid} ({info.Name})";
        int dot = oid.IndexOf('.');
        string first = dot < 0 ? oid : oid[..dot];
        string? arc = first switch { "0" => "itu-t", "1" => "iso", "2" => "joint-iso-itu-t", _ => null };
        return arc is null ? oid : $"{oid} ({arc}{(dot < 0 ? "" : oid[dot..])})";
    }

    internal static AttributeSyntax SyntaxOf(string oid) => Find(oid)?.Syntax ?? AttributeSyntax.None;
}
