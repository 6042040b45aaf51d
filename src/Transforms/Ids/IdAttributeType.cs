using System.Text.Json.Serialization;

namespace MLNetExtensions.Transforms.Ids;

/// <summary>
/// One ID type attached to items (product, store, brand, a category level, …): its IDs, how many items share each,
/// and which ID every known item has. Row <c>r</c> of the type's embedding table is <see cref="Values"/>[r]; one extra
/// last row stands for a missing ID and always has weight 0.
/// </summary>
/// <param name="Name">The attribute column's name.</param>
/// <param name="Dimension">The dimension of this type's vectors (m_k).</param>
/// <param name="Values">The IDs that have a vector: those carried by at least one trained item.</param>
/// <param name="Counts">For each of <see cref="Values"/>, the number of items of the attribute table that share it.</param>
/// <param name="ItemValues">For each known item (in the transformer's item order), its index in <see cref="Values"/>, or -1.</param>
internal sealed record IdAttributeType(string Name, int Dimension, string[] Values, int[] Counts, int[] ItemValues)
{
    private IdVocabulary? _vocabulary;

    /// <summary>The index of each ID.</summary>
    [JsonIgnore]
    public IdVocabulary Vocabulary => _vocabulary ??= new IdVocabulary(Values);

    /// <summary>The table row of a missing or unknown ID.</summary>
    [JsonIgnore]
    public int MissingRow => Values.Length;

    /// <summary>The weight w_ik = 1 / (number of items sharing the ID) of table row <paramref name="row"/>; 0 for the missing row.</summary>
    public float Weight(int row) => row >= 0 && row < Counts.Length && Counts[row] > 0 ? 1f / Counts[row] : 0f;

    /// <summary>The table row of <paramref name="id"/>, or <see cref="MissingRow"/>.</summary>
    public int RowOf(string? id)
    {
        int row = Vocabulary.IndexOf(id);
        return row >= 0 ? row : MissingRow;
    }

    /// <summary>The table row of known item <paramref name="item"/>'s ID of this type, or <see cref="MissingRow"/>.</summary>
    public int RowOfItem(int item) => ItemValues[item] >= 0 ? ItemValues[item] : MissingRow;
}
