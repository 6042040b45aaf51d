using MLNetExtensions.Estimators.Ids;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Ids;

/// <summary>The objective's pieces against hand computations on a toy example.</summary>
public sealed class IdEmbeddingObjectiveTests
{
    // Sequences a b c and b d; attributes a: X, b: X, c: Y, e: Y (e never bought), d has no attribute row.
    private static readonly string[][] Sequences = { new[] { "a", "b", "c" }, new[] { "b", "d" } };
    private static readonly (string, string?[])[] AttributeRows = { ("a", new[] { "X" }), ("b", new[] { "X" }), ("c", new[] { "Y" }), ("e", new string?[] { "Y" }) };

    private static IdTrainingVocabulary Vocabulary() => new(Sequences, AttributeRows, new[] { new AttributeIdColumn("Cat", 3) });

    [Fact]
    public void TheVocabulary_NumbersItemsByFrequency_AndWeightsAttributesByTheItemsSharingThem()
    {
        var vocabulary = Vocabulary();
        vocabulary.Items.Ids.Should().Equal("b", "a", "c", "d", "e");
        vocabulary.TrainedItemCount.Should().Be(4);
        vocabulary.Frequencies.Should().Equal(2, 1, 1, 1);
        var cat = vocabulary.Attributes[0];
        cat.Values.Should().Equal("X", "Y");
        cat.Counts.Should().Equal(2, 2); // Y is shared by c and by e, which was never bought
        cat.ItemValues.Should().Equal(0, 0, 1, -1, 1);
        cat.Weight(cat.RowOfItem(0)).Should().Be(0.5f);
        cat.Weight(cat.RowOfItem(3)).Should().Be(0f, "d has no attribute row");
    }

    [Fact]
    public void Pairs_AreEveryWindowPairOnce_InBothDirections()
    {
        var vocabulary = Vocabulary();
        var rows = SkipGramRows.Build(vocabulary.Sequences, window: 1, positionsPerRow: 2);
        rows.Select(r => (string.Join(",", r.Items), r.Prefix)).Should().Equal(("1,0", 0), ("0,2", 1), ("0,3", 0));
        SkipGramRows.PairCount(vocabulary.Sequences, 1).Should().Be(6);
        SkipGramRows.Build(new[] { new[] { 5 } }, 4, 8).Should().BeEmpty("a sequence of one item gives no pair");

        using var scope = NewDisposeScope();
        var batch = SkipGramBatchBuilder.Pad(rows.Select(r => (r.Items, r.Prefix)).ToList(), CPU);
        Pairs(batch, window: 1).Should().BeEquivalentTo(new[] { (1L, 0L), (0L, 1L), (0L, 2L), (2L, 0L), (0L, 3L), (3L, 0L) });

        // A row with a context-only prefix of two (5, 6) and targets 7, 8, padded beside a shorter row: prefix items pair
        // only with target positions, and padding pairs with nothing.
        var longer = SkipGramBatchBuilder.Pad(new[] { (new[] { 5, 6, 7, 8 }, 2), (new[] { 1, 2 }, 0) }, CPU);
        longer.Items.data<long>().ToArray().Should().Equal(5, 6, 7, 8, 1, 2, 0, 0);
        Pairs(longer, window: 2).Should().BeEquivalentTo(new[]
        {
            (5L, 7L), (7L, 5L), (6L, 7L), (7L, 6L), (6L, 8L), (8L, 6L), (7L, 8L), (8L, 7L), (1L, 2L), (2L, 1L),
        });
    }

    /// <summary>The (target, context) items of every pair <see cref="IdEmbeddingObjective.PairMask"/> marks.</summary>
    private static List<(long, long)> Pairs(SkipGramBatch batch, int window)
    {
        var mask = IdEmbeddingObjective.PairMask(batch.IsTarget, window).data<bool>().ToArray();
        var items = batch.Items.data<long>().ToArray();
        int length = (int)batch.Items.shape[1];
        var pairs = new List<(long, long)>();
        for (int i = 0; i < mask.Length; i++)
        {
            if (mask[i])
            {
                int row = i / (length * length), p = i / length % length, q = i % length;
                pairs.Add((items[(row * length) + p], items[(row * length) + q]));
            }
        }

        return pairs;
    }

