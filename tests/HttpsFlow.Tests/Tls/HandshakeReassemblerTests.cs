using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Handshake;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// Handshake messages out of handshake records (RFC 8446 §5.1: coalesced into one record or fragmented across
/// several), with the Info texts tshark 4.0 derives from them, including "Encrypted Handshake Message".
/// </summary>
public class HandshakeReassemblerTests
{
    /// <summary>Both directions of a connection, fed frame by frame; a ServerHello sets the connection's version as tshark does.</summary>
    private sealed class Connection
    {
        public DirectionDriver Client { get; } = new();
        public DirectionDriver Server { get; } = new();
        private ulong _clientOffset, _serverOffset;

        public Connection()
        {
            Client.OnVersion = v => Server.Parser.NegotiatedVersion = v;
            Server.OnVersion = v => Client.Parser.NegotiatedVersion = v;
        }

        public void Feed(SamplePayload p)
        {
            var d = p.FromClient ? Client : Server;
            ref ulong offset = ref p.FromClient ? ref _clientOffset : ref _serverOffset;
            d.Parser.Feed(p.Bytes, offset, p.Frame);
            offset += (ulong)p.Bytes.Length;
        }

        public Dictionary<long, string> Info()
        {
            var all = new Dictionary<long, string>();
            foreach (var (k, v) in Client.InfoByFrame()) all[k] = v;
            foreach (var (k, v) in Server.InfoByFrame()) all[k] = v;
            return all;
        }
    }

