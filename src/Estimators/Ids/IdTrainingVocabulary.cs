using MLNetExtensions.Transforms.Ids;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// The indices training works with. Trained items (those in sequences of two items or more: only they make pairs) are
/// numbered by frequency, most frequent first, ties in ordinal order, so that the log-uniform sampler can draw ranks directly; items known only from the
/// attribute table follow, in table order. An attribute ID gets a vector only when a trained item carries it (others
/// could not be trained and count as missing); w_ik counts the items of the whole attribute table that share the ID.
/// </summary>
internal sealed class IdTrainingVocabulary
{
    public IdTrainingVocabulary(IReadOnlyList<string[]> sequences, IReadOnlyList<(string Item, string?[] Ids)> attributeRows, IReadOnlyList<AttributeIdColumn> attributeColumns)
    {
        // A sequence of one item trains nothing: an item seen only in such sequences would keep its random initial vector,
        // so it is not a trained item (it gets its vector from its attribute IDs when the attribute table lists it).
        sequences = sequences.Where(sequence => sequence.Length >= 2).ToArray();
        var frequency = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var sequence in sequences)
        {
            foreach (string item in sequence)
            {
                frequency[item] = frequency.GetValueOrDefault(item) + 1;
            }
        }

        var trained = frequency.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToArray();
        TrainedItemCount = trained.Length;
        Frequencies = trained.Select(p => p.Value).ToArray();
        var known = trained.Select(p => p.Key).ToList();
        var trainedSet = new HashSet<string>(known, StringComparer.Ordinal);
        known.AddRange(attributeRows.Select(r => r.Item).Where(item => !trainedSet.Contains(item)));
        Items = new IdVocabulary(known);
        Sequences = sequences.Select(s => s.Select(Items.IndexOf).ToArray()).ToArray();

        var rowOfItem = new Dictionary<string, string?[]>(StringComparer.Ordinal);
        foreach (var (item, ids) in attributeRows)
        {
            rowOfItem[item] = ids;
        }

        var types = new List<IdAttributeType>();
        for (int k = 0; k < attributeColumns.Count; k++)
        {
            var shared = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (_, ids) in attributeRows)
            {
                if (ids[k] is { } id)
                {
                    shared[id] = shared.GetValueOrDefault(id) + 1;
                }
            }

            var values = known.Take(TrainedItemCount)
                .Select(item => rowOfItem.TryGetValue(item, out var ids) ? ids[k] : null)
                .OfType<string>()
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToArray();
            var vocabulary = new IdVocabulary(values);
            var itemValues = known.Select(item => rowOfItem.TryGetValue(item, out var ids) ? vocabulary.IndexOf(ids[k]) : -1).ToArray();
            types.Add(new IdAttributeType(attributeColumns[k].Name, attributeColumns[k].Dimension, values, values.Select(v => shared[v]).ToArray(), itemValues));
        }

        Attributes = types;
    }

    /// <summary>Every known item: trained items first.</summary>
    public IdVocabulary Items { get; }

    /// <summary>How many items were trained.</summary>
    public int TrainedItemCount { get; }

    /// <summary>Occurrences of each trained item in the sequences (non-increasing).</summary>
    public long[] Frequencies { get; }

    /// <summary>The sequences of two items or more, as item indices.</summary>
    public int[][] Sequences { get; }

    /// <summary>The attribute types with their IDs, counts and per-item IDs.</summary>
    public IReadOnlyList<IdAttributeType> Attributes { get; }
}
