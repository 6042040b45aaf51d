using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Transforms;
using MLNetExtensions.Transforms.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Bert;

/// <summary>What multi-stage layer-wise training needs: layer ranges, frozen-below forward, growing the encoder.</summary>
public sealed class BertStagedTrainingTests
{
    [Fact]
    public void ForwardLayers_RangesComposeToTheFullForward()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        using var model = new BertModel(BertTestData.Config(layers: 3), generator);
        model.eval();
        var mask = BertTestData.AttentionMask();
        var embedded = model.Embeddings.forward(BertTestData.InputIds(), null);

        var full = model.Encoder.forward(embedded, mask);
        var lower = model.Encoder.ForwardLayers(embedded, mask, 0, 1);
        var upper = model.Encoder.ForwardLayers(lower, mask, 1, 3);

        BertTestData.BitEqual(upper, full).Should().BeTrue();
        ReferenceEquals(model.Encoder.ForwardLayers(embedded, mask, 2, 2), embedded).Should().BeTrue("an empty range is the identity");
        var act = () => model.Encoder.ForwardLayers(embedded, mask, 2, 4);
        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "toLayer");
    }

    [Fact]
    public void FrozenBelowLayer_GivesTheSameOutputs()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(12);
        using var model = new BertForMaskedLM(BertTestData.Config(layers: 3), generator);
        model.eval();
        var ids = BertTestData.InputIds();
        var mask = BertTestData.AttentionMask();

        var plain = model.forward(ids, mask, null);

        for (var frozen = 0; frozen <= 3; frozen++)
        {
            BertTestData.BitEqual(model.ForwardFrozenBelow(ids, mask, null, frozenBelowLayer: frozen), plain).Should().BeTrue($"frozenBelowLayer = {frozen}");
        }

        var act = () => model.ForwardFrozenBelow(ids, mask, null, frozenBelowLayer: 4);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*frozenBelowLayer*[0, 3]*");
    }

    [Fact]
    public void FrozenBelowLayer_LeavesNoGradientBelow_AndGradientsOnTop()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(13);
        using var model = new BertModel(BertTestData.Config(layers: 3), generator);
        model.train();

        var output = model.ForwardFrozenBelow(BertTestData.InputIds(), BertTestData.AttentionMask(), BertTestData.TokenTypeIds(), frozenBelowLayer: 2);
        (output.LastHiddenState.sum() + output.PooledOutput!.sum()).backward();

        var groups = model.GetParameterGroups();
        foreach (var group in groups)
        {
            var frozen = group.Kind == BertParameterGroupKind.Embeddings || group.LayerIndex is < 2;
            foreach (var (name, parameter) in group.Parameters)
            {
                if (frozen)
                {
                    parameter.grad.Should().BeNull($"{name} is below the frozen boundary");
                }
                else
                {
                    parameter.grad.Should().NotBeNull($"{name} trains");
                    parameter.grad!.abs().sum().item<float>().Should().BeGreaterThan(0f, name);
                }
            }
        }
    }

    [Fact]
    public void FrozenBelowLayer_MaskedLM_OnlyTheTiedWordEmbeddingsGetGradientThroughTheHead()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(14);
        using var model = new BertForMaskedLM(BertTestData.Config(layers: 2), generator);

        var logits = model.ForwardFrozenBelow(BertTestData.InputIds(), BertTestData.AttentionMask(), null, frozenBelowLayer: 1);
        nn.functional.cross_entropy(logits.reshape(-1, 50), BertTestData.InputIds().reshape(-1)).backward();

        var withGradient = model.named_parameters().Where(p => p.parameter.grad is not null).Select(p => p.name).ToList();
        withGradient.Should().Contain("bert.embeddings.word_embeddings.weight", "it is the decoder weight");
        withGradient.Should().NotContain(n => n.StartsWith("bert.encoder.layer.0.", StringComparison.Ordinal) || n.StartsWith("bert.embeddings.position", StringComparison.Ordinal) || n.StartsWith("bert.embeddings.LayerNorm", StringComparison.Ordinal));
        withGradient.Should().Contain(n => n.StartsWith("bert.encoder.layer.1.", StringComparison.Ordinal)).And.Contain("cls.predictions.bias");
    }

    [Fact]
    public void FreezeEmbeddings_WithNoFrozenLayers_FreezesOnlyTheEmbeddings()
    {
        using var scope = NewDisposeScope();
        using var model = new BertModel(BertTestData.Config());

        model.ForwardFrozenBelow(BertTestData.InputIds(), null, null, frozenBelowLayer: 0, freezeEmbeddings: true).PooledOutput!.sum().backward();

        model.Embeddings.parameters().Should().OnlyContain(p => ReferenceEquals(p.grad, null));
        model.Encoder.Layers[0].parameters().Should().OnlyContain(p => !ReferenceEquals(p.grad, null));
    }

    [Fact]
    public void AppendLayers_CopyTopLayers_AddsExactCopiesInOrder()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(21);
        using var model = new BertForMaskedLM(BertTestData.Config(layers: 3), generator);
        model.eval();
        var encoder = model.Bert.Encoder;
        var original = encoder.Layers.ToList();

        encoder.AppendLayers(2, LayerInitialization.CopyTopLayers);

        encoder.Count.Should().Be(5);
        model.Config.NumHiddenLayers.Should().Be(5);
        model.Config.Should().Be(BertTestData.Config(layers: 5));
        encoder.Layers.Take(3).Should().Equal(original);
        BertTestData.SameTensors(encoder.Layers[3], original[1]).Should().BeTrue("layer 3 copies layer 1");
        BertTestData.SameTensors(encoder.Layers[4], original[2]).Should().BeTrue("layer 4 copies layer 2");
        BertTestData.SameTensors(encoder.Layers[3], original[2]).Should().BeFalse();
        encoder.Layers[3].training.Should().BeFalse("new layers take the encoder's mode");
        encoder.Layers[4].parameters().Should().OnlyContain(p => p.requires_grad);

        var names = ModelTensorIO.GetNamedTensors(model).Select(t => t.Name).ToList();
        names.Should().Contain("bert.encoder.layer.4.output.LayerNorm.bias");
        names.IndexOf("bert.encoder.layer.4.output.LayerNorm.bias").Should().BeLessThan(names.IndexOf("cls.predictions.bias"));
        model.GetParameterGroups().Select(g => g.Name).Should().Equal("embeddings", "layer.0", "layer.1", "layer.2", "layer.3", "layer.4", "mlm_head");

        // The copies are separate tensors: changing one leaves its source alone.
        using (no_grad())
        {
            encoder.Layers[4].parameters().First().add_(1.0f);
        }

        BertTestData.SameTensors(encoder.Layers[4], original[2]).Should().BeFalse();
        model.forward(BertTestData.InputIds(), BertTestData.AttentionMask(), null).shape.Should().Equal(2, 7, 50);
    }

    [Fact]
    public void AppendLayers_CopyOfAllLayers_DoublesTheStack_AndCanTrain()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(22);
        using var model = new BertModel(BertTestData.Config(layers: 2), generator);
        var before = model.Encoder.Layers.ToList();

        model.Encoder.AppendLayers(2, LayerInitialization.CopyTopLayers);
        model.ForwardFrozenBelow(BertTestData.InputIds(), null, null, frozenBelowLayer: 2).PooledOutput!.sum().backward();

        BertTestData.SameTensors(model.Encoder.Layers[2], before[0]).Should().BeTrue();
        BertTestData.SameTensors(model.Encoder.Layers[3], before[1]).Should().BeTrue();
        before.SelectMany(l => l.parameters()).Should().OnlyContain(p => ReferenceEquals(p.grad, null));
        model.Encoder.Layers[2].parameters().Should().OnlyContain(p => !ReferenceEquals(p.grad, null));
    }

    [Fact]
    public void AppendLayers_Random_IsSeededAndFresh()
    {
        using var scope = NewDisposeScope();
        using var generatorA = new Generator(31);
        using var generatorB = new Generator(31);
        using var a = new BertModel(BertTestData.Config(layers: 1), generatorA);
        using var b = new BertModel(BertTestData.Config(layers: 1), generatorB);
        using var growA = new Generator(99);
        using var growB = new Generator(99);

        a.Encoder.AppendLayers(2, LayerInitialization.Random, growA);
        b.Encoder.AppendLayers(2, LayerInitialization.Random, growB);

        a.Config.NumHiddenLayers.Should().Be(3);
        BertTestData.SameTensors(a, b).Should().BeTrue("the same generators give the same layers");
        BertTestData.SameTensors(a.Encoder.Layers[1], a.Encoder.Layers[0]).Should().BeFalse();
        BertTestData.SameTensors(a.Encoder.Layers[1], a.Encoder.Layers[2]).Should().BeFalse();
    }

    [Fact]
    public void AppendLayers_InvalidCount_Throws()
    {
        using var scope = NewDisposeScope();
        using var model = new BertModel(BertTestData.Config(layers: 2));

        var tooMany = () => model.Encoder.AppendLayers(3, LayerInitialization.CopyTopLayers);
        var none = () => model.Encoder.AppendLayers(0, LayerInitialization.Random);

        tooMany.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at most the 2 existing layers*");
        none.Should().Throw<ArgumentOutOfRangeException>();
        model.Encoder.Count.Should().Be(2);
    }

    [Fact]
    public void CopyFrom_ThenAppend_BuildsADeeperModelFromAShallowerOne()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(41);
        using var shallow = new BertForMaskedLM(BertTestData.Config(layers: 2), generator);
        using var deeper = new BertForMaskedLM(BertTestData.Config(layers: 2));

        deeper.CopyFrom(shallow);
        BertTestData.SameTensors(deeper, shallow).Should().BeTrue();
        deeper.Bert.Encoder.AppendLayers(2, LayerInitialization.CopyTopLayers);

        deeper.Config.NumHiddenLayers.Should().Be(4);
        BertTestData.SameTensors(deeper.Bert.Embeddings, shallow.Bert.Embeddings).Should().BeTrue();
        BertTestData.SameTensors(deeper.Bert.Encoder.Layers[3], shallow.Bert.Encoder.Layers[1]).Should().BeTrue();
        BertTestData.SameTensors(deeper.Cls, shallow.Cls).Should().BeTrue();
        ReferenceEquals(deeper.Cls.Predictions.Decoder.Weight, deeper.Bert.Embeddings.WordEmbeddings.Weight).Should().BeTrue();
    }

    [Fact]
    public void BertModelCopyFrom_MaskedLmEncoderIntoClassifier_KeepsTheClassifierPooler()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(42);
        using var pretrained = new BertForMaskedLM(BertTestData.Config(), generator);
        using var classifier = new BertForSequenceClassification(BertTestData.Config(), numLabels: 2);
        var pooler = ModelTensorIO.GetNamedTensors(classifier.Bert.Pooler!).Select(t => t.Tensor.clone()).ToList();

        classifier.Bert.CopyFrom(pretrained.Bert);

        BertTestData.SameTensors(classifier.Bert.Encoder, pretrained.Bert.Encoder).Should().BeTrue();
        BertTestData.SameTensors(classifier.Bert.Embeddings, pretrained.Bert.Embeddings).Should().BeTrue();
        ModelTensorIO.GetNamedTensors(classifier.Bert.Pooler!).Select(t => t.Tensor).Zip(pooler).Should().OnlyContain(p => BertTestData.BitEqual(p.First, p.Second));
        var act = () => classifier.Bert.CopyFrom(new BertModel(BertTestData.Config(layers: 3)));
        act.Should().Throw<ArgumentException>().WithMessage("*3 encoder layers*2*");
    }
}
