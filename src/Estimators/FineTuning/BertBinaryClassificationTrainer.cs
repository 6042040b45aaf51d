using Microsoft.ML;
using MLNetExtensions.Estimators.Classification;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Classification;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Estimators.FineTuning;

/// <summary>
/// Fine-tunes BERT for binary classification of text (label: Boolean). The fitted
/// <see cref="BertBinaryClassificationTransformer"/> adds <c>Score</c>, <c>Probability</c> and <c>PredictedLabel</c> as
/// ML.NET's calibrated binary classifiers do. Create it with
/// <see cref="BertClassificationCatalogExtensions.BertClassifier(BinaryClassificationCatalog.BinaryClassificationTrainers, BertClassificationOptions)"/>.
/// </summary>
public sealed class BertBinaryClassificationTrainer : BertClassificationTrainer<BertBinaryClassificationTransformer>
{
    /// <summary>Creates the trainer; <paramref name="mlContext"/> gives the seed, the device (GPU settings) and the log.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="options">The options, validated here.</param>
    public BertBinaryClassificationTrainer(MLContext mlContext, BertClassificationOptions options)
        : base(mlContext, options, ClassificationLabel.Boolean)
    {
    }

    private protected override BertBinaryClassificationTransformer CreateTransformer(BertForSequenceClassification model, WordPieceEncoder encoder, BertClassificationSettings settings) =>
        new(model, encoder, settings);

    private protected override IReadOnlyList<MappedColumn> CreateOutputColumns(BertClassificationSettings settings) =>
        BertBinaryClassificationTransformer.CreateOutputColumns(settings);
}
