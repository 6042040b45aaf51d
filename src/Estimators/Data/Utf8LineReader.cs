using System.Text;

namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// Reads lines of strict UTF-8 from a stream, decoding each line on its own so that an invalid byte sequence is
/// reported on the exact line that holds it (a <see cref="StreamReader"/> decodes whole buffers ahead of the line
/// being read). Lines end with <c>\n</c> or <c>\r\n</c>; a UTF-8 byte order mark at the start is dropped.
/// </summary>
internal sealed class Utf8LineReader : IDisposable
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private byte[] _line = new byte[1024];
    private int _position;
    private int _length;
    private bool _atStart = true;

    /// <summary>Reads from <paramref name="stream"/>, which the reader disposes.</summary>
    public Utf8LineReader(Stream stream, int bufferSize = 1 << 16)
    {
        _stream = stream;
        _buffer = new byte[bufferSize];
    }

    /// <summary>The next line without its terminator, or <see langword="null"/> at the end of the stream.</summary>
    /// <exception cref="DecoderFallbackException">The line is not valid UTF-8.</exception>
    public string? ReadLine()
    {
        var lineLength = 0;
        while (true)
        {
            if (_position == _length)
            {
                _length = _stream.Read(_buffer, 0, _buffer.Length);
                _position = 0;
                if (_length == 0)
                {
                    return lineLength == 0 ? null : Decode(lineLength);
                }
            }

            var available = _buffer.AsSpan(_position, _length - _position);
            var newline = available.IndexOf((byte)'\n');
            var take = newline < 0 ? available.Length : newline;
            Append(available[..take], ref lineLength);
            _position += newline < 0 ? take : take + 1;
            if (newline >= 0)
            {
                return Decode(lineLength);
            }
        }
    }

    /// <summary>Disposes the underlying stream.</summary>
    public void Dispose() => _stream.Dispose();

    private void Append(ReadOnlySpan<byte> bytes, ref int lineLength)
    {
        if (lineLength + bytes.Length > _line.Length)
        {
            Array.Resize(ref _line, Math.Max(_line.Length * 2, lineLength + bytes.Length));
        }

        bytes.CopyTo(_line.AsSpan(lineLength));
        lineLength += bytes.Length;
    }

    private string Decode(int lineLength)
    {
        var bytes = _line.AsSpan(0, lineLength);
        if (_atStart)
        {
            _atStart = false;
            if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                bytes = bytes[3..];
            }
        }

        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        return StrictUtf8.GetString(bytes);
    }
}
