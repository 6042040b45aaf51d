using Microsoft.ML;

namespace MLNetExtensions.Transforms.DataView;

/// <summary>A <see cref="RowBatchComputer"/> for models that read one text column and add one vector column.</summary>
internal sealed class TextBatchComputer : RowBatchComputer
{
    private readonly ValueGetter<ReadOnlyMemory<char>> _getter;
    private readonly Func<IReadOnlyList<string?>, float[][]> _compute;
    private readonly List<string?> _texts = new();

    public TextBatchComputer(DataViewRow input, string column, Func<IReadOnlyList<string?>, float[][]> compute)
    {
        _getter = input.GetGetter<ReadOnlyMemory<char>>(input.Schema[column]);
        _compute = compute;
    }

    protected override void ReadCurrentRow()
    {
        ReadOnlyMemory<char> value = default;
        _getter(ref value);
        _texts.Add(value.ToString());
    }

    protected override IReadOnlyList<object[]> ComputeBatch(int count) =>
        _compute(_texts).Select(row => new object[] { row }).ToArray();

    protected override void ClearInputs() => _texts.Clear();
}
