using System.Formats.Asn1;
using System.Numerics;
using System.Text;

namespace HttpsFlow.X509;

/// <summary>How reading one TLV went.</summary>
internal enum DerRead : byte
{
    /// <summary>A complete, DER-encoded TLV.</summary>
    Ok,
    /// <summary>A complete TLV that is valid BER but not DER (indefinite length, non-minimal length, …).</summary>
    NotDer,
    /// <summary>The header was read but the contents run past the end of the enclosing structure; the TLV returned
    /// is clipped to the bytes that are there.</summary>
    Truncated,
    /// <summary>Nothing usable: no bytes left, or a tag or length that cannot be decoded.</summary>
    Malformed,
}

/// <summary>
/// One TLV (X.690 §8.1: identifier, length, contents) found by <see cref="DerReader"/>. Every position is absolute,
/// counted from the first byte of the certificate's DER, so ranges can be handed straight to a UI.
/// </summary>
internal readonly record struct Tlv(Asn1Tag Tag, int Start, int Length, int ContentOffset, int ContentLength, bool Truncated)
{
    public int End => Start + Length;

    public ByteRange Range => new(Start, Length);

    public ByteRange ContentRange => new(ContentOffset, ContentLength);

    public bool IsUniversal(UniversalTagNumber number) => Tag.TagClass == TagClass.Universal && Tag.TagValue == (int)number;

    public bool IsContext(int number) => Tag.TagClass == TagClass.ContextSpecific && Tag.TagValue == number;

    /// <summary>The whole TLV.</summary>
    public ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> der) => der.Slice(Start, Length);

    /// <summary>The contents only.</summary>
    public ReadOnlySpan<byte> Content(ReadOnlySpan<byte> der) => der.Slice(ContentOffset, ContentLength);
}

/// <summary>
/// A forward-only reader of the TLVs inside one constructed value, in the manner of dotnet/runtime's
/// <c>AsnValueReader</c>: it consumes by position, and a nested structure gets its own reader bounded to its
/// contents (<see cref="Enter"/>). Lengths are checked by <see cref="AsnDecoder"/> (DER first, then BER); a value
/// longer than what encloses it is reported as <see cref="DerRead.Truncated"/> and clipped, so that a damaged
/// certificate still yields every field before the damage.
/// </summary>
internal ref struct DerReader
{
    private readonly ReadOnlySpan<byte> _der;
    private readonly int _end;
    private int _pos;

    /// <summary>A reader over <c>der[start..end]</c>; positions it reports stay relative to <paramref name="der"/>.</summary>
    public DerReader(ReadOnlySpan<byte> der, int start, int end)
    {
        _der = der;
        _pos = start;
        _end = end;
    }

    public readonly int Position => _pos;

    public readonly int End => _end;

    public readonly bool HasData => _pos < _end;

    public readonly int Remaining => _end - _pos;

    /// <summary>A reader over the contents of <paramref name="tlv"/>.</summary>
    public readonly DerReader Enter(Tlv tlv) => new(_der, tlv.ContentOffset, tlv.ContentOffset + tlv.ContentLength);

    /// <summary>The tag of the next TLV, without consuming it.</summary>
    public readonly bool TryPeekTag(out Asn1Tag tag)
    {
        tag = default;
        return _pos < _end && Asn1Tag.TryDecode(_der[_pos.._end], out tag, out _);
    }

    /// <summary>Whether the next TLV has this tag.</summary>
    public readonly bool NextIs(Asn1Tag tag) => TryPeekTag(out var t) && t.HasSameClassAndValue(tag);

    /// <summary>
    /// Reads the next TLV. On <see cref="DerRead.Truncated"/> the reader is left at its end and <paramref name="tlv"/>
    /// holds what is there; on <see cref="DerRead.Malformed"/> the reader does not move and <paramref name="error"/>
    /// says why.
    /// </summary>
    public DerRead Read(out Tlv tlv, out string? error)
    {
        tlv = default;
        error = null;
        if (_pos >= _end)
        {
            error = "no bytes left";
            return DerRead.Malformed;
        }
        var span = _der[_pos.._end];
        if (TryDecode(span, AsnEncodingRules.DER, out var tag, out int co, out int cl, out int consumed))
        {
            tlv = new Tlv(tag, _pos, consumed, _pos + co, cl, false);
            _pos += consumed;
            return DerRead.Ok;
        }
        if (TryDecode(span, AsnEncodingRules.BER, out tag, out co, out cl, out consumed))
        {
            tlv = new Tlv(tag, _pos, consumed, _pos + co, cl, false);
            _pos += consumed;
            error = "BER encoding where DER is required (X.690 §10)";
            return DerRead.NotDer;
        }

        // X.690 §8.1.2 (identifier) and §8.1.3 (length), read by hand only to tell a cut value from a broken one.
        if (!Asn1Tag.TryDecode(span, out tag, out int tagLength))
        {
            error = span.Length < 2 ? "truncated inside the tag" : "invalid tag";
            return DerRead.Malformed;
        }
        if (tagLength >= span.Length)
        {
            error = "truncated after the tag: no length";
            return DerRead.Malformed;
        }
        int first = span[tagLength];
        long length;
        int headerLength;
        if (first < 0x80)
        {
            length = first;
            headerLength = tagLength + 1;
        }
        else if (first == 0x80)
        {
            error = "indefinite length without its end-of-contents";
            return DerRead.Malformed;
        }
        else
        {
            int n = first & 0x7f;
            if (n > 4)
            {
                error = $"a length of {n} bytes";
                return DerRead.Malformed;
            }
            if (tagLength + 1 + n > span.Length)
            {
                error = "truncated inside the length";
                return DerRead.Malformed;
            }
            length = 0;
            for (int i = 0; i < n; i++) length = length << 8 | span[tagLength + 1 + i];
            headerLength = tagLength + 1 + n;
        }
        int available = span.Length - headerLength;
        if (length > available)
        {
            tlv = new Tlv(tag, _pos, span.Length, _pos + headerLength, available, true);
            _pos = _end;
            error = $"length {length} runs past the end: {available} byte{(available == 1 ? "" : "s")} left";
            return DerRead.Truncated;
        }
        error = "invalid encoding";
        return DerRead.Malformed;
    }

    /// <summary>AsnDecoder.TryReadEncodedValue, which still throws on some BER (an indefinite length whose
    /// end-of-contents never comes): false instead.</summary>
    private static bool TryDecode(ReadOnlySpan<byte> span, AsnEncodingRules rules, out Asn1Tag tag, out int contentOffset,
        out int contentLength, out int consumed)
    {
        try
        {
            return AsnDecoder.TryReadEncodedValue(span, rules, out tag, out contentOffset, out contentLength, out consumed);
        }
        catch (AsnContentException)
        {
            tag = default;
            contentOffset = contentLength = consumed = 0;
            return false;
        }
    }
}

