using System.Buffers.Binary;
using HttpsFlow.Common;
using HttpsFlow.Fields;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Handshake;
using HttpsFlow.Tls.Registry;
using static HttpsFlow.Tree.TreeText;
using X509Certificate = HttpsFlow.X509.Certificate;

namespace HttpsFlow.Tree;

/// <summary>ClientHello and ServerHello subtrees: version, random, session ID, cipher suites, compression, extensions, JA3.</summary>
internal static class HelloTree
{
    public static void Client(ref Body b)
    {
        var node = b.Node;
        var hello = ClientHello.Parse(b.Bytes);
        if (!Common(ref b)) return;
        if (!b.Has(2)) return;
        int csLength = b.U16();
        b.Add(node, $"Cipher Suites Length: {csLength}", "tls.handshake.cipher_suites_length", b.Pos - 2, 2);
        int n = Math.Min(csLength, b.Left) / 2;
        var suites = b.Add(node, $"Cipher Suites ({n} suite{(n == 1 ? "" : "s")})", "tls.handshake.ciphersuites", b.Pos, Math.Min(csLength, b.Left));
        for (int i = 0; i < n; i++)
        {
            int v = b.U16();
            b.Add(suites, $"Cipher Suite: {CipherSuites.Describe((ushort)v)}", "tls.handshake.ciphersuite", b.Pos - 2, 2);
        }
        if (csLength % 2 == 1 && b.Has(1)) b.Pos++;
        if (!b.Has(1)) return;
        int cmLength = b.U8();
        b.Add(node, $"Compression Methods Length: {cmLength}", "tls.handshake.comp_methods_length", b.Pos - 1, 1);
        int m = Math.Min(cmLength, b.Left);
        var methods = b.Add(node, $"Compression Methods ({m} method{(m == 1 ? "" : "s")})", "tls.handshake.comp_methods", b.Pos, m);
        for (int i = 0; i < m; i++)
        {
            int v = b.U8();
            b.Add(methods, $"Compression Method: {(v == 0 ? "null" : v == 1 ? "DEFLATE" : "Unknown")} ({v})", "tls.handshake.comp_method", b.Pos - 1, 1);
        }
        ExtensionTree.List(ref b, TlsHandshakeType.ClientHello);
        if (hello.Status == ParseStatus.Ok)
        {
            string full = Ja3.ClientFull(hello);
            node.Add($"[{Truncated("JA3 Fullstring", full)}]", "tls.handshake.ja3_full");
            node.Add($"[JA3: {Ja3.Hash(full)}]", "tls.handshake.ja3");
        }
    }

    public static void Server(ref Body b, bool helloRetry)
    {
        var node = b.Node;
        var hello = ServerHello.Parse(b.Bytes);
        // A TLS 1.3 ServerHello's random has no time in it: tshark shows it whole. Before draft 22 the ServerHello
        // had neither session ID nor compression method.
        bool draft = ServerHello.IsEarlyTls13Draft(hello.LegacyVersion);
        bool tls13 = draft || hello.SelectedVersion == TlsVersion.Tls13;
        if (!Common(ref b, randomHasTime: !tls13, sessionId: !draft)) return;
        if (!b.Has(2)) return;
        int suite = b.U16();
        b.Add(node, $"Cipher Suite: {CipherSuites.Describe((ushort)suite)}", "tls.handshake.ciphersuite", b.Pos - 2, 2);
        if (!draft)
        {
            if (!b.Has(1)) return;
            int method = b.U8();
            b.Add(node, $"Compression Method: {(method == 0 ? "null" : method == 1 ? "DEFLATE" : "Unknown")} ({method})", "tls.handshake.comp_method", b.Pos - 1, 1);
        }
        ExtensionTree.List(ref b, helloRetry ? TlsHandshakeType.HelloRetryRequest : TlsHandshakeType.ServerHello);
        if (hello.Status == ParseStatus.Ok)
        {
            string full = Ja3.ServerFull(hello);
            node.Add($"[{Truncated("JA3S Fullstring", full)}]", "tls.handshake.ja3s_full");
            node.Add($"[JA3S: {Ja3.Hash(full)}]", "tls.handshake.ja3s");
        }
    }

    /// <summary>
    /// tshark keeps a label under 240 characters: a longer one is marked "Name [truncated]: value" and cut to 238.
    /// </summary>
    private static string Truncated(string name, string value)
    {
        string label = name + ": " + value;
        if (label.Length < 240) return label;
        label = name + " [truncated]: " + value;
        return label[..238];
    }

