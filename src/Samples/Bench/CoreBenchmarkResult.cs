namespace MLNetExtensions.Samples.Bench;

/// <summary>One method of <c>bench core</c>.</summary>
internal sealed record CoreMethodResult
{
    public required string Plan { get; init; }

    public required double WallSeconds { get; init; }

    public required long Steps { get; init; }

    public required double FinalValMlmLoss { get; init; }

    /// <summary>Training seconds to the baseline's final validation loss (full-model validations only), or null with <see cref="NotReachedReason"/>.</summary>
    public required double? SecondsToBaselineFinalLoss { get; init; }

    public string? NotReachedReason { get; init; }

    /// <summary>Mean test accuracy over the fine-tuning seeds.</summary>
    public required double FinetuneAccuracy { get; init; }

    public required IReadOnlyList<double> FinetuneAccuracies { get; init; }

    /// <summary>Encoder weights of the relaxed model (null for methods without one).</summary>
    public long? ParamsRelaxed { get; init; }

    /// <summary>Encoder weights of the original BERT.</summary>
    public required long ParamsFull { get; init; }

    public double? MsPerStepRelaxed { get; init; }

    public double? MsPerStepFull { get; init; }

    /// <summary>The process's peak resident memory after this method (it only grows: methods run one after another in one process).</summary>
    public required double PeakRssMb { get; init; }
}

/// <summary>artifacts/bench/core.json.</summary>
internal sealed record CoreBenchmarkResult
{
    public required bool Quick { get; init; }

    public required ModelDescription Model { get; init; }

    public required string Relaxation { get; init; }

    public required IReadOnlyList<int> FinetuneSeeds { get; init; }

    public required string TimingNote { get; init; }

    public required IReadOnlyDictionary<string, CoreMethodResult> Methods { get; init; }

    /// <summary>Baseline wall seconds / CoRe's seconds to the baseline's final validation loss; null when CoRe never reached it.</summary>
    public required double? Speedup { get; init; }

    public required double PeakRssMb { get; init; }
}
