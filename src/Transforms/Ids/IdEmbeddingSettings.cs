namespace MLNetExtensions.Transforms.Ids;

/// <summary>The configuration of a fitted <see cref="IdEmbeddingTransformer"/> (saved in its model file).</summary>
/// <param name="ItemColumnName">The input column of item IDs.</param>
/// <param name="OutputColumnName">The output vector column.</param>
/// <param name="ItemDimension">m_1, the dimension of item vectors.</param>
/// <param name="TrainedItemCount">How many of the known items were trained (they come first).</param>
/// <param name="RecentItemCount">T: user vectors average the T most recent items.</param>
/// <param name="UnseenItems">What an item that is neither trained nor has attribute IDs becomes.</param>
public sealed record IdEmbeddingSettings(
    string ItemColumnName,
    string OutputColumnName,
    int ItemDimension,
    int TrainedItemCount,
    int RecentItemCount,
    UnseenItemHandling UnseenItems);
