using Microsoft.ML;

namespace MLNetExtensions.Transforms.ModelFiles;

/// <summary>Maps each component kind stored in model files to the code that rebuilds it.</summary>
internal static class TensorModelComponentRegistry
{
    /// <summary>Rebuilds a component from its payload.</summary>
    public delegate ITransformer Loader(MLContext mlContext, ModelPayloadReader reader, int payloadVersion);

    private static readonly Dictionary<string, Loader> Loaders = new(StringComparer.Ordinal);

    /// <summary>Registers the loader of <paramref name="kind"/> (idempotent for the same loader).</summary>
    public static void Register(string kind, Loader loader)
    {
        lock (Loaders)
        {
            Loaders[kind] = loader;
        }
    }

    /// <summary>The loader of <paramref name="kind"/>.</summary>
    public static Loader Find(string kind, string fileDescription)
    {
        TensorModelComponents.EnsureRegistered();
        lock (Loaders)
        {
            return Loaders.TryGetValue(kind, out var loader)
                ? loader
                : throw new InvalidDataException($"{fileDescription} contains a component of kind '{kind}' that this version of MLNetExtensions does not know.");
        }
    }
}
