using TorchSharp;

namespace MLNetExtensions.Transforms.ModelFiles;

/// <summary>Copies named tensors into a module's state, strictly: the same names, shapes and element types.</summary>
internal static class TensorStateCopier
{
    /// <summary>Copies <paramref name="source"/> into <paramref name="module"/>; throws <see cref="InvalidDataException"/> naming the first mismatch.</summary>
    public static void CopyExactly(IReadOnlyDictionary<string, torch.Tensor> source, torch.nn.Module module, string origin)
    {
        var target = module.state_dict();
        foreach (var name in target.Keys)
        {
            if (!source.ContainsKey(name))
            {
                throw new InvalidDataException($"{origin} lacks tensor '{name}' (shape [{string.Join(", ", target[name].shape)}]) that the declared architecture has.");
            }
        }

        foreach (var (name, tensor) in source)
        {
            if (!target.TryGetValue(name, out var destination))
            {
                throw new InvalidDataException($"{origin} holds tensor '{name}' that the declared architecture does not have.");
            }

            if (!destination.shape.SequenceEqual(tensor.shape))
            {
                throw new InvalidDataException(
                    $"{origin}: tensor '{name}' has shape [{string.Join(", ", tensor.shape)}] but the declared architecture needs [{string.Join(", ", destination.shape)}].");
            }

            if (destination.dtype != tensor.dtype)
            {
                throw new InvalidDataException($"{origin}: tensor '{name}' is {tensor.dtype} but the declared architecture needs {destination.dtype}.");
            }
        }

        using (torch.no_grad())
        {
            foreach (var (name, destination) in target)
            {
                destination.copy_(source[name]);
            }
        }
    }
}
