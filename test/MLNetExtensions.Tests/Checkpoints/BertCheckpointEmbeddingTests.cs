using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Tests.Bert;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.Bert.Checkpoints;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Tests.Checkpoints;

/// <summary><c>mlContext.Transforms.Text.ApplyBertCheckpoint</c>: sentence embeddings from a checkpoint in ML.NET pipelines.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class BertCheckpointEmbeddingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("checkpoint-embedding-").FullName;
    private readonly MLContext _mlContext = new(seed: 1);

    [Fact]
    public void TheTransformer_EmbedsWithTheCheckpoint_AndAPipelineTrainsOnTop()
    {
        using var source = TinyCheckpoint.Model(seed: 11);
        string path = TinyCheckpoint.Write(Path.Combine(_directory, "tiny"), source);
        var data = _mlContext.Data.LoadFromEnumerable(FineTuning.FineTuningTestData.Sentiment(64, seed: 1));

        var pipeline = _mlContext.Transforms.Text.ApplyBertCheckpoint(path)
            .Append(_mlContext.BinaryClassification.Trainers.SdcaLogisticRegression());
        var model = pipeline.Fit(data);
        var embedder = (BertEmbeddingTransformer)model.First();

        embedder.Config.Should().Be(source.Config);
        BertTestData.SameTensors(embedder.Model.Encoder, source.Encoder).Should().BeTrue();
        embedder.Settings.Should().Be(new BertTextSettings("Text", "Features", 24, BertPooling.Mean, Normalize: true));
        embedder.TrainingRecordJson.Should().Contain("cls.predictions.bias");
        embedder.GetTrainingReport().Should().BeNull("a converted checkpoint carries its conversion record, not a pre-training report");
        var features = model.Transform(data).GetColumn<float[]>("Features").ToList();
        features.Should().OnlyContain(v => v.Length == 32 && Math.Abs(Math.Sqrt(v.Sum(x => (double)x * x)) - 1) < 1e-5);
        _mlContext.BinaryClassification.Evaluate(model.Transform(data)).Accuracy.Should().BeGreaterThan(0.5);
        embedder.Dispose();
    }

    [Fact]
    public void AModelFile_LoadsInAFreshProcess_WithIdenticalEmbeddings()
    {
        using var source = TinyCheckpoint.Model(seed: 12);
        string path = TinyCheckpoint.Write(Path.Combine(_directory, "tiny"), source);
        var data = _mlContext.Data.LoadFromEnumerable(FineTuning.FineTuningTestData.Sentiment(40, seed: 2));
        using var embedder = _mlContext.Transforms.Text.ApplyBertCheckpoint(new BertCheckpointEmbeddingOptions
        {
            CheckpointPath = path,
            OutputColumnName = "Embedding",
            Pooling = BertPooling.Cls,
            Normalize = false,
            MaximumLength = 20,
        }).Fit(data);
        string file = Path.Combine(_directory, "embedder.zip");
        _mlContext.Model.SaveWithTensors(embedder, data.Schema, file);

        var expected = embedder.Transform(data).GetColumn<float[]>("Embedding").ToList();
        var actual = ChildProcess.TransformInFreshProcess(_mlContext, file, data, _directory).GetColumn<float[]>("Embedding").ToList();

        actual.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        TorchSharp.torch.manual_seed(42).Dispose();
        var draws = TorchSharp.torch.rand(4).data<float>().ToArray();
        TorchSharp.torch.manual_seed(42).Dispose();
        using var loaded = (BertEmbeddingTransformer)_mlContext.Model.LoadWithTensors(file, out _);
        TorchSharp.torch.rand(4).data<float>().ToArray().Should().Equal(draws, "loading a model file leaves torch's global generator alone");
        loaded.Settings.Should().Be(embedder.Settings);
        loaded.Transform(data).GetColumn<float[]>("Embedding").Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }

    [Fact]
    public void BadOptions_AreNamed()
    {
        FluentActions.Invoking(() => _mlContext.Transforms.Text.ApplyBertCheckpoint(new BertCheckpointEmbeddingOptions()))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "CheckpointPath");
        FluentActions.Invoking(() => _mlContext.Transforms.Text.ApplyBertCheckpoint("x", maximumLength: 1))
            .Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "MaximumLength");

        using var source = TinyCheckpoint.Model(seed: 13);
        string path = TinyCheckpoint.Write(Path.Combine(_directory, "tiny"), source);
        var data = _mlContext.Data.LoadFromEnumerable(FineTuning.FineTuningTestData.Sentiment(4, seed: 3));
        FluentActions.Invoking(() => _mlContext.Transforms.Text.ApplyBertCheckpoint(path, maximumLength: 25).Fit(data))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MaximumLength (25) exceeds*max_position_embeddings (24)*");
        FluentActions.Invoking(() => _mlContext.Transforms.Text.ApplyBertCheckpoint(path, inputColumnName: "Label").Fit(data))
            .Should().Throw<ArgumentException>().WithMessage("*Label*");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
