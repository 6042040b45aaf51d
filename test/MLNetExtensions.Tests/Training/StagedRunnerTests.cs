using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Tests.Training.Support;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Training;

/// <summary>The generic staged runner on a model that is not BERT: a tiny MLP regressor trained in two stages.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class StagedRunnerTests : IDisposable
{
    private readonly string _directory = TrainingFixtures.TempDirectory();

    private static readonly StagedRunStage[] Stages =
    [
        new() { Name = "all", Steps = 6, PeakLearningRate = 0.05, WarmupSteps = 2, ScheduleTotalSteps = 12 },
        new() { Name = "head", Steps = 6, PeakLearningRate = 0.05, WarmupSteps = 2, ScheduleOffsetSteps = 6, ScheduleTotalSteps = 12 },
    ];

    [Fact]
    public void TwoStages_FollowTheModelsForms_FrozenPartsStayBitIdentical_AndTheScheduleContinues()
    {
        var harness = new EngineHarness(dropout: 0);
        var staged = new StagedRegressor(harness.Model);
        var rates = new List<(int Stage, double Rate)>();
        var planSteps = new List<long>();
        var snapshots = new Dictionary<string, Tensor>();
        staged.Completed += (k, model) =>
        {
            if (k == 0)
            {
                snapshots = TrainingFixtures.Snapshot(model);
            }
        };

        var result = new StagedRunner().Run(
            harness.MLContext, staged, "mlp", Stages, harness.TrainData, null, Settings(), new SynchronousStagedProgress(p =>
            {
                if (p.Kind == TrainingProgressKind.Step)
                {
                    rates.Add((p.Stage!.Index, p.LearningRate));
                    planSteps.Add(p.PlanStep);
                }
            }));

        result.Stages.Select(s => s.Steps).Should().Equal(6L, 6L);
        staged.Entered.Should().Equal(0, 1);
        staged.Module.Should().NotBeSameAs(harness.Model, "stage 1 converted the model into a new module");
        var final = TrainingFixtures.Snapshot(staged.Module);
        TrainingFixtures.BitEqual(final["fc1.weight"], snapshots["fc1.weight"]).Should().BeTrue("the body is frozen in stage 1");
        TrainingFixtures.BitEqual(final["fc2.weight"], snapshots["fc2.weight"]).Should().BeFalse("the head trains in stage 1");
        var schedule = new LearningRateSchedule(0.05, 12, 2, LearningRateDecay.Linear);
        rates.Select(r => r.Rate).Should().Equal(Enumerable.Range(0, 12).Select(step => schedule.LearningRateAt(step)), "both stages take consecutive steps of one schedule");
        rates.Select(r => r.Stage).Should().Equal(Enumerable.Repeat(0, 6).Concat(Enumerable.Repeat(1, 6)));
        planSteps.Should().Equal(Enumerable.Range(1, 12).Select(step => (long)step), "the one progress type counts steps across the plan");
    }

    [Fact]
    public void AKilledRun_ResumesInTheMiddleOfTheSecondStage_ToTheSameWeights()
    {
        var settings = Settings() with { CheckpointEveryNSteps = 2, CheckpointDirectory = Path.Combine(_directory, "a") };
        var reference = new StagedRegressor(new EngineHarness(dropout: 0).Model);
        var harness = new EngineHarness(dropout: 0);
        new StagedRunner().Run(harness.MLContext, reference, "mlp", Stages, harness.TrainData, null, settings);

        var killed = new StagedRegressor(new EngineHarness(dropout: 0).Model);
        var interrupted = settings with { CheckpointDirectory = Path.Combine(_directory, "b") };
        using var cancel = new CancellationTokenSource();
        var first = new StagedRunner().Run(harness.MLContext, killed, "mlp", Stages, harness.TrainData, null, interrupted, new SynchronousStagedProgress(p =>
        {
            if (p.Stage!.Index == 1 && p.Kind == TrainingProgressKind.Step && p.Step >= 3)
            {
                cancel.Cancel();
            }
        }), cancel.Token);
        first.Cancelled.Should().BeTrue();

        var resumed = new StagedRegressor(new EngineHarness(dropout: 0).Model);
        var final = new StagedRunner().Run(harness.MLContext, resumed, "mlp", Stages, harness.TrainData, null, interrupted with { Resume = true });

        final.Cancelled.Should().BeFalse();
        final.Stages.Should().HaveCount(2, "the first stage's result comes from the plan state file");
        resumed.Entered.Should().Equal(new[] { 0, 1 }, "stage 0's form is replayed before its checkpoint is loaded, then stage 1 is entered and resumes");
        foreach (var (name, tensor) in TrainingFixtures.Snapshot(reference.Module))
        {
            TrainingFixtures.BitEqual(TrainingFixtures.Snapshot(resumed.Module)[name], tensor).Should().BeTrue($"{name} after resume");
        }

        var act = () => new StagedRunner().Run(harness.MLContext, new StagedRegressor(new EngineHarness(dropout: 0).Model), "another plan", Stages, harness.TrainData, null, interrupted with { Resume = true });
        act.Should().Throw<InvalidOperationException>().WithMessage("*another plan*");
    }

    [Fact]
    public void AFreshRun_DropsAnEarlierRunsCheckpointOfAStage_SoThatAKillBeforeItsOwnCheckpointResumesThisRun()
    {
        var settings = Settings() with { CheckpointEveryNSteps = 2, CheckpointDirectory = Path.Combine(_directory, "shared") };
        var harness = new EngineHarness(dropout: 0);
        // An earlier run in the same folder, with another initial model: it leaves stage-1.ckpt behind.
        new StagedRunner().Run(harness.MLContext, new StagedRegressor(new TinyRegressor(dropout: 0, initSeed: 5)), "mlp", Stages, harness.TrainData, null, settings);

        var reference = new StagedRegressor(new EngineHarness(dropout: 0).Model);
        new StagedRunner().Run(harness.MLContext, reference, "mlp", Stages, harness.TrainData, null, settings with { CheckpointDirectory = Path.Combine(_directory, "reference") });

        // This run is killed (an exception, not a cancellation: no checkpoint is written) at its first step of stage 1.
        var killed = () => new StagedRunner().Run(harness.MLContext, new StagedRegressor(new EngineHarness(dropout: 0).Model), "mlp", Stages, harness.TrainData, null, settings, new SynchronousStagedProgress(p =>
        {
            if (p.Stage!.Index == 1 && p.Kind == TrainingProgressKind.Step)
            {
                throw new TimeoutException("killed");
            }
        }));
        killed.Should().Throw<TimeoutException>();

        var resumed = new StagedRegressor(new EngineHarness(dropout: 0).Model);
        new StagedRunner().Run(harness.MLContext, resumed, "mlp", Stages, harness.TrainData, null, settings with { Resume = true });
        foreach (var (name, tensor) in TrainingFixtures.Snapshot(reference.Module))
        {
            TrainingFixtures.BitEqual(TrainingFixtures.Snapshot(resumed.Module)[name], tensor).Should().BeTrue($"{name}: stage 1 restarts from this run's stage 0, not from the earlier run's checkpoint");
        }
    }

    private static StagedTrainingSettings Settings() => new() { BatchSize = 8, Seed = 3, NumberOfThreads = 1, LogEveryNSteps = 1, MaxGradientNorm = null, WeightDecay = 0 };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// The model side for the MLP: stage 0 trains everything; stage 1 converts the model into a new module (a copy,
    /// standing for a grown or converted model) and trains only its head.
    /// </summary>
    private sealed class StagedRegressor(TinyRegressor initial) : IStagedModel<RegressionBatch>
    {
        private TinyRegressor? _converted;

        private TinyRegressor _model => _converted ?? initial;

        public event Action<int, TinyRegressor>? Completed;

        public List<int> Entered { get; } = new();

        public nn.Module Module => _model;

        public void EnterStage(int stageIndex)
        {
            Entered.Add(stageIndex);
            if (stageIndex == 1 && _converted is null)
            {
                var converted = new TinyRegressor(dropout: 0, initSeed: 99);
                using (no_grad())
                {
                    foreach (var (name, tensor) in _model.state_dict())
                    {
                        converted.state_dict()[name].copy_(tensor);
                    }
                }

                _converted = converted;
            }
        }

        public StageSetup<RegressionBatch> ConfigureStage(int stageIndex) => new(
            new RegressionObjective(_model),
            stageIndex == 0 ? [ParameterGroup.All(_model)] : [new ParameterGroup("head", _model.Output.parameters())]);

        public void OnStageCompleted(int stageIndex, IReadOnlyList<StagedRunStageResult> completed) => Completed?.Invoke(stageIndex, _model);
    }

    private sealed class SynchronousStagedProgress(Action<TrainingProgress> onReport) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => onReport(value);
    }
}
