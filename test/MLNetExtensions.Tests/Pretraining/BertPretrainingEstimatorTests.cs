using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Tests.Pretraining;

[Collection(TorchGlobalStateCollection.Name)]
public sealed class BertPretrainingEstimatorTests : IDisposable
{
    private readonly MLContext _mlContext = new(seed: 5);
    private readonly string _directory = Directory.CreateTempSubdirectory("pretrain-").FullName;

    [Fact]
    public void Fit_RunsThePlan_AndRecordsItInTheTransformer()
    {
        var estimator = _mlContext.Transforms.Text.PretrainBert(TinyPretraining.Options());
        using var model = estimator.Fit(TinyPretraining.Sentences(_mlContext));

        var report = model.GetTrainingReport()!;
        report.Stages.Should().HaveCount(2);
        report.Stages.Select(s => (s.Depth, s.TrainableLayers, s.Steps)).Should().Equal((1, 1, 6L), (2, 1, 6L));
        // The FLOP model itself is checked by BertStepCostModelTests; at this width the head dominates, so the grown stage,
        // whose frozen embeddings spare the tied decoder's weight gradient, is predicted cheaper than the first.
        report.Stages[1].PredictedFlopsPerStep.Should().BeLessThan(report.Stages[0].PredictedFlopsPerStep);
        report.FinalValidationLoss.Should().BeInRange(0, 20);
        report.FinalValidationAccuracy.Should().BeInRange(0, 1);
        model.Config.NumHiddenLayers.Should().Be(2);
        StagedTrainingReport.FromJson(model.TrainingRecordJson!).Plan.ToJson().Should().Be(TinyPretraining.TwoStagePlan().ToJson());

        string path = Path.Combine(_directory, "reported.zip");
        _mlContext.Model.SaveWithTensors(model, TinyPretraining.Sentences(_mlContext).Schema, path);
        using var loaded = (BertEmbeddingTransformer)new MLContext().Model.LoadWithTensors(path, out _);
        loaded.GetTrainingReport()!.ToJson().Should().Be(report.ToJson(), "the report travels in the model file");
    }

    [Fact]
    public void Embeddings_FeedAnMLNetTrainer_ThatTrainsAndEvaluates()
    {
        var split = SentimentSentences.SplitTrainTest(_mlContext, 0.2, seed: 3);
        var train = _mlContext.Data.TakeRows(split.TrainSet, 300);
        var test = _mlContext.Data.TakeRows(split.TestSet, 100);
        var pipeline = _mlContext.Transforms.Text.PretrainBert(TinyPretraining.Options())
            .Append(_mlContext.Transforms.CopyColumns("Features", "Embedding"))
            .AppendCacheCheckpoint(_mlContext)
            .Append(_mlContext.BinaryClassification.Trainers.SdcaLogisticRegression());

        var model = pipeline.Fit(train);
        var metrics = _mlContext.BinaryClassification.Evaluate(model.Transform(test));

        metrics.Accuracy.Should().BeInRange(0, 1);
        metrics.AreaUnderRocCurve.Should().BeInRange(0, 1);
        var embeddings = model.Transform(test).GetColumn<float[]>("Embedding").Take(2).ToList();
        embeddings[0].Should().HaveCount(32);
        embeddings[0].Should().NotEqual(embeddings[1]);
    }

    [Fact]
    public void EmptyRows_AreSkippedInTraining_AndEmbedToFiniteVectors()
    {
        var rows = TinyPretraining.Sentences(_mlContext).GetColumn<string>("Text").SelectMany(s => new[] { s, "", "   " });
        var data = _mlContext.Data.LoadFromEnumerable(rows.Select(s => new TextRow { Text = s }));
        using var model = _mlContext.Transforms.Text.PretrainBert(TinyPretraining.Options()).Fit(data);

        var empty = model.Embed(new[] { "", null });
        empty.Should().HaveCount(2);
        empty.SelectMany(v => v).Should().OnlyContain(x => float.IsFinite(x));
    }

