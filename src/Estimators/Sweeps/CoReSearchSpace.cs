using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// The coarse-refined (CoRe) settings a sweep explores: the relaxed model (feed-forward rank, attention kind,
/// projected length), the phase split (the relaxed phase's share of a fixed total of steps) and each phase's peak
/// learning rate. Each candidate is a CoRe plan (<see cref="CoRePlans.Build"/>) carrying its relaxation, so the
/// same <see cref="ITrialRunner"/> that runs MSLT trials runs these. Invalid combinations (for example a split
/// that leaves a phase shorter than its warm-up) are skipped, deterministically.
/// </summary>
public sealed class CoReSearchSpace : SearchSpace<CoRePlanSettings>
{
    /// <summary>The name of the phase-split dimension in reports and flat values.</summary>
    public const string RelaxedShareName = "RelaxedShare";

    /// <summary>A space around <paramref name="fixedSettings"/> (copied); every setting not swept keeps its value there.</summary>
    /// <param name="fixedSettings">The settings every candidate starts from; their two phases' steps give the total a phase split divides.</param>
    /// <exception cref="ArgumentNullException">A schedule of <paramref name="fixedSettings"/> is not set.</exception>
    public CoReSearchSpace(CoRePlanSettings fixedSettings)
        : base(fixedSettings)
    {
        // The dimensions write into the schedules; a candidate cannot be built without them.
        FixedSettings.RequireSchedules();
    }

    /// <summary>Rank of the relaxed feed-forward weights, or null to keep the fixed value.</summary>
    public SearchDimension<int>? FeedForwardRank { get; set; }

    /// <summary>The relaxed model's fast attention, or null to keep the fixed value.</summary>
    public SearchDimension<FastAttentionKind>? Attention { get; set; }

    /// <summary>Positions of the low-rank projection attention, or null to keep the fixed value.</summary>
    public SearchDimension<int>? ProjectedLength { get; set; }

    /// <summary>
    /// The relaxed phase's share of the fixed settings' total steps (in (0, 1); the full phase gets the rest, each
    /// at least one step), or null to keep the fixed split.
    /// </summary>
    public SearchDimension<double>? RelaxedShare { get; set; }

    /// <summary>The relaxed phase's peak learning rate, or null to keep the fixed value.</summary>
    public SearchDimension<double>? RelaxedPeakLearningRate { get; set; }

    /// <summary>The full phase's peak learning rate, or null to keep the fixed value.</summary>
    public SearchDimension<double>? FullPeakLearningRate { get; set; }

    /// <inheritdoc />
    protected override IEnumerable<SweptSetting> Dimensions()
    {
        if (FeedForwardRank is { } rank)
        {
            yield return SweptSetting.Of(nameof(FeedForwardRank), rank, (s, v) => s.FeedForwardRank = v);
        }

        if (Attention is { } attention)
        {
            yield return SweptSetting.Of(nameof(Attention), attention, (s, v) => s.Attention = v);
        }

        if (ProjectedLength is { } projected)
        {
            yield return SweptSetting.Of(nameof(ProjectedLength), projected, (s, v) => s.ProjectedLength = v);
        }

        if (RelaxedShare is { } share)
        {
            yield return SweptSetting.Of(RelaxedShareName, share, Split);
        }

        if (RelaxedPeakLearningRate is { } relaxedRate)
        {
            yield return SweptSetting.Of(nameof(RelaxedPeakLearningRate), relaxedRate, (s, v) => s.RelaxedSchedule.PeakLearningRate = v);
        }

        if (FullPeakLearningRate is { } fullRate)
        {
            yield return SweptSetting.Of(nameof(FullPeakLearningRate), fullRate, (s, v) => s.FullSchedule.PeakLearningRate = v);
        }
    }

    /// <summary>Splits the settings' total steps; a share outside (0, 1) leaves a phase at 0 steps, which validation rejects with the reason.</summary>
    private static void Split(CoRePlanSettings settings, double share)
    {
        int total = settings.RelaxedSteps + settings.FullSteps;
        settings.RelaxedSteps = (int)Math.Round(total * share, MidpointRounding.AwayFromZero);
        settings.FullSteps = total - settings.RelaxedSteps;
    }
}
