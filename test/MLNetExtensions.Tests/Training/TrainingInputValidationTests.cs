using Microsoft.ML;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Tests.Training.Support;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Training;

/// <summary>Bad data, options and groups are reported by name before any training happens.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class TrainingInputValidationTests
{
    private sealed class RowWithoutLabel
    {
        public int Id { get; set; }

        [Microsoft.ML.Data.VectorType(RegressionData.FeatureCount)]
        public float[] Features { get; set; } = new float[RegressionData.FeatureCount];
    }

    private sealed class RowWithDoubleLabel
    {
        public int Id { get; set; }

        [Microsoft.ML.Data.VectorType(RegressionData.FeatureCount)]
        public float[] Features { get; set; } = new float[RegressionData.FeatureCount];

        public double Label { get; set; }
    }

    [Fact]
    public void MissingColumn_IsNamed_WithItsExpectedType()
    {
        var harness = new EngineHarness();
        var data = harness.MLContext.Data.LoadFromEnumerable(new[] { new RowWithoutLabel() });

        var act = () => harness.Train(TrainingFixtures.Options, trainData: data);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("*Column 'Label' of type Single was not found in the training data*")
            .Which.ParamName.Should().Be("trainData");
    }

    [Fact]
    public void MistypedColumn_IsNamed_WithFoundAndExpectedTypes()
    {
        var harness = new EngineHarness();
        var data = harness.MLContext.Data.LoadFromEnumerable(new[] { new RowWithDoubleLabel() });

        var act = () => harness.Train(TrainingFixtures.Options, trainData: data);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Column 'Label'*has type Double, but Single is expected*");
    }

    [Fact]
    public void MistypedValidationColumn_IsNamed()
    {
        var harness = new EngineHarness();
        var validation = harness.MLContext.Data.LoadFromEnumerable(new[] { new RowWithDoubleLabel() });

        var act = () => harness.Train(TrainingFixtures.Options, validation);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Label' in the validation data*")
            .Which.ParamName.Should().Be("validationData");
    }

    [Fact]
    public void EmptyTrainingData_IsReported()
    {
        var harness = new EngineHarness();
        var empty = harness.MLContext.Data.LoadFromEnumerable(new List<RegressionRow>());

        var byEpochs = () => harness.Train(TrainingFixtures.Options, trainData: empty);
        var bySteps = () => harness.Train(TrainingFixtures.Options with { Epochs = null, MaxSteps = 5 }, trainData: empty);
        var streaming = () => harness.Train(
            TrainingFixtures.Options with { Epochs = null, MaxSteps = 5 },
            trainData: harness.MLContext.Data.LoadFromEnumerable(Enumerable.Empty<RegressionRow>()));

        byEpochs.Should().Throw<InvalidOperationException>().WithMessage("*training data is empty*");
        bySteps.Should().Throw<InvalidOperationException>().WithMessage("*training data is empty*");
        streaming.Should().Throw<InvalidOperationException>().WithMessage("*training data is empty*");
    }

    [Fact]
    public void TooFewRowsForAFullBatch_WithDropLast_IsReported()
    {
        var harness = new EngineHarness(rows: 5);

        var act = () => harness.Train(TrainingFixtures.Options with { DropLastPartialBatch = true });

        act.Should().Throw<InvalidOperationException>().WithMessage("*5 rows*BatchSize (8)*DropLastPartialBatch*");

        // With MaxSteps alone the epoch is not counted up front: the first pass finds no batch, and the error says why.
        var streaming = () => harness.Train(TrainingFixtures.Options with { DropLastPartialBatch = true, Epochs = null, MaxSteps = 3 });
        streaming.Should().Throw<InvalidOperationException>().WithMessage("*5 rows*BatchSize (8)*DropLastPartialBatch*");
    }

    [Fact]
    public void InvalidOptions_AreNamed()
    {
        var harness = new EngineHarness();

        ((Action)(() => harness.Train(TrainingFixtures.Options with { BatchSize = 0 })))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*BatchSize*");
        ((Action)(() => harness.Train(TrainingFixtures.Options with { LearningRate = -1 })))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*LearningRate*");
        ((Action)(() => harness.Train(TrainingFixtures.Options with { WarmupSteps = 25 })))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*WarmupSteps (25) exceeds the total number of steps (24*")
            .Which.ParamName.Should().Be("WarmupSteps");
        ((Action)(() => harness.Train(TrainingFixtures.Options with { EarlyStopping = new EarlyStoppingOptions() })))
            .Should().Throw<ArgumentException>().WithMessage("*EarlyStopping*validation data*");
    }

    [Fact]
    public void InconsistentGroups_AreReported()
    {
        var harness = new EngineHarness();
        var stranger = nn.Linear(2, 2);

        ((Action)(() => harness.Train(TrainingFixtures.Options, groups: [])))
            .Should().Throw<ArgumentException>().WithMessage("*At least one parameter group*");
        ((Action)(() => harness.Train(TrainingFixtures.Options, groups: [new ParameterGroup("alien", stranger.parameters())])))
            .Should().Throw<ArgumentException>().WithMessage("*'alien'*not a parameter of the model*");
        ((Action)(() => harness.Train(TrainingFixtures.Options, groups: [ParameterGroup.All(harness.Model, "a"), new ParameterGroup("b", harness.Model.Output.parameters())])))
            .Should().Throw<ArgumentException>().WithMessage("*'fc2.weight'*'a'*'b'*");
    }

    [Fact]
    public void NonScalarLoss_IsReported()
    {
        var harness = new EngineHarness();
        harness.Objective = new VectorLossObjective(harness.Model);

        var act = () => harness.Train(TrainingFixtures.Options);

        act.Should().Throw<InvalidOperationException>().WithMessage("*one element*[8]*");
    }

    private sealed class VectorLossObjective(TinyRegressor model) : RegressionObjective(model)
    {
        public override Tensor ComputeLoss(RegressionBatch batch, TrainingStepContext context) =>
            (model.forward(batch.Features) - batch.Labels).pow(2);
    }
}
