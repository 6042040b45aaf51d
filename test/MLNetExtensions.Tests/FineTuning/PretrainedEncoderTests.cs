using Microsoft.ML;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Tests.Bert;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms;
using MLNetExtensions.Transforms.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.FineTuning;

/// <summary>Fine-tuning that starts from a <see cref="BertEmbeddingTransformer"/>.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class PretrainedEncoderTests : IDisposable
{
    private readonly FineTuningTestData _data = new();
    private readonly MLContext _mlContext = new(seed: 7);

    [Fact]
    public void TheInitialModel_HoldsTheEncodersTensors_AndTheSeedDecidesTheRest()
    {
        using var encoder = _data.Encoder(seed: 31);
        var options = new BertClassificationOptions { PretrainedEncoder = encoder };
        options.Validate();
        var start = BertClassifierStart.Resolve(options);
        using var model = start.CreateModel(classes: 2, seed: 5, BertPooling.Cls, classifierDropout: 0.25);
        using var again = start.CreateModel(classes: 2, seed: 5, BertPooling.Cls, classifierDropout: null);
        using var otherSeed = start.CreateModel(classes: 2, seed: 6, BertPooling.Cls, classifierDropout: null);

        BertTestData.SameTensors(model.Bert.Embeddings, encoder.Model.Embeddings).Should().BeTrue();
        BertTestData.SameTensors(model.Bert.Encoder, encoder.Model.Encoder).Should().BeTrue();
        model.Bert.Pooler.Should().NotBeNull("the pooler is new: a pre-trained MLM encoder has none");
        BertTestData.SameTensors(model, again).Should().BeTrue();
        BertTestData.SameTensors(model.Bert.Pooler!, otherSeed.Bert.Pooler!).Should().BeFalse();
        start.MaximumLength.Should().Be(16, "the encoder's maximum length is the default");
        start.Encoder.Should().BeSameAs(encoder.Tokenizer);
        ((TorchSharp.Modules.Dropout)model.named_children().Single(c => c.name == "dropout").module).p.Should().Be(0.25);
        ((TorchSharp.Modules.Dropout)again.named_children().Single(c => c.name == "dropout").module).p.Should().Be(encoder.Config.HiddenDropoutProb);
    }

    [Fact]
    public void FineTuningFromAnEncoder_Learns_AndLeavesTheEncoderUnchanged()
    {
        using var encoder = _data.Encoder(seed: 32);
        var before = ModelTensorIO.GetNamedTensors(encoder.Model).Select(t => (t.Name, Tensor: t.Tensor.detach().clone())).ToList();
        var options = _data.Options();
        options.Config = encoder.Config with { HiddenDropoutProb = 0.05 };
        options.VocabularyPath = null;
        options.MaximumLength = null;
        options.PretrainedEncoder = encoder;
        var trainer = _mlContext.BinaryClassification.Trainers.BertClassifier(options);
        using var model = trainer.Fit(_mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(192, seed: 11)));

        var metrics = _mlContext.BinaryClassification.Evaluate(model.Transform(_mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(100, seed: 12))));
        metrics.Accuracy.Should().BeGreaterThan(0.95);
        model.Settings.MaximumLength.Should().Be(16);
        model.Config.HiddenDropoutProb.Should().Be(0.05);
        model.Tokenizer.Should().BeSameAs(encoder.Tokenizer);
        var after = ModelTensorIO.GetNamedTensors(encoder.Model).ToList();
        after.Select(t => t.Name).Should().Equal(before.Select(t => t.Name));
        after.Zip(before).Should().OnlyContain(pair => BertTestData.BitEqual(pair.First.Tensor, pair.Second.Tensor), "the encoder's tensors are copied, not trained in place");
        BertTestData.SameTensors(model.Model.Bert.Encoder, encoder.Model.Encoder).Should().BeFalse("the copy was fine-tuned");
        foreach (var (_, tensor) in before)
        {
            tensor.Dispose();
        }
    }

    [Fact]
    public void AConfigWithAnotherVocabularySize_IsRejected()
    {
        using var encoder = _data.Encoder(seed: 33);
        var act = () => new BertBinaryClassificationTrainer(_mlContext, new BertClassificationOptions { PretrainedEncoder = encoder, Config = encoder.Config with { VocabSize = 30522 } });
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "Config")
            .WithMessage($"*Config.VocabSize is 30522*PretrainedEncoder has a vocabulary of {FineTuningTestData.Vocabulary.Count} tokens*");

        var wider = () => new BertBinaryClassificationTrainer(_mlContext, new BertClassificationOptions { PretrainedEncoder = encoder, Config = encoder.Config with { HiddenSize = 64, NumHiddenLayers = 2 } });
        wider.Should().Throw<ArgumentException>().WithMessage("*HiddenSize 64 (encoder: 32), NumHiddenLayers 2 (encoder: 1)*");

        var relaxed = () => new BertBinaryClassificationTrainer(_mlContext, new BertClassificationOptions { PretrainedEncoder = encoder, Config = encoder.Config with { Relaxation = new BertRelaxation { FeedForwardRank = 8, ProjectedLength = 8 } } });
        relaxed.Should().Throw<ArgumentException>().Where(e => e.ParamName == "Config").WithMessage("*Relaxation BertRelaxation*(encoder: none)*");
        var initialised = () => new BertBinaryClassificationTrainer(_mlContext, new BertClassificationOptions { PretrainedEncoder = encoder, Config = encoder.Config with { InitializerRange = 0.05 } });
        initialised.Should().Throw<ArgumentException>().WithMessage("*InitializerRange 0.05 (encoder: 0.02)*");
        var dropout = () => new BertBinaryClassificationTrainer(_mlContext, new BertClassificationOptions { PretrainedEncoder = encoder, Config = encoder.Config with { HiddenDropoutProb = 0.3 } });
        dropout.Should().NotThrow("dropout probabilities may change");
    }

    [Fact]
    public void AnEncoderWhoseTokenizerDoesNotFitItsConfig_IsRejected()
    {
        using var encoder = _data.Encoder(seed: 34, FineTuningTestData.Config() with { VocabSize = 100 });
        var act = () => new BertMulticlassClassificationTrainer(_mlContext, new BertClassificationOptions { PretrainedEncoder = encoder });
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "PretrainedEncoder")
            .WithMessage($"*tokenizer of {FineTuningTestData.Vocabulary.Count} tokens but a configuration of 100*");
    }

    [Fact]
    public void AVocabularyPathBesideAnEncoder_OrALengthBeyondThePositions_IsRejected()
    {
        using var encoder = _data.Encoder(seed: 35);
        var vocabulary = () => new BertBinaryClassificationTrainer(_mlContext, new BertClassificationOptions { PretrainedEncoder = encoder, VocabularyPath = _data.VocabularyPath });
        vocabulary.Should().Throw<ArgumentException>().Where(e => e.ParamName == "VocabularyPath");

        var length = () => new BertBinaryClassificationTrainer(_mlContext, new BertClassificationOptions { PretrainedEncoder = encoder, MaximumLength = 25 });
        length.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "MaximumLength").WithMessage("*25*MaxPositionEmbeddings (24)*");
    }

    public void Dispose() => _data.Dispose();
}
