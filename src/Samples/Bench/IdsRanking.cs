using static TorchSharp.torch;

namespace MLNetExtensions.Samples.Bench;

/// <summary>HR@10 and MRR@10 of one method over a list of cases.</summary>
/// <param name="HitRate">Share of cases whose target ranks in the top 10.</param>
/// <param name="Mrr">Mean of 1/rank over cases (0 beyond rank 10).</param>
/// <param name="ColdHitRate">HR@10 over the cases whose target is cold (null: no such case).</param>
internal sealed record IdsRankingMetrics(double HitRate, double Mrr, double? ColdHitRate);

/// <summary>How a vector method ranks items from a case's recent items.</summary>
internal enum VectorRanking
{
    /// <summary>Cosine similarity to the mean vector of the recent items (the user vector).</summary>
    Cosine,

    /// <summary>The skip-gram's next-item score: the mean joint target vector of the recent items against each item's context vector, plus the item's log prior under the method's negative sampler.</summary>
    NextItem,
}

/// <summary>A vector method's ranking rule: cosine or next-item score, from the <paramref name="Recent"/> most recent items that have a vector.</summary>
internal sealed record VectorScoring(VectorRanking Ranking, int Recent)
{
    /// <summary>The rules each vector method chooses from by validation HR@10: both rankings from the last 1, 5 (the estimator's default) or 10 items.</summary>
    public static readonly IReadOnlyList<VectorScoring> Candidates =
        (from ranking in new[] { VectorRanking.Cosine, VectorRanking.NextItem } from recent in new[] { 1, 5, IdsDataset.MaximumRecentItems } select new VectorScoring(ranking, recent)).ToArray();

    public override string ToString() => $"{(Ranking == VectorRanking.Cosine ? "cosine" : "next_item")}/last {Recent}";
}

/// <summary>
/// Ranks every item for each case by a method's score, ties broken by training popularity and then by item order, and
/// measures where the target lands. Scores come in batches of cases as a [cases, items] tensor.
/// </summary>
internal static class IdsRanking
{
    private const int CutOff = 10;
    private const int CasesPerBatch = 256;

    /// <summary>Scores of all items for a batch of cases.</summary>
    public delegate Tensor Scorer(IReadOnlyList<IdsCase> cases);

    public static IdsRankingMetrics Evaluate(IdsDataset dataset, IReadOnlyList<IdsCase> cases, Scorer scorer)
    {
        using var scope = NewDisposeScope();
        // A strict total order for ties: popularity, then lower index first.
        int n = dataset.Items.Length;
        var tieKey = tensor(dataset.Popularity.Select((p, i) => ((double)p * n) + (n - i)).ToArray());
        long hits = 0, coldHits = 0, coldCases = 0;
        double reciprocal = 0;
        for (int start = 0; start < cases.Count; start += CasesPerBatch)
        {
            using var batchScope = NewDisposeScope();
            var batch = cases.Skip(start).Take(CasesPerBatch).ToArray();
            var targets = tensor(batch.Select(c => (long)c.Target).ToArray());
            var scores = scorer(batch).to(ScalarType.Float64);
            var targetScore = scores.gather(1, targets.unsqueeze(1));
            var targetTie = tieKey.index_select(0, targets).unsqueeze(1);
            var ahead = scores.gt(targetScore).logical_or(scores.eq(targetScore).logical_and(tieKey.unsqueeze(0).gt(targetTie)));
            var ranks = ahead.sum(1).data<long>().ToArray();
            for (int i = 0; i < batch.Length; i++)
            {
                bool hit = ranks[i] < CutOff;
                hits += hit ? 1 : 0;
                reciprocal += hit ? 1.0 / (ranks[i] + 1) : 0;
                if (dataset.Cold[batch[i].Target])
                {
                    coldCases++;
                    coldHits += hit ? 1 : 0;
                }
            }
        }

        return new IdsRankingMetrics((double)hits / cases.Count, reciprocal / cases.Count, coldCases == 0 ? null : (double)coldHits / coldCases);
    }

