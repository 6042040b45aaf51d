using System.Text.Json.Serialization;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>The fast attention of a relaxed BERT layer; both keep the query, key, value and output projections of the full layer.</summary>
public enum FastAttentionKind
{
    /// <summary>
    /// Kernelised linear attention (Katharopoulos et al. 2020): softmax(QKᵀ)V is replaced by
    /// φ(Q)(φ(K)ᵀV) / φ(Q)Σφ(K) with φ(x) = elu(x) + 1, linear in the sequence length; padded keys are left out.
    /// </summary>
    Linear,

    /// <summary>
    /// Linformer-style attention (Wang et al. 2020): keys and values are projected along the sequence to
    /// <see cref="BertRelaxation.ProjectedLength"/> positions by learned matrices, then softmax attention over those.
    /// </summary>
    LowRankProjection,
}

/// <summary>
/// The relaxed form of BERT used by coarse-refined (CoRe) training (Yang et al. 2020): a fast attention in every
/// layer and each feed-forward weight factorised as the product of two rank-<see cref="FeedForwardRank"/> matrices;
/// embeddings, layer norms, attention projections and heads are those of the full model. Set on
/// <see cref="BertConfig.Relaxation"/>; a config without it is the original BERT.
/// </summary>
public sealed record BertRelaxation
{
    /// <summary>The fast attention.</summary>
    [JsonPropertyName("attention")]
    public FastAttentionKind Attention { get; init; } = FastAttentionKind.Linear;

    /// <summary>Rank of the factorised feed-forward weights (at most the hidden size).</summary>
    [JsonPropertyName("feed_forward_rank")]
    public int FeedForwardRank { get; init; } = 64;

    /// <summary>Positions keys and values are projected to by <see cref="FastAttentionKind.LowRankProjection"/> (unused by linear attention).</summary>
    [JsonPropertyName("projected_length")]
    public int ProjectedLength { get; init; } = 32;

    /// <summary>Throws an exception naming the first invalid setting.</summary>
    /// <param name="config">The configuration the relaxation belongs to.</param>
    internal void Validate(BertConfig config)
    {
        if (!Enum.IsDefined(Attention))
        {
            throw new ArgumentOutOfRangeException(nameof(Attention), Attention, $"BertConfig.Relaxation.Attention must be Linear or LowRankProjection, but was {Attention}.");
        }

        if (FeedForwardRank < 1 || FeedForwardRank > config.HiddenSize)
        {
            throw new ArgumentOutOfRangeException(nameof(FeedForwardRank), FeedForwardRank,
                $"BertConfig.Relaxation.FeedForwardRank (feed_forward_rank) must lie in [1, hidden_size = {config.HiddenSize}], but was {FeedForwardRank}.");
        }

        if (ProjectedLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ProjectedLength), ProjectedLength,
                $"BertConfig.Relaxation.ProjectedLength (projected_length) must be positive, but was {ProjectedLength}.");
        }
    }
}
