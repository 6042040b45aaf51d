using Microsoft.ML;
using MLNetExtensions.Estimators.Classification;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.Text;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.FineTuning;

/// <summary>
/// Fine-tuning of a <see cref="BertForSequenceClassification"/> for the training engine: softmax cross-entropy over
/// the classes (binary classification uses two classes, Hugging Face's layout, so the logit difference is the
/// log-odds). Dropout draws from torch's global generator, which the engine reseeds before every step; the
/// validation metric is the engine's default mean validation loss.
/// </summary>
internal sealed class BertClassificationObjective : TrainingObjective<BertClassificationBatch>
{
    private readonly BertForSequenceClassification _model;
    private readonly Columns _columns;
    private readonly WordPieceEncoder _encoder;
    private readonly int _maximumLength;
    private readonly Device _device;

    public BertClassificationObjective(BertForSequenceClassification model, Columns columns, WordPieceEncoder encoder, int maximumLength, Device device)
    {
        _model = model;
        _columns = columns;
        _encoder = encoder;
        _maximumLength = maximumLength;
        _device = device;
        RequiredColumns = columns.Requirements;
    }

    /// <inheritdoc />
    public override IReadOnlyList<ColumnRequirement> RequiredColumns { get; }

    /// <inheritdoc />
    public override IBatchBuilder<BertClassificationBatch> CreateBatchBuilder(DataViewRowCursor cursor) =>
        new BertClassificationBatchBuilder(cursor, _columns, _encoder, _maximumLength, _device);

    /// <inheritdoc />
    public override Tensor ComputeLoss(BertClassificationBatch batch, TrainingStepContext context)
    {
        var logits = _model.Forward(batch.TokenIds, batch.AttentionMask, batch.TokenTypeIds);
        return nn.functional.cross_entropy(logits, batch.Labels);
    }

    /// <summary>The columns fine-tuning reads.</summary>
    /// <param name="Text">The text column.</param>
    /// <param name="SecondText">The second text of sentence pairs, or null.</param>
    /// <param name="Label">The label column.</param>
    public sealed record Columns(string Text, string? SecondText, ClassificationLabel Label)
    {
        /// <summary>The columns with their expected types, label last.</summary>
        public IReadOnlyList<ColumnRequirement> Requirements
        {
            get
            {
                var requirements = new List<ColumnRequirement> { TextRequirement(Text) };
                if (SecondText is not null)
                {
                    requirements.Add(TextRequirement(SecondText));
                }

                requirements.Add(Label.Requirement);
                return requirements;
            }
        }

        private static ColumnRequirement TextRequirement(string name) => new(name, "String (text)", type => type is TextDataViewType);
    }
}
