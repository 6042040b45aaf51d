namespace MLNetExtensions.Estimators.Plans;

/// <summary>
/// The two phases of coarse-refined (CoRe) training (Yang et al. 2020): a relaxed BERT trains for
/// <see cref="RelaxedSteps"/> with its own schedule, is converted into the original BERT, which then trains every
/// layer for <see cref="FullSteps"/> with a second schedule. With <see cref="RelaxedGrowth"/> the relaxed phase is
/// itself multi-stage layerwise training (CoRe + MSLT).
/// </summary>
public sealed class CoRePlanSettings
{
    /// <summary>Encoder layers of the model (at the end of the relaxed phase, and throughout the full one).</summary>
    public int Depth { get; set; } = 6;

    /// <summary>Optimiser steps of the relaxed phase.</summary>
    public int RelaxedSteps { get; set; } = 700;

    /// <summary>Optimiser steps of the full phase, after conversion.</summary>
    public int FullSteps { get; set; } = 300;

    /// <summary>The relaxed phase's schedule.</summary>
    public LearningRateScheduleSettings RelaxedSchedule { get; set; } = new() { PeakLearningRate = 1e-3, WarmupSteps = 70 };

    /// <summary>The full phase's schedule (a fresh warm-up: the converted model's attention changes).</summary>
    public LearningRateScheduleSettings FullSchedule { get; set; } = new() { PeakLearningRate = 5e-4, WarmupSteps = 30 };

    /// <summary>
    /// Grow the relaxed model stage-wise (MSLT) instead of training it at full depth: its depths, layers per stage and
    /// step allocation are used; its <c>TargetDepth</c>, <c>TotalSteps</c> and <c>Schedule</c> are replaced by
    /// <see cref="Depth"/>, <see cref="RelaxedSteps"/> and <see cref="RelaxedSchedule"/>. Null: one relaxed stage.
    /// </summary>
    public MultiStagePlanSettings? RelaxedGrowth { get; set; }

    /// <summary>Checks every setting; throws naming the first bad one.</summary>
    public void Validate()
    {
        if (Depth < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Depth), Depth, $"CoRePlanSettings.Depth must be ≥ 1 (was {Depth}).");
        }

        if (RelaxedSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RelaxedSteps), RelaxedSteps, $"CoRePlanSettings.RelaxedSteps must be ≥ 1 (was {RelaxedSteps}).");
        }

        if (FullSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(FullSteps), FullSteps, $"CoRePlanSettings.FullSteps must be ≥ 1 (was {FullSteps}).");
        }

        ArgumentNullException.ThrowIfNull(RelaxedSchedule, nameof(RelaxedSchedule));
        ArgumentNullException.ThrowIfNull(FullSchedule, nameof(FullSchedule));
        CoRePlans.Build(this).Validate();
    }
}
