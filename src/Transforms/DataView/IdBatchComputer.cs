using Microsoft.ML;

namespace MLNetExtensions.Transforms.DataView;

/// <summary>
/// A <see cref="RowBatchComputer"/> for models that read ID columns (text, integer or key: <see cref="IdColumn"/>): each
/// row's ID and, when the input carries them, the IDs of further columns (an item's attribute IDs), and the model
/// computes every output column of the batch at once. The ID counterpart of <see cref="TextBatchComputer"/> and
/// <see cref="FloatVectorBatchComputer"/>.
/// </summary>
internal sealed class IdBatchComputer : RowBatchComputer
{
    private readonly Func<string?> _id;
    private readonly Func<string?>?[] _extra;
    private readonly bool _hasExtra;
    private readonly Func<IReadOnlyList<string?>, IReadOnlyList<string?[]?>, IReadOnlyList<object[]>> _compute;
    private readonly List<string?> _ids = new();
    private readonly List<string?[]?> _extraIds = new();

    /// <summary>Reads <paramref name="column"/> and the <paramref name="extraColumns"/> the input has (null entries are absent columns).</summary>
    /// <param name="input">The row to read.</param>
    /// <param name="column">The ID column.</param>
    /// <param name="extraColumns">Further ID columns, in the order the model expects them; null where the input lacks one.</param>
    /// <param name="compute">
    /// Maps a batch to one object[] per row (one value per output column), from each row's ID and its extra IDs (null
    /// for a row when the input has none of the extra columns).
    /// </param>
    public IdBatchComputer(
        DataViewRow input, string column, IReadOnlyList<string?> extraColumns, Func<IReadOnlyList<string?>, IReadOnlyList<string?[]?>, IReadOnlyList<object[]>> compute)
    {
        _id = IdColumn.Reader(input, column);
        _extra = extraColumns.Select(name => name is null ? null : IdColumn.Reader(input, name)).ToArray();
        _hasExtra = _extra.Any(read => read is not null);
        _compute = compute;
    }

    protected override void ReadCurrentRow()
    {
        _ids.Add(_id());
        _extraIds.Add(_hasExtra ? _extra.Select(read => read?.Invoke()).ToArray() : null);
    }

    protected override IReadOnlyList<object[]> ComputeBatch(int count) => _compute(_ids, _extraIds);

    protected override void ClearInputs()
    {
        _ids.Clear();
        _extraIds.Clear();
    }
}
