using Microsoft.ML;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Tests.Training.Support;

namespace MLNetExtensions.Tests.Training;

/// <summary>The row order is a function of (seed, epoch): repeatable, different each epoch, a permutation.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class DataOrderTests
{
    private static List<int[]> Epochs(int seed, bool cached, bool shuffle = true)
    {
        var harness = new EngineHarness(rows: 40);
        var data = cached ? harness.MLContext.Data.Cache(harness.TrainData) : harness.TrainData;
        data.CanShuffle.Should().Be(cached, "the cached view shuffles itself; the streaming one goes through ShuffleRows");
        harness.Train(TrainingFixtures.Options with { Seed = seed, Epochs = 2, BatchSize = 10, Shuffle = shuffle }, trainData: data);
        var ids = harness.Objective.SeenBatches.SelectMany(b => b).ToList();
        return [ids.Take(40).ToArray(), ids.Skip(40).ToArray()];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Order_IsDeterministicPerSeed_AndDiffersAcrossEpochs(bool cached)
    {
        var run1 = Epochs(seed: 3, cached);
        var run2 = Epochs(seed: 3, cached);
        var otherSeed = Epochs(seed: 4, cached);

        run1[0].Should().Equal(run2[0]);
        run1[1].Should().Equal(run2[1]);
        run1[0].Should().NotEqual(run1[1]);
        run1[0].Should().NotEqual(otherSeed[0]);
        run1[0].Should().BeEquivalentTo(Enumerable.Range(0, 40), "every row appears once per epoch");
        run1[1].Should().BeEquivalentTo(Enumerable.Range(0, 40));
        run1[0].Should().NotEqual(Enumerable.Range(0, 40), "rows are shuffled");
    }

    [Fact]
    public void ShuffleOff_ReadsInOrder()
    {
        var epochs = Epochs(seed: 3, cached: false, shuffle: false);

        epochs[0].Should().Equal(Enumerable.Range(0, 40));
        epochs[1].Should().Equal(Enumerable.Range(0, 40));
    }

    [Theory]
    [InlineData(false, 5, 4)]
    [InlineData(true, 4, 8)]
    public void LastPartialBatch_IsKeptOrDropped(bool dropLast, int batchesPerEpoch, int lastBatchSize)
    {
        var harness = new EngineHarness(rows: 36);

        var result = harness.Train(TrainingFixtures.Options with { Epochs = 1, DropLastPartialBatch = dropLast });

        result.Steps.Should().Be(batchesPerEpoch);
        harness.Objective.SeenBatches.Last().Should().HaveCount(lastBatchSize);
    }
}
