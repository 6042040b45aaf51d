using Microsoft.ML;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.ModelFiles;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Transforms.Classification;

/// <summary>
/// A fine-tuned BERT binary classifier. Adds, as ML.NET's calibrated binary classifiers do:
/// <c>Score</c> (Single, the log-odds of the positive class), <c>Probability</c> (Single, the sigmoid of the score)
/// and <c>PredictedLabel</c> (Boolean, score &gt; 0). Works with <c>mlContext.BinaryClassification.Evaluate</c>.
/// </summary>
/// <remarks>
/// The model has two outputs trained with softmax cross-entropy (Hugging Face's layout for two labels), so the
/// score is the difference of the two logits, <c>z₁ − z₀</c>, and the probability <c>σ(z₁ − z₀)</c> equals the
/// softmax probability of the positive class: the probability the model was trained to predict under log-loss.
/// </remarks>
public sealed class BertBinaryClassificationTransformer : BertClassificationTransformer
{
    private const string Kind = "BertBinaryClassifier";

    internal BertBinaryClassificationTransformer(BertForSequenceClassification model, WordPieceEncoder encoder, BertClassificationSettings settings)
        : base(model, encoder, settings)
    {
        if (settings.NumberOfClasses != 2)
        {
            throw new ArgumentException($"A binary classifier has 2 classes, but the settings declare {settings.NumberOfClasses}.", nameof(settings));
        }

        Output = CreateOutput(settings);
    }

    private protected override string ComponentKind => Kind;

    private protected override ClassificationOutput Output { get; }

    /// <summary>Score, probability and predicted label, as named in <paramref name="settings"/>.</summary>
    internal static IReadOnlyList<MappedColumn> CreateOutputColumns(BertClassificationSettings settings) => CreateOutput(settings).Columns;

    private static ClassificationOutput CreateOutput(BertClassificationSettings settings) =>
        ClassificationOutput.Binary(settings.ScoreColumnName, settings.ProbabilityColumnName, settings.PredictedLabelColumnName);

    internal static void RegisterLoader() => TensorModelComponentRegistry.Register(Kind, Load);

    private static ITransformer Load(MLContext mlContext, ModelPayloadReader reader, int payloadVersion)
    {
        var (model, encoder, settings) = ReadPayload(reader, payloadVersion);
        return new BertBinaryClassificationTransformer(model, encoder, settings);
    }
}