    [Fact]
    public void PredictionEngine_AndAFreshProcess_GiveTheBatchedOutputsExactly()
    {
        using var model = _mlContext.Transforms.Text.PretrainBert(TinyPretraining.Options(TrainingPlan.FullDepth(1, 3))).Fit(TinyPretraining.Sentences(_mlContext));
        var texts = TinyPretraining.Sentences(_mlContext, 70);
        var batched = model.Transform(texts).GetColumn<float[]>("Embedding").ToList();

        var engine = _mlContext.Model.CreatePredictionEngine<TextRow, EmbeddingRow>(model);
        var rows = texts.GetColumn<string>("Text").ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            engine.Predict(new TextRow { Text = rows[i] }).Embedding.Should().Equal(batched[i]);
        }

        string path = Path.Combine(_directory, "bert.zip");
        _mlContext.Model.SaveWithTensors(model, texts.Schema, path);
        var fresh = ChildProcess.TransformInFreshProcess(_mlContext, path, texts, _directory).GetColumn<float[]>("Embedding").ToList();
        fresh.Should().HaveCount(rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            fresh[i].Should().Equal(batched[i]);
        }
    }

    [Theory]
    [InlineData(1, 12)]
    [InlineData(4, 3)]
    public void LogEveryNSteps_SetsHowOftenStepsReachMLContextLog(int every, int expectedStepLines)
    {
        var mlContext = new MLContext(seed: 5);
        var stepLines = new List<string>();
        mlContext.Log += (_, e) =>
        {
            if (e.Source == "MLNetExtensions.TrainingEngine" && e.RawMessage.StartsWith("[Step]", StringComparison.Ordinal))
            {
                stepLines.Add(e.RawMessage);
            }
        };
        var options = TinyPretraining.Options(TrainingPlan.FullDepth(1, 12));
        options.LogEveryNSteps = every;
        using var model = mlContext.Transforms.Text.PretrainBert(options).Fit(TinyPretraining.Sentences(mlContext, 200));
        stepLines.Should().HaveCount(expectedStepLines);

        options.LogEveryNSteps = 0;
        var act = () => mlContext.Transforms.Text.PretrainBert(options);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(BertPretrainingOptions.LogEveryNSteps));
    }

    [Fact]
    public void CancelExecution_MakesFitThrow_AndTheNextFitResumesFromTheCheckpoint_WithTheDrawnSeed_ToTheSameModel()
    {
        var plan = TinyPretraining.TwoStagePlan(stepsPerStage: 6);
        var probe = TinyPretraining.Sentences(_mlContext, 12);

        // No seed anywhere: the run draws one, and resuming must continue with it.
        var cancelledContext = new MLContext();
        var options = TinyPretraining.Options(plan);
        options.Seed = null;
        options.CheckpointDirectory = Path.Combine(_directory, "cancelled");
        options.CheckpointEveryNSteps = 2;
        options.LogEveryNSteps = 1;
        options.Progress = new SynchronousProgress(p =>
        {
            if (p.Stage!.Index == 1 && p.Kind == TrainingProgressKind.Step && p.Step >= 3)
            {
                // What mlContext.CancelExecution() (Microsoft.ML.Experimental) calls.
                typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!
                    .Invoke(cancelledContext, null);
            }
        });
        var cancelled = () => cancelledContext.Transforms.Text.PretrainBert(options).Fit(TinyPretraining.Sentences(cancelledContext, 200));
        cancelled.Should().Throw<OperationCanceledException>().WithMessage($"*cancelled after*of 12 steps*{options.CheckpointDirectory}*ResumeFromCheckpoint*");

        options.Progress = null;
        options.ResumeFromCheckpoint = true;
        int drawnSeed = StagedRunner.TryReadSeed(options.CheckpointDirectory)!.Value;
        var resumedContext = new MLContext();
        using var resumed = resumedContext.Transforms.Text.PretrainBert(options).Fit(TinyPretraining.Sentences(resumedContext, 200));

        var referenceOptions = TinyPretraining.Options(plan);
        referenceOptions.Seed = drawnSeed;
        using var reference = _mlContext.Transforms.Text.PretrainBert(referenceOptions).Fit(TinyPretraining.Sentences(_mlContext, 200));
        resumed.Transform(probe).GetColumn<float[]>("Embedding").Should().BeEquivalentTo(
            reference.Transform(probe).GetColumn<float[]>("Embedding"), o => o.WithStrictOrdering(), "the resumed run ends where the uninterrupted one with the drawn seed does");

        options.Seed = unchecked(drawnSeed + 1);
        var anotherSeed = () => resumedContext.Transforms.Text.PretrainBert(options).Fit(TinyPretraining.Sentences(resumedContext, 200));
        anotherSeed.Should().Throw<InvalidOperationException>().WithMessage($"*written by a run with seed {drawnSeed}, not {drawnSeed + 1}*");

        // The checkpoints hold tensors of one architecture; other model options (even of the same shapes) are refused.
        options.Seed = drawnSeed;
        options.Dropout = 0.5;
        var anotherModel = () => resumedContext.Transforms.Text.PretrainBert(options).Fit(TinyPretraining.Sentences(resumedContext, 200));
        anotherModel.Should().Throw<InvalidOperationException>().WithMessage("*written by another plan or another model*");
    }

    [Fact]
    public void ATooSmallCorpus_NamesBatchSize()
    {
        var options = TinyPretraining.Options();
        options.BatchSize = 64;
        var act = () => _mlContext.Transforms.Text.PretrainBert(options).Fit(TinyPretraining.Sentences(_mlContext, 20));
        act.Should().Throw<ArgumentException>().WithMessage("*fewer than one batch of BatchSize 64*");
    }

    [Fact]
    public void AMissingOrNonTextColumn_IsNamed()
    {
        var options = TinyPretraining.Options();
        options.TextColumnName = "Review";
        var act = () => _mlContext.Transforms.Text.PretrainBert(options).Fit(TinyPretraining.Sentences(_mlContext));
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Review'*not found*");
    }

    [Fact]
    public void InvalidArchitectures_AreNamed()
    {
        var heads = TinyPretraining.Options();
        heads.AttentionHeads = 3;
        ((Action)(() => heads.Validate())).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*HiddenSize (32)*AttentionHeads (3)*");

        var zeroLayers = TinyPretraining.Options(TrainingPlan.FullDepth(0, 5));
        zeroLayers.Plan.Schedule.WarmupSteps = 0;
        ((Action)(() => zeroLayers.Validate())).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Depth must be at least 1*");

        var shortSequences = TinyPretraining.Options();
        shortSequences.MaximumLength = 4;
        ((Action)(() => shortSequences.Validate())).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MaximumLength*");
    }

    [Fact]
    public void ModelFilesWithTensorsOfAnotherShape_AreRejectedNamingTheTensor()
    {
        using var model = _mlContext.Transforms.Text.PretrainBert(TinyPretraining.Options(TrainingPlan.FullDepth(1, 2))).Fit(TinyPretraining.Sentences(_mlContext));
        var data = TinyPretraining.Sentences(_mlContext, 5);
        string path = Path.Combine(_directory, "mismatch.zip");
        _mlContext.Model.SaveWithTensors(model, data.Schema, path);
        ModelFileSurgery.RewriteText(path, "config.json", config => config.Replace("\"intermediate_size\": 64", "\"intermediate_size\": 48"));

        var act = () => _mlContext.Model.LoadWithTensors(path, out _);
        act.Should().Throw<InvalidDataException>().WithMessage("*intermediate.dense.weight*[64, 32]*[48, 32]*");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    private sealed class EmbeddingRow
    {
        [VectorType(32)]
        public float[] Embedding { get; set; } = Array.Empty<float>();
    }
}
