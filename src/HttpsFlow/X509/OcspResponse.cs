using System.Formats.Asn1;
using HttpsFlow.Common;

namespace HttpsFlow.X509;

/// <summary>
/// An OCSP response (RFC 6960 §4.2.1), as a server staples it in a TLS CertificateStatus message (RFC 6066 §8) or a
/// TLS 1.3 CertificateEntry's status_request extension (RFC 8446 §4.4.2.1):
/// <code>
/// OCSPResponse ::= SEQUENCE {
///    responseStatus         OCSPResponseStatus,         -- ENUMERATED
///    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
/// ResponseBytes ::= SEQUENCE {
///    responseType   OBJECT IDENTIFIER,
///    response       OCTET STRING }                     -- id-pkix-ocsp-basic: a BasicOCSPResponse
/// BasicOCSPResponse ::= SEQUENCE {
///    tbsResponseData      ResponseData,
///    signatureAlgorithm   AlgorithmIdentifier,
///    signature            BIT STRING,
///    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ResponseData ::= SEQUENCE {
///    version              [0] EXPLICIT Version DEFAULT v1,
///    responderID              ResponderID,            -- CHOICE { byName [1] Name, byKey [2] KeyHash }
///    producedAt               GeneralizedTime,
///    responses                SEQUENCE OF SingleResponse,
///    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
/// SingleResponse ::= SEQUENCE {
///    certID                       CertID,
///    certStatus                   CertStatus,         -- good [0], revoked [1], unknown [2]
///    thisUpdate                   GeneralizedTime,
///    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
///    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
/// CertID ::= SEQUENCE {
///    hashAlgorithm       AlgorithmIdentifier,
///    issuerNameHash      OCTET STRING,
///    issuerKeyHash       OCTET STRING,
///    serialNumber        CertificateSerialNumber }
/// </code>
/// Parsing never throws: what could be read before a problem is kept, and the problem is a note.
/// </summary>
public sealed class OcspResponse
{
    /// <summary>id-pkix-ocsp-basic (RFC 6960 §4.2.1).</summary>
    public const string BasicResponseType = "1.3.6.1.5.5.7.48.1.1";

    private readonly byte[] _der;

    private OcspResponse(byte[] der) => _der = der;

    /// <summary>The response's bytes as given.</summary>
    public ReadOnlyMemory<byte> Der => _der;

    /// <summary>responseStatus: 0 successful, 1 malformedRequest, 2 internalError, 3 tryLater, 5 sigRequired,
    /// 6 unauthorized; null when it could not be read.</summary>
    public int? ResponseStatus { get; private set; }

    /// <summary>responseType; null without responseBytes.</summary>
    public string? ResponseType { get; private set; }

    /// <summary>The responder's name (ResponderID byName); null when it is named by key or unread.</summary>
    public DistinguishedName? ResponderName { get; private set; }

    /// <summary>The SHA-1 hash of the responder's public key (ResponderID byKey); empty otherwise.</summary>
    public ReadOnlyMemory<byte> ResponderKeyHash { get; private set; }

    /// <summary>producedAt; null when unread.</summary>
    public DateTimeOffset? ProducedAt { get; private set; }

    /// <summary>The SingleResponses, in order.</summary>
    public IReadOnlyList<OcspSingleResponse> Responses => _responses;

    /// <summary>responseExtensions (a nonce, …), each read by the parser for its OID as a certificate's would be.</summary>
    public IReadOnlyList<CertificateExtension> Extensions => _extensions;

    /// <summary>The BasicOCSPResponse's signatureAlgorithm; null when unread.</summary>
    public AlgorithmIdentifier? SignatureAlgorithm { get; private set; }

    /// <summary>The certificates sent with the response (usually a delegated responder's).</summary>
    public IReadOnlyList<Certificate> Certificates => _certificates;

    /// <summary>What was wrong with the encoding, in the order it was met; ranges are in <see cref="Der"/>.</summary>
    public IReadOnlyList<CertificateNote> Notes => _notes;

    public bool HasErrors => _notes.Any(n => n.Severity == Severity.Error);

    private readonly List<OcspSingleResponse> _responses = [];
    private readonly List<Certificate> _certificates = [];
    private readonly List<CertificateExtension> _extensions = [];
    private readonly List<CertificateNote> _notes = [];

