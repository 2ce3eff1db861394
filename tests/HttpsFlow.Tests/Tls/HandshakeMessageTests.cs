using HttpsFlow.Common;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Extensions;
using HttpsFlow.Tls.Handshake;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// The handshake messages after the hellos: Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone,
/// CertificateVerify, ClientKeyExchange, Finished, NewSessionTicket, EncryptedExtensions, KeyUpdate, HelloRequest,
/// CertificateStatus, CompressedCertificate, the SSL 2.0 ClientHello; and the records Alert, ChangeCipherSpec and
/// Heartbeat. Real bytes where the samples or RFC 8448 have them; otherwise vectors built field by field from the RFC
/// structure pasted above each parser (marked "built").
/// </summary>
public class HandshakeMessageTests
{
    // ---- Certificate ----

    [Fact]
    public void NginxsTls12CertificateChainHasTwoCertificates()
    {
        var cert = Certificate.Parse(SampleMessages.Body(TlsSamples.Tls12, false, TlsHandshakeType.Certificate), isTls13: false);

        Assert.Equal(ParseStatus.Ok, cert.Status);
        Assert.Equal(1839, cert.ListDeclaredLength);
        var ders = cert.Entries.ToArray();
        Assert.Equal([907, 926], ders.Select(d => d.Length));
        Assert.All(ders, d => Assert.Equal(0x30, d[0]));   // DER SEQUENCE
        int i = 0;
        foreach (var e in cert.Entries)
        {
            Assert.Equal(i == 0 ? 6 : 6 + 907 + 3, e.DataOffset);
            Assert.False(e.Extensions.IsPresent);
            i++;
        }
    }

    [Fact]
    public void Rfc8448Tls13CertificateHasAContextAndPerEntryExtensions()
    {
        var body = Rfc8448.Bytes(Rfc8448.Certificate)[4..];
        var notes = new TlsNotes();
        var cert = Certificate.Parse(body, isTls13: true, notes);

        Assert.Equal(ParseStatus.Ok, cert.Status);
        Assert.Equal(0, notes.Count);
        Assert.True(cert.RequestContext.IsEmpty);
        Assert.Equal(1, cert.Count);
        foreach (var e in cert.Entries)
        {
            Assert.Equal(432, e.Data.Length);
            Assert.True(e.Extensions.IsPresent);
            Assert.Equal(0, e.Extensions.Count);
            Assert.Equal(1 + 3 + 3 + 432 + 2, e.Extensions.BaseOffset);   // context, list length, length, DER, extensions length
        }
    }

    [Fact]
    public void ATls13CertificateEntryCarriesOcspAndScts()
    {
        // Built: context "", one entry (DER 3 bytes) with status_request (an OCSP response) and
        // signed_certificate_timestamp (one SCT v1) extensions.
        string sct = "00" + new string('a', 64) + "0000017f00000000" + "0000" + "0403" + "0004" + "01020304";
        string sctList = $"{(sct.Length / 2 + 2):x4}{sct.Length / 2:x4}{sct}";
        string exts = "0005 0009 01 000005 30030a0100" + $"0012 {sctList.Length / 2:x4} {sctList}";
        int extsLen = Hex.Parse(exts).Length;
        string entry = $"000003 300100 {extsLen:x4} {exts}";
        int entryLen = Hex.Parse(entry).Length;
        var body = Hex.Parse($"00 {entryLen:x6} {entry}");

        var notes = new TlsNotes();
        var cert = Certificate.Parse(body, isTls13: true, notes);
        Assert.Equal(ParseStatus.Ok, cert.Status);
        Assert.Equal(0, notes.Count);
        foreach (var e in cert.Entries)
        {
            Assert.True(e.Extensions.TryFind(ExtensionType.StatusRequest, out var status));
            var response = StatusRequestExtension.Parse(status.Data, TlsHandshakeType.Certificate);
            Assert.Equal((ParseStatus.Ok, (byte)1), (response.Status, response.StatusType));
            Assert.Equal("30030a0100", Convert.ToHexStringLower(CertificateStatus.Parse(response.ResponseBytes).OcspResponse));
            Assert.True(e.Extensions.TryFind(ExtensionType.SignedCertificateTimestamp, out var scts));
            var list = SignedCertificateTimestampExtension.Parse(scts.Data, TlsHandshakeType.Certificate);
            Assert.Equal(1, list.Timestamps.Count);
            var parsed = SignedCertificateTimestamp.Parse(list.Timestamps.First);
            Assert.Equal((ParseStatus.Ok, (byte)0, 0x17f00000000UL), (parsed.Status, parsed.Version, parsed.Timestamp));
            Assert.Equal(new SignatureScheme(0x0403), parsed.Signature.Algorithm);
        }
    }

