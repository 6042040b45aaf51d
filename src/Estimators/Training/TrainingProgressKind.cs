namespace MLNetExtensions.Estimators.Training;

/// <summary>What a <see cref="TrainingProgress"/> report is about.</summary>
public enum TrainingProgressKind
{
    /// <summary>Step metrics, every <see cref="TrainingOptions.LogEveryNSteps"/> updates and at the last update.</summary>
    Step,

    /// <summary>An epoch ended; <see cref="TrainingProgress.AverageLoss"/> is the epoch's mean training loss.</summary>
    Epoch,

    /// <summary>A validation ran; <see cref="TrainingProgress.Metrics"/> holds its metrics.</summary>
    Validation,

    /// <summary>A checkpoint was written to <see cref="TrainingProgress.CheckpointPath"/>.</summary>
    Checkpoint,

    /// <summary>Training ended (completed, stopped early or cancelled).</summary>
    Finished,
}
