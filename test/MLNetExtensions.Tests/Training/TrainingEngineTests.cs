using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Tests.Training.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Training;

[Collection(TorchGlobalStateCollection.Name)]
public sealed class TrainingEngineTests
{
    [Fact]
    public void Loss_Decreases_OnALearnableProblem()
    {
        var harness = new EngineHarness(rows: 128, dropout: 0.0);

        var result = harness.Train(TrainingFixtures.Options with { Epochs = 6, WarmupSteps = 5, Decay = LearningRateDecay.Cosine });

        result.Steps.Should().Be(6 * 16);
        result.StepLosses.Should().HaveCount(96);
        double first = result.StepLosses.Take(8).Average();
        double last = result.StepLosses.TakeLast(8).Average();
        last.Should().BeLessThan(first / 4, "the model should fit a linear target");
        result.Cancelled.Should().BeFalse();
    }

    [Fact]
    public void FrozenParameters_StayBitIdentical_AndHaveNoOptimizerState()
    {
        var harness = new EngineHarness();
        var before = TrainingFixtures.Snapshot(harness.Model);
        string directory = TrainingFixtures.TempDirectory();
        string checkpoint = Path.Combine(directory, "frozen.ckpt");

        var result = harness.Train(
            TrainingFixtures.Options with { Epochs = 2, CheckpointPath = checkpoint },
            groups: [new ParameterGroup("head", harness.Model.Output.parameters())]);

        TrainingFixtures.BitEqual(harness.Model.First.weight!, before["fc1.weight"]).Should().BeTrue();
        TrainingFixtures.BitEqual(harness.Model.First.bias!, before["fc1.bias"]).Should().BeTrue();
        TrainingFixtures.BitEqual(harness.Model.Output.weight!, before["fc2.weight"]).Should().BeFalse();
        result.FrozenParameterCount.Should().Be(4 * 16 + 16);
        result.TrainableParameterCount.Should().Be(16 + 1);

        using var saved = TrainingCheckpoint.Load(checkpoint);
        saved.OptimizerState.Keys.Should().BeEquivalentTo("fc2.weight", "fc2.bias");
        saved.ModelTensors.Keys.Should().Contain("fc1.weight");

        harness.Model.First.weight!.requires_grad.Should().BeTrue("the engine restores the model's own flags after the run");
    }

    [Fact]
    public void LearningRateMultipliers_ScaleEachGroupsUpdate()
    {
        var harness = new EngineHarness(dropout: 0.0);
        var before = TrainingFixtures.Snapshot(harness.Model);
        var groups = new[]
        {
            new ParameterGroup("body", harness.Model.First.parameters(), learningRateMultiplier: 1.0),
            new ParameterGroup("head", harness.Model.Output.parameters(), learningRateMultiplier: 0.1),
        };

        // One AdamW update: each weight moves by lr × multiplier × |g| / (|g| + ε), i.e. by lr × multiplier where g ≠ 0.
        harness.Train(TrainingFixtures.Options with { MaxSteps = 1, Epochs = null, WeightDecay = 0, Decay = LearningRateDecay.None }, groups: groups);

        double bodyStep = (harness.Model.First.weight! - before["fc1.weight"]).abs().max().ToDouble();
        double headStep = (harness.Model.Output.weight! - before["fc2.weight"]).abs().max().ToDouble();
        bodyStep.Should().BeApproximately(1e-2, 1e-5);
        headStep.Should().BeApproximately(1e-3, 1e-6);
    }

    [Fact]
    public void WeightDecay_AppliesOnlyToGroupsThatAskForIt()
    {
        // The probe's output does not depend on its weights (gradients are zero, not missing), so AdamW changes them
        // only through decoupled weight decay: w ← w × (1 − lr × wd) per update.
        var harness = new EngineHarness();
        var probe = new ZeroGradientProbe();
        harness.Objective = new RegressionObjective(probe);
        var groups = new[]
        {
            new ParameterGroup("decayed", [probe.Decayed]),
            new ParameterGroup("kept", [probe.Kept], applyWeightDecay: false),
        };

        harness.Engine.Train(
            harness.MLContext, probe, harness.Objective, harness.TrainData, null, groups,
            TrainingFixtures.Options with { MaxSteps = 1, Epochs = null, LearningRate = 0.1, WeightDecay = 0.5, Decay = LearningRateDecay.None });

        probe.Decayed.data<float>().ToArray().Should().AllSatisfy(v => v.Should().BeApproximately(0.95f, 1e-6f));
        probe.Kept.data<float>().ToArray().Should().AllSatisfy(v => v.Should().Be(1f));
    }