    /// <summary>Reads an OCSPResponse from DER bytes (copied). Never throws.</summary>
    public static OcspResponse Parse(ReadOnlySpan<byte> der)
    {
        var response = new OcspResponse(der.ToArray());
        var problem = new ReadProblem();
        try
        {
            response.Read(problem);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of ours, not a property of the bytes: keep what was read and say so.
            problem.Fail($"OCSP response parser failed: {e.GetType().Name}: {e.Message}", default);
        }
        if (problem.Failed) response.Note(Severity.Error, problem.Message!, problem.Range);
        foreach (var (message, range) in problem.Warnings) response.Note(Severity.Warning, message, range);
        if (problem.NotDer) response.Note(Severity.Warning, "BER encoding where DER is required (RFC 6960 §4.2.1)", default);
        return response;
    }

    private static readonly Asn1Tag Explicit0 = new(TagClass.ContextSpecific, 0, true);
    private static readonly Asn1Tag Explicit1 = new(TagClass.ContextSpecific, 1, true);
    private static readonly Asn1Tag Explicit2 = new(TagClass.ContextSpecific, 2, true);

    private void Read(ReadProblem problem)
    {
        byte[] der = _der;
        if (der.Length == 0)
        {
            problem.Fail("no bytes: not an OCSP response", default);
            return;
        }
        var top = new ValueReader(der, 0, der.Length, problem);
        if (!top.Sequence("OCSPResponse", out var outer)) return;
        if (top.HasData) problem.Warn($"{der.Length - outer.End} bytes after the OCSP response", new ByteRange(outer.End, der.Length - outer.End));
        var r = top.Enter(outer);
        if (!r.Read("responseStatus", Asn1Tag.Enumerated, out var statusTlv)) return;
        if (!Enumerated(der, statusTlv, problem, "responseStatus", out int status)) return;
        ResponseStatus = status;
        if (!r.HasData) return;
        if (!r.Read("responseBytes", Explicit0, out var bytesTlv)) return;
        var explicitBytes = r.Enter(bytesTlv);
        if (!explicitBytes.Sequence("ResponseBytes", out var rbTlv)) return;
        var rb = explicitBytes.Enter(rbTlv);
        if (!rb.Oid("responseType", out string type, out _)) return;
        ResponseType = type;
        if (!rb.Read("response", Asn1Tag.PrimitiveOctetString, out var responseTlv)) return;
        if (type != BasicResponseType) return; // another type of response: its bytes stay opaque
        var inner = new ValueReader(der, responseTlv.ContentOffset, responseTlv.ContentOffset + responseTlv.ContentLength, problem);
        ReadBasic(ref inner, der);
    }

    private void ReadBasic(ref ValueReader r, byte[] der)
    {
        if (!r.Sequence("BasicOCSPResponse", out var basicTlv)) return;
        var basic = r.Enter(basicTlv);
        if (!basic.Sequence("tbsResponseData", out var tbsTlv)) return;
        var tbs = basic.Enter(tbsTlv);
        if (tbs.NextIs(Explicit0) && !tbs.Read("version", Explicit0, out _)) return;
        if (!ReadResponderId(ref tbs, der)) return;
        if (!tbs.Read("producedAt", Asn1Tag.GeneralizedTime, out var producedTlv)) return;
        ProducedAt = GeneralizedTime(der, producedTlv, r.Problem, "producedAt");
        if (!tbs.Sequence("responses", out var responsesTlv)) return;
        var responses = tbs.Enter(responsesTlv);
        while (responses.HasData)
            if (!ReadSingleResponse(ref responses, der)) return;
        if (tbs.NextIs(Explicit1) && !ReadExtensions(ref tbs, der, "responseExtensions", _extensions)) return;
        if (!tbs.ExpectEnd("tbsResponseData")) return;

        SignatureAlgorithm = AlgorithmReader.Read(ref basic, der, "signatureAlgorithm");
        if (SignatureAlgorithm is null) return;
        if (!basic.Read("signature", Asn1Tag.PrimitiveBitString, out _)) return;
        if (!basic.HasData) return;
        if (!basic.Read("certs", Explicit0, out var certsTlv)) return;
        var explicitCerts = basic.Enter(certsTlv);
        if (!explicitCerts.Sequence("certs", out var listTlv)) return;
        var list = explicitCerts.Enter(listTlv);
        while (list.HasData)
        {
            if (!list.Sequence("Certificate", out var certTlv)) return;
            _certificates.Add(Certificate.Parse(certTlv.Bytes(der)));
        }
        basic.ExpectEnd("BasicOCSPResponse");
    }

