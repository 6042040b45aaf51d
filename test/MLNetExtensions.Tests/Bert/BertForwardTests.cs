using MLNetExtensions.Transforms.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Bert;

public sealed class BertForwardTests
{
    [Fact]
    public void BertModel_Forward_GivesHiddenStatesAndPooledOutput()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1);
        using var model = new BertModel(BertTestData.Config(), generator);

        var output = model.forward(BertTestData.InputIds(), BertTestData.AttentionMask(), BertTestData.TokenTypeIds());

        output.LastHiddenState.shape.Should().Equal(2, 7, 16);
        output.PooledOutput!.shape.Should().Equal(2, 16);
        output.LastHiddenState.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void BertModel_WithoutPooler_HasNoPooledOutput()
    {
        using var scope = NewDisposeScope();
        using var model = new BertModel(BertTestData.Config(), addPoolingLayer: false);

        var output = model.forward(BertTestData.InputIds(), null, null);

        output.PooledOutput.Should().BeNull();
        model.Pooler.Should().BeNull();
    }

    [Fact]
    public void TaskModels_Forward_GiveLogitsOfTheRightShape()
    {
        using var scope = NewDisposeScope();
        using var masked = new BertForMaskedLM(BertTestData.Config());
        using var classifier = new BertForSequenceClassification(BertTestData.Config(), numLabels: 3);

        masked.forward(BertTestData.InputIds(), BertTestData.AttentionMask(), null).shape.Should().Equal(2, 7, 50);
        masked.Cls.forward(zeros(5, 16)).shape.Should().Equal(5, 50);
        classifier.forward(BertTestData.InputIds(), BertTestData.AttentionMask(), BertTestData.TokenTypeIds()).shape.Should().Equal(2, 3);
    }

    [Fact]
    public void Forward_SequenceLongerThanPositions_ThrowsNamingTheOption()
    {
        using var scope = NewDisposeScope();
        using var model = new BertModel(BertTestData.Config());

        var act = () => model.forward(ones(1, 21, dtype: int64), null, null);

        act.Should().Throw<ArgumentException>().WithMessage("*21*MaxPositionEmbeddings*20*");
    }

    [Theory]
    [InlineData(LayerNormPlacement.PostLayerNorm)]
    [InlineData(LayerNormPlacement.PreLayerNorm)]
    public void AttentionMask_TokensAtPaddedPositions_DoNotChangeRealPositions(LayerNormPlacement placement)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(2);
        using var model = new BertForMaskedLM(BertTestData.Config(placement: placement), generator, addPoolingLayer: true);
        model.eval();
        var ids = BertTestData.InputIds();
        var mask = BertTestData.AttentionMask();
        var changedPadding = ids.clone();
        changedPadding[1, 4] = tensor(33L);
        changedPadding[1, 6] = tensor(12L);
        var changedRealToken = ids.clone();
        changedRealToken[1, 2] = tensor(44L);

        var reference = model.forward(ids, mask, null);
        var withOtherPadding = model.forward(changedPadding, mask, null);
        var withOtherRealToken = model.forward(changedRealToken, mask, null);
        var pooledReference = model.Bert.forward(ids, mask, null).PooledOutput!;
        var pooledOtherPadding = model.Bert.forward(changedPadding, mask, null).PooledOutput!;

        var real = reference[1, ..4];
        withOtherPadding[1, ..4].allclose(real, rtol: 0, atol: 1e-6).Should().BeTrue("padded keys are masked out");
        withOtherPadding[0].equal(reference[0]).all().item<bool>().Should().BeTrue("the other sequence is untouched");
        pooledOtherPadding.allclose(pooledReference, rtol: 0, atol: 1e-6).Should().BeTrue();
        withOtherRealToken[1, ..4].allclose(real, rtol: 0, atol: 1e-4).Should().BeFalse("a real token is attended to");

        var withoutMask = model.forward(ids, null, null);
        var withoutMaskOtherPadding = model.forward(changedPadding, null, null);
        withoutMaskOtherPadding[1, ..4].allclose(withoutMask[1, ..4], rtol: 0, atol: 1e-4).Should().BeFalse("without a mask every token is attended to");
    }

    [Fact]
    public void AttentionMask_BoolAndIntegerMasks_AreEquivalent()
    {
        using var scope = NewDisposeScope();
        using var model = new BertModel(BertTestData.Config());
        model.eval();

        var fromIntegers = model.forward(BertTestData.InputIds(), BertTestData.AttentionMask(), null).LastHiddenState;
        var fromBools = model.forward(BertTestData.InputIds(), BertTestData.AttentionMask().to_type(ScalarType.Bool), null).LastHiddenState;
        var fromFloats = model.forward(BertTestData.InputIds(), BertTestData.AttentionMask().to_type(ScalarType.Float32), null).LastHiddenState;

        BertTestData.BitEqual(fromIntegers, fromBools).Should().BeTrue();
        BertTestData.BitEqual(fromIntegers, fromFloats).Should().BeTrue();
    }

    [Fact]
    public void TiedDecoderWeight_IsTheWordEmbeddingTensor()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForMaskedLM(BertTestData.Config());
        var embeddings = model.Bert.Embeddings.WordEmbeddings.Weight;
        var decoder = model.Cls.Predictions.Decoder.Weight;
        var stateDict = model.state_dict();

        ReferenceEquals(decoder, embeddings).Should().BeTrue();
        ReferenceEquals(stateDict["cls.predictions.decoder.weight"], stateDict["bert.embeddings.word_embeddings.weight"]).Should().BeTrue();
        ReferenceEquals(stateDict["cls.predictions.decoder.bias"], stateDict["cls.predictions.bias"]).Should().BeTrue();
        using (no_grad())
        {
            embeddings[3, 5] = tensor(7.5f);
            decoder[4, 6] = tensor(-2.25f);
            model.Cls.Predictions.Bias[9] = tensor(1.5f);
        }

        decoder[3, 5].item<float>().Should().Be(7.5f);
        embeddings[4, 6].item<float>().Should().Be(-2.25f);
        model.Cls.Predictions.Decoder.Bias[9].item<float>().Should().Be(1.5f);
    }

    [Fact]
    public void TiedDecoderWeight_StaysTiedAfterConversion()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForMaskedLM(BertTestData.Config());

        model.to(ScalarType.Float64);

        var embeddings = model.Bert.Embeddings.WordEmbeddings.Weight;
        embeddings.dtype.Should().Be(ScalarType.Float64);
        ReferenceEquals(model.Cls.Predictions.Decoder.Weight, embeddings).Should().BeTrue();
        ReferenceEquals(model.Cls.Predictions.Decoder.Bias, model.Cls.Predictions.Bias).Should().BeTrue();
        model.Cls.Predictions.Bias.dtype.Should().Be(ScalarType.Float64);
        model.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float64);
        model.forward(BertTestData.InputIds(), null, null).dtype.Should().Be(ScalarType.Float64);
    }

    [Fact]
    public void Initialization_SameSeed_BitIdentical_DifferentSeed_Different()
    {
        using var scope = NewDisposeScope();
        using var generatorA = new Generator(42);
        using var generatorB = new Generator(42);
        using var generatorC = new Generator(43);
        using var a = new BertForMaskedLM(BertTestData.Config(), generatorA, addPoolingLayer: true);
        using var b = new BertForMaskedLM(BertTestData.Config(), generatorB, addPoolingLayer: true);
        using var c = new BertForMaskedLM(BertTestData.Config(), generatorC, addPoolingLayer: true);

        BertTestData.SameTensors(a, b).Should().BeTrue();
        BertTestData.SameTensors(a, c).Should().BeFalse();
        BertTestData.BitEqual(a.Bert.Encoder.Layers[1].Attention.Self.parameters().First(), c.Bert.Encoder.Layers[1].Attention.Self.parameters().First()).Should().BeFalse();
    }

    [Fact]
    public void Initialization_FollowsHuggingFace()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var config = BertConfig.Tiny(200) with { PadTokenId = 0, InitializerRange = 0.02 };
        using var model = new BertForMaskedLM(config, generator, addPoolingLayer: true);
        var tensors = Transforms.ModelTensorIO.GetNamedTensors(model).ToDictionary(t => t.Name, t => t.Tensor);

        var words = tensors["bert.embeddings.word_embeddings.weight"];
        words[0].abs().max().item<float>().Should().Be(0f, "the padding row is zero");
        words[1..].std().item<float>().Should().BeApproximately(0.02f, 0.001f);
        tensors["bert.encoder.layer.1.intermediate.dense.weight"].std().item<float>().Should().BeApproximately(0.02f, 0.001f);
        tensors["bert.encoder.layer.1.intermediate.dense.weight"].mean().item<float>().Should().BeApproximately(0f, 0.001f);
        foreach (var (name, tensor) in tensors)
        {
            if (name.EndsWith("LayerNorm.weight", StringComparison.Ordinal))
            {
                tensor.eq(1).all().item<bool>().Should().BeTrue(name);
            }
            else if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                tensor.eq(0).all().item<bool>().Should().BeTrue(name);
            }
        }
    }

    [Fact]
    public void LayerNormPlacement_PostAndPre_BothRunAndDiffer()
    {
        using var scope = NewDisposeScope();
        using var generatorPost = new Generator(5);
        using var generatorPre = new Generator(5);
        using var post = new BertModel(BertTestData.Config(placement: LayerNormPlacement.PostLayerNorm), generatorPost);
        using var pre = new BertModel(BertTestData.Config(placement: LayerNormPlacement.PreLayerNorm), generatorPre);
        post.eval();
        pre.eval();

        BertTestData.SameTensors(post, pre).Should().BeTrue("the same seed gives the same weights; only the wiring differs");
        var postOutput = post.forward(BertTestData.InputIds(), BertTestData.AttentionMask(), null).LastHiddenState;
        var preOutput = pre.forward(BertTestData.InputIds(), BertTestData.AttentionMask(), null).LastHiddenState;

        postOutput.isfinite().all().item<bool>().Should().BeTrue();
        preOutput.isfinite().all().item<bool>().Should().BeTrue();
        postOutput.allclose(preOutput, rtol: 0, atol: 1e-3).Should().BeFalse();
        // Post-norm ends in a layer norm with unit weight and zero bias: every position has mean 0, variance 1.
        postOutput.mean(new long[] { -1 }).abs().max().item<float>().Should().BeLessThan(1e-4f);
        preOutput.mean(new long[] { -1 }).abs().max().item<float>().Should().BeGreaterThan(1e-4f);
    }

    [Fact]
    public void Training_DropoutIsActiveOnlyInTrainingMode()
    {
        using var scope = NewDisposeScope();
        using var model = new BertModel(BertTestData.Config() with { HiddenDropoutProb = 0.5, AttentionProbsDropoutProb = 0.5 });
        var ids = BertTestData.InputIds();

        model.eval();
        var evalA = model.forward(ids, null, null).LastHiddenState;
        var evalB = model.forward(ids, null, null).LastHiddenState;
        model.train();
        var trainA = model.forward(ids, null, null).LastHiddenState;

        BertTestData.BitEqual(evalA, evalB).Should().BeTrue();
        trainA.allclose(evalA, rtol: 0, atol: 1e-3).Should().BeFalse();
    }
}
