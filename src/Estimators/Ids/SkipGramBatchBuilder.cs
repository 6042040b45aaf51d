using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Training;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>Collects training rows (<see cref="SkipGramRows"/>) into flat buffers: items, row numbers and target flags per position.</summary>
internal sealed class SkipGramBatchBuilder : IBatchBuilder<SkipGramBatch>
{
    private readonly ValueGetter<VBuffer<int>> _items;
    private readonly ValueGetter<int> _prefix;
    private readonly Device _device;
    private readonly List<long> _flat = new();
    private readonly List<int> _rowOf = new();
    private readonly List<bool> _isTarget = new();
    private VBuffer<int> _buffer;

    public SkipGramBatchBuilder(DataViewRowCursor cursor, Device device)
    {
        _items = cursor.GetGetter<VBuffer<int>>(cursor.Schema[nameof(SkipGramRows.Row.Items)]);
        _prefix = cursor.GetGetter<int>(cursor.Schema[nameof(SkipGramRows.Row.Prefix)]);
        _device = device;
    }

    public int Count { get; private set; }

    public void Append()
    {
        _items(ref _buffer);
        int prefix = 0;
        _prefix(ref prefix);
        var values = _buffer.DenseValues();
        int position = 0;
        foreach (int item in values)
        {
            _flat.Add(item);
            _rowOf.Add(Count);
            _isTarget.Add(position++ >= prefix);
        }

        Count++;
    }

    public SkipGramBatch Build()
    {
        var batch = new SkipGramBatch(
            tensor(_flat.ToArray(), ScalarType.Int64, _device),
            tensor(_rowOf.ToArray(), ScalarType.Int32, _device),
            tensor(_isTarget.ToArray(), ScalarType.Bool, _device));
        _flat.Clear();
        _rowOf.Clear();
        _isTarget.Clear();
        Count = 0;
        return batch;
    }
}
