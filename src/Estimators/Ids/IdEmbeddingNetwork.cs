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
    /// The target side of items [n]: [e_i1, w_i2 e_i2, …, w_iK e_iK] concatenated, [n, m_1 + Σ m_k], so that the context score
    /// Σ_k (w_jk e′_jk)ᵀ (w_ik e_ik) of a pair is one dot product. Missing attribute IDs have w = 0 and add nothing.
    /// </summary>
    public Tensor TargetVectors(Tensor items) => Weighted(items, Target.Item, Target.Attributes);

    /// <summary>The context side of items [n]: [e′_j1, w_j2 e′_j2, …], like <see cref="TargetVectors"/>.</summary>
    public Tensor ContextVectors(Tensor items) => Weighted(items, _itemContext, _attributeContexts);

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

    private Tensor Weighted(Tensor items, Tensor itemTable, IReadOnlyList<Tensor> attributeTables)
    {
        if (AttributeCount == 0)
        {
            return itemTable.index_select(0, items);
        }

        var parts = new List<Tensor> { itemTable.index_select(0, items) };
        for (int k = 0; k < AttributeCount; k++)
        {
            parts.Add(attributeTables[k].index_select(0, _rows[k].index_select(0, items)) * _weights[k].index_select(0, items).unsqueeze(1));
        }

        return cat(parts, 1);
    }

    private static void Xavier(Tensor table, Generator generator)
    {
        double bound = Math.Sqrt(6.0 / (table.shape[0] + table.shape[1]));
        table.uniform_(-bound, bound, generator);
    }
}