    [Fact]
    public void GradientClipping_CapsTheGlobalNorm()
    {
        const double maxNorm = 0.05;
        var harness = new EngineHarness(dropout: 0.0);
        var normsAfterClipping = new List<double>();
        harness.Engine.AfterGradientClipping = parameters =>
        {
            using var scope = NewDisposeScope();
            double squares = parameters.Sum(p => p.grad is { } g ? g.pow(2).sum().ToDouble() : 0);
            normsAfterClipping.Add(Math.Sqrt(squares));
        };
        var progress = new SynchronousProgress();

        harness.Train(TrainingFixtures.Options with { Epochs = 1, MaxGradientNorm = maxNorm, LogEveryNSteps = 1 }, progress: progress);

        normsAfterClipping.Should().HaveCount(8).And.OnlyContain(n => n <= maxNorm * (1 + 1e-5));
        var reportedNorms = progress.Reports.Where(r => r.Kind == TrainingProgressKind.Step).Select(r => r.GradientNorm!.Value).ToList();
        reportedNorms.Should().Contain(n => n > maxNorm, "the norm before clipping is reported and exceeds the cap on this problem");
    }

    [Fact]
    public void Cancellation_StopsAtAStepBoundary_ReturnsTheModel_AndWritesACheckpoint()
    {
        var harness = new EngineHarness();
        var before = TrainingFixtures.Snapshot(harness.Model);
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Kind == TrainingProgressKind.Step && p.Step == 5)
            {
                cancellation.Cancel();
            }
        });
        string checkpoint = Path.Combine(TrainingFixtures.TempDirectory(), "cancel.ckpt");

        var result = harness.Train(
            TrainingFixtures.Options with { LogEveryNSteps = 1, CheckpointPath = checkpoint },
            progress: progress,
            cancellationToken: cancellation.Token);

        result.Cancelled.Should().BeTrue();
        result.Steps.Should().Be(5);
        result.LastCheckpointPath.Should().Be(checkpoint);
        TrainingFixtures.BitEqual(harness.Model.First.weight!, before["fc1.weight"]).Should().BeFalse("the model keeps the weights trained so far");
        using var saved = TrainingCheckpoint.Load(checkpoint);
        saved.GlobalStep.Should().Be(5);
        saved.Epoch.Should().Be(0);
        saved.BatchesInEpoch.Should().Be(5);
        progress.Reports.Last().Kind.Should().Be(TrainingProgressKind.Finished);
    }

    [Fact]
    public void AlreadyCancelledToken_TrainsNothing()
    {
        var harness = new EngineHarness();

        var result = harness.Train(TrainingFixtures.Options, cancellationToken: new CancellationToken(canceled: true));

        result.Cancelled.Should().BeTrue();
        result.Steps.Should().Be(0);
    }

    [Fact]
    public void Seed_DefaultsToTheMLContextSeed()
    {
        var harness = new EngineHarness();

        var result = harness.Train(TrainingFixtures.Options with { Seed = null, MaxSteps = 1 });

        result.Seed.Should().Be(1, "the harness's MLContext was created with seed 1");
    }

    private sealed class ZeroGradientProbe : nn.Module<Tensor, Tensor>
    {
        public ZeroGradientProbe()
            : base(nameof(ZeroGradientProbe))
        {
            Decayed = nn.Parameter(ones(3));
            Kept = nn.Parameter(ones(3));
            register_parameter("decayed", Decayed);
            register_parameter("kept", Kept);
        }

        public TorchSharp.Modules.Parameter Decayed { get; }

        public TorchSharp.Modules.Parameter Kept { get; }

        public override Tensor forward(Tensor input) =>
            zeros(input.shape[0]) + (Decayed * 0).sum() + (Kept * 0).sum();
    }
}
