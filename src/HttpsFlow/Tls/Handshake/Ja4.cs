using System.Buffers;
using System.Security.Cryptography;
using HttpsFlow.Common;
using HttpsFlow.Tls.Extensions;

namespace HttpsFlow.Tls.Handshake;

/// <summary>What carried the ClientHello: JA4's first character (t, q or d).</summary>
public enum Ja4Transport
{
    /// <summary>TLS over TCP: "t".</summary>
    Tcp,

    /// <summary>QUIC (the ClientHello in CRYPTO frames): "q".</summary>
    Quic,

    /// <summary>DTLS: "d". The body is a DTLS ClientHello (with its cookie after the session ID).</summary>
    Dtls,
}

/// <summary>Which JA4 text to build.</summary>
[Flags]
public enum Ja4Form
{
    /// <summary><c>ja4</c>: sorted lists, hashed.</summary>
    Hashed = 0,

    /// <summary><c>ja4_r</c>: sorted lists, in clear.</summary>
    Raw = 1,

    /// <summary><c>ja4_o</c>: lists in the order sent (SNI and ALPN kept among the extensions), hashed.</summary>
    Original = 2,

    /// <summary><c>ja4_ro</c>: lists in the order sent, in clear.</summary>
    RawOriginal = Raw | Original,
}

/// <summary>The four forms of one ClientHello's JA4.</summary>
public sealed record Ja4Fingerprints(string Ja4, string Ja4R, string Ja4O, string Ja4RO);

/// <summary>
/// JA4, the TLS client fingerprint of FoxIO's JA4+ suite (technical_details/JA4.md in FoxIO-LLC/ja4, BSD-3-Clause),
/// computed from a ClientHello body. Only the client fingerprint is here; the other JA4+ methods are under a
/// different licence.
/// </summary>
/// <remarks>
/// <para>
/// <c>ja4 = a_b_c</c>. <b>a</b> (10 characters): transport (t, q, d); version (the newest non-GREASE value of
/// supported_versions when it has one, else legacy_version: 13, 12, 11, 10, s3, s2, d1, d2, d3, or 00 for anything
/// else); d when a server_name extension is present, else i; the number of cipher suites and of extensions, GREASE
/// left out, at most 99, two digits; the first and last character of the first ALPN protocol name ("00" without
/// one; when either of those bytes is not an ASCII letter or digit, the first and last character of the name's hex
/// instead). <b>b</b>: the cipher suites as four lowercase hex digits, sorted, joined by ','; <b>c</b>: the
/// extension types the same way without server_name (0x0000) and ALPN (0x0010), then '_' and the signature
/// algorithms in the order sent (no '_' when there are none). Hashed forms show the first 12 hex digits of the
/// SHA-256 of b and of c, or <see cref="EmptyHash"/> when the cipher list, or the extension list without SNI and ALPN,
/// is empty (in the original-order form too, though its list keeps SNI and ALPN).
/// </para>
/// <para>
/// GREASE values (RFC 8701) are left out everywhere: cipher suites, extensions, versions, signature algorithms and
/// ALPN names. Among DTLS versions (0xFEFF, 0xFEFD, 0xFEFC), a lower number is a newer version. Nothing here throws
/// on bad bytes: a ClientHello that does not parse to the end of its extensions has no fingerprint (null).
/// </para>
/// </remarks>
public static class Ja4
{
    /// <summary>What b or c is when its list is empty, instead of the hash of nothing.</summary>
    public const string EmptyHash = "000000000000";

    private const int StackValues = 256;

