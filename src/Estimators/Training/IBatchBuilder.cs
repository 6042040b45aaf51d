namespace MLNetExtensions.Estimators.Training;

/// <summary>
/// Accumulates rows of one <see cref="Microsoft.ML.DataViewRowCursor"/> into a batch.
/// </summary>
/// <typeparam name="TBatch">The batch type the objective's loss function consumes.</typeparam>
/// <remarks>
/// A builder is created by <see cref="ITrainingObjective{TBatch}.CreateBatchBuilder"/> for one cursor and
/// typically creates that cursor's getters once in its constructor. The engine moves the cursor and calls
/// <see cref="Append"/> for each row, then <see cref="Build"/> once per batch. <see cref="Append"/> must only
/// copy row values into managed buffers; tensors should be created in <see cref="Build"/>, which the engine
/// calls inside the training step's dispose scope, so that they are released when the step ends.
/// If the builder implements <see cref="IDisposable"/>, the engine disposes it when it is done with the cursor.
/// </remarks>
public interface IBatchBuilder<out TBatch>
{
    /// <summary>The number of rows appended since the last <see cref="Build"/>.</summary>
    int Count { get; }

    /// <summary>Reads the cursor's current row (through its getters) and appends it to the pending batch.</summary>
    void Append();

    /// <summary>Creates a batch from the appended rows and clears the builder for the next batch.</summary>
    /// <returns>The batch; the engine disposes it after the step when it implements <see cref="IDisposable"/>.</returns>
    TBatch Build();
}
