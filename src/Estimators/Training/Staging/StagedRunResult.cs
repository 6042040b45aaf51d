namespace MLNetExtensions.Estimators.Training;

/// <summary>What one stage of a staged run did (kept in the plan state file, so a resumed run reports earlier stages too).</summary>
public sealed record StagedRunStageResult
{
    /// <summary>The stage's name.</summary>
    public required string Name { get; init; }

    /// <summary>Optimiser steps run.</summary>
    public required long Steps { get; init; }

    /// <summary>Training time of the stage, validation excluded (after a resume: the part run by the resuming process).</summary>
    public required double TrainingSeconds { get; init; }

    /// <summary>Mean training loss over the stage's last 20 steps (NaN when none ran).</summary>
    public required double FinalTrainingLoss { get; init; }

    /// <summary>Scalar weights the stage trained (the rest of the model was frozen).</summary>
    public long TrainableParameterCount { get; init; }

    /// <summary>What the stage communicated when it trained data-parallel over MPI; null when it trained alone.</summary>
    public Distributed.DataParallelStatistics? DataParallel { get; init; }

    /// <summary>Metrics of the stage's last validation, or null.</summary>
    public Dictionary<string, double>? ValidationMetrics { get; init; }

    /// <summary>A validation metric of the stage's end, or NaN.</summary>
    public double Metric(string name) => ValidationMetrics?.GetValueOrDefault(name, double.NaN) ?? double.NaN;
}

/// <summary>One validation of a staged run.</summary>
/// <param name="Stage">The stage it ran in.</param>
/// <param name="PlanStep">Steps across the plan at that point.</param>
/// <param name="TrainingSeconds">Training time across the plan at that point, validation excluded.</param>
/// <param name="Metrics">The metrics.</param>
public sealed record StagedRunValidation(int Stage, long PlanStep, double TrainingSeconds, Dictionary<string, double> Metrics)
{
    /// <summary>A metric, or NaN.</summary>
    public double Metric(string name) => Metrics.GetValueOrDefault(name, double.NaN);
}

/// <summary>What a staged run did.</summary>
/// <param name="Stages">One entry per stage run.</param>
/// <param name="Validations">Validations in order.</param>
/// <param name="Cancelled">Whether the run was cancelled before the last stage's end.</param>
public sealed record StagedRunResult(IReadOnlyList<StagedRunStageResult> Stages, IReadOnlyList<StagedRunValidation> Validations, bool Cancelled);
