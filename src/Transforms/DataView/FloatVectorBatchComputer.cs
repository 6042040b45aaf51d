using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExtensions.Transforms.DataView;

/// <summary>
/// A <see cref="RowBatchComputer"/> for models that read one float-vector column (of known or variable size): each
/// row's vector is copied densely into its own array, and the model computes every output column of the batch at once.
/// The float-vector counterpart of <see cref="TextBatchComputer"/>.
/// </summary>
internal sealed class FloatVectorBatchComputer : RowBatchComputer
{
    private readonly ValueGetter<VBuffer<float>> _getter;
    private readonly Func<IReadOnlyList<float[]>, IReadOnlyList<object[]>> _compute;
    private readonly List<float[]> _vectors = new();
    private VBuffer<float> _buffer;

    /// <summary>Reads <paramref name="column"/> of <paramref name="input"/>; <paramref name="compute"/> maps a batch of vectors to one object[] per row (one value per output column).</summary>
    public FloatVectorBatchComputer(DataViewRow input, string column, Func<IReadOnlyList<float[]>, IReadOnlyList<object[]>> compute)
    {
        _getter = input.GetGetter<VBuffer<float>>(input.Schema[column]);
        _compute = compute;
    }

    protected override void ReadCurrentRow()
    {
        _getter(ref _buffer);
        var values = new float[_buffer.Length];
        _buffer.CopyTo(values);
        _vectors.Add(values);
    }

    protected override IReadOnlyList<object[]> ComputeBatch(int count) => _compute(_vectors);

    protected override void ClearInputs() => _vectors.Clear();
}
