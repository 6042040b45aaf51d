using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Transforms;
using MLNetExtensions.Transforms.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Bert;

/// <summary>Parameter names and shapes follow the Hugging Face BERT state dicts.</summary>
public sealed class BertLayoutTests
{
    /// <summary>
    /// The state dict of Hugging Face <c>BertForMaskedLM</c> (transformers 4.x; its <c>bert</c> has no pooler)
    /// for vocab 50, hidden 16, 2 heads, intermediate 32, 20 positions, 2 layers, in PyTorch's order.
    /// </summary>
    private static readonly (string Name, long[] Shape)[] HuggingFaceBertForMaskedLM =
    {
        ("bert.embeddings.word_embeddings.weight", new long[] { 50, 16 }),
        ("bert.embeddings.position_embeddings.weight", new long[] { 20, 16 }),
        ("bert.embeddings.token_type_embeddings.weight", new long[] { 2, 16 }),
        ("bert.embeddings.LayerNorm.weight", new long[] { 16 }),
        ("bert.embeddings.LayerNorm.bias", new long[] { 16 }),
        ("bert.encoder.layer.0.attention.self.query.weight", new long[] { 16, 16 }),
        ("bert.encoder.layer.0.attention.self.query.bias", new long[] { 16 }),
        ("bert.encoder.layer.0.attention.self.key.weight", new long[] { 16, 16 }),
        ("bert.encoder.layer.0.attention.self.key.bias", new long[] { 16 }),
        ("bert.encoder.layer.0.attention.self.value.weight", new long[] { 16, 16 }),
        ("bert.encoder.layer.0.attention.self.value.bias", new long[] { 16 }),
        ("bert.encoder.layer.0.attention.output.dense.weight", new long[] { 16, 16 }),
        ("bert.encoder.layer.0.attention.output.dense.bias", new long[] { 16 }),
        ("bert.encoder.layer.0.attention.output.LayerNorm.weight", new long[] { 16 }),
        ("bert.encoder.layer.0.attention.output.LayerNorm.bias", new long[] { 16 }),
        ("bert.encoder.layer.0.intermediate.dense.weight", new long[] { 32, 16 }),
        ("bert.encoder.layer.0.intermediate.dense.bias", new long[] { 32 }),
        ("bert.encoder.layer.0.output.dense.weight", new long[] { 16, 32 }),
        ("bert.encoder.layer.0.output.dense.bias", new long[] { 16 }),
        ("bert.encoder.layer.0.output.LayerNorm.weight", new long[] { 16 }),
        ("bert.encoder.layer.0.output.LayerNorm.bias", new long[] { 16 }),
        ("bert.encoder.layer.1.attention.self.query.weight", new long[] { 16, 16 }),
        ("bert.encoder.layer.1.attention.self.query.bias", new long[] { 16 }),
        ("bert.encoder.layer.1.attention.self.key.weight", new long[] { 16, 16 }),
        ("bert.encoder.layer.1.attention.self.key.bias", new long[] { 16 }),
        ("bert.encoder.layer.1.attention.self.value.weight", new long[] { 16, 16 }),
        ("bert.encoder.layer.1.attention.self.value.bias", new long[] { 16 }),
        ("bert.encoder.layer.1.attention.output.dense.weight", new long[] { 16, 16 }),
        ("bert.encoder.layer.1.attention.output.dense.bias", new long[] { 16 }),
        ("bert.encoder.layer.1.attention.output.LayerNorm.weight", new long[] { 16 }),
        ("bert.encoder.layer.1.attention.output.LayerNorm.bias", new long[] { 16 }),
        ("bert.encoder.layer.1.intermediate.dense.weight", new long[] { 32, 16 }),
        ("bert.encoder.layer.1.intermediate.dense.bias", new long[] { 32 }),
        ("bert.encoder.layer.1.output.dense.weight", new long[] { 16, 32 }),
        ("bert.encoder.layer.1.output.dense.bias", new long[] { 16 }),
        ("bert.encoder.layer.1.output.LayerNorm.weight", new long[] { 16 }),
        ("bert.encoder.layer.1.output.LayerNorm.bias", new long[] { 16 }),
        ("cls.predictions.bias", new long[] { 50 }),
        ("cls.predictions.transform.dense.weight", new long[] { 16, 16 }),
        ("cls.predictions.transform.dense.bias", new long[] { 16 }),
        ("cls.predictions.transform.LayerNorm.weight", new long[] { 16 }),
        ("cls.predictions.transform.LayerNorm.bias", new long[] { 16 }),
        ("cls.predictions.decoder.weight", new long[] { 50, 16 }),
        ("cls.predictions.decoder.bias", new long[] { 50 }),
    };

    private static readonly (string Name, long[] Shape)[] Pooler =
    {
        ("bert.pooler.dense.weight", new long[] { 16, 16 }),
        ("bert.pooler.dense.bias", new long[] { 16 }),
    };

