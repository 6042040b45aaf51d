using MLNetExtensions.Estimators.Plans;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Options of <see cref="MultiStageBertEstimator"/>: the BERT pre-training options plus the multi-stage layerwise
/// training (MSLT) settings the plan is built from (start depth, layers added per stage, target depth, step
/// allocation, new-layer initialisation, final all-layer stage, optimiser-state handling, schedule).
/// </summary>
public sealed class MultiStageBertOptions : BertPretrainingOptionsBase
{
    /// <summary>The MSLT settings the plan is built from.</summary>
    public MultiStagePlanSettings Stages { get; set; } = new()
    {
        StartDepth = 2,
        LayersPerStage = 2,
        TargetDepth = 6,
        TotalSteps = 1000,
        Schedule = new LearningRateScheduleSettings { WarmupSteps = 100 },
    };

    internal override TrainingPlan BuildPlan() => MultiStagePlans.Mslt(Stages);

    /// <inheritdoc />
    public override void Validate()
    {
        if (Stages is null)
        {
            throw new ArgumentNullException(nameof(Stages), $"{OptionsName}.Stages must be set.");
        }

        Stages.Validate();
        base.Validate();
    }
}
