namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>One run of a trial at one rung (searches without halving have one per trial).</summary>
public sealed record RungResult
{
    /// <summary>The rung, from 0.</summary>
    public required int Rung { get; init; }

    /// <summary>The fraction of the full budget.</summary>
    public required double BudgetFraction { get; init; }

    /// <summary>The steps of the budget-scaled plan.</summary>
    public required int PlannedSteps { get; init; }

    /// <summary>The steps the runner reported (0 when it failed).</summary>
    public required long StepsRun { get; init; }

    /// <summary>Wall-clock seconds.</summary>
    public required double Seconds { get; init; }

    /// <summary>The validation loss, or null when the run failed or was cancelled.</summary>
    public double? ValidationLoss { get; init; }

    /// <summary><see cref="TrialStatus.Completed"/>, <see cref="TrialStatus.Failed"/> or <see cref="TrialStatus.Cancelled"/>.</summary>
    public required TrialStatus Status { get; init; }

    /// <summary>Why the run failed, or null.</summary>
    public string? Message { get; init; }

    /// <summary>The runner's further metrics (empty when none).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
}
