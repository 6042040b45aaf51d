using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.Pretraining;
using MLNetExtensions.Tests.TestSupport;

namespace MLNetExtensions.Tests.FineTuning;

/// <summary>The whole path: pre-train a tiny BERT with the pre-training estimator, fine-tune it on the shipped sentiment sentences.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class PretrainThenFineTuneTests
{
    [Fact]
    public void APretrainedEncoder_FineTunesOnTheShippedSentences_AndEvaluates()
    {
        var mlContext = new MLContext(seed: 10);
        using var encoder = mlContext.Transforms.Text.PretrainBert(TinyPretraining.Options(TinyPretraining.TwoStagePlan(stepsPerStage: 3)))
            .Fit(TinyPretraining.Sentences(mlContext, 120));
        var split = SentimentSentences.SplitTrainTest(mlContext, 0.2, seed: 1);
        var trainer = mlContext.BinaryClassification.Trainers.BertClassifier(new BertClassificationOptions
        {
            PretrainedEncoder = encoder,
            MaxSteps = 20,
            BatchSize = 16,
            LearningRate = 1e-3,
            NumberOfThreads = 1,
        });
        using var model = trainer.Fit(mlContext.Data.TakeRows(split.TrainSet, 320));

        model.GetTrainingResult()!.Steps.Should().Be(20);
        model.Settings.MaximumLength.Should().Be(encoder.Settings.MaximumLength);
        model.Config.NumHiddenLayers.Should().Be(encoder.Config.NumHiddenLayers);
        var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(mlContext.Data.TakeRows(split.TestSet, 100)));
        metrics.Accuracy.Should().BeInRange(0, 1);
        metrics.LogLoss.Should().BeLessThan(2, "twenty steps do not make the classifier confidently wrong");
    }
}
