namespace HttpsFlow.Output;

/// <summary>
/// Writes to another stream all but the first bytes given: for output made again from the start when its beginning is
/// already written (the packet list after a record its second thread could not open, see
/// <see cref="Decryption.RecordVerifier"/>). Does not own the stream.
/// </summary>
public sealed class SkipBytesStream(Stream inner, long skip) : Stream
{
    private long _skip = skip;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_skip > 0)
        {
            int drop = (int)Math.Min(_skip, buffer.Length);
            _skip -= drop;
            buffer = buffer[drop..];
        }
        if (!buffer.IsEmpty) inner.Write(buffer);
    }

    public override void Flush() => inner.Flush();
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
