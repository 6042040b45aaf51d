using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Masked-LM pre-training of a <see cref="BertForMaskedLM"/> for the training engine: dynamic masking drawn
/// from each step's seed (new masks every epoch), the MLM head applied only at masked positions (the head
/// and its 30k-way softmax are the largest fixed cost of a step), and layers below
/// <see cref="FrozenBelowLayer"/> run forward-only. Validation uses fixed masks and reports
/// <see cref="ValidationLossMetric"/> and <see cref="ValidationAccuracyMetric"/>.
/// </summary>
public sealed class MaskedLanguageModelObjective : ITrainingObjective<MaskedLanguageModelBatch>
{
    /// <summary>Validation masked-LM loss (mean cross-entropy over masked positions).</summary>
    public const string ValidationLossMetric = "val_mlm_loss";

    /// <summary>Validation masked-LM accuracy (share of masked positions predicted exactly).</summary>
    public const string ValidationAccuracyMetric = "val_mlm_accuracy";

    private const ulong ValidationMaskSeed = 0x5EED_BA5E;

    private readonly BertForMaskedLM _model;
    private readonly MaskedLanguageModelMasking _masking;
    private readonly string _tokenIdsColumn;
    private readonly int _paddingId;
    private readonly Device _device;

    /// <summary>Creates the objective for <paramref name="model"/>, reading token ids from <paramref name="tokenIdsColumn"/>.</summary>
    public MaskedLanguageModelObjective(BertForMaskedLM model, MaskedLanguageModelMasking masking, int paddingId, Device device, string tokenIdsColumn = "TokenIds")
    {
        _model = model;
        _masking = masking;
        _paddingId = paddingId;
        _device = device;
        _tokenIdsColumn = tokenIdsColumn;
        RequiredColumns = new[]
        {
            new ColumnRequirement(tokenIdsColumn, "Vector<Int32>", type => type is VectorDataViewType v && v.ItemType == NumberDataViewType.Int32),
        };
    }

    /// <summary>The same objective (masking, padding, device, column) for another model; a staged plan's conversion needs it.</summary>
    internal MaskedLanguageModelObjective WithModel(BertForMaskedLM model) => new(model, _masking, _paddingId, _device, _tokenIdsColumn);

    /// <summary>Encoder layers below this index run under no_grad (multi-stage training freezes them).</summary>
    public int FrozenBelowLayer { get; set; }

    /// <summary>Whether the embeddings run under no_grad.</summary>
    public bool FreezeEmbeddings { get; set; }

    /// <summary>The column of token ids read.</summary>
    public string TokenIdsColumn => _tokenIdsColumn;

    /// <summary>Time spent in <see cref="Evaluate"/> so far (training-time measurements exclude it).</summary>
    public TimeSpan EvaluationTime { get; private set; }

    /// <inheritdoc />
    public IReadOnlyList<ColumnRequirement> RequiredColumns { get; }

    /// <inheritdoc />
    public IBatchBuilder<MaskedLanguageModelBatch> CreateBatchBuilder(DataViewRowCursor cursor) =>
        new TokenSequenceBatchBuilder(cursor, _tokenIdsColumn, _paddingId, _device);

    /// <inheritdoc />
    public Tensor ComputeLoss(MaskedLanguageModelBatch batch, TrainingStepContext context)
    {
        var (input, labels) = _masking.Apply(batch.TokenIds, batch.AttentionMask, context.Generator);
        return LossAndCorrect(input, batch.AttentionMask, labels, FrozenBelowLayer, FreezeEmbeddings).Loss;
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double>? Evaluate(IDataView validationData, TrainingStepContext context)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool wasTraining = _model.training;
        _model.eval();
        double lossSum = 0;
        long correct = 0;
        long masked = 0;
        try
        {
            using var generator = new Generator(ValidationMaskSeed);
            BatchPass.Run(validationData, new[] { _tokenIdsColumn }, CreateBatchBuilder, context.BatchSize, (batch, _) =>
            {
                using var noGrad = no_grad();
                var (input, labels) = _masking.Apply(batch.TokenIds, batch.AttentionMask, generator);
                var (loss, right, count) = LossAndCorrect(input, batch.AttentionMask, labels, 0, false);
                lossSum += loss.item<float>() * count;
                correct += right;
                masked += count;
            });
        }
        finally
        {
            _model.train(wasTraining);
            EvaluationTime += clock.Elapsed;
        }

        if (masked == 0)
        {
            throw new InvalidOperationException("The validation data has no token that could be masked: it holds no text.");
        }

        return new Dictionary<string, double>
        {
            [ValidationLossMetric] = lossSum / masked,
            [ValidationAccuracyMetric] = (double)correct / masked,
        };
    }

    private (Tensor Loss, long Correct, long Count) LossAndCorrect(Tensor input, Tensor attentionMask, Tensor labels, int frozenBelowLayer, bool freezeEmbeddings)
    {
        var hidden = _model.Bert.ForwardFrozenBelow(input, attentionMask, null, frozenBelowLayer, freezeEmbeddings).LastHiddenState;
        var selected = labels.ne(MaskedLanguageModelMasking.IgnoredLabel);
        var maskedHidden = hidden[selected];
        var targets = labels[selected];
        var logits = _model.Cls.forward(maskedHidden);
        // A batch whose rows hold only special tokens has nothing to predict: the mean over no label would be NaN (and stop
        // the run as a non-finite loss), so its loss is 0, still built from the logits so that the step's backward runs.
        var loss = targets.shape[0] == 0 ? logits.sum() * 0 : nn.functional.cross_entropy(logits, targets);
        if (_model.training)
        {
            return (loss, 0, targets.shape[0]);
        }

        long correct = logits.argmax(-1).eq(targets).sum().item<long>();
        return (loss, correct, targets.shape[0]);
    }
}
