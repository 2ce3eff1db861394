namespace HttpsFlow.Tcp;

/// <summary>How a walk over a TCP option list ended.</summary>
public enum OptionWalkEnd : byte
{
    /// <summary>The whole option area was read.</summary>
    Complete,
    /// <summary>A length byte was impossible (below 2, or past the option area): the rest is ignored, silently, as tshark does.</summary>
    Stopped,
    /// <summary>The option area runs past the bytes present: what follows is missing.</summary>
    Truncated,
}

/// <summary>
/// Walks a TCP option list (RFC 9293 §3.2: kind(1) [length(1) value]) the way Wireshark does: NOP and EOL carry no
/// length; after EOL only zero padding may follow; a length below 2 or beyond the option area stops the walk.
/// </summary>
public ref struct TcpOptionWalker
{
    private readonly ReadOnlySpan<byte> _present; // option bytes present in the capture
    private readonly int _area;                   // option bytes the header declares (data offset × 4 − 20)
    private int _pos;
    private bool _afterEol;

    public TcpOptionWalker(ReadOnlySpan<byte> present, int declaredArea)
    {
        _present = present;
        _area = declaredArea;
        _pos = 0;
        _afterEol = false;
        End = OptionWalkEnd.Complete;
    }

    public OptionWalkEnd End { get; private set; }

    /// <summary>Moves to the next option with a length (MSS, WS, SACK, …). NOP and EOL are stepped over.</summary>
    public bool Next(out byte kind, out ReadOnlySpan<byte> value, out int length)
    {
        kind = 0;
        value = default;
        length = 0;
        while (_pos < _area)
        {
            if (_pos >= _present.Length) { End = OptionWalkEnd.Truncated; return false; }
            byte k = _present[_pos];
            if (_afterEol)
            {
                if (k != TcpDecoder.OptEol) { End = OptionWalkEnd.Stopped; return false; }
                _pos++;
                continue;
            }
            if (k == TcpDecoder.OptEol) { _afterEol = true; _pos++; continue; }
            if (k == TcpDecoder.OptNop) { _pos++; continue; }
            if (_pos + 1 >= _area) { End = OptionWalkEnd.Stopped; return false; }
            if (_pos + 1 >= _present.Length) { End = OptionWalkEnd.Truncated; return false; }
            int len = _present[_pos + 1];
            if (len < 2 || len - 2 > _area - _pos - 2) { End = OptionWalkEnd.Stopped; return false; }
            if (_pos + len > _present.Length) { End = OptionWalkEnd.Truncated; return false; }
            kind = k;
            length = len;
            value = _present.Slice(_pos + 2, len - 2);
            _pos += len;
            return true;
        }
        End = OptionWalkEnd.Complete;
        return false;
    }
}
