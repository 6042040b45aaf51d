using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms;

/// <summary>
/// Named tensors of any TorchSharp module: listing them in state-dict order, exporting them to a
/// <c>.safetensors</c> file, importing them back by name (strictly), and copying them between modules.
/// </summary>
/// <remarks>
/// <para>
/// Names are PyTorch state-dict names: for each module its own parameters, then its persistent
/// buffers, then its children in registration order, joined with dots. A tensor registered under two
/// names (weight tying) appears under both, as in a PyTorch state dict.
/// </para>
/// <para>
/// Import is strict and all-or-nothing: every problem is collected and reported in one
/// <see cref="InvalidDataException"/> (naming each tensor, and for shape mismatches both shapes) before any
/// value is changed. A tensor with several names needs only one of them in the file (Hugging Face leaves
/// tied copies out of its files); when several are present they must hold equal values. Element types
/// are converted to the module's on import.
/// </para>
/// </remarks>
public static class ModelTensorIO
{
    /// <summary>The metadata written into every exported file; Hugging Face transformers requires <c>format = pt</c>.</summary>
    private static readonly IReadOnlyDictionary<string, string> ExportMetadata = new Dictionary<string, string> { ["format"] = "pt" };

    /// <summary>The module's parameters and persistent buffers with their state-dict names, in state-dict order, tied tensors under each of their names.</summary>
    /// <param name="module">The module.</param>
    /// <returns>The named tensors (the module's own tensor objects, not copies).</returns>
    public static IReadOnlyList<(string Name, Tensor Tensor)> GetNamedTensors(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var result = new List<(string Name, Tensor Tensor)>();
        Collect(module, string.Empty, result);
        return result;
    }

    /// <summary>
    /// Writes every named tensor of the module (see <see cref="GetNamedTensors"/>) to a safetensors file, atomically: a
    /// failed export (an unsupported element type, a full disk) leaves the previous file, or none, never a partial one.
    /// </summary>
    /// <param name="module">The module.</param>
    /// <param name="path">The file to create or overwrite.</param>
    public static void ExportSafetensors(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(path);
        IO.AtomicFile.Write(path, stream => ExportSafetensors(module, stream));
    }

    /// <summary>Writes every named tensor of the module (see <see cref="GetNamedTensors"/>) in safetensors format; the stream is left open.</summary>
    /// <param name="module">The module.</param>
    /// <param name="stream">A writable stream.</param>
    public static void ExportSafetensors(nn.Module module, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(stream);
        SafetensorsWriter.Write(stream, GetNamedTensors(module), ExportMetadata);
    }

    /// <summary>Loads a safetensors file into the module by name, strictly (see the type's remarks).</summary>
    /// <param name="module">The module whose tensors receive the values.</param>
    /// <param name="path">The safetensors file.</param>
    /// <exception cref="InvalidDataException">Names missing or unexpected, shapes that differ, or tied names that disagree.</exception>
    public static void ImportSafetensors(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        Import(module, stream, $"safetensors file '{path}'");
    }

    /// <summary>Loads safetensors data into the module by name, strictly (see the type's remarks); the stream is left open.</summary>
    /// <param name="module">The module whose tensors receive the values.</param>
    /// <param name="stream">A readable stream positioned at the start of the safetensors data.</param>
    /// <exception cref="InvalidDataException">Names missing or unexpected, shapes that differ, or tied names that disagree.</exception>
    public static void ImportSafetensors(nn.Module module, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Import(module, stream, "safetensors stream");
    }

    /// <summary>
    /// Copies every named tensor of <paramref name="source"/> into the tensor of the same name of
    /// <paramref name="target"/>, exactly (the same strict checks as an import).
    /// </summary>
    /// <param name="source">The module to copy from.</param>
    /// <param name="target">The module to copy into.</param>
    /// <exception cref="InvalidDataException">The two modules do not have the same names and shapes.</exception>
    public static void CopyTensors(nn.Module source, nn.Module target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in GetNamedTensors(source))
        {
            values[name] = tensor;
        }

