using System.Runtime.InteropServices;

namespace HttpsFlow.Decryption;

/// <summary>
/// AES-GCM and ChaCha20-Poly1305 record decryption straight through the system's OpenSSL (libcrypto 3, see
/// <see cref="NativeCrypto"/>), keeping one cipher context per key and changing only the nonce per record. Why not
/// <see cref="System.Security.Cryptography.AesGcm"/> alone: it sets the key up again for every call, and with OpenSSL 3
/// that set-up (provider lookup, key schedule, GHASH tables) cost more than decrypting a 16 KiB record — it was a
/// fifth of `list --keylog` on a capture of 3,000 connections. Contexts of finished connections are kept (a few dozen)
/// for the next keys, and the ciphers are fetched once. Where libcrypto cannot be used, <see cref="TryCreate"/> returns
/// null and the caller uses the .NET classes; both give the same plaintext (tested).
/// </summary>
internal sealed class NativeAead : IDisposable
{
    private const string Lib = NativeCrypto.Lib;
    private const int CtrlAeadSetTag = 0x11;
    private const int CtrlGcmSetIvFixed = 0x12;
    private const int CtrlGcmSetIvInvocation = 0x18;
    private const int PoolSize = 64;

    [DllImport(Lib)] private static extern IntPtr EVP_CIPHER_CTX_new();
    [DllImport(Lib)] private static extern void EVP_CIPHER_CTX_free(IntPtr ctx);

    [DllImport(Lib, EntryPoint = "EVP_DecryptInit_ex2")]
    private static extern int InitKey(IntPtr ctx, IntPtr cipher, ref byte key, IntPtr iv, IntPtr parameters);

    [DllImport(Lib, EntryPoint = "EVP_DecryptInit_ex2")]
    private static extern int InitNonce(IntPtr ctx, IntPtr cipher, IntPtr key, ref byte iv, IntPtr parameters);

    [DllImport(Lib, EntryPoint = "EVP_DecryptUpdate")]
    private static extern int UpdateAad(IntPtr ctx, IntPtr output, out int outputLength, ref byte input, int inputLength);

    [DllImport(Lib, EntryPoint = "EVP_DecryptUpdate")]
    private static extern int Update(IntPtr ctx, ref byte output, out int outputLength, ref byte input, int inputLength);

    [DllImport(Lib, EntryPoint = "EVP_CIPHER_CTX_ctrl")]
    private static extern int SetTag(IntPtr ctx, int type, int length, ref byte tag);

    [DllImport(Lib, EntryPoint = "EVP_CIPHER_CTX_ctrl")]
    private static extern int Control(IntPtr ctx, int type, int length, ref byte data);

    [DllImport(Lib, EntryPoint = "EVP_DecryptFinal_ex")]
    private static extern int Final(IntPtr ctx, ref byte output, out int outputLength);

    // Contexts given back, per cipher: re-keying one keeps its provider state (no allocation, no lookup).
    private static readonly Dictionary<IntPtr, Stack<IntPtr>> s_pool = [];

    private IntPtr _ctx;
    private readonly IntPtr _cipher;
    private readonly bool _gcm;
    // GCM: a TLS record's nonce keeps its first four bytes for the life of a key (TLS 1.2's salt; TLS 1.3's IV, whose
    // last eight bytes take the sequence number): they are set once ("fixed field") and each record sets only the
    // other eight ("invocation field"), which costs a third of re-initialising the context with a whole nonce.
    private uint _fixed;
    private byte _fixedState; // 0: not tried, 1: set, 2: not usable here

    private NativeAead(IntPtr ctx, IntPtr cipher, bool gcm)
    {
        _ctx = ctx;
        _cipher = cipher;
        _gcm = gcm;
    }

