using HttpsFlow.Common;
using HttpsFlow.Tcp.Reassembly;
using HttpsFlow.Tests.TestSupport;
using HttpsFlow.Tls;
using HttpsFlow.Tls.Records;

namespace HttpsFlow.Tests.Tls;

/// <summary>
/// The record layer (RFC 8446 §5.1, RFC 5246 §6.2.1, SSL 2.0 records per RFC 5246 Appendix E.2): records cut out of a
/// direction's byte stream however it arrives, with the frames that carried them, the length checks tshark makes,
/// and the handling of bytes that are not records.
/// </summary>
public class TlsRecordParserTests
{
    private static (TlsRecordParser Parser, RecordCollector Sink) New(ushort negotiatedVersion = 0)
    {
        var sink = new RecordCollector();
        return (new TlsRecordParser(sink) { NegotiatedVersion = negotiatedVersion }, sink);
    }

    private static RecordCollector FeedFrames(SamplePayload[] capture, bool fromClient, ushort negotiatedVersion = 0)
    {
        var (parser, sink) = New(negotiatedVersion);
        ulong offset = 0;
        foreach (var p in capture.Where(p => p.FromClient == fromClient))
        {
            parser.Feed(p.Bytes, offset, p.Frame);
            offset += (ulong)p.Bytes.Length;
        }
        parser.End(offset, 99);
        return sink;
    }

    // ---- the bundled captures, record by record as tshark lists them (tls.record.content_type, tls.record.length) ----

    [Fact]
    public void Tls12ClientRecordsAreTsharks()
    {
        var sink = FeedFrames(TlsSamples.Tls12, fromClient: true);

        Assert.Equal(
        [
            "22/0301/512@0 f4 [4]",
            "22/0303/37@517 f8 [8]", "20/0303/1@559 f8 [8]", "22/0303/40@565 f8 [8]",
            "23/0303/119@610 f10 [10]",
            "21/0303/26@734 f12 [12]",
        ], sink.Describe());
        Assert.Empty(sink.Notes);
    }

    [Fact]
    public void Tls12ServerRecordsAreTsharks()
    {
        var sink = FeedFrames(TlsSamples.Tls12, fromClient: false);

        Assert.Equal(
        [
            "22/0303/84@0 f6 [6]", "22/0303/1846@89 f6 [6]", "22/0303/300@1940 f6 [6]", "22/0303/4@2245 f6 [6]",
            "22/0303/234@2254 f9 [9]", "20/0303/1@2493 f9 [9]", "22/0303/40@2499 f9 [9]",
            "23/0303/262@2544 f11 [11]",
        ], sink.Describe());
    }

    [Fact]
    public void Tls13ServerRecordsAreTsharks()
    {
        var sink = FeedFrames(TlsSamples.Tls13, fromClient: false);

        // tshark: frame 6 122,1,23,1868,281,69; frames 9, 10 250; 13 4479; 14 19.
        Assert.Equal(
            [122, 1, 23, 1868, 281, 69, 250, 250, 4479, 19],
            sink.Records.Select(r => r.Length));
        Assert.Equal([6L, 6, 6, 6, 6, 6, 9, 10, 13, 14], sink.Records.Select(r => r.Frame));
        Assert.Equal(
            [TlsContentType.Handshake, TlsContentType.ChangeCipherSpec, TlsContentType.ApplicationData],
            sink.Records.Take(3).Select(r => r.ContentType));
    }

    [Fact]
    public void Tls13ClientRecordsAreTsharks()
    {
        var sink = FeedFrames(TlsSamples.Tls13, fromClient: true);

        Assert.Equal([251, 1, 69, 35, 19], sink.Records.Select(r => r.Length));
        Assert.Equal([4L, 8, 8, 12, 16], sink.Records.Select(r => r.Frame));
    }

    // ---- however the stream is cut, the same records ----

    public static TheoryData<string, bool> Directions => new()
    {
        { "tls12", true }, { "tls12", false }, { "tls13", true }, { "tls13", false },
    };

    private static SamplePayload[] Capture(string name) => name == "tls12" ? TlsSamples.Tls12 : TlsSamples.Tls13;

