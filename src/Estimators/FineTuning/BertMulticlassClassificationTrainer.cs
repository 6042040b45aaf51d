using Microsoft.ML;
using MLNetExtensions.Estimators.Classification;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Classification;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Estimators.FineTuning;

/// <summary>
/// Fine-tunes BERT for multiclass classification of text. The label is a UInt32 key, as ML.NET's multiclass
/// trainers expect after <c>MapValueToKey</c>; the number of classes is the key count, and rows with a missing key
/// are skipped. The fitted <see cref="BertMulticlassClassificationTransformer"/> adds <c>Score</c> (class
/// probabilities) and <c>PredictedLabel</c> (a key of the label's type). Create it with
/// <see cref="BertClassificationCatalogExtensions.BertClassifier(MulticlassClassificationCatalog.MulticlassClassificationTrainers, BertClassificationOptions)"/>.
/// </summary>
public sealed class BertMulticlassClassificationTrainer : BertClassificationTrainer<BertMulticlassClassificationTransformer>
{
    /// <summary>Creates the trainer; <paramref name="mlContext"/> gives the seed, the device (GPU settings) and the log.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="options">The options, validated here.</param>
    public BertMulticlassClassificationTrainer(MLContext mlContext, BertClassificationOptions options)
        : base(mlContext, options, ClassificationLabel.Key)
    {
    }

    private protected override BertMulticlassClassificationTransformer CreateTransformer(BertForSequenceClassification model, WordPieceEncoder encoder, BertClassificationSettings settings) =>
        new(model, encoder, settings);

    private protected override IReadOnlyList<MappedColumn> CreateOutputColumns(BertClassificationSettings settings) =>
        BertMulticlassClassificationTransformer.CreateOutputColumns(settings);
}
