using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Samples.Bench;

/// <summary>Fine-tunes on the UCI sentiment sentences (fixed 80/20 split) and measures test accuracy.</summary>
internal static class SentimentFineTuning
{
    /// <summary>Accuracy of a BERT classifier started from <paramref name="pretrained"/>, or from random weights of <paramref name="scratchConfig"/>.</summary>
    public static double BertAccuracy(MLContext mlContext, FineTuneSetup setup, BertEmbeddingTransformer? pretrained, BertConfig? scratchConfig, IProgress<TrainingProgress>? progress)
    {
        var split = SampleData.Sentiment(mlContext, setup.SplitSeed);
        var options = new BertClassificationOptions
        {
            PretrainedEncoder = pretrained,
            Config = pretrained is null ? scratchConfig : null,
            VocabularyPath = pretrained is null ? ShippedData.BertVocabularyPath : null,
            MaximumLength = setup.MaximumLength,
            BatchSize = setup.BatchSize,
            Epochs = setup.Epochs,
            LearningRate = setup.LearningRate,
            Seed = setup.Seed,
            EarlyStoppingPatience = null,
            Progress = progress,
        };
        using var model = mlContext.BinaryClassification.Trainers.BertClassifier(options).Fit(split.TrainSet);
        return mlContext.BinaryClassification.Evaluate(model.Transform(split.TestSet)).Accuracy;
    }

    /// <summary>Accuracy of ML.NET's own text pipeline (FeaturizeText + SdcaLogisticRegression) on the same split.</summary>
    public static double MLNetTextBaselineAccuracy(MLContext mlContext, FineTuneSetup setup)
    {
        var split = SampleData.Sentiment(mlContext, setup.SplitSeed);
        var pipeline = mlContext.Transforms.Text.FeaturizeText("Features", "Text")
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression());
        var model = pipeline.Fit(split.TrainSet);
        return mlContext.BinaryClassification.Evaluate(model.Transform(split.TestSet)).Accuracy;
    }
}
