using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HttpsFlow.Common;
using HttpsFlow.Tls.Extensions;

namespace HttpsFlow.Tls.Handshake;

/// <summary>
/// JA3 and JA3S fingerprints (tls.handshake.ja3_full / ja3 and ja3s_full / ja3s), built the way tshark 4.0 builds
/// them: decimal values joined by '-', fields by ','; GREASE values (RFC 8701) left out of cipher suites, extension
/// types and groups; the hash is the MD5 of the text in lowercase hex.
/// </summary>
public static class Ja3
{
    /// <summary>"SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats".</summary>
    public static string ClientFull(in ClientHello hello)
    {
        var sb = new StringBuilder();
        sb.Append(hello.LegacyVersion.ToString(CultureInfo.InvariantCulture)).Append(',');
        string dash = "";
        foreach (var suite in hello.CipherSuites)
        {
            if (suite.IsGrease) continue;
            sb.Append(dash).Append(suite.Value.ToString(CultureInfo.InvariantCulture));
            dash = "-";
        }
        sb.Append(',');
        if (!hello.Extensions.IsPresent)
        {
            sb.Append(",,");
            return sb.ToString();
        }
        var groups = new StringBuilder();
        var formats = new StringBuilder();
        dash = "";
        foreach (var ext in hello.Extensions)
        {
            if (!ext.IsGrease)
            {
                sb.Append(dash).Append(ext.Type.Value.ToString(CultureInfo.InvariantCulture));
                dash = "-";
            }
            if (ext.Type == ExtensionType.SupportedGroups) AppendGroups(ext.Data, groups);
            else if (ext.Type == ExtensionType.EcPointFormats) AppendFormats(ext.Data, formats);
        }
        sb.Append(groups.Length > 0 ? groups : ",");
        sb.Append(formats.Length > 0 ? formats : ",");
        return sb.ToString();
    }

    /// <summary>"SSLVersion,Cipher,SSLExtension".</summary>
    public static string ServerFull(in ServerHello hello)
    {
        var sb = new StringBuilder();
        sb.Append(hello.LegacyVersion.ToString(CultureInfo.InvariantCulture))
            .Append(',').Append(hello.CipherSuite.Value.ToString(CultureInfo.InvariantCulture)).Append(',');
        string dash = "";
        foreach (var ext in hello.Extensions)
        {
            if (ext.IsGrease) continue;
            sb.Append(dash).Append(ext.Type.Value.ToString(CultureInfo.InvariantCulture));
            dash = "-";
        }
        return sb.ToString();
    }

    /// <summary>The MD5 of the text, in lowercase hex.</summary>
    public static string Hash(string full)
    {
        Span<byte> digest = stackalloc byte[16];
        MD5.HashData(Encoding.UTF8.GetBytes(full), digest);
        return Convert.ToHexStringLower(digest);
    }

    // ssl_dissect_hnd_hello_ext_supported_groups: ',' then the groups, read up to the extension's end; nothing at
    // all when the list length is bad.
    private static void AppendGroups(ReadOnlySpan<byte> data, StringBuilder sb)
    {
        var r = new WireReader(data);
        if (!r.TryReadUInt16(out ushort length) || length > r.Remaining) return;
        sb.Append(',');
        string dash = "";
        while (r.TryReadUInt16(out ushort group))
        {
            if (Registry.Grease.IsGrease(group)) continue;
            sb.Append(dash).Append(group.ToString(CultureInfo.InvariantCulture));
            dash = "-";
        }
    }

    // ssl_dissect_hnd_hello_ext_ec_point_formats: ',' then the formats (GREASE is not filtered here).
    private static void AppendFormats(ReadOnlySpan<byte> data, StringBuilder sb)
    {
        var r = new WireReader(data);
        if (!r.TryReadUInt8(out byte count)) return;
        sb.Append(',');
        for (int i = 0; i < count && r.TryReadUInt8(out byte f); i++)
        {
            if (i > 0) sb.Append('-');
            sb.Append(f.ToString(CultureInfo.InvariantCulture));
        }
    }
}
