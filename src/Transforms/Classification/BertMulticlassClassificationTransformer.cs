using Microsoft.ML;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.ModelFiles;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Transforms.Classification;

/// <summary>
/// A fine-tuned BERT multiclass classifier. Adds, as ML.NET's multiclass trainers do: <c>Score</c> (a vector of
/// Single holding the softmax probability of each class, in key order) and <c>PredictedLabel</c> (a key of the
/// label's key type, <c>Key&lt;UInt32, classes&gt;</c>: the most probable class). When the training label had text
/// key values, they are attached as key values of the predicted label and slot names of the score, so that
/// <c>MapKeyToValue</c> gives the original labels back. Works with <c>mlContext.MulticlassClassification.Evaluate</c>.
/// </summary>
public sealed class BertMulticlassClassificationTransformer : BertClassificationTransformer
{
    private const string Kind = "BertMulticlassClassifier";

    internal BertMulticlassClassificationTransformer(BertForSequenceClassification model, WordPieceEncoder encoder, BertClassificationSettings settings)
        : base(model, encoder, settings)
    {
        Output = CreateOutput(settings);
    }

    private protected override string ComponentKind => Kind;

    private protected override ClassificationOutput Output { get; }

    /// <summary>Predicted label (key) and score (probability vector), as named in <paramref name="settings"/>.</summary>
    internal static IReadOnlyList<MappedColumn> CreateOutputColumns(BertClassificationSettings settings) => CreateOutput(settings).Columns;

    private static ClassificationOutput CreateOutput(BertClassificationSettings settings) =>
        ClassificationOutput.Multiclass(settings.NumberOfClasses, settings.ScoreColumnName, settings.PredictedLabelColumnName, KeyValueNames.FromSettings(settings.ClassNames, settings.ClassNameType));

    internal static void RegisterLoader() => TensorModelComponentRegistry.Register(Kind, Load);

    private static ITransformer Load(MLContext mlContext, ModelPayloadReader reader, int payloadVersion)
    {
        var (model, encoder, settings) = ReadPayload(reader, payloadVersion);
        return new BertMulticlassClassificationTransformer(model, encoder, settings);
    }
}
