namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// Where one engine run sits in a staged plan (set by <see cref="StagedRunner"/> only): the slice of the plan's
/// learning-rate schedule it trains, and the AdamW moments carried from stage to stage. A run without a segment is
/// a whole run with its own schedule and fresh moments.
/// </summary>
internal sealed record StageSegment
{
    /// <summary>The run's step <c>s</c> gets the rate of schedule step <c>ScheduleOffsetSteps + s</c>; ≥ 0.</summary>
    public long ScheduleOffsetSteps { get; init; }

    /// <summary>The length of the schedule the run is part of (≥ 1, and at least the warm-up).</summary>
    public required long ScheduleTotalSteps { get; init; }

    /// <summary>
    /// Moments carried between stages: at the start, parameters that train and have a state in the store continue
    /// from it; at the end, every trainable parameter's state is put into it. Null starts from fresh moments.
    /// </summary>
    public OptimizerStateStore? OptimizerStateCarry { get; init; }
}