    private bool ReadResponderId(ref ValueReader tbs, byte[] der)
    {
        if (!tbs.Read("responderID", out var idTlv)) return false;
        if (idTlv.Tag.HasSameClassAndValue(Explicit1) && idTlv.Tag.IsConstructed)
        {
            var byName = tbs.Enter(idTlv);
            if (!byName.Sequence("responderID byName", out var nameTlv)) return false;
            ResponderName = NameReader.Read(ref byName, nameTlv, der);
            return !tbs.Problem.Failed;
        }
        if (idTlv.Tag.HasSameClassAndValue(Explicit2) && idTlv.Tag.IsConstructed)
        {
            var byKey = tbs.Enter(idTlv);
            if (!byKey.Read("responderID byKey", Asn1Tag.PrimitiveOctetString, out var keyTlv)) return false;
            ResponderKeyHash = new ReadOnlyMemory<byte>(der, keyTlv.ContentOffset, keyTlv.ContentLength);
            return true;
        }
        return tbs.Fail($"responderID: expected byName [1] or byKey [2], found {ValueReader.Describe(idTlv.Tag)}", idTlv.Range);
    }

    private bool ReadSingleResponse(ref ValueReader responses, byte[] der)
    {
        if (!responses.Sequence("SingleResponse", out var singleTlv)) return false;
        var single = responses.Enter(singleTlv);
        if (!single.Sequence("certID", out var certIdTlv)) return false;
        var certId = single.Enter(certIdTlv);
        var hash = AlgorithmReader.Read(ref certId, der, "certID hashAlgorithm");
        if (hash is null) return false;
        var response = new OcspSingleResponse { HashAlgorithm = hash };
        _responses.Add(response);
        if (!certId.Read("issuerNameHash", Asn1Tag.PrimitiveOctetString, out var nameHash)) return false;
        response.IssuerNameHash = new ReadOnlyMemory<byte>(der, nameHash.ContentOffset, nameHash.ContentLength);
        if (!certId.Read("issuerKeyHash", Asn1Tag.PrimitiveOctetString, out var keyHash)) return false;
        response.IssuerKeyHash = new ReadOnlyMemory<byte>(der, keyHash.ContentOffset, keyHash.ContentLength);
        if (!certId.Read("serialNumber", Asn1Tag.Integer, out var serial)) return false;
        response.SerialNumber = new ReadOnlyMemory<byte>(der, serial.ContentOffset, serial.ContentLength);
        if (!certId.ExpectEnd("certID")) return false;
        if (!single.Read("certStatus", out var statusTlv)) return false;
        if (statusTlv.Tag.TagClass != TagClass.ContextSpecific || statusTlv.Tag.TagValue > 2)
            return single.Fail($"certStatus: expected good [0], revoked [1] or unknown [2], found {ValueReader.Describe(statusTlv.Tag)}", statusTlv.Range);
        response.Status = (OcspCertStatus)statusTlv.Tag.TagValue;
        if (!single.Read("thisUpdate", Asn1Tag.GeneralizedTime, out var thisTlv)) return false;
        response.ThisUpdate = GeneralizedTime(der, thisTlv, single.Problem, "thisUpdate");
        if (single.NextIs(Explicit0))
        {
            if (!single.Read("nextUpdate", Explicit0, out var nextTlv)) return false;
            var next = single.Enter(nextTlv);
            if (!next.Read("nextUpdate", Asn1Tag.GeneralizedTime, out var timeTlv)) return false;
            response.NextUpdate = GeneralizedTime(der, timeTlv, single.Problem, "nextUpdate");
        }
        if (single.NextIs(Explicit1) && !ReadExtensions(ref single, der, "singleExtensions", response.ExtensionList)) return false;
        return single.ExpectEnd("SingleResponse");
    }

