using System.Formats.Asn1;
using System.Numerics;

namespace HttpsFlow.X509;

/// <summary>The first problem met while reading one structure, and where; shared by a reader and the readers nested in it.</summary>
internal sealed class ReadProblem
{
    public string? Message { get; private set; }

    public ByteRange Range { get; private set; }

    /// <summary>Whether a BER-only encoding was accepted somewhere.</summary>
    public bool NotDer { get; set; }

    public bool Failed => Message is not null;

    /// <summary>Things wrong that did not stop the read (a string with characters outside its type, a NUL inside a
    /// name), for the certificate's notes.</summary>
    public List<(string Message, ByteRange Range)> Warnings { get; } = [];

    public void Warn(string message, ByteRange range) => Warnings.Add((message, range));

    /// <summary>Records the problem (the first one wins) and returns false, so callers can <c>return r.Fail(…)</c>.</summary>
    public bool Fail(string message, ByteRange range)
    {
        if (Message is null)
        {
            Message = message;
            Range = range;
        }
        return false;
    }
}

/// <summary>
/// A strict reader for the inside of one structure (an extension's value, a name, an algorithm identifier): any
/// problem, a cut value included, fails the read and is recorded once in <see cref="ReadProblem"/>. Built over
/// <see cref="DerReader"/>, positions are absolute in the certificate's DER.
/// </summary>
internal ref struct ValueReader
{
    private readonly ReadOnlySpan<byte> _der;
    private DerReader _r;
    private readonly ReadProblem _problem;

    public ValueReader(ReadOnlySpan<byte> der, int start, int end, ReadProblem problem)
    {
        _der = der;
        _r = new DerReader(der, start, end);
        _problem = problem;
    }

    public readonly ReadOnlySpan<byte> Der => _der;

    public readonly ReadProblem Problem => _problem;

    public readonly bool HasData => _r.HasData;

    public readonly int Position => _r.Position;

    public readonly bool NextIs(Asn1Tag tag) => _r.NextIs(tag);

    public readonly bool NextIsContext(int number) =>
        _r.TryPeekTag(out var t) && t.TagClass == TagClass.ContextSpecific && t.TagValue == number;

    /// <summary>A reader over the contents of <paramref name="tlv"/>, sharing this reader's problem.</summary>
    public readonly ValueReader Enter(Tlv tlv) => new(_der, tlv.ContentOffset, tlv.ContentOffset + tlv.ContentLength, _problem);

    public readonly bool Fail(string message, ByteRange range) => _problem.Fail(message, range);

    /// <summary>Fails unless every byte was read.</summary>
    public readonly bool ExpectEnd(string what) =>
        !_r.HasData || _problem.Fail($"{what}: {_r.Remaining} unexpected byte{(_r.Remaining == 1 ? "" : "s")} at the end",
            new ByteRange(_r.Position, _r.Remaining));

    /// <summary>The next TLV, whatever its tag.</summary>
    public bool Read(string what, out Tlv tlv)
    {
        int at = _r.Position;
        var status = _r.Read(out tlv, out var error);
        switch (status)
        {
            case DerRead.Ok:
                return true;
            case DerRead.NotDer:
                _problem.NotDer = true;
                return true;
            case DerRead.Truncated:
                return _problem.Fail($"{what} is cut short: {error}", tlv.Range);
            default:
                return _problem.Fail($"{what}: {error}", new ByteRange(at, Math.Max(0, Math.Min(2, _r.End - at))));
        }
    }

    /// <summary>The next TLV, which must carry <paramref name="tag"/> (class, number and constructed bit).</summary>
    public bool Read(string what, Asn1Tag tag, out Tlv tlv)
    {
        if (!Read(what, out tlv)) return false;
        if (tlv.Tag.HasSameClassAndValue(tag) && tlv.Tag.IsConstructed == tag.IsConstructed) return true;
        return _problem.Fail($"{what}: expected {Describe(tag)}, found {Describe(tlv.Tag)}", tlv.Range);
    }

    public bool Sequence(string what, out Tlv tlv) => Read(what, Asn1Tag.Sequence, out tlv);

    public bool Oid(string what, out string oid, out Tlv tlv)
    {
        oid = "";
        if (!Read(what, Asn1Tag.ObjectIdentifier, out tlv)) return false;
        if (Der_TryOid(tlv, out oid, out var error)) return true;
        return _problem.Fail($"{what}: {error}", tlv.Range);
    }

    public bool Boolean(string what, Tlv tlv, out bool value)
    {
        if (!X509.Der.TryBoolean(_der, tlv, out value, out bool notDer, out var error))
            return _problem.Fail($"{what}: {error}", tlv.Range);
        if (notDer) _problem.NotDer = true;
        return true;
    }

    public bool Integer(string what, Tlv tlv, out BigInteger value)
    {
        if (!X509.Der.TryBigInteger(_der, tlv, out value, out bool notDer, out var error))
            return _problem.Fail($"{what}: {error}", tlv.Range);
        if (notDer) _problem.NotDer = true;
        return true;
    }

    public bool OctetString(string what, Tlv tlv, out byte[] value)
    {
        if (X509.Der.TryOctetString(_der, tlv, out value, out var error)) return true;
        return _problem.Fail($"{what}: {error}", tlv.Range);
    }

    public bool BitString(string what, Tlv tlv, out byte[] bits, out int unusedBits)
    {
        if (!X509.Der.TryBitString(_der, tlv, out bits, out unusedBits, out var error)) return _problem.Fail($"{what}: {error}", tlv.Range);
        if (bits.Length > 0 && (bits[^1] & ((1 << unusedBits) - 1)) != 0)
            _problem.Warn($"{what}: the unused bits of the BIT STRING are not zero (X.690 §11.2.1)", tlv.Range);
        return true;
    }

    /// <summary>A string of the given type under any tag (implicit tags included).</summary>
    public bool String(string what, Tlv tlv, UniversalTagNumber type, out string value)
    {
        if (!X509.Der.TryString(_der, tlv, type, out value, out var problem)) return _problem.Fail($"{what}: {problem}", tlv.Range);
        if (problem is not null) _problem.Warn($"{what}: {problem}", tlv.Range);
        if (value.Contains('\0')) _problem.Warn($"{what} '{value.Replace('\0', '?')}' contains a NUL character", tlv.Range);
        return true;
    }

    private readonly bool Der_TryOid(Tlv tlv, out string oid, out string? error) => X509.Der.TryOid(_der, tlv, out oid, out error);

    /// <summary>A tag as X.680 names it: <c>SEQUENCE</c>, <c>OCTET STRING</c>, <c>[3] constructed</c>.</summary>
    internal static string Describe(Asn1Tag tag) => tag.TagClass switch
    {
        TagClass.Universal => (UniversalTagNumber)tag.TagValue switch
        {
            UniversalTagNumber.Boolean => "BOOLEAN",
            UniversalTagNumber.Integer => "INTEGER",
            UniversalTagNumber.BitString => "BIT STRING",
            UniversalTagNumber.OctetString => "OCTET STRING",
            UniversalTagNumber.Null => "NULL",
            UniversalTagNumber.ObjectIdentifier => "OBJECT IDENTIFIER",
            UniversalTagNumber.Sequence => "SEQUENCE",
            UniversalTagNumber.Set => "SET",
            UniversalTagNumber.UtcTime => "UTCTime",
            UniversalTagNumber.T61String => "TeletexString",
            UniversalTagNumber.EndOfContents => "end-of-contents",
            var n => n.ToString(),
        },
        TagClass.ContextSpecific => $"[{tag.TagValue}]{(tag.IsConstructed ? " constructed" : "")}",
        TagClass.Application => $"[APPLICATION {tag.TagValue}]",
        _ => $"[PRIVATE {tag.TagValue}]",
    };
}
