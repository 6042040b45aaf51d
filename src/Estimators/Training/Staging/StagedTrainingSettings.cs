namespace MLNetExtensions.Estimators.Training;

/// <summary>Settings shared by every stage of a staged training run (<see cref="StagedRunner"/>).</summary>
public sealed record StagedTrainingSettings
{
    /// <summary>Sequences per optimiser step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>AdamW weight decay, applied to the groups the model marks as decaying (BERT: not to biases and layer norms).</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Global gradient-norm clipping; null turns it off.</summary>
    public double? MaxGradientNorm { get; init; } = 1.0;

    /// <summary>Seed of data order, masking, dropout and new-layer initialisation.</summary>
    public int Seed { get; init; }

    /// <summary>Validate every this many steps within a stage (and always at a stage's end); null: at every pass over the training data and at stage ends.</summary>
    public int? ValidateEveryNSteps { get; init; }

    /// <summary>Rows per validation batch (no gradients are kept, so it may exceed <see cref="BatchSize"/>).</summary>
    public int ValidationBatchSize { get; init; } = 64;

    /// <summary>Torch CPU threads; null uses every core.</summary>
    public int? NumberOfThreads { get; init; }

    /// <summary>Engine log/progress cadence in steps.</summary>
    public int LogEveryNSteps { get; init; } = 10;

    /// <summary>Folder for checkpoints (one per stage, plus the plan's state); null turns checkpoints off.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Checkpoint every this many steps within a stage (stage ends are always checkpointed).</summary>
    public int? CheckpointEveryNSteps { get; init; }

    /// <summary>Continue the run whose checkpoints are in <see cref="CheckpointDirectory"/>, from its last checkpoint.</summary>
    public bool Resume { get; init; }
}
