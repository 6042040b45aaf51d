namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// One stage as <see cref="StagedRunner"/> sees it: its length, whether AdamW moments restart, and where it sits
/// in its learning-rate schedule (stages may share one schedule, each taking the next steps of it).
/// </summary>
public sealed record StagedRunStage
{
    /// <summary>A name for logs and reports.</summary>
    public required string Name { get; init; }

    /// <summary>Optimiser steps of the stage.</summary>
    public required int Steps { get; init; }

    /// <summary>Whether the AdamW moments carried from earlier stages are dropped when the stage starts.</summary>
    public bool ResetOptimizerState { get; init; }

    /// <summary>Peak learning rate of the stage's schedule.</summary>
    public required double PeakLearningRate { get; init; }

    /// <summary>Warm-up steps of the stage's schedule.</summary>
    public long WarmupSteps { get; init; }

    /// <summary>Decay after warm-up.</summary>
    public LearningRateDecay Decay { get; init; } = LearningRateDecay.Linear;

    /// <summary>Final learning rate as a fraction of the peak.</summary>
    public double FinalFraction { get; init; }

    /// <summary>Steps of the schedule run before this stage (by earlier stages sharing it).</summary>
    public long ScheduleOffsetSteps { get; init; }

    /// <summary>Length of the schedule this stage is part of.</summary>
    public required long ScheduleTotalSteps { get; init; }
}
