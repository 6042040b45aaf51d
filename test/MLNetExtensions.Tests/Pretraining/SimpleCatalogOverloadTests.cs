using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;

namespace MLNetExtensions.Tests.Pretraining;

/// <summary>The simple-parameter catalog overloads build the options they name, and train.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class SimpleCatalogOverloadTests
{
    [Fact]
    public void MultiStageBert_FromSimpleParameters_GrowsTheStagesItNames()
    {
        var mlContext = new MLContext(seed: 3);
        var estimator = mlContext.Transforms.Text.MultiStageBert(
            ShippedData.BertVocabularyPath, textColumnName: "Text", outputColumnName: "Vector", startDepth: 1, layersPerStage: 1, targetDepth: 3, totalSteps: 6);
        using var model = estimator.Fit(TinyPretraining.Sentences(mlContext));

        var plan = model.GetTrainingReport()!.Plan;
        plan.Name.Should().Be("mslt");
        plan.Stages.Select(s => (s.Depth, s.TrainableLayerCount, s.Steps)).Should().Equal((1, 1, 2), (2, 1, 2), (3, 1, 2));
        model.Config.NumHiddenLayers.Should().Be(3);
        model.GetOutputSchema(TinyPretraining.Sentences(mlContext, 1).Schema)["Vector"].Type.Should().BeOfType<VectorDataViewType>().Which.Size.Should().Be(256, "the options' default hidden size");
    }

    [Fact]
    public void PretrainBert_AndBertClassifier_FromSimpleParameters_TrainAndClassify()
    {
        var mlContext = new MLContext(seed: 4);
        var pretraining = mlContext.Transforms.Text.PretrainBert(ShippedData.BertVocabularyPath, depth: 1, steps: 2);
        using var encoder = pretraining.Fit(TinyPretraining.Sentences(mlContext));
        encoder.GetTrainingReport()!.Plan.Stages.Select(s => (s.Depth, s.Steps)).Should().Equal((1, 2));

        var split = SentimentSentences.SplitTrainTest(mlContext, 0.2, seed: 1);
        var trainer = mlContext.BinaryClassification.Trainers.BertClassifier(encoder, epochs: 1);
        using var classifier = trainer.Fit(mlContext.Data.TakeRows(split.TrainSet, 40));

        classifier.GetTrainingResult()!.Steps.Should().Be(2, "one epoch of 40 rows in batches of 32");
        classifier.Config.NumHiddenLayers.Should().Be(1);
        var metrics = mlContext.BinaryClassification.Evaluate(classifier.Transform(mlContext.Data.TakeRows(split.TestSet, 20)));
        metrics.Accuracy.Should().BeInRange(0, 1);
    }
}