    /// <summary>
    /// <c>[1] EXPLICIT Extensions</c> (RFC 5280 §4.1: SEQUENCE OF Extension). An extension whose value cannot be read
    /// is kept as a <see cref="MalformedExtension"/> with a warning, and reading goes on.
    /// </summary>
    private bool ReadExtensions(ref ValueReader outer, byte[] der, string what, List<CertificateExtension> into)
    {
        if (!outer.Read(what, Explicit1, out var explicitTlv)) return false;
        var wrapper = outer.Enter(explicitTlv);
        if (!wrapper.Sequence(what, out var listTlv)) return false;
        var list = wrapper.Enter(listTlv);
        while (list.HasData)
        {
            if (!list.Sequence("Extension", out var extTlv)) return false;
            var x = list.Enter(extTlv);
            if (!x.Oid("extnID", out string oid, out var oidTlv)) return false;
            bool critical = false, criticalEncoded = false;
            ByteRange criticalRange = default;
            if (x.NextIs(Asn1Tag.Boolean))
            {
                if (!x.Read("critical", out var cTlv) || !x.Boolean("critical", cTlv, out critical)) return false;
                criticalEncoded = true;
                criticalRange = cTlv.Range;
            }
            if (!x.Read("extnValue", Asn1Tag.PrimitiveOctetString, out var valueTlv) || !x.ExpectEnd("Extension")) return false;
            var problem = new ReadProblem();
            var value = new ValueReader(der, valueTlv.ContentOffset, valueTlv.ContentOffset + valueTlv.ContentLength, problem);
            var parsed = CertificateParser.ParseValue(oid, ref value, der);
            if (parsed is null || problem.Failed)
            {
                string message = problem.Message ?? "could not be read";
                var range = problem.Failed ? problem.Range : valueTlv.ContentRange;
                Note(Severity.Warning, $"{what}: {Oids.NameOf(oid)}: {message}", range);
                parsed = new MalformedExtension(message, range);
            }
            into.Add(new CertificateExtension(oid, critical, criticalEncoded,
                new ReadOnlyMemory<byte>(der, valueTlv.ContentOffset, valueTlv.ContentLength), extTlv.Range, oidTlv.Range,
                criticalRange, valueTlv.ContentRange, parsed));
        }
        return wrapper.ExpectEnd(what);
    }

    private static bool Enumerated(byte[] der, Tlv tlv, ReadProblem problem, string what, out int value)
    {
        value = 0;
        try
        {
            var v = AsnDecoder.ReadEnumeratedBytes(tlv.Bytes(der), AsnEncodingRules.BER, out _);
            if (v.Length is 0 or > 4) return problem.Fail($"{what}: {v.Length} bytes is not a status", tlv.Range);
            foreach (byte b in v) value = value << 8 | b;
            return true;
        }
        catch (AsnContentException e)
        {
            return problem.Fail($"{what}: {e.Message}", tlv.Range);
        }
    }

    private static DateTimeOffset? GeneralizedTime(byte[] der, Tlv tlv, ReadProblem problem, string what)
    {
        try
        {
            return AsnDecoder.ReadGeneralizedTime(tlv.Bytes(der), AsnEncodingRules.BER, out _).ToUniversalTime();
        }
        catch (AsnContentException e)
        {
            problem.Warn($"{what}: {e.Message}", tlv.Range);
            return null;
        }
    }

    private void Note(Severity severity, string message, ByteRange range) =>
        _notes.Add(new CertificateNote(new ExpertNote(severity, "Malformed", "ocsp", message), range));
}

/// <summary>certStatus (RFC 6960 §4.2.1).</summary>
public enum OcspCertStatus : byte { Good = 0, Revoked = 1, Unknown = 2 }

/// <summary>One SingleResponse of an <see cref="OcspResponse"/>: the status of one certificate.</summary>
public sealed class OcspSingleResponse
{
    internal OcspSingleResponse() { }

    /// <summary>certID's hashAlgorithm (the hash of the issuer's name and key).</summary>
    public required AlgorithmIdentifier HashAlgorithm { get; init; }

    public ReadOnlyMemory<byte> IssuerNameHash { get; internal set; }

    public ReadOnlyMemory<byte> IssuerKeyHash { get; internal set; }

    /// <summary>The serial number's INTEGER contents as encoded.</summary>
    public ReadOnlyMemory<byte> SerialNumber { get; internal set; }

    /// <summary>null when it could not be read.</summary>
    public OcspCertStatus? Status { get; internal set; }

    public DateTimeOffset? ThisUpdate { get; internal set; }

    public DateTimeOffset? NextUpdate { get; internal set; }

    /// <summary>singleExtensions (an SCT list, …).</summary>
    public IReadOnlyList<CertificateExtension> Extensions => ExtensionList;

    internal List<CertificateExtension> ExtensionList { get; } = [];
}
