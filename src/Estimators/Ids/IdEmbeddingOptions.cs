using Microsoft.ML;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Ids;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>How negative context items are drawn.</summary>
public enum NegativeSamplerKind
{
    /// <summary>Log-uniform (Zipfian) over items sorted by frequency, as the paper: P(r) = log((r + 2) / (r + 1)) / log(n + 1) for rank r.</summary>
    LogUniform,

    /// <summary>Proportional to item frequency^0.75, as word2vec.</summary>
    Unigram075,
}

/// <summary>An attribute column of the item table: one ID type (product, store, brand, a category level, …) with its own dimension.</summary>
/// <param name="Name">The column in <see cref="IdEmbeddingOptions.ItemAttributes"/> (text or integer IDs; empty text is missing).</param>
/// <param name="Dimension">m_k, the dimension of this type's vectors (paper: product 100, store 10, brand 20, categories 10–20).</param>
public sealed record AttributeIdColumn(string Name, int Dimension);

/// <summary>
/// Options of <see cref="IdEmbeddingEstimator"/>: skip-gram with negative sampling over item sequences where every ID type
/// (the item, and each attribute column) has its own target and context tables (Zhao et al., KDD 2018).
/// </summary>
/// <remarks>
/// Training (<see cref="SingleRunTrainerOptions"/>): a row is a piece of one sequence with up to
/// <see cref="PositionsPerRow"/> target positions, so an update of <see cref="TorchTrainerOptions.BatchSize"/> rows sees
/// about BatchSize × PositionsPerRow × 2C pairs. <see cref="TorchTrainerOptions.ValidationFraction"/> holds that share
/// of the rows out; <see cref="SingleRunTrainerOptions.ValidationData"/> is an interactions view read like the training
/// one, its items mapped to the trained ones (others dropped). Either gives the validation loss (the same objective,
/// negatives drawn from the validation seed) and enables early stopping.
/// </remarks>
public sealed class IdEmbeddingOptions : SingleRunTrainerOptions
{
    /// <summary>
    /// Creates the options with the paper's training settings: batches of 128 (here rows, each with up to
    /// <see cref="PositionsPerRow"/> target positions: about 27,000 pairs per update on Online Retail), 5 epochs, Adam (no weight decay)
    /// at <see cref="DefaultLearningRate"/> decaying linearly to 0, no clipping.
    /// </summary>
    public IdEmbeddingOptions()
    {
        BatchSize = 128;
        Epochs = 5;
        LearningRate = DefaultLearningRate;
        WeightDecay = 0; // Adam: β penalises the transitions inside the loss instead
        MaxGradientNorm = null;
    }

    /// <summary>The learning rate when <see cref="SingleRunTrainerOptions.LearningRate"/> is null.</summary>
    public const double DefaultLearningRate = 0.01;

    /// <summary>The user (or session) column of the interactions: one sequence per user, in time order.</summary>
    public string UserColumnName { get; set; } = "UserId";

    /// <summary>The item column of the interactions (text or integer IDs) and of <see cref="ItemAttributes"/>; also the transformer's input.</summary>
    public string ItemColumnName { get; set; } = "ItemId";

    /// <summary>
    /// The time of each interaction (DateTime, DateTimeOffset or a number), or null: rows of a user then keep their order in
    /// the view. Ties keep the view's order; a row whose number time is missing (NaN) is skipped.
    /// </summary>
    public string? TimestampColumnName { get; set; }

    /// <summary>A basket or session column (an ID): a user's sequence is split where it changes. Null: no split by session.</summary>
    public string? SessionColumnName { get; set; }

    /// <summary>Split a user's sequence where two consecutive interactions are further apart than this (needs a DateTime timestamp). Null: no split.</summary>
    public TimeSpan? InactivityGap { get; set; }

    /// <summary>
    /// The item table: <see cref="ItemColumnName"/> plus the <see cref="AttributeColumns"/>. Items listed here but never in the
    /// interactions get vectors from their attributes. When an item has several rows, the first row wins. Null: item IDs only.
    /// </summary>
    public IDataView? ItemAttributes { get; set; }

    /// <summary>The attribute columns of <see cref="ItemAttributes"/> that are ID types, with their dimensions.</summary>
    public IReadOnlyList<AttributeIdColumn> AttributeColumns { get; set; } = Array.Empty<AttributeIdColumn>();

    /// <summary>The output vector column of the fitted transformer.</summary>
    public string OutputColumnName { get; set; } = "ItemEmbedding";

    /// <summary>m_1, the dimension of item vectors (paper: 100).</summary>
    public int ItemDimension { get; set; } = 100;

    /// <summary>C: items up to this far apart in a sequence are (target, context) pairs, both ways (paper: 4).</summary>
    public int WindowSize { get; set; } = 4;

    /// <summary>S: negative items per pair (paper: 2).</summary>
    public int NegativeCount { get; set; } = 2;

    /// <summary>How negatives are drawn.</summary>
    public NegativeSamplerKind NegativeSampler { get; set; } = NegativeSamplerKind.LogUniform;