    /// <summary>Version, random and (unless told otherwise) session ID, common to both hellos; false when the body ends first.</summary>
    private static bool Common(ref Body b, bool randomHasTime = true, bool sessionId = true)
    {
        var node = b.Node;
        if (!b.Has(2)) return false;
        int version = b.U16();
        b.Add(node, $"Version: {TlsTree.Version((ushort)version)}", "tls.handshake.version", 0, 2);
        if (!b.Has(32)) return false;
        var random = b.Bytes.Slice(b.Pos, 32);
        var rn = b.Add(node, $"Random: {Hex(random)}", "tls.handshake.random", b.Pos, 32);
        if (randomHasTime)
        {
            uint gmt = BinaryPrimitives.ReadUInt32BigEndian(random);
            b.Add(rn, $"GMT Unix Time: {Absolute(new Timestamp(gmt, 0))}", "tls.handshake.random_time", b.Pos, 4);
            b.Add(rn, $"Random Bytes: {Hex(random[4..])}", "tls.handshake.random_bytes", b.Pos + 4, 28);
        }
        b.Pos += 32;
        if (!sessionId) return true;
        if (!b.Has(1)) return false;
        int sidLength = b.U8();
        b.Add(node, $"Session ID Length: {sidLength}", "tls.handshake.session_id_length", b.Pos - 1, 1);
        if (!b.Has(sidLength)) return false;
        if (sidLength > 0) b.Add(node, $"Session ID: {Hex(b.Bytes.Slice(b.Pos, sidLength))}", "tls.handshake.session_id", b.Pos, sidLength);
        b.Pos += sidLength;
        return true;
    }
}

/// <summary>Extension subtrees: the header lines for every extension, and the contents of the common ones.</summary>
internal static class ExtensionTree
{
    public static void List(ref Body b, TlsHandshakeType context)
    {
        var node = b.Node;
        if (!b.Has(2)) return;
        int total = b.U16();
        b.Add(node, $"Extensions Length: {total}", "tls.handshake.extensions_length", b.Pos - 2, 2);
        int end = b.Pos + Math.Min(total, b.Left);
        while (b.Pos + 4 <= end)
        {
            int start = b.Pos;
            ushort type = (ushort)b.U16();
            int length = b.U16();
            int have = Math.Min(length, end - b.Pos);
            string name = ExtensionTypes.Name(type) ?? "Unknown type " + type;
            var e = b.Add(node, $"Extension: {name} (len={length})", "tls.handshake.extension", start, 4 + have);
            b.Add(e, $"Type: {ExtensionTypes.Describe(type)}", "tls.handshake.extension.type", start, 2);
            b.Add(e, $"Length: {length}", "tls.handshake.extension.len", start + 2, 2);
            var data = new Body(b.Bytes[..(b.Pos + have)], b.Region, e) { Pos = b.Pos };
            Contents(ref data, type, have, context);
            b.Pos += have;
        }
    }

