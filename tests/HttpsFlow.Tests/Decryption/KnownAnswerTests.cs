using System.Security.Cryptography;
using HttpsFlow.Decryption;
using HttpsFlow.Tests.Tls;

namespace HttpsFlow.Tests.Decryption;

/// <summary>
/// Published test vectors: the TLS 1.2 PRF (P_SHA256 and P_SHA384, the vectors posted to the IETF TLS list, msg03416),
/// the TLS 1.0/1.1 PRF (MD5 XOR SHA-1, same source), and RFC 8448 §3 (TLS 1.3 simple 1-RTT handshake): traffic keys,
/// Finished, and the protected records.
/// </summary>
public class KnownAnswerTests
{
    private static byte[] H(string hex) => Convert.FromHexString(hex.Replace(" ", "").Replace("\n", ""));

    [Fact]
    public void Tls12_prf_sha256()
    {
        var output = TlsKdf.Prf12(HashAlgorithmName.SHA256, H("9bbe436ba940f017b17652849a71db35"), "test label",
            H("a0ba9f936cda311827a6f796ffd5198c"), 100);
        Assert.Equal(H("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af" +
                       "0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66"), output);
    }

    [Fact]
    public void Tls12_prf_sha384()
    {
        var output = TlsKdf.Prf12(HashAlgorithmName.SHA384, H("b80b733d6ceefcdc71566ea48e5567df"), "test label",
            H("cd665cf6a8447dd6ff8b27555edb7465"), 148);
        Assert.Equal(H("7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0" +
                       "e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd" +
                       "4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f"), output);
    }

    [Fact]
    public void Tls10_prf_md5_sha1()
    {
        var output = TlsKdf.Prf10(Enumerable.Repeat((byte)0xab, 48).ToArray(), "PRF Testvector",
            Enumerable.Repeat((byte)0xcd, 64).ToArray(), 104);
        Assert.Equal(H("d3d4d1e349b5d515044666d51de32bab258cb521b6b053463e354832fd976754443bcf9a296519bc289abcbc1187e4eb" +
                       "d31e602353776c408aafb74cbc85eff69255f9788faa184cbb957a9819d84a5d7eb006eb459d3ae8de9810454b8b2d8f1afbc655" +
                       "a8c9a013"), output);
    }

    // RFC 8448 §3 secrets (SHA-256, TLS_AES_128_GCM_SHA256).
    private const string ServerHsSecret = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
    private const string ClientHsSecret = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
    private const string ClientAppSecret = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
    private const string ServerAppSecret = "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";

    [Theory]
    [InlineData(ServerHsSecret, "3fce516009c21727d0f2e4e86ee403bc", "5d313eb2671276ee13000b30")]
    [InlineData(ClientHsSecret, "dbfaa693d1762c5b666af5d950258d01", "5bd3c71b836e0b76bb73265f")]
    [InlineData(ServerAppSecret, "9f02283b6c9c07efc26bb9f2ac92e356", "cf782b88dd83549aadf1e984")]
    [InlineData(ClientAppSecret, "17422dda596ed5d9acd890e3c63f5051", "5b78923dee08579033e523d9")]
    public void Rfc8448_traffic_keys_by_hkdf_expand_label(string secret, string key, string iv)
    {
        var (k, i) = TlsKdf.TrafficKeys(HashAlgorithmName.SHA256, H(secret), 16);
        Assert.Equal(H(key), k);
        Assert.Equal(H(iv), i);
    }

    [Fact]
    public void Rfc8448_finished_verify_data()
    {
        var toCertificateVerify = Concat(Rfc8448.ClientHello, Rfc8448.ServerHello, Rfc8448.EncryptedExtensions, Rfc8448.Certificate, Rfc8448.CertificateVerify);
        var server = TlsKdf.FinishedVerifyData13(HashAlgorithmName.SHA256, H(ServerHsSecret), SHA256.HashData(toCertificateVerify));
        Assert.Equal(H(Rfc8448.ServerFinished)[4..], server);
        var toServerFinished = Concat(Rfc8448.ClientHello, Rfc8448.ServerHello, Rfc8448.EncryptedExtensions, Rfc8448.Certificate,
            Rfc8448.CertificateVerify, Rfc8448.ServerFinished);
        var client = TlsKdf.FinishedVerifyData13(HashAlgorithmName.SHA256, H(ClientHsSecret), SHA256.HashData(toServerFinished));
        Assert.Equal(H(Rfc8448.ClientFinished)[4..], client);
    }

