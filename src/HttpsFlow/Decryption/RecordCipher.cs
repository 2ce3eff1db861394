using System.Buffers.Binary;
using System.Security.Cryptography;

namespace HttpsFlow.Decryption;

/// <summary>
/// One direction's record protection: decrypts and authenticates a record's fragment with its sequence number.
/// Returns false on any failure (a wrong key, a damaged record); never throws on bad bytes.
/// </summary>
public abstract class RecordCipher : IDisposable
{
    /// <summary>
    /// Opens a record: <paramref name="header"/> is its five-byte header (type, version, length),
    /// <paramref name="fragment"/> what follows it, <paramref name="sequence"/> its sequence number under these keys;
    /// <paramref name="plaintext"/> receives the content and <paramref name="contentType"/> its type (the header's for
    /// TLS 1.0–1.2, the inner one for TLS 1.3).
    /// </summary>
    public bool TryDecrypt(ReadOnlySpan<byte> header, ReadOnlySpan<byte> fragment, ulong sequence,
        out byte[] plaintext, out byte contentType)
    {
        var buffer = new byte[fragment.Length];
        if (!TryDecrypt(header, fragment, sequence, buffer, out int length, out contentType))
        {
            plaintext = [];
            return false;
        }
        plaintext = buffer.AsSpan(0, length).ToArray();
        return true;
    }

    /// <summary>
    /// As <see cref="TryDecrypt(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ulong, out byte[], out byte)"/>, into
    /// <paramref name="destination"/> (at least <paramref name="fragment"/>'s length): the decryptor reuses one buffer
    /// for every record rather than allocate one per record.
    /// </summary>
    public abstract bool TryDecrypt(ReadOnlySpan<byte> header, ReadOnlySpan<byte> fragment, ulong sequence,
        Span<byte> destination, out int length, out byte contentType);

    public abstract void Dispose();

    /// <summary>One direction's protection under <paramref name="spec"/> (a TLS 1.3 suite, or TLS 1.0–1.2 <paramref name="version"/>).</summary>
    public static RecordCipher Create(CipherSpec spec, ushort version, byte[] key, byte[] iv, byte[]? macKey, bool encryptThenMac = false) =>
        spec.Mode == RecordMode.Cbc
            ? new CbcCipher(spec, version, key, iv, macKey ?? []) { EncryptThenMac = encryptThenMac }
            : new AeadCipher(spec, key, iv);
}

/// <summary>AES-GCM, AES-CCM, AES-CCM_8 and ChaCha20-Poly1305 records, TLS 1.2 (RFC 5288, 6655, 7905) and TLS 1.3 (RFC 8446 §5.2).</summary>
internal sealed class AeadCipher : RecordCipher
{
    private readonly CipherSpec _spec;
    private readonly byte[] _key;
    private readonly byte[] _iv;
    private readonly AesGcm? _gcm;
    private readonly AesCcm? _ccm;
    private readonly ChaCha20Poly1305? _chacha;

    private readonly NativeAead? _native;

    public AeadCipher(CipherSpec spec, byte[] key, byte[] iv)
    {
        _spec = spec;
        _key = key;
        _iv = iv;
        _native = spec.TagLength == 16 ? NativeAead.TryCreate(spec.Mode, key) : null;
        if (_native is not null) return;
        switch (spec.Mode)
        {
            case RecordMode.Gcm: _gcm = new AesGcm(key, 16); break;
            case RecordMode.Ccm or RecordMode.Ccm8: _ccm = new AesCcm(key); break;
            default: _chacha = new ChaCha20Poly1305(key); break;
        }
    }

    public override bool TryDecrypt(ReadOnlySpan<byte> header, ReadOnlySpan<byte> fragment, ulong sequence,
        Span<byte> destination, out int length, out byte contentType)
    {
        length = 0;
        contentType = header.Length > 0 ? header[0] : (byte)0;
        int tag = _spec.TagLength, explicitLength = _spec.RecordIvLength;
        if (header.Length < 5 || fragment.Length < explicitLength + tag) return false;
        Span<byte> nonce = stackalloc byte[12];
        if (explicitLength > 0)
        {
            // TLS 1.2 GCM/CCM: the 4-byte salt from the key block, then the record's 8-byte explicit nonce.
            _iv.AsSpan(0, 4).CopyTo(nonce);
            fragment[..8].CopyTo(nonce[4..]);
        }
        else
        {
            // TLS 1.3, and ChaCha20-Poly1305 in TLS 1.2: the IV XOR the sequence number, left-padded.
            _iv.AsSpan(0, 12).CopyTo(nonce);
            Span<byte> seq = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(seq, sequence);
            for (int i = 0; i < 8; i++) nonce[4 + i] ^= seq[i];
        }
        var ciphertext = fragment[explicitLength..^tag];
        var tagBytes = fragment[^tag..];
        Span<byte> aad = stackalloc byte[13];
        if (_spec.IsTls13)
        {
            header[..5].CopyTo(aad);
            aad = aad[..5];
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(aad, sequence);
            aad[8] = header[0];
            aad[9] = header[1];
            aad[10] = header[2];
            BinaryPrimitives.WriteUInt16BigEndian(aad[11..], (ushort)ciphertext.Length);
        }
        if (destination.Length < ciphertext.Length) return false;
        var output = destination[..ciphertext.Length];
        try
        {
            if (_native is not null)
            {
                if (!_native.Decrypt(nonce, ciphertext, tagBytes, output, aad)) return false;
            }
            else if (_gcm is not null) _gcm.Decrypt(nonce, ciphertext, tagBytes, output, aad);
            else if (_ccm is not null) _ccm.Decrypt(nonce, ciphertext, tagBytes, output, aad);
            else _chacha!.Decrypt(nonce, ciphertext, tagBytes, output, aad);
        }
        catch (CryptographicException)
        {
            return false;
        }
        if (!_spec.IsTls13)
        {
            length = output.Length;
            return true;
        }
        // TLSInnerPlaintext: content, the real content type, then zero padding.
        int end = output.Length - 1;
        while (end >= 0 && output[end] == 0) end--;
        if (end < 0) return false;
        contentType = output[end];
        length = end;
        return true;
    }

