using System.Text.Json;
using TorchSharp;
using TorchSharp.PyBridge;

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

    /// <summary>Writes named tensors as a safetensors file (copied to the CPU first).</summary>
    public void WriteTensors(string name, IEnumerable<(string Name, torch.Tensor Tensor)> tensors)
    {
        using var scope = torch.NewDisposeScope();
        var dictionary = tensors.ToDictionary(t => t.Name, t => t.Tensor.detach().cpu().contiguous(), StringComparer.Ordinal);
        using var stream = new MemoryStream();
        Safetensors.SaveStateDict(stream, dictionary, true);
        _entries[name] = stream.ToArray();
    }

    /// <summary>Writes a module's parameters and buffers by their state-dict names.</summary>
    public void WriteModule(string name, torch.nn.Module module) =>
        WriteTensors(name, module.state_dict().Select(pair => (pair.Key, pair.Value)));
}
