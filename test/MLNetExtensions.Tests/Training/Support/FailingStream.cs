namespace MLNetExtensions.Tests.Training.Support;

/// <summary>Forwards writes to another stream and throws once more than a given number of bytes were written.</summary>
public sealed class FailingStream : Stream
{
    private readonly Stream _inner;
    private readonly long _failAfterBytes;
    private long _written;

    /// <summary>Creates the stream.</summary>
    public FailingStream(Stream inner, long failAfterBytes)
    {
        _inner = inner;
        _failAfterBytes = failAfterBytes;
    }

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override long Length => _written;

    /// <inheritdoc/>
    public override long Position { get => _written; set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_written + buffer.Length > _failAfterBytes)
        {
            int allowed = (int)Math.Max(0, _failAfterBytes - _written);
            _inner.Write(buffer[..allowed]);
            _inner.Flush();
            _written += allowed;
            throw new IOException("Injected failure: the disk went away in the middle of the checkpoint.");
        }

        _inner.Write(buffer);
        _written += buffer.Length;
    }

    /// <inheritdoc/>
    public override void Flush() => _inner.Flush();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();
}
