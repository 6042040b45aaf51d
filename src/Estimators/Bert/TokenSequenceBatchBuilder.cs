using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Training;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Reads a token-id vector column (variable or fixed size, Int32) row by row and builds padded int64
/// tensors: the batch is as long as its longest sequence (dynamic padding), trailing padding is dropped.
/// </summary>
internal sealed class TokenSequenceBatchBuilder : IBatchBuilder<MaskedLanguageModelBatch>
{
    private readonly ValueGetter<VBuffer<int>> _getter;
    private readonly string _column;
    private readonly int _paddingId;
    private readonly Device _device;
    private readonly List<int[]> _rows = new();
    private VBuffer<int> _buffer;

    public TokenSequenceBatchBuilder(DataViewRowCursor cursor, string column, int paddingId, Device device)
    {
        _getter = cursor.GetGetter<VBuffer<int>>(cursor.Schema[column]);
        _column = column;
        _paddingId = paddingId;
        _device = device;
    }

    public int Count => _rows.Count;

    public void Append()
    {
        _getter(ref _buffer);
        var values = _buffer.DenseValues().ToArray();
        int length = values.Length;
        while (length > 0 && values[length - 1] == _paddingId)
        {
            length--;
        }

        if (length == 0)
        {
            throw new InvalidOperationException(
                $"Column '{_column}' holds a row with no token (empty, or padding id {_paddingId} only); every row needs at least one token.");
        }

        _rows.Add(values[..length]);
    }

    public MaskedLanguageModelBatch Build()
    {
        int width = _rows.Max(r => r.Length);
        var ids = new long[_rows.Count * width];
        var mask = new long[_rows.Count * width];
        Array.Fill(ids, _paddingId);
        for (int r = 0; r < _rows.Count; r++)
        {
            for (int t = 0; t < _rows[r].Length; t++)
            {
                ids[(r * width) + t] = _rows[r][t];
                mask[(r * width) + t] = 1;
            }
        }

        var shape = new long[] { _rows.Count, width };
        _rows.Clear();
        return new MaskedLanguageModelBatch(tensor(ids, shape).to(_device), tensor(mask, shape).to(_device));
    }
}
