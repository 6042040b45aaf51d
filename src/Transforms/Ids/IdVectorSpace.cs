using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Ids;

/// <summary>
/// The vectors of every known item in item space (m_1): trained items keep e_i1, items known only from the attribute
/// table get Σ_k w_ik M_k e_ik; with <see cref="IdItemVector.ItemAndAttributes"/>, each followed by the item's weighted
/// attribute vectors w_ik e_ik. Answers nearest-neighbour queries by cosine similarity over all of them at once, and,
/// when the model kept its context side, next-item queries by the model's own pair score (<see cref="NextItemScores"/>).
/// </summary>
internal sealed class IdVectorSpace : IDisposable
{
    private readonly Tensor _unit;
    private readonly bool[] _hasVector;
    private readonly Tensor _jointTargets;
    private readonly Tensor? _contexts;
    private readonly Tensor? _logPriors;

    public IdVectorSpace(IdEmbeddingTables tables, IdVocabulary items, IReadOnlyList<IdAttributeType> attributes, int trainedItemCount, IdItemVector itemVector = IdItemVector.Item)
    {
        Tables = tables;
        Items = items;
        Attributes = attributes;
        TrainedItemCount = trainedItemCount;
        ItemVector = itemVector;
        Dimension = (int)tables.Item.shape[1] + (itemVector == IdItemVector.ItemAndAttributes ? attributes.Sum(a => a.Dimension) : 0);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int n = items.Count;
        var rows = attributes.Select(a => tensor(Enumerable.Range(0, n).Select(a.RowOfItem).Select(r => (long)r).ToArray())).ToList();
        var weights = attributes.Select(a => tensor(Enumerable.Range(0, n).Select(i => a.Weight(a.RowOfItem(i))).ToArray())).ToList();
        // An item known only from the attribute table has a vector when a trained item carries one of its IDs (weight > 0).
        _hasVector = Enumerable.Range(0, n).Select(i => i < trainedItemCount || attributes.Any(a => a.Weight(a.RowOfItem(i)) > 0)).ToArray();
        var fromAttributes = tables.FromAttributes(n, rows, weights);
        var vectors = n == trainedItemCount
            ? tables.Item.detach().clone()
            : cat(new[] { tables.Item.detach(), fromAttributes.narrow(0, trainedItemCount, n - trainedItemCount) }, 0);
        var joint = WithAttributes(vectors, rows, weights, always: true);
        vectors = ItemVector == IdItemVector.ItemAndAttributes ? joint : vectors;
        Vectors = vectors.contiguous().data<float>().ToArray();
        _unit = nn.functional.normalize(vectors, p: 2, dim: 1).contiguous().MoveToOuterDisposeScope();
        _jointTargets = joint.contiguous().MoveToOuterDisposeScope();
        if (tables.HasContext)
        {
            // An item never trained has no context vector of its own (e′_j1 = 0) and no frequency: it gets the prior of the
            // least probable trained item.
            var itemContexts = n == trainedItemCount
                ? tables.ItemContext!.detach()
                : cat(new[] { tables.ItemContext!.detach(), zeros(n - trainedItemCount, tables.ItemContext!.shape[1]) }, 0);
            var parts = new List<Tensor> { itemContexts };
            parts.AddRange(attributes.Select((_, k) => tables.AttributeContexts[k].detach().index_select(0, rows[k]) * weights[k].unsqueeze(1)));
            _contexts = cat(parts, 1).contiguous().MoveToOuterDisposeScope();
            var trainedPriors = tables.ItemLogPrior!;
            _logPriors = (n == trainedItemCount || trainedItemCount == 0
                ? trainedPriors.clone()
                : cat(new[] { trainedPriors, trainedPriors.min().expand(n - trainedItemCount) }, 0)).MoveToOuterDisposeScope();
        }
    }

    public IdEmbeddingTables Tables { get; }

    /// <summary>Every known item: the trained ones first (their table rows), then those known from attributes only.</summary>
    public IdVocabulary Items { get; }

    public IReadOnlyList<IdAttributeType> Attributes { get; }

    public int TrainedItemCount { get; }

    public IdItemVector ItemVector { get; }

    public int Dimension { get; }

    /// <summary>Whether next-item scores are available (model files of payload version 1 lack the context side).</summary>
    public bool HasContext => _contexts is not null;

    /// <summary>
    /// The joint target vectors [e_i1, w_i2 e_i2, …] of every known item ([items, m_1 + Σ m_k]) whatever
    /// <see cref="ItemVector"/> is; e_i1 is Σ_k w_ik M_k e_ik for items not trained. Queries of <see cref="NextItemScores"/>
    /// are means of these.
    /// </summary>
    public Tensor JointTargets => _jointTargets;

    /// <summary>
    /// Next-item scores of every known item for each query ([queries, m_1 + Σ m_k], e.g. the mean joint target vector of
    /// a user's recent items): s(u, j) + log q(j) = Σ_k (w_jk e′_jk)ᵀ u_k + log q(j), where q is the negative sampler's
    /// distribution. Skip-gram with negatives from q makes s(i, j) ≈ log P(j | i) − log q(j) + const, so this ranks items by
    /// how likely they follow; for a mean of several items it is the mean of their log-likelihoods (a product of experts).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no context side (a model file of payload version 1).</exception>
    public Tensor NextItemScores(Tensor queries)
    {
        if (_contexts is null)
        {
            throw new InvalidOperationException(
                "This model has no context tables (its model file was written by an earlier version, payload version 1), so it cannot give next-item scores; " +
                "rank by cosine similarity (IdRecommendationScore.Cosine) or retrain it.");
        }

        return queries.matmul(_contexts.t()) + _logPriors!.unsqueeze(0);
    }