    private static IEnumerable<string> Describe(IEnumerable<(string Name, long[] Shape)> entries)
        => entries.Select(e => $"{e.Name} [{string.Join(", ", e.Shape)}]");

    private static IEnumerable<string> Describe(IEnumerable<(string Name, Tensor Tensor)> entries)
        => entries.Select(e => $"{e.Name} [{string.Join(", ", e.Tensor.shape)}]");

    [Fact]
    public void MaskedLM_NamedTensors_AreTheHuggingFaceLayoutInOrder()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForMaskedLM(BertTestData.Config());

        Describe(ModelTensorIO.GetNamedTensors(model)).Should().Equal(Describe(HuggingFaceBertForMaskedLM));
    }

    [Fact]
    public void MaskedLM_TorchSharpStateDict_HasTheHuggingFaceNamesAndShapes()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForMaskedLM(BertTestData.Config());

        var stateDict = model.state_dict().Select(kv => (kv.Key, kv.Value));

        Describe(stateDict).Should().BeEquivalentTo(Describe(HuggingFaceBertForMaskedLM));
    }

    [Fact]
    public void MaskedLM_WithPooler_AddsThePoolerAfterTheEncoder()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForMaskedLM(BertTestData.Config(), addPoolingLayer: true);

        var expected = HuggingFaceBertForMaskedLM.Take(37).Concat(Pooler).Concat(HuggingFaceBertForMaskedLM.Skip(37));
        Describe(ModelTensorIO.GetNamedTensors(model)).Should().Equal(Describe(expected));
    }

    [Fact]
    public void SequenceClassification_HasTheHuggingFaceLayout()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForSequenceClassification(BertTestData.Config(), numLabels: 3);

        var expected = HuggingFaceBertForMaskedLM.Take(37)
            .Concat(Pooler)
            .Append(("classifier.weight", new long[] { 3, 16 }))
            .Append(("classifier.bias", new long[] { 3 }));
        Describe(ModelTensorIO.GetNamedTensors(model)).Should().Equal(Describe(expected));
    }

    [Fact]
    public void MaskedLM_ParametersAreListedOnce_TiedTensorsIncluded()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForMaskedLM(BertTestData.Config());

        var parameters = model.named_parameters().ToList();

        parameters.Should().HaveCount(HuggingFaceBertForMaskedLM.Length - 2, "the decoder weight and bias are the word embeddings and cls.predictions.bias");
        parameters.Select(p => p.name).Should().NotContain(new[] { "cls.predictions.decoder.weight", "cls.predictions.decoder.bias" });
    }

    [Fact]
    public void ParameterGroups_CoverEveryParameterOnce_ByPart()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForMaskedLM(BertTestData.Config(layers: 3), addPoolingLayer: true);

        var groups = model.GetParameterGroups();

        groups.Select(g => g.Name).Should().Equal("embeddings", "layer.0", "layer.1", "layer.2", "pooler", "mlm_head");
        groups.Select(g => g.Kind).Should().Equal(
            BertParameterGroupKind.Embeddings, BertParameterGroupKind.EncoderLayer, BertParameterGroupKind.EncoderLayer,
            BertParameterGroupKind.EncoderLayer, BertParameterGroupKind.Pooler, BertParameterGroupKind.MlmHead);
        groups.Select(g => g.LayerIndex).Should().Equal(null, 0, 1, 2, null, null);
        groups[2].Parameters.Should().HaveCount(16).And.OnlyContain(p => p.Name.StartsWith("bert.encoder.layer.1.", StringComparison.Ordinal));
        groups[5].Parameters.Select(p => p.Name).Should().Equal(
            "cls.predictions.bias",
            "cls.predictions.transform.dense.weight",
            "cls.predictions.transform.dense.bias",
            "cls.predictions.transform.LayerNorm.weight",
            "cls.predictions.transform.LayerNorm.bias");

        var all = groups.SelectMany(g => g.Parameters.Select(p => p.Parameter)).ToList();
        var modelParameters = model.parameters().ToList();
        all.Should().HaveCount(modelParameters.Count);
        all.Zip(modelParameters).Should().OnlyContain(pair => ReferenceEquals(pair.First, pair.Second));
    }

    [Fact]
    public void ParameterGroups_SetRequiresGrad_FreezesOnlyThatGroup()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForSequenceClassification(BertTestData.Config(), numLabels: 2);
        var groups = model.GetParameterGroups();

        groups.Single(g => g.Name == "layer.0").SetRequiresGrad(false);

        groups.Select(g => g.Name).Should().Equal("embeddings", "layer.0", "layer.1", "pooler", "classifier");
        model.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name)
            .Should().HaveCount(16).And.OnlyContain(n => n.StartsWith("bert.encoder.layer.0.", StringComparison.Ordinal));
    }
}