    /// <summary>A context for <paramref name="mode"/> with <paramref name="key"/>, or null when OpenSSL is not usable here.</summary>
    public static NativeAead? TryCreate(RecordMode mode, ReadOnlySpan<byte> key)
    {
        if (NativeCrypto.Fetched is not { } algorithms) return null;
        IntPtr cipher = mode switch
        {
            RecordMode.Gcm when key.Length == 16 => algorithms.Aes128Gcm,
            RecordMode.Gcm when key.Length == 32 => algorithms.Aes256Gcm,
            RecordMode.ChaCha20Poly1305 when key.Length == 32 => algorithms.ChaCha20Poly1305,
            _ => IntPtr.Zero,
        };
        if (cipher == IntPtr.Zero) return null;
        var ctx = Rent(cipher);
        if (ctx == IntPtr.Zero) return null;
        if (InitKey(ctx, cipher, ref MemoryMarshal.GetReference(key), IntPtr.Zero, IntPtr.Zero) != 1)
        {
            EVP_CIPHER_CTX_free(ctx);
            return null;
        }
        return new NativeAead(ctx, cipher, mode == RecordMode.Gcm);
    }

    private static IntPtr Rent(IntPtr cipher)
    {
        lock (s_pool)
            if (s_pool.TryGetValue(cipher, out var stack) && stack.TryPop(out var ctx)) return ctx;
        return EVP_CIPHER_CTX_new();
    }

    private static void Return(IntPtr cipher, IntPtr ctx)
    {
        lock (s_pool)
        {
            if (!s_pool.TryGetValue(cipher, out var stack)) s_pool[cipher] = stack = new Stack<IntPtr>();
            if (stack.Count < PoolSize)
            {
                stack.Push(ctx);
                return;
            }
        }
        EVP_CIPHER_CTX_free(ctx);
    }

    /// <summary>Opens <paramref name="ciphertext"/> into <paramref name="output"/> (its length); false when the tag does not match.</summary>
    public bool Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> output, ReadOnlySpan<byte> aad)
    {
        if (_ctx == IntPtr.Zero || nonce.Length != 12 || tag.Length != 16) return false;
        if (!SetNonce(nonce)) return false;
        if (!aad.IsEmpty && UpdateAad(_ctx, IntPtr.Zero, out _, ref MemoryMarshal.GetReference(aad), aad.Length) != 1) return false;
        int written = 0;
        if (!ciphertext.IsEmpty)
        {
            if (Update(_ctx, ref MemoryMarshal.GetReference(output), out written, ref MemoryMarshal.GetReference(ciphertext), ciphertext.Length) != 1)
                return false;
        }
        Span<byte> tagCopy = stackalloc byte[16];
        tag.CopyTo(tagCopy);
        if (SetTag(_ctx, CtrlAeadSetTag, 16, ref MemoryMarshal.GetReference(tagCopy)) != 1) return false;
        Span<byte> rest = stackalloc byte[32];
        return Final(_ctx, ref MemoryMarshal.GetReference(rest), out _) == 1 && written == ciphertext.Length;
    }

    private bool SetNonce(ReadOnlySpan<byte> nonce)
    {
        uint head = MemoryMarshal.Read<uint>(nonce);
        if (_gcm && _fixedState == 0)
        {
            Span<byte> fixedField = stackalloc byte[4];
            nonce[..4].CopyTo(fixedField);
            _fixedState = Control(_ctx, CtrlGcmSetIvFixed, 4, ref MemoryMarshal.GetReference(fixedField)) == 1 ? (byte)1 : (byte)2;
            _fixed = head;
        }
        if (_fixedState == 1 && head == _fixed)
        {
            Span<byte> invocation = stackalloc byte[8];
            nonce[4..].CopyTo(invocation);
            if (Control(_ctx, CtrlGcmSetIvInvocation, 8, ref MemoryMarshal.GetReference(invocation)) == 1) return true;
            _fixedState = 2;
        }
        // A whole nonce overwrites the fixed field: set it again at the next record.
        if (_fixedState == 1) _fixedState = 0;
        return InitNonce(_ctx, IntPtr.Zero, IntPtr.Zero, ref MemoryMarshal.GetReference(nonce), IntPtr.Zero) == 1;
    }

    public void Dispose()
    {
        if (_ctx == IntPtr.Zero) return;
        Return(_cipher, _ctx);
        _ctx = IntPtr.Zero;
        GC.SuppressFinalize(this);
    }

    ~NativeAead()
    {
        if (_ctx != IntPtr.Zero) EVP_CIPHER_CTX_free(_ctx);
    }
}
