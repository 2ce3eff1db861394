using System.Formats.Asn1;
using System.Numerics;
using System.Text;
using HttpsFlow.Common;

namespace HttpsFlow.X509;

/// <summary>
/// Reads a <see cref="Certificate"/> from DER (RFC 5280 §4.1). The skeleton (Certificate, TBSCertificate and its
/// fields) is read leniently: a value cut short is clipped and reading goes on inside it, so a truncated certificate
/// keeps every field before the cut. Each field's inside is read strictly, and a field that fails becomes a note and
/// a null; each extension fails alone.
/// </summary>
internal sealed class CertificateParser
{
    private const string Af = "x509af";
    private const string Ce = "x509ce";
    private const string If = "x509if";

    private readonly byte[] _der;
    private readonly Certificate _cert;
    private readonly List<CertificateNote> _notes = [];
    private bool _truncationNoted;
    private bool _berNoted;

    private CertificateParser(byte[] der)
    {
        _der = der;
        _cert = new Certificate(der);
    }

    public static Certificate Parse(byte[] der)
    {
        var p = new CertificateParser(der);
        try
        {
            p.ParseCertificate();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of ours, not a property of the bytes: keep what was read and say so.
            p.Note(Severity.Error, "Malformed", Af, $"certificate parser failed: {e.GetType().Name}: {e.Message}", default);
        }
        p._cert.Notes = p._notes;
        return p._cert;
    }

    private void ParseCertificate()
    {
        if (_der.Length == 0)
        {
            Note(Severity.Error, "Malformed", Af, "no bytes: not a certificate", default);
            return;
        }
        var top = new DerReader(_der, 0, _der.Length);
        if (!Element(ref top, "Certificate", Asn1Tag.Sequence, out var outer)) return;
        _cert.Range = outer.Range;
        if (top.HasData)
            Note(Severity.Warning, "Malformed", Af, $"{top.Remaining} byte{(top.Remaining == 1 ? "" : "s")} after the certificate",
                new ByteRange(top.Position, top.Remaining));

        var c = top.Enter(outer);
        if (!Element(ref c, "tbsCertificate", Asn1Tag.Sequence, out var tbs)) return;
        _cert.TbsRange = tbs.Range;
        bool tbsComplete = ParseTbs(c.Enter(tbs));

        if (!Element(ref c, "signatureAlgorithm", Asn1Tag.Sequence, out var algTlv)) return;
        _cert.SignatureAlgorithm = Algorithm(algTlv, "signatureAlgorithm");

        if (!Element(ref c, "signatureValue", Asn1Tag.PrimitiveBitString, out var sigTlv)) return;
        if (Der.TryBitString(_der, sigTlv, out var sig, out int unused, out var error))
        {
            _cert.SignatureValue = sig;
            _cert.SignatureValueRange = sigTlv.Range;
            if (unused != 0) Note(Severity.Warning, "Malformed", Af, $"signatureValue has {unused} unused bits", sigTlv.Range);
        }
        else
        {
            Note(Severity.Error, "Malformed", Af, "signatureValue: " + error, sigTlv.Range);
            return;
        }
        if (c.HasData)
            Note(Severity.Warning, "Malformed", Af, $"{c.Remaining} unexpected bytes after signatureValue", new ByteRange(c.Position, c.Remaining));

        if (_cert.TbsSignatureAlgorithm is { } inner && _cert.SignatureAlgorithm is { } outerAlg
            && !inner.Range.Of(_der).SequenceEqual(outerAlg.Range.Of(_der)))
            Note(Severity.Error, "Protocol", Af,
                $"signature algorithm {inner.Name} in tbsCertificate differs from signatureAlgorithm {outerAlg.Name} (RFC 5280 §4.1.1.2)",
                outerAlg.Range);

        _cert.IsComplete = tbsComplete && _cert.SignatureAlgorithm is not null && !sigTlv.Truncated && !outer.Truncated;
    }

