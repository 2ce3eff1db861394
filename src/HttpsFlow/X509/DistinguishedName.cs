using System.Formats.Asn1;
using System.Text;

namespace HttpsFlow.X509;

/// <summary>
/// One AttributeTypeAndValue of a name (RFC 5280 §4.1.2.4):
/// <code>
/// AttributeTypeAndValue ::= SEQUENCE {
///   type     AttributeType,            -- OBJECT IDENTIFIER
///   value    AttributeValue }          -- ANY, usually a DirectoryString
/// </code>
/// </summary>
public sealed class NameAttribute
{
    internal NameAttribute(string oid, string value, Asn1Tag valueTag, bool isString, ReadOnlyMemory<byte> rawValue,
        ByteRange range, ByteRange oidRange, ByteRange valueRange)
    {
        Oid = oid;
        Value = value;
        ValueTag = valueTag;
        IsString = isString;
        RawValue = rawValue;
        Range = range;
        OidRange = oidRange;
        ValueRange = valueRange;
    }

    public string Oid { get; }

    /// <summary>tshark's name for the type (<c>id-at-commonName</c>), or the number.</summary>
    public string Name => Oids.NameOf(Oid);

    /// <summary>RFC 4514's short name (CN, O, OU, C, L, ST, emailAddress, serialNumber, …), or the number.</summary>
    public string ShortName => Oids.ShortNameOf(Oid);

    /// <summary>The value as text. A value that is not a character string is shown as RFC 4514 §2.4 shows it:
    /// <c>#</c> and the hex of its encoding.</summary>
    public string Value { get; }

    /// <summary>The tag of the value (UNIVERSAL 12 for UTF8String, 19 for PrintableString, …).</summary>
    public Asn1Tag ValueTag { get; }

    /// <summary>Whether the value is one of the ASN.1 character string types.</summary>
    public bool IsString { get; }

    /// <summary>The value's string type, when it is a universal type.</summary>
    public UniversalTagNumber? StringType =>
        ValueTag.TagClass == TagClass.Universal ? (UniversalTagNumber)ValueTag.TagValue : null;

    /// <summary>The ASN.1 name of the value's type: <c>PrintableString</c>, <c>UTF8String</c>, <c>IA5String</c>,
    /// <c>BMPString</c>, <c>TeletexString</c>, <c>UniversalString</c>, … or the tag.</summary>
    public string StringTypeName => StringType switch
    {
        UniversalTagNumber.UTF8String => "UTF8String",
        UniversalTagNumber.PrintableString => "PrintableString",
        UniversalTagNumber.IA5String => "IA5String",
        UniversalTagNumber.T61String => "TeletexString",
        UniversalTagNumber.BMPString => "BMPString",
        UniversalTagNumber.UniversalString => "UniversalString",
        UniversalTagNumber.VisibleString => "VisibleString",
        UniversalTagNumber.NumericString => "NumericString",
        { } n => n.ToString(),
        null => ValueTag.ToString(),
    };

    /// <summary>The value's whole TLV.</summary>
    public ReadOnlyMemory<byte> RawValue { get; }

    /// <summary>The AttributeTypeAndValue SEQUENCE.</summary>
    public ByteRange Range { get; }

    public ByteRange OidRange { get; }

    public ByteRange ValueRange { get; }

    public override string ToString() => $"{ShortName}={Value}";
}

/// <summary>A RelativeDistinguishedName: a SET OF AttributeTypeAndValue, usually of one.</summary>
public sealed class RelativeDistinguishedName
{
    internal RelativeDistinguishedName(IReadOnlyList<NameAttribute> attributes, ByteRange range)
    {
        Attributes = attributes;
        Range = range;
    }

    public IReadOnlyList<NameAttribute> Attributes { get; }

    public ByteRange Range { get; }

    public override string ToString() => string.Join('+', Attributes.Select(a => a.ShortName + "=" + DistinguishedName.EscapeRfc4514(a)));
}