/// <summary>
/// Decoders for primitive values of a <see cref="Tlv"/>. They return false instead of throwing; the text of what was
/// wrong comes back in <c>error</c>. Each tries DER, then BER (reporting <c>notDer</c>).
/// </summary>
internal static class Der
{
    public static bool TryOid(ReadOnlySpan<byte> der, Tlv tlv, out string oid, out string? error)
    {
        oid = "";
        error = null;
        if (tlv.Truncated) { error = "truncated OBJECT IDENTIFIER"; return false; }
        try
        {
            oid = AsnDecoder.ReadObjectIdentifier(tlv.Bytes(der), AsnEncodingRules.BER, out _, tlv.Tag);
            return true;
        }
        catch (AsnContentException e)
        {
            error = "invalid OBJECT IDENTIFIER: " + e.Message;
            return false;
        }
    }

    public static bool TryBoolean(ReadOnlySpan<byte> der, Tlv tlv, out bool value, out bool notDer, out string? error)
    {
        notDer = false;
        error = null;
        value = false;
        if (tlv.Truncated) { error = "truncated BOOLEAN"; return false; }
        if (Try(der, tlv, AsnEncodingRules.DER, out value)) return true;
        if (Try(der, tlv, AsnEncodingRules.BER, out value)) { notDer = true; return true; }
        error = $"invalid BOOLEAN ({tlv.ContentLength} content bytes)";
        return false;

        static bool Try(ReadOnlySpan<byte> der, Tlv tlv, AsnEncodingRules rules, out bool value)
        {
            try
            {
                value = AsnDecoder.ReadBoolean(tlv.Bytes(der), rules, out _, tlv.Tag);
                return true;
            }
            catch (AsnContentException)
            {
                value = false;
                return false;
            }
        }
    }

    /// <summary>An INTEGER that fits in 64 bits.</summary>
    public static bool TryInt64(ReadOnlySpan<byte> der, Tlv tlv, out long value, out bool notDer, out string? error)
    {
        notDer = false;
        error = null;
        value = 0;
        if (!TryBigInteger(der, tlv, out var big, out notDer, out error)) return false;
        if (big < long.MinValue || big > long.MaxValue) { error = "INTEGER too large"; return false; }
        value = (long)big;
        return true;
    }

