using HttpsFlow.X509;
using static HttpsFlow.Tree.TreeText;
using X509Certificate = HttpsFlow.X509.Certificate;

namespace HttpsFlow.Tree;

/// <summary>The Certificate handshake message and each certificate's X.509 subtree, with the byte ranges the X509 parser records.</summary>
internal static class CertificateTree
{
    public static void Message(ref Body b, bool tls13)
    {
        var node = b.Node;
        if (tls13)
        {
            if (!b.Has(1)) return;
            int contextLength = b.U8();
            b.Add(node, $"Certificate Request Context Length: {contextLength}", "tls.handshake.certificate_request_context_length", 0, 1);
            if (!b.Has(contextLength)) return;
            b.Pos += contextLength;
        }
        if (!b.Has(3)) return;
        int listLength = b.U24();
        b.Add(node, $"Certificates Length: {listLength}", "tls.handshake.certificates_length", b.Pos - 3, 3);
        // tshark stops at a list longer than its message, and shows no list item for an empty one.
        if (listLength > b.Left || listLength == 0) return;
        int end = b.Pos + listLength;
        var list = b.Add(node, $"Certificates ({listLength} bytes)", "tls.handshake.certificates", b.Pos, end - b.Pos);
        while (b.Pos + 3 <= end)
        {
            int length = b.U24();
            b.Add(list, $"Certificate Length: {length}", "tls.handshake.certificate_length", b.Pos - 3, 3);
            int have = Math.Min(length, end - b.Pos);
            var der = b.Bytes.Slice(b.Pos, have);
            var certificate = Parse(der);
            string subject = certificate?.Subject is { } s ? " (" + RdnText(s) + ")" : "";
            var c = b.Add(list, $"Certificate: {HexShort(der)}{subject}", "tls.handshake.certificate", b.Pos, have);
            if (certificate is not null) X509(c, certificate, b.Region.At(b.Pos));
            b.Pos += have;
            if (tls13 && b.Pos + 2 <= end)
            {
                int extLength = b.U16();
                b.Add(list, $"Extensions Length: {extLength}", "tls.handshake.extensions_length", b.Pos - 2, 2);
                b.Pos += Math.Min(extLength, end - b.Pos);
            }
        }
    }