    [Theory]
    [InlineData("an empty body (TLS 1.2)", false, "", TlsNoteKeys.BufferTooSmall)]
    [InlineData("a list longer than the body", false, "000010 000003 300100", TlsNoteKeys.BufferTooSmall)]
    [InlineData("a certificate longer than the list", false, "000006 000010 300100", TlsNoteKeys.BufferTooSmall)]
    [InlineData("a zero-length certificate", false, "000003 000000", TlsNoteKeys.VectorLength)]
    [InlineData("bytes after the list", false, "000006 000003 300100 ff", TlsNoteKeys.TrailingData)]
    [InlineData("a TLS 1.3 context longer than the body", true, "05 00", TlsNoteKeys.BufferTooSmall)]
    [InlineData("a TLS 1.3 entry without its extensions", true, "00 000006 000003 300100", TlsNoteKeys.BufferTooSmall)]
    public void MalformedCertificatesYieldANote(string name, bool tls13, string hex, string key)
    {
        _ = name;
        var notes = new TlsNotes();
        var cert = Certificate.Parse(Hex.Parse(hex), tls13, notes);
        _ = cert.Entries.ToArray();
        Assert.True(notes.Contains(key), notes.ToString());
    }

    // ---- ServerKeyExchange ----

    [Fact]
    public void NginxsEcdheServerKeyExchange()
    {
        var body = SampleMessages.Body(TlsSamples.Tls12, false, TlsHandshakeType.ServerKeyExchange);
        var ske = ServerKeyExchange.Parse(body, KeyExchangeAlgorithm.Ecdhe, TlsVersion.Tls12);

        Assert.Equal((ParseStatus.Ok, KeyExchangeForm.Ecdh, (byte)3), (ske.Status, ske.Form, ske.CurveType));
        Assert.Equal(NamedGroup.X25519, ske.NamedCurve);
        Assert.Equal(32, ske.Point.Length);
        Assert.True(ske.HasSignature);
        Assert.Equal(SignatureScheme.RsaPssRsaeSha256, ske.Signature.Algorithm);
        Assert.Equal(256, ske.Signature.Signature.Length);
    }

    [Theory]
    // Built: p = 16 bytes of 0xff, g = 2, Ys = 16 bytes of 0x11, then the signature.
    [InlineData("DHE_RSA in TLS 1.2", KeyExchangeAlgorithm.Dhe, TlsVersion.Tls12,
        "0010 ffffffffffffffffffffffffffffffff 0001 02 0010 11111111111111111111111111111111 0401 0004 01020304", 16, 1, 16, true, 0x0401)]
    [InlineData("DHE_RSA in TLS 1.0 has no signature algorithm", KeyExchangeAlgorithm.Dhe, TlsVersion.Tls10,
        "0010 ffffffffffffffffffffffffffffffff 0001 02 0010 11111111111111111111111111111111 0004 01020304", 16, 1, 16, true, 0)]
    [InlineData("DH_anon is not signed", KeyExchangeAlgorithm.DhAnon, TlsVersion.Tls12,
        "0002 ffff 0001 02 0002 1111", 2, 1, 2, false, 0)]
    public void DiffieHellmanServerParams(string name, KeyExchangeAlgorithm kex, ushort version, string hex, int p, int g, int ys, bool signed, int algorithm)
    {
        _ = name;
        var notes = new TlsNotes();
        var ske = ServerKeyExchange.Parse(Hex.Parse(hex), kex, version, notes);

        Assert.Equal((ParseStatus.Ok, KeyExchangeForm.Dh), (ske.Status, ske.Form));
        Assert.Equal((p, g, ys), (ske.P.Length, ske.G.Length, ske.Ys.Length));
        Assert.Equal(signed, ske.HasSignature);
        if (signed)
        {
            Assert.Equal(algorithm != 0, ske.Signature.HasAlgorithm);
            Assert.Equal(algorithm, ske.Signature.Algorithm.Value);
            Assert.Equal(4, ske.Signature.Signature.Length);
        }
        Assert.Equal(0, notes.Count);
    }

