using System.Text.Json;
using TorchSharp;

namespace MLNetExtensions.Transforms.ModelFiles;

/// <summary>Collects the entries one component writes into the model file (kept in memory until the zip is written).</summary>
internal sealed class ModelPayloadWriter
{
    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private readonly Dictionary<string, byte[]> _entries = new(StringComparer.Ordinal);

    /// <summary>The entries written, by name.</summary>
    public IReadOnlyDictionary<string, byte[]> Entries => _entries;

    /// <summary>Writes <paramref name="value"/> as JSON.</summary>
    public void WriteJson<T>(string name, T value) => _entries[name] = JsonSerializer.SerializeToUtf8Bytes(value, Json);

    /// <summary>Writes UTF-8 text.</summary>
    public void WriteText(string name, string text) => _entries[name] = System.Text.Encoding.UTF8.GetBytes(text);

    /// <summary>Writes a module's named tensors (Hugging Face names where the module follows that layout) as safetensors.</summary>
    public void WriteModule(string name, torch.nn.Module module)
    {
        using var stream = new MemoryStream();
        ModelTensorIO.ExportSafetensors(module, stream);
        _entries[name] = stream.ToArray();
    }
}
