using MLNetExtensions.Estimators.Sweeps;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Estimators.Plans;

/// <summary>
/// Coarse-refined (CoRe) training (Yang et al. 2020): the relaxed model (fast attention, rank of the factorised
/// feed-forward weights) and the two phases. The relaxed BERT trains for <see cref="RelaxedSteps"/> with its own
/// schedule and is converted into the original BERT, which then trains every layer for <see cref="FullSteps"/> with
/// a second schedule. With <see cref="RelaxedGrowth"/> the relaxed phase is itself multi-stage layerwise training
/// (CoRe + MSLT). A <see cref="CoReSearchSpace"/> sweeps these settings.
/// </summary>
public sealed class CoRePlanSettings : ISweepSettings<CoRePlanSettings>
{
    /// <summary>The fast attention of the relaxed model.</summary>
    public FastAttentionKind Attention { get; set; } = FastAttentionKind.Linear;

    /// <summary>Rank of the relaxed model's factorised feed-forward weights (at most the hidden size).</summary>
    public int FeedForwardRank { get; set; } = 64;

    /// <summary>Sequence positions keys and values are projected to by <see cref="FastAttentionKind.LowRankProjection"/>.</summary>
    public int ProjectedLength { get; set; } = 32;

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

    /// <summary>The relaxed model these settings describe.</summary>
    public BertRelaxation Relaxation => new() { Attention = Attention, FeedForwardRank = FeedForwardRank, ProjectedLength = ProjectedLength };

    /// <summary>A deep copy.</summary>
    public CoRePlanSettings Clone()
    {
        var copy = (CoRePlanSettings)MemberwiseClone();

        // A missing schedule stays missing, for Validate (or a search space) to name.
        copy.RelaxedSchedule = RelaxedSchedule?.Clone()!;
        copy.FullSchedule = FullSchedule?.Clone()!;
        copy.RelaxedGrowth = RelaxedGrowth?.Clone();
        return copy;
    }

    /// <summary>The CoRe plan (<see cref="CoRePlans.Build"/>), validated.</summary>
    public TrainingPlan BuildPlan() => ValidatedPlan();

    /// <inheritdoc />
    IReadOnlyDictionary<string, object> ISweepSettings<CoRePlanSettings>.ToSweepValues() => SweepValues.Flatten(this);

    /// <summary>Checks every setting; throws naming the first bad one.</summary>
    public void Validate() => ValidatedPlan();

    /// <summary>How errors name these settings' options: <c>CoRePlanSettings.</c> and the option.</summary>
    internal const string OptionPrefix = nameof(CoRePlanSettings) + ".";

    /// <summary>
    /// What an option of <see cref="RelaxedGrowth"/> is called in errors: the CoRe setting that replaces it
    /// (<see cref="Depth"/>, <see cref="RelaxedSteps"/>, <see cref="RelaxedSchedule"/>), else <c>RelaxedGrowth.{option}</c>.
    /// </summary>
    internal static string RelaxedGrowthOption(string option) => option switch
    {
        nameof(MultiStagePlanSettings.TargetDepth) => nameof(Depth),
        nameof(MultiStagePlanSettings.TotalSteps) => nameof(RelaxedSteps),
        nameof(MultiStagePlanSettings.Schedule) => nameof(RelaxedSchedule),
        _ => $"{nameof(RelaxedGrowth)}.{option}",
    };

    /// <summary>Throws naming <see cref="RelaxedSchedule"/> or <see cref="FullSchedule"/> when it is not set.</summary>
    internal void RequireSchedules()
    {
        LearningRateScheduleSettings.Require(RelaxedSchedule, OptionPrefix, nameof(RelaxedSchedule));
        LearningRateScheduleSettings.Require(FullSchedule, OptionPrefix, nameof(FullSchedule));
    }

    /// <summary>Checks the settings, then builds the plan once and checks it (stages, schedules).</summary>
    private TrainingPlan ValidatedPlan()
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

        if (!Enum.IsDefined(Attention))
        {
            throw new ArgumentOutOfRangeException(nameof(Attention), Attention, $"CoRePlanSettings.Attention must be Linear or LowRankProjection (was {Attention}).");
        }

        if (FeedForwardRank < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(FeedForwardRank), FeedForwardRank, $"CoRePlanSettings.FeedForwardRank must be ≥ 1 (was {FeedForwardRank}).");
        }

        if (ProjectedLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ProjectedLength), ProjectedLength, $"CoRePlanSettings.ProjectedLength must be ≥ 1 (was {ProjectedLength}).");
        }

        LearningRateScheduleSettings.Validate(RelaxedSchedule, OptionPrefix, nameof(RelaxedSchedule), RelaxedSteps, nameof(RelaxedSteps));
        LearningRateScheduleSettings.Validate(FullSchedule, OptionPrefix, nameof(FullSchedule), FullSteps, nameof(FullSteps));
        var plan = CoRePlans.Build(this);
        plan.Validate();
        return plan;
    }
}