/// <summary>How <see cref="DistinguishedName.Format"/> writes a name.</summary>
public enum NameStyle : byte
{
    /// <summary>RFC 4514: most specific first, <c>CN=test,O=Example,C=US</c>, '+' inside an RDN, §2.4 escapes.</summary>
    Rfc4514,
    /// <summary>OpenSSL's default one-line form, as <c>openssl x509 -text</c> prints it: encoding order,
    /// <c>C = US, O = Example, CN = test</c>, bytes above 0x7f of the UTF-8 text escaped as <c>\C3\BC</c>.</summary>
    OpenSsl,
    /// <summary>tshark's summary of an rdnSequence: most specific first, long names,
    /// <c>id-at-commonName=test,id-at-organizationName=Example,id-at-countryName=US</c>.</summary>
    Wireshark,
}

/// <summary>
/// A Name (RFC 5280 §4.1.2.4): an RDNSequence, kept in encoding order (least specific, usually C, first).
/// <code>
/// Name ::= CHOICE { rdnSequence  RDNSequence }
/// RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
/// RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
/// </code>
/// </summary>
public sealed class DistinguishedName
{
    internal DistinguishedName(IReadOnlyList<RelativeDistinguishedName> rdns, ReadOnlyMemory<byte> der, ByteRange range)
    {
        Rdns = rdns;
        Der = der;
        Range = range;
    }