    private static void Contents(ref Body d, ushort type, int length, TlsHandshakeType context)
    {
        var e = d.Node;
        bool server = context is TlsHandshakeType.ServerHello or TlsHandshakeType.HelloRetryRequest;
        int start = d.Pos;
        switch (type)
        {
            case 0 when length >= 2:
            {
                var sni = d.Add(e, "Server Name Indication extension", null, start, length);
                int list = d.U16();
                d.Add(sni, $"Server Name list length: {list}", "tls.handshake.extensions_server_name_list_len", start, 2);
                while (d.Has(3))
                {
                    int nameType = d.U8();
                    int nameLength = d.U16();
                    d.Add(sni, $"Server Name Type: {(nameType == 0 ? "host_name" : "Unknown")} ({nameType})", "tls.handshake.extensions_server_name_type", d.Pos - 3, 1);
                    d.Add(sni, $"Server Name length: {nameLength}", "tls.handshake.extensions_server_name_len", d.Pos - 2, 2);
                    if (!d.Has(nameLength)) break;
                    d.Add(sni, $"Server Name: {TlsNames.AsciiText(d.Bytes.Slice(d.Pos, nameLength))}", "tls.handshake.extensions_server_name", d.Pos, nameLength);
                    d.Pos += nameLength;
                }
                break;
            }
            case 10 when length >= 2:
            {
                int list = d.U16();
                d.Add(e, $"Supported Groups List Length: {list}", "tls.handshake.extensions_supported_groups_length", start, 2);
                int n = Math.Min(list, d.Left) / 2;
                var groups = d.Add(e, $"Supported Groups ({n} group{(n == 1 ? "" : "s")})", null, d.Pos, n * 2);
                for (int i = 0; i < n; i++)
                    d.Add(groups, $"Supported Group: {NamedGroups.Describe((ushort)d.U16())}", "tls.handshake.extensions_supported_group", d.Pos - 2, 2);
                break;
            }
            case 11 when length >= 1:
            {
                int list = d.U8();
                d.Add(e, $"EC point formats Length: {list}", "tls.handshake.extensions_ec_point_formats_length", start, 1);
                int n = Math.Min(list, d.Left);
                var formats = d.Add(e, $"Elliptic curves point formats ({n})", null, d.Pos, n);
                for (int i = 0; i < n; i++)
                    d.Add(formats, $"EC point format: {EcPointFormats.Describe((byte)d.U8())}", "tls.handshake.extensions_ec_point_format", d.Pos - 1, 1);
                break;
            }
            case 13 or 50 when length >= 2: // signature_algorithms, signature_algorithms_cert
            case 34 when context == TlsHandshakeType.ClientHello && length >= 2: // delegated_credential (RFC 9345 §4.1.1)
                SignatureAlgorithms(ref d, e);
                break;
            case 16 when length >= 2:
            {
                int list = d.U16();
                d.Add(e, $"ALPN Extension Length: {list}", "tls.handshake.extensions_alpn_len", start, 2);
                var alpn = d.Add(e, "ALPN Protocol", null, d.Pos, Math.Min(list, d.Left));
                while (d.Has(1))
                {
                    int n = d.U8();
                    d.Add(alpn, $"ALPN string length: {n}", "tls.handshake.extensions_alpn_str_len", d.Pos - 1, 1);
                    if (!d.Has(n)) break;
                    d.Add(alpn, $"ALPN Next Protocol: {TlsNames.AsciiText(d.Bytes.Slice(d.Pos, n))}", "tls.handshake.extensions_alpn_str", d.Pos, n);
                    d.Pos += n;
                }
                break;
            }
            case 35 when length == 0:
                d.Add(e, "Data (0 bytes)", null, start, 0);
                break;
            case 43 when server && length >= 2:
                d.Add(e, $"Supported Version: {TlsTree.Version((ushort)d.U16())}", "tls.handshake.extensions.supported_version", start, 2);
                break;
            case 43 when length >= 1:
            {
                int list = d.U8();
                d.Add(e, $"Supported Versions length: {list}", "tls.handshake.extensions.supported_versions_len", start, 1);
                while (d.Has(2))
                    d.Add(e, $"Supported Version: {TlsTree.Version((ushort)d.U16())}", "tls.handshake.extensions.supported_version", d.Pos - 2, 2);
                break;
            }
            case 45 when length >= 1:
            {
                int list = d.U8();
                d.Add(e, $"PSK Key Exchange Modes Length: {list}", "tls.extension.psk_ke_modes_length", start, 1);
                while (d.Has(1))
                {
                    int mode = d.U8();
                    string text = mode switch { 0 => "PSK-only key establishment (psk_ke)", 1 => "PSK with (EC)DHE key establishment (psk_dhe_ke)", _ => "Unknown" };
                    d.Add(e, $"PSK Key Exchange Mode: {text} ({mode})", "tls.extension.psk_ke_mode", d.Pos - 1, 1);
                }
                break;
            }
            case 51 or 40: // key_share (40 until TLS 1.3 draft 23)
            {
                var ks = d.Add(e, "Key Share extension", null, start, length);
                if (context == TlsHandshakeType.HelloRetryRequest)
                {
                    if (d.Has(2)) d.Add(ks, $"Selected Group: {NamedGroups.Name((ushort)d.U16()) ?? "Unknown"} ({BinaryPrimitives.ReadUInt16BigEndian(d.Bytes[(d.Pos - 2)..])})", "tls.handshake.extensions_key_share_selected_group", d.Pos - 2, 2);
                    break;
                }
                if (!server)
                {
                    if (!d.Has(2)) break;
                    d.Add(ks, $"Client Key Share Length: {d.U16()}", "tls.handshake.extensions_key_share_client_length", start, 2);
                }
                while (d.Has(4))
                {
                    int at = d.Pos;
                    ushort group = (ushort)d.U16();
                    int n = d.U16();
                    int have = Math.Min(n, d.Left);
                    string groupName = NamedGroups.Name(group) ?? "Unknown";
                    var entry = d.Add(ks, $"Key Share Entry: Group: {groupName}, Key Exchange length: {n}", null, at, 4 + have);
                    d.Add(entry, $"Group: {groupName} ({group})", "tls.handshake.extensions_key_share_group", at, 2);
                    d.Add(entry, $"Key Exchange Length: {n}", "tls.handshake.extensions_key_share_key_exchange_length", at + 2, 2);
                    d.Add(entry, $"Key Exchange: {HexShort(d.Bytes.Slice(d.Pos, have))}", "tls.handshake.extensions_key_share_key_exchange", d.Pos, have);
                    d.Pos += have;
                    if (server) break;
                }
                break;
            }
            case 21 when length > 0:
                d.Add(e, $"Padding Data: {HexShort(d.Bytes.Slice(start, length))}", "tls.handshake.extensions_padding_data", start, length);
                break;
            case 65281 when length >= 1:
            {
                var ri = d.Add(e, "Renegotiation Info extension", null, start, length);
                d.Add(ri, $"Renegotiation info extension length: {d.U8()}", "tls.handshake.extensions_reneg_info_len", start, 1);
                break;
            }
            default:
                if (length > 0 && type is not (22 or 23 or 49))
                    d.Add(e, $"Data ({length} byte{(length == 1 ? "" : "s")})", null, start, length);
                break;
        }
    }