    [Theory]
    [MemberData(nameof(Directions))]
    public void FeedingByteByByteGivesTheSameRecords(string capture, bool fromClient)
    {
        var expected = FeedFrames(Capture(capture), fromClient);
        var stream = TlsSamples.Stream(Capture(capture), fromClient);
        var (parser, sink) = New();
        for (int i = 0; i < stream.Length; i++) parser.Feed(stream.AsSpan(i, 1), (ulong)i, 1000 + i);

        Assert.Equal(expected.Records.Select(r => (r.ContentType, r.Length, r.StreamOffset, r.Hex)),
            sink.Records.Select(r => (r.ContentType, r.Length, r.StreamOffset, r.Hex)));
        // Every byte of a record came in its own frame; the record completes in the frame of its last byte.
        foreach (var r in sink.Records)
        {
            Assert.Equal(5 + r.Length, r.Frames.Length);
            Assert.Equal(1000 + (long)r.StreamOffset + 5 + r.Length - 1, r.Frame);
        }
        Assert.Equal(0, parser.BufferedBytes);
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public void FeedingInRandomChunksGivesTheSameRecords(string capture, bool fromClient)
    {
        var expected = FeedFrames(Capture(capture), fromClient);
        var stream = TlsSamples.Stream(Capture(capture), fromClient);
        for (int seed = 1; seed <= 25; seed++)
        {
            var random = new Random(seed);
            var (parser, sink) = New();
            int pos = 0;
            long frame = 0;
            while (pos < stream.Length)
            {
                int n = Math.Min(stream.Length - pos, random.Next(1, seed % 3 == 0 ? 8 : 700));
                parser.Feed(stream.AsSpan(pos, n), (ulong)pos, ++frame);
                pos += n;
            }
            Assert.Equal(expected.Records.Select(r => r.Hex), sink.Records.Select(r => r.Hex));
            Assert.Equal(expected.Records.Select(r => r.StreamOffset), sink.Records.Select(r => r.StreamOffset));
            Assert.Empty(sink.Notes);
        }
    }

    [Fact]
    public void ARecordSplitAcrossFramesNamesEveryFrameAndCompletesInTheLast()
    {
        // The server's first flight (frame 6 of the TLS 1.2 sample), cut inside the Certificate record.
        var bytes = TlsSamples.Frame(TlsSamples.Tls12, 6).Bytes;
        var (parser, sink) = New();
        parser.Feed(bytes.AsSpan(0, 1000), 0, 21);
        Assert.Single(sink.Records);
        Assert.Equal(1000 - 89, parser.BufferedBytes);
        parser.Feed(bytes.AsSpan(1000, 500), 1000, 22);
        parser.Feed(bytes.AsSpan(1500), 1500, 23);

        Assert.Equal(
            ["22/0303/84@0 f21 [21]", "22/0303/1846@89 f23 [21,22,23]", "22/0303/300@1940 f23 [23]", "22/0303/4@2245 f23 [23]"],
            sink.Describe());
        Assert.Equal(0, parser.BufferedBytes);
    }

    [Fact]
    public void AHeaderSplitOneByteAtATimeIsJoined()
    {
        var record = Hex.Parse("15 0303 0002 0228");
        var (parser, sink) = New();
        parser.Feed(record.AsSpan(0, 1), 0, 1);
        parser.Feed(record.AsSpan(1, 1), 1, 2);
        parser.Feed(record.AsSpan(2, 2), 2, 3);
        parser.Feed(record.AsSpan(4, 3), 4, 4);

        Assert.Equal(["21/0303/2@0 f4 [1,2,3,4]"], sink.Describe());
        Assert.Equal("Alert (Level: Fatal, Description: Handshake Failure)", TlsAlert.Parse(sink.Records[0].Fragment(5)).InfoText);
    }

    [Fact]
    public void RecordsDeliveredThroughTheStreamReassemblerKeepTheirFrames()
    {
        // Frame 6's payload as three segments that arrive out of order: 2, 3, then 1.
        var bytes = TlsSamples.Frame(TlsSamples.Tls12, 6).Bytes;
        var sink = new RecordCollector();
        using var parser = new TlsRecordParser(sink);
        using var reassembler = new StreamReassembler(null, parser);
        var t = new Timestamp(1_700_000_000, 0);
        reassembler.Add(999, default, true, false, 1, t);
        reassembler.Add(1000 + 700, bytes.AsSpan(700, 800), false, false, 2, t);
        reassembler.Add(1000 + 1500, bytes.AsSpan(1500), false, false, 3, t);
        Assert.Empty(sink.Records);
        reassembler.Add(1000, bytes.AsSpan(0, 700), false, false, 4, t);

        Assert.Equal(
            ["22/0303/84@0 f4 [4]", "22/0303/1846@89 f4 [4,2,3]", "22/0303/300@1940 f4 [3]", "22/0303/4@2245 f4 [3]"],
            sink.Describe());
    }

    // ---- SSL 2.0 ----

    // RFC 5246 Appendix E.2: msg_length 0x802c, client hello, version 3.1, one cipher spec (0x00002f =
    // TLS_RSA_WITH_AES_128_CBC_SHA), no session ID, a 32-byte challenge.
    private const string Ssl2ClientHelloHex = "802c 01 0301 0003 0000 0020 00002f " +
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    [Fact]
    public void AnSsl2CompatibleClientHelloIsAnSsl2Record()
    {
        var (parser, sink) = New();
        var bytes = Hex.Parse(Ssl2ClientHelloHex + " 16 0303 0001 00");
        parser.Feed(bytes, 0, 1);

        Assert.Equal(2, sink.Records.Count);
        var v2 = sink.Records[0];
        Assert.Equal((TlsRecordKind.Ssl2, TlsVersion.Ssl2, 44), (v2.Kind, v2.Version, v2.Length));
        Assert.Equal(TlsRecordKind.Tls, sink.Records[1].Kind);
    }

    [Fact]
    public void AnSsl2ClientHelloIsRecognisedEvenInAKnownTls12Connection()
    {
        var (parser, sink) = New(TlsVersion.Tls12);
        parser.Feed(Hex.Parse(Ssl2ClientHelloHex), 0, 1);

        Assert.Equal(TlsRecordKind.Ssl2, Assert.Single(sink.Records).Kind);
    }

    // ---- lengths tshark checks (ssl_check_record_length) ----

    [Theory]
    [InlineData("an application data record one byte over 2^14 + 2048", "17 0303 4801", 0, "TLSCiphertext length MUST NOT exceed 2^14 + 2048")]
    [InlineData("a TLS 1.3 record one byte over 2^14 + 256", "17 0303 4101", TlsVersion.Tls13, "TLSCiphertext length MUST NOT exceed 2^14 + 256")]
    [InlineData("an empty handshake record", "16 0303 0000", 0, "Zero-length Handshake fragments are not allowed")]
    [InlineData("an empty alert record", "15 0303 0000", TlsVersion.Tls12, "Zero-length Alert fragments are not allowed")]
    [InlineData("an empty change_cipher_spec record", "14 0303 0000", TlsVersion.Tls12, "Zero-length Change Cipher Spec fragments are not allowed")]
    public void RecordLengthsOutOfBoundsAreNotedAndTheRecordStillDelivered(string name, string header, ushort version, string message)
    {
        _ = name;
        var (parser, sink) = New(version);
        var h = Hex.Parse(header);
        int length = h[3] << 8 | h[4];
        var bytes = h.Concat(new byte[length]).ToArray();
        parser.Feed(bytes, 0, 7);

        var record = Assert.Single(sink.Records);
        Assert.Equal(length, record.Length);
        var note = Assert.Single(sink.Notes);
        Assert.Equal((TlsNoteKeys.RecordLengthInvalid, message, 0UL, 7L), (note.Note.Key, note.Note.Message, note.StreamOffset, note.Frame));
        Assert.Equal((3, 2), (note.Note.Offset, note.Note.Length));
    }

    [Fact]
    public void TheLargestRecordTheLengthFieldAllowsIsBufferedAndDelivered()
    {
        var bytes = Hex.Parse("17 0303 ffff").Concat(new byte[0xffff]).ToArray();
        var (parser, sink) = New();
        for (int i = 0; i < bytes.Length; i += 1000) parser.Feed(bytes.AsSpan(i, Math.Min(1000, bytes.Length - i)), (ulong)i, i);

        Assert.Equal(0xffff, Assert.Single(sink.Records).Length);
        Assert.Equal(TlsRecordParser.MaxBufferedBytes, bytes.Length);
        Assert.Equal(0, parser.BufferedBytes);
    }

    // ---- bytes that are not records ----

    [Fact]
    public void ClearTextAtTheStartOfAChunkIsNotTls()
    {
        var (parser, sink) = New();
        parser.Feed("GET / HTTP/1.1\r\n"u8, 0, 3);
        parser.Feed(Hex.Parse("15 0303 0002 0100"), 16, 4);

        Assert.Equal(["Unrecognised:PrintableText/16@0 f3 [3]", "21/0303/2@16 f4 [4]"], sink.Describe());
        Assert.Null(sink.Records[0].InfoUnknownVersion);
        Assert.Null(sink.Records[0].InfoTls12);
    }

    [Fact]
    public void AnUnknownContentTypeInATls12ConnectionIsAnIgnoredUnknownRecord()
    {
        var (parser, sink) = New(TlsVersion.Tls12);
        parser.Feed(Hex.Parse("63 0303 0002 0100 ffff"), 0, 5);

        var r = Assert.Single(sink.Records);
        Assert.Equal((TlsRecordKind.Unrecognised, TlsUnrecognisedReason.UnknownContentType, 9), (r.Kind, r.Reason, r.Length));
        Assert.Equal(TlsNames.IgnoredUnknownRecord, r.InfoTls12);
        Assert.Equal(TlsNames.ContinuationData, r.InfoUnknownVersion);
        Assert.Equal(TlsNoteKeys.IgnoredUnknownRecord, Assert.Single(sink.Notes).Note.Key);
    }

    [Fact]
    public void BytesThatAreNotAHeaderBeforeTheVersionIsKnownAreContinuationData()
    {
        var (parser, sink) = New();
        parser.Feed(Hex.Parse("16 0909 0002 0100"), 0, 5);   // a handshake type but no plausible version
        parser.Feed(Hex.Parse("16 0301 0001 00"), 7, 6);      // the next chunk is tried afresh

        Assert.Equal(2, sink.Records.Count);
        Assert.Equal(TlsUnrecognisedReason.NotARecordHeader, sink.Records[0].Reason);
        Assert.Equal(TlsNames.ContinuationData, sink.Records[0].InfoUnknownVersion);
        Assert.Equal(TlsNames.ContinuationData, sink.Records[0].InfoTls12);
        Assert.Equal(TlsRecordKind.Tls, sink.Records[1].Kind);
    }

    [Fact]
    public void AHeaderSplitAcrossChunksThatTurnsOutNotToBeOneRunsToTheEndOfTheNextChunk()
    {
        var (parser, sink) = New();
        parser.Feed(Hex.Parse("16 09"), 0, 1);
        parser.Feed(Hex.Parse("09 0002 0100 aaaa"), 2, 2);
        parser.Feed(Hex.Parse("15 0303 0002 0100"), 9, 3);

        Assert.Equal(["Unrecognised:NotARecordHeader/9@0 f2 [1,2]", "21/0303/2@9 f3 [3]"], sink.Describe());
        Assert.Empty(sink.Gaps);
    }

    // ---- missing bytes and the end of the stream ----

    [Fact]
    public void AGapDropsTheRecordInProgressAndParsingResumesAtTheNextChunk()
    {
        var (parser, sink) = New(TlsVersion.Tls12);
        parser.Feed(Hex.Parse("17 0303 0010 0102"), 0, 1);     // 16-byte record, 2 bytes seen
        parser.Gap(7, 14, 2);                                   // the rest never comes
        parser.Feed(Hex.Parse("15 0303 0002 0100"), 21, 3);

        Assert.Equal(["21/0303/2@21 f3 [3]"], sink.Describe());
        Assert.Equal([(7UL, 14UL, 2L)], sink.Gaps);
        var note = Assert.Single(sink.Notes);
        Assert.Equal((TlsNoteKeys.Incomplete, 0UL), (note.Note.Key, note.StreamOffset));
        Assert.Contains("7 of 21 bytes", note.Note.Message);
    }

    [Fact]
    public void AChunkThatStartsPastTheExpectedOffsetIsAGap()
    {
        var (parser, sink) = New(TlsVersion.Tls12);
        parser.Feed(Hex.Parse("17 0303 0004 0102"), 0, 1);
        parser.Feed(Hex.Parse("17 0303 0001 ff"), 100, 2);

        Assert.Equal([(7UL, 93UL, 2L)], sink.Gaps);
        Assert.Equal(["23/0303/1@100 f2 [2]"], sink.Describe());
    }

    [Fact]
    public void BytesAlreadySeenAreIgnored()
    {
        var (parser, sink) = New();
        var bytes = Hex.Parse("15 0303 0002 0100 15 0303 0002 0100");
        parser.Feed(bytes.AsSpan(0, 9), 0, 1);
        parser.Feed(bytes.AsSpan(4), 4, 2);                    // overlaps 5 bytes already fed

        Assert.Equal(["21/0303/2@0 f1 [1]", "21/0303/2@7 f2 [1,2]"], sink.Describe());
    }

    [Fact]
    public void ARecordIncompleteAtTheEndOfTheStreamIsNoted()
    {
        var (parser, sink) = New();
        parser.Feed(Hex.Parse("16 0303 0100 01"), 0, 1);
        parser.End(6, 2);

        Assert.Empty(sink.Records);
        Assert.Contains("6 of 261 bytes", Assert.Single(sink.Notes).Note.Message);
        Assert.Equal(0, parser.BufferedBytes);
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        for (int seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var bytes = new byte[random.Next(0, 3000)];
            random.NextBytes(bytes);
            if (seed % 2 == 0 && bytes.Length > 0) bytes[0] = 0x16;
            var (parser, sink) = New((ushort)(seed % 4 == 0 ? 0 : 0x0303));
            int pos = 0;
            while (pos < bytes.Length)
            {
                int n = Math.Min(bytes.Length - pos, random.Next(1, 300));
                parser.Feed(bytes.AsSpan(pos, n), (ulong)pos, pos);
                pos += n;
            }
            parser.End((ulong)bytes.Length, 0);
            Assert.Equal(0, parser.BufferedBytes);
            Assert.Equal(bytes.Length, sink.Records.Sum(r => r.Hex.Length / 2) + PendingAtEnd(sink));
        }
    }

    // Bytes dropped at the end are reported in the incomplete note ("N of M bytes seen" or "N bytes seen").
    private static int PendingAtEnd(RecordCollector sink)
    {
        var note = sink.Notes.LastOrDefault(n => n.Note.Key == TlsNoteKeys.Incomplete);
        if (note.Note.Message is null) return 0;
        var text = note.Note.Message;
        int open = text.IndexOf('(');
        return int.Parse(text[(open + 1)..].Split(' ')[0]);
    }
}

/// <summary>The record and handshake layers allocate nothing per record once warmed up (STYLE: no allocation per packet).</summary>
public class TlsAllocationTests
{
    private sealed class Quiet : ITlsRecordSink, IHandshakeSink
    {
        public readonly HandshakeReassembler Reassembler = new();
        public int Records, Messages;

        public void OnRecord(in TlsRecord record)
        {
            Records++;
            if (record.Kind == TlsRecordKind.Tls && record.ContentType == TlsContentType.Handshake) Reassembler.Add(record, this);
        }

        public void OnHandshake(in HandshakeEvent e) => Messages++;
    }

    [Fact]
    public void SteadyStateParsingAllocatesNothing()
    {
        var frames = TlsSamples.Tls12.Where(p => !p.FromClient).Select(p => p.Bytes).ToArray();
        var sink = new Quiet();
        var parser = new TlsRecordParser(sink);
        ulong offset = 0;
        void OnePass(int split)
        {
            foreach (var bytes in frames)
            {
                // Each frame in two chunks, so that records are also buffered across chunks.
                int cut = Math.Min(split, bytes.Length);
                parser.Feed(bytes.AsSpan(0, cut), offset, 1);
                parser.Feed(bytes.AsSpan(cut), offset + (ulong)cut, 2);
                offset += (ulong)bytes.Length;
            }
        }
        for (int i = 0; i < 3; i++) OnePass(100);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) OnePass(100);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(23 * 8, sink.Records);
    }
}
