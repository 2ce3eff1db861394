namespace HttpsFlow.X509;

/// <summary>
/// One extension (RFC 5280 §4.1.2.9, §4.2):
/// <code>
/// Extension  ::=  SEQUENCE  {
///      extnID      OBJECT IDENTIFIER,
///      critical    BOOLEAN DEFAULT FALSE,
///      extnValue   OCTET STRING  -- the DER of the extension's own type
///      }
/// </code>
/// The raw value is always kept; <see cref="Parsed"/> holds what the extension's parser made of it, or the reason
/// it could not: one bad extension never fails the certificate.
/// </summary>
public sealed class CertificateExtension
{
    internal CertificateExtension(string oid, bool critical, bool criticalEncoded, ReadOnlyMemory<byte> value,
        ByteRange range, ByteRange oidRange, ByteRange criticalRange, ByteRange valueRange, ParsedExtension parsed)
    {
        Oid = oid;
        Critical = critical;
        CriticalEncoded = criticalEncoded;
        Value = value;
        Range = range;
        OidRange = oidRange;
        CriticalRange = criticalRange;
        ValueRange = valueRange;
        Parsed = parsed;
    }

    public string Oid { get; }

    /// <summary>tshark's name (<c>id-ce-subjectAltName</c>, <c>id-pe-authorityInfoAccess</c>), or the number.</summary>
    public string Name => Oids.NameOf(Oid);

    public bool Critical { get; }

    /// <summary>Whether the critical BOOLEAN is present in the encoding (DER leaves out FALSE).</summary>
    public bool CriticalEncoded { get; }

    /// <summary>The extnValue OCTET STRING's contents: the DER of the extension's own structure.</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>The Extension SEQUENCE.</summary>
    public ByteRange Range { get; }

    public ByteRange OidRange { get; }

    /// <summary>The critical BOOLEAN's TLV; empty when it is not encoded.</summary>
    public ByteRange CriticalRange { get; }

    /// <summary>The extnValue OCTET STRING's contents (where <see cref="Value"/> came from).</summary>
    public ByteRange ValueRange { get; }

    /// <summary>The parsed value: one of the <see cref="ParsedExtension"/> types, <see cref="UnknownExtension"/> for
    /// extensions without a parser, <see cref="MalformedExtension"/> when the value could not be read.</summary>
    public ParsedExtension Parsed { get; }

    public override string ToString() => $"{Name}{(Critical ? " (critical)" : "")}: {Parsed}";
}

/// <summary>
/// What an extension's value was read as. Every subtype is a successful parse except
/// <see cref="MalformedExtension"/>, whose <see cref="Error"/> says what was wrong.
/// </summary>
public abstract class ParsedExtension
{
    private protected ParsedExtension() { }

    /// <summary>Why the value could not be read; null when it was.</summary>
    public virtual string? Error => null;

    public bool IsError => Error is not null;
}

/// <summary>An extension HttpsFlow has no parser for; its bytes are in <see cref="CertificateExtension.Value"/>.</summary>
public sealed class UnknownExtension : ParsedExtension
{
    internal static readonly UnknownExtension Instance = new();

    private UnknownExtension() { }

    public override string ToString() => "(not decoded)";
}

/// <summary>An extension whose value could not be read. The certificate's notes hold the same text.</summary>
public sealed class MalformedExtension : ParsedExtension
{
    internal MalformedExtension(string error, ByteRange errorRange)
    {
        Error = error;
        ErrorRange = errorRange;
    }

    public override string Error { get; }

    /// <summary>Where in the certificate's DER the problem is.</summary>
    public ByteRange ErrorRange { get; }

    public override string ToString() => "malformed: " + Error;
}
