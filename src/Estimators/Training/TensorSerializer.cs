using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// Reads and writes one named tensor as: name, scalar type, rank, dimensions, byte count, raw little-endian bytes.
/// Independent of TorchSharp's own formats, so checkpoints can be checked and explained tensor by tensor.
/// </summary>
internal static class TensorSerializer
{
    private const int MaxRank = 64;

    /// <summary>Writes <paramref name="tensor"/> (any device, any layout) under <paramref name="name"/>.</summary>
    public static void Write(BinaryWriter writer, string name, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var data = tensor.detach().cpu().contiguous();
        writer.Write(name);
        writer.Write((int)data.dtype);
        writer.Write(data.shape.Length);
        foreach (long dim in data.shape)
        {
            writer.Write(dim);
        }

        long byteCount = data.numel() * data.ElementSize;
        writer.Write(byteCount);
        if (byteCount > 0)
        {
            writer.Write(data.bytes);
        }
    }

    /// <summary>Reads a tensor written by <see cref="Write"/>; the tensor belongs to no dispose scope.</summary>
    /// <exception cref="InvalidDataException">The header is not plausible.</exception>
    public static (string Name, Tensor Tensor) Read(BinaryReader reader)
    {
        string name = reader.ReadString();
        int typeCode = reader.ReadInt32();
        var dtype = (ScalarType)typeCode;
        if (typeCode is < sbyte.MinValue or > sbyte.MaxValue || !Enum.IsDefined(dtype))
        {
            throw new InvalidDataException($"Tensor '{name}' has an unknown scalar type code {typeCode}.");
        }

        int rank = reader.ReadInt32();
        if (rank is < 0 or > MaxRank)
        {
            throw new InvalidDataException($"Tensor '{name}' has an implausible rank {rank}.");
        }

        var shape = new long[rank];
        long elements = 1;
        for (int i = 0; i < rank; i++)
        {
            shape[i] = reader.ReadInt64();
            if (shape[i] < 0)
            {
                throw new InvalidDataException($"Tensor '{name}' has a negative dimension {shape[i]}.");
            }

            elements = checked(elements * shape[i]);
        }

        long byteCount = reader.ReadInt64();
        var tensor = empty(shape, dtype: dtype).DetachFromDisposeScope();
        try
        {
            long expected = checked(elements * tensor.ElementSize);
            if (byteCount != expected)
            {
                throw new InvalidDataException(
                    $"Tensor '{name}' declares {byteCount} bytes, but shape {FormatShape(shape)} of {dtype} needs {expected}.");
            }

            if (byteCount > 0)
            {
                ReadExactly(reader, tensor.bytes, name);
            }

            return (name, tensor);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>Formats a shape as <c>[2, 3]</c>.</summary>
    public static string FormatShape(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    private static void ReadExactly(BinaryReader reader, Span<byte> destination, string name)
    {
        while (!destination.IsEmpty)
        {
            int read = reader.Read(destination);
            if (read <= 0)
            {
                throw new EndOfStreamException($"The data of tensor '{name}' ends early.");
            }

            destination = destination[read..];
        }
    }
}
