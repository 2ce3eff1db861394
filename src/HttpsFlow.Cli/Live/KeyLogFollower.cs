namespace HttpsFlow.Cli.Live;

/// <summary>
/// Follows a key log file as a TLS client appends to it (like `tail -f`): each call returns the complete lines added
/// since the last one. The file may not exist yet; a file that shrinks (rewritten) is read again from the start.
/// Its contents are secrets: they are only ever returned to the caller, never printed.
/// </summary>
internal sealed class KeyLogFollower(string path)
{
    private long _position;

    public string Path { get; } = path;

    /// <summary>New complete lines (each ending in '\n'), or an empty array.</summary>
    public byte[] ReadNewLines()
    {
        try
        {
            using var f = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (f.Length < _position) _position = 0;
            if (f.Length == _position) return [];
            f.Position = _position;
            var buffer = new byte[f.Length - _position];
            int read = f.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            int end = Array.LastIndexOf(buffer, (byte)'\n', read - 1);
            if (end < 0) return [];
            _position += end + 1;
            return buffer[..(end + 1)];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
