using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms;

/// <summary>
/// Writes the safetensors format: an 8-byte little-endian header length, a UTF-8 JSON header
/// (<c>{"__metadata__": {...}, "name": {"dtype", "shape", "data_offsets"}, ...}</c>, padded with spaces
/// to a multiple of 8 bytes) and the raw little-endian tensor bytes in header order.
/// </summary>
/// <remarks>
/// TorchSharp.PyBridge 1.4.4 reads this format (and <see cref="ModelTensorIO"/> reads with it), but its
/// writer cannot write the <c>__metadata__</c> entry; Hugging Face transformers checks
/// <c>__metadata__.format == "pt"</c> when it loads a model (older versions fail without it), so the
/// files are written here.
/// </remarks>
internal static class SafetensorsWriter
{
    public static void Write(Stream stream, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var scope = NewDisposeScope();
        var prepared = new List<(string Name, Tensor Data, long Length)>(tensors.Count);
        foreach (var (name, tensor) in tensors)
        {
            var data = tensor.detach().cpu().contiguous();
            prepared.Add((name, data, data.NumberOfElements * data.ElementSize));
        }

        var header = BuildHeader(prepared, metadata);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var (_, data, byteCount) in prepared)
        {
            if (byteCount > 0)
            {
                stream.Write(data.bytes);
            }
        }

        stream.Flush();
    }

    private static byte[] BuildHeader(List<(string Name, Tensor Data, long Length)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
            long offset = 0;
            foreach (var (name, data, length) in tensors)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", DTypeCode(name, data.dtype));
                json.WriteStartArray("shape");
                foreach (var size in data.shape)
                {
                    json.WriteNumberValue(size);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += length;
            }

            json.WriteEndObject();
        }

        var padded = (int)((buffer.Length + 7) / 8 * 8);
        var header = new byte[padded];
        buffer.ToArray().CopyTo(header, 0);
        header.AsSpan((int)buffer.Length).Fill((byte)' ');
        return header;
    }

    private static string DTypeCode(string name, ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"Tensor '{name}' has element type {dtype}, which safetensors cannot store."),
    };
}
