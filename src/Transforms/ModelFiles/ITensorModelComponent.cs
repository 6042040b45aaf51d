using Microsoft.ML;

namespace MLNetExtensions.Transforms.ModelFiles;

/// <summary>
/// A fitted transformer of this project whose state (tensors, vocabulary, configuration) is written
/// beside ML.NET's own entries in the model zip. Each kind registers its loader in
/// <see cref="TensorModelComponentRegistry"/>.
/// </summary>
internal interface ITensorModelComponent : ITransformer
{
    /// <summary>The registry key of this kind of component, stored in the file.</summary>
    string ComponentKind { get; }

    /// <summary>The version of this kind's payload layout; loaders reject versions they do not know.</summary>
    int PayloadVersion { get; }

    /// <summary>Writes everything needed to rebuild this transformer.</summary>
    void WritePayload(ModelPayloadWriter writer);
}
