using Microsoft.ML;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Tests.Training.Support;
using TorchSharp;

namespace MLNetExtensions.Tests.Training;

/// <summary>Progress, logging, early stopping and resource use over a run.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class TrainingProgressTests
{
    [Fact]
    public void Progress_ReceivesStepMetricsWithEta_EpochsAndFinish()
    {
        var harness = new EngineHarness();
        var progress = new SynchronousProgress();

        harness.Train(TrainingFixtures.Options with { LogEveryNSteps = 1, WarmupSteps = 2 }, progress: progress);

        var steps = progress.Reports.Where(r => r.Kind == TrainingProgressKind.Step).ToList();
        steps.Select(s => s.Step).Should().Equal(Enumerable.Range(1, 24).Select(i => (long)i));
        steps.Should().OnlyContain(s => s.TotalSteps == 24 && s.EstimatedRemaining != null && double.IsFinite(s.Loss) && s.ExamplesPerSecond > 0);
        steps[0].LearningRate.Should().BeApproximately(5e-3, 1e-12, "the first warm-up update runs at half the peak with 2 warm-up steps");
        steps[^1].EstimatedRemaining.Should().Be(TimeSpan.Zero);
        steps.Select(s => s.Elapsed).Should().BeInAscendingOrder();
        progress.Reports.Where(r => r.Kind == TrainingProgressKind.Epoch).Select(r => r.Epoch).Should().Equal(0L, 1L, 2L);
        progress.Reports.Last().Kind.Should().Be(TrainingProgressKind.Finished);
    }

    [Fact]
    public void WarmupFraction_WarmsUpThatShareOfTheCountedUpdates()
    {
        var harness = new EngineHarness();
        var progress = new SynchronousProgress();

        // 24 updates once the rows are counted; a quarter of them (6) warm up, then the rate decays linearly.
        harness.Train(TrainingFixtures.Options with { LogEveryNSteps = 1, WarmupFraction = 0.25, Decay = LearningRateDecay.Linear }, progress: progress);

        var rates = progress.Reports.Where(r => r.Kind == TrainingProgressKind.Step).Select(r => r.LearningRate).ToList();
        double peak = TrainingFixtures.Options.LearningRate;
        rates.Should().HaveCount(24);
        rates.Take(6).Should().Equal(Enumerable.Range(1, 6).Select(s => peak * s / 6), (a, b) => Math.Abs(a - b) < 1e-12);
        rates.Skip(5).Should().BeInDescendingOrder();
        rates[^1].Should().BeLessThan(peak / 10, "the decay after warm-up ends near 0");
    }

    [Fact]
    public void MLContextLog_ReceivesTheEnginesMessages()
    {
        var harness = new EngineHarness();
        var messages = new List<string>();
        harness.MLContext.Log += (_, e) =>
        {
            if (e.Source == "MLNetExtensions.TrainingEngine")
            {
                lock (messages)
                {
                    messages.Add(e.Message);
                }
            }
        };

        harness.Train(TrainingFixtures.Options with { LogEveryNSteps = 8 });

        messages.Should().Contain(m => m.Contains("[Step] step 8/24") && m.Contains("eta"));
        messages.Should().Contain(m => m.Contains("[Epoch]"));
        messages.Should().Contain(m => m.Contains("[Finished]"));
    }

    [Fact]
    public void EarlyStopping_StopsAfterPatience_AndRestoresTheBestWeights()
    {
        var harness = new EngineHarness();
        var scripted = new ScriptedValidationObjective(harness.Model, [5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 1.0]);
        harness.Objective = scripted;
        var validation = RegressionData.View(harness.MLContext, 16, seed: 9);

        var result = harness.Train(
            TrainingFixtures.Options with
            {
                ValidateEveryNSteps = 2,
                EarlyStopping = new EarlyStoppingOptions { Metric = "Score", Patience = 3, MinDelta = 0.05 },
            },
            validation);

        result.StoppedEarly.Should().BeTrue();
        result.Steps.Should().Be(12, "the 6th validation (step 12) is the 3rd without improvement");
        result.BestMetric.Should().Be(3.0);
        result.BestStep.Should().Be(6);
        result.RestoredBestWeights.Should().BeTrue();
        foreach (var (name, tensor) in harness.Model.state_dict())
        {
            TrainingFixtures.BitEqual(tensor, scripted.WeightsAtValidation[2][name]).Should().BeTrue($"'{name}' is restored to the step-6 weights");
        }
    }

    [Fact]
    public void DefaultValidation_ReportsTheMeanValidationLoss()
    {
        var harness = new EngineHarness(dropout: 0.0);
        var validation = RegressionData.View(harness.MLContext, 20, seed: 9);
        var progress = new SynchronousProgress();

        var result = harness.Train(TrainingFixtures.Options with { Epochs = 2, ValidationBatchSize = 6 }, validation, progress: progress);

        progress.Reports.Where(r => r.Kind == TrainingProgressKind.Validation).Should().HaveCount(2, "validation runs at each epoch end by default");
        result.LastValidationMetrics.Should().ContainKey(TrainingMetricNames.ValidationLoss);
        using var scope = torch.NewDisposeScope();
        var rows = RegressionData.Rows(20, seed: 9);
        var x = torch.tensor(rows.SelectMany(r => r.Features).ToArray(), new long[] { 20, RegressionData.FeatureCount });
        var y = torch.tensor(rows.Select(r => r.Label).ToArray());
        harness.Model.eval();
        double expected = torch.nn.functional.mse_loss(harness.Model.forward(x), y).ToDouble();
        result.LastValidationMetrics![TrainingMetricNames.ValidationLoss].Should().BeApproximately(expected, 1e-5);
    }

    [Fact]
    public void LiveTensorCount_StaysFlat_Over200Steps()
    {
        var harness = new EngineHarness();
        var live = new Dictionary<long, long>();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Kind == TrainingProgressKind.Step)
            {
                live[p.Step] = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            }
        });

        harness.Train(TrainingFixtures.Options with { Epochs = null, MaxSteps = 230, LogEveryNSteps = 10, MaxGradientNorm = 1.0 }, progress: progress);

        live.Keys.Should().Contain([20L, 230L]);
        live[230].Should().BeLessThanOrEqualTo(live[20], "each step's tensors are freed by its dispose scope");
    }

    /// <summary>Returns a scripted metric per validation and keeps the weights seen at each validation.</summary>
    private sealed class ScriptedValidationObjective(TinyRegressor model, double[] scores) : RegressionObjective(model)
    {
        private int _calls;

        public List<Dictionary<string, TorchSharp.torch.Tensor>> WeightsAtValidation { get; } = new();

        public override IReadOnlyDictionary<string, double>? Evaluate(IDataView validationData, TrainingStepContext context)
        {
            context.IsTraining.Should().BeFalse();
            WeightsAtValidation.Add(TrainingFixtures.Snapshot(model));
            return new Dictionary<string, double> { ["Score"] = scores[_calls++] };
        }
    }
}
