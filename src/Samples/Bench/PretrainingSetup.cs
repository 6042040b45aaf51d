using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Samples.Bench;

/// <summary>Model size and training budget shared by the methods a benchmark compares.</summary>
internal sealed record PretrainingSetup
{
    public required int HiddenSize { get; init; }

    public required int AttentionHeads { get; init; }

    public required int IntermediateSize { get; init; }

    public required int SequenceLength { get; init; }

    public required int BatchSize { get; init; }

    public required int TotalSteps { get; init; }

    public required int FinalDepth { get; init; }

    public required int ValidateEveryNSteps { get; init; }

    public required double PeakLearningRate { get; init; }

    public required int WarmupSteps { get; init; }

    public int? MaximumSentences { get; init; }

    public double ValidationFraction { get; init; } = 0.02;

    public int Seed { get; init; } = 42;

    /// <summary>Dropout of the encoder during pre-training.</summary>
    public double Dropout { get; init; } = 0.1;

    public LayerNormPlacement LayerNormPlacement { get; init; } = LayerNormPlacement.PostLayerNorm;

    public LearningRateScheduleSettings Schedule => new() { PeakLearningRate = PeakLearningRate, WarmupSteps = WarmupSteps, Decay = Estimators.Training.LearningRateDecay.Linear };

    /// <summary>Pre-training options for <paramref name="plan"/> with this setup.</summary>
    public BertPretrainingOptions Options(TrainingPlan plan) => Configure(new BertPretrainingOptions { Plan = plan });

    /// <summary>Sets the setup's model size, data and training settings on <paramref name="options"/> (any BERT pre-training estimator's).</summary>
    public T Configure<T>(T options)
        where T : BertPretrainingOptionsBase
    {
        options.VocabularyPath = ShippedData.BertVocabularyPath;
        options.HiddenSize = HiddenSize;
        options.AttentionHeads = AttentionHeads;
        options.IntermediateSize = IntermediateSize;
        options.MaximumLength = SequenceLength;
        options.BatchSize = BatchSize;
        options.ValidationFraction = ValidationFraction;
        options.ValidateEveryNSteps = ValidateEveryNSteps;
        options.Seed = Seed;
        options.Pooling = BertPooling.Mean;
        options.Dropout = Dropout;
        options.LayerNormPlacement = LayerNormPlacement;
        return options;
    }

}
