using System.Buffers.Binary;
using System.Security.Cryptography;
using HttpsFlow.Decryption;
using HttpsFlow.Output;

namespace HttpsFlow.Tests.Decryption;

/// <summary>
/// <see cref="RecordVerifier"/> opens on its thread the records the list only counts: every record is checked, in
/// order, through many more records than its queue and byte ring hold at once; a record that does not open as assumed
/// (a changed byte, TLS 1.3 padding, another inner type) is reported and nothing after it counts as reached.
/// </summary>
public class RecordVerifierTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
    private static readonly byte[] Iv = Enumerable.Range(40, 12).Select(i => (byte)i).ToArray();

    /// <summary>A TLS 1.2 AES-128-GCM record (RFC 5288): header, explicit nonce, ciphertext, tag.</summary>
    private static byte[] Tls12Record(ulong sequence, byte[] plaintext)
    {
        var record = new byte[5 + 8 + plaintext.Length + 16];
        record[0] = 23; record[1] = 3; record[2] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(3), (ushort)(record.Length - 5));
        BinaryPrimitives.WriteUInt64BigEndian(record.AsSpan(5), sequence + 1000); // any explicit nonce
        var nonce = new byte[12];
        Iv.AsSpan(0, 4).CopyTo(nonce);
        record.AsSpan(5, 8).CopyTo(nonce.AsSpan(4));
        var aad = new byte[13];
        BinaryPrimitives.WriteUInt64BigEndian(aad, sequence);
        aad[8] = 23; aad[9] = 3; aad[10] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(aad.AsSpan(11), (ushort)plaintext.Length);
        using var gcm = new AesGcm(Key, 16);
        gcm.Encrypt(nonce, plaintext, record.AsSpan(13, plaintext.Length), record.AsSpan(13 + plaintext.Length, 16), aad);
        return record;
    }

    /// <summary>A TLS 1.3 record (RFC 8446 §5.2) of <paramref name="innerType"/> with <paramref name="padding"/> zeros.</summary>
    private static byte[] Tls13Record(ulong sequence, byte[] plaintext, byte innerType = 23, int padding = 0)
    {
        var inner = new byte[plaintext.Length + 1 + padding];
        plaintext.CopyTo(inner, 0);
        inner[plaintext.Length] = innerType;
        var record = new byte[5 + inner.Length + 16];
        record[0] = 23; record[1] = 3; record[2] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(3), (ushort)(record.Length - 5));
        var nonce = (byte[])Iv.Clone();
        for (int i = 0; i < 8; i++) nonce[4 + i] ^= (byte)(sequence >> (56 - 8 * i));
        using var gcm = new AesGcm(Key, 16);
        gcm.Encrypt(nonce, inner, record.AsSpan(5, inner.Length), record.AsSpan(5 + inner.Length, 16), record.AsSpan(0, 5));
        return record;
    }

    private static AeadCipher Cipher(ushort suite) => new(CipherSpec.For(suite, out _)!, Key, Iv);

    private static byte[] Data(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Theory]
    [InlineData(0xC02F)] // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    [InlineData(0x1301)] // TLS_AES_128_GCM_SHA256
    public void Opens_every_record_in_order_through_more_than_its_queue_and_ring_hold(ushort suite)
    {
        using var verifier = new RecordVerifier();
        var cipher = Cipher(suite);
        bool tls13 = suite == 0x1301;
        // 6,000 records of up to 2 KiB: more than the 4,096 queue slots and several turns of the 2 MiB byte ring.
        for (int i = 0; i < 6000; i++)
        {
            var data = Data(1 + (i * 37) % 2048, i);
            var record = tls13 ? Tls13Record((ulong)i, data) : Tls12Record((ulong)i, data);
            Assert.True(cipher.TryPlainLength(record.Length - 5, out int assumed));
            Assert.Equal(data.Length, assumed);
            verifier.Submit(cipher, record, (ulong)i, assumed, frame: i + 1);
            if (i % 1000 == 999)
            {
                // A key change: the worker drops its copy of the old key after the records before.
                cipher.Dispose();
                cipher = Cipher(suite);
            }
        }
        Assert.True(verifier.Mark >= 6000);
        verifier.WaitUntil(verifier.Mark);
        Assert.Equal(verifier.Mark, verifier.Reached);
        Assert.Equal(-1, verifier.FailedFrame);
        cipher.Dispose();
    }

    [Fact]
    public void A_changed_byte_stops_the_reached_count_before_its_record()
    {
        using var verifier = new RecordVerifier();
        using var cipher = Cipher(0xC02F);
        for (int i = 0; i < 50; i++)
        {
            var record = Tls12Record((ulong)i, Data(300, i));
            if (i == 30) record[100] ^= 1;
            verifier.Submit(cipher, record, (ulong)i, 300, frame: 100 + i);
        }
        verifier.WaitUntil(30); // the records before it opened
        var e = Assert.Throws<SpeculationFailedException>(() => verifier.WaitUntil(31));
        Assert.Equal(130, e.Frame);
        Assert.Equal(30, verifier.Reached);
        Assert.Throws<SpeculationFailedException>(verifier.Drain);
    }

    [Theory]
    [InlineData(23, 5)]  // application data with padding: its length is not the one assumed
    [InlineData(22, 0)]  // a handshake message (a NewSessionTicket in the middle of a body)
    [InlineData(21, 0)]  // an alert
    public void A_tls13_record_that_is_not_unpadded_application_data_is_not_as_assumed(byte innerType, int padding)
    {
        using var verifier = new RecordVerifier();
        using var cipher = Cipher(0x1301);
        var data = Data(200, 1);
        verifier.Submit(cipher, Tls13Record(0, data), 0, 200, frame: 7);
        var odd = Tls13Record(1, data, innerType, padding);
        Assert.True(cipher.TryPlainLength(odd.Length - 5, out int assumed));
        verifier.Submit(cipher, odd, 1, assumed, frame: 8);
        verifier.WaitUntil(1);
        var e = Assert.Throws<SpeculationFailedException>(verifier.Drain);
        Assert.Equal(8, e.Frame);
    }

    [Fact]
    public void A_wrong_sequence_number_fails_as_a_wrong_key_would()
    {
        using var verifier = new RecordVerifier();
        using var cipher = Cipher(0x1301);
        verifier.Submit(cipher, Tls13Record(5, Data(64, 2)), 6, 64, frame: 3);
        Assert.Throws<SpeculationFailedException>(verifier.Drain);
    }
}

