using static TorchSharp.torch;

namespace MLNetExtensions.Samples.Bench;

/// <summary>HR@10 and MRR@10 of one method over a list of cases.</summary>
/// <param name="HitRate">Share of cases whose target ranks in the top 10.</param>
/// <param name="Mrr">Mean of 1/rank over cases (0 beyond rank 10).</param>
/// <param name="ColdHitRate">HR@10 over the cases whose target is cold (null: no such case).</param>
internal sealed record IdsRankingMetrics(double HitRate, double Mrr, double? ColdHitRate);

/// <summary>
/// Ranks every item for each case by a method's score, ties broken by training popularity and then by item order, and
/// measures where the target lands. Scores come in batches of cases as a [cases, items] tensor.
/// </summary>
internal static class IdsRanking
{
    private const int CutOff = 10;
    private const int CasesPerBatch = 256;

    /// <summary>Scores of all items for the last items of a batch of cases.</summary>
    public delegate Tensor Scorer(Tensor lastItems);

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
            var last = tensor(batch.Select(c => (long)c.LastItem).ToArray());
            var targets = tensor(batch.Select(c => (long)c.Target).ToArray());
            var scores = scorer(last).to(ScalarType.Float64);
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
        return last => popularity.unsqueeze(0).expand(last.shape[0], -1);
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
        return last =>
        {
            var shared = zeros(last.shape[0], n, ScalarType.Float64);
            foreach (var codes in columns)
            {
                shared = shared + codes.index_select(0, last).unsqueeze(1).eq(codes.unsqueeze(0)).to(ScalarType.Float64);
            }

            return shared;
        };
    }

    /// <summary>Cosine similarity of item vectors ([items, d] row-major); zero vectors score 0 against everything.</summary>
    public static Scorer Cosine(float[] vectors, int dimension)
    {
        var unit = nn.functional.normalize(tensor(vectors).view(-1, dimension), p: 2, dim: 1);
        return last => unit.index_select(0, last).matmul(unit.t());
    }
}