        Assign(target, values, $"source module ({source.GetType().Name})");
    }

    /// <summary>Strict import with <paramref name="description"/> naming the source in errors.</summary>
    internal static void Import(nn.Module module, Stream stream, string description)
    {
        ArgumentNullException.ThrowIfNull(module);
        Dictionary<string, Tensor> loaded;
        try
        {
            loaded = TorchSharp.PyBridge.Safetensors.LoadStateDict(stream, leaveOpen: true, keysToKeep: null);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"The {description} is truncated: it ends before the tensors its header lists.", e);
        }
        catch (Exception e) when (e is not InvalidDataException and not IOException)
        {
            throw new InvalidDataException($"The {description} could not be read as safetensors: {e.Message}", e);
        }

        try
        {
            Assign(module, loaded, description);
        }
        finally
        {
            foreach (var tensor in loaded.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private static void Collect(nn.Module module, string prefix, List<(string Name, Tensor Tensor)> result)
    {
        foreach (var (name, parameter) in module.named_parameters(recurse: false))
        {
            result.Add((prefix + name, parameter));
        }

        foreach (var (name, buffer) in module.named_buffers(recurse: false, include_nonpersistent: false))
        {
            result.Add((prefix + name, buffer));
        }

        foreach (var (name, child) in module.named_children())
        {
            Collect(child, prefix + name + ".", result);
        }
    }

    /// <summary>Strict assignment of named <paramref name="values"/> (see the type's remarks); <paramref name="description"/> names the source in errors.</summary>
    internal static void Assign(nn.Module module, IReadOnlyDictionary<string, Tensor> values, string description)
    {
        var targets = GetNamedTensors(module);

        // Names that share one tensor object form one group; a group needs one value.
        var groups = new Dictionary<Tensor, List<string>>(ReferenceEqualityComparer.Instance);
        var order = new List<Tensor>();
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var (name, tensor) in targets)
        {
            if (!groups.TryGetValue(tensor, out var names))
            {
                names = new List<string>();
                groups.Add(tensor, names);
                order.Add(tensor);
            }

            names.Add(name);
            shapes[name] = tensor.shape;
        }

        var unexpected = values.Keys.Where(name => !shapes.ContainsKey(name)).OrderBy(name => name, StringComparer.Ordinal).ToList();
        var missing = new List<string>();
        var mismatched = new List<string>();
        var disagreeing = new List<string>();
        var plan = new List<(Tensor Target, Tensor Value)>();
        foreach (var target in order)
        {
            var names = groups[target];
            var present = names.Where(values.ContainsKey).ToList();
            if (present.Count == 0)
            {
                missing.Add(names.Count == 1 ? names[0] : $"{names[0]} (or its tied name{(names.Count > 2 ? "s" : string.Empty)} {string.Join(", ", names.Skip(1))})");
                continue;
            }

            var shapeOk = true;
            foreach (var name in present)
            {
                var valueShape = values[name].shape;
                if (!valueShape.SequenceEqual(shapes[name]))
                {
                    mismatched.Add($"{name}: the stored tensor has [{string.Join(", ", valueShape)}], the module has [{string.Join(", ", shapes[name])}]");
                    shapeOk = false;
                }
            }

            if (!shapeOk)
            {
                continue;
            }

            for (var i = 1; i < present.Count; i++)
            {
                if (!SameValues(values[present[0]], values[present[i]]))
                {
                    disagreeing.Add($"{present[0]} and {present[i]}");
                }
            }

            plan.Add((target, values[present[0]]));
        }

        if (unexpected.Count + missing.Count + mismatched.Count + disagreeing.Count > 0)
        {
            var message = new StringBuilder($"The {description} does not match the module ({module.GetType().Name}).");
            Append(message, "Missing tensors", missing);
            Append(message, "Unexpected tensors", unexpected);
            Append(message, "Shape mismatches", mismatched);
            Append(message, "Tied names with different values", disagreeing);
            throw new InvalidDataException(message.ToString());
        }

        using (no_grad())
        {
            foreach (var (target, value) in plan)
            {
                target.copy_(value);
            }
        }
    }

    private static bool SameValues(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.dtype == b.dtype && a.to(b.device).equal(b).all().item<bool>();
    }

    private static void Append(StringBuilder message, string title, List<string> items)
    {
        if (items.Count > 0)
        {
            message.Append(' ').Append(title).Append(" (").Append(items.Count).Append("): ").Append(string.Join("; ", items)).Append('.');
        }
    }
}
