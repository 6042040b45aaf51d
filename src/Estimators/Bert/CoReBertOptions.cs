using MLNetExtensions.Estimators.Plans;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Options of <see cref="CoReBertEstimator"/>: the BERT pre-training options plus the coarse-refined training
/// settings the plan is built from — the relaxed model (fast attention, feed-forward rank) and the two phases (steps
/// and schedule of each; optionally a stage-wise relaxed phase).
/// </summary>
public sealed class CoReBertOptions : BertPretrainingOptionsBase
{
    /// <summary>The CoRe settings the plan is built from.</summary>
    public CoRePlanSettings CoRe { get; set; } = new();

    internal override TrainingPlan BuildPlan() => CoRePlans.Build(CoRe);

    /// <inheritdoc />
    public override void Validate()
    {
        ArgumentNullException.ThrowIfNull(CoRe, nameof(CoRe));
        CoRe.Validate();
        base.Validate();
    }
}
