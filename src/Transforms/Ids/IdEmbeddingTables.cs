using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Ids;

/// <summary>
/// The vectors that transfer: the item table e_i1 (items × m_1), one table e_k per attribute ID type (IDs + 1 missing
/// row, × m_k) and one transition matrix M_k (m_1 × m_k) per attribute type. These are the "target" side of the
/// skip-gram model; the context tables exist only during training.
/// </summary>
internal sealed class IdEmbeddingTables : nn.Module
{
    private readonly Parameter[] _attributes;
    private readonly Parameter[] _transitions;

    public IdEmbeddingTables(int itemCount, int itemDimension, IReadOnlyList<(int Rows, int Dimension)> attributeTypes)
        : base(nameof(IdEmbeddingTables))
    {
        Item = new Parameter(zeros(itemCount, itemDimension));
        register_parameter("item_embedding", Item);
        _attributes = new Parameter[attributeTypes.Count];
        _transitions = new Parameter[attributeTypes.Count];
        for (int k = 0; k < attributeTypes.Count; k++)
        {
            _attributes[k] = new Parameter(zeros(attributeTypes[k].Rows, attributeTypes[k].Dimension));
            _transitions[k] = new Parameter(zeros(itemDimension, attributeTypes[k].Dimension));
            register_parameter($"attribute_{k}_embedding", _attributes[k]);
            register_parameter($"attribute_{k}_transition", _transitions[k]);
        }
    }

    /// <summary>The item table e_i1.</summary>
    public Parameter Item { get; }

    /// <summary>The table of attribute type <c>k</c> (0-based over attribute types, i.e. the paper's k + 2).</summary>
    public IReadOnlyList<Parameter> Attributes => _attributes;

    /// <summary>The transition matrices M_k.</summary>
    public IReadOnlyList<Parameter> Transitions => _transitions;

    /// <summary>
    /// Σ_k w_ik M_k e_ik for <paramref name="count"/> items whose attribute rows are <paramref name="rows"/>[k] and weights
    /// <paramref name="weights"/>[k]: the vectors of items from their attribute IDs, count × m_1 (zeros without attribute types).
    /// </summary>
    public Tensor FromAttributes(long count, IReadOnlyList<Tensor> rows, IReadOnlyList<Tensor> weights)
    {
        Tensor? sum = null;
        for (int k = 0; k < _attributes.Length; k++)
        {
            var projected = _attributes[k].index_select(0, rows[k]).matmul(_transitions[k].t()) * weights[k].unsqueeze(1);
            sum = sum is null ? projected : sum + projected;
        }

        return sum ?? zeros(count, Item.shape[1]);
    }
}
