using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Training;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// Collects training rows (<see cref="SkipGramRows"/>) into one padded [rows, length] batch: each row's item indices and
/// which of its positions are target positions (the prefix is context only). The pairs stay implicit: the objective
/// scores every position against its row neighbours at once.
/// </summary>
internal sealed class SkipGramBatchBuilder : IBatchBuilder<SkipGramBatch>
{
    private readonly ValueGetter<VBuffer<int>> _items;
    private readonly ValueGetter<int> _prefix;
    private readonly Device _device;
    private readonly List<(int[] Items, int Prefix)> _rows = new();
    private VBuffer<int> _buffer;

    public SkipGramBatchBuilder(DataViewRowCursor cursor, Device device)
    {
        _items = cursor.GetGetter<VBuffer<int>>(cursor.Schema[nameof(SkipGramRows.Row.Items)]);
        _prefix = cursor.GetGetter<int>(cursor.Schema[nameof(SkipGramRows.Row.Prefix)]);
        _device = device;
    }

    public int Count => _rows.Count;

    public void Append()
    {
        _items(ref _buffer);
        int prefix = 0;
        _prefix(ref prefix);
        _rows.Add((_buffer.DenseValues().ToArray(), prefix));
    }

    public SkipGramBatch Build()
    {
        var batch = Pad(_rows, _device);
        _rows.Clear();
        return batch;
    }

    /// <summary>The rows as one padded batch.</summary>
    internal static SkipGramBatch Pad(IReadOnlyList<(int[] Items, int Prefix)> rows, Device device)
    {
        int length = rows.Count == 0 ? 0 : rows.Max(r => r.Items.Length);
        var items = new long[rows.Count * length];
        var isTarget = new bool[rows.Count * length];
        for (int r = 0; r < rows.Count; r++)
        {
            var (values, prefix) = rows[r];
            for (int p = 0; p < values.Length; p++)
            {
                items[(r * length) + p] = values[p];
                isTarget[(r * length) + p] = p >= prefix;
            }
        }

        return new SkipGramBatch(
            tensor(items, new long[] { rows.Count, length }, ScalarType.Int64, device),
            tensor(isTarget, new long[] { rows.Count, length }, ScalarType.Bool, device));
    }
}
