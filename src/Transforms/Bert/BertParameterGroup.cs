using TorchSharp.Modules;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// The parameters of one part of a BERT model, so that a trainer can choose what trains (and give
/// each part its own optimiser group). Across the groups of one model every parameter appears exactly
/// once: a tensor shared by two names (the MLM decoder weight is the word embedding table; the MLM
/// decoder bias is <c>cls.predictions.bias</c>) is listed once, under the first group and name that holds it.
/// </summary>
public sealed class BertParameterGroup
{
    internal BertParameterGroup(string name, BertParameterGroupKind kind, int? layerIndex, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        Name = name;
        Kind = kind;
        LayerIndex = layerIndex;
        Parameters = parameters;
    }

    /// <summary>The group's name: <c>embeddings</c>, <c>layer.{i}</c>, <c>pooler</c>, <c>mlm_head</c> or <c>classifier</c>.</summary>
    public string Name { get; }

    /// <summary>What part of the model the group holds.</summary>
    public BertParameterGroupKind Kind { get; }

    /// <summary>The encoder layer index for <see cref="BertParameterGroupKind.EncoderLayer"/>; null otherwise.</summary>
    public int? LayerIndex { get; }

    /// <summary>The parameters with their full state-dict names (relative to the model the groups were taken from).</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }

    /// <summary>Sets <c>requires_grad</c> on every parameter of the group (false freezes it).</summary>
    /// <param name="requiresGrad">Whether the parameters record gradients.</param>
    public void SetRequiresGrad(bool requiresGrad)
    {
        foreach (var (_, parameter) in Parameters)
        {
            parameter.requires_grad = requiresGrad;
        }
    }
}
