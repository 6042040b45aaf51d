using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Ids;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// Learns vectors of item IDs and the IDs attached to them (product, store, brand, category levels, …) in one space
/// (Zhao, Li, Shuai, Yang, "Learning and Transferring IDs Representation in E-commerce", KDD 2018): skip-gram with
/// negative sampling over users' item sequences, where each ID type has its own target and context tables and
/// dimension, plus a structural term tying each item to its attribute IDs through one matrix per type. Fits on an
/// interactions view (user, item, optional timestamp and session) with the item table in
/// <see cref="IdEmbeddingOptions.ItemAttributes"/>, and returns an <see cref="IdEmbeddingTransformer"/>: item → <c>ItemEmbedding</c>.
/// Create it with <c>mlContext.Transforms.IdEmbedding(…)</c>.
/// </summary>
public sealed class IdEmbeddingEstimator : IEstimator<IdEmbeddingTransformer>
{
    private readonly MLContext _mlContext;
    private readonly IdEmbeddingOptions _options;

    internal IdEmbeddingEstimator(MLContext mlContext, IdEmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _mlContext = mlContext;
        _options = options;
    }

    /// <inheritdoc />
    public IdEmbeddingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return IdEmbeddingTrainer.Fit(_mlContext, input, _options);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var column = inputSchema.FirstOrDefault(c => c.Name == _options.ItemColumnName);
        bool supported = column.Name is not null && column.Kind == SchemaShape.Column.VectorKind.Scalar && !column.IsKey && IdColumn.IsSupported(column.ItemType);
        if (!supported)
        {
            throw new ArgumentOutOfRangeException(
                nameof(IdEmbeddingOptions.ItemColumnName),
                $"Input column '{_options.ItemColumnName}' (ItemColumnName) must exist and be a scalar {IdColumn.SupportedTypes}.");
        }

        return SchemaShapeColumns.Append(inputSchema, new[] { new MappedColumn(_options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, _options.OutputDimension)) });
    }
}
