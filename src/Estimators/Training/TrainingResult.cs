namespace MLNetExtensions.Estimators.Training;

/// <summary>What a training run did. The model passed to the engine holds the trained weights.</summary>
public sealed record TrainingResult
{
    /// <summary>Updates applied in total, including those before a resume.</summary>
    public required long Steps { get; init; }

    /// <summary>Updates the run was planned to make.</summary>
    public required long TotalSteps { get; init; }

    /// <summary>Updates applied by this call (excluding those before a resume).</summary>
    public required long StepsThisRun { get; init; }

    /// <summary>Epochs fully consumed.</summary>
    public required long EpochsCompleted { get; init; }

    /// <summary>Batches consumed of the epoch in progress (0 at an epoch boundary).</summary>
    public required long BatchesInEpoch { get; init; }

    /// <summary>The seed the run used (resolved from the options, the MLContext, or drawn).</summary>
    public required int Seed { get; init; }

    /// <summary>Loss of the last update, or NaN when no update was made.</summary>
    public double FinalLoss { get; init; } = double.NaN;

    /// <summary>The loss of each update made by this call, in order.</summary>
    public IReadOnlyList<float> StepLosses { get; init; } = Array.Empty<float>();

    /// <summary>Metrics of the last validation, or null when none ran.</summary>
    public IReadOnlyDictionary<string, double>? LastValidationMetrics { get; init; }

    /// <summary>The best value of the early-stopping metric, when early stopping is configured and a validation ran.</summary>
    public double? BestMetric { get; init; }

    /// <summary>The update count at which <see cref="BestMetric"/> was measured.</summary>
    public long? BestStep { get; init; }

    /// <summary>True when training stopped because the cancellation token fired; the model holds the weights so far.</summary>
    public bool Cancelled { get; init; }

    /// <summary>True when early stopping ended training.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>True when the best validation weights were loaded into the model at the end.</summary>
    public bool RestoredBestWeights { get; init; }

    /// <summary>The update count the run resumed from, or null for a fresh run.</summary>
    public long? ResumedFromStep { get; init; }

    /// <summary>The last checkpoint this call wrote, or null.</summary>
    public string? LastCheckpointPath { get; init; }

    /// <summary>Number of trainable scalar weights (elements of parameters in the groups).</summary>
    public long TrainableParameterCount { get; init; }

    /// <summary>Number of frozen scalar weights (elements of model parameters in no group).</summary>
    public long FrozenParameterCount { get; init; }

    /// <summary>Wall time of this call.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>What the run communicated when it trained data-parallel over MPI; null when it trained alone.</summary>
    public Distributed.DataParallelStatistics? DataParallel { get; init; }
}