    private static X509Certificate? Parse(ReadOnlySpan<byte> der)
    {
        if (der.IsEmpty) return null;
        try
        {
            return X509Certificate.Parse(der);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>tshark's text of a name: the RDNs last first, "id-at-commonName=…,id-at-organizationName=…".</summary>
    private static string RdnText(DistinguishedName name) =>
        string.Join(",", name.Rdns.Reverse().Select(r => string.Join("+", r.Attributes.Select(a => $"{a.Name}={a.Value}"))));

    private static TreeNode Add(TreeNode parent, string label, string? field, Region r, ByteRange range) => parent.Add(label, field, r, range.Offset, range.Length);

    private static void X509(TreeNode node, X509Certificate c, Region r)
    {
        var tbs = Add(node, "signedCertificate", "x509af.signedCertificate_element", r, c.TbsRange);
        if (c.VersionEncoded) Add(tbs, $"version: v{c.Version} ({c.Version - 1})", "x509af.version", r, c.VersionRange);
        Add(tbs, $"serialNumber: 0x{c.SerialNumberHex}", "x509af.serialNumber", r, c.SerialNumberRange);
        if (c.TbsSignatureAlgorithm is { } alg) Algorithm(tbs, "signature", "x509af.signature_element", alg, r);
        if (c.Issuer is { } issuer) Name(tbs, "issuer", "x509af.issuer", issuer, r);
        if (c.NotBefore is not null || c.NotAfter is not null)
        {
            var validity = Add(tbs, "validity", "x509af.validity_element", r, c.ValidityRange);
            Time(validity, "notBefore", c.NotBefore, r);
            Time(validity, "notAfter", c.NotAfter, r);
        }
        if (c.Subject is { } subject) Name(tbs, "subject", "x509af.subject", subject, r);
        if (c.PublicKey is { } key)
        {
            var spki = Add(tbs, "subjectPublicKeyInfo", "x509af.subjectPublicKeyInfo_element", r, key.Range);
            Algorithm(spki, "algorithm", "x509af.algorithm_element", key.Algorithm, r);
            var pk = Add(spki, $"subjectPublicKey: {HexShort(key.PublicKey.Span)}", "x509af.subjectPublicKey", r, key.PublicKeyRange);
            if (key.RsaModulus is { } modulus)
            {
                Add(pk, $"modulus: 0x{HexShort(modulus.Span)}", "pkcs1.modulus", r, key.RsaModulusRange);
                Add(pk, $"publicExponent: {key.RsaExponent}", "pkcs1.publicExponent", r, key.RsaExponentRange);
            }
        }
        if (c.Extensions.Count > 0)
        {
            var exts = Add(tbs, $"extensions: {c.Extensions.Count} item{(c.Extensions.Count == 1 ? "" : "s")}", "x509af.extensions", r, c.ExtensionsRange);
            foreach (var e in c.Extensions)
            {
                var x = Add(exts, $"Extension ({e.Name})", "x509af.Extension_element", r, e.Range);
                Add(x, $"Extension Id: {e.Oid} ({e.Name})", "x509af.extension.id", r, e.OidRange);
                if (e.CriticalEncoded) Add(x, $"critical: {(e.Critical ? "True" : "False")}", "x509af.critical", r, e.CriticalRange);
                ExtensionValue(x, e, r);
            }
        }
        if (c.SignatureAlgorithm is { } sig) Algorithm(node, "algorithmIdentifier", "x509af.algorithmIdentifier_element", sig, r);
        if (UnusedBits(c.Der.Span, c.SignatureValueRange) is { } padding) Add(node, $"Padding: {padding}", "x509af.padding", r, c.SignatureValueRange);
        Add(node, $"encrypted: {HexShort(c.SignatureValue.Span)}", "x509af.encrypted", r, c.SignatureValueRange);
    }

    /// <summary>
    /// An extension's value as tshark shows it for the extensions it decodes and we parse (basic constraints, key usage,
    /// extended key usage, key identifiers, alternative names); any other a line of our own text over the value's bytes.
    /// </summary>
    private static void ExtensionValue(TreeNode x, CertificateExtension e, Region r)
    {
        var v = e.ValueRange;
        switch (e.Parsed)
        {
            case BasicConstraintsExtension bc:
                if (!bc.CaEncoded && bc.PathLengthConstraint is null)
                {
                    Add(x, "BasicConstraintsSyntax [0 length]", "x509ce.BasicConstraintsSyntax_element", r, v);
                    break;
                }
                var syntax = Add(x, "BasicConstraintsSyntax", "x509ce.BasicConstraintsSyntax_element", r, v);
                if (bc.CaEncoded) Add(syntax, $"cA: {(bc.CertificateAuthority ? "True" : "False")}", "x509ce.cA", r, v);
                if (bc.PathLengthConstraint is { } path) Add(syntax, $"pathLenConstraint: {path}", "x509ce.pathLenConstraint", r, v);
                break;
            case KeyUsageExtension ku:
            {
                var bits = ku.Bits.Span;
                Add(x, $"Padding: {ku.UnusedBits}", "x509ce.KeyUsage.padding", r, v);
                var usage = Add(x, $"KeyUsage: {Hex(bits)}", "x509ce.KeyUsage", r, v);
                int first = bits.Length > 0 ? bits[0] : 0, second = bits.Length > 1 ? bits[1] : 0;
                for (int i = 0; i < 8; i++)
                    Add(usage, TreeText.BitLine((ulong)first, 8, 0x80UL >> i, $"{KeyUsageExtension.BitNames[i]}: {((first & 0x80 >> i) != 0 ? "True" : "False")}"),
                        "x509ce.KeyUsage." + KeyUsageExtension.BitNames[i], r, v);
                Add(usage, TreeText.BitLine((ulong)second, 8, 0x80, $"decipherOnly: {((second & 0x80) != 0 ? "True" : "False")}"), "x509ce.KeyUsage.decipherOnly", r, v);
                break;
            }
            case ExtendedKeyUsageExtension eku:
            {
                var ids = Add(x, $"KeyPurposeIDs: {eku.Purposes.Count} item{(eku.Purposes.Count == 1 ? "" : "s")}", "x509ce.KeyPurposeIDs", r, v);
                foreach (var oid in eku.Purposes) Add(ids, $"KeyPurposeId: {oid} ({Oids.NameOf(oid)})", "x509ce.KeyPurposeId", r, v);
                break;
            }
            case SubjectKeyIdentifierExtension ski:
                Add(x, $"SubjectKeyIdentifier: {Hex(ski.KeyIdentifier.Span)}", "x509ce.SubjectKeyIdentifier", r, v);
                break;
            case AuthorityKeyIdentifierExtension aki:
            {
                var a = Add(x, "AuthorityKeyIdentifier", "x509ce.AuthorityKeyIdentifier_element", r, v);
                if (aki.KeyIdentifier is { } id) Add(a, $"keyIdentifier: {Hex(id.Span)}", "x509ce.keyIdentifier", r, v);
                break;
            }
            case AlternativeNameExtension san:
            {
                var names = Add(x, $"GeneralNames: {san.Names.Count} item{(san.Names.Count == 1 ? "" : "s")}", "x509ce.GeneralNames", r, v);
                foreach (var n in san.Names)
                {
                    var g = Add(names, $"GeneralName: {n.KindName} ({(int)n.Kind})", "x509ce.GeneralName", r, n.Range);
                    Add(g, $"{n.KindName}: {n.Value}", "x509ce." + n.KindName, r, n.Range);
                }
                break;
            }
            default:
                Add(x, $"{e.Parsed}", null, r, v);
                break;
        }
    }

    /// <summary>The unused-bits byte of the BIT STRING whose whole encoding is <paramref name="range"/>, or null.</summary>
    private static int? UnusedBits(ReadOnlySpan<byte> der, ByteRange range)
    {
        if (range.Offset < 0 || range.End > der.Length || range.Length < 3 || der[range.Offset] != 0x03) return null;
        int at = range.Offset + 1;
        int lengthByte = der[at++];
        if (lengthByte >= 0x80) at += lengthByte & 0x7f;
        return at < range.End ? der[at] : null;
    }

    private static void Algorithm(TreeNode parent, string what, string field, AlgorithmIdentifier alg, Region r)
    {
        var a = Add(parent, $"{what} ({alg.Name})", field, r, alg.Range);
        Add(a, $"Algorithm Id: {alg.Oid} ({alg.Name})", "x509af.algorithm.id", r, alg.OidRange);
    }

    private static void Name(TreeNode parent, string what, string field, DistinguishedName name, Region r)
    {
        var n = Add(parent, $"{what}: rdnSequence (0)", field, r, name.Range);
        var seq = Add(n, $"rdnSequence: {name.Rdns.Count} item{(name.Rdns.Count == 1 ? "" : "s")} ({RdnText(name)})", "x509if.rdnSequence", r, name.Range);
        foreach (var rdn in name.Rdns)
        {
            string text = string.Join("+", rdn.Attributes.Select(a => $"{a.Name}={a.Value}"));
            var item = Add(seq, $"RDNSequence item: {rdn.Attributes.Count} item{(rdn.Attributes.Count == 1 ? "" : "s")} ({text})", "x509if.RDNSequence_item", r, rdn.Range);
            foreach (var a in rdn.Attributes)
            {
                var av = Add(item, $"RelativeDistinguishedName item ({a.Name}={a.Value})", "x509if.RelativeDistinguishedName_item_element", r, a.Range);
                Add(av, $"Object Id: {a.Oid} ({a.Name})", "x509if.oid", r, a.OidRange);
                if (a.Oid == "2.5.4.6") Add(av, $"CountryName: {a.Value}", "x509sat.CountryName", r, a.ValueRange);
                else
                {
                    string type = a.StringTypeName switch
                    {
                        "UTF8String" => "uTF8String (4)",
                        "PrintableString" => "printableString (1)",
                        "TeletexString" => "teletexString (0)",
                        "UniversalString" => "universalString (2)",
                        "BMPString" => "bmpString (3)",
                        var other => other,
                    };
                    var ds = Add(av, $"DirectoryString: {type}", "x509sat.DirectoryString", r, a.ValueRange);
                    int space = type.IndexOf(' ');
                    Add(ds, $"{(space > 0 ? type[..space] : type)}: {a.Value}", null, r, a.ValueRange);
                }
            }
        }
    }

    private static void Time(TreeNode parent, string what, CertificateTime? t, Region r)
    {
        if (t is null) return;
        string kind = t.IsGeneralizedTime ? "generalTime (1)" : "utcTime (0)";
        var n = Add(parent, $"{what}: {kind}", "x509af." + what, r, t.Range);
        Add(n, $"{(t.IsGeneralizedTime ? "generalTime" : "utcTime")}: {t.FieldText}", t.IsGeneralizedTime ? "x509af.generalizedTime" : "x509af.utcTime", r, t.Range);
    }
}