    /// <summary>One form of the JA4 of a ClientHello body (after the four-byte handshake header).</summary>
    /// <returns>The fingerprint, or null when the body is not a whole ClientHello.</returns>
    public static string? Compute(ReadOnlySpan<byte> clientHelloBody, Ja4Transport transport, Ja4Form form = Ja4Form.Hashed)
    {
        byte[]? rented = null;
        try
        {
            if (!TryParse(clientHelloBody, transport, ref rented, out var hello)) return null;
            return Compute(hello, transport, form);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>All four forms of the JA4 of a ClientHello body, or null when the body is not a whole ClientHello.</summary>
    public static Ja4Fingerprints? ComputeAll(ReadOnlySpan<byte> clientHelloBody, Ja4Transport transport)
    {
        byte[]? rented = null;
        try
        {
            if (!TryParse(clientHelloBody, transport, ref rented, out var hello)) return null;
            return new Ja4Fingerprints(Compute(hello, transport), Compute(hello, transport, Ja4Form.Raw),
                Compute(hello, transport, Ja4Form.Original), Compute(hello, transport, Ja4Form.RawOriginal));
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>One form of the JA4 of a parsed ClientHello (whatever its status: a cut-short one gives what was read).</summary>
    public static string Compute(in ClientHello hello, Ja4Transport transport, Ja4Form form = Ja4Form.Hashed)
    {
        bool original = (form & Ja4Form.Original) != 0;

        // Gather the three lists as numbers; the extension list is the one b/c uses (sorted forms drop SNI and ALPN).
        int suiteMax = hello.CipherSuites.Count;
        int extMax = hello.Extensions.Bytes.Length / 4;
        ushort[]? suitesRented = null, extsRented = null, sigsRented = null;
        Span<ushort> suites = suiteMax <= StackValues ? stackalloc ushort[StackValues] : (suitesRented = ArrayPool<ushort>.Shared.Rent(suiteMax));
        Span<ushort> exts = extMax <= StackValues ? stackalloc ushort[StackValues] : (extsRented = ArrayPool<ushort>.Shared.Rent(extMax));
        try
        {
            int nSuites = 0;
            foreach (var s in hello.CipherSuites)
                if (!s.IsGrease) suites[nSuites++] = s.Value;

            int nExtsAll = 0, nExts = 0, nOthers = 0;
            bool sni = false;
            ushort version = hello.LegacyVersion;
            ReadOnlySpan<byte> alpn = default, sigBytes = default;
            bool haveAlpn = false, haveSigs = false, haveVersions = false;
            foreach (var e in hello.Extensions)
            {
                if (e.IsGrease) continue;
                nExtsAll++;
                ushort type = e.Type.Value;
                if (type == ExtensionType.ServerName.Value) sni = true;
                else if (type == ExtensionType.Alpn.Value && !haveAlpn)
                {
                    haveAlpn = true;
                    alpn = FirstAlpnName(e.Data);
                }
                else if (type == ExtensionType.SignatureAlgorithms.Value && !haveSigs)
                {
                    haveSigs = true;
                    sigBytes = SignatureAlgorithmsExtension.Parse(e.Data).Algorithms.Bytes;
                }
                else if (type == ExtensionType.SupportedVersions.Value && !haveVersions)
                {
                    haveVersions = true;
                    version = NewestVersion(SupportedVersionsExtension.Parse(e.Data, TlsHandshakeType.ClientHello).Versions, version);
                }
                bool other = type != ExtensionType.ServerName.Value && type != ExtensionType.Alpn.Value;
                if (other) nOthers++;
                if (original || other) exts[nExts++] = type;
            }

            int sigMax = sigBytes.Length / 2;
            Span<ushort> sigs = sigMax <= StackValues ? stackalloc ushort[StackValues] : (sigsRented = ArrayPool<ushort>.Shared.Rent(sigMax));
            int nSigs = 0;
            var sr = new WireReader(sigBytes);
            while (sr.TryReadUInt16(out ushort sig))
                if (!Registry.Grease.IsGrease(sig)) sigs[nSigs++] = sig;

            Span<char> a = stackalloc char[10];
            a[0] = transport switch { Ja4Transport.Quic => 'q', Ja4Transport.Dtls => 'd', _ => 't' };
            VersionText(version).CopyTo(a[1..]);
            a[3] = sni ? 'd' : 'i';
            TwoDigits(nSuites, a[4..]);
            TwoDigits(nExtsAll, a[6..]);
            AlpnChars(alpn, a[8..]);

            return Assemble(a, suites[..nSuites], exts[..nExts], nOthers == 0, sigs[..nSigs], form);
        }
        finally
        {
            if (suitesRented is not null) ArrayPool<ushort>.Shared.Return(suitesRented);
            if (extsRented is not null) ArrayPool<ushort>.Shared.Return(extsRented);
            if (sigsRented is not null) ArrayPool<ushort>.Shared.Return(sigsRented);
        }
    }

    /// <summary>
    /// One form of the JA4 of an SSL 2.0-compatible ClientHello (RFC 5246 Appendix E.2), which the specification does
    /// not cover. Our reading: transport t; version from the hello (0x0002 gives s2, 0x0301 gives 10, …); no SNI (i);
    /// the cipher specs that are TLS cipher suites (first byte 0) as the cipher list; no extensions, no ALPN, so c is
    /// <see cref="EmptyHash"/>. Null when the hello is cut short.
    /// </summary>
    public static string? Compute(in Ssl2ClientHello hello, Ja4Form form = Ja4Form.Hashed)
    {
        if (hello.Status != ParseStatus.Ok) return null;
        int max = hello.CipherSpecBytes.Length / 3;
        ushort[]? rented = null;
        Span<ushort> suites = max <= StackValues ? stackalloc ushort[StackValues] : (rented = ArrayPool<ushort>.Shared.Rent(max));
        try
        {
            int n = 0;
            var r = new WireReader(hello.CipherSpecBytes);
            while (r.TryReadUInt24(out uint spec))
                if (spec <= 0xFFFF && !Registry.Grease.IsGrease((ushort)spec)) suites[n++] = (ushort)spec;
            Span<char> a = stackalloc char[10];
            a[0] = 't';
            VersionText(hello.Version).CopyTo(a[1..]);
            a[3] = 'i';
            TwoDigits(n, a[4..]);
            "0000".CopyTo(a[6..]);
            return Assemble(a, suites[..n], default, true, default, form);
        }
        finally
        {
            if (rented is not null) ArrayPool<ushort>.Shared.Return(rented);
        }
    }

    /// <summary>JA4's two characters for a protocol version ("13", "s3", "d2", … or "00").</summary>
    public static string VersionText(ushort version) => version switch
    {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        0xFEFF => "d1",
        0xFEFD => "d2",
        0xFEFC => "d3",
        _ => "00",
    };

    /// <summary>JA4's two ALPN characters for a protocol name's bytes ("00" when empty).</summary>
    public static string AlpnText(ReadOnlySpan<byte> name)
    {
        Span<char> c = stackalloc char[2];
        AlpnChars(name, c);
        return new string(c);
    }

    // ---- parts -------------------------------------------------------------------------------------------------------

    private static bool TryParse(ReadOnlySpan<byte> body, Ja4Transport transport, ref byte[]? rented, out ClientHello hello)
    {
        if (transport == Ja4Transport.Dtls)
        {
            // DTLS 1.0/1.2 (RFC 6347 §4.2.1) put a cookie<0..2^8-1> after the session ID; TLS has none. The body is
            // copied without it (into a pooled buffer) so that the one ClientHello parser reads both.
            int at = 2 + 32;
            if (body.Length <= at) { hello = default; return false; }
            at += 1 + body[at];
            if (body.Length <= at || body.Length < at + 1 + body[at]) { hello = default; return false; }
            int cookie = 1 + body[at];
            rented = ArrayPool<byte>.Shared.Rent(body.Length - cookie);
            body[..at].CopyTo(rented);
            body[(at + cookie)..].CopyTo(rented.AsSpan(at));
            body = rented.AsSpan(0, body.Length - cookie);
        }
        hello = ClientHello.Parse(body);
        return hello.Status == ParseStatus.Ok;
    }

    // supported_versions' newest non-GREASE version; the legacy version when it offers none.
    private static ushort NewestVersion(UInt16List versions, ushort legacy)
    {
        ushort best = 0;
        bool any = false;
        foreach (ushort v in versions)
        {
            if (Registry.Grease.IsGrease(v)) continue;
            if (!any || Newer(v, best)) best = v;
            any = true;
        }
        return any ? best : legacy;
    }

    // DTLS versions count down (1.0 = 0xFEFF, 1.2 = 0xFEFD, 1.3 = 0xFEFC); everything else counts up.
    private static bool Newer(ushort v, ushort than) =>
        v >= 0xFE00 && than >= 0xFE00 ? v < than : v > than;

    // The first non-GREASE protocol name of an ALPN extension's data; empty when there is none or the list is bad.
    private static ReadOnlySpan<byte> FirstAlpnName(ReadOnlySpan<byte> data)
    {
        var r = new WireReader(data);
        if (!r.TryReadUInt16(out ushort length) || !r.TryReadBytes(Math.Min((int)length, r.Remaining), out var list)) return default;
        var names = new WireReader(list);
        while (names.TryReadUInt8(out byte n) && names.TryReadBytes(n, out var name))
            if (!Registry.Grease.IsGrease(name)) return name;
        return default;
    }

    private static void AlpnChars(ReadOnlySpan<byte> name, Span<char> into)
    {
        if (name.IsEmpty)
        {
            into[0] = into[1] = '0';
            return;
        }
        byte first = name[0], last = name[^1];
        if (char.IsAsciiLetterOrDigit((char)first) && char.IsAsciiLetterOrDigit((char)last))
        {
            into[0] = (char)first;
            into[1] = (char)last;
        }
        else
        {
            into[0] = HexDigit(first >> 4);
            into[1] = HexDigit(last & 0xF);
        }
    }

    private static void TwoDigits(int n, Span<char> into)
    {
        n = Math.Min(n, 99);
        into[0] = (char)('0' + n / 10);
        into[1] = (char)('0' + n % 10);
    }

    private static char HexDigit(int v) => (char)(v < 10 ? '0' + v : 'a' + v - 10);

    // a_b_c in the requested form. The lists are sorted in place for the sorted forms. noOthers: no extension but
    // SNI and ALPN, which makes the hashed c EmptyHash in the original-order form too (as ja4.py gives it).
    private static string Assemble(ReadOnlySpan<char> a, Span<ushort> suites, Span<ushort> exts, bool noOthers, ReadOnlySpan<ushort> sigs, Ja4Form form)
    {
        if ((form & Ja4Form.Original) == 0)
        {
            suites.Sort();
            exts.Sort();
        }
        // b's text, then c's: exts, and '_' + sigs when there are any. Five bytes per value at most.
        int bLength = ListLength(suites.Length);
        int cLength = ListLength(exts.Length) + (sigs.IsEmpty ? 0 : 1 + ListLength(sigs.Length));
        byte[]? rented = null;
        int total = bLength + cLength;
        Span<byte> text = total <= 2048 ? stackalloc byte[2048] : (rented = ArrayPool<byte>.Shared.Rent(total));
        try
        {
            WriteList(suites, text);
            var c = text.Slice(bLength, cLength);
            WriteList(exts, c);
            if (!sigs.IsEmpty)
            {
                int at = ListLength(exts.Length);
                c[at] = (byte)'_';
                WriteList(sigs, c[(at + 1)..]);
            }
            var b = text[..bLength];
            if ((form & Ja4Form.Raw) != 0)
            {
                Span<char> all = total + 12 <= 2048 ? stackalloc char[2048] : new char[total + 12];
                a.CopyTo(all);
                int at = a.Length;
                all[at++] = '_';
                for (int i = 0; i < b.Length; i++) all[at++] = (char)b[i];
                all[at++] = '_';
                for (int i = 0; i < c.Length; i++) all[at++] = (char)c[i];
                return new string(all[..at]);
            }
            Span<char> hashed = stackalloc char[10 + 1 + 12 + 1 + 12];
            a.CopyTo(hashed);
            hashed[10] = '_';
            Hash12(suites.IsEmpty ? default : b, hashed.Slice(11, 12));
            hashed[23] = '_';
            Hash12(noOthers ? default : c, hashed.Slice(24, 12));
            return new string(hashed);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int ListLength(int count) => count == 0 ? 0 : count * 5 - 1;

    private static void WriteList(ReadOnlySpan<ushort> values, Span<byte> into)
    {
        int at = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) into[at++] = (byte)',';
            ushort v = values[i];
            into[at++] = (byte)HexDigit(v >> 12);
            into[at++] = (byte)HexDigit((v >> 8) & 0xF);
            into[at++] = (byte)HexDigit((v >> 4) & 0xF);
            into[at++] = (byte)HexDigit(v & 0xF);
        }
    }

    // The first 12 lowercase hex digits of SHA-256(text); EmptyHash for no text.
    private static void Hash12(ReadOnlySpan<byte> text, Span<char> into)
    {
        if (text.IsEmpty)
        {
            EmptyHash.CopyTo(into);
            return;
        }
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(text, digest);
        for (int i = 0; i < 6; i++)
        {
            into[2 * i] = HexDigit(digest[i] >> 4);
            into[2 * i + 1] = HexDigit(digest[i] & 0xF);
        }
    }
}