    /// <summary>The Info column of the TLS lines of a golden tshark list (tests/golden/NAME.list.txt).</summary>
    private static Dictionary<long, string> GoldenTlsInfo(string name)
    {
        var result = new Dictionary<long, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(Repo.Golden, name + ".list.txt")))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // "N time src → dst PROTO len info..."
            if (parts.Length < 8 || !(parts[5].StartsWith("TLS", StringComparison.Ordinal) || parts[5].StartsWith("SSL", StringComparison.Ordinal))) continue;
            result[long.Parse(parts[0])] = string.Join(' ', parts[7..]);
        }
        return result;
    }

    [Theory]
    [InlineData("test-site-tls12.pcapng")]
    [InlineData("tls13.pcapng")]
    public void TheInfoColumnOfTheSamplesIsTsharks(string sample)
    {
        var capture = sample.StartsWith("tls13", StringComparison.Ordinal) ? TlsSamples.Tls13 : TlsSamples.Tls12;
        var connection = new Connection();
        foreach (var p in capture) connection.Feed(p);

        Assert.Equal(GoldenTlsInfo(sample).OrderBy(kv => kv.Key), connection.Info().OrderBy(kv => kv.Key));
    }

    [Fact]
    public void TheTls12ServerFlightIsFourMessagesFromOneFrame()
    {
        var d = new DirectionDriver();
        d.Parser.Feed(TlsSamples.Frame(TlsSamples.Tls12, 6).Bytes, 0, 6);

        Assert.Equal(
        [
            "Message ServerHello 80 first=True f6 [6] info=Server Hello",
            "Message Certificate 1842 first=True f6 [6] info=Certificate",
            "Message ServerKeyExchange 296 first=True f6 [6] info=Server Key Exchange",
            "Message ServerHelloDone 0 first=True f6 [6] info=Server Hello Done",
        ], d.Handshakes.Events.Select(e => e.ToString()));
        // Each message's stream range is inside its record (after the five-byte header).
        Assert.Equal([5UL, 94UL, 1945UL, 2250UL], d.Handshakes.Events.Select(e => e.StreamOffset));
        Assert.Equal([[0UL], [89UL], [1940UL], [2245UL]], d.Handshakes.Events.Select(e => e.Records));
    }

    [Fact]
    public void AFinishedAfterChangeCipherSpecInTheSameFrameIsEncryptedBecauseItsTypeIsUnknown()
    {
        // Frame 8 of the TLS 1.2 sample: ClientKeyExchange, ChangeCipherSpec, then the encrypted Finished, whose first
        // byte (0x6c) is no handshake type. The ChangeCipherSpec is in the same frame, so it does not count yet.
        var d = new DirectionDriver();
        d.Parser.Feed(TlsSamples.Frame(TlsSamples.Tls12, 8).Bytes, 517, 8);

        Assert.Equal(["Client Key Exchange", "Change Cipher Spec", "Encrypted Handshake Message"], d.Info.Select(i => i.Text));
        Assert.Equal(8, d.Reassembler.ChangeCipherSpecFrame);
        var encrypted = d.Handshakes.Events[1];
        Assert.Equal((HandshakeEventKind.Encrypted, 40), (encrypted.Kind, encrypted.Message.Length));
    }

    // ---- the encryption heuristic (is_encrypted_handshake_message) ----

    [Theory]
    [InlineData("fewer than 16 bytes are plaintext whatever they hold", "6c000000 0000000000000000000000", 5, 0, false)]
    [InlineData("a GCM explicit nonce of zero", "0000000000 00000000000000000000aa", 5, 0, true)]
    [InlineData("an unknown first byte", "6c000000 000000000000000000000000", 5, 0, true)]
    [InlineData("a known type claiming 64 KiB or more", "0b010000 000000000000000000000000", 5, 0, true)]
    [InlineData("a plausible certificate header", "0b00fff0 000000000000000000000000", 5, 0, false)]
    [InlineData("after this direction's ChangeCipherSpec in an earlier frame", "14000020 000000000000000000000000", 5, 4, true)]
    [InlineData("ChangeCipherSpec in the same frame does not count", "14000020 000000000000000000000000", 5, 5, false)]
    public void TheEncryptionHeuristicIsTsharks(string name, string fragment, long frame, long ccsFrame, bool encrypted)
    {
        _ = name;
        Assert.Equal(encrypted, HandshakeReassembler.LooksEncrypted(Hex.Parse(fragment), true, frame, ccsFrame));
        if (encrypted && ccsFrame == 0 && fragment.StartsWith("00", StringComparison.Ordinal))
            Assert.False(HandshakeReassembler.LooksEncrypted(Hex.Parse(fragment), false, frame, ccsFrame));
    }

    // ---- several messages in one record, one message in several records ----

    private static byte[] Concat(params string[] hex) => hex.SelectMany(Rfc8448.Bytes).ToArray();

    private static void AddFragment(HandshakeReassembler r, HandshakeCollector sink, byte[] fragment, ulong recordOffset, long frame) =>
        r.Add(fragment, recordOffset + 5, recordOffset, frame, default, sink);

    [Fact]
    public void CoalescedMessagesAreReportedInOrderAndOnlyTheFirstNamesAnUnknownType()
    {
        // RFC 8448 §3's server flight after the ServerHello, as if it were sent in one plaintext record, then a
        // message of unknown type 0x63 last in the record.
        var fragment = Concat(Rfc8448.EncryptedExtensions, Rfc8448.Certificate, Rfc8448.CertificateVerify, Rfc8448.ServerFinished, "63000001ff");
        var r = new HandshakeReassembler();
        var sink = new HandshakeCollector();
        AddFragment(r, sink, fragment, 0, 3);

        Assert.Equal(
            [TlsHandshakeType.EncryptedExtensions, TlsHandshakeType.Certificate, TlsHandshakeType.CertificateVerify, TlsHandshakeType.Finished, (TlsHandshakeType)0x63],
            sink.Events.Select(e => e.Type));
        Assert.Equal([true, false, false, false, false], sink.Events.Select(e => e.IsFirst));
        Assert.Equal(["Encrypted Extensions", "Certificate", "Certificate Verify", "Finished", null], sink.Events.Select(e => e.Info));
        Assert.Equal(Rfc8448.Bytes(Rfc8448.Certificate), sink.Events[1].Message);
    }

    [Fact]
    public void AMessageSplitAcrossThreeRecordsIsReassembledInTheLast()
    {
        var hello = Rfc8448.Bytes(Rfc8448.ClientHello);   // 196 bytes
        var r = new HandshakeReassembler();
        var sink = new HandshakeCollector();
        AddFragment(r, sink, hello[..50], 0, 1);
        Assert.True(r.InProgress);
        AddFragment(r, sink, hello[50..120], 55, 2);
        AddFragment(r, sink, hello[120..], 130, 3);

        Assert.Equal(
        [
            "FragmentStart ClientHello 192 first=True f1 [1] info=[Client Hello Fragment]",
            "FragmentContinue ClientHello 192 first=False f2 [1,2] info=-",
            "Message ClientHello 192 first=True f3 [1,2,3] info=Client Hello",
        ], sink.Events.Select(e => e.ToString()));
        var message = sink.Events[2];
        Assert.Equal(hello, message.Message);
        Assert.Equal([0UL, 55UL, 130UL], message.Records);
        Assert.Equal((5UL, 211UL), (message.StreamOffset, message.EndOffset));
        Assert.False(r.InProgress);
        Assert.Equal(0, r.BufferedBytes);
    }

    [Fact]
    public void AHeaderSplitAcrossRecordsIsCompletedFromTheNext()
    {
        var finished = Rfc8448.Bytes(Rfc8448.ServerFinished);
        var r = new HandshakeReassembler();
        var sink = new HandshakeCollector();
        AddFragment(r, sink, finished[..2], 0, 1);                          // type and one length byte
        AddFragment(r, sink, finished[2..].Concat(Rfc8448.Bytes(Rfc8448.EndOfEarlyData)).ToArray(), 7, 2);

        Assert.Equal(
        [
            "FragmentStart Finished -1 first=True f1 [1] info=[Finished Fragment]",
            "Message Finished 32 first=True f2 [1,2] info=Finished",
            "Message EndOfEarlyData 0 first=False f2 [2] info=End of Early Data",
        ], sink.Events.Select(e => e.ToString()));
    }

    [Fact]
    public void AFragmentOfAMessageThatIsNotFirstInItsRecordAddsNothingToInfo()
    {
        var hello = Rfc8448.Bytes(Rfc8448.ServerHello);
        var r = new HandshakeReassembler();
        var sink = new HandshakeCollector();
        AddFragment(r, sink, Rfc8448.Bytes(Rfc8448.EndOfEarlyData).Concat(hello[..10]).ToArray(), 0, 1);

        Assert.Equal(["End of Early Data", null], sink.Events.Select(e => e.Info));
        Assert.Equal(HandshakeEventKind.FragmentStart, sink.Events[1].Kind);
    }

    [Fact]
    public void AHelloRetryRequestFirstInItsRecordIsNamedSo()
    {
        var r = new HandshakeReassembler();
        var sink = new HandshakeCollector();
        AddFragment(r, sink, Rfc8448.Bytes(Rfc8448.HelloRetryRequest), 0, 1);
        AddFragment(r, sink, Concat(Rfc8448.EndOfEarlyData, Rfc8448.HelloRetryRequest), 200, 2);

        Assert.Equal(["Hello Retry Request", "End of Early Data", "Server Hello"], sink.Events.Select(e => e.Info));
        Assert.True(sink.Events[0].IsHrr);
    }

    [Fact]
    public void AReassembledHelloRetryRequestIsNamedSo()
    {
        var hrr = Rfc8448.Bytes(Rfc8448.HelloRetryRequest);
        var r = new HandshakeReassembler();
        var sink = new HandshakeCollector();
        AddFragment(r, sink, hrr[..100], 0, 1);
        AddFragment(r, sink, hrr[100..], 105, 2);

        Assert.Equal(new[] { "[Server Hello Fragment]", "Hello Retry Request" }, sink.Infos().Select(i => i!));
    }

    // ---- limits and missing bytes ----

    [Fact]
    public void AMessageOverTheLimitIsSkippedWithANoteAndStillNamed()
    {
        var cert = Rfc8448.Bytes(Rfc8448.Certificate);   // 441-byte body
        var r = new HandshakeReassembler(maxMessageLength: 100);
        var sink = new HandshakeCollector();
        AddFragment(r, sink, cert[..200], 0, 1);
        AddFragment(r, sink, cert[200..].Concat(Rfc8448.Bytes(Rfc8448.ServerFinished)).ToArray(), 205, 2);

        Assert.Equal(
        [
            "FragmentStart Certificate 441 first=True f1 [1] info=[Certificate Fragment]",
            "Skipped Certificate 441 first=True f2 [1,2] info=Certificate",
            "Message Finished 32 first=False f2 [2] info=Finished",
        ], sink.Events.Select(e => e.ToString()));
        Assert.Equal(TlsNoteKeys.HandshakeTooLarge, Assert.Single(sink.Notes).Note.Key);
        Assert.Equal(0, r.BufferedBytes);
    }

    [Fact]
    public void AMessageOverTheLimitWhoseHeaderWasSplitIsSkippedToo()
    {
        var cert = Rfc8448.Bytes(Rfc8448.Certificate);
        var r = new HandshakeReassembler(maxMessageLength: 100);
        var sink = new HandshakeCollector();
        AddFragment(r, sink, cert[..3], 0, 1);
        AddFragment(r, sink, cert[3..300], 8, 2);
        AddFragment(r, sink, cert[300..], 310, 3);

        Assert.Equal([HandshakeEventKind.FragmentStart, HandshakeEventKind.FragmentContinue, HandshakeEventKind.Skipped],
            sink.Events.Select(e => e.Kind));
        Assert.Single(sink.Notes);
        Assert.False(r.InProgress);
    }

    [Fact]
    public void ResetDropsTheMessageInProgressWithANote()
    {
        var hello = Rfc8448.Bytes(Rfc8448.ClientHello);
        var r = new HandshakeReassembler();
        var sink = new HandshakeCollector();
        AddFragment(r, sink, hello[..50], 0, 1);
        r.Reset(60, 2, sink);
        AddFragment(r, sink, Rfc8448.Bytes(Rfc8448.ServerFinished), 100, 3);

        Assert.False(r.InProgress);
        Assert.Equal(TlsNoteKeys.Incomplete, Assert.Single(sink.Notes).Note.Key);
        Assert.Contains("50 of 196 bytes", sink.Notes[0].Note.Message);
        Assert.Equal("Finished", sink.Events[^1].Info);
    }

    [Fact]
    public void RandomFragmentsNeverThrow()
    {
        for (int seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            var r = new HandshakeReassembler(maxMessageLength: random.Next(0, 3) == 0 ? 64 : HandshakeReassembler.DefaultMaxMessageLength);
            var sink = new HandshakeCollector();
            for (int i = 0; i < 20; i++)
            {
                var fragment = new byte[random.Next(0, 80)];
                random.NextBytes(fragment);
                if (fragment.Length > 4 && random.Next(2) == 0)
                {
                    fragment[0] = (byte)random.Next(0, 25);
                    fragment[1] = 0;
                    fragment[2] = (byte)random.Next(0, 2);
                }
                AddFragment(r, sink, fragment, (ulong)(i * 100), i);
                if (random.Next(10) == 0) r.OnChangeCipherSpec(i);
            }
            r.Reset(10_000, 99, sink);
            Assert.Equal(0, r.BufferedBytes);
        }
    }
}