    /// <summary>The TBSCertificate's fields; true when every mandatory one was read.</summary>
    private bool ParseTbs(DerReader t)
    {
        // version [0] EXPLICIT Version DEFAULT v1
        _cert.RawVersion = 0;
        if (t.NextIs(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
        {
            if (!Element(ref t, "version", new Asn1Tag(TagClass.ContextSpecific, 0, true), out var vTlv)) return false;
            _cert.VersionEncoded = true;
            _cert.VersionRange = vTlv.Range;
            _cert.RawVersion = null;
            var v = t.Enter(vTlv);
            if (Element(ref v, "version", Asn1Tag.Integer, out var intTlv))
            {
                if (!Der.TryInt64(_der, intTlv, out long version, out _, out var error))
                    Note(Severity.Error, "Malformed", Af, "version: " + error, intTlv.Range);
                else if (version is < 0 or > int.MaxValue)
                    Note(Severity.Error, "Malformed", Af, $"version {version}", intTlv.Range);
                else
                {
                    _cert.RawVersion = (int)version;
                    if (version > 2) Note(Severity.Warning, "Protocol", Af, $"unknown version v{version + 1} ({version})", intTlv.Range);
                    else if (version == 0) Note(Severity.Note, "Protocol", Af, "version v1 is encoded although it is the DEFAULT (X.690 §11.5)", vTlv.Range);
                }
            }
        }

        // serialNumber CertificateSerialNumber (INTEGER)
        if (!Element(ref t, "serialNumber", Asn1Tag.Integer, out var serial)) return false;
        if (serial.Truncated) { NoteCut("serialNumber", serial); return false; }
        _cert.SerialNumber = new ReadOnlyMemory<byte>(_der, serial.ContentOffset, serial.ContentLength);
        _cert.SerialNumberRange = serial.Range;
        CheckSerial(serial);

        // signature AlgorithmIdentifier
        if (!Element(ref t, "signature", Asn1Tag.Sequence, out var sigAlg)) return false;
        _cert.TbsSignatureAlgorithm = Algorithm(sigAlg, "signature");

        // issuer Name
        if (!Element(ref t, "issuer", Asn1Tag.Sequence, out var issuer)) return false;
        _cert.Issuer = Name(issuer, "issuer");

        // validity Validity ::= SEQUENCE { notBefore Time, notAfter Time }
        if (!Element(ref t, "validity", Asn1Tag.Sequence, out var validity)) return false;
        _cert.ValidityRange = validity.Range;
        var vr = t.Enter(validity);
        if (TimeElement(ref vr, "notBefore", out var notBefore)) _cert.NotBefore = notBefore;
        if (_cert.NotBefore is not null && TimeElement(ref vr, "notAfter", out var notAfter)) _cert.NotAfter = notAfter;
        if (vr.HasData)
            Note(Severity.Warning, "Malformed", Af, $"{vr.Remaining} unexpected bytes in validity", new ByteRange(vr.Position, vr.Remaining));
        if (_cert.NotBefore?.Value is { } nb && _cert.NotAfter?.Value is { } na && nb > na)
            Note(Severity.Warning, "Protocol", Af, $"notBefore {_cert.NotBefore} is after notAfter {_cert.NotAfter}", validity.Range);

        // subject Name
        if (!Element(ref t, "subject", Asn1Tag.Sequence, out var subject)) return false;
        _cert.Subject = Name(subject, "subject");

        // subjectPublicKeyInfo
        if (!Element(ref t, "subjectPublicKeyInfo", Asn1Tag.Sequence, out var spki)) return false;
        _cert.PublicKey = PublicKeyReader.Read(_der, spki, this);
        bool complete = _cert.Issuer is not null && _cert.Subject is not null && _cert.NotAfter is not null
            && _cert.PublicKey is not null && _cert.TbsSignatureAlgorithm is not null && _cert.RawVersion is not null;

        // issuerUniqueID [1] IMPLICIT, subjectUniqueID [2] IMPLICIT (RFC 5280 §4.1.2.8)
        if (t.NextIs(new Asn1Tag(TagClass.ContextSpecific, 1)))
        {
            if (!Element(ref t, "issuerUniqueID", new Asn1Tag(TagClass.ContextSpecific, 1), out var u)) return false;
            if (Der.TryBitString(_der, u, out var bits, out _, out _)) _cert.IssuerUniqueId = bits;
            UniqueIdVersionCheck("issuerUniqueID", u);
        }
        if (t.NextIs(new Asn1Tag(TagClass.ContextSpecific, 2)))
        {
            if (!Element(ref t, "subjectUniqueID", new Asn1Tag(TagClass.ContextSpecific, 2), out var u)) return false;
            if (Der.TryBitString(_der, u, out var bits, out _, out _)) _cert.SubjectUniqueId = bits;
            UniqueIdVersionCheck("subjectUniqueID", u);
        }

        // extensions [3] EXPLICIT Extensions
        if (t.NextIs(new Asn1Tag(TagClass.ContextSpecific, 3, true)))
        {
            if (!Element(ref t, "extensions", new Asn1Tag(TagClass.ContextSpecific, 3, true), out var x)) return false;
            _cert.ExtensionsRange = x.Range;
            if (_cert.RawVersion is 0 or 1)
                Note(Severity.Warning, "Protocol", Af, $"extensions in a v{_cert.RawVersion + 1} certificate (RFC 5280 §4.1.2.9: v3 only)", x.Range);
            var xr = t.Enter(x);
            if (Element(ref xr, "Extensions", Asn1Tag.Sequence, out var list))
            {
                _cert.Extensions = ExtensionList(xr.Enter(list));
                if (!list.Truncated && _cert.Extensions.Count == 0)
                    Note(Severity.Warning, "Malformed", Af, "an empty Extensions list (RFC 5280 §4.1: SIZE (1..MAX))", list.Range);
            }
            if (xr.HasData)
                Note(Severity.Warning, "Malformed", Af, $"{xr.Remaining} unexpected bytes in extensions", new ByteRange(xr.Position, xr.Remaining));
        }
        if (t.HasData)
            Note(Severity.Warning, "Malformed", Af, $"{t.Remaining} unexpected bytes at the end of tbsCertificate",
                new ByteRange(t.Position, t.Remaining));
        return complete;
    }

    private void UniqueIdVersionCheck(string what, Tlv u)
    {
        if (_cert.RawVersion is 0)
            Note(Severity.Warning, "Protocol", Af, $"{what} in a v1 certificate (RFC 5280 §4.1.2.8: v2 or v3 only)", u.Range);
    }

    // RFC 5280 §4.1.2.2: a positive integer of at most 20 octets.
    private void CheckSerial(Tlv serial)
    {
        var s = serial.Content(_der);
        if (s.Length == 0) { Note(Severity.Error, "Malformed", Af, "serialNumber has no content", serial.Range); return; }
        if (s.Length > 1 && ((s[0] == 0 && s[1] < 0x80) || (s[0] == 0xff && s[1] >= 0x80)))
            Note(Severity.Warning, "Malformed", Af, "serialNumber is not minimally encoded (X.690 §8.3.2)", serial.Range);
        if ((s[0] & 0x80) != 0)
            Note(Severity.Warning, "Protocol", Af, "serialNumber is negative (RFC 5280 §4.1.2.2)", serial.Range);
        else if (s.IndexOfAnyExcept((byte)0) < 0)
            Note(Severity.Warning, "Protocol", Af, "serialNumber is zero (RFC 5280 §4.1.2.2)", serial.Range);
        int octets = s.Length - (s.Length > 1 && s[0] == 0 ? 1 : 0);
        if (octets > 20)
            Note(Severity.Warning, "Protocol", Af, $"serialNumber of {octets} octets: RFC 5280 §4.1.2.2 allows 20", serial.Range);
    }

    private AlgorithmIdentifier? Algorithm(Tlv tlv, string what)
    {
        var problem = new ReadProblem();
        var r = new ValueReader(_der, tlv.Start, tlv.End, problem);
        var alg = AlgorithmReader.Read(ref r, _der, what);
        Report(problem, Af, what);
        return alg;
    }

    private DistinguishedName? Name(Tlv tlv, string what)
    {
        var problem = new ReadProblem();
        var r = new ValueReader(_der, tlv.Start, tlv.End, problem);
        var name = NameReader.Read(ref r, tlv, _der);
        Report(problem, If, what);
        return name;
    }

    /// <summary>Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime } (RFC 5280 §4.1.2.5).</summary>
    private bool TimeElement(ref DerReader r, string what, out CertificateTime? time)
    {
        time = null;
        if (!Element(ref r, what, null, out var tlv)) return false;
        if (tlv.Truncated) { NoteCut(what, tlv); return false; }
        bool generalized = tlv.IsUniversal(UniversalTagNumber.GeneralizedTime);
        if (!generalized && !tlv.IsUniversal(UniversalTagNumber.UtcTime))
        {
            Note(Severity.Error, "Malformed", Af, $"{what}: expected UTCTime or GeneralizedTime, found {ValueReader.Describe(tlv.Tag)}", tlv.Range);
            return false;
        }
        string text = Encoding.ASCII.GetString(tlv.Content(_der));
        DateTimeOffset? value = null;
        foreach (var rules in (ReadOnlySpan<AsnEncodingRules>)[AsnEncodingRules.DER, AsnEncodingRules.BER])
        {
            try
            {
                value = generalized
                    ? AsnDecoder.ReadGeneralizedTime(tlv.Bytes(_der), rules, out _)
                    : AsnDecoder.ReadUtcTime(tlv.Bytes(_der), rules, out _, twoDigitYearMax: 2049);
                break;
            }
            catch (AsnContentException)
            {
            }
        }
        // RFC 5280 §4.1.2.5.1 and .2: seconds always, Z always, no fractions.
        bool rfcForm = text.Length == (generalized ? 15 : 13) && text[^1] == 'Z' && text[..^1].All(char.IsAsciiDigit);
        if (value is not null && !rfcForm)
            Note(Severity.Warning, "Malformed", Af,
                $"{what} '{text}' is not in the form RFC 5280 §4.1.2.5 requires ({(generalized ? "YYYYMMDDHHMMSSZ" : "YYMMDDHHMMSSZ")})", tlv.Range);
        if (value is null)
            Note(Severity.Error, "Malformed", Af, $"{what}: '{Printable(text)}' is not a valid {(generalized ? "GeneralizedTime" : "UTCTime")}", tlv.Range);
        else if (generalized && value.Value.Year < 2050)
            Note(Severity.Warning, "Protocol", Af, $"{what} {value:yyyy-MM-dd} is a GeneralizedTime: RFC 5280 §4.1.2.5 asks for UTCTime through 2049", tlv.Range);
        time = new CertificateTime(value?.ToUniversalTime(), generalized, text, tlv.Range);
        return true;
    }

    private List<CertificateExtension> ExtensionList(DerReader list)
    {
        var result = new List<CertificateExtension>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (list.HasData)
        {
            if (!Element(ref list, "Extension", Asn1Tag.Sequence, out var ext)) break;
            var problem = new ReadProblem();
            var x = new ValueReader(_der, ext.ContentOffset, ext.ContentOffset + ext.ContentLength, problem);
            if (!x.Oid("extnID", out string oid, out var oidTlv))
            {
                Report(problem, Af, "Extension");
                continue;
            }
            string name = Oids.NameOf(oid);
            bool critical = false, criticalEncoded = false;
            ByteRange criticalRange = default;
            if (x.NextIs(Asn1Tag.Boolean))
            {
                if (x.Read("critical", out var cTlv) && x.Boolean("critical", cTlv, out critical))
                {
                    criticalEncoded = true;
                    criticalRange = cTlv.Range;
                    if (!critical)
                        Note(Severity.Note, "Malformed", Af, $"{name}: critical FALSE is encoded although it is the DEFAULT (X.690 §11.5)", cTlv.Range);
                }
            }
            Tlv valueTlv = default;
            if (!problem.Failed && x.Read("extnValue", Asn1Tag.PrimitiveOctetString, out valueTlv)) x.ExpectEnd("Extension");
            if (problem.Failed)
            {
                Note(Severity.Error, "Malformed", Af, $"{name}: {problem.Message}", problem.Range);
                result.Add(new CertificateExtension(oid, critical, criticalEncoded, ReadOnlyMemory<byte>.Empty, ext.Range, oidTlv.Range,
                    criticalRange, default, new MalformedExtension(problem.Message!, problem.Range)));
                continue;
            }
            NotDerNote(problem, ext.Range);
            if (!seen.Add(oid))
                Note(Severity.Warning, "Protocol", Ce, $"{name} appears more than once (RFC 5280 §4.2)", ext.Range);
            var parsed = ExtensionValue(oid, name, critical, valueTlv);
            result.Add(new CertificateExtension(oid, critical, criticalEncoded,
                new ReadOnlyMemory<byte>(_der, valueTlv.ContentOffset, valueTlv.ContentLength), ext.Range, oidTlv.Range,
                criticalRange, valueTlv.ContentRange, parsed));
        }
        return result;
    }

    /// <summary>
    /// An extension's value (the contents of its extnValue) read by the parser for its OID: <see cref="UnknownExtension"/>
    /// when there is none, null when the value could not be read (the problem is in <paramref name="r"/>'s). The same
    /// parsers read the extensions of certificates and of OCSP responses, as tshark dissects both by OID.
    /// </summary>
    internal static ParsedExtension? ParseValue(string oid, ref ValueReader r, byte[] der) => oid switch
    {
        Oids.SubjectAltName or Oids.IssuerAltName => AlternativeNameExtension.Parse(ref r, der),
        Oids.BasicConstraints => BasicConstraintsExtension.Parse(ref r),
        Oids.KeyUsage => KeyUsageExtension.Parse(ref r),
        Oids.ExtKeyUsage => ExtendedKeyUsageExtension.Parse(ref r),
        Oids.AuthorityKeyIdentifier => AuthorityKeyIdentifierExtension.Parse(ref r, der),
        Oids.SubjectKeyIdentifier => SubjectKeyIdentifierExtension.Parse(ref r),
        Oids.AuthorityInfoAccess or Oids.SubjectInfoAccess => AuthorityInfoAccessExtension.Parse(ref r, der),
        Oids.CrlDistributionPoints or Oids.FreshestCrl => CrlDistributionPointsExtension.Parse(ref r, der),
        // Microsoft's application policies share certificatePolicies' syntax (and tshark reads them so).
        Oids.CertificatePolicies or Oids.MsApplicationPolicies => CertificatePoliciesExtension.Parse(ref r),
        Oids.SctList or Oids.OcspSctList => SctListExtension.Parse(ref r),
        Oids.Logotype => LogotypeExtension.Parse(ref r, der),
        _ => UnknownExtension.Instance,
    };

    private ParsedExtension ExtensionValue(string oid, string name, bool critical, Tlv valueTlv)
    {
        var problem = new ReadProblem();
        var r = new ValueReader(_der, valueTlv.ContentOffset, valueTlv.ContentOffset + valueTlv.ContentLength, problem);
        var parsed = ParseValue(oid, ref r, _der);
        if (parsed is null || problem.Failed)
        {
            Warnings(problem, Ce, name);
            string message = problem.Message ?? "could not be read";
            var range = problem.Failed ? problem.Range : valueTlv.ContentRange;
            Note(Severity.Error, "Malformed", Ce, $"{name}: {message}", range);
            return new MalformedExtension(message, range);
        }
        Warnings(problem, Ce, name);
        NotDerNote(problem, valueTlv.ContentRange);
        if (parsed is UnknownExtension && critical)
            Note(Severity.Warning, "Undecoded", Ce,
                $"critical extension {oid} is not understood: RFC 5280 §4.2 says to reject the certificate", valueTlv.ContentRange);
        return parsed;
    }

    /// <summary>
    /// Reads the next TLV of a skeleton structure; <paramref name="tag"/> (when given) must match. A value cut short
    /// is returned clipped (constructed ones can still be read into), after one note for the certificate.
    /// </summary>
    private bool Element(ref DerReader r, string what, Asn1Tag? tag, out Tlv tlv)
    {
        tlv = default;
        if (!r.HasData)
        {
            Note(Severity.Error, "Malformed", Af, $"{what} is missing", new ByteRange(r.End, 0));
            return false;
        }
        int at = r.Position;
        var status = r.Read(out tlv, out var error);
        switch (status)
        {
            case DerRead.Malformed:
                Note(Severity.Error, "Malformed", Af, $"{what}: {error}", new ByteRange(at, Math.Min(2, r.End - at)));
                return false;
            case DerRead.NotDer:
                NoteBer(tlv.Range);
                break;
            case DerRead.Truncated:
                if (!_truncationNoted)
                {
                    _truncationNoted = true;
                    Note(Severity.Error, "Malformed", Af, $"the certificate is cut short: {what} {error}", tlv.Range);
                }
                break;
        }
        if (tag is { } expected && !(tlv.Tag.HasSameClassAndValue(expected) && tlv.Tag.IsConstructed == expected.IsConstructed))
        {
            Note(Severity.Error, "Malformed", Af, $"{what}: expected {ValueReader.Describe(expected)}, found {ValueReader.Describe(tlv.Tag)}", tlv.Range);
            return false;
        }
        return true;
    }

    private void NoteCut(string what, Tlv tlv) =>
        Note(Severity.Error, "Malformed", Af, $"{what} is cut short", tlv.Range);

    internal void Report(ReadProblem problem, string protocol, string what)
    {
        Warnings(problem, protocol, what);
        if (problem.Failed) Note(Severity.Error, "Malformed", protocol, $"{what}: {problem.Message}", problem.Range);
        else NotDerNote(problem, default);
    }

    private void Warnings(ReadProblem problem, string protocol, string what)
    {
        foreach (var (message, range) in problem.Warnings)
            Note(Severity.Warning, "Malformed", protocol, $"{what}: {message}", range);
    }

    private void NotDerNote(ReadProblem problem, ByteRange range)
    {
        if (problem.NotDer) NoteBer(range);
    }

    private void NoteBer(ByteRange range)
    {
        if (_berNoted) return;
        _berNoted = true;
        Note(Severity.Warning, "Malformed", Af, "BER encoding where DER is required (X.690 §10, RFC 5280 §4.1)", range);
    }

    internal void Note(Severity severity, string group, string protocol, string message, ByteRange range) =>
        _notes.Add(new CertificateNote(new ExpertNote(severity, group, protocol, message), range));

    private static string Printable(string s) => new([.. s.Select(c => c is >= ' ' and < '\x7f' ? c : '?')]);
}
