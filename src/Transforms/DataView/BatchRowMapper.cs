using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExtensions.Transforms.DataView;

/// <summary>A column that a <see cref="BatchRowMapper"/> adds to each row.</summary>
/// <param name="Name">The output column's name.</param>
/// <param name="Type">Its type: a primitive type or a known-size vector of one.</param>
/// <param name="Annotations">Its annotations (for example key values or slot names), or null for none.</param>
public sealed record MappedColumn(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations = null);

/// <summary>
/// A computation from some input columns to new columns, carried out on a batch of rows at a
/// time, so that models run one forward pass per batch rather than per row. The same mapper
/// serves <see cref="IDataView"/> transformation (batches) and prediction engines (batches of one).
/// </summary>
internal abstract class BatchRowMapper
{
    /// <summary>The columns added, in order.</summary>
    public abstract IReadOnlyList<MappedColumn> OutputColumns { get; }

    /// <summary>The input columns read.</summary>
    public abstract IReadOnlyList<string> InputColumnNames { get; }

    /// <summary>Throws an exception naming the column and the type expected when the input schema does not fit.</summary>
    public abstract void CheckInputSchema(DataViewSchema inputSchema);

    /// <summary>A computer that reads its inputs from the current row of <paramref name="input"/>.</summary>
    public abstract RowBatchComputer CreateComputer(DataViewRow input);
}

/// <summary>
/// Accumulates rows of one cursor, computes their outputs together, and serves them.
/// Values are kept as plain arrays (vectors) or boxed scalars and copied out by the getters.
/// </summary>
internal abstract class RowBatchComputer
{
    private readonly List<object[]> _outputs = new();

    /// <summary>Rows added since the last <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Reads the current input row into the batch.</summary>
    public void AddCurrentRow()
    {
        ReadCurrentRow();
        Count++;
    }

    /// <summary>Computes the outputs of every row added.</summary>
    public void Compute()
    {
        _outputs.Clear();
        _outputs.AddRange(ComputeBatch(Count));
    }

    /// <summary>The output value of one row of the batch: a T[] for vector columns, a T for scalars.</summary>
    public object GetValue(int rowInBatch, int outputColumn) => _outputs[rowInBatch][outputColumn];

    /// <summary>Starts a new batch.</summary>
    public void Clear()
    {
        Count = 0;
        _outputs.Clear();
        ClearInputs();
    }

    /// <summary>Copies the current row's inputs into the pending batch.</summary>
    protected abstract void ReadCurrentRow();

    /// <summary>Computes <paramref name="count"/> rows of outputs from the pending inputs: one object[] per row, one value per output column.</summary>
    protected abstract IReadOnlyList<object[]> ComputeBatch(int count);

    /// <summary>Forgets the pending inputs.</summary>
    protected abstract void ClearInputs();
}
