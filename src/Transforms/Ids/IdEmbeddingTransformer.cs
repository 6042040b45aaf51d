using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.IO;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Transforms.Ids;

/// <summary>
/// Learned ID vectors (Zhao et al., KDD 2018) as an ML.NET transformer: an item-ID column (text or integer) becomes an
/// <c>ItemEmbedding</c> vector column usable as <c>Features</c> by any ML.NET trainer. Items not trained get their vector
/// from their attribute IDs (Σ_k w_ik M_k e_ik): from the attribute table seen in training when it lists them, else from
/// the input's attribute columns when it has them. Only IDs that a trained item carries count; an item with none follows
/// <see cref="IdEmbeddingSettings.UnseenItems"/>.
/// Beside <c>Transform</c>: similar items, user vectors, recommendations, attribute-ID vectors and word2vec export.
/// Produced by <c>IdEmbeddingEstimator</c>; saved with <c>SaveWithTensors</c>.
/// </summary>
public sealed partial class IdEmbeddingTransformer : TensorMappingTransformer
{
    private const string Kind = "IdEmbedding";
    private readonly IdVectorSpace _space;
    private readonly ItemMapper _mapper;

    internal IdEmbeddingTransformer(IdVectorSpace space, IdEmbeddingSettings settings, IdEmbeddingTrainingSummary? summary)
    {
        _space = space;
        Settings = settings;
        TrainingSummary = summary;
        // The summary is this model's training record, as a pre-training report is a BERT encoder's: the same on a
        // fitted model and on one loaded from its file, which keeps it in the record's entry.
        AttachTrainingRecord(summary is null ? null : System.Text.Json.JsonSerializer.Serialize(summary, ModelPayloadWriter.Json));
        _mapper = new ItemMapper(this);
    }

    /// <summary>Columns, dimensions and the unseen-item rule.</summary>
    public IdEmbeddingSettings Settings { get; private set; }

