using MLNetExtensions.Estimators.Catalogs;
using MLNetExtensions.Estimators.FineTuning;

// In ML.NET's own namespace, as ML.NET's extension packages do: `using Microsoft.ML;` is all a pipeline needs.
namespace Microsoft.ML;

/// <summary>BERT fine-tuning on ML.NET's trainer catalogs (<c>mlContext.BinaryClassification.Trainers</c>, <c>mlContext.MulticlassClassification.Trainers</c>).</summary>
public static class BertClassificationCatalogExtensions
{
    /// <summary>
    /// Fine-tunes BERT (pre-trained or randomly initialised) to classify text into two classes. Label: Boolean;
    /// adds <c>Score</c>, <c>Probability</c> and <c>PredictedLabel</c>. The context's seed, GPU settings and log are used.
    /// </summary>
    /// <param name="catalog">The binary classification trainers.</param>
    /// <param name="options">Columns, encoder and training settings.</param>
    /// <returns>The trainer.</returns>
    public static BertBinaryClassificationTrainer BertClassifier(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, BertClassificationOptions options) =>
        new(CatalogContext.From(catalog), options);

    /// <summary>
    /// Fine-tunes BERT (pre-trained or randomly initialised) to classify text into the classes of a key label (map
    /// the label with <c>MapValueToKey</c> first); adds <c>Score</c> (class probabilities) and <c>PredictedLabel</c>.
    /// The context's seed, GPU settings and log are used.
    /// </summary>
    /// <param name="catalog">The multiclass classification trainers.</param>
    /// <param name="options">Columns, encoder and training settings.</param>
    /// <returns>The trainer.</returns>
    public static BertMulticlassClassificationTrainer BertClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, BertClassificationOptions options) =>
        new(CatalogContext.From(catalog), options);
}
