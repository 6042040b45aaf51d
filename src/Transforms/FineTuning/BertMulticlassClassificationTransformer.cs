using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.ModelFiles;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Transforms.FineTuning;

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
    private const string AnnotationKeyValues = "KeyValues";
    private const string AnnotationSlotNames = "SlotNames";

    internal BertMulticlassClassificationTransformer(BertForSequenceClassification model, WordPieceEncoder encoder, BertClassificationSettings settings)
        : base(model, encoder, settings)
    {
        if (settings.ClassNames is { } names && names.Count != settings.NumberOfClasses)
        {
            throw new ArgumentException($"The settings name {names.Count} classes but declare {settings.NumberOfClasses}.", nameof(settings));
        }

        OutputColumns = CreateOutputColumns(settings);
    }

    private protected override string ComponentKind => Kind;

    private protected override IReadOnlyList<MappedColumn> OutputColumns { get; }

    /// <summary>Predicted label (key) and score (probability vector), as named in <paramref name="settings"/>.</summary>
    internal static IReadOnlyList<MappedColumn> CreateOutputColumns(BertClassificationSettings settings)
    {
        int classes = settings.NumberOfClasses;
        DataViewSchema.Annotations? keyValues = null;
        DataViewSchema.Annotations? slotNames = null;
        if (settings.ClassNames is { } names)
        {
            var values = names.Select(name => name.AsMemory()).ToArray();
            ValueGetter<VBuffer<ReadOnlyMemory<char>>> getter = (ref VBuffer<ReadOnlyMemory<char>> destination) =>
                new VBuffer<ReadOnlyMemory<char>>(values.Length, values).CopyTo(ref destination);
            var namesType = new VectorDataViewType(TextDataViewType.Instance, values.Length);
            keyValues = SingleAnnotation(AnnotationKeyValues, namesType, getter);
            slotNames = SingleAnnotation(AnnotationSlotNames, namesType, getter);
        }

        return new[]
        {
            new MappedColumn(settings.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), classes), keyValues),
            new MappedColumn(settings.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, classes), slotNames),
        };
    }

    private static DataViewSchema.Annotations SingleAnnotation<T>(string kind, DataViewType type, ValueGetter<T> getter)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(kind, type, getter);
        return builder.ToAnnotations();
    }

    internal static void RegisterLoader() => TensorModelComponentRegistry.Register(Kind, Load);

    private protected override object[] MapLogits(float[] logits)
    {
        double max = logits.Max();
        var exponentials = logits.Select(logit => Math.Exp(logit - max)).ToArray();
        double sum = exponentials.Sum();
        var probabilities = new float[logits.Length];
        int best = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] = (float)(exponentials[i] / sum);
            if (probabilities[i] > probabilities[best])
            {
                best = i;
            }
        }

        return new object[] { (uint)(best + 1), probabilities };
    }

    private static ITransformer Load(MLContext mlContext, ModelPayloadReader reader, int payloadVersion)
    {
        var (model, encoder, settings) = ReadPayload(reader, payloadVersion);
        return new BertMulticlassClassificationTransformer(model, encoder, settings);
    }
}