    /// <summary>
    /// Reads a Name from its DER (copied), as a TLS CertificateRequest's certificate_authorities list carries them
    /// (RFC 5246 §7.4.4, RFC 8446 §4.2.4). Never throws: on damaged bytes, the RDNs before the damage (maybe none),
    /// with <paramref name="error"/> saying what was wrong.
    /// </summary>
    public static DistinguishedName Parse(ReadOnlySpan<byte> der, out string? error)
    {
        var bytes = der.ToArray();
        var problem = new ReadProblem();
        var r = new ValueReader(bytes, 0, bytes.Length, problem);
        DistinguishedName name = new([], ReadOnlyMemory<byte>.Empty, default);
        try
        {
            if (r.Sequence("DistinguishedName", out var tlv))
            {
                name = NameReader.Read(ref r, tlv, bytes);
                r.ExpectEnd("DistinguishedName");
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problem.Fail($"name parser failed: {e.GetType().Name}: {e.Message}", default);
        }
        error = problem.Message;
        return name;
    }

    /// <summary>The RDNs in encoding order.</summary>
    public IReadOnlyList<RelativeDistinguishedName> Rdns { get; }

    /// <summary>The Name's whole TLV.</summary>
    public ReadOnlyMemory<byte> Der { get; }

    public ByteRange Range { get; }

    /// <summary>Every attribute, in encoding order.</summary>
    public IEnumerable<NameAttribute> Attributes => Rdns.SelectMany(r => r.Attributes);

    public bool IsEmpty => Rdns.Count == 0;

    /// <summary>The values of every attribute of this type, in encoding order.</summary>
    public IEnumerable<string> ValuesOf(string oid) => Attributes.Where(a => a.Oid == oid).Select(a => a.Value);

    /// <summary>The most specific (last) common name, as RFC 6125 §6.4.4 takes it; null when there is none.</summary>
    public string? CommonName => ValuesOf(Oids.CommonName).LastOrDefault();

    public string? Organization => ValuesOf(Oids.OrganizationName).FirstOrDefault();

    public string? OrganizationalUnit => ValuesOf(Oids.OrganizationalUnitName).FirstOrDefault();

    public string? Country => ValuesOf(Oids.CountryName).FirstOrDefault();

    /// <summary>The name as text in the given style.</summary>
    public string Format(NameStyle style) => style switch
    {
        NameStyle.OpenSsl => string.Join(", ", Rdns.Select(r =>
            string.Join(" + ", r.Attributes.Select(a => a.ShortName + " = " + EscapeOpenSsl(a))))),
        NameStyle.Wireshark => string.Join(',', Rdns.Reverse().Select(r =>
            string.Join('+', r.Attributes.Select(a => a.Name + "=" + a.Value)))),
        _ => string.Join(',', Rdns.Reverse().Select(r => r.ToString())),
    };

    /// <summary>RFC 4514 form: <c>CN=test.httpsflow.example,O=HttpsFlow Test,C=US</c>.</summary>
    public override string ToString() => Format(NameStyle.Rfc4514);

    /// <summary>
    /// Name matching as RFC 5280 §7.1 asks for it: the same number of RDNs and attributes, equal types, and values
    /// equal after RFC 4518's basic preparation (case folded, inner white space runs folded to one space, leading and
    /// trailing spaces dropped), whatever string type carries them. Identical encodings always match.
    /// </summary>
    public bool Matches(DistinguishedName? other)
    {
        if (other is null) return false;
        if (Der.Span.SequenceEqual(other.Der.Span)) return true;
        if (Rdns.Count != other.Rdns.Count) return false;
        for (int i = 0; i < Rdns.Count; i++)
        {
            var a = Rdns[i].Attributes;
            var b = other.Rdns[i].Attributes;
            if (a.Count != b.Count) return false;
            // A SET has no order: every attribute of one must find an equal one in the other.
            foreach (var x in a)
                if (!b.Any(y => x.Oid == y.Oid && ValuesMatch(x, y))) return false;
        }
        return true;
    }

    private static bool ValuesMatch(NameAttribute x, NameAttribute y)
    {
        if (!x.IsString || !y.IsString) return x.RawValue.Span.SequenceEqual(y.RawValue.Span);
        return string.Equals(Prepare(x.Value), Prepare(y.Value), StringComparison.OrdinalIgnoreCase);
    }

    private static string Prepare(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool space = false;
        foreach (char c in s.Trim())
        {
            if (char.IsWhiteSpace(c)) { space = true; continue; }
            if (space) { sb.Append(' '); space = false; }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>RFC 4514 §2.4: a string value with its special characters escaped, any other value as #hex.</summary>
    internal static string EscapeRfc4514(NameAttribute a)
    {
        if (!a.IsString) return a.Value;
        string v = a.Value;
        var sb = new StringBuilder(v.Length + 4);
        for (int i = 0; i < v.Length; i++)
        {
            char c = v[i];
            bool special = c is '"' or '+' or ',' or ';' or '<' or '>' or '\\'
                || (i == 0 && (c == ' ' || c == '#'))
                || (i == v.Length - 1 && c == ' ');
            if (c == '\0') sb.Append("\\00");
            else if (special) sb.Append('\\').Append(c);
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>OpenSSL's ASN1_STRFLGS_RFC2253 | ESC_QUOTE escaping: control characters and bytes above 0x7f of
    /// the UTF-8 text as \XX, the value quoted when it holds one of RFC 2253's special characters.</summary>
    private static string EscapeOpenSsl(NameAttribute a)
    {
        if (!a.IsString) return a.Value;
        var bytes = Encoding.UTF8.GetBytes(a.Value);
        var sb = new StringBuilder(bytes.Length + 4);
        bool quote = false;
        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            if (b > 0x7f || b < 0x20 || b == 0x7f) sb.Append('\\').Append(b.ToString("X2"));
            else if (b is (byte)'"' or (byte)'\\') sb.Append('\\').Append((char)b);
            else
            {
                if (b is (byte)',' or (byte)'+' or (byte)'<' or (byte)'>' or (byte)';'
                    || (i == 0 && (b == ' ' || b == '#')) || (i == bytes.Length - 1 && b == ' '))
                    quote = true;
                sb.Append((char)b);
            }
        }
        return quote ? "\"" + sb + "\"" : sb.ToString();
    }
}
