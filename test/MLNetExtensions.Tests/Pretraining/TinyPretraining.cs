using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.Plans;

namespace MLNetExtensions.Tests.Pretraining;

/// <summary>Tiny BERT pre-training set-ups on real shipped text, small enough for unit tests.</summary>
internal static class TinyPretraining
{
    private static readonly Lazy<string[]> BrownSentences = new(() =>
        TextCorpusReader.ReadSentences(ShippedData.CorpusPath(TextCorpusKind.Brown), TextCorpusKind.Brown).Take(400).ToArray());

    /// <summary>The first 400 Brown sentences as a data view with a Text column.</summary>
    public static IDataView Sentences(MLContext mlContext, int count = 400) =>
        mlContext.Data.LoadFromEnumerable(BrownSentences.Value.Take(count).Select(s => new TextRow { Text = s }));

    /// <summary>A two-stage MSLT-like plan: 1 layer, then a copied layer on top that trains alone.</summary>
    public static TrainingPlan TwoStagePlan(int stepsPerStage = 6) => new()
    {
        Name = "tiny-mslt",
        Schedule = new LearningRateScheduleSettings { PeakLearningRate = 2e-3, WarmupSteps = 2 },
        Stages =
        {
            new TrainingStage { Name = "base", Depth = 1, Steps = stepsPerStage },
            new TrainingStage { Name = "grow", Depth = 2, Steps = stepsPerStage, TrainableTopLayers = 1, TrainEmbeddings = false },
        },
    };

    /// <summary>Options for a 32-wide model on 32-token sequences.</summary>
    public static BertPretrainingOptions Options(TrainingPlan? plan = null) => new()
    {
        VocabularyPath = ShippedData.BertVocabularyPath,
        HiddenSize = 32,
        AttentionHeads = 2,
        IntermediateSize = 64,
        MaximumLength = 32,
        BatchSize = 8,
        Plan = plan ?? TwoStagePlan(),
        ValidationFraction = 0.1,
        Seed = 11,
        NumberOfThreads = 1,
    };
}