    [Fact]
    public void OtherServerKeyExchangeForms()
    {
        // Built: ECDH_anon, RSA_EXPORT (TLS 1.0), PSK hint, an explicit prime curve (not read further), an unknown kex.
        var ecdhAnon = ServerKeyExchange.Parse(Hex.Parse("03 0017 04 04aabbcc"), KeyExchangeAlgorithm.EcdhAnon, TlsVersion.Tls12);
        Assert.Equal((ParseStatus.Ok, false, 4), (ecdhAnon.Status, ecdhAnon.HasSignature, ecdhAnon.Point.Length));

        var rsa = ServerKeyExchange.Parse(Hex.Parse("0004 c0ffee01 0003 010001 0002 abcd"), KeyExchangeAlgorithm.Rsa, TlsVersion.Tls10);
        Assert.Equal((ParseStatus.Ok, KeyExchangeForm.Rsa, "010001"), (rsa.Status, rsa.Form, Convert.ToHexStringLower(rsa.Exponent)));

        var psk = ServerKeyExchange.Parse(Hex.Parse("0005 68696e7421"), KeyExchangeAlgorithm.Psk, TlsVersion.Tls12);
        Assert.Equal((KeyExchangeForm.Psk, "hint!"), (psk.Form, System.Text.Encoding.ASCII.GetString(psk.PskIdentityHint)));

        var pskMismatch = ServerKeyExchange.Parse(Hex.Parse("0009 68696e7421"), KeyExchangeAlgorithm.Psk, TlsVersion.Tls12);
        Assert.Equal(KeyExchangeForm.None, pskMismatch.Form);

        var explicitPrime = ServerKeyExchange.Parse(Hex.Parse("01 aabbccdd"), KeyExchangeAlgorithm.Ecdhe, TlsVersion.Tls12);
        Assert.Equal((ParseStatus.Ok, (byte)1, false), (explicitPrime.Status, explicitPrime.CurveType, explicitPrime.HasSignature));

        var unknown = ServerKeyExchange.Parse(Hex.Parse("aabbccdd"), KeyExchangeAlgorithm.Unknown, TlsVersion.Tls12);
        Assert.Equal((ParseStatus.Ok, KeyExchangeForm.None), (unknown.Status, unknown.Form));
    }

    [Theory]
    [InlineData("an empty ECDHE body", KeyExchangeAlgorithm.Ecdhe, "", TlsNoteKeys.Malformed)]
    [InlineData("a named curve cut short", KeyExchangeAlgorithm.Ecdhe, "03 00", TlsNoteKeys.Malformed)]
    [InlineData("a point longer than the body", KeyExchangeAlgorithm.Ecdhe, "03 001d 20 aabb", TlsNoteKeys.Malformed)]
    [InlineData("no signature after the point", KeyExchangeAlgorithm.Ecdhe, "03 001d 01 aa", TlsNoteKeys.Malformed)]
    [InlineData("a signature longer than the body", KeyExchangeAlgorithm.Ecdhe, "03 001d 01 aa 0804 0100 aabb", TlsNoteKeys.BufferTooSmall)]
    [InlineData("bytes after the signature", KeyExchangeAlgorithm.Ecdhe, "03 001d 01 aa 0804 0001 aa ff", TlsNoteKeys.TrailingData)]
    [InlineData("a DH prime longer than the body", KeyExchangeAlgorithm.Dhe, "0100 ff", TlsNoteKeys.Malformed)]
    [InlineData("a DH body without Ys", KeyExchangeAlgorithm.Dhe, "0001 ff 0001 02", TlsNoteKeys.Malformed)]
    [InlineData("an RSA modulus cut short", KeyExchangeAlgorithm.Rsa, "0004 c0", TlsNoteKeys.Malformed)]
    public void MalformedServerKeyExchangesYieldANote(string name, KeyExchangeAlgorithm kex, string hex, string key)
    {
        _ = name;
        var notes = new TlsNotes();
        var ske = ServerKeyExchange.Parse(Hex.Parse(hex), kex, TlsVersion.Tls12, notes);
        Assert.True(notes.Contains(key), notes.ToString());
        _ = ske.Signature.Signature.Length;
    }

