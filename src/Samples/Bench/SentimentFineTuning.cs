using Microsoft.ML;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Samples.Bench;

/// <summary>Fine-tunes on the UCI sentiment sentences (fixed 80/20 split) and measures test accuracy.</summary>
internal static class SentimentFineTuning
{
    /// <summary>
    /// Test accuracy of a BERT classifier fine-tuned on the training split with <see cref="FineTuneSetup.LearningRate"/>,
    /// started from <paramref name="pretrained"/> or from random weights of <paramref name="scratchConfig"/>.
    /// </summary>
    public static double BertAccuracy(MLContext mlContext, FineTuneSetup setup, BertEmbeddingTransformer? pretrained, BertConfig? scratchConfig, IProgress<TrainingProgress>? progress)
    {
        return FineTuneAndEvaluate(mlContext, setup, pretrained, scratchConfig, SampleData.Sentiment(mlContext, setup.SplitSeed), progress);
    }

    /// <summary>
    /// Chooses the fine-tuning learning rate without touching the test split: fine-tunes with each candidate on 80 %
    /// of the training sentences and keeps the one with the best accuracy on the other 20 %.
    /// </summary>
    public static LearningRateSelection SelectLearningRate(MLContext mlContext, FineTuneSetup setup, IReadOnlyList<double> candidates, BertEmbeddingTransformer? pretrained, BertConfig? scratchConfig, IProgress<TrainingProgress>? progress)
    {
        var split = ValidationSplit(mlContext, setup);
        var accuracies = candidates.Select(rate => FineTuneAndEvaluate(mlContext, setup with { LearningRate = rate }, pretrained, scratchConfig, split, progress)).ToList();
        return new LearningRateSelection(candidates, accuracies);
    }

    /// <summary>
    /// Accuracy on the validation sentences (20 % of the training split, never the test split) after fine-tuning on the
    /// other 80 % with <see cref="FineTuneSetup.LearningRate"/>.
    /// </summary>
    public static double ValidationAccuracy(MLContext mlContext, FineTuneSetup setup, BertEmbeddingTransformer? pretrained, BertConfig? scratchConfig, IProgress<TrainingProgress>? progress) =>
        FineTuneAndEvaluate(mlContext, setup, pretrained, scratchConfig, ValidationSplit(mlContext, setup), progress);

    /// <summary>The training split divided again 80/20: sentences to choose settings on.</summary>
    private static TrainTestViews ValidationSplit(MLContext mlContext, FineTuneSetup setup) =>
        SampleData.SentimentValidation(mlContext, setup.SplitSeed, setup.ValidationSplitSeed);

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

    /// <summary>
    /// Test accuracy of a BERT classifier fine-tuned on the training split from the checkpoint at
    /// <paramref name="checkpointPath"/> (a Hugging Face directory or an ONNX file), with the checkpoint's own dropout.
    /// </summary>
    public static double CheckpointAccuracy(MLContext mlContext, FineTuneSetup setup, string checkpointPath, IProgress<TrainingProgress>? progress)
    {
        var options = Options(setup, progress);
        options.PretrainedCheckpointPath = checkpointPath;
        return Evaluate(mlContext, options, SampleData.Sentiment(mlContext, setup.SplitSeed));
    }

    private static double FineTuneAndEvaluate(MLContext mlContext, FineTuneSetup setup, BertEmbeddingTransformer? pretrained, BertConfig? scratchConfig, TrainTestViews split, IProgress<TrainingProgress>? progress)
    {
        var config = pretrained?.Config ?? scratchConfig!;
        var options = Options(setup, progress);
        options.PretrainedEncoder = pretrained;
        options.Config = setup.Dropout is double dropout ? config with { HiddenDropoutProb = dropout, AttentionProbsDropoutProb = dropout } : config;
        options.VocabularyPath = pretrained is null ? ShippedData.BertVocabularyPath : null;
        return Evaluate(mlContext, options, split);
    }

    private static BertClassificationOptions Options(FineTuneSetup setup, IProgress<TrainingProgress>? progress) =>
        new()
        {
            MaximumLength = setup.MaximumLength,
            BatchSize = setup.BatchSize,
            Epochs = setup.Epochs,
            LearningRate = setup.LearningRate,
            Pooling = setup.Pooling,
            Seed = setup.Seed,
            EarlyStoppingPatience = null,
            Progress = progress,
        };

    private static double Evaluate(MLContext mlContext, BertClassificationOptions options, TrainTestViews split)
    {
        using var model = mlContext.BinaryClassification.Trainers.BertClassifier(options).Fit(split.TrainSet);
        return mlContext.BinaryClassification.Evaluate(model.Transform(split.TestSet)).Accuracy;
    }
}
