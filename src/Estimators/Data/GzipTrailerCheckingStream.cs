using System.Buffers.Binary;
using System.IO.Compression;

namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// Decompresses gzip data and, at the end, checks the number of bytes produced against the size recorded in the
/// file's gzip trailer. <see cref="GZipStream"/> alone ends quietly on a truncated file, which would make a cut-off
/// download look like a shorter data set. Only single-member gzip files (what <c>gzip</c> writes) are supported:
/// a concatenation of several members fails the check.
/// </summary>
internal sealed class GzipTrailerCheckingStream : Stream
{
    private const int MinimumGzipLength = 18; // 10-byte header + 8-byte trailer

    private readonly GZipStream _inner;
    private readonly uint _expectedSize;
    private ulong _produced;
    private bool _checked;

    /// <summary>Reads the trailer of <paramref name="file"/> (which must be seekable and positioned at 0) and wraps it.</summary>
    public GzipTrailerCheckingStream(FileStream file)
    {
        if (file.Length < MinimumGzipLength)
        {
            throw new InvalidDataException($"the gzip data is only {file.Length} bytes long, shorter than any complete gzip file");
        }

        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        file.Position = 0;
        _expectedSize = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        _inner = new GZipStream(file, CompressionMode.Decompress);
    }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        _produced += (ulong)read;
        if (read == 0 && buffer.Length > 0 && !_checked)
        {
            _checked = true;
            if ((uint)_produced != _expectedSize)
            {
                throw new InvalidDataException(
                    $"the gzip data ends after {_produced} decompressed bytes but its trailer records {_expectedSize} (mod 2^32): the file is truncated or corrupt");
            }
        }

        return read;
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
