using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.DataView;

namespace MLNetExtensions.Transforms.ModelFiles;

/// <summary>
/// Base of this project's fitted transformers: adds columns computed by a model a batch of rows at a
/// time in <see cref="Transform"/>, one row at a time through a <c>PredictionEngine</c>, and saves
/// to the model files of <see cref="ModelOperationsCatalogExtensions.SaveWithTensors"/>.
/// Disposing it frees the model's native tensors; any later use, including data views and prediction
/// engines made from it before, throws <see cref="ObjectDisposedException"/>.
/// </summary>
public abstract class TensorMappingTransformer : ITransformer, ITensorModelComponent, IDisposable
{
    private int _inferenceBatchSize = 64;
    private bool _disposed;

    private protected TensorMappingTransformer()
    {
    }

    /// <summary>Rows per model call in <see cref="Transform"/>.</summary>
    public int InferenceBatchSize
    {
        get => _inferenceBatchSize;
        set => _inferenceBatchSize = value > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(InferenceBatchSize), value, "InferenceBatchSize must be positive.");
    }

    /// <summary>
    /// JSON describing where this model came from, kept in its model file: how the estimator that fitted it trained it,
    /// or the checkpoint it was converted from; null when nothing recorded it. The training assembly reads it as a
    /// typed report: <c>GetTrainingReport()</c> for pre-training, <c>GetTrainingResult()</c> for the single-run trainers.
    /// </summary>
    public string? TrainingRecordJson { get; private set; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <summary>The model-file entry that holds <see cref="TrainingRecordJson"/>.</summary>
    internal const string TrainingRecordEntry = "training.json";

    string ITensorModelComponent.ComponentKind => ComponentKind;

    int ITensorModelComponent.PayloadVersion => PayloadVersion;

    /// <summary>The registry key of this kind of transformer in model files.</summary>
    private protected abstract string ComponentKind { get; }

    /// <summary>The version of this kind's payload layout.</summary>
    private protected virtual int PayloadVersion => 1;

    /// <summary>The computation this transformer performs.</summary>
    private protected abstract BatchRowMapper Mapper { get; }

    /// <summary>The computation for inputs of <paramref name="inputSchema"/>: <see cref="Mapper"/> unless the inputs read depend on the schema.</summary>
    private protected virtual BatchRowMapper MapperFor(DataViewSchema inputSchema) => Mapper;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        var mapper = MapperFor(inputSchema);
        mapper.CheckInputSchema(inputSchema);
        return BatchMappedDataView.BuildSchema(inputSchema, mapper);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        return new BatchMappedDataView(input, MapperFor(input.Schema), InferenceBatchSize, ThrowIfDisposed);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        return new BatchRowToRowMapper(inputSchema, MapperFor(inputSchema), ThrowIfDisposed);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ThrowIfDisposed();
        TensorModelFile.OnComponentSaving(this);
        ((ICanSaveModel)TensorPayloadCarrier.CreateStandIn(new MLContext())).Save(ctx);
    }

    void ITensorModelComponent.WritePayload(ModelPayloadWriter writer)
    {
        WritePayload(writer);
        if (TrainingRecordJson is not null)
        {
            writer.WriteText(TrainingRecordEntry, TrainingRecordJson);
        }
    }

    /// <summary>Attaches the record of how this model was trained (the estimator that fitted it, or the model file it came from).</summary>
    internal void AttachTrainingRecord(string? json) => TrainingRecordJson = json;

    /// <summary>Writes everything needed to rebuild this transformer.</summary>
    private protected abstract void WritePayload(ModelPayloadWriter writer);

    /// <summary>Frees the model's native tensors. Later calls do nothing; any later use throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        DisposeModel();
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees what this transformer owns (its TorchSharp modules); called once, by <see cref="Dispose"/>.</summary>
    private protected virtual void DisposeModel()
    {
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> naming this transformer once it is disposed.</summary>
    private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
