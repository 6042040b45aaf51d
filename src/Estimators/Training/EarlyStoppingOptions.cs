namespace MLNetExtensions.Estimators.Training;

/// <summary>Early stopping on a validation metric (requires validation data).</summary>
public sealed record EarlyStoppingOptions
{
    /// <summary>The metric to watch; by default the engine's mean validation loss.</summary>
    public string Metric { get; init; } = TrainingMetricNames.ValidationLoss;

    /// <summary>Stop after this many validations in a row without improvement. Must be ≥ 1.</summary>
    public int Patience { get; init; } = 3;

    /// <summary>An improvement must beat the best value by more than this (≥ 0).</summary>
    public double MinDelta { get; init; }

    /// <summary>True when smaller metric values are better (losses); false for accuracies and the like.</summary>
    public bool LowerIsBetter { get; init; } = true;

    /// <summary>When training ends (stopped early or not), load the weights of the best validation.</summary>
    public bool RestoreBestWeights { get; init; } = true;
}
