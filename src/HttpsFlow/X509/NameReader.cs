using System.Formats.Asn1;
using System.Net;

namespace HttpsFlow.X509;

/// <summary>Reads Names and GeneralNames (RFC 5280 §4.1.2.4, §4.2.1.6) for the certificate and its extensions.</summary>
internal static class NameReader
{
    /// <summary>
    /// The Name whose TLV is <paramref name="nameTlv"/> (a SEQUENCE). Reads as many RDNs as it can: on a problem the
    /// name returned holds the RDNs before it and the problem is in the reader's <see cref="ReadProblem"/>.
    /// </summary>
    public static DistinguishedName Read(ref ValueReader outer, Tlv nameTlv, byte[] derArray)
    {
        var rdns = new List<RelativeDistinguishedName>();
        var name = outer.Enter(nameTlv);
        while (name.HasData)
        {
            if (!name.Read("RelativeDistinguishedName", Asn1Tag.SetOf, out var setTlv)) break;
            var rdn = ReadRdn(ref name, setTlv, derArray, out bool ok);
            if (rdn is not null) rdns.Add(rdn);
            if (!ok) break;
        }
        return new DistinguishedName(rdns, Slice(derArray, nameTlv.Range), nameTlv.Range);
    }

    /// <summary>
    /// The AttributeTypeAndValues inside <paramref name="setTlv"/> (a SET, or an implicitly tagged one). Null when
    /// not even one could be read; <paramref name="complete"/> is false when reading stopped at a problem.
    /// </summary>
    public static RelativeDistinguishedName? ReadRdn(ref ValueReader outer, Tlv setTlv, byte[] derArray, out bool complete)
    {
        var attributes = new List<NameAttribute>();
        var set = outer.Enter(setTlv);
        complete = true;
        while (set.HasData)
        {
            if (!ReadAttribute(ref set, outer.Der, derArray, out var attribute)) { complete = false; break; }
            attributes.Add(attribute);
        }
        if (complete && attributes.Count == 0) complete = outer.Fail("an empty RelativeDistinguishedName", setTlv.Range);
        return attributes.Count > 0 ? new RelativeDistinguishedName(attributes, setTlv.Range) : null;
    }

    private static bool ReadAttribute(ref ValueReader set, ReadOnlySpan<byte> der, byte[] derArray, out NameAttribute attribute)
    {
        attribute = null!;
        if (!set.Sequence("AttributeTypeAndValue", out var atvTlv)) return false;
        var atv = set.Enter(atvTlv);
        if (!atv.Oid("AttributeType", out string oid, out var oidTlv)) return false;
        if (!atv.Read($"value of {Oids.NameOf(oid)}", out var valueTlv)) return false;
        if (!atv.ExpectEnd("AttributeTypeAndValue")) return false;
        string value;
        bool isString = false;
        if (valueTlv.Tag.TagClass == TagClass.Universal && Der.IsStringType((UniversalTagNumber)valueTlv.Tag.TagValue))
        {
            if (!atv.String(Oids.NameOf(oid), valueTlv, (UniversalTagNumber)valueTlv.Tag.TagValue, out value)) return false;
            isString = true;
        }
        else
        {
            value = "#" + Convert.ToHexStringLower(valueTlv.Bytes(der));
        }
        attribute = new NameAttribute(oid, value, valueTlv.Tag, isString, Slice(derArray, valueTlv.Range),
            atvTlv.Range, oidTlv.Range, valueTlv.Range);
        return true;
    }

    /// <summary>GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName, read from the contents of <paramref name="tlv"/>.</summary>
    public static List<GeneralName>? ReadGeneralNames(ref ValueReader outer, Tlv tlv, byte[] derArray, string what)
    {
        var names = new List<GeneralName>();
        var r = outer.Enter(tlv);
        while (r.HasData)
        {
            var name = ReadGeneralName(ref r, derArray, what);
            if (name is null) return null;
            names.Add(name);
        }
        return names;
    }