    /// <summary>
    /// What an item that is neither trained nor has an attribute ID a trained item carries becomes in <c>Transform</c>: a
    /// zero vector or an error. It changes no vector, so it can be set on a fitted or loaded model (not while a
    /// <c>Transform</c> of it is being read); a model file saved afterwards keeps the new rule. The rule is read as rows
    /// are mapped, so it also applies to data views returned by an earlier <c>Transform</c> and not yet read, and to
    /// existing prediction engines; setting it replaces <see cref="Settings"/> (a reference taken before keeps the old rule).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="UnseenItemHandling"/>.</exception>
    public UnseenItemHandling UnseenItems
    {
        get => Settings.UnseenItems;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(UnseenItems), value, "Expected UnseenItemHandling.Zero or UnseenItemHandling.Error.");
            }

            Settings = Settings with { UnseenItems = value };
        }
    }

    /// <summary>How training went (pairs, time, throughput, loss), or null.</summary>
    public IdEmbeddingTrainingSummary? TrainingSummary { get; }

    /// <summary>
    /// The dimension of the item vectors this transformer gives: m_1, or with <see cref="IdItemVector.ItemAndAttributes"/>
    /// m_1 + Σ_k m_k.
    /// </summary>
    public int Dimension => _space.Dimension;

    /// <summary>
    /// Every known item: trained items (most frequent first), then items known only from the attribute table, some of which
    /// may have no vector (see <see cref="GetItemVector"/>).
    /// </summary>
    public IReadOnlyList<string> Items => _space.Items.Ids;

    /// <summary>The attribute columns (ID types beyond the item), in order.</summary>
    public IReadOnlyList<string> AttributeColumnNames => _space.Attributes.Select(a => a.Name).ToArray();

    /// <summary>The vectors behind this transformer (tests and the benchmark read the tables).</summary>
    internal IdVectorSpace Space => _space;

    private protected override string ComponentKind => Kind;

    private protected override BatchRowMapper Mapper => _mapper;

    /// <summary>Whether <paramref name="itemId"/> was trained (appeared in the training sequences).</summary>
    public bool IsTrained(string itemId)
    {
        ThrowIfDisposed();
        int index = _space.Items.IndexOf(itemId);
        return index >= 0 && index < _space.TrainedItemCount;
    }

    /// <summary>
    /// The vector of a known item (trained, or known from its attributes), or null for an unknown item and for one known
    /// only from attribute IDs that no trained item carries (it has no vector).
    /// </summary>
    public float[]? GetItemVector(string itemId)
    {
        ThrowIfDisposed();
        int index = _space.Items.IndexOf(itemId);
        return index >= 0 && _space.HasVector(index) ? _space.VectorOf(index) : null;
    }

    /// <summary>
    /// The vector of an item from its attribute IDs alone (the cold-start rule Σ_k w_ik M_k e_ik), or null when none of
    /// the IDs is one a trained item carries (the item would have no vector, as <see cref="GetItemVector"/> says for such
    /// an item). Attribute columns not in <paramref name="attributeIds"/>, and IDs never trained, contribute nothing.
    /// </summary>
    /// <param name="attributeIds">Attribute column name → ID.</param>
    /// <exception cref="ArgumentException">A key of <paramref name="attributeIds"/> is not one of the model's attribute columns.</exception>
    public float[]? VectorFromAttributes(IReadOnlyDictionary<string, string?> attributeIds)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(attributeIds);
        foreach (string name in attributeIds.Keys)
        {
            AttributeIndex(name, nameof(attributeIds));
        }

        var ids = _space.Attributes.Select(a => attributeIds.TryGetValue(a.Name, out var id) ? id : null).ToArray();
        return _space.HasUsableAttributes(ids) ? _space.FromAttributeIds(new[] { ids })[0] : null;
    }

    /// <summary>The raw vector (dimension m_k of its type) of attribute ID <paramref name="id"/> of column <paramref name="attributeColumn"/>, or null when that ID has none.</summary>
    public float[]? GetAttributeVector(string attributeColumn, string id)
    {
        ThrowIfDisposed();
        var type = _space.Attributes[AttributeIndex(attributeColumn, nameof(attributeColumn))];
        int row = type.Vocabulary.IndexOf(id);
        return row < 0 ? null : AttributeTable(type, row + 1).AsSpan(row * type.Dimension, type.Dimension).ToArray();
    }

    /// <summary>
    /// The <paramref name="count"/> items most similar to <paramref name="itemId"/> by cosine similarity, best first, the
    /// item itself excluded. With <paramref name="attributeColumn"/>, only items whose ID of that type equals
    /// <paramref name="attributeValue"/> (null: the query item's own ID of that type) are candidates; an ID that no
    /// trained item carries matches none, and the list is empty, as it is for a query item without a vector.
    /// </summary>
    /// <exception cref="ArgumentException">The item is unknown, the attribute column does not exist, or <paramref name="attributeValue"/> is given without <paramref name="attributeColumn"/>.</exception>
    public IReadOnlyList<ScoredId> MostSimilar(string itemId, int count, string? attributeColumn = null, string? attributeValue = null)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(itemId);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int item = _space.Items.IndexOf(itemId);
        if (item < 0)
        {
            throw new ArgumentException($"Item '{itemId}' is unknown: it was neither trained nor listed in the item attributes.", nameof(itemId));
        }

        if (attributeColumn is null && attributeValue is not null)
        {
            throw new ArgumentException($"The attribute value '{attributeValue}' filters only together with the attribute column it belongs to (attributeColumn).", nameof(attributeColumn));
        }

        Func<int, bool> allowed = candidate => candidate != item;
        if (attributeColumn is not null)
        {
            var type = _space.Attributes[AttributeIndex(attributeColumn, nameof(attributeColumn))];
            int wanted = attributeValue is null ? type.ItemValues[item] : type.Vocabulary.IndexOf(attributeValue);
            allowed = candidate => candidate != item && wanted >= 0 && type.ItemValues[candidate] == wanted;
        }

        return _space.Nearest(_space.VectorOf(item), count, allowed);
    }

    /// <summary>
    /// A user's vector: the mean of the vectors of the T (<see cref="IdEmbeddingSettings.RecentItemCount"/>, or
    /// <paramref name="mostRecent"/>) most recent known items of <paramref name="recentItems"/> (oldest first). Unknown items
    /// are skipped; with no known item the vector is zero.
    /// </summary>
    public float[] UserEmbedding(IReadOnlyList<string> recentItems, int? mostRecent = null)
    {
        ThrowIfDisposed();
        var known = MostRecentWithVectors(recentItems, mostRecent);
        var mean = new float[Dimension];
        foreach (int item in known)
        {
            for (int d = 0; d < Dimension; d++)
            {
                mean[d] += _space.Vectors[item * Dimension + d] / known.Length;
            }
        }

        return mean;
    }

    /// <summary>
    /// The <paramref name="count"/> items a user with <paramref name="recentItems"/> (oldest first) is most likely to pick
    /// next, best first; with <paramref name="excludeSeen"/>, items of <paramref name="recentItems"/> are left out. Only the
    /// T (<see cref="IdEmbeddingSettings.RecentItemCount"/>, or <paramref name="mostRecent"/>) most recent known items
    /// count. <paramref name="score"/> chooses the ranking (null: <see cref="IdRecommendationScore.NextItem"/> when the
    /// model has its context tables, as every model trained by this version has, else <see cref="IdRecommendationScore.Cosine"/>).
    /// With no known recent item, NextItem ranks by the sampler's prior alone (the most frequent items first), while
    /// Cosine returns an empty list: a zero user vector has no direction.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="IdRecommendationScore.NextItem"/> on a model file of payload version 1, which has no context tables.</exception>
    public IReadOnlyList<ScoredId> Recommend(IReadOnlyList<string> recentItems, int count, bool excludeSeen = true, IdRecommendationScore? score = null, int? mostRecent = null)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(recentItems);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var seen = excludeSeen ? recentItems.Select(_space.Items.IndexOf).Where(i => i >= 0).ToHashSet() : new HashSet<int>();
        Func<int, bool>? allowed = seen.Count == 0 ? null : candidate => !seen.Contains(candidate);
        return (score ?? (_space.HasContext ? IdRecommendationScore.NextItem : IdRecommendationScore.Cosine)) switch
        {
            IdRecommendationScore.Cosine => _space.Nearest(UserEmbedding(recentItems, mostRecent), count, allowed),
            IdRecommendationScore.NextItem => _space.NextItems(MostRecentWithVectors(recentItems, mostRecent), count, allowed),
            _ => throw new ArgumentOutOfRangeException(nameof(score), score, "Expected IdRecommendationScore.Cosine or IdRecommendationScore.NextItem."),
        };
    }

    /// <summary>
    /// Writes the vector of every known item that has one in the word2vec text format (gensim, fastText tools). Items known
    /// only from attribute IDs that no trained item carries have no vector and are left out.
    /// </summary>
    public void ExportWord2Vec(TextWriter writer)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(writer);
        var items = Enumerable.Range(0, _space.Items.Count).Where(_space.HasVector).ToArray();
        var vectors = new float[items.Length * Dimension];
        for (int i = 0; i < items.Length; i++)
        {
            _space.Vectors.AsSpan(items[i] * Dimension, Dimension).CopyTo(vectors.AsSpan(i * Dimension, Dimension));
        }

        Word2VecText.Write(writer, items.Select(i => _space.Items.Ids[i]).ToArray(), vectors, Dimension);
    }

    /// <summary>Writes the raw vectors (dimension m_k) of one attribute type's IDs in the word2vec text format.</summary>
    public void ExportWord2Vec(TextWriter writer, string attributeColumn)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(writer);
        var type = _space.Attributes[AttributeIndex(attributeColumn, nameof(attributeColumn))];
        Word2VecText.Write(writer, type.Values, AttributeTable(type, type.Values.Length), type.Dimension);
    }

    /// <summary>Writes the item vectors (as <see cref="ExportWord2Vec(TextWriter)"/>) to a word2vec text file, atomically: a failed export leaves no partial file.</summary>
    public void ExportWord2Vec(string path)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            ExportWord2Vec(writer);
        });
    }

    /// <inheritdoc />
    private protected override void DisposeModel() => _space.Dispose();

    private float[] AttributeTable(IdAttributeType type, int rows)
    {
        int k = _space.Attributes.ToList().IndexOf(type);
        using var scope = TorchSharp.torch.NewDisposeScope();
        return _space.Tables.Attributes[k].detach().narrow(0, 0, rows).contiguous().data<float>().ToArray();
    }

    /// <summary>The indices of the T most recent items of <paramref name="recentItems"/> that have a vector, oldest first.</summary>
    private int[] MostRecentWithVectors(IReadOnlyList<string> recentItems, int? mostRecent)
    {
        ArgumentNullException.ThrowIfNull(recentItems);
        int take = mostRecent ?? Settings.RecentItemCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(take, 1, nameof(mostRecent));
        return recentItems.Select(_space.Items.IndexOf).Where(i => i >= 0 && _space.HasVector(i)).TakeLast(take).ToArray();
    }

    private int AttributeIndex(string attributeColumn, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(attributeColumn, parameterName);
        for (int k = 0; k < _space.Attributes.Count; k++)
        {
            if (_space.Attributes[k].Name == attributeColumn)
            {
                return k;
            }
        }

        throw new ArgumentException(
            $"'{attributeColumn}' is not an attribute column of this model; its attribute columns are: {(_space.Attributes.Count == 0 ? "none" : string.Join(", ", AttributeColumnNames))}.",
            parameterName);
    }
}