    /// <summary>Training popularity, the same for every case.</summary>
    public static Scorer Popularity(IdsDataset dataset)
    {
        var popularity = tensor(dataset.Popularity.Select(p => (double)p).ToArray());
        return cases => popularity.unsqueeze(0).expand(cases.Count, -1);
    }

    /// <summary>The number of attribute IDs a candidate shares with the last item (ties then go by popularity).</summary>
    public static Scorer Content(IdsDataset dataset)
    {
        int n = dataset.Items.Length;
        var columns = Enumerable.Range(0, dataset.AttributeColumns.Count).Select(k =>
        {
            var ids = new Dictionary<string, long>(StringComparer.Ordinal);
            // Missing IDs get distinct negative codes so that they never match.
            return tensor(dataset.AttributeIds.Select((a, i) => a[k] is { } id ? ids.TryAdd(id, ids.Count) ? ids[id] : ids[id] : -1L - i).ToArray());
        }).ToArray();
        return cases =>
        {
            var last = tensor(cases.Select(c => (long)c.LastItem).ToArray());
            var shared = zeros(last.shape[0], n, ScalarType.Float64);
            foreach (var codes in columns)
            {
                shared = shared + codes.index_select(0, last).unsqueeze(1).eq(codes.unsqueeze(0)).to(ScalarType.Float64);
            }

            return shared;
        };
    }

    /// <summary>
    /// A vector method's scores under <paramref name="scoring"/>. <paramref name="table"/> ([items, d], dataset order)
    /// holds what a query averages: the vectors compared by cosine, or for <see cref="VectorRanking.NextItem"/> the
    /// joint target vectors that <paramref name="nextItemScores"/> turns into scores of every item ([queries, d] →
    /// [queries, items]). Only items with a vector count among the recent ones, as in <c>IdEmbeddingTransformer.UserEmbedding</c>;
    /// a case with none has a zero query. Under cosine, items without a vector score 0.
    /// </summary>
    public static Scorer Vectors(VectorScoring scoring, Tensor table, bool[] hasVector, Func<Tensor, Tensor>? nextItemScores = null)
    {
        if (scoring.Ranking == VectorRanking.Cosine)
        {
            var unit = nn.functional.normalize(table, p: 2, dim: 1);
            return cases => nn.functional.normalize(RecentMeans(table, hasVector, cases, scoring.Recent), p: 2, dim: 1).matmul(unit.t());
        }

        ArgumentNullException.ThrowIfNull(nextItemScores);
        return cases => nextItemScores(RecentMeans(table, hasVector, cases, scoring.Recent));
    }

    /// <summary>Next-item scores q·c_j + log p_j from context vectors ([items, d]) and log priors ([items]); -∞ for items without a vector (not candidates).</summary>
    public static Func<Tensor, Tensor> NextItemScores(float[] contexts, double[] logPriors, bool[] hasVector)
    {
        var contextTable = tensor(contexts).view(logPriors.Length, -1);
        var priors = tensor(logPriors.Select((p, i) => hasVector[i] ? p : double.NegativeInfinity).ToArray()).to(ScalarType.Float32);
        return queries => queries.matmul(contextTable.t()) + priors.unsqueeze(0);
    }

    /// <summary>For each case, the mean of the vectors of its <paramref name="recent"/> most recent items that have one: [cases, d].</summary>
    private static Tensor RecentMeans(Tensor table, bool[] hasVector, IReadOnlyList<IdsCase> cases, int recent)
    {
        var indices = new long[cases.Count * recent];
        var weights = new float[cases.Count * recent];
        for (int c = 0; c < cases.Count; c++)
        {
            var chosen = cases[c].Before.Where(i => hasVector[i]).TakeLast(recent).ToArray();
            for (int t = 0; t < chosen.Length; t++)
            {
                indices[(c * recent) + t] = chosen[t];
                weights[(c * recent) + t] = 1f / chosen.Length;
            }
        }

        var gathered = table.index_select(0, tensor(indices)).view(cases.Count, recent, -1);
        return (gathered * tensor(weights).view(cases.Count, recent, 1)).sum(1);
    }
}
