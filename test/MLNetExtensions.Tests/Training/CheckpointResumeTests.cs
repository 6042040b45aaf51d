using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Tests.Training.Support;

namespace MLNetExtensions.Tests.Training;

/// <summary>Interrupting a run and resuming it from its checkpoint gives the uninterrupted run's weights, bit for bit.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class CheckpointResumeTests
{
    // 64 rows, batch 8: 8 steps per epoch; 3 epochs = 24 steps. Dropout, warm-up, cosine decay, clipping and weight
    // decay are all on so that every piece of state (RNG, schedule, moments, data position) matters.
    private static TrainingOptions ResumableOptions => TrainingFixtures.Options with
    {
        Epochs = 3,
        WarmupSteps = 3,
        Decay = LearningRateDecay.Cosine,
        FinalLearningRateFraction = 0.1,
        MaxGradientNorm = 1.0,
        LogEveryNSteps = 1,
    };

    [Theory]
    [InlineData(8)]   // at an epoch boundary
    [InlineData(13)]  // in the middle of the second epoch
    public void Resume_GivesBitIdenticalWeights(int stopAt)
    {
        var uninterrupted = new EngineHarness();
        var reference = uninterrupted.Train(ResumableOptions);
        reference.Steps.Should().Be(24);

        string checkpoint = Path.Combine(TrainingFixtures.TempDirectory(), "run.ckpt");
        var first = new EngineHarness();
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Kind == TrainingProgressKind.Step && p.Step == stopAt)
            {
                cancellation.Cancel();
            }
        });
        var partial = first.Train(ResumableOptions with { CheckpointPath = checkpoint }, progress: progress, cancellationToken: cancellation.Token);
        partial.Cancelled.Should().BeTrue();
        partial.Steps.Should().Be(stopAt);

        // A fresh model (initialised differently), objective and engine: everything must come from the checkpoint.
        var second = new EngineHarness(modelSeed: 99);
        var resumed = second.Train(ResumableOptions with { CheckpointPath = checkpoint, ResumeFromCheckpoint = checkpoint });

        resumed.ResumedFromStep.Should().Be(stopAt);
        resumed.Steps.Should().Be(24);
        resumed.StepsThisRun.Should().Be(24 - stopAt);
        resumed.StepLosses.Should().Equal(reference.StepLosses.Skip(stopAt));
        var expected = uninterrupted.Model.state_dict();
        foreach (var (name, tensor) in second.Model.state_dict())
        {
            TrainingFixtures.BitEqual(tensor, expected[name]).Should().BeTrue($"tensor '{name}' must match the uninterrupted run exactly");
        }

        second.Objective.SeenBatches.Select(b => string.Join(",", b))
            .Should().Equal(uninterrupted.Objective.SeenBatches.Skip(stopAt).Select(b => string.Join(",", b)), "the data position resumes exactly");
    }

    [Theory]
    [InlineData(8)]   // right after the epoch's short last batch
    [InlineData(11)]  // in the next epoch
    public void Resume_OfAMaxStepsRun_AfterAShortLastBatch_GivesBitIdenticalWeights(int stopAt)
    {
        // 60 rows, batch 8: 7 full batches and one of 4 rows per epoch. With MaxSteps alone the engine does not count
        // steps per epoch, so the epoch must still end as soon as the short batch is trained, or the checkpoint would
        // point 8 × 8 = 64 rows into 60 (as the staged runner's runs, which set MaxSteps only, would hit).
        var options = ResumableOptions with { Epochs = null, MaxSteps = 20 };
        var uninterrupted = new EngineHarness(rows: 60);
        var reference = uninterrupted.Train(options);
        reference.Steps.Should().Be(20);

        string checkpoint = Path.Combine(TrainingFixtures.TempDirectory(), "max-steps.ckpt");
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Kind == TrainingProgressKind.Step && p.Step == stopAt)
            {
                cancellation.Cancel();
            }
        });
        new EngineHarness(rows: 60).Train(options with { CheckpointPath = checkpoint }, progress: progress, cancellationToken: cancellation.Token)
            .Steps.Should().Be(stopAt);

        var second = new EngineHarness(rows: 60, modelSeed: 99);
        var resumed = second.Train(options with { CheckpointPath = checkpoint, ResumeFromCheckpoint = checkpoint });

        resumed.Steps.Should().Be(20);
        resumed.StepLosses.Should().Equal(reference.StepLosses.Skip(stopAt));
        var expected = uninterrupted.Model.state_dict();
        foreach (var (name, tensor) in second.Model.state_dict())
        {
            TrainingFixtures.BitEqual(tensor, expected[name]).Should().BeTrue($"tensor '{name}' must match the uninterrupted run exactly");
        }
    }

    [Fact]
    public void Resume_WithEarlyStoppingState_MatchesTheUninterruptedRun()
    {
        var options = ResumableOptions with
        {
            ValidateEveryNSteps = 4,
            EarlyStopping = new EarlyStoppingOptions { Patience = 100, RestoreBestWeights = true },
        };
        var uninterrupted = new EngineHarness();
        var validation = RegressionData.View(uninterrupted.MLContext, 32, seed: 5);
        var reference = uninterrupted.Train(options, validation);

        string checkpoint = Path.Combine(TrainingFixtures.TempDirectory(), "early.ckpt");
        var first = new EngineHarness();
        using var cancellation = new CancellationTokenSource();
        first.Train(
            options with { CheckpointPath = checkpoint },
            validation,
            progress: new SynchronousProgress(p =>
            {
                if (p.Kind == TrainingProgressKind.Step && p.Step == 10)
                {
                    cancellation.Cancel();
                }
            }),
            cancellationToken: cancellation.Token);

        var second = new EngineHarness(modelSeed: 5);
        var resumed = second.Train(options with { ResumeFromCheckpoint = checkpoint }, validation);

        resumed.BestMetric.Should().Be(reference.BestMetric);
        resumed.BestStep.Should().Be(reference.BestStep);
        resumed.RestoredBestWeights.Should().Be(reference.RestoredBestWeights);
        var expected = uninterrupted.Model.state_dict();
        foreach (var (name, tensor) in second.Model.state_dict())
        {
            TrainingFixtures.BitEqual(tensor, expected[name]).Should().BeTrue($"tensor '{name}' must match");
        }
    }

    [Fact]
    public void LeftoverTempFile_FromACrashedWrite_DoesNotBreakResume()
    {
        string checkpoint = Path.Combine(TrainingFixtures.TempDirectory(), "crash.ckpt");
        var options = ResumableOptions with { MaxSteps = 6 };
        using var cancellation = new CancellationTokenSource();
        new EngineHarness().Train(
            options with { CheckpointPath = checkpoint },
            progress: new SynchronousProgress(p =>
            {
                if (p.Kind == TrainingProgressKind.Step && p.Step == 3)
                {
                    cancellation.Cancel();
                }
            }),
            cancellationToken: cancellation.Token);
        // What a write killed mid-way leaves: a partial temp file beside the checkpoint.
        string leftover = checkpoint + ".5d41402abc4b2a76b9719d911017c592.tmp";
        File.WriteAllBytes(leftover, [1, 2, 3, 4, 5]);

        var resumed = new EngineHarness().Train(options with { CheckpointPath = checkpoint, ResumeFromCheckpoint = checkpoint });

        resumed.ResumedFromStep.Should().Be(3);
        resumed.Steps.Should().Be(6);
        File.ReadAllBytes(leftover).Should().Equal(new byte[] { 1, 2, 3, 4, 5 }, "each write has a temp file of its own: the leftover is ignored");
        Directory.GetFiles(Path.GetDirectoryName(checkpoint)!, "*.tmp").Should().Equal(new[] { leftover }, "the run's own writes leave no temp file");
        using var saved = TrainingCheckpoint.Load(checkpoint);
        saved.GlobalStep.Should().Be(6);
    }

    [Fact]
    public void FailureInTheMiddleOfAWrite_LeavesThePreviousCheckpointIntact()
    {
        string checkpoint = Path.Combine(TrainingFixtures.TempDirectory(), "atomic.ckpt");
        var harness = new EngineHarness();
        int writes = 0;
        harness.Engine.CheckpointStreamDecorator = stream => ++writes == 2 ? new FailingStream(stream, failAfterBytes: 700) : stream;

        var act = () => harness.Train(ResumableOptions with { CheckpointPath = checkpoint, CheckpointEveryNSteps = 4 });

        act.Should().Throw<IOException>().WithMessage("*Injected failure*");
        writes.Should().Be(2);
        using (var survivor = TrainingCheckpoint.Load(checkpoint))
        {
            survivor.GlobalStep.Should().Be(4, "the step-4 checkpoint survives the failed step-8 write");
        }

        var resumed = new EngineHarness().Train(ResumableOptions with { ResumeFromCheckpoint = checkpoint });
        resumed.ResumedFromStep.Should().Be(4);
        resumed.Steps.Should().Be(24);
    }
}
