using MLNetExtensions.Transforms.Ids;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// The model trained: the target tables and transitions that transfer (<see cref="IdEmbeddingTables"/>) plus one context
/// table per ID type, with each trained item's attribute rows and weights w_ik as constant lookup tensors.
/// </summary>
internal sealed class IdEmbeddingNetwork : nn.Module
{
    private readonly Parameter _itemContext;
    private readonly Parameter[] _attributeContexts;
    private readonly Tensor[] _rows;
    private readonly Tensor[] _weights;

    public IdEmbeddingNetwork(IdTrainingVocabulary vocabulary, int itemDimension, Generator generator, Device device)
        : base(nameof(IdEmbeddingNetwork))
    {
        int n = vocabulary.TrainedItemCount;
        var attributes = vocabulary.Attributes;
        Target = new IdEmbeddingTables(n, itemDimension, attributes.Select(a => (a.Values.Length + 1, a.Dimension)).ToArray());
        register_module("target", Target);
        _itemContext = new Parameter(zeros(n, itemDimension));
        register_parameter("item_context", _itemContext);
        _attributeContexts = new Parameter[attributes.Count];
        _rows = new Tensor[attributes.Count];
        _weights = new Tensor[attributes.Count];
        for (int k = 0; k < attributes.Count; k++)
        {
            _attributeContexts[k] = new Parameter(zeros(attributes[k].Values.Length + 1, attributes[k].Dimension));
            register_parameter($"attribute_{k}_context", _attributeContexts[k]);
            var rows = Enumerable.Range(0, n).Select(attributes[k].RowOfItem).ToArray();
            _rows[k] = tensor(rows.Select(r => (long)r).ToArray(), ScalarType.Int64, device);
            _weights[k] = tensor(rows.Select(attributes[k].Weight).ToArray(), ScalarType.Float32, device);
        }

        Initialize(generator);
        if (device.type != DeviceType.CPU)
        {
            this.to(device);
        }
    }

    /// <summary>The target side: e_i1, e_ik and M_k.</summary>
    public IdEmbeddingTables Target { get; }

    public int AttributeCount => _attributeContexts.Length;

    /// <summary>Xavier-uniform initialisation of every table and transition; the missing rows of attribute tables stay 0.</summary>
    private void Initialize(Generator generator)
    {
        using var noGrad = no_grad();
        Xavier(Target.Item, generator);
        Xavier(_itemContext, generator);
        for (int k = 0; k < AttributeCount; k++)
        {
            Xavier(Target.Attributes[k], generator);
            Xavier(_attributeContexts[k], generator);
            Xavier(Target.Transitions[k], generator);
            Target.Attributes[k][-1].zero_();
            _attributeContexts[k][-1].zero_();
        }
    }

    /// <summary>
    /// Context scores Σ_k (w_jk e′_jk)ᵀ (w_ik e_ik) of targets i ([P]) against candidates j ([P, J]): [P, J]. The item type
    /// has w = 1; missing attribute IDs have w = 0 and add nothing.
    /// </summary>
    public Tensor ContextScores(Tensor targets, Tensor candidates)
    {
        var flat = candidates.reshape(-1);
        var shape = candidates.shape;
        var score = Dot(Target.Item.index_select(0, targets), _itemContext.index_select(0, flat).view(shape[0], shape[1], -1));
        for (int k = 0; k < AttributeCount; k++)
        {
            var targetRows = _rows[k].index_select(0, targets);
            var candidateRows = _rows[k].index_select(0, flat);
            var weight = _weights[k].index_select(0, targets).unsqueeze(1) * _weights[k].index_select(0, flat).view(shape[0], shape[1]);
            var dot = Dot(Target.Attributes[k].index_select(0, targetRows), _attributeContexts[k].index_select(0, candidateRows).view(shape[0], shape[1], -1));
            score = score + weight * dot;
        }

        return score;
    }

    /// <summary>The structural scores Σ_k w_ik e_i1ᵀ M_k e_ik of items <paramref name="items"/> ([Q]): [Q]; zeros without attribute types.</summary>
    public Tensor StructuralScores(Tensor items)
    {
        var rows = _rows.Select(r => r.index_select(0, items)).ToArray();
        var weights = _weights.Select(w => w.index_select(0, items)).ToArray();
        var fromAttributes = Target.FromAttributes(items.shape[0], rows, weights);
        return (Target.Item.index_select(0, items) * fromAttributes).sum(1);
    }

    /// <summary>Σ_k ‖M_k‖² (a zero scalar without attribute types).</summary>
    public Tensor TransitionPenalty()
    {
        Tensor penalty = zeros(1, device: Target.Item.device).squeeze();
        foreach (var transition in Target.Transitions)
        {
            penalty = penalty + transition.pow(2).sum();
        }

        return penalty;
    }

    /// <summary>Each candidate vector [P, J, m] dotted with its target [P, m]: [P, J] (elementwise, not bmm: thousands of tiny matrix products are slow on CPU).</summary>
    private static Tensor Dot(Tensor targets, Tensor candidates) => (candidates * targets.unsqueeze(1)).sum(2);

    private static void Xavier(Tensor table, Generator generator)
    {
        double bound = Math.Sqrt(6.0 / (table.shape[0] + table.shape[1]));
        table.uniform_(-bound, bound, generator);
    }
}
