using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.DataView;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Pre-trains BERT with masked-LM on a text column through a staged-training plan (by default the
/// full-depth baseline) and returns a <see cref="BertEmbeddingTransformer"/>: text → <c>Embedding</c>.
/// Create it with <c>mlContext.Transforms.Text.PretrainBert(options)</c>.
/// </summary>
public class BertPretrainingEstimator : IEstimator<BertEmbeddingTransformer>
{
    private readonly MLContext _mlContext;
    private readonly BertPretrainingOptions _options;

    internal BertPretrainingEstimator(MLContext mlContext, BertPretrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _mlContext = mlContext;
        _options = options;
    }

    /// <summary>Pre-trains the encoder. The training report travels on the result: <c>transformer.GetTrainingReport()</c>.</summary>
    /// <param name="input">The data with the text column.</param>
    /// <returns>The pre-trained encoder as a text → embedding transformer.</returns>
    public BertEmbeddingTransformer Fit(IDataView input) => BertPretrainer.Fit(_mlContext, input, _options);

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var column = inputSchema.FirstOrDefault(c => c.Name == _options.TextColumnName);
        if (column.Name is null || column.ItemType is not TextDataViewType || column.Kind != SchemaShape.Column.VectorKind.Scalar)
        {
            throw new ArgumentOutOfRangeException(nameof(BertPretrainingOptions.TextColumnName), $"Input column '{_options.TextColumnName}' (TextColumnName) must exist and be scalar text (String).");
        }

        return SchemaShapeColumns.Append(inputSchema, new[] { new MappedColumn(_options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, _options.HiddenSize)) });
    }
}
