using Microsoft.ML;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Pretraining;

/// <summary>Staged training: growth, forward-only frozen layers, one schedule, resume in the middle of a stage.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class StagedBertTrainerTests : IDisposable
{
    private static readonly WordPieceEncoder Encoder = WordPieceEncoder.FromFile(ShippedData.BertVocabularyPath);
    private readonly MLContext _mlContext = new(seed: 2);
    private readonly string _directory = Directory.CreateTempSubdirectory("staged-").FullName;

    private (BertForMaskedLM Model, MaskedLanguageModelObjective Objective, IDataView Train, IDataView Validation) Setup(int seed = 4)
    {
        var corpus = PretrainingCorpus.Build(_mlContext, TinyPretraining.Sentences(_mlContext), "Text", Encoder, 32, 0.1, seed, 8);
        var options = TinyPretraining.Options();
        var model = new BertForMaskedLM(options.BuildConfig(Encoder.VocabularySize, 1), new Generator((ulong)seed));
        var masking = new MaskedLanguageModelMasking(Encoder.VocabularySize, Encoder.MaskTokenId, new[] { 0, 100, 101, 102, 103 });
        var objective = new MaskedLanguageModelObjective(model, masking, 0, CPU);
        return (model, objective, corpus.Train, corpus.Validation!);
    }

    [Fact]
    public void ABatchWithoutAMaskableToken_HasAZeroLoss_NotNaN()
    {
        var (model, objective, _, _) = Setup();
        using var _ = model;
        using var scope = NewDisposeScope();
        // [CLS] [SEP] and padding only: masking finds no position to choose.
        var tokens = tensor(new long[,] { { 101, 102, 0, 0 }, { 101, 102, 0, 0 } });
        var attention = tensor(new long[,] { { 1, 1, 0, 0 }, { 1, 1, 0, 0 } });
        var context = new TrainingStepContext(1, 10, 0, 0, 5, 1e-3, isTraining: true, 2);

        var loss = objective.ComputeLoss(new MaskedLanguageModelBatch(tokens, attention), context);

        loss.item<float>().Should().Be(0f);
        loss.backward();
        model.parameters().Where(p => p.grad is not null).Should().OnlyContain(p => p.grad!.abs().max().item<float>() == 0f);
    }

    [Fact]
    public void PretrainingGroups_ExemptBiasesAndLayerNorms_FromWeightDecay_AndDecayEveryMatrix()
    {
        var (model, _, _, _) = Setup();
        using var _ = model;
        var names = model.named_parameters().ToDictionary(p => p.parameter.Handle, p => p.name);
        var stage = new TrainingStage { Name = "all", Depth = 1, Steps = 1 };

        var groups = StagedBertTrainer.SelectGroups(model, stage);

        var exempt = groups.Where(g => !g.ApplyWeightDecay).SelectMany(g => g.Parameters).Select(p => names[p.Handle]).ToList();
        var decaying = groups.Where(g => g.ApplyWeightDecay).SelectMany(g => g.Parameters).Select(p => names[p.Handle]).ToList();
        exempt.Should().NotBeEmpty().And.OnlyContain(n => n.EndsWith(".bias") || n.Contains("LayerNorm"), "biases and layer norms get no decay");
        decaying.Should().NotBeEmpty().And.OnlyContain(n => !n.EndsWith(".bias") && !n.Contains("LayerNorm"), "weight matrices and embeddings decay");
        exempt.Should().Contain(n => n.Contains("LayerNorm.weight"));
        decaying.Should().Contain(n => n.Contains("word_embeddings"));
    }

    [Fact]
    public void FrozenLayers_StayBitIdentical_GetNoGradient_AndGrowthCopiesExactly()
    {
        var (model, objective, train, validation) = Setup();
        using var _ = model;
        var snapshots = new Dictionary<string, Tensor>();

        var plan = TinyPretraining.TwoStagePlan(stepsPerStage: 5);
        var trainer = new StagedBertTrainer();
        var settings = new StagedTrainingSettings { BatchSize = 8, Seed = 3, NumberOfThreads = 1 };

        // Stage 0 alone, to capture the weights the growth starts from.
        var first = new TrainingPlan { Name = plan.Name, Schedule = plan.Schedule, Stages = { plan.Stages[0] } };
        trainer.Train(_mlContext, model, first, objective, train, validation, settings);
        foreach (var (name, tensor) in model.state_dict())
        {
            snapshots[name] = tensor.detach().clone();
        }

        var stage = plan.Stages[1];
        model.Bert.Encoder.AppendLayers(1, stage.NewLayers);
        foreach (var (name, tensor) in model.Bert.Encoder.Layers[1].named_parameters())
        {
            Bytes(tensor).Should().Equal(Bytes(snapshots["bert.encoder.layer.0." + name]), $"new layer tensor {name} is an exact copy of the top layer");
        }

        var groups = StagedBertTrainer.SelectGroups(model, stage);
        groups.Select(g => g.Name).Should().BeEquivalentTo("layer.1", "layer.1.no_decay", "mlm_head", "mlm_head.no_decay");
        objective.FrozenBelowLayer = 1;
        objective.FreezeEmbeddings = true;
        using (var scope = NewDisposeScope())
        {
            var batch = FirstBatch(objective, train);
            foreach (var group in model.GetParameterGroups())
            {
                group.SetRequiresGrad(groups.Any(g => g.Name == group.Name));
            }

            var loss = objective.ComputeLoss(batch, new TrainingStepContext(1, 10, 0, 0, 7, 1e-3, isTraining: true, batchSize: 8));
            loss.backward();
            model.Bert.Encoder.Layers[0].parameters().Select(HasGradient).Should().OnlyContain(has => !has, "layers below the trainable ones run under no_grad");
            model.Bert.Embeddings.parameters().Select(HasGradient).Should().OnlyContain(has => !has);
            model.Bert.Encoder.Layers[1].parameters().Select(HasGradient).Should().OnlyContain(has => has);
            model.zero_grad(true);
            foreach (var parameter in model.parameters())
            {
                parameter.requires_grad = true;
            }
        }

        var result = new TrainingEngine().Train(_mlContext, model, objective, train, validation, groups, new TrainingOptions { BatchSize = 8, MaxSteps = 5, Seed = 1, NumberOfThreads = 1 });
        result.FrozenParameterCount.Should().BeGreaterThan(0);
        foreach (var name in model.state_dict().Keys.Where(n => n.StartsWith("bert.encoder.layer.0.", StringComparison.Ordinal) || n.StartsWith("bert.embeddings.", StringComparison.Ordinal)))
        {
            Bytes(model.state_dict()[name]).Should().Equal(Bytes(snapshots[name]), $"{name} is frozen");
        }

        Bytes(model.state_dict()["bert.encoder.layer.1.output.dense.weight"]).Should().NotEqual(Bytes(snapshots["bert.encoder.layer.0.output.dense.weight"]));
    }

    [Fact]
    public void AKilledRun_ResumesInTheMiddleOfAStage_ToTheSameWeights()
    {
        var plan = TinyPretraining.TwoStagePlan(stepsPerStage: 6);
        var settings = new StagedTrainingSettings { BatchSize = 8, Seed = 3, NumberOfThreads = 1, LogEveryNSteps = 1, CheckpointEveryNSteps = 2, CheckpointDirectory = Path.Combine(_directory, "a") };

        var (reference, referenceObjective, train, validation) = Setup();
        using var _ = reference;
        new StagedBertTrainer().Train(_mlContext, reference, plan, referenceObjective, train, validation, settings);

        var (killed, killedObjective, train2, validation2) = Setup();
        using var __ = killed;
        using var cancel = new CancellationTokenSource();
        var interrupted = settings with { CheckpointDirectory = Path.Combine(_directory, "b") };
        var report = new StagedBertTrainer().Train(_mlContext, killed, plan, killedObjective, train2, validation2, interrupted, new Progress(p =>
        {
            if (p.Stage!.Index == 1 && p.Kind == TrainingProgressKind.Step && p.Step >= 3)
            {
                cancel.Cancel();
            }
        }), cancel.Token);
        report.Cancelled.Should().BeTrue();

        var (resumed, resumedObjective, train3, validation3) = Setup();
        using var ___ = resumed;
        var final = new StagedBertTrainer().Train(_mlContext, resumed, plan, resumedObjective, train3, validation3, interrupted with { Resume = true });
        final.Stages.Should().HaveCount(2);

        foreach (var (name, tensor) in reference.state_dict())
        {
            Bytes(resumed.state_dict()[name]).Should().Equal(Bytes(tensor), $"{name} after resume");
        }
    }

    [Fact]
    public void ResumeWithoutCheckpoints_IsAClearError()
    {
        var (model, objective, train, validation) = Setup();
        using var _ = model;
        var settings = new StagedTrainingSettings { BatchSize = 8, CheckpointDirectory = Path.Combine(_directory, "none"), Resume = true };
        var act = () => new StagedBertTrainer().Train(_mlContext, model, TinyPretraining.TwoStagePlan(), objective, train, validation, settings);
        act.Should().Throw<FileNotFoundException>().WithMessage("*plan-state.json*CheckpointDirectory*");
    }

    private static MaskedLanguageModelBatch FirstBatch(MaskedLanguageModelObjective objective, IDataView data)
    {
        using var cursor = data.GetRowCursor(data.Schema);
        var builder = objective.CreateBatchBuilder(cursor);
        while (builder.Count < 8 && cursor.MoveNext())
        {
            builder.Append();
        }

        return builder.Build();
    }

    private static bool HasGradient(Tensor parameter) => parameter.grad is not null;

    private static byte[] Bytes(Tensor tensor) => tensor.detach().cpu().contiguous().bytes.ToArray();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class Progress(Action<TrainingProgress> onReport) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => onReport(value);
    }
}
