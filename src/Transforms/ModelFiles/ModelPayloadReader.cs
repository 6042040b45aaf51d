using System.Text.Json;
using TorchSharp;

namespace MLNetExtensions.Transforms.ModelFiles;

/// <summary>Reads the entries of one component of a model file; every failure names the file, the component and the entry.</summary>
internal sealed class ModelPayloadReader
{
    private readonly IReadOnlyDictionary<string, byte[]> _entries;
    private readonly string _description;

    public ModelPayloadReader(IReadOnlyDictionary<string, byte[]> entries, string description)
    {
        _entries = entries;
        _description = description;
    }

    /// <summary>Names the file and component, for error messages.</summary>
    public string Description => _description;

    /// <summary>The raw bytes of an entry.</summary>
    public byte[] ReadBytes(string name) =>
        _entries.TryGetValue(name, out var bytes)
            ? bytes
            : throw new InvalidDataException($"{_description} has no entry '{name}': the file is incomplete or was written by another version.");

    /// <summary>UTF-8 text.</summary>
    public string ReadText(string name) => System.Text.Encoding.UTF8.GetString(ReadBytes(name));

    /// <summary>UTF-8 text of an optional entry, or null when the component has none.</summary>
    public string? ReadOptionalText(string name) =>
        _entries.TryGetValue(name, out var bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    /// <summary>A JSON value.</summary>
    public T ReadJson<T>(string name)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(ReadBytes(name), ModelPayloadWriter.Json)
                ?? throw new InvalidDataException($"{_description}: entry '{name}' is empty.");
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{_description}: entry '{name}' is not valid JSON for {typeof(T).Name}: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Copies the tensors of entry <paramref name="name"/> into <paramref name="module"/>, requiring exactly the same
    /// names and shapes: a file that does not match the declared architecture is rejected, naming the tensors.
    /// </summary>
    public void ReadModule(string name, torch.nn.Module module)
    {
        using var stream = new MemoryStream(ReadBytes(name), writable: false);
        ModelTensorIO.Import(module, stream, $"{_description}, entry '{name}'");
    }
}