    [Theory]
    [InlineData(0xc02f, KeyExchangeAlgorithm.Ecdhe)]     // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, the sample's
    [InlineData(0x009e, KeyExchangeAlgorithm.Dhe)]       // TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
    [InlineData(0x002f, KeyExchangeAlgorithm.Rsa)]       // TLS_RSA_WITH_AES_128_CBC_SHA
    [InlineData(0x0003, KeyExchangeAlgorithm.Rsa)]       // TLS_RSA_EXPORT_WITH_RC4_40_MD5
    [InlineData(0x0034, KeyExchangeAlgorithm.DhAnon)]    // TLS_DH_anon_WITH_AES_128_CBC_SHA
    [InlineData(0x0031, KeyExchangeAlgorithm.Dh)]        // TLS_DH_RSA_WITH_AES_128_CBC_SHA
    [InlineData(0xc018, KeyExchangeAlgorithm.EcdhAnon)]  // TLS_ECDH_anon_WITH_AES_128_CBC_SHA
    [InlineData(0x008c, KeyExchangeAlgorithm.Psk)]       // TLS_PSK_WITH_AES_128_CBC_SHA
    [InlineData(0x1301, KeyExchangeAlgorithm.Tls13)]     // TLS_AES_128_GCM_SHA256
    [InlineData(0x00ff, KeyExchangeAlgorithm.Unknown)]   // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
    [InlineData(0x0a0a, KeyExchangeAlgorithm.Unknown)]   // GREASE
    public void KeyExchangeOfACipherSuite(int suite, KeyExchangeAlgorithm kex) =>
        Assert.Equal(kex, KeyExchangeAlgorithms.ForCipherSuite(new CipherSuite((ushort)suite)));

    // ---- ClientKeyExchange ----

    [Fact]
    public void CurlsEcdheClientKeyExchange()
    {
        var cke = ClientKeyExchange.Parse(SampleMessages.Body(TlsSamples.Tls12, true, TlsHandshakeType.ClientKeyExchange),
            KeyExchangeAlgorithm.Ecdhe, TlsVersion.Tls12);

        Assert.Equal((ParseStatus.Ok, KeyExchangeForm.Ecdh), (cke.Status, cke.Form));
        Assert.Equal("30ab0506114197a1c0dfcfe2289e07052761e251ccd907b1cbe1e0b516e8965f", Convert.ToHexStringLower(cke.Point));
    }

    [Theory]
    // Built per RFC 5246 §7.4.7, RFC 6101 §5.6.7.1 and RFC 4279 §2, §4.
    [InlineData("RSA in TLS 1.2 has a length", KeyExchangeAlgorithm.Rsa, TlsVersion.Tls12, "0004 e1e2e3e4", KeyExchangeForm.Rsa, "e1e2e3e4", "")]
    [InlineData("RSA in SSL 3.0 has none", KeyExchangeAlgorithm.Rsa, TlsVersion.Ssl3, "e1e2e3e4", KeyExchangeForm.Rsa, "e1e2e3e4", "")]
    [InlineData("DHE's Yc", KeyExchangeAlgorithm.Dhe, TlsVersion.Tls12, "0003 0a0b0c", KeyExchangeForm.Dh, "0a0b0c", "")]
    [InlineData("PSK's identity", KeyExchangeAlgorithm.Psk, TlsVersion.Tls12, "0004 75736572", KeyExchangeForm.Psk, "", "75736572")]
    [InlineData("RSA_PSK's identity and premaster", KeyExchangeAlgorithm.RsaPsk, TlsVersion.Tls12, "0004 75736572 0002 e1e2", KeyExchangeForm.RsaPsk, "e1e2", "75736572")]
    public void ClientKeyExchangeForms(string name, KeyExchangeAlgorithm kex, ushort version, string hex, KeyExchangeForm form, string secret, string identity)
    {
        _ = name;
        var cke = ClientKeyExchange.Parse(Hex.Parse(hex), kex, version);

        Assert.Equal((ParseStatus.Ok, form), (cke.Status, cke.Form));
        string value = form == KeyExchangeForm.Dh ? Convert.ToHexStringLower(cke.Yc) : Convert.ToHexStringLower(cke.EncryptedPreMasterSecret);
        Assert.Equal(secret, value);
        Assert.Equal(identity, Convert.ToHexStringLower(cke.PskIdentity));
    }

    [Theory]
    [InlineData("an empty ECDH body", KeyExchangeAlgorithm.Ecdhe, "", TlsNoteKeys.Malformed)]
    [InlineData("an ECDH point longer than the body", KeyExchangeAlgorithm.Ecdhe, "20 aabb", TlsNoteKeys.Malformed)]
    [InlineData("bytes after the ECDH point", KeyExchangeAlgorithm.Ecdhe, "01 aa bb", TlsNoteKeys.TrailingData)]
    [InlineData("an RSA premaster longer than the body", KeyExchangeAlgorithm.Rsa, "0100 aabb", TlsNoteKeys.Malformed)]
    [InlineData("an RSA_PSK body without the premaster", KeyExchangeAlgorithm.RsaPsk, "0001 75", TlsNoteKeys.Malformed)]
    public void MalformedClientKeyExchangesYieldANote(string name, KeyExchangeAlgorithm kex, string hex, string key)
    {
        _ = name;
        var notes = new TlsNotes();
        ClientKeyExchange.Parse(Hex.Parse(hex), kex, TlsVersion.Tls12, notes);
        Assert.True(notes.Contains(key), notes.ToString());
    }

