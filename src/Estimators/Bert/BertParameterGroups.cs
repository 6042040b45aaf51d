using System.Globalization;
using MLNetExtensions.Transforms.Bert;
using TorchSharp;
using TorchSharp.Modules;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>What part of a BERT model a <see cref="BertParameterGroup"/> holds.</summary>
public enum BertParameterGroupKind
{
    /// <summary>The input embeddings (<c>embeddings</c>), including the word embeddings that the MLM decoder shares.</summary>
    Embeddings = 0,

    /// <summary>One encoder layer (<c>encoder.layer.{i}</c>).</summary>
    EncoderLayer = 1,

    /// <summary>The pooler (<c>pooler</c>).</summary>
    Pooler = 2,

    /// <summary>The masked language model head (<c>cls</c>), without the tied decoder weight.</summary>
    MlmHead = 3,

    /// <summary>The sequence classification head (<c>classifier</c>).</summary>
    Classifier = 4,
}

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

/// <summary>
/// Splits BERT models into <see cref="BertParameterGroup"/>s for training (what trains in a stage, optimiser groups).
/// Training-side only: the inference modules know nothing of it.
/// </summary>
public static class BertParameterGroups
{
    /// <summary>
    /// The parameters by group, in order: <c>embeddings</c>, <c>layer.0</c> … <c>layer.{n-1}</c>, then
    /// <c>pooler</c> (when present). Names are relative to this model (e.g. <c>encoder.layer.0.attention.self.query.weight</c>).
    /// </summary>
    /// <param name="model">The encoder.</param>
    /// <returns>The groups.</returns>
    public static IReadOnlyList<BertParameterGroup> GetParameterGroups(this BertModel model)
    {
        var collector = new Collector();
        collector.AddEncoder(model, prefix: string.Empty);
        return collector.Groups;
    }

    /// <summary>
    /// The parameters by group: <c>embeddings</c> (including the word embeddings, which are also the decoder
    /// weight), <c>layer.{i}</c>, <c>pooler</c> (if any) and <c>mlm_head</c> (the head transform and
    /// <c>cls.predictions.bias</c>). Names are full state-dict names (<c>bert.…</c>, <c>cls.…</c>).
    /// </summary>
    /// <param name="model">The masked-LM model.</param>
    /// <returns>The groups; every parameter appears once.</returns>
    public static IReadOnlyList<BertParameterGroup> GetParameterGroups(this BertForMaskedLM model)
    {
        var collector = new Collector();
        collector.AddEncoder(model.Bert, "bert.");
        collector.Add("mlm_head", BertParameterGroupKind.MlmHead, null, model.Cls, "cls.");
        return collector.Groups;
    }

    /// <summary>
    /// The parameters by group: <c>embeddings</c>, <c>layer.{i}</c>, <c>pooler</c> (with [CLS] pooling), <c>classifier</c>;
    /// names are full state-dict names (<c>bert.…</c>, <c>classifier.…</c>).
    /// </summary>
    /// <param name="model">The classifier.</param>
    /// <returns>The groups; every parameter appears once.</returns>
    public static IReadOnlyList<BertParameterGroup> GetParameterGroups(this BertForSequenceClassification model)
    {
        var collector = new Collector();
        collector.AddEncoder(model.Bert, "bert.");
        collector.Add("classifier", BertParameterGroupKind.Classifier, null, model.Classifier, "classifier.");
        return collector.Groups;
    }

    /// <summary>Builds the groups, listing each parameter object only once across all of them.</summary>
    private sealed class Collector
    {
        private readonly HashSet<Parameter> _seen = new(ReferenceEqualityComparer.Instance);
        private readonly List<BertParameterGroup> _groups = new();

        public IReadOnlyList<BertParameterGroup> Groups => _groups;

        public void AddEncoder(BertModel model, string prefix)
        {
            Add("embeddings", BertParameterGroupKind.Embeddings, null, model.Embeddings, prefix + "embeddings.");
            var layers = model.Encoder.Layers;
            for (var i = 0; i < layers.Count; i++)
            {
                var index = i.ToString(CultureInfo.InvariantCulture);
                Add("layer." + index, BertParameterGroupKind.EncoderLayer, i, layers[i], prefix + "encoder.layer." + index + ".");
            }

            if (model.Pooler is { } pooler)
            {
                Add("pooler", BertParameterGroupKind.Pooler, null, pooler, prefix + "pooler.");
            }
        }

        public void Add(string groupName, BertParameterGroupKind kind, int? layerIndex, torch.nn.Module module, string prefix)
        {
            var parameters = new List<(string Name, Parameter Parameter)>();
            foreach (var (name, parameter) in module.named_parameters())
            {
                if (_seen.Add(parameter))
                {
                    parameters.Add((prefix + name, parameter));
                }
            }

            _groups.Add(new BertParameterGroup(groupName, kind, layerIndex, parameters));
        }
    }
}
