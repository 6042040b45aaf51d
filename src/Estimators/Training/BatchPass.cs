using Microsoft.ML;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// One pass over a data view in batches made by an objective's batch builder: how validation reads its data, for
/// the engine's mean validation loss and for an objective's own metrics alike.
/// </summary>
internal static class BatchPass
{
    /// <summary>
    /// Reads <paramref name="columns"/> of <paramref name="data"/> in order, in batches of up to
    /// <paramref name="batchSize"/> rows, and gives each batch with its row count to <paramref name="visit"/> inside its
    /// own dispose scope; disposes every batch and the builder.
    /// </summary>
    public static void Run<TBatch>(
        IDataView data,
        IEnumerable<string> columns,
        Func<DataViewRowCursor, IBatchBuilder<TBatch>> createBuilder,
        int batchSize,
        Action<TBatch, int> visit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        using var cursor = data.GetRowCursor(columns.Select(name => data.Schema[name]));
        var builder = createBuilder(cursor);
        try
        {
            bool more = true;
            while (more)
            {
                while (builder.Count < batchSize && (more = cursor.MoveNext()))
                {
                    builder.Append();
                }

                int count = builder.Count;
                if (count == 0)
                {
                    break;
                }

                using var scope = NewDisposeScope();
                var batch = builder.Build();
                try
                {
                    visit(batch, count);
                }
                finally
                {
                    (batch as IDisposable)?.Dispose();
                }
            }
        }
        finally
        {
            (builder as IDisposable)?.Dispose();
        }
    }
}