    /// <summary>
    /// Items drawn from <see cref="NegativeSampler"/> for each training row; each pair of the row then picks its own
    /// <see cref="NegativeCount"/> negatives uniformly among them, so every negative still follows the sampler's
    /// distribution. The row's positions are scored against its pool with one matrix product instead of one lookup per
    /// negative (a row of <see cref="PositionsPerRow"/> = 32 positions at C = 4, S = 2 has over 500 negatives). Larger
    /// pools make a row's pairs share fewer negatives and cost more per row.
    /// </summary>
    public int NegativePoolSize { get; set; } = 64;

    /// <summary>
    /// α: weight of the structural term log σ(Σ_k w_ik e_i1ᵀ M_k e_ik), which trains the transitions that give items
    /// without interactions a vector; 0 turns it off. The default 0.1 departs from the paper's 1 on the evidence of
    /// <c>bench ids</c>: on Online Retail's validation split HR@10 is 0.203 at α = 1, 0.250 at 0.1 and 0.241 at 0.01
    /// (unigram^0.75 sampler, learning rate 0.03; with the paper's log-uniform sampler at 0.01: 0.218, 0.234, 0.231).
    /// </summary>
    public double Alpha { get; set; } = 0.1;

    /// <summary>
    /// Which vector represents an item in <see cref="OutputColumnName"/>, similarity queries, user vectors and exports:
    /// e_i1 alone (the default), or e_i1 followed by the item's weighted attribute vectors (see <see cref="IdItemVector"/>).
    /// </summary>
    public IdItemVector ItemVector { get; set; } = IdItemVector.Item;

    /// <summary>The size of the output vectors: <see cref="ItemDimension"/>, plus every attribute's dimension with <see cref="IdItemVector.ItemAndAttributes"/>.</summary>
    public int OutputDimension => ItemDimension + (ItemVector == IdItemVector.ItemAndAttributes ? AttributeColumns.Sum(c => c.Dimension) : 0);

    /// <summary>β: weight of the penalty Σ_k ‖M_k‖² on the transition matrices.</summary>
    public double Beta { get; set; } = 0.01;

    /// <summary>Target positions per training row (long sequences are cut into pieces that keep their left context).</summary>
    public int PositionsPerRow { get; set; } = 32;

    /// <summary>
    /// T: user vectors and <c>Recommend</c> use the T most recent items (<c>bench ids</c> chose 1 on Online Retail, where the
    /// next purchase follows the last one, and 10 on the sparse Complete Journey; docs/ids.md).
    /// </summary>
    public int RecentItemCount { get; set; } = 5;

    /// <summary>What the transformer gives an item that was neither trained nor has attribute IDs.</summary>
    public UnseenItemHandling UnseenItems { get; set; } = UnseenItemHandling.Zero;

    /// <summary>The checkpoint file's name: it keeps the weights, Adam's moments, the data position and the seed.</summary>
    private protected override string CheckpointFileName => "ids.ckpt";

    /// <summary>Throws an exception naming the first invalid option.</summary>
    public override void Validate()
    {
        base.Validate();
        RequireColumnName(UserColumnName, nameof(UserColumnName));
        RequireColumnName(ItemColumnName, nameof(ItemColumnName));
        RequireColumnName(OutputColumnName, nameof(OutputColumnName));
        RequirePositive(ItemDimension, nameof(ItemDimension));
        RequirePositive(WindowSize, nameof(WindowSize));
        RequirePositive(NegativeCount, nameof(NegativeCount));
        RequirePositive(NegativePoolSize, nameof(NegativePoolSize));
        RequirePositive(PositionsPerRow, nameof(PositionsPerRow));
        RequirePositive(RecentItemCount, nameof(RecentItemCount));
        if (!(Alpha >= 0) || !double.IsFinite(Alpha))
        {
            throw Bad(nameof(Alpha), Alpha, "must be a finite number ≥ 0");
        }

        if (!(Beta >= 0) || !double.IsFinite(Beta))
        {
            throw Bad(nameof(Beta), Beta, "must be a finite number ≥ 0");
        }

        if (InactivityGap is { } gap && gap <= TimeSpan.Zero)
        {
            throw Bad(nameof(InactivityGap), gap, "must be positive when set");
        }

        if (InactivityGap is not null && TimestampColumnName is null)
        {
            throw new ArgumentException($"{OptionsName}.InactivityGap needs {OptionsName}.TimestampColumnName.", nameof(InactivityGap));
        }

        ArgumentNullException.ThrowIfNull(AttributeColumns, nameof(AttributeColumns));
        if (AttributeColumns.Count > 0 && ItemAttributes is null)
        {
            throw new ArgumentException($"{OptionsName}.AttributeColumns are given but ItemAttributes is null: pass the item table they belong to.", nameof(ItemAttributes));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in AttributeColumns)
        {
            if (column is null || string.IsNullOrWhiteSpace(column.Name))
            {
                throw new ArgumentException($"Every entry of {OptionsName}.AttributeColumns must name a column.", nameof(AttributeColumns));
            }

            if (column.Dimension <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(AttributeColumns), column.Dimension, $"{OptionsName}.AttributeColumns: '{column.Name}' has Dimension {column.Dimension}; it must be ≥ 1.");
            }

            if (column.Name == ItemColumnName || !names.Add(column.Name))
            {
                throw new ArgumentException($"{OptionsName}.AttributeColumns: '{column.Name}' appears twice or is the item column.", nameof(AttributeColumns));
            }
        }
    }
}