    // ---- CertificateRequest ----

    // Built: one DistinguishedName, CN=A (RFC 5280 Name).
    private const string CnA = "300c310a300806035504030c0141";

    [Fact]
    public void Tls12CertificateRequest()
    {
        var notes = new TlsNotes();
        var cr = CertificateRequest.Parse(Hex.Parse($"03 01 02 40 0004 0401 0403 0010 000e {CnA}"), TlsVersion.Tls12, notes);

        Assert.Equal(ParseStatus.Ok, cr.Status);
        Assert.Equal(0, notes.Count);
        Assert.Equal([1, 2, 64], cr.CertificateTypes.ToArray());
        Assert.Equal([SignatureScheme.RsaPkcs1Sha256, SignatureScheme.EcdsaSecp256r1Sha256], cr.SignatureAlgorithms.ToArray());
        Assert.Equal(CnA, Convert.ToHexStringLower(cr.CertificateAuthorities.First));
    }

    [Fact]
    public void Tls11CertificateRequestHasNoSignatureAlgorithms()
    {
        var cr = CertificateRequest.Parse(Hex.Parse($"01 01 0010 000e {CnA}"), TlsVersion.Tls11);

        Assert.Equal((ParseStatus.Ok, false, 1), (cr.Status, cr.HasSignatureAlgorithms, cr.CertificateAuthorities.Count));
    }

    [Fact]
    public void Tls13CertificateRequestHasAContextAndExtensions()
    {
        var cr = CertificateRequest.Parse(Hex.Parse("02 abcd 000a 000d 0006 0004 0403 0804"), TlsVersion.Tls13);

        Assert.Equal((ParseStatus.Ok, true, "abcd"), (cr.Status, cr.IsTls13, Convert.ToHexStringLower(cr.RequestContext)));
        Assert.True(cr.Extensions.TryFind(ExtensionType.SignatureAlgorithms, out var sa));
        Assert.Equal(2, SignatureAlgorithmsExtension.Parse(sa.Data).Algorithms.Count);
    }

    [Theory]
    [InlineData("an empty body", TlsVersion.Tls12, "", TlsNoteKeys.BufferTooSmall)]
    [InlineData("no certificate types", TlsVersion.Tls12, "00 0002 0401 0000", TlsNoteKeys.VectorLength)]
    [InlineData("signature algorithms longer than the body", TlsVersion.Tls12, "01 01 0010 0401", TlsNoteKeys.BufferTooSmall)]
    [InlineData("an odd signature algorithms length", TlsVersion.Tls12, "01 01 0003 040104 0000", TlsNoteKeys.TrailingData)]
    [InlineData("a distinguished name longer than the list", TlsVersion.Tls12, "01 01 0002 0401 0004 0010 3000", TlsNoteKeys.BufferTooSmall)]
    [InlineData("an empty distinguished name", TlsVersion.Tls12, "01 01 0002 0401 0002 0000", TlsNoteKeys.VectorLength)]
    [InlineData("a TLS 1.3 request without extensions", TlsVersion.Tls13, "00", TlsNoteKeys.BufferTooSmall)]
    public void MalformedCertificateRequestsYieldANote(string name, ushort version, string hex, string key)
    {
        _ = name;
        var notes = new TlsNotes();
        var cr = CertificateRequest.Parse(Hex.Parse(hex), version, notes);
        _ = cr.CertificateAuthorities.Count;
        Assert.True(notes.Contains(key), notes.ToString());
    }

    // ---- CertificateVerify, Finished ----

    [Fact]
    public void Rfc8448CertificateVerify()
    {
        var cv = CertificateVerify.Parse(Rfc8448.Bytes(Rfc8448.CertificateVerify)[4..], TlsVersion.Tls13);

        Assert.Equal((ParseStatus.Ok, SignatureScheme.RsaPssRsaeSha256, 128), (cv.Status, cv.Algorithm, cv.Signature.Length));
        Assert.StartsWith("5a747c5d", Convert.ToHexStringLower(cv.Signature));
    }

