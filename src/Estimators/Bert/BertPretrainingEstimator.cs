using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.DataView;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Pre-trains BERT with masked-LM on a text column through a staged-training plan (by default the
/// full-depth baseline) and returns a <see cref="BertEmbeddingTransformer"/>: text → <c>Embedding</c>.
/// Create it with <c>mlContext.Transforms.Text.PretrainBert(options)</c>.
/// </summary>
public class BertPretrainingEstimator : TorchTrainerEstimator<BertPretrainingOptionsBase, BertEmbeddingTransformer>
{
    internal BertPretrainingEstimator(MLContext mlContext, BertPretrainingOptionsBase options)
        : base(mlContext, options)
    {
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var column = inputSchema.FirstOrDefault(c => c.Name == Options.TextColumnName);
        if (column.Name is null || column.ItemType is not TextDataViewType || column.Kind != SchemaShape.Column.VectorKind.Scalar)
        {
            throw new ArgumentOutOfRangeException(nameof(BertPretrainingOptions.TextColumnName), $"Input column '{Options.TextColumnName}' (TextColumnName) must exist and be scalar text (String).");
        }

        return SchemaShapeColumns.Append(inputSchema, new[] { new MappedColumn(Options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, Options.HiddenSize)) });
    }

    /// <summary>Pre-trains the encoder on the text column. The training report travels on the result: <c>transformer.GetTrainingReport()</c>.</summary>
    private protected override BertEmbeddingTransformer FitCore(IDataView input, int seed, TorchSharp.torch.Device device) =>
        BertPretrainer.Fit(Context, input, Options, seed, device);
}
