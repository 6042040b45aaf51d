namespace MLNetExtensions.Transforms.Ids;

/// <summary>A list of distinct IDs and the index of each (ordinal string comparison).</summary>
internal sealed class IdVocabulary
{
    private readonly string[] _ids;
    private readonly Dictionary<string, int> _index;

    public IdVocabulary(IReadOnlyList<string> ids)
    {
        _ids = ids.ToArray();
        _index = new Dictionary<string, int>(_ids.Length, StringComparer.Ordinal);
        for (int i = 0; i < _ids.Length; i++)
        {
            if (!_index.TryAdd(_ids[i], i))
            {
                throw new ArgumentException($"ID '{_ids[i]}' appears twice in the vocabulary.", nameof(ids));
            }
        }
    }

    /// <summary>The IDs in index order.</summary>
    public IReadOnlyList<string> Ids => _ids;

    /// <summary>Number of IDs.</summary>
    public int Count => _ids.Length;

    /// <summary>The index of <paramref name="id"/>, or -1 when it is unknown or null.</summary>
    public int IndexOf(string? id) => id is not null && _index.TryGetValue(id, out int i) ? i : -1;
}
