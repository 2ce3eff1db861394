using System.Security.Cryptography;

namespace HttpsFlow.X509;

/// <summary>PEM (RFC 7468) CERTIFICATE blocks.</summary>
internal static class Pem
{
    /// <summary>The DER of every CERTIFICATE block (also the legacy "X509 CERTIFICATE"), in order; blocks with
    /// damaged base64 are left out.</summary>
    public static IEnumerable<byte[]> Certificates(string text)
    {
        var result = new List<byte[]>();
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label];
            if (label is "CERTIFICATE" or "X509 CERTIFICATE" or "TRUSTED CERTIFICATE")
            {
                var bytes = new byte[fields.DecodedDataLength];
                if (Convert.TryFromBase64Chars(rest[fields.Base64Data], bytes, out int written))
                    result.Add(bytes[..written]);
            }
            rest = rest[fields.Location.End..];
        }
        return result;
    }
}
