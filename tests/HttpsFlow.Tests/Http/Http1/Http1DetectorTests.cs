using HttpsFlow.Http.Http1;
using static HttpsFlow.Tests.Http.Http1.Http1Run;

namespace HttpsFlow.Tests.Http.Http1;

/// <summary>Recognising HTTP/1.x from the first bytes of a connection's plaintext, for connections without ALPN.</summary>
public class Http1DetectorTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\n", true)]
    [InlineData("POST /api", true)]
    [InlineData("OPTIONS * HTTP/1.1\r\n", true)]
    [InlineData("CONNECT example.com:443 HTTP/1.1\r\n", true)]
    [InlineData("PROPFIND /dav HTTP/1.1\r\n", true)]
    [InlineData("PURGE /cache HTTP/1.1\r\n", true)]
    [InlineData("PURGE /cache", false)]          // an unknown method needs its whole line
    [InlineData("GET", false)]                   // too short to say
    [InlineData("get / HTTP/1.1\r\n", false)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", false)]
    [InlineData("HTTP/1.1 200 OK\r\n", false)]
    [InlineData("\x16\x03\x01\x00\xa5\x01", false)]
    [InlineData("", false)]
    [InlineData("GET  / HTTP/1.1\r\n", false)]
    public void Requests(string start, bool expected) => Assert.Equal(expected, Http1Detector.LooksLikeRequest(Bytes(start)));

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n", true)]
    [InlineData("HTTP/1.0 404 Not Found\r\n", true)]
    [InlineData("HTTP/1.1 204\r\n", true)]
    [InlineData("HTTP/1.1 200", false)]
    [InlineData("HTTP/2 200 OK\r\n", false)]
    [InlineData("HTTP/1.1 20 OK\r\n", false)]
    [InlineData("http/1.1 200 OK\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\n", false)]
    [InlineData("\x00\x00\x12\x04\x00", false)]
    public void Responses(string start, bool expected) => Assert.Equal(expected, Http1Detector.LooksLikeResponse(Bytes(start)));
}
