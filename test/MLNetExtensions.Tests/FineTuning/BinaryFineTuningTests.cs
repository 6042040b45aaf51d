using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.Bert;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Tests.Training.Support;
using MLNetExtensions.Transforms.Classification;

namespace MLNetExtensions.Tests.FineTuning;

/// <summary>Binary fine-tuning of a tiny randomly initialised BERT on a learnable keyword task.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class BinaryFineTuningTests : IDisposable
{
    private readonly FineTuningTestData _data = new();
    private readonly MLContext _mlContext = new(seed: 5);

    [Fact]
    public void ACancelledFit_Throws_AndTheNextFitResumesFromItsCheckpoint_ToTheUninterruptedModel()
    {
        var train = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(64, seed: 1));
        var probe = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(20, seed: 2));
        using var reference = _mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options(epochs: 3)).Fit(train);

        var options = _data.Options(epochs: 3);
        options.CheckpointDirectory = Path.Combine(_data.Directory, "checkpoints");
        using var cancel = new CancellationTokenSource();
        options.CancellationToken = cancel.Token;
        options.Progress = new SynchronousProgress(p =>
        {
            if (p.Kind == TrainingProgressKind.Epoch && p.Epoch == 0)
            {
                cancel.Cancel();
            }
        });
        var cancelled = () => _mlContext.BinaryClassification.Trainers.BertClassifier(options).Fit(train);
        cancelled.Should().Throw<OperationCanceledException>().WithMessage("*cancelled after 4 of 12 steps*fine-tuning.ckpt*ResumeFromCheckpoint*");

        options.CancellationToken = CancellationToken.None;
        options.Progress = null;
        options.ResumeFromCheckpoint = true;
        using var resumed = _mlContext.BinaryClassification.Trainers.BertClassifier(options).Fit(train);
        resumed.Transform(probe).GetColumn<float>("Score").Should().Equal(reference.Transform(probe).GetColumn<float>("Score"));

        var noDirectory = () => new BertClassificationOptions { ResumeFromCheckpoint = true, Config = FineTuningTestData.Config(), VocabularyPath = _data.VocabularyPath }.Validate();
        noDirectory.Should().Throw<ArgumentException>().WithParameterName(nameof(BertClassificationOptions.CheckpointDirectory));
    }

    [Theory]
    [InlineData(30522)]
    [InlineData(0)]
    public void ARandomStart_TakesVocabSizeFromTheVocabulary(int configuredVocabSize)
    {
        var train = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(32, seed: 1));
        var options = _data.Options(epochs: 1);
        options.Config = options.Config! with { VocabSize = configuredVocabSize };
        using var model = _mlContext.BinaryClassification.Trainers.BertClassifier(options).Fit(train);
        model.Config.VocabSize.Should().Be(FineTuningTestData.Vocabulary.Count);
    }

    [Fact]
    public void WithoutALearningRate_ARandomStartUsesTheRandomStartRate()
    {
        var train = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(32, seed: 1));
        double[] LearningRates(double? rate)
        {
            var options = _data.Options(epochs: 1);
            options.LearningRate = rate;
            var progress = new SynchronousProgress();
            options.Progress = progress;
            using var model = _mlContext.BinaryClassification.Trainers.BertClassifier(options).Fit(train);
            return progress.Reports.Select(r => r.LearningRate).ToArray();
        }

        var byDefault = LearningRates(null);
        byDefault.Should().NotBeEmpty().And.Equal(LearningRates(BertClassificationOptions.RandomStartLearningRate));
        byDefault.Should().NotEqual(LearningRates(BertClassificationOptions.PretrainedLearningRate));
    }

    [Fact]
    public void LearnsTheKeywordTask_ThroughBinaryClassificationEvaluate()
    {
        var train = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(192, seed: 1));
        var test = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(100, seed: 2));
        var trainer = _mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options());
        using var model = trainer.Fit(train);

        var predictions = model.Transform(test);
        predictions.Schema["Score"].Type.Should().Be(NumberDataViewType.Single);
        predictions.Schema["Probability"].Type.Should().Be(NumberDataViewType.Single);
        predictions.Schema["PredictedLabel"].Type.Should().Be(BooleanDataViewType.Instance);
        var metrics = _mlContext.BinaryClassification.Evaluate(predictions);
        metrics.Accuracy.Should().BeGreaterThan(0.95);
        metrics.AreaUnderRocCurve.Should().BeGreaterThan(0.98);

        var scores = predictions.GetColumn<float>("Score").ToArray();
        var probabilities = predictions.GetColumn<float>("Probability").ToArray();
        var labels = predictions.GetColumn<bool>("PredictedLabel").ToArray();
        for (int i = 0; i < scores.Length; i++)
        {
            probabilities[i].Should().BeApproximately((float)(1 / (1 + Math.Exp(-scores[i]))), 1e-6f);
            labels[i].Should().Be(scores[i] > 0);
        }

        var result = model.GetTrainingResult()!;
        result.Steps.Should().Be(8 * 12);
        result.StepLosses[^1].Should().BeLessThan(result.StepLosses[0]);
    }

    [Fact]
    public void PredictionEngine_GivesExactlyTheBatchedTransformOutputs()
    {
        var rows = FineTuningTestData.Sentiment(45, seed: 3);
        var data = _mlContext.Data.LoadFromEnumerable(rows);
        using var model = _mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options(epochs: 2)).Fit(data);
        var engine = _mlContext.Model.CreatePredictionEngine<TextOnlyRow, BinaryPrediction>(model);
        foreach (var (batchSize, threads) in new[] { (7, 1), (64, 1), (16, 2) })
        {
            model.InferenceBatchSize = batchSize;
            TorchSharp.torch.set_num_threads(threads);
            var batched = model.Transform(data);
            var scores = batched.GetColumn<float>("Score").ToArray();
            var probabilities = batched.GetColumn<float>("Probability").ToArray();
            var labels = batched.GetColumn<bool>("PredictedLabel").ToArray();
            for (int i = 0; i < rows.Length; i++)
            {
                var prediction = engine.Predict(new TextOnlyRow { Text = rows[i].Text });
                prediction.Score.Should().Be(scores[i], $"row {i}, inference batches of {batchSize}, {threads} thread(s)");
                prediction.Probability.Should().Be(probabilities[i]);
                prediction.PredictedLabel.Should().Be(labels[i]);
            }
        }

        model.ComputeLogits(new[] { rows[0].Text }).Single().Should().HaveCount(2);
        var pairToSingle = () => model.ComputeLogits(new[] { rows[0].Text }, new[] { "second" });
        pairToSingle.Should().Throw<ArgumentException>().WithParameterName("secondTexts").WithMessage("*trained on single texts*");
    }

    [Fact]
    public void TheSameSeed_GivesIdenticalWeightsAndScores_AndAnotherSeedDoesNot()
    {
        var data = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(64, seed: 4));
        using var first = _mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options(epochs: 2, seed: 11)).Fit(data);
        using var second = _mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options(epochs: 2, seed: 11)).Fit(data);
        using var other = _mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options(epochs: 2, seed: 12)).Fit(data);

        BertTestData.SameTensors(first.Model, second.Model).Should().BeTrue("training on the CPU from the same seed is bit-exact");
        first.Transform(data).GetColumn<float>("Score").Should().Equal(second.Transform(data).GetColumn<float>("Score"));
        BertTestData.SameTensors(first.Model, other.Model).Should().BeFalse();
    }

    [Fact]
    public void TheSeedDefaultsToTheMLContexts_AndTheEngineLogsToTheContext()
    {
        var data = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(32, seed: 5));
        var seeded = new MLContext(seed: 21);
        var messages = new List<string>();
        seeded.Log += (_, e) =>
        {
            if (e.Source == "MLNetExtensions.TrainingEngine")
            {
                messages.Add(e.RawMessage);
            }
        };
        var options = _data.Options(epochs: 1);
        options.Seed = null;
        var trainer = seeded.BinaryClassification.Trainers.BertClassifier(options);
        using var fromContext = trainer.Fit(data);
        using var explicitSeed = new BertBinaryClassificationTrainer(new MLContext(), _data.Options(epochs: 1, seed: 21)).Fit(data);

        fromContext.GetTrainingResult()!.Seed.Should().Be(21);
        BertTestData.SameTensors(fromContext.Model, explicitSeed.Model).Should().BeTrue();
        messages.Should().Contain(m => m.Contains("[Finished]"));
    }

    [Fact]
    public void SentencePairs_ReadTheSecondText()
    {
        var train = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Pairs(192, seed: 6));
        var test = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Pairs(100, seed: 7));
        var options = _data.Options();
        options.SecondTextColumnName = "Second";
        options.MaximumLength = 24;
        using var model = _mlContext.BinaryClassification.Trainers.BertClassifier(options).Fit(train);

        _mlContext.BinaryClassification.Evaluate(model.Transform(test)).Accuracy.Should().BeGreaterThan(0.9, "the keyword is only in the second text");
        var missing = () => model.Transform(_mlContext.Data.LoadFromEnumerable(new[] { new TextOnlyRow { Text = "good" } }));
        missing.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Second'*");
        var withoutSecond = () => model.ComputeLogits(new[] { "good" });
        withoutSecond.Should().Throw<ArgumentException>().WithParameterName("secondTexts").WithMessage("*sentence pairs*'Second'*");

        model.Dispose();
        var afterDispose = () => model.ComputeLogits(new[] { "good" }, new[] { "fine" });
        afterDispose.Should().Throw<ObjectDisposedException>();

        var oneTokenType = _data.Options();
        oneTokenType.SecondTextColumnName = "Second";
        oneTokenType.Config = oneTokenType.Config! with { TypeVocabSize = 1 };
        var create = () => new BertBinaryClassificationTrainer(_mlContext, oneTokenType);
        create.Should().Throw<ArgumentException>().WithParameterName("SecondTextColumnName").WithMessage("*TypeVocabSize 1*TypeVocabSize ≥ 2*");
    }

    [Fact]
    public void ValidationRows_AreReported_AndEarlyStoppingKeepsTheBestWeights()
    {
        var data = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(96, seed: 8));
        var progress = new SynchronousProgress();
        var options = _data.Options(epochs: 3);
        options.ValidationFraction = 0.25;
        options.EarlyStoppingPatience = 1;
        options.Progress = progress;
        var trainer = _mlContext.BinaryClassification.Trainers.BertClassifier(options);
        using var model = trainer.Fit(data);

        model.GetTrainingResult()!.LastValidationMetrics.Should().ContainKey(TrainingMetricNames.ValidationLoss);
        model.GetTrainingResult()!.BestMetric.Should().NotBeNull();
        progress.Reports.Should().Contain(r => r.Kind == TrainingProgressKind.Validation);
        progress.Reports[^1].Kind.Should().Be(TrainingProgressKind.Finished);
    }

    [Fact]
    public void Cancellation_StopsAtAStepBoundary_WithOperationCanceledException()
    {
        var data = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(64, seed: 9));
        using var cancellation = new CancellationTokenSource();
        var options = _data.Options(epochs: 5);
        options.CancellationToken = cancellation.Token;
        options.Progress = new SynchronousProgress(report =>
        {
            if (report.Kind == TrainingProgressKind.Epoch)
            {
                cancellation.Cancel();
            }
        });
        var act = () => _mlContext.BinaryClassification.Trainers.BertClassifier(options).Fit(data);
        act.Should().Throw<OperationCanceledException>().WithMessage("*cancelled after 4 of 20 steps*");

        var already = () => _mlContext.BinaryClassification.Trainers.BertClassifier(options).Fit(data);
        already.Should().Throw<OperationCanceledException>();
    }

    public void Dispose() => _data.Dispose();
}
