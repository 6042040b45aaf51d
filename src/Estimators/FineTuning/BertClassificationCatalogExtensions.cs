using MLNetExtensions.Estimators.Catalogs;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Transforms.Bert;

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

    /// <summary>Fine-tunes a pre-trained BERT encoder (a fitted BERT estimator's transformer) for two classes with the most used settings; see the options overload.</summary>
    /// <param name="catalog">The binary classification trainers.</param>
    /// <param name="pretrainedEncoder">The encoder to start from (it is copied, not changed).</param>
    /// <param name="labelColumnName">The Boolean label column.</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="epochs">Passes over the training rows.</param>
    /// <returns>The trainer.</returns>
    public static BertBinaryClassificationTrainer BertClassifier(
        this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        BertEmbeddingTransformer pretrainedEncoder,
        string labelColumnName = "Label",
        string textColumnName = "Text",
        int epochs = 3) =>
        BertClassifier(catalog, SimpleOptions(pretrainedEncoder, labelColumnName, textColumnName, epochs));

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

    /// <summary>Fine-tunes a pre-trained BERT encoder (a fitted BERT estimator's transformer) for the classes of a key label with the most used settings; see the options overload.</summary>
    /// <param name="catalog">The multiclass classification trainers.</param>
    /// <param name="pretrainedEncoder">The encoder to start from (it is copied, not changed).</param>
    /// <param name="labelColumnName">The key label column (map it with <c>MapValueToKey</c> first).</param>
    /// <param name="textColumnName">The text column.</param>
    /// <param name="epochs">Passes over the training rows.</param>
    /// <returns>The trainer.</returns>
    public static BertMulticlassClassificationTrainer BertClassifier(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        BertEmbeddingTransformer pretrainedEncoder,
        string labelColumnName = "Label",
        string textColumnName = "Text",
        int epochs = 3) =>
        BertClassifier(catalog, SimpleOptions(pretrainedEncoder, labelColumnName, textColumnName, epochs));

    private static BertClassificationOptions SimpleOptions(BertEmbeddingTransformer pretrainedEncoder, string labelColumnName, string textColumnName, int epochs) => new()
    {
        PretrainedEncoder = pretrainedEncoder,
        LabelColumnName = labelColumnName,
        TextColumnName = textColumnName,
        Epochs = epochs,
    };
}
