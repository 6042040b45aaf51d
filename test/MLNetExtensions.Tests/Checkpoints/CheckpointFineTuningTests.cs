using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Tests.Bert;
using MLNetExtensions.Tests.FineTuning;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.Bert.Checkpoints;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Tests.Checkpoints;

/// <summary>The BERT classifiers fine-tuning from a checkpoint (<see cref="BertClassificationOptions.PretrainedCheckpointPath"/>).</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class CheckpointFineTuningTests : IDisposable
{
    private readonly FineTuningTestData _data = new();
    private readonly MLContext _mlContext = new(seed: 3);

    [Fact]
    public void TheInitialModel_HoldsTheCheckpointsTensorsAndPooler_AndItsTokenizer()
    {
        using var source = TinyCheckpoint.Model(seed: 21);
        string path = TinyCheckpoint.Write(Path.Combine(_data.Directory, "checkpoint"), source, tokenizerConfig: "{\"do_lower_case\": false}");
        var options = new BertClassificationOptions { PretrainedCheckpointPath = path };
        options.Validate();

        var start = BertClassifierStart.Resolve(options);
        using var model = start.CreateModel(classes: 2, seed: 5, BertPooling.Cls, classifierDropout: null);

        BertTestData.SameTensors(model.Bert, source).Should().BeTrue("embeddings, encoder layers and pooler come from the checkpoint");
        (start.Encoder.LowerCase, start.Encoder.StripAccents).Should().Be((false, false), "the tokenizer follows the checkpoint's tokenizer_config.json");
        start.Config.Should().Be(source.Config);
        start.MaximumLength.Should().Be(24, "min(128, max_position_embeddings)");
    }

    [Fact]
    public void TheCheckpoint_IsReadAgainAtModelCreation_AndAReplacedOneIsRefused()
    {
        using var source = TinyCheckpoint.Model(seed: 21);
        string path = TinyCheckpoint.Write(Path.Combine(_data.Directory, "replaced"), source);
        var options = new BertClassificationOptions { PretrainedCheckpointPath = path };
        options.Validate();
        var start = BertClassifierStart.Resolve(options);

        // The start keeps no tensors: another checkpoint of the same architecture written there since is what gets copied…
        using var other = TinyCheckpoint.Model(seed: 23);
        TinyCheckpoint.Write(path, other);
        using (var model = start.CreateModel(classes: 2, seed: 5, BertPooling.Cls, classifierDropout: null))
        {
            BertTestData.SameTensors(model.Bert, other).Should().BeTrue("the tensors are read when the model is created");
        }

        // …but one with another vocabulary or configuration is refused, naming the option.
        using (var generator = new TorchSharp.torch.Generator(24))
        using (var wider = new BertModel(TinyCheckpoint.Config with { IntermediateSize = TinyCheckpoint.Config.IntermediateSize * 2 }, generator))
        {
            TinyCheckpoint.Write(path, wider);
        }

        var create = () => start.CreateModel(classes: 2, seed: 5, BertPooling.Cls, classifierDropout: null);
        create.Should().Throw<InvalidOperationException>().WithMessage($"*PretrainedCheckpointPath '{path}' has changed since the trainer was created*");

        Directory.Delete(path, recursive: true);
        create.Should().Throw<FileNotFoundException>().WithMessage($"*PretrainedCheckpointPath '{path}'*read again at Fit*gone*");
    }

    [Fact]
    public void FineTuningFromACheckpoint_Learns_AndItsModelFileReloadsIdentically()
    {
        using var source = TinyCheckpoint.Model(seed: 22);
        string path = TinyCheckpoint.Write(Path.Combine(_data.Directory, "checkpoint"), source);
        var options = _data.Options(epochs: 6);
        options.Config = null;
        options.VocabularyPath = null;
        options.PretrainedCheckpointPath = path;
        var train = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(160, seed: 31));
        var test = _mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(60, seed: 32));

        using var model = _mlContext.BinaryClassification.Trainers.BertClassifier(options).Fit(train);
        string file = Path.Combine(_data.Directory, "classifier.zip");
        _mlContext.Model.SaveWithTensors(model, train.Schema, file);
        using var loaded = (IDisposable)_mlContext.Model.LoadWithTensors(file, out _);

        _mlContext.BinaryClassification.Evaluate(model.Transform(test)).Accuracy.Should().BeGreaterThan(0.9);
        ((ITransformer)loaded).Transform(test).GetColumn<float>("Score").Should().Equal(model.Transform(test).GetColumn<float>("Score"));
    }

    [Fact]
    public void ACheckpointTogetherWithAnEncoderOrVocabulary_IsRejected()
    {
        using var encoder = _data.Encoder(seed: 23);
        FluentActions.Invoking(() => new BertClassificationOptions { PretrainedCheckpointPath = "x", PretrainedEncoder = encoder }.Validate())
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "PretrainedCheckpointPath");
        FluentActions.Invoking(() => new BertClassificationOptions { PretrainedCheckpointPath = "x", VocabularyPath = _data.VocabularyPath }.Validate())
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "VocabularyPath").WithMessage("*PretrainedCheckpointPath*");
    }

    public void Dispose() => _data.Dispose();
}
