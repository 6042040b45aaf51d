namespace MLNetExtensions.Transforms.Ids;

/// <summary>The configuration of a fitted <see cref="IdEmbeddingTransformer"/> (saved in its model file).</summary>
/// <param name="ItemColumnName">The input column of item IDs.</param>
/// <param name="OutputColumnName">The output vector column.</param>
/// <param name="ItemDimension">m_1, the dimension of item vectors.</param>
/// <param name="TrainedItemCount">How many of the known items were trained (they come first).</param>
/// <param name="RecentItemCount">T: user vectors and recommendations use the T most recent items.</param>
/// <param name="UnseenItems">What an item that is neither trained nor has attribute IDs becomes.</param>
/// <param name="ItemVector">Which vector represents an item (absent in model files written before it existed: <see cref="IdItemVector.Item"/>).</param>
public sealed record IdEmbeddingSettings(
    string ItemColumnName,
    string OutputColumnName,
    int ItemDimension,
    int TrainedItemCount,
    int RecentItemCount,
    UnseenItemHandling UnseenItems,
    IdItemVector ItemVector = IdItemVector.Item);

/// <summary>Which vector represents an item in the output column, similarity queries, user vectors and exports.</summary>
public enum IdItemVector
{
    /// <summary>The item's own vector e_i1 (m_1 values); an item known only from attributes gets Σ_k w_ik M_k e_ik.</summary>
    Item,

    /// <summary>
    /// The item's vector followed by its weighted attribute vectors, [e_i1, w_i2 e_i2, …, w_iK e_iK] (m_1 + Σ m_k values):
    /// the vector whose dot products the model's context score sums. On Online Retail it ranks better than e_i1 alone
    /// (<c>bench ids</c>: HR@10 0.226 against 0.194; item2vec 0.214).
    /// </summary>
    ItemAndAttributes,
}

/// <summary>How <see cref="IdEmbeddingTransformer.Recommend"/> ranks candidates.</summary>
public enum IdRecommendationScore
{
    /// <summary>
    /// The model's own estimate of what comes next: the paper's pair score s(u, j) of the mean joint target vector u of
    /// the recent items against each candidate's joint context vector, plus log q(j), the candidate's log probability
    /// under the negative sampler. Skip-gram with negatives from q learns s(i, j) ≈ log P(j | i) − log q(j) + const
    /// (Levy and Goldberg, NeurIPS 2014), P(j | i) being the chance that j is within the training window of i, so this ranks
    /// by P(j | recent items). An item never trained (known from the attribute table only) has neither a context vector of
    /// its own nor a frequency: it scores as an average trained item sharing its most specific attribute ID, the log of the
    /// mean of exp(score) over the trained items carrying the ID that the fewest trained items share. In the full
    /// <c>bench ids</c> run every vector method chose it over cosine (docs/ids.md).
    /// </summary>
    NextItem,

    /// <summary>Cosine similarity of each candidate's vector to the user vector (<see cref="IdEmbeddingTransformer.UserEmbedding"/>).</summary>
    Cosine,
}
