using MLNetExtensions.Transforms.Ids;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// The model trained: the tables of both sides (<see cref="IdEmbeddingTables"/>: target tables and transitions, which
/// transfer, and context tables), with each trained item's attribute rows and weights w_ik as constant lookup tensors.
/// </summary>
internal sealed class IdEmbeddingNetwork : nn.Module
{
    private readonly Tensor[] _rows;
    private readonly Tensor[] _weights;

    public IdEmbeddingNetwork(IdTrainingVocabulary vocabulary, int itemDimension, Generator generator, Device device)
        : base(nameof(IdEmbeddingNetwork))
    {
        int n = vocabulary.TrainedItemCount;
        var attributes = vocabulary.Attributes;
        Tables = new IdEmbeddingTables(n, itemDimension, attributes.Select(a => (a.Values.Length + 1, a.Dimension)).ToArray());
        register_module("tables", Tables);
        _rows = new Tensor[attributes.Count];
        _weights = new Tensor[attributes.Count];
        for (int k = 0; k < attributes.Count; k++)
        {
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

    /// <summary>Both sides: e_i1, e_ik and M_k, and the context tables e′_1 and e′_k.</summary>
    public IdEmbeddingTables Tables { get; }

    public int AttributeCount => Tables.Attributes.Count;

    /// <summary>Xavier-uniform initialisation of every table and transition; the missing rows of attribute tables stay 0.</summary>
    private void Initialize(Generator generator)
    {
        using var noGrad = no_grad();
        Xavier(Tables.Item, generator);
        Xavier(Tables.ItemContext!, generator);
        for (int k = 0; k < AttributeCount; k++)
        {
            Xavier(Tables.Attributes[k], generator);
            Xavier(Tables.AttributeContexts[k], generator);
            Xavier(Tables.Transitions[k], generator);
            Tables.Attributes[k][-1].zero_();
            Tables.AttributeContexts[k][-1].zero_();
        }
    }

    /// <summary>
    /// The parts of the joint target vectors of <paramref name="items"/> ([N]): e_i1 ([N, m_1]), then w_ik e_ik
    /// ([N, m_k]) for each attribute type. The context score of the paper, s(i, j) = Σ_k (w_jk e′_jk)ᵀ (w_ik e_ik), is the
    /// sum over the parts of the dot products of i's target part with j's context part (<see cref="ContextVectors"/>),
    /// so scores come from matrix products rather than a lookup per pair. Missing attribute IDs have w = 0 and add
    /// nothing.
    /// </summary>
    public IReadOnlyList<Tensor> TargetVectors(Tensor items) => Parts(Tables.Item, Tables.Attributes, items);

    /// <summary>The parts [e′_j1, w_j2 e′_j2, …] of the joint context vectors of <paramref name="items"/> ([N]).</summary>
    public IReadOnlyList<Tensor> ContextVectors(Tensor items) => Parts(Tables.ItemContext!, Tables.AttributeContexts, items);

    /// <summary>
    /// The structural scores Σ_k w_ik e_i1ᵀ M_k e_ik of items from the parts of their joint target vectors (as
    /// <see cref="TargetVectors"/> gives them): [N]; zeros without attribute types.
    /// </summary>
    public Tensor StructuralScores(IReadOnlyList<Tensor> targetParts) =>
        AttributeCount == 0
            ? zeros(targetParts[0].shape[0], device: targetParts[0].device)
            : (Tables.Project(targetParts.Skip(1).ToArray()) * targetParts[0]).sum(1);

    /// <summary>Σ_k ‖M_k‖² (a zero scalar without attribute types).</summary>
    public Tensor TransitionPenalty()
    {
        Tensor penalty = zeros(1, device: Tables.Item.device).squeeze();
        foreach (var transition in Tables.Transitions)
        {
            penalty = penalty + transition.pow(2).sum();
        }

        return penalty;
    }

    private Tensor[] Parts(Tensor itemTable, IReadOnlyList<Tensor> attributeTables, Tensor items)
    {
        var parts = new Tensor[attributeTables.Count + 1];
        parts[0] = itemTable.index_select(0, items);
        for (int k = 0; k < attributeTables.Count; k++)
        {
            parts[k + 1] = attributeTables[k].index_select(0, _rows[k].index_select(0, items)) * _weights[k].index_select(0, items).unsqueeze(1);
        }

        return parts;
    }

    /// <summary>Also frees the attribute rows and weights, which are lookup tensors, not registered parameters.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var tensor in _rows.Concat(_weights))
            {
                tensor.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private static void Xavier(Tensor table, Generator generator)
    {
        double bound = Math.Sqrt(6.0 / (table.shape[0] + table.shape[1]));
        table.uniform_(-bound, bound, generator);
    }
}
