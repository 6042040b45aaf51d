using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Options of <see cref="CoReBertEstimator"/>: the BERT pre-training options plus the relaxed model (fast attention,
/// feed-forward rank) and the two phases (steps and schedule of each; optionally a stage-wise relaxed phase).
/// </summary>
public sealed class CoReBertOptions : BertPretrainingOptions
{
    /// <summary>The fast attention of the relaxed model.</summary>
    public FastAttentionKind Attention { get; set; } = FastAttentionKind.Linear;

    /// <summary>Rank of the relaxed model's factorised feed-forward weights (at most <see cref="BertPretrainingOptions.HiddenSize"/>).</summary>
    public int FeedForwardRank { get; set; } = 64;

    /// <summary>Sequence positions keys and values are projected to by <see cref="FastAttentionKind.LowRankProjection"/>.</summary>
    public int ProjectedLength { get; set; } = 32;

    /// <summary>The phases; <see cref="BertPretrainingOptions.Plan"/> is ignored and built from these.</summary>
    public CoRePlanSettings Phases { get; set; } = new();

    internal override TrainingPlan BuildPlan() => CoRePlans.Build(Phases);

    internal override BertRelaxation Relaxation => new() { Attention = Attention, FeedForwardRank = FeedForwardRank, ProjectedLength = ProjectedLength };

    /// <inheritdoc />
    public override void Validate()
    {
        ArgumentNullException.ThrowIfNull(Phases, nameof(Phases));
        Phases.Validate();
        base.Validate();
    }
}
