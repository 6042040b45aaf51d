using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.DataView;

namespace MLNetExtensions.Transforms.Classification;

/// <summary>
/// The columns a fitted classifier adds, and how one row's logits become their values, as ML.NET's own trainers
/// shape them so that <c>mlContext.BinaryClassification.Evaluate</c> and <c>mlContext.MulticlassClassification.Evaluate</c>
/// accept them. Every classifier of the project (BERT fine-tuning, the persistent-memory RNN) maps its logits here.
/// </summary>
/// <remarks>
/// Binary: <c>Score</c> (Single, the log-odds <c>z₁ − z₀</c> of two softmax logits), <c>Probability</c> (Single,
/// σ(score), the softmax probability of class 1) and <c>PredictedLabel</c> (Boolean, score &gt; 0).
/// Multiclass: <c>PredictedLabel</c> (a key <c>Key&lt;UInt32, classes&gt;</c>, the most probable class) and
/// <c>Score</c> (the softmax probabilities in key order); the label's key values (text, numbers or Boolean), when known,
/// are attached as key values of the predicted label (in their own type) and slot names of the score (as text), so that <c>MapKeyToValue</c> gives the labels back.
/// </remarks>
internal abstract class ClassificationOutput
{
    private ClassificationOutput(IReadOnlyList<MappedColumn> columns) => Columns = columns;

    /// <summary>The columns added, in the order of the values <see cref="Map"/> returns.</summary>
    public IReadOnlyList<MappedColumn> Columns { get; }

    /// <summary>Score, probability and predicted label of a binary classifier with two logits per row.</summary>
    public static ClassificationOutput Binary(string scoreColumn, string probabilityColumn, string predictedLabelColumn) =>
        new BinaryOutput(scoreColumn, probabilityColumn, predictedLabelColumn);

    /// <summary>Predicted label (key) and score (probability vector) of a multiclass classifier.</summary>
    /// <exception cref="ArgumentException"><paramref name="classNames"/> does not name <paramref name="classes"/> classes.</exception>
    public static ClassificationOutput Multiclass(int classes, string scoreColumn, string predictedLabelColumn, KeyValueNames? classNames)
    {
        if (classNames is not null && classNames.Values.Count != classes)
        {
            throw new ArgumentException($"The settings name {classNames.Values.Count} classes but declare {classes}.", nameof(classNames));
        }

        return new MulticlassOutput(classes, scoreColumn, predictedLabelColumn, classNames);
    }

    /// <summary>The output values of one row (in <see cref="Columns"/> order) from its logits.</summary>
    public abstract object[] Map(float[] logits);

    private sealed class BinaryOutput : ClassificationOutput
    {
        public BinaryOutput(string scoreColumn, string probabilityColumn, string predictedLabelColumn)
            : base(new[]
            {
                new MappedColumn(scoreColumn, NumberDataViewType.Single),
                new MappedColumn(probabilityColumn, NumberDataViewType.Single),
                new MappedColumn(predictedLabelColumn, BooleanDataViewType.Instance),
            })
        {
        }

        public override object[] Map(float[] logits)
        {
            float score = logits[1] - logits[0];
            float probability = (float)(1.0 / (1.0 + Math.Exp(-(double)score)));
            return new object[] { score, probability, score > 0 };
        }
    }

    private sealed class MulticlassOutput : ClassificationOutput
    {
        public MulticlassOutput(int classes, string scoreColumn, string predictedLabelColumn, KeyValueNames? classNames)
            : base(CreateColumns(classes, scoreColumn, predictedLabelColumn, classNames))
        {
        }

        public override object[] Map(float[] logits)
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

        private static IReadOnlyList<MappedColumn> CreateColumns(int classes, string scoreColumn, string predictedLabelColumn, KeyValueNames? classNames)
        {
            var (keyValues, slotNames) = classNames?.Annotations() ?? default;
            return new[]
            {
                new MappedColumn(predictedLabelColumn, new KeyDataViewType(typeof(uint), classes), keyValues),
                new MappedColumn(scoreColumn, new VectorDataViewType(NumberDataViewType.Single, classes), slotNames),
            };
        }
    }
}
