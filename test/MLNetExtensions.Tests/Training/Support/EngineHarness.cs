using Microsoft.ML;
using MLNetExtensions.Estimators.Training;

namespace MLNetExtensions.Tests.Training.Support;

/// <summary>Runs the engine on the tiny regression problem with few lines per test.</summary>
public sealed class EngineHarness
{
    /// <summary>Creates a harness with <paramref name="rows"/> training rows.</summary>
    public EngineHarness(int rows = 64, int modelSeed = 1, int hidden = 16, double dropout = 0.1)
    {
        MLContext = new MLContext(seed: 1);
        TrainData = RegressionData.View(MLContext, rows);
        Model = new TinyRegressor(hidden, dropout, modelSeed);
        Objective = new RegressionObjective(Model);
    }

    /// <summary>The ML.NET context.</summary>
    public MLContext MLContext { get; }

    /// <summary>Training rows.</summary>
    public IDataView TrainData { get; }

    /// <summary>The model.</summary>
    public TinyRegressor Model { get; }

    /// <summary>The objective.</summary>
    public RegressionObjective Objective { get; set; }

    /// <summary>The engine.</summary>
    public TrainingEngine Engine { get; } = new();

    /// <summary>Trains with every parameter in one group unless <paramref name="groups"/> is given.</summary>
    public TrainingResult Train(
        TrainingOptions options,
        IDataView? validation = null,
        IReadOnlyList<ParameterGroup>? groups = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default,
        IDataView? trainData = null) =>
        Engine.Train(
            MLContext,
            Model,
            Objective,
            trainData ?? TrainData,
            validation,
            groups ?? [ParameterGroup.All(Model)],
            options,
            progress,
            cancellationToken);
}
