using System.Text;
using HttpsFlow.Output;

namespace HttpsFlow.Tests.Output;

/// <summary>The sink's ASCII fast path stops exactly at the first character above U+007F, and lines come out as UTF-8.</summary>
public class TextSinkAsciiTests
{
    [Fact]
    public void Narrowing_copies_exactly_the_leading_ascii()
    {
        var random = new Random(11);
        for (int round = 0; round < 3000; round++)
        {
            int length = random.Next(0, 80);
            var chars = new char[length];
            for (int i = 0; i < length; i++) chars[i] = (char)random.Next(0x20, 0x7f);
            int firstWide = length;
            if (length > 0 && random.Next(3) > 0)
            {
                firstWide = random.Next(length);
                chars[firstWide] = random.Next(4) switch { 0 => '\u0080', 1 => '\u2192', 2 => '\u00ff', _ => '\uffff' };
            }
            var bytes = new byte[length];
            int n = TextSink.NarrowAscii(chars, bytes);
            Assert.Equal(firstWide, n);
            Assert.Equal(Encoding.ASCII.GetBytes(chars, 0, n), bytes[..n]);
        }
    }

    [Fact]
    public void Lines_with_arrows_and_long_ascii_runs_are_utf8()
    {
        var output = new MemoryStream();
        using (var sink = new TextSink(output, bufferBytes: 300))
        {
            for (int i = 0; i < 200; i++)
                sink.Append($"{i} 127.0.0.1 \u2192 127.0.0.2 TLSv1.3 {new string('x', i % 90)} \u00e9\u4e2d").EndLine();
        }
        var expected = new StringBuilder();
        for (int i = 0; i < 200; i++) expected.Append($"{i} 127.0.0.1 \u2192 127.0.0.2 TLSv1.3 {new string('x', i % 90)} \u00e9\u4e2d\n");
        Assert.Equal(expected.ToString(), Encoding.UTF8.GetString(output.ToArray()));
    }
}
