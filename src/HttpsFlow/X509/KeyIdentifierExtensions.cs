using System.Formats.Asn1;

namespace HttpsFlow.X509;

/// <summary>
/// authorityKeyIdentifier (RFC 5280 §4.2.1.1):
/// <code>
/// AuthorityKeyIdentifier ::= SEQUENCE {
///   keyIdentifier             [0] KeyIdentifier           OPTIONAL,
///   authorityCertIssuer       [1] GeneralNames            OPTIONAL,
///   authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL  }
/// </code>
/// </summary>
public sealed class AuthorityKeyIdentifierExtension : ParsedExtension
{
    internal AuthorityKeyIdentifierExtension(byte[]? keyIdentifier, IReadOnlyList<GeneralName>? issuer, byte[]? serialNumber)
    {
        // A null array must stay null, not become an empty ReadOnlyMemory.
        KeyIdentifier = keyIdentifier is null ? (ReadOnlyMemory<byte>?)null : keyIdentifier;
        AuthorityCertIssuer = issuer;
        AuthorityCertSerialNumber = serialNumber is null ? (ReadOnlyMemory<byte>?)null : serialNumber;
    }

    public ReadOnlyMemory<byte>? KeyIdentifier { get; }

    public IReadOnlyList<GeneralName>? AuthorityCertIssuer { get; }

    /// <summary>The issuer's serial number, as encoded.</summary>
    public ReadOnlyMemory<byte>? AuthorityCertSerialNumber { get; }

    public override string ToString() => string.Join(", ", new[]
    {
        KeyIdentifier is { } k ? "keyid:" + Convert.ToHexString(k.Span) : null,
        AuthorityCertIssuer is { } i ? string.Join(", ", i) : null,
        AuthorityCertSerialNumber is { } s ? "serial:" + Convert.ToHexString(s.Span) : null,
    }.Where(x => x is not null));

    internal static ParsedExtension? Parse(ref ValueReader r, byte[] der)
    {
        if (!r.Sequence("AuthorityKeyIdentifier", out var seq)) return null;
        var inner = r.Enter(seq);
        byte[]? keyId = null, serial = null;
        List<GeneralName>? issuer = null;
        if (inner.NextIsContext(0))
        {
            if (!inner.Read("keyIdentifier", new Asn1Tag(TagClass.ContextSpecific, 0), out var t) || !inner.OctetString("keyIdentifier", t, out keyId)) return null;
        }
        if (inner.NextIsContext(1))
        {
            if (!inner.Read("authorityCertIssuer", new Asn1Tag(TagClass.ContextSpecific, 1, true), out var t)) return null;
            issuer = NameReader.ReadGeneralNames(ref inner, t, der, "authorityCertIssuer");
            if (issuer is null) return null;
        }
        if (inner.NextIsContext(2))
        {
            if (!inner.Read("authorityCertSerialNumber", new Asn1Tag(TagClass.ContextSpecific, 2), out var t)) return null;
            serial = t.Content(r.Der).ToArray();
        }
        if (!inner.ExpectEnd("AuthorityKeyIdentifier") || !r.ExpectEnd("AuthorityKeyIdentifier")) return null;
        return new AuthorityKeyIdentifierExtension(keyId, issuer, serial);
    }
}

/// <summary>
/// subjectKeyIdentifier (RFC 5280 §4.2.1.2):
/// <code>
/// SubjectKeyIdentifier ::= KeyIdentifier
/// KeyIdentifier ::= OCTET STRING
/// </code>
/// </summary>
public sealed class SubjectKeyIdentifierExtension : ParsedExtension
{
    internal SubjectKeyIdentifierExtension(byte[] keyIdentifier) => KeyIdentifier = keyIdentifier;

    public ReadOnlyMemory<byte> KeyIdentifier { get; }

    public override string ToString() => Convert.ToHexString(KeyIdentifier.Span);

    internal static ParsedExtension? Parse(ref ValueReader r)
    {
        if (!r.Read("SubjectKeyIdentifier", Asn1Tag.PrimitiveOctetString, out var t) || !r.OctetString("SubjectKeyIdentifier", t, out var id)) return null;
        if (!r.ExpectEnd("SubjectKeyIdentifier")) return null;
        return new SubjectKeyIdentifierExtension(id);
    }
}