    /// <summary>A signature_algorithms list, in the extension or a CertificateRequest.</summary>
    public static void SignatureAlgorithms(ref Body d, TreeNode parent)
    {
        int list = d.U16();
        d.Add(parent, $"Signature Hash Algorithms Length: {list}", "tls.handshake.sig_hash_alg_len", d.Pos - 2, 2);
        int n = Math.Min(list, d.Left) / 2;
        var algs = d.Add(parent, $"Signature Hash Algorithms ({n} algorithm{(n == 1 ? "" : "s")})", null, d.Pos, n * 2);
        for (int i = 0; i < n; i++) Scheme(ref d, algs);
    }

    /// <summary>One SignatureScheme with its hash and signature bytes.</summary>
    public static void Scheme(ref Body d, TreeNode parent)
    {
        ushort v = (ushort)d.U16();
        var s = d.Add(parent, $"Signature Algorithm: {SignatureSchemes.Describe(v)}", "tls.handshake.sig_hash_alg", d.Pos - 2, 2);
        d.Add(s, $"Signature Hash Algorithm Hash: {SignatureSchemes.TsharkHashName((byte)(v >> 8)) ?? "Unknown"} ({v >> 8})", "tls.handshake.sig_hash_hash", d.Pos - 2, 1);
        d.Add(s, $"Signature Hash Algorithm Signature: {SignatureSchemes.TsharkSignatureName((byte)v) ?? "Unknown"} ({v & 0xff})", "tls.handshake.sig_hash_sig", d.Pos - 1, 1);
    }
}

/// <summary>ServerKeyExchange and ClientKeyExchange for (EC)DHE suites.</summary>
internal static class KeyExchangeTree
{
    public static void Server(ref Body b, TlsConnectionFacts connection)
    {
        var kex = connection.HasCipherSuite ? KeyExchangeAlgorithms.ForCipherSuite(new CipherSuite(connection.CipherSuite)) : KeyExchangeAlgorithm.Unknown;
        if (ServerKeyExchange.Parse(b.Bytes, kex, TlsVersion.Tls12).Form != KeyExchangeForm.Ecdh || !b.Has(4)) return;
        var p = b.Add(b.Node, "EC Diffie-Hellman Server Params", null, 0, b.Bytes.Length);
        int curveType = b.U8();
        b.Add(p, $"Curve Type: {(curveType == 3 ? "named_curve" : "Unknown")} (0x{curveType:x2})", "tls.handshake.server_curve_type", 0, 1);
        if (curveType != 3) return;
        b.Add(p, $"Named Curve: {NamedGroups.Describe((ushort)b.U16())}", "tls.handshake.server_named_curve", 1, 2);
        int n = b.U8();
        b.Add(p, $"Pubkey Length: {n}", "tls.handshake.server_point_len", 3, 1);
        if (!b.Has(n)) return;
        b.Add(p, $"Pubkey: {HexShort(b.Bytes.Slice(b.Pos, n))}", "tls.handshake.server_point", b.Pos, n);
        b.Pos += n;
        if (!b.Has(4)) return;
        ExtensionTree.Scheme(ref b, p);
        int sigLength = b.U16();
        b.Add(p, $"Signature Length: {sigLength}", "tls.handshake.sig_len", b.Pos - 2, 2);
        if (b.Has(sigLength)) b.Add(p, $"Signature: {HexShort(b.Bytes.Slice(b.Pos, sigLength))}", "tls.handshake.sig", b.Pos, sigLength);
    }

    public static void Client(ref Body b, TlsConnectionFacts connection)
    {
        var kex = connection.HasCipherSuite ? KeyExchangeAlgorithms.ForCipherSuite(new CipherSuite(connection.CipherSuite)) : KeyExchangeAlgorithm.Unknown;
        if (ClientKeyExchange.Parse(b.Bytes, kex, TlsVersion.Tls12).Form != KeyExchangeForm.Ecdh || !b.Has(1)) return;
        var p = b.Add(b.Node, "EC Diffie-Hellman Client Params", null, 0, b.Bytes.Length);
        int n = b.U8();
        b.Add(p, $"Pubkey Length: {n}", "tls.handshake.client_point_len", 0, 1);
        if (b.Has(n)) b.Add(p, $"Pubkey: {HexShort(b.Bytes.Slice(1, n))}", "tls.handshake.client_point", 1, n);
    }
}