    [Theory]
    [InlineData("an empty body", TlsVersion.Tls12, "", TlsNoteKeys.Malformed)]
    [InlineData("a signature longer than the body", TlsVersion.Tls12, "0804 0080 aabb", TlsNoteKeys.BufferTooSmall)]
    [InlineData("no signature length in TLS 1.0", TlsVersion.Tls10, "aa", TlsNoteKeys.BufferTooSmall)]
    [InlineData("bytes after the signature", TlsVersion.Tls13, "0804 0001 aa bb", TlsNoteKeys.TrailingData)]
    public void MalformedCertificateVerifiesYieldANote(string name, ushort version, string hex, string key)
    {
        _ = name;
        var notes = new TlsNotes();
        CertificateVerify.Parse(Hex.Parse(hex), version, notes);
        Assert.True(notes.Contains(key), notes.ToString());
    }

    [Fact]
    public void FinishedIsItsVerifyData()
    {
        var tls13 = Finished.Parse(Rfc8448.Bytes(Rfc8448.ServerFinished)[4..], TlsVersion.Tls13);
        Assert.Equal("9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718", Convert.ToHexStringLower(tls13.VerifyData));

        var tls12 = Finished.Parse(Hex.Parse("0102030405060708090a0b0c"), TlsVersion.Tls12);
        Assert.Equal((ParseStatus.Ok, 12), (tls12.Status, tls12.VerifyData.Length));

        var ssl3 = Finished.Parse(new byte[36], TlsVersion.Ssl3);
        Assert.Equal((16, 20), (ssl3.Md5Hash.Length, ssl3.ShaHash.Length));

        var notes = new TlsNotes();
        Assert.Equal(ParseStatus.Malformed, Finished.Parse(new byte[12], TlsVersion.Ssl3, notes).Status);
        Assert.True(notes.Contains(TlsNoteKeys.Malformed));
    }

    // ---- NewSessionTicket ----

    [Fact]
    public void NginxsTls12NewSessionTicket()
    {
        var nst = NewSessionTicket.Parse(SampleMessages.Body(TlsSamples.Tls12, false, TlsHandshakeType.NewSessionTicket), isTls13: false);

        Assert.Equal((ParseStatus.Ok, 300u, 224), (nst.Status, nst.Lifetime, nst.Ticket.Length));
    }

    [Fact]
    public void Rfc8448Tls13NewSessionTicket()
    {
        var notes = new TlsNotes();
        var nst = NewSessionTicket.Parse(Rfc8448.Bytes(Rfc8448.NewSessionTicket)[4..], isTls13: true, notes);

        Assert.Equal(ParseStatus.Ok, nst.Status);
        Assert.Equal(0, notes.Count);
        Assert.Equal((30u, 0xfad6aac5u, "0000", 178), (nst.Lifetime, nst.AgeAdd, Convert.ToHexStringLower(nst.Nonce), nst.Ticket.Length));
        Assert.True(nst.Extensions.TryFind(ExtensionType.EarlyData, out var early));
        var ed = EarlyDataExtension.Parse(early.Data, TlsHandshakeType.NewSessionTicket);
        Assert.Equal((true, 1024u), (ed.HasMaxEarlyDataSize, ed.MaxEarlyDataSize));
    }

    [Theory]
    [InlineData("an empty TLS 1.2 body", false, "", TlsNoteKeys.Malformed)]
    [InlineData("a TLS 1.2 ticket longer than the body", false, "0000012c 00e0 aabb", TlsNoteKeys.BufferTooSmall)]
    [InlineData("a TLS 1.3 body without age_add", true, "0000001e", TlsNoteKeys.Malformed)]
    [InlineData("a TLS 1.3 nonce longer than the body", true, "0000001e fad6aac5 08 00", TlsNoteKeys.BufferTooSmall)]
    [InlineData("an empty TLS 1.3 ticket", true, "0000001e fad6aac5 00 0000 0000", TlsNoteKeys.VectorLength)]
    [InlineData("a TLS 1.3 ticket without extensions", true, "0000001e fad6aac5 00 0001 aa", TlsNoteKeys.BufferTooSmall)]
    public void MalformedNewSessionTicketsYieldANote(string name, bool tls13, string hex, string key)
    {
        _ = name;
        var notes = new TlsNotes();
        NewSessionTicket.Parse(Hex.Parse(hex), tls13, notes);
        Assert.True(notes.Contains(key), notes.ToString());
    }