    /// <summary>Item vectors, row-major, items × <see cref="Dimension"/>.</summary>
    public float[] Vectors { get; }

    /// <summary>
    /// Whether known item <paramref name="item"/> has a vector: trained, or carrying an attribute ID that a trained item
    /// carries. The others have a zero vector, which means nothing, and are never candidates of <see cref="Nearest"/>.
    /// </summary>
    public bool HasVector(int item) => _hasVector[item];

    /// <summary>Whether <paramref name="attributeIds"/> (one ID or null per attribute type) hold an ID that a trained item carries.</summary>
    public bool HasUsableAttributes(string?[] attributeIds) =>
        Attributes.Where((type, k) => type.Weight(type.RowOf(attributeIds[k])) > 0).Any();

    /// <summary>A copy of known item <paramref name="item"/>'s vector.</summary>
    public float[] VectorOf(int item) => Vectors.AsSpan(item * Dimension, Dimension).ToArray();

    /// <summary>Σ_k w_ik M_k e_ik for each row of <paramref name="attributeIds"/> (one ID or null per attribute type).</summary>
    public float[][] FromAttributeIds(IReadOnlyList<string?[]> attributeIds)
    {
        if (attributeIds.Count == 0)
        {
            return Array.Empty<float[]>();
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rows = new List<Tensor>();
        var weights = new List<Tensor>();
        for (int k = 0; k < Attributes.Count; k++)
        {
            var type = Attributes[k];
            var r = attributeIds.Select(ids => type.RowOf(ids[k])).ToArray();
            rows.Add(tensor(r.Select(x => (long)x).ToArray()));
            weights.Add(tensor(r.Select(type.Weight).ToArray()));
        }

        var result = WithAttributes(Tables.FromAttributes(attributeIds.Count, rows, weights), rows, weights, always: false).contiguous().data<float>().ToArray();
        return Enumerable.Range(0, attributeIds.Count).Select(i => result.AsSpan(i * Dimension, Dimension).ToArray()).ToArray();
    }

    /// <summary>
    /// The <paramref name="count"/> known items with a vector most similar (cosine) to <paramref name="query"/>, best first,
    /// among those <paramref name="allowed"/> accepts (null: all). A zero query has no direction and gives an empty list.
    /// </summary>
    public IReadOnlyList<ScoredId> Nearest(float[] query, int count, Func<int, bool>? allowed)
    {
        using var scope = NewDisposeScope();
        var q = tensor(query);
        var norm = q.norm().item<float>();
        if (norm == 0 || count <= 0)
        {
            return Array.Empty<ScoredId>();
        }

        return Top(_unit.matmul(q / norm).data<float>().ToArray(), count, allowed);
    }

    /// <summary>
    /// The <paramref name="count"/> known items with a vector most likely to follow <paramref name="recentItems"/> (known
    /// items with a vector, oldest first), best first, among those <paramref name="allowed"/> accepts (null: all): by
    /// <see cref="NextItemScores"/> of the mean joint target vector of the items (with none, by the prior alone).
    /// </summary>
    public IReadOnlyList<ScoredId> NextItems(IReadOnlyList<int> recentItems, int count, Func<int, bool>? allowed)
    {
        using var scope = NewDisposeScope();
        var query = recentItems.Count == 0
            ? zeros(1, _jointTargets.shape[1])
            : _jointTargets.index_select(0, tensor(recentItems.Select(i => (long)i).ToArray())).mean(new long[] { 0 }, keepdim: true);
        return count <= 0 ? Array.Empty<ScoredId>() : Top(NextItemScores(query)[0].data<float>().ToArray(), count, allowed);
    }

    /// <summary>The <paramref name="count"/> best-scoring items with a vector that <paramref name="allowed"/> accepts; ties by item order, so that rankings are reproducible.</summary>
    private IReadOnlyList<ScoredId> Top(float[] scores, int count, Func<int, bool>? allowed)
    {
        var candidates = Enumerable.Range(0, scores.Length).Where(HasVector);
        if (allowed is not null)
        {
            candidates = candidates.Where(allowed);
        }

        return candidates
            .OrderByDescending(i => scores[i]).ThenBy(i => i)
            .Take(count)
            .Select(i => new ScoredId(Items.Ids[i], scores[i]))
            .ToArray();
    }

    /// <summary>
    /// Appends each row's weighted attribute vectors w_ik e_ik to <paramref name="itemPart"/>: always, or (not
    /// <paramref name="always"/>) only with <see cref="IdItemVector.ItemAndAttributes"/>.
    /// </summary>
    private Tensor WithAttributes(Tensor itemPart, IReadOnlyList<Tensor> rows, IReadOnlyList<Tensor> weights, bool always)
    {
        if ((!always && ItemVector != IdItemVector.ItemAndAttributes) || Attributes.Count == 0)
        {
            return itemPart;
        }

        var parts = new List<Tensor> { itemPart };
        for (int k = 0; k < Attributes.Count; k++)
        {
            parts.Add(Tables.Attributes[k].detach().index_select(0, rows[k]) * weights[k].unsqueeze(1));
        }

        return cat(parts, 1);
    }

    public void Dispose()
    {
        _unit.Dispose();
        _jointTargets.Dispose();
        _contexts?.Dispose();
        _logPriors?.Dispose();
        Tables.Dispose();
    }
}
