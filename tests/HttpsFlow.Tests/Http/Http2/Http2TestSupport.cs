using System.Buffers.Binary;
using HttpsFlow.Http.Http2;

namespace HttpsFlow.Tests.Http.Http2;

/// <summary>Builds HTTP/2 frames, and a sink that writes down what a connection reports.</summary>
internal static class H2
{
    public static readonly byte[] Preface = Http2Names.Preface.ToArray();

    public static byte[] Frame(Http2FrameType type, byte flags, int stream, params byte[] payload) => Frame((byte)type, flags, stream, payload);

    public static byte[] Frame(byte type, byte flags, int stream, byte[] payload, int? length = null)
    {
        var f = new byte[9 + payload.Length];
        int len = length ?? payload.Length;
        f[0] = (byte)(len >> 16);
        f[1] = (byte)(len >> 8);
        f[2] = (byte)len;
        f[3] = type;
        f[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(5), (uint)stream);
        payload.CopyTo(f, 9);
        return f;
    }

    public static byte[] Settings(params (ushort Id, uint Value)[] settings)
    {
        var p = new byte[settings.Length * 6];
        for (int i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(i * 6), settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(i * 6 + 2), settings[i].Value);
        }
        return Frame(Http2FrameType.Settings, 0, 0, p);
    }

    public static byte[] SettingsAck() => Frame(Http2FrameType.Settings, Http2Flags.Ack, 0);

    public static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return b;
    }

    public static byte[] WindowUpdate(int stream, uint increment) => Frame(Http2FrameType.WindowUpdate, 0, stream, U32(increment));

    public static byte[] Headers(int stream, byte flags, byte[] block) => Frame(Http2FrameType.Headers, flags, stream, block);

    public static byte[] Data(int stream, byte flags, byte[] data) => Frame(Http2FrameType.Data, flags, stream, data);

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    // RFC 7541 C.3.1 (GET http://www.example.com/) and a response block: :status 200, content-type text/html.
    public static readonly byte[] RequestBlock = Hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d");
    public static readonly byte[] ResponseBlock = Concat([0x88, 0x5f, 0x09], "text/html"u8.ToArray());
}

/// <summary>Writes down every event as a line, and every note.</summary>
internal sealed class RecordingSink : IHttp2Sink
{
    public readonly List<string> Events = [];
    public readonly List<Http2NoteEvent> Notes = [];
    public readonly List<string> HeaderLines = [];
    public readonly List<(ushort, uint)> Settings = [];
    public bool KeepNotesInEvents { get; init; }

    public void OnMagic(bool fromClient, long frame) => Events.Add($"{(fromClient ? "c" : "s")}{frame} Magic");

    public void OnFrame(in Http2FrameEvent e)
    {
        var line = $"{(e.FromClient ? "c" : "s")}{e.Frame} {e.TypeName}[{e.Header.StreamId}] len={e.Header.Length} flags=0x{e.Header.Flags:x2}";
        if (e.Malformed) line += " MALFORMED";
        if (e.PayloadSkipped) line += " SKIPPED";
        switch (e.Header.FrameType)
        {
            case Http2FrameType.Data:
                line += $" data={Convert.ToHexString(e.Data)} pad={e.PadLength}";
                break;
            case Http2FrameType.Settings:
                for (int i = 0; i < e.Settings.Count; i++)
                {
                    line += $" {e.Settings[i].Id}={e.Settings[i].Value}";
                    Settings.Add((e.Settings[i].Id, e.Settings[i].Value));
                }
                break;
            case Http2FrameType.WindowUpdate:
                line += $" inc={e.WindowIncrement}";
                break;
            case Http2FrameType.RstStream:
                line += $" error={Http2Names.ErrorCode(e.ErrorCode)}";
                break;
            case Http2FrameType.GoAway:
                line += $" last={e.LastStreamId} error={Http2Names.ErrorCode(e.ErrorCode)} debug={System.Text.Encoding.ASCII.GetString(e.Opaque)}";
                break;
            case Http2FrameType.Ping:
                line += $" opaque={Convert.ToHexString(e.Opaque)}";
                break;
            case Http2FrameType.PushPromise:
                line += $" promised={e.PromisedStreamId}";
                break;
        }
        if (e.Priority is { } p) line += $" prio={(p.Exclusive ? "E" : "")}{p.StreamDependency}/{p.Weight}";
        if (e.Headers is { } h)
        {
            line += $" headers={h.Status}:{h.Count}";
            foreach (var l in h.Lines()) HeaderLines.Add(l);
            line += " {" + string.Join("; ", h.Lines()) + "}";
        }
        Events.Add(line);
    }

    public void OnNote(in Http2NoteEvent note)
    {
        Notes.Add(note);
        if (KeepNotesInEvents) Events.Add($"note {note.Note.Key} {note.Note.Message}");
    }

    public bool HasNote(string key) => Notes.Any(n => n.Note.Key == key);
}
