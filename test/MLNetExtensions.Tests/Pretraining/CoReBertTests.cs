using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.ModelFiles;
using MLNetExtensions.Transforms.Text;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Pretraining;

/// <summary>Coarse-refined training: relaxed modules, relaxed → original conversion, the estimator, resume and CoRe + MSLT.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class CoReBertTests : IDisposable
{
    private static readonly WordPieceEncoder Encoder = WordPieceEncoder.FromFile(ShippedData.BertVocabularyPath);
    private readonly MLContext _mlContext = new(seed: 2);
    private readonly string _directory = Directory.CreateTempSubdirectory("core-").FullName;

    private static BertConfig RelaxedConfig(FastAttentionKind attention, int layers = 2) => new BertConfig
    {
        VocabSize = 120,
        HiddenSize = 32,
        NumHiddenLayers = layers,
        NumAttentionHeads = 2,
        IntermediateSize = 64,
        MaxPositionEmbeddings = 16,
        Relaxation = new BertRelaxation { Attention = attention, FeedForwardRank = 6, ProjectedLength = 4 },
    }.Validate();

    [Theory]
    [InlineData(FastAttentionKind.Linear)]
    [InlineData(FastAttentionKind.LowRankProjection)]
    public void Conversion_KeepsEveryFeedForwardSubLayersOutput_AndCopiesEveryOtherTensorExactly(FastAttentionKind attention)
    {
        using var relaxed = new BertForMaskedLM(RelaxedConfig(attention), new Generator(3));
        relaxed.eval();
        using var full = RelaxedBertConversion.ToFull(relaxed);

        full.Config.Relaxation.Should().BeNull();
        full.Config.Should().Be(relaxed.Config with { Relaxation = null });
        var relaxedTensors = relaxed.state_dict();
        var fullTensors = full.state_dict();
        fullTensors.Keys.Should().Contain("bert.encoder.layer.0.intermediate.dense.weight").And.Contain("bert.encoder.layer.1.output.dense.weight");
        relaxedTensors.Keys.Should().Contain("bert.encoder.layer.0.intermediate.dense.left").And.NotContain("bert.encoder.layer.0.intermediate.dense.weight");
        int copied = 0;
        foreach (var (name, tensor) in fullTensors.Where(t => relaxedTensors.ContainsKey(t.Key)))
        {
            Bytes(tensor).Should().Equal(Bytes(relaxedTensors[name]), $"{name} is copied exactly");
            copied++;
        }

        copied.Should().Be(fullTensors.Count - 4, "all but the 2 × 2 factorised feed-forward weights are copied");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator(5);
        for (int i = 0; i < 2; i++)
        {
            var hidden = randn(new long[] { 3, 7, 32 }, generator: generator);
            var relaxedLayer = relaxed.Bert.Encoder.Layers[i];
            var fullLayer = full.Bert.Encoder.Layers[i];
            var relaxedUp = relaxedLayer.Intermediate.forward(hidden);
            var fullUp = fullLayer.Intermediate.forward(hidden);
            MaxDifference(relaxedUp, fullUp).Should().BeLessThan(1e-5, $"layer {i}'s intermediate sub-layer");
            MaxDifference(relaxedLayer.Output.forward(relaxedUp, hidden), fullLayer.Output.forward(relaxedUp, hidden)).Should().BeLessThan(1e-5, $"layer {i}'s output sub-layer");
        }

        var act = () => RelaxedBertConversion.ToFull(full);
        act.Should().Throw<ArgumentException>().WithMessage("*already an original BERT*");
    }

    [Theory]
    [InlineData(FastAttentionKind.Linear)]
    [InlineData(FastAttentionKind.LowRankProjection)]
    public void FastAttention_IgnoresPaddedPositions(FastAttentionKind attention)
    {
        using var model = new BertForMaskedLM(RelaxedConfig(attention), new Generator(4));
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 5, 17, 42, 9, 0, 0, 5, 17, 42, 9, 77, 88 }, new long[] { 2, 6 });
        var mask = tensor(new long[] { 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0 }, new long[] { 2, 6 });
        var hidden = model.Bert.Forward(ids, mask).LastHiddenState;

        MaxDifference(hidden[0, ..4], hidden[1, ..4]).Should().BeLessThan(1e-5, "the padded tokens differ, the real ones do not");
        var unmasked = model.Bert.Forward(ids, null).LastHiddenState;
        MaxDifference(unmasked[0, ..4], unmasked[1, ..4]).Should().BeGreaterThan(1e-4, "without the mask the padding is attended to");
    }

    [Fact]
    public void Fit_TrainsRelaxedThenOriginalBert_WhichTheRestOfTheProjectAcceptsUnchanged()
    {
        var logs = new List<string>();
        _mlContext.Log += (_, e) => logs.Add(e.Message);
        var options = CoReOptions();
        var estimator = _mlContext.Transforms.Text.CoReBert(options);
        using var model = estimator.Fit(TinyPretraining.Sentences(_mlContext));

        var report = model.GetTrainingReport()!;
        report.Plan.Stages.Select(s => s.Architecture).Should().Equal(EncoderArchitecture.Relaxed, EncoderArchitecture.Full);
        report.Stages.Select(s => s.Steps).Should().Equal(5L, 4L);
        report.Stages[0].PredictedFlopsPerStep.Should().BeLessThan(report.Stages[1].PredictedFlopsPerStep, "the relaxed model costs less per step");
        report.RelaxedParameterCount.Should().BeLessThan(report.FullParameterCount!.Value);
        using (var original = new BertForMaskedLM(model.Config, new Generator(1)))
        {
            report.FullParameterCount.Should().Be(original.parameters().Sum(p => p.numel()), "the count is that of the original BERT of the same shape");
        }

        logs.Should().Contain(l => l.Contains("CoRe: relaxed model (Linear attention, feed-forward rank 8)") && l.Contains("original BERT"));
        model.Config.Relaxation.Should().BeNull("the fitted transformer holds the original BERT");
        model.Config.NumHiddenLayers.Should().Be(2);

        var texts = TinyPretraining.Sentences(_mlContext, 20);
        var embeddings = model.Transform(texts).GetColumn<float[]>("Embedding").ToList();
        embeddings.Should().HaveCount(20).And.OnlyContain(e => e.Length == 32 && e.All(float.IsFinite));

        string path = Path.Combine(_directory, "core.zip");
        _mlContext.Model.SaveWithTensors(model, texts.Schema, path);
        using (var loaded = (BertEmbeddingTransformer)_mlContext.Model.LoadWithTensors(path, out _))
        {
            loaded.Transform(texts).GetColumn<float[]>("Embedding").First().Should().Equal(embeddings[0]);
        }

        var encoder = new BertModel(model.Config, addPoolingLayer: false);
        model.CopyEncoderTo(encoder);
        string safetensors = Path.Combine(_directory, "core.safetensors");
        ModelTensorIO.ExportSafetensors(encoder, safetensors);
        using var reread = new BertModel(model.Config, addPoolingLayer: false);
        ModelTensorIO.ImportSafetensors(reread, safetensors);
        Bytes(reread.state_dict()["encoder.layer.1.output.dense.weight"]).Should().Equal(Bytes(encoder.state_dict()["encoder.layer.1.output.dense.weight"]));

        var split = SentimentSentences.SplitTrainTest(_mlContext, 0.2, seed: 3);
        using var classifier = _mlContext.BinaryClassification.Trainers.BertClassifier(new BertClassificationOptions
        {
            PretrainedEncoder = model,
            MaximumLength = 24,
            BatchSize = 16,
            Epochs = 1,
            Seed = 1,
            NumberOfThreads = 1,
        }).Fit(_mlContext.Data.TakeRows(split.TrainSet, 64));
        var metrics = _mlContext.BinaryClassification.Evaluate(classifier.Transform(_mlContext.Data.TakeRows(split.TestSet, 32)));
        metrics.Accuracy.Should().BeInRange(0, 1);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void CoReWithMslt_AKilledRun_ResumesInEitherPhase_ToTheSameModel(int stageToKill)
    {
        var plan = CoRePlans.Build(new CoRePlanSettings
        {
            FeedForwardRank = 8, // the relaxation of Setup()'s model
            Depth = 2,
            RelaxedSteps = 8,
            FullSteps = 6,
            RelaxedSchedule = new LearningRateScheduleSettings { PeakLearningRate = 2e-3, WarmupSteps = 2 },
            FullSchedule = new LearningRateScheduleSettings { PeakLearningRate = 1e-3, WarmupSteps = 2 },
            RelaxedGrowth = new MultiStagePlanSettings { StartDepth = 1, LayersPerStage = 1 },
        });
        plan.Name.Should().Be(CoRePlans.CoReMsltName);
        plan.Stages.Select(s => (s.Architecture, s.Depth)).Should().Equal((EncoderArchitecture.Relaxed, 1), (EncoderArchitecture.Relaxed, 2), (EncoderArchitecture.Full, 2));
        var settings = new StagedTrainingSettings { BatchSize = 8, Seed = 3, NumberOfThreads = 1, LogEveryNSteps = 1, CheckpointEveryNSteps = 2, CheckpointDirectory = Path.Combine(_directory, "a") };

        var (reference, referenceObjective, train, validation) = Setup();
        using var _ = reference;
        new StagedBertTrainer().Train(_mlContext, reference, plan, referenceObjective, train, validation, settings, out var referenceTrained);
        using var __ = referenceTrained;
        referenceTrained.Config.Relaxation.Should().BeNull();
        referenceTrained.Bert.Encoder.Count.Should().Be(2);

        var (killed, killedObjective, train2, validation2) = Setup();
        using var ___ = killed;
        using var cancel = new CancellationTokenSource();
        var interrupted = settings with { CheckpointDirectory = Path.Combine(_directory, "b") };
        var report = new StagedBertTrainer().Train(_mlContext, killed, plan, killedObjective, train2, validation2, interrupted, out var killedTrained, new Progress(p =>
        {
            if (p.Stage!.Index == stageToKill && p.Kind == TrainingProgressKind.Step && p.Step >= 3)
            {
                cancel.Cancel();
            }
        }), cancel.Token);
        report.Cancelled.Should().BeTrue();
        if (!ReferenceEquals(killedTrained, killed))
        {
            killedTrained.Dispose();
        }

        var (resumed, resumedObjective, train3, validation3) = Setup();
        using var ____ = resumed;
        var final = new StagedBertTrainer().Train(_mlContext, resumed, plan, resumedObjective, train3, validation3, interrupted with { Resume = true }, out var resumedTrained);
        using var _____ = resumedTrained;
        final.Stages.Should().HaveCount(3);
        foreach (var (name, tensor) in referenceTrained.state_dict())
        {
            Bytes(resumedTrained.state_dict()[name]).Should().Equal(Bytes(tensor), $"{name} after resuming in stage {stageToKill}");
        }
    }

    [Fact]
    public void InPlaceTraining_OfAConvertingPlan_AndBadSettings_AreClearErrors()
    {
        var (model, objective, train, validation) = Setup();
        using var _ = model;
        var plan = CoRePlans.Build(new CoRePlanSettings { Depth = 1, RelaxedSteps = 2, FullSteps = 2, RelaxedSchedule = new() { WarmupSteps = 0 }, FullSchedule = new() { WarmupSteps = 0 } });
        var act = () => new StagedBertTrainer().Train(_mlContext, model, plan, objective, train, validation, new StagedTrainingSettings { BatchSize = 8 });
        act.Should().Throw<NotSupportedException>().WithMessage("*out BertForMaskedLM trained*");
        var otherRank = () => new StagedBertTrainer().Train(_mlContext, model, plan, objective, train, validation, new StagedTrainingSettings { BatchSize = 8 }, out var neverTrained);
        otherRank.Should().Throw<ArgumentException>().WithMessage("*FeedForwardRank = 64*FeedForwardRank = 8*build the model from the plan's Relaxation*");

        var badRank = CoReOptions();
        badRank.CoRe.FeedForwardRank = 33;
        var fit = () => _mlContext.Transforms.Text.CoReBert(badRank).Fit(TinyPretraining.Sentences(_mlContext, 50));
        fit.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*FeedForwardRank*hidden_size = 32*");

        var badPhase = CoReOptions();
        badPhase.CoRe.FullSteps = 0;
        var create = () => _mlContext.Transforms.Text.CoReBert(badPhase);
        create.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(CoRePlanSettings.FullSteps));
    }

    private (BertForMaskedLM Model, MaskedLanguageModelObjective Objective, IDataView Train, IDataView Validation) Setup()
    {
        var corpus = PretrainingCorpus.Build(_mlContext, TinyPretraining.Sentences(_mlContext), "Text", Encoder, 32, 0.1, 4, 8);
        var options = CoReOptions();
        var model = new BertForMaskedLM(options.BuildConfig(Encoder.VocabularySize, 1) with { Relaxation = options.CoRe.Relaxation }, new Generator(4));
        var masking = new MaskedLanguageModelMasking(Encoder.VocabularySize, Encoder.MaskTokenId, new[] { 0, 100, 101, 102, 103 });
        return (model, new MaskedLanguageModelObjective(model, masking, 0, CPU), corpus.Train, corpus.Validation!);
    }

    private static CoReBertOptions CoReOptions()
    {
        var tiny = TinyPretraining.Options();
        return new CoReBertOptions
        {
            VocabularyPath = tiny.VocabularyPath,
            HiddenSize = tiny.HiddenSize,
            AttentionHeads = tiny.AttentionHeads,
            IntermediateSize = tiny.IntermediateSize,
            MaximumLength = tiny.MaximumLength,
            BatchSize = tiny.BatchSize,
            ValidationFraction = tiny.ValidationFraction,
            Seed = tiny.Seed,
            NumberOfThreads = 1,
            CoRe = new CoRePlanSettings
            {
                FeedForwardRank = 8,
                Depth = 2,
                RelaxedSteps = 5,
                FullSteps = 4,
                RelaxedSchedule = new LearningRateScheduleSettings { PeakLearningRate = 2e-3, WarmupSteps = 1 },
                FullSchedule = new LearningRateScheduleSettings { PeakLearningRate = 1e-3, WarmupSteps = 1 },
            },
        };
    }

    private static double MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    private static byte[] Bytes(Tensor tensor) => tensor.detach().cpu().contiguous().bytes.ToArray();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class Progress(Action<TrainingProgress> onReport) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => onReport(value);
    }
}