    private static byte[] Concat(params string[] hex) => hex.SelectMany(H).ToArray();

    private static RecordCipher Tls13Cipher(string secret)
    {
        var spec = CipherSpec.For(0x1301, out _)!;
        var (key, iv) = TlsKdf.TrafficKeys(HashAlgorithmName.SHA256, H(secret), spec.KeyLength);
        return RecordCipher.Create(spec, 0x0304, key, iv, null);
    }

    private static (byte[] Plaintext, byte Type) Open(RecordCipher cipher, string record, ulong sequence)
    {
        var bytes = H(record);
        Assert.True(cipher.TryDecrypt(bytes.AsSpan(0, 5), bytes.AsSpan(5), sequence, out var plaintext, out var type));
        return (plaintext, type);
    }

    [Fact]
    public void Rfc8448_server_handshake_flight_decrypts_to_its_messages()
    {
        using var cipher = Tls13Cipher(ServerHsSecret);
        var (plaintext, type) = Open(cipher, Rfc8448Records.ServerHandshake, 0);
        Assert.Equal(22, type);
        Assert.Equal(Concat(Rfc8448.EncryptedExtensions, Rfc8448.Certificate, Rfc8448.CertificateVerify, Rfc8448.ServerFinished), plaintext);
    }

    [Fact]
    public void Rfc8448_client_finished_record()
    {
        using var cipher = Tls13Cipher(ClientHsSecret);
        var (plaintext, type) = Open(cipher, Rfc8448Records.ClientFinished, 0);
        Assert.Equal(22, type);
        Assert.Equal(H(Rfc8448.ClientFinished), plaintext);
    }

    [Fact]
    public void Rfc8448_application_data_both_ways()
    {
        var payload = Enumerable.Range(0, 50).Select(i => (byte)i).ToArray();
        using var client = Tls13Cipher(ClientAppSecret);
        var (c, ct) = Open(client, Rfc8448Records.ClientApplicationData, 0);
        Assert.Equal(23, ct);
        Assert.Equal(payload, c);
        using var server = Tls13Cipher(ServerAppSecret);
        var (s, st) = Open(server, Rfc8448Records.ServerApplicationData, 1); // after the NewSessionTicket (sequence 0)
        Assert.Equal(23, st);
        Assert.Equal(payload, s);
    }

    [Fact]
    public void Rfc8448_record_does_not_open_at_the_wrong_sequence_or_with_the_other_key()
    {
        var bytes = H(Rfc8448Records.ClientApplicationData);
        using var client = Tls13Cipher(ClientAppSecret);
        Assert.False(client.TryDecrypt(bytes.AsSpan(0, 5), bytes.AsSpan(5), 1, out _, out _));
        using var server = Tls13Cipher(ServerAppSecret);
        Assert.False(server.TryDecrypt(bytes.AsSpan(0, 5), bytes.AsSpan(5), 0, out _, out _));
        // A damaged tag fails too, without throwing.
        bytes[^1] ^= 1;
        using var again = Tls13Cipher(ClientAppSecret);
        Assert.False(again.TryDecrypt(bytes.AsSpan(0, 5), bytes.AsSpan(5), 0, out _, out _));
        Assert.False(again.TryDecrypt(bytes.AsSpan(0, 5), bytes.AsSpan(5, 3), 0, out _, out _));
    }

    [Fact]
    public void Key_update_secret_changes_the_keys()
    {
        var next = TlsKdf.NextTrafficSecret(HashAlgorithmName.SHA256, H(ClientAppSecret));
        Assert.Equal(TlsKdf.HkdfExpandLabel(HashAlgorithmName.SHA256, H(ClientAppSecret), "traffic upd", default, 32), next);
        Assert.NotEqual(H(ClientAppSecret), next);
    }
}
