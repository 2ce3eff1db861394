namespace HttpsFlow.Tests.TestSupport;

/// <summary>A forward-only, read-only stream over bytes whose reads a test shapes (<see cref="Read(byte[], int, int)"/>).</summary>
internal abstract class ReadOnlyTestStream : Stream
{
    /// <summary>Bytes read so far.</summary>
    protected int Pos;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Pos; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
