namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>What a trial run reports back.</summary>
public sealed record TrialOutcome
{
    /// <summary>The validation masked-LM loss at the end of the run (lower is better). Must be finite.</summary>
    public required double ValidationLoss { get; init; }

    /// <summary>The optimiser steps the run made. Must be ≥ 0.</summary>
    public required long StepsRun { get; init; }

    /// <summary>The run's wall-clock seconds (finite, ≥ 0); null lets the tuner time the call itself.</summary>
    public double? WallSeconds { get; init; }

    /// <summary>Further metrics to record (accuracy, throughput…), or null.</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
}