    // ---- EncryptedExtensions, KeyUpdate, empty messages ----

    [Fact]
    public void Rfc8448EncryptedExtensions()
    {
        var ee = EncryptedExtensions.Parse(Rfc8448.Bytes(Rfc8448.EncryptedExtensions)[4..]);
        Assert.Equal(ParseStatus.Ok, ee.Status);
        Assert.Equal([10, 28, 0], ee.Extensions.Types());
        Assert.True(ee.Extensions.TryFind(ExtensionType.ServerName, out var sni));
        Assert.True(ServerNameExtension.Parse(sni.Data).IsEmpty);

        var resumed = EncryptedExtensions.Parse(Rfc8448.Bytes(Rfc8448.ResumedEncryptedExtensions)[4..]);
        Assert.True(resumed.Extensions.Contains(ExtensionType.EarlyData));

        var notes = new TlsNotes();
        Assert.Equal(ParseStatus.Malformed, EncryptedExtensions.Parse(Hex.Parse("0008 0000"), notes).Status);
        Assert.True(notes.Contains(TlsNoteKeys.BufferTooSmall));
    }

    [Theory]
    [InlineData("update_not_requested", "00", ParseStatus.Ok, 0, null)]
    [InlineData("update_requested", "01", ParseStatus.Ok, 1, null)]
    [InlineData("an undefined request", "05", ParseStatus.Ok, 5, TlsNoteKeys.Unexpected)]
    [InlineData("an empty body", "", ParseStatus.Malformed, 0, TlsNoteKeys.Malformed)]
    [InlineData("two bytes", "0100", ParseStatus.Ok, 1, TlsNoteKeys.TrailingData)]
    public void KeyUpdateRequest(string name, string hex, ParseStatus status, int request, string? key)
    {
        _ = name;
        var notes = new TlsNotes();
        var ku = KeyUpdate.Parse(Hex.Parse(hex), notes);
        Assert.Equal((status, request), (ku.Status, (int)ku.RequestUpdate));
        Assert.Equal(key is not null, notes.Count > 0);
        if (key is not null) Assert.True(notes.Contains(key));
    }

    [Theory]
    [InlineData(TlsHandshakeType.HelloRequest)]
    [InlineData(TlsHandshakeType.ServerHelloDone)]
    [InlineData(TlsHandshakeType.EndOfEarlyData)]
    public void EmptyMessagesMustBeEmpty(TlsHandshakeType type)
    {
        var notes = new TlsNotes();
        Assert.Equal(ParseStatus.Ok, EmptyMessage.Parse(default, type, notes));
        Assert.Equal(ParseStatus.Malformed, EmptyMessage.Parse(Hex.Parse("00"), type, notes));
        Assert.True(notes.Contains(TlsNoteKeys.Unexpected));
    }

    // ---- CertificateStatus, CompressedCertificate ----

    [Theory]
    [InlineData("ocsp", "01 000005 30030a0100", ParseStatus.Ok, 1, null)]
    [InlineData("ocsp_multi with one response", "02 000008 000005 30030a0100", ParseStatus.Ok, 1, null)]
    [InlineData("an unknown status type", "07 aa", ParseStatus.Ok, 0, TlsNoteKeys.TrailingData)]
    [InlineData("a response longer than the body", "01 000010 3003", ParseStatus.Malformed, 1, TlsNoteKeys.BufferTooSmall)]
    [InlineData("an empty response", "01 000000", ParseStatus.Ok, 1, TlsNoteKeys.VectorLength)]
    [InlineData("an empty body", "", ParseStatus.Malformed, 0, TlsNoteKeys.Malformed)]
    public void CertificateStatusMessages(string name, string hex, ParseStatus status, int responses, string? key)
    {
        _ = name;
        var notes = new TlsNotes();
        var cs = CertificateStatus.Parse(Hex.Parse(hex), notes);
        Assert.Equal((status, responses), (cs.Status, cs.Responses.Count));
        if (key is null) Assert.Equal(0, notes.Count);
        else Assert.True(notes.Contains(key), notes.ToString());
    }

    [Fact]
    public void CompressedCertificate()
    {
        var cc = HttpsFlow.Tls.Handshake.CompressedCertificate.Parse(Hex.Parse("0002 0001b9 000004 deadbeef"));
        Assert.Equal((ParseStatus.Ok, (ushort)2, 0x1b9u, 4), (cc.Status, cc.Algorithm, cc.UncompressedLength, cc.Compressed.Length));

        var notes = new TlsNotes();
        Assert.Equal(ParseStatus.Malformed, HttpsFlow.Tls.Handshake.CompressedCertificate.Parse(Hex.Parse("0002 00"), notes).Status);
        Assert.True(notes.Contains(TlsNoteKeys.Malformed));
    }

