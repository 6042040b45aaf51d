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
    private readonly IReadOnlyList<AttributeBackOff> _backOffs = Array.Empty<AttributeBackOff>();

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
        // Only the items not trained take their vector from their attribute IDs.
        int untrained = n - trainedItemCount;
        var vectors = untrained == 0
            ? tables.Item.detach().clone()
            : cat(new[]
            {
                tables.Item.detach(),
                tables.FromAttributes(untrained, rows.Select(r => r.narrow(0, trainedItemCount, untrained)).ToList(), weights.Select(w => w.narrow(0, trainedItemCount, untrained)).ToList()),
            }, 0);
        var joint = WithAttributes(vectors, rows, weights, always: true);
        vectors = ItemVector == IdItemVector.ItemAndAttributes ? joint : vectors;
        Vectors = vectors.contiguous().data<float>().ToArray();
        _unit = nn.functional.normalize(vectors, p: 2, dim: 1).contiguous().DetachFromDisposeScope();
        _jointTargets = joint.contiguous().DetachFromDisposeScope();
        if (tables.HasContext)
        {
            // An item never trained has no context vector of its own and no frequency: its prior here is −∞, so the product
            // scores it −∞, and NextItemScores replaces that by the back-off to its attribute IDs (AttributeBackOff) when it
            // has a vector. Its context row only keeps the matrix shape.
            var itemContexts = n == trainedItemCount
                ? tables.ItemContext!.detach()
                : cat(new[] { tables.ItemContext!.detach(), zeros(n - trainedItemCount, tables.ItemContext!.shape[1]) }, 0);
            var parts = new List<Tensor> { itemContexts };
            parts.AddRange(attributes.Select((_, k) => tables.AttributeContexts[k].detach().index_select(0, rows[k]) * weights[k].unsqueeze(1)));
            _contexts = cat(parts, 1).contiguous().DetachFromDisposeScope();
            var trainedPriors = tables.ItemLogPrior!;
            _logPriors = cat(new[] { trainedPriors, full(n - trainedItemCount, float.NegativeInfinity) }, 0).DetachFromDisposeScope();
            _backOffs = AttributeBackOff.For(attributes, trainedItemCount, n);
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
    /// That holds for trained items. An item never trained has neither e′_j1 nor a frequency: it backs off to its most
    /// specific attribute ID that trained items carry (the one fewest trained items share; ties to the earlier type) and
    /// scores as an average item of that ID, the log of the mean of exp(score) over those trained items. (Every
    /// never-trained item with a vector has such an ID; the others are never candidates.)
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

        var scores = queries.matmul(_contexts.t()) + _logPriors!.unsqueeze(0);
        if (_backOffs.Count == 0)
        {
            return scores;
        }

        // exp of the trained items' scores relative to each query's best, in double precision, so that an ID's mean
        // underflows to 0 (score −∞) only when all its items score more than about 700 below the best item. (TorchSharp
        // 0.107 has no scatter_reduce for a per-ID maximum.)
        var trained = scores.narrow(1, 0, TrainedItemCount).to(ScalarType.Float64);
        var best = trained.max(1, keepdim: true).values;
        var relative = (trained - best).exp();
        foreach (var backOff in _backOffs)
        {
            scores.index_copy_(1, backOff.Items, backOff.Scores(relative, best).to(scores.dtype));
        }

        return scores;
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
        foreach (var backOff in _backOffs)
        {
            backOff.Dispose();
        }

        Tables.Dispose();
    }

    /// <summary>
    /// The next-item scores of the never-trained items that back off to attribute type k: each is the log of the mean of
    /// exp(score) over the trained items sharing its ID of that type (P(j | u) of an average item with the ID, a
    /// class-based back-off). Each such item uses the type whose ID the fewest trained items share, the most specific
    /// evidence; ties go to the earlier type.
    /// </summary>
    private sealed class AttributeBackOff : IDisposable
    {
        private readonly Tensor _trainedRows;
        private readonly Tensor _trainedPerRow;
        private readonly Tensor _itemRows;

        private AttributeBackOff(Tensor trainedRows, Tensor trainedPerRow, Tensor items, Tensor itemRows)
        {
            _trainedRows = trainedRows;
            _trainedPerRow = trainedPerRow;
            Items = items;
            _itemRows = itemRows;
        }

        /// <summary>The never-trained items (known-item indices) that back off to this type.</summary>
        public Tensor Items { get; }

        /// <summary>One back-off per attribute type that some never-trained item backs off to; items [<paramref name="trainedItemCount"/>, <paramref name="itemCount"/>) are the never-trained ones.</summary>
        public static IReadOnlyList<AttributeBackOff> For(IReadOnlyList<IdAttributeType> attributes, int trainedItemCount, int itemCount)
        {
            // Trained items per table row of each type (the missing row, shared by items without the ID, counts none).
            var trainedPerRow = attributes.Select(type =>
            {
                var counts = new int[type.MissingRow + 1];
                for (int i = 0; i < trainedItemCount; i++)
                {
                    counts[type.RowOfItem(i)]++;
                }

                counts[type.MissingRow] = 0;
                return counts;
            }).ToArray();
            var typeOfItem = Enumerable.Range(trainedItemCount, itemCount - trainedItemCount).ToLookup(item =>
                Enumerable.Range(0, attributes.Count)
                    .Where(k => trainedPerRow[k][attributes[k].RowOfItem(item)] > 0)
                    .Select(k => (int?)k)
                    .MinBy(k => trainedPerRow[k!.Value][attributes[k.Value].RowOfItem(item)]));
            var backOffs = new List<AttributeBackOff>();
            for (int k = 0; k < attributes.Count; k++)
            {
                var items = typeOfItem[k].ToArray();
                if (items.Length > 0)
                {
                    var type = attributes[k];
                    // Owned by the back-off, whatever dispose scope builds the space.
                    backOffs.Add(new AttributeBackOff(
                        tensor(Enumerable.Range(0, trainedItemCount).Select(i => (long)type.RowOfItem(i)).ToArray()).DetachFromDisposeScope(),
                        tensor(trainedPerRow[k].Select(c => (double)c).ToArray()).DetachFromDisposeScope(),
                        tensor(items.Select(i => (long)i).ToArray()).DetachFromDisposeScope(),
                        tensor(items.Select(i => (long)type.RowOfItem(i)).ToArray()).DetachFromDisposeScope()));
                }
            }

            return backOffs;
        }

        /// <summary>
        /// Scores of <see cref="Items"/> ([queries, items], float64) from exp(score − best) of every trained item
        /// (<paramref name="relative"/>, [queries, trained], float64) and each query's best score (<paramref name="best"/>, [queries, 1]).
        /// </summary>
        public Tensor Scores(Tensor relative, Tensor best)
        {
            var sums = zeros(relative.shape[0], _trainedPerRow.shape[0], ScalarType.Float64).index_add(1, _trainedRows, relative, 1.0);
            return (sums.index_select(1, _itemRows) / _trainedPerRow.index_select(0, _itemRows).unsqueeze(0)).log() + best;
        }

        public void Dispose()
        {
            _trainedRows.Dispose();
            _trainedPerRow.Dispose();
            Items.Dispose();
            _itemRows.Dispose();
        }
    }
}