    [Fact]
    public void TheLoss_MatchesAHandComputation_OfContextStructureAndPenalty()
    {
        var vocabulary = Vocabulary();
        using var generator = new Generator(11);
        using var network = new IdEmbeddingNetwork(vocabulary, 4, generator, CPU);
        using var sampler = new NegativeSampler(NegativeSamplerKind.LogUniform, vocabulary.Frequencies);
        const double alpha = 0.7, beta = 0.01;
        var objective = new IdEmbeddingObjective(network, sampler, window: 1, negatives: 2, poolSize: 5, alpha, beta, CPU);

        // Rows (b a c) and (a d), the second padded: b and c pair with a; a with b and c, so it uses 2 × S of its picks.
        long[] targets = { 1, 0, 2, 0, 3, 0 }, anchors = { 1, 0, 2, 0, 3 };
        long[][] contexts = { new long[] { 0 }, new long[] { 1, 2 }, new long[] { 0 }, new long[] { 3 }, new long[] { 0 }, Array.Empty<long>() };
        long[,] pools = { { 2, 3, 1, 0, 2 }, { 0, 1, 3, 3, 2 } };   // one pool per row; repeats allowed
        long[,,] picks =
        {
            { { 0, 1, 4, 4 }, { 2, 2, 0, 3 }, { 3, 4, 1, 1 } },
            { { 1, 3, 2, 0 }, { 2, 4, 3, 3 }, { 3, 3, 0, 1 } },
        };
        double actual;
        using (var scope = NewDisposeScope())
        {
            var batch = new SkipGramBatch(
                tensor(new long[] { 1, 0, 2, 0, 3, 0 }, new long[] { 2, 3 }),
                tensor(new[] { true, true, true, true, true, false }, new long[] { 2, 3 }));
            actual = objective.Loss(batch, tensor(pools), tensor(picks)).item<float>();
        }

        double[,] e = Table(network, "tables.item_embedding"), c = Table(network, "tables.item_context");
        double[,] a = Table(network, "tables.attribute_0_embedding"), ac = Table(network, "tables.attribute_0_context");
        double[,] m = Table(network, "tables.attribute_0_transition");
        int[] row = { 0, 0, 1, 2 };              // b, a → X; c → Y; d → missing row
        double[] w = { 0.5, 0.5, 0.5, 0 };
        double Score(long i, long j) => Dot(e, i, c, j) + (w[i] * w[j] * Dot(a, row[i], ac, row[j]));
        double LogSigmoid(double x) => -Math.Log(1 + Math.Exp(-x));

        double context = 0;
        int pairCount = 0;
        for (int p = 0; p < targets.Length; p++)
        {
            // A position with n pairs uses its first n·S picks (S = 2) as negatives; the rest go unused.
            for (int n = 0; n < contexts[p].Length; n++)
            {
                pairCount++;
                int batchRow = p / 3, position = p % 3;
                long Negative(int s) => pools[batchRow, picks[batchRow, position, (2 * n) + s]];
                context -= LogSigmoid(Score(targets[p], contexts[p][n])) + LogSigmoid(-Score(targets[p], Negative(0))) + LogSigmoid(-Score(targets[p], Negative(1)));
            }
        }

        double structural = 0;
        foreach (long q in anchors)
        {
            double s = 0;
            for (int r = 0; r < 4; r++)
            {
                double projected = 0;
                for (int k = 0; k < 3; k++)
                {
                    projected += m[r, k] * a[row[q], k];
                }

                s += e[q, r] * w[q] * projected;
            }

            structural -= LogSigmoid(s);
        }

        double penalty = 0;
        foreach (double x in m)
        {
            penalty += x * x;
        }

        double expected = (context / pairCount) + (alpha * structural / anchors.Length) + (beta * penalty);
        actual.Should().BeApproximately(expected, 1e-5);
        a[2, 0].Should().Be(0, "the missing row starts at zero");
    }

    [Fact]
    public void TheLogUniformSampler_DrawsRanksWithZipfianProbabilities()
    {
        using var sampler = new NegativeSampler(NegativeSamplerKind.LogUniform, new long[] { 9, 5, 3, 2, 1 });
        using var generator = new Generator(3);
        using var scope = NewDisposeScope();
        var draws = sampler.Sample(100_000, 2, generator, CPU).data<long>().ToArray();
        for (int r = 0; r < 5; r++)
        {
            double expected = Math.Log((r + 2.0) / (r + 1.0)) / Math.Log(6);
            (draws.Count(x => x == r) / 200_000.0).Should().BeApproximately(expected, 0.01);
        }
    }

    [Theory]
    [InlineData(NegativeSamplerKind.LogUniform)]
    [InlineData(NegativeSamplerKind.Unigram075)]
    public void TheSamplersLogProbabilities_AreTheDistributionItDraws(NegativeSamplerKind kind)
    {
        using var sampler = new NegativeSampler(kind, new long[] { 40, 9, 5, 3, 2, 1 });
        using var generator = new Generator(5);
        using var scope = NewDisposeScope();
        var probabilities = sampler.LogProbabilities().exp().to(ScalarType.Float64).data<double>().ToArray();
        probabilities.Sum().Should().BeApproximately(1, 1e-6);
        var draws = sampler.Sample(100_000, 2, generator, CPU).data<long>().ToArray();
        for (int r = 0; r < probabilities.Length; r++)
        {
            (draws.Count(x => x == r) / 200_000.0).Should().BeApproximately(probabilities[r], 0.005, $"item {r}");
        }

        if (kind == NegativeSamplerKind.Unigram075)
        {
            (probabilities[0] / probabilities[1]).Should().BeApproximately(Math.Pow(40.0 / 9, 0.75), 1e-4);
        }
    }

    private static double Dot(double[,] x, long i, double[,] y, long j)
    {
        double sum = 0;
        for (int d = 0; d < x.GetLength(1); d++)
        {
            sum += x[i, d] * y[j, d];
        }

        return sum;
    }

    private static double[,] Table(IdEmbeddingNetwork network, string name)
    {
        var parameter = network.named_parameters().Single(p => p.name == name).parameter;
        var values = parameter.detach().data<float>().ToArray();
        int rows = (int)parameter.shape[0], columns = (int)parameter.shape[1];
        var table = new double[rows, columns];
        for (int i = 0; i < values.Length; i++)
        {
            table[i / columns, i % columns] = values[i];
        }

        return table;
    }
}
