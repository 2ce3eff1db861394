using HttpsFlow.Common;
using HttpsFlow.Tls.Extensions;

namespace HttpsFlow.Tls.Handshake;

/// <summary>
/// A Certificate body: TLS 1.2's list of DER certificates, or TLS 1.3's request context and entries with extensions.
/// </summary>
/// <remarks>
/// <code>
/// // RFC 5246 §7.4.2
/// opaque ASN.1Cert&lt;1..2^24-1&gt;;
/// struct {
///     ASN.1Cert certificate_list&lt;0..2^24-1&gt;;
/// } Certificate;
///
/// // RFC 8446 §4.4.2
/// struct {
///     select (certificate_type) {
///         case RawPublicKey:
///           /* From RFC 7250 ASN.1_subjectPublicKeyInfo */
///           opaque ASN1_subjectPublicKeyInfo&lt;1..2^24-1&gt;;
///         case X509:
///           opaque cert_data&lt;1..2^24-1&gt;;
///     };
///     Extension extensions&lt;0..2^16-1&gt;;
/// } CertificateEntry;
/// struct {
///     opaque certificate_request_context&lt;0..2^8-1&gt;;
///     CertificateEntry certificate_list&lt;0..2^24-1&gt;;
/// } Certificate;
/// </code>
/// Certificates keep their DER; X.509 decoding is another layer's.
/// </remarks>
public readonly ref struct Certificate
{
    private Certificate(ParseStatus status, bool isTls13, ReadOnlySpan<byte> context, ReadOnlySpan<byte> list, int listDeclared, int baseOffset)
    {
        Status = status;
        IsTls13 = isTls13;
        RequestContext = context;
        ListBytes = list;
        ListDeclaredLength = listDeclared;
        ListOffset = baseOffset;
    }

    public ParseStatus Status { get; }

    public bool IsTls13 { get; }

    /// <summary>certificate_request_context (TLS 1.3; empty in a server's Certificate).</summary>
    public ReadOnlySpan<byte> RequestContext { get; }

    /// <summary>certificate_list's bytes (cut short when malformed).</summary>
    public ReadOnlySpan<byte> ListBytes { get; }

    /// <summary>certificate_list's declared length.</summary>
    public int ListDeclaredLength { get; }

    /// <summary>Whether the whole certificate_list its length declares is in the message.</summary>
    public bool ListFits => ListBytes.Length == ListDeclaredLength;

    /// <summary>Offset of <see cref="ListBytes"/> in the body.</summary>
    public int ListOffset { get; }

    /// <summary>The entries in order; one cut short is the last.</summary>
    public CertificateEntries Entries => new(ListBytes, IsTls13, ListOffset);

    public int Count => Entries.Count;

    /// <param name="body">The message body (after the four-byte header).</param>
    /// <param name="isTls13">Whether the connection is TLS 1.3 (the form depends on it, not on anything in the message).</param>
    /// <param name="notes">Where notes go; null for none.</param>
    public static Certificate Parse(ReadOnlySpan<byte> body, bool isTls13, TlsNotes? notes = null)
    {
        var ctx = new TlsParseContext(body, notes);
        var r = new WireReader(body);
        ReadOnlySpan<byte> context = default;
        if (isTls13)
        {
            if (!ctx.ReadVector8(ref r, 0, byte.MaxValue, out var c))
                return new Certificate(ParseStatus.Malformed, true, c.Rest, default, 0, ctx.OffsetOf(r));
            context = c.Rest;
        }
        bool whole = ctx.ReadVector24(ref r, 0, 0xffffff, out var list, out int declared);
        var bytes = list.Rest;
        int baseOffset = ctx.OffsetOf(bytes);
        if (!whole) return new Certificate(ParseStatus.Malformed, isTls13, context, bytes, declared, baseOffset);
        var status = ParseStatus.Ok;
        while (!list.IsEmpty)
        {
            if (!ctx.ReadVector24(ref list, 1, 0xffffff, out _))
            {
                status = ParseStatus.Malformed;
                break;
            }
            if (isTls13)
            {
                var exts = ExtensionList.Read(ref list, ctx);
                if (exts.Status != ParseStatus.Ok)
                {
                    status = ParseStatus.Malformed;
                    break;
                }
            }
        }
        if (status == ParseStatus.Ok) ctx.Trailing(r);
        return new Certificate(status, isTls13, context, bytes, declared, baseOffset);
    }
}

/// <summary>One certificate of a Certificate message.</summary>
public readonly ref struct CertificateEntry
{
    internal CertificateEntry(ReadOnlySpan<byte> data, int declaredLength, ExtensionList extensions, int offset)
    {
        Data = data;
        DeclaredLength = declaredLength;
        Extensions = extensions;
        Offset = offset;
    }

    /// <summary>The certificate's DER (or a raw public key's SubjectPublicKeyInfo).</summary>
    public ReadOnlySpan<byte> Data { get; }

    public int DeclaredLength { get; }

    public bool IsTruncated => Data.Length < DeclaredLength;

    /// <summary>The entry's extensions (TLS 1.3: status_request, signed_certificate_timestamp); absent before TLS 1.3.</summary>
    public ExtensionList Extensions { get; }

    /// <summary>Offset of the entry's length field in the message body.</summary>
    public int Offset { get; }

    /// <summary>Offset of <see cref="Data"/> in the message body.</summary>
    public int DataOffset => Offset + 3;
}

/// <summary>The entries of a certificate_list.</summary>
public readonly ref struct CertificateEntries
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly bool _isTls13;
    private readonly int _base;

    internal CertificateEntries(ReadOnlySpan<byte> bytes, bool isTls13, int baseOffset)
    {
        _bytes = bytes;
        _isTls13 = isTls13;
        _base = baseOffset;
    }

    public int Count
    {
        get
        {
            int n = 0;
            foreach (var _ in this) n++;
            return n;
        }
    }

    /// <summary>The certificates' DER, copied (allocates; for tests and storage).</summary>
    public byte[][] ToArray()
    {
        var list = new List<byte[]>();
        foreach (var e in this) list.Add(e.Data.ToArray());
        return list.ToArray();
    }

    public Enumerator GetEnumerator() => new(_bytes, _isTls13, _base);

    public ref struct Enumerator
    {
        private WireReader _r;
        private readonly bool _isTls13;
        private readonly int _base;

        internal Enumerator(ReadOnlySpan<byte> bytes, bool isTls13, int baseOffset)
        {
            _r = new WireReader(bytes);
            _isTls13 = isTls13;
            _base = baseOffset;
            Current = default;
        }

        public CertificateEntry Current { get; private set; }

        public bool MoveNext()
        {
            int at = _r.Position;
            if (!_r.TryReadUInt24(out uint length)) return false;
            int take = (int)Math.Min(length, (uint)_r.Remaining);
            _r.TryReadBytes(take, out var data);
            var extensions = ExtensionList.None;
            if (_isTls13 && take == length && !_r.IsEmpty)
            {
                var rest = _r.Rest;
                extensions = ExtensionList.Parse(rest);
                int used = extensions.Status == ParseStatus.Ok ? 2 + extensions.Bytes.Length : _r.Remaining;
                // Rebase the list's offsets onto the message body.
                extensions = ExtensionList.Rebase(extensions, _base + _r.Position);
                _r.TrySkip(Math.Min(used, _r.Remaining));
            }
            Current = new CertificateEntry(data, (int)length, extensions, _base + at);
            return true;
        }
    }
}