    /// <summary>One GeneralName (a CHOICE of context tags 0 to 8).</summary>
    public static GeneralName? ReadGeneralName(ref ValueReader r, byte[] derArray, string what)
    {
        if (!r.Read(what, out var tlv)) return null;
        var der = r.Der;
        if (tlv.Tag.TagClass != TagClass.ContextSpecific || tlv.Tag.TagValue > 8)
        {
            r.Fail($"{what}: expected a GeneralName ([0] to [8]), found {ValueReader.Describe(tlv.Tag)}", tlv.Range);
            return null;
        }
        var kind = (GeneralNameKind)tlv.Tag.TagValue;
        var raw = Slice(derArray, tlv.ContentRange);
        switch (kind)
        {
            case GeneralNameKind.Rfc822Name or GeneralNameKind.DnsName or GeneralNameKind.Uri:
            {
                if (!r.String(what, tlv, UniversalTagNumber.IA5String, out string text)) return null;
                return new GeneralName(kind, text, raw, tlv.Range);
            }
            case GeneralNameKind.IPAddress:
            {
                if (!r.OctetString(what, tlv, out var bytes)) return null;
                IPAddress? address = bytes.Length is 4 or 16 ? new IPAddress(bytes) : null;
                string text = bytes.Length switch
                {
                    4 or 16 => address!.ToString(),
                    // RFC 5280 §4.2.1.10: name constraints carry address and mask.
                    8 or 32 => new IPAddress(bytes[..(bytes.Length / 2)]) + "/" + new IPAddress(bytes[(bytes.Length / 2)..]),
                    _ => Convert.ToHexStringLower(bytes),
                };
                return new GeneralName(kind, text, raw, tlv.Range) { IPAddress = address };
            }
            case GeneralNameKind.RegisteredId:
            {
                if (!Der.TryOid(der, tlv, out string oid, out var error)) { r.Fail($"{what}: {error}", tlv.Range); return null; }
                return new GeneralName(kind, oid, raw, tlv.Range);
            }
            case GeneralNameKind.DirectoryName:
            {
                // [4] is EXPLICIT: Name is a CHOICE, so the tag wraps the SEQUENCE.
                var inner = r.Enter(tlv);
                if (!inner.Sequence($"{what} directoryName", out var nameTlv)) return null;
                var name = Read(ref inner, nameTlv, derArray);
                if (r.Problem.Failed || !inner.ExpectEnd($"{what} directoryName")) return null;
                return new GeneralName(kind, name.ToString(), raw, tlv.Range) { DirectoryName = name };
            }
            case GeneralNameKind.OtherName:
            {
                // OtherName ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY DEFINED BY type-id }
                var inner = r.Enter(tlv);
                if (!inner.Oid($"{what} otherName type-id", out string typeId, out _)) return null;
                if (!inner.Read($"{what} otherName value", new Asn1Tag(TagClass.ContextSpecific, 0, true), out var valueTlv)) return null;
                var valueReader = inner.Enter(valueTlv);
                if (!valueReader.Read($"{what} otherName value", out var v)) return null;
                string text = "#" + Convert.ToHexStringLower(v.Bytes(der));
                UniversalTagNumber? stringType = null;
                if (v.Tag.TagClass == TagClass.Universal && Der.IsStringType((UniversalTagNumber)v.Tag.TagValue)
                    && Der.TryString(der, v, (UniversalTagNumber)v.Tag.TagValue, out var s, out _))
                {
                    text = s;
                    stringType = (UniversalTagNumber)v.Tag.TagValue;
                }
                return new GeneralName(kind, text, raw, tlv.Range) { OtherNameTypeId = typeId, OtherNameStringType = stringType };
            }
            default:
                return new GeneralName(kind, Convert.ToHexStringLower(tlv.Content(der)), raw, tlv.Range);
        }
    }

    public static ReadOnlyMemory<byte> Slice(byte[] der, ByteRange range) => new(der, range.Offset, range.Length);
}
