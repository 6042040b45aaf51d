using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Training;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// Collects training rows (<see cref="SkipGramRows"/>) into flat buffers and forms all window pairs of a batch with tensor
/// operations: for each distance d ≤ C, position j pairs with j − d when both lie in the same row and j is a target position.
/// </summary>
internal sealed class SkipGramBatchBuilder : IBatchBuilder<SkipGramBatch>
{
    private readonly ValueGetter<VBuffer<int>> _items;
    private readonly ValueGetter<int> _prefix;
    private readonly int _window;
    private readonly Device _device;
    private readonly List<long> _flat = new();
    private readonly List<int> _rowOf = new();
    private readonly List<bool> _isTarget = new();
    private VBuffer<int> _buffer;

    public SkipGramBatchBuilder(DataViewRowCursor cursor, int window, Device device)
    {
        _items = cursor.GetGetter<VBuffer<int>>(cursor.Schema[nameof(SkipGramRows.Row.Items)]);
        _prefix = cursor.GetGetter<int>(cursor.Schema[nameof(SkipGramRows.Row.Prefix)]);
        _window = window;
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
        var items = tensor(_flat.ToArray(), ScalarType.Int64, _device);
        var rows = tensor(_rowOf.ToArray(), ScalarType.Int32, _device);
        var isTarget = tensor(_isTarget.ToArray(), ScalarType.Bool, _device);
        _flat.Clear();
        _rowOf.Clear();
        _isTarget.Clear();
        Count = 0;
        return Pairs(items, rows, isTarget, _window);
    }

    /// <summary>All window pairs of the flattened rows, both directions.</summary>
    internal static SkipGramBatch Pairs(Tensor items, Tensor rows, Tensor isTarget, int window)
    {
        long n = items.shape[0];
        var left = new List<Tensor>();
        var right = new List<Tensor>();
        for (int d = 1; d <= window && d < n; d++)
        {
            var valid = rows.narrow(0, d, n - d).eq(rows.narrow(0, 0, n - d)).logical_and(isTarget.narrow(0, d, n - d));
            left.Add(items.narrow(0, 0, n - d).masked_select(valid));
            right.Add(items.narrow(0, d, n - d).masked_select(valid));
        }

        var a = left.Count == 0 ? zeros(0, ScalarType.Int64, items.device) : cat(left, 0);
        var b = right.Count == 0 ? zeros(0, ScalarType.Int64, items.device) : cat(right, 0);
        return new SkipGramBatch(cat(new[] { a, b }, 0), cat(new[] { b, a }, 0), items.masked_select(isTarget));
    }
}
