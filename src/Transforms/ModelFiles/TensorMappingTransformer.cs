using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.DataView;

namespace MLNetExtensions.Transforms.ModelFiles;

/// <summary>
/// Base of this project's fitted transformers: adds columns computed by a model a batch of rows at a
/// time in <see cref="Transform"/>, one row at a time through a <c>PredictionEngine</c>, and saves
/// to the model files of <see cref="ModelOperationsCatalogExtensions.SaveWithTensors"/>.
/// </summary>
public abstract class TensorMappingTransformer : ITransformer, ITensorModelComponent
{
    private int _inferenceBatchSize = 64;

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

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

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
        var mapper = MapperFor(inputSchema);
        mapper.CheckInputSchema(inputSchema);
        return BatchMappedDataView.BuildSchema(inputSchema, mapper);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchMappedDataView(input, MapperFor(input.Schema), InferenceBatchSize);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new BatchRowToRowMapper(inputSchema, MapperFor(inputSchema));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        TensorModelFile.OnComponentSaving(this);
        ((ICanSaveModel)TensorPayloadCarrier.CreateStandIn(new MLContext())).Save(ctx);
    }

    void ITensorModelComponent.WritePayload(ModelPayloadWriter writer) => WritePayload(writer);

    /// <summary>Writes everything needed to rebuild this transformer.</summary>
    private protected abstract void WritePayload(ModelPayloadWriter writer);
}
