using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Ids;

/// <summary>
/// The skip-gram model's tables. The target side transfers: the item table e_i1 (items × m_1), one table e_k per
/// attribute ID type (IDs + 1 missing row, × m_k) and one transition matrix M_k (m_1 × m_k) per attribute type. The
/// context side, e′_1 and e′_k of the same shapes, scores pairs, s(i, j) = Σ_k (w_jk e′_jk)ᵀ (w_ik e_ik); with the log
/// probability of each trained item under the negative sampler (a buffer, not trained) it gives next-item scores. Model
/// files of payload version 1 hold the target side only.
/// </summary>
internal sealed class IdEmbeddingTables : nn.Module
{
    private readonly Parameter[] _attributes;
    private readonly Parameter[] _transitions;
    private readonly Parameter[] _attributeContexts;

    public IdEmbeddingTables(int itemCount, int itemDimension, IReadOnlyList<(int Rows, int Dimension)> attributeTypes, bool withContext = true)
        : base(nameof(IdEmbeddingTables))
    {
        Item = OwnedZeros(itemCount, itemDimension);
        register_parameter("item_embedding", Item);
        _attributes = new Parameter[attributeTypes.Count];
        _transitions = new Parameter[attributeTypes.Count];
        _attributeContexts = new Parameter[withContext ? attributeTypes.Count : 0];
        for (int k = 0; k < attributeTypes.Count; k++)
        {
            _attributes[k] = OwnedZeros(attributeTypes[k].Rows, attributeTypes[k].Dimension);
            _transitions[k] = OwnedZeros(itemDimension, attributeTypes[k].Dimension);
            register_parameter($"attribute_{k}_embedding", _attributes[k]);
            register_parameter($"attribute_{k}_transition", _transitions[k]);
        }

        if (withContext)
        {
            ItemContext = OwnedZeros(itemCount, itemDimension);
            register_parameter("item_context", ItemContext);
            for (int k = 0; k < attributeTypes.Count; k++)
            {
                _attributeContexts[k] = OwnedZeros(attributeTypes[k].Rows, attributeTypes[k].Dimension);
                register_parameter($"attribute_{k}_context", _attributeContexts[k]);
            }

            ItemLogPrior = zeros(itemCount).DetachFromDisposeScope();
            register_buffer("item_log_prior", ItemLogPrior);
        }
    }

    /// <summary>
    /// A zero parameter owned by the module (and freed with it), not by a dispose scope around whoever builds the tables:
    /// a model fitted or loaded inside the caller's <c>torch.NewDisposeScope()</c> must outlive it.
    /// </summary>
    private static Parameter OwnedZeros(long rows, long columns)
    {
        var parameter = new Parameter(zeros(rows, columns).DetachFromDisposeScope());
        parameter.DetachFromDisposeScope();
        return parameter;
    }

    /// <summary>Whether the context side is present (model files of payload version 1 lack it).</summary>
    public bool HasContext => ItemContext is not null;

    /// <summary>The item context table e′_1, or null without the context side.</summary>
    public Parameter? ItemContext { get; }

    /// <summary>The context table e′_k of each attribute type (empty without the context side).</summary>
    public IReadOnlyList<Parameter> AttributeContexts => _attributeContexts;

    /// <summary>log q(j) of each trained item j under the negative sampler training drew from, or null without the context side.</summary>
    public Tensor? ItemLogPrior { get; }

    /// <summary>The item table e_i1.</summary>
    public Parameter Item { get; }

    /// <summary>The table of attribute type <c>k</c> (0-based over attribute types, i.e. the paper's k + 2).</summary>
    public IReadOnlyList<Parameter> Attributes => _attributes;

    /// <summary>The transition matrices M_k.</summary>
    public IReadOnlyList<Parameter> Transitions => _transitions;

    /// <summary>
    /// Σ_k w_ik M_k e_ik for <paramref name="count"/> items whose attribute rows are <paramref name="rows"/>[k] and weights
    /// <paramref name="weights"/>[k]: the vectors of items from their attribute IDs, count × m_1 (zeros without attribute types).
    /// Computed in chunks of a fixed <see cref="ChunkRows"/> rows, the last one padded: a matrix product's last bits
    /// depend on how many rows it multiplies, and an item's vector must not depend on which items share its call (a
    /// prediction engine's single row, a Transform batch, the model's own table of cold items).
    /// </summary>
    public Tensor FromAttributes(long count, IReadOnlyList<Tensor> rows, IReadOnlyList<Tensor> weights)
    {
        if (_attributes.Length == 0 || count == 0)
        {
            return zeros(count, Item.shape[1]);
        }

        var chunks = new List<Tensor>();
        for (long start = 0; start < count; start += ChunkRows)
        {
            long size = Math.Min(ChunkRows, count - start);
            var weighted = _attributes.Select((table, k) =>
            {
                var part = table.index_select(0, rows[k].narrow(0, start, size)) * weights[k].narrow(0, start, size).unsqueeze(1);
                return size == ChunkRows ? part : cat(new[] { part, zeros(ChunkRows - size, part.shape[1]) }, 0);
            }).ToArray();
            chunks.Add(Project(weighted).narrow(0, 0, size));
        }

        return cat(chunks, 0);
    }

    /// <summary>Rows per product in <see cref="FromAttributes"/>.</summary>
    internal const int ChunkRows = 64;

    /// <summary>
    /// Σ_k M_k v_k in item space ([N, m_1]) for weighted attribute vectors v_k = w_ik e_ik ([N, m_k] per attribute type,
    /// at least one): what an item's attribute IDs give it, and, dotted with e_i1, its structural score in training.
    /// </summary>
    public Tensor Project(IReadOnlyList<Tensor> weightedAttributes)
    {
        var sum = weightedAttributes[0].matmul(_transitions[0].t());
        for (int k = 1; k < weightedAttributes.Count; k++)
        {
            sum = sum + weightedAttributes[k].matmul(_transitions[k].t());
        }

        return sum;
    }
}