    private volatile bool _disposed;

    /// <summary>True once the connection no longer uses this key (a <see cref="RecordVerifier"/> then drops its copies).</summary>
    internal bool IsDisposed => _disposed;

    /// <summary>A cipher with the same keys and its own state, for another thread.</summary>
    internal AeadCipher Twin() => new(_spec, _key, _iv);

    /// <summary>
    /// The length of the application data a fragment of <paramref name="fragmentLength"/> bytes holds when it is what
    /// it nearly always is: for TLS 1.3, application data without padding. False when the fragment cannot be a record.
    /// </summary>
    internal bool TryPlainLength(int fragmentLength, out int length)
    {
        length = fragmentLength - _spec.RecordIvLength - _spec.TagLength - (_spec.IsTls13 ? 1 : 0);
        return length > 0;
    }

    public override void Dispose()
    {
        _disposed = true;
        _native?.Dispose();
        _gcm?.Dispose();
        _ccm?.Dispose();
        _chacha?.Dispose();
    }
}

/// <summary>
/// AES and 3DES in CBC mode with HMAC (RFC 5246 §6.2.3.2): MAC-then-encrypt, or encrypt-then-MAC (RFC 7366). TLS 1.0
/// chains the IV from the previous record's last ciphertext block; TLS 1.1 and later send an explicit IV per record.
/// </summary>
internal sealed class CbcCipher : RecordCipher
{
    private readonly CipherSpec _spec;
    private readonly bool _implicitIv;
    private readonly byte[] _macKey;
    private readonly SymmetricAlgorithm _cipher;
    private IncrementalHash? _hmac; // one per direction, reset by each GetHashAndReset
    private byte[] _iv;

    /// <summary>Records carry the MAC over the ciphertext (encrypt_then_mac was negotiated).</summary>
    public bool EncryptThenMac { get; init; }

    public CbcCipher(CipherSpec spec, ushort version, byte[] key, byte[] iv, byte[] macKey)
    {
        _spec = spec;
        _implicitIv = version <= Tls.TlsVersion.Tls10;
        _macKey = macKey;
        _iv = iv;
        _cipher = spec.TripleDes ? TripleDES.Create() : Aes.Create();
        _cipher.Key = key;
    }

    public override bool TryDecrypt(ReadOnlySpan<byte> header, ReadOnlySpan<byte> fragment, ulong sequence,
        Span<byte> destination, out int length, out byte contentType)
    {
        length = 0;
        contentType = header.Length > 0 ? header[0] : (byte)0;
        int block = _spec.BlockSize, mac = _spec.MacLength;
        if (header.Length < 5) return false;
        var ciphertext = fragment;
        if (EncryptThenMac)
        {
            if (fragment.Length < mac) return false;
            ciphertext = fragment[..^mac];
            if (!MacMatches(header, sequence, ciphertext, fragment[^mac..])) return false;
        }
        if (ciphertext.Length == 0 || ciphertext.Length % block != 0) return false;
        ReadOnlySpan<byte> iv;
        if (_implicitIv)
        {
            iv = _iv;
            _iv = ciphertext[^block..].ToArray();
        }
        else
        {
            if (ciphertext.Length < 2 * block) return false;
            iv = ciphertext[..block];
            ciphertext = ciphertext[block..];
        }
        if (destination.Length < ciphertext.Length) return false;
        var decrypted = destination[..ciphertext.Length];
        try
        {
            _cipher.DecryptCbc(ciphertext, iv, decrypted, PaddingMode.None);
        }
        catch (CryptographicException)
        {
            return false;
        }
        int pad = decrypted[^1];
        if (pad + 1 > decrypted.Length) return false;
        for (int i = decrypted.Length - 1 - pad; i < decrypted.Length; i++)
            if (decrypted[i] != pad) return false;
        var content = decrypted[..(decrypted.Length - pad - 1)];
        if (!EncryptThenMac)
        {
            if (content.Length < mac) return false;
            var recordMac = content[^mac..];
            content = content[..^mac];
            if (!MacMatches(header, sequence, content, recordMac)) return false;
        }
        length = content.Length;
        return true;
    }

    private bool MacMatches(ReadOnlySpan<byte> header, ulong sequence, ReadOnlySpan<byte> data, ReadOnlySpan<byte> expected)
    {
        Span<byte> pseudoHeader = stackalloc byte[13];
        BinaryPrimitives.WriteUInt64BigEndian(pseudoHeader, sequence);
        pseudoHeader[8] = header[0];
        pseudoHeader[9] = header[1];
        pseudoHeader[10] = header[2];
        BinaryPrimitives.WriteUInt16BigEndian(pseudoHeader[11..], (ushort)data.Length);
        var hmac = _hmac ??= IncrementalHash.CreateHMAC(_spec.MacHash!.Value, _macKey);
        hmac.AppendData(pseudoHeader);
        hmac.AppendData(data);
        Span<byte> computed = stackalloc byte[64];
        int n = hmac.GetHashAndReset(computed);
        return CryptographicOperations.FixedTimeEquals(computed[..n], expected);
    }

    public override void Dispose()
    {
        _cipher.Dispose();
        _hmac?.Dispose();
    }
}