/// <summary><see cref="TextSink.HoldFor"/>: lines leave only once the gate has reached the mark they were made at.</summary>
public class TextSinkGateTests
{
    private sealed class Gate : IOutputGate
    {
        public long Mark { get; set; }
        public long Reached { get; set; }
        public List<long> Waits { get; } = [];
        public bool Fail { get; set; }

        public void WaitUntil(long mark)
        {
            Waits.Add(mark);
            if (Reached >= mark) return;
            if (Fail) throw new SpeculationFailedException(-1, null);
            Reached = mark;
        }
    }

    [Fact]
    public void Lines_wait_for_their_marks_and_leave_in_order()
    {
        var output = new MemoryStream();
        var gate = new Gate();
        var sink = new TextSink(output, bufferBytes: 1024);
        sink.HoldFor(gate, bufferBytes: 1024);
        var expected = new System.Text.StringBuilder();
        for (int i = 0; i < 2000; i++)
        {
            if (i % 3 == 0) gate.Mark++;
            // The gate lags the marks by about 40 lines' worth.
            if (gate.Mark > 15) gate.Reached = Math.Max(gate.Reached, gate.Mark - 15);
            string line = $"line {i} mark {gate.Mark}";
            sink.Append(line).EndLine();
            expected.Append(line).Append('\n');
            // Nothing written whose mark the gate has not reached.
            string written = System.Text.Encoding.UTF8.GetString(output.ToArray());
            if (written.Length > 0)
            {
                var last = written.TrimEnd('\n').Split('\n')[^1];
                Assert.True(long.Parse(last.Split(' ')[^1]) <= gate.Reached, last);
            }
        }
        Assert.True(output.Length > 0);
        sink.Flush();
        Assert.Equal(expected.ToString(), System.Text.Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(output.Length, sink.BytesWritten);
        Assert.Equal(gate.Mark, gate.Waits[^1]);
    }

    [Fact]
    public void A_failed_gate_keeps_its_lines_back_and_discard_drops_them()
    {
        var output = new MemoryStream();
        var gate = new Gate { Fail = true };
        var sink = new TextSink(output, bufferBytes: 256);
        sink.HoldFor(gate, bufferBytes: 256);
        sink.Append("before").EndLine();
        gate.Mark = 1;
        Assert.Throws<SpeculationFailedException>(() =>
        {
            for (int i = 0; i < 100; i++) sink.Append($"after {i}").EndLine();
        });
        // "before" was made at mark 0, which is always reached: it may be written; nothing made after mark 1 is.
        string written = System.Text.Encoding.UTF8.GetString(output.ToArray());
        Assert.DoesNotContain("after", written);
        Assert.Equal(output.Length, sink.BytesWritten);
        sink.Discard();
        sink.Flush();
        Assert.Equal(written, System.Text.Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public void Skip_bytes_stream_drops_exactly_the_bytes_already_written()
    {
        var output = new MemoryStream();
        var skip = new SkipBytesStream(output, 7);
        skip.Write("abc"u8);
        skip.Write("defghij"u8);
        skip.Write("k"u8);
        Assert.Equal("hijk", System.Text.Encoding.ASCII.GetString(output.ToArray()));
    }
}