    // ---- SSL 2.0 ClientHello ----

    [Fact]
    public void Ssl2CompatibleClientHello()
    {
        // RFC 5246 Appendix E.2, built: version 3.1, cipher specs 0x010080 (SSL2_RC4_128_WITH_MD5) and 0x00002f,
        // a 16-byte session ID, a 32-byte challenge.
        var data = Hex.Parse("01 0301 0006 0010 0020 010080 00002f " + new string('5', 32) + new string('c', 64));
        var notes = new TlsNotes();
        var hello = Ssl2ClientHello.Parse(data, notes);

        Assert.Equal((ParseStatus.Ok, TlsVersion.Tls10), (hello.Status, hello.Version));
        Assert.Equal([0x010080u, 0x00002fu], hello.CipherSpecs());
        Assert.Equal((16, 32), (hello.SessionId.Length, hello.Challenge.Length));
        Assert.Equal(0, notes.Count);
    }

    [Theory]
    [InlineData("a header cut short", "01 0301 00", TlsNoteKeys.Malformed)]
    [InlineData("cipher specs longer than the data", "01 0301 0009 0000 0020 010080", TlsNoteKeys.Malformed)]
    [InlineData("a session ID length that is not 0, 16 or 32", "01 0301 0003 0005 0010 010080 0000000000 00000000000000000000000000000000", TlsNoteKeys.Malformed)]
    [InlineData("a challenge cut short", "01 0301 0003 0000 0020 010080 00", TlsNoteKeys.Malformed)]
    [InlineData("a cipher spec length that is no multiple of 3", "01 0301 0002 0000 0010 0100 00000000000000000000000000000000", TlsNoteKeys.Unexpected)]
    public void MalformedSsl2ClientHellosYieldANote(string name, string hex, string key)
    {
        _ = name;
        var notes = new TlsNotes();
        var hello = Ssl2ClientHello.Parse(Hex.Parse(hex), notes);
        _ = hello.CipherSpecs();
        Assert.True(notes.Contains(key), notes.ToString());
    }

    // ---- Alert, ChangeCipherSpec, Heartbeat records ----

    [Theory]
    [InlineData("0228", false, "Alert (Level: Fatal, Description: Handshake Failure)")]
    [InlineData("0100", false, "Alert (Level: Warning, Description: Close Notify)")]
    [InlineData("03fe", false, "Alert (Level: Unknown, Description: Unknown)")]
    [InlineData("6cfe1f3a2eb731b191842b68609415fde0d6fce51a94df5fed4c", true, "Encrypted Alert")]   // frame 12 of the TLS 1.2 sample
    [InlineData("02", true, "Encrypted Alert")]
    public void Alerts(string hex, bool encrypted, string info)
    {
        var alert = TlsAlert.Parse(Hex.Parse(hex));
        Assert.Equal((encrypted, info), (alert.IsEncrypted, alert.InfoText));
    }

    [Theory]
    [InlineData("01", ParseStatus.Ok, 0)]
    [InlineData("02", ParseStatus.Malformed, 1)]
    [InlineData("0101", ParseStatus.Malformed, 1)]
    [InlineData("", ParseStatus.Malformed, 1)]
    public void ChangeCipherSpecIsTheSingleByteOne(string hex, ParseStatus status, int noteCount)
    {
        var notes = new TlsNotes();
        Assert.Equal(status, ChangeCipherSpecMessage.Parse(Hex.Parse(hex), notes).Status);
        Assert.Equal(noteCount, notes.Count);
    }

    [Theory]
    [InlineData("a plaintext request with 16 bytes of padding", "01 0002 abcd 00000000000000000000000000000000", true, "Heartbeat Request")]
    [InlineData("a short response is taken for plaintext", "02 0001 ff", true, "Heartbeat Response")]
    [InlineData("after ChangeCipherSpec and too long for its payload", "01 4000 " + "00000000000000000000000000000000000000000000", false, "Encrypted Heartbeat")]
    public void Heartbeats(string name, string hex, bool plaintext, string info)
    {
        _ = name;
        Assert.Equal(info, TlsHeartbeat.Parse(Hex.Parse(hex), plaintext).InfoText);
    }
}
