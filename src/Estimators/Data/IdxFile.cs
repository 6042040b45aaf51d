using System.Buffers.Binary;

namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// Reads unsigned-byte IDX files (the MNIST and Fashion-MNIST format), plain or gzip: a big-endian magic
/// <c>0x00 0x00 0x08 n</c> (type 0x08 = unsigned byte, n dimensions), n big-endian int32 sizes, then the bytes.
/// </summary>
internal static class IdxFile
{
    /// <summary>Reads a file of unsigned bytes.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The dimensions (the first is the item count) and the values in row-major order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header is not an unsigned-byte IDX header, its sizes hold more values than one array can, or the file ends early.</exception>
    public static (int[] Dimensions, byte[] Values) Read(string path)
    {
        using var stream = DataFile.OpenBinary(path);
        Span<byte> magic = stackalloc byte[4];
        ReadExactly(stream, magic, path, "the 4-byte magic number");
        if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] == 0)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: expected an unsigned-byte IDX magic number 00 00 08 nn, found {Convert.ToHexString(magic)}.");
        }

        var dimensions = new int[magic[3]];
        Span<byte> size = stackalloc byte[4];
        long total = 1;
        for (int i = 0; i < dimensions.Length; i++)
        {
            ReadExactly(stream, size, path, $"the size of dimension {i + 1}");
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(size);
            if (dimensions[i] < 0)
            {
                throw new InvalidDataException($"{Path.GetFileName(path)}: dimension {i + 1} has a negative size {dimensions[i]}.");
            }

            // Saturating at Array.MaxLength + 1 keeps the product exact up to that bound and free of overflow (a long
            // wraps at 2^63: four sizes of 65536 multiplied to 0), while a later size of 0 still gives 0.
            total = Math.Min(total * dimensions[i], Array.MaxLength + 1L);
        }

        if (total > Array.MaxLength)
        {
            throw new InvalidDataException(
                $"{Path.GetFileName(path)}: the sizes {string.Join(" × ", dimensions)} hold more values than one array can ({Array.MaxLength}).");
        }

        var values = new byte[total];
        ReadExactly(stream, values, path, $"{total} values");
        return (dimensions, values);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        if (stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) != buffer.Length)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: the file ended before {what}.");
        }
    }
}