    public static bool TryBigInteger(ReadOnlySpan<byte> der, Tlv tlv, out BigInteger value, out bool notDer, out string? error)
    {
        notDer = false;
        error = null;
        value = default;
        if (tlv.Truncated) { error = "truncated INTEGER"; return false; }
        if (tlv.ContentLength == 0) { error = "INTEGER with no content"; return false; }
        var content = tlv.Content(der);
        // X.690 §8.3.2: the first nine bits must not be all ones or all zeros.
        if (content.Length > 1 && ((content[0] == 0 && content[1] < 0x80) || (content[0] == 0xff && content[1] >= 0x80)))
            notDer = true;
        value = new BigInteger(content, isUnsigned: false, isBigEndian: true);
        return true;
    }

    /// <summary>A BIT STRING's bits and the number of unused bits in its last byte (X.690 §8.6).</summary>
    public static bool TryBitString(ReadOnlySpan<byte> der, Tlv tlv, out byte[] bits, out int unusedBits, out string? error)
    {
        bits = [];
        unusedBits = 0;
        error = null;
        if (tlv.Truncated) { error = "truncated BIT STRING"; return false; }
        if (!tlv.Tag.IsConstructed)
        {
            var content = tlv.Content(der);
            if (content.Length == 0) { error = "BIT STRING without its unused-bits byte"; return false; }
            if (content[0] > 7 || (content.Length == 1 && content[0] != 0))
            {
                error = $"BIT STRING with {content[0]} unused bits";
                return false;
            }
            unusedBits = content[0];
            bits = content[1..].ToArray();
            return true;
        }
        try
        {
            bits = AsnDecoder.ReadBitString(tlv.Bytes(der), AsnEncodingRules.BER, out unusedBits, out _, tlv.Tag);
            return true;
        }
        catch (AsnContentException e)
        {
            error = "invalid BIT STRING: " + e.Message;
            return false;
        }
    }

    public static bool TryOctetString(ReadOnlySpan<byte> der, Tlv tlv, out byte[] value, out string? error)
    {
        value = [];
        error = null;
        if (tlv.Truncated) { error = "truncated OCTET STRING"; return false; }
        if (!tlv.Tag.IsConstructed)
        {
            value = tlv.Content(der).ToArray();
            return true;
        }
        try
        {
            value = AsnDecoder.ReadOctetString(tlv.Bytes(der), AsnEncodingRules.BER, out _, tlv.Tag);
            return true;
        }
        catch (AsnContentException e)
        {
            error = "invalid OCTET STRING: " + e.Message;
            return false;
        }
    }

    /// <summary>The universal string types X.509 names and general names use.</summary>
    public static bool IsStringType(UniversalTagNumber n) => n is UniversalTagNumber.UTF8String or UniversalTagNumber.PrintableString
        or UniversalTagNumber.IA5String or UniversalTagNumber.T61String or UniversalTagNumber.BMPString
        or UniversalTagNumber.UniversalString or UniversalTagNumber.VisibleString or UniversalTagNumber.NumericString
        or UniversalTagNumber.VideotexString or UniversalTagNumber.GraphicString or UniversalTagNumber.GeneralString;

    /// <summary>
    /// A character string of type <paramref name="type"/> (which may be carried under an implicit tag). Characters
    /// outside the type's set do not fail it: the text is decoded leniently and <paramref name="problem"/> says so.
    /// </summary>
    public static bool TryString(ReadOnlySpan<byte> der, Tlv tlv, UniversalTagNumber type, out string value, out string? problem)
    {
        problem = null;
        value = "";
        if (tlv.Truncated) { problem = $"truncated {type}"; return false; }
        // The types AsnDecoder reads; UniversalString (UTF-32) and the rest are decoded below.
        if (type is UniversalTagNumber.UTF8String or UniversalTagNumber.PrintableString or UniversalTagNumber.IA5String
            or UniversalTagNumber.T61String or UniversalTagNumber.BMPString
            or UniversalTagNumber.VisibleString or UniversalTagNumber.NumericString)
        {
            try
            {
                value = AsnDecoder.ReadCharacterString(tlv.Bytes(der), AsnEncodingRules.BER, type, out _, tlv.Tag);
                return true;
            }
            catch (AsnContentException)
            {
                problem = $"{type} with characters outside its character set";
            }
        }
        if (tlv.Tag.IsConstructed)
        {
            problem = $"constructed {type} that cannot be read";
            return false;
        }
        var bytes = tlv.Content(der);
        value = type switch
        {
            UniversalTagNumber.BMPString => Encoding.BigEndianUnicode.GetString(bytes),
            UniversalTagNumber.UniversalString => new UTF32Encoding(bigEndian: true, byteOrderMark: false).GetString(bytes),
            UniversalTagNumber.UTF8String => Encoding.UTF8.GetString(bytes),
            _ => LooseText(bytes),
        };
        return true;
    }

    /// <summary>UTF-8 when the bytes are valid UTF-8, otherwise ISO 8859-1.</summary>
    public static string LooseText(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(bytes);
        }
    }
}
