using System.Text;

namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// Opening and line-by-line reading of the data files, plain or gzip-compressed (recognised by the gzip magic
/// bytes, not by the extension), with the error conventions shared by every loader: a missing file gives a
/// <see cref="FileNotFoundException"/> carrying the path, bad content an <see cref="InvalidDataException"/>
/// naming the file and the line.
/// </summary>
internal static class DataFile
{
    private const int BufferSize = 1 << 16;

    /// <summary>Throws <see cref="FileNotFoundException"/> (with the full path) unless <paramref name="path"/> is an existing file.</summary>
    public static void EnsureExists(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file not found: '{Path.GetFullPath(path)}'.", Path.GetFullPath(path));
        }
    }

    /// <summary>Builds the exception for malformed content: "<c>file, line n: message</c>".</summary>
    public static InvalidDataException FormatError(string path, long lineNumber, string message) =>
        new($"{Path.GetFileName(path)}, line {lineNumber}: {message}");

    /// <summary>Opens the file for reading lines, decompressing it on the fly when it is gzip data.</summary>
    public static Utf8LineReader OpenLines(string path)
    {
        EnsureExists(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        try
        {
            Stream content = IsGzip(file) ? new GzipTrailerCheckingStream(file) : file;
            return new Utf8LineReader(content, BufferSize);
        }
        catch (InvalidDataException e)
        {
            file.Dispose();
            throw FormatError(path, 1, $"expected complete, valid gzip data: {e.Message}");
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Opens the file for reading bytes, decompressing it on the fly when it is gzip data.</summary>
    public static Stream OpenBinary(string path)
    {
        EnsureExists(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        return IsGzip(file) ? new GzipTrailerCheckingStream(file) : file;
    }

    /// <summary>
    /// Streams the lines of the file (one line in memory at a time). The existence check happens immediately;
    /// the file is opened when enumeration starts and closed when it ends, so the result can be enumerated again.
    /// </summary>
    public static IEnumerable<NumberedLine> ReadLines(string path)
    {
        EnsureExists(path);
        return Iterate(path);

        static IEnumerable<NumberedLine> Iterate(string path)
        {
            using var reader = OpenLines(path);
            var number = 0;
            while (true)
            {
                number++;
                var text = ReadLine(reader, path, number);
                if (text is null)
                {
                    yield break;
                }

                yield return new NumberedLine(number, text);
            }
        }
    }

    private static string? ReadLine(Utf8LineReader reader, string path, int lineNumber)
    {
        try
        {
            return reader.ReadLine();
        }
        catch (DecoderFallbackException e)
        {
            throw FormatError(path, lineNumber, $"expected UTF-8 text, found an invalid byte sequence ({e.Message})");
        }
        catch (InvalidDataException e)
        {
            throw FormatError(path, lineNumber, $"expected complete, valid gzip data: {e.Message}");
        }
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        var read = file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }
}
