using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Plans;
using MLNetExtensions.Transforms;
using MLNetExtensions.Transforms.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Bert;

/// <summary>Modules own their parameters: dispose scopes around construction or growth do not free them.</summary>
public sealed class BertDisposalTests
{
    [Fact]
    public void ModelBuiltAndGrownInsideDisposeScopes_OutlivesThem()
    {
        BertForMaskedLM model;
        using (NewDisposeScope())
        {
            using var generator = new Generator(8);
            model = new BertForMaskedLM(BertTestData.Config(), generator, addPoolingLayer: true);
        }

        using (NewDisposeScope())
        {
            using var generator = new Generator(9);
            model.Bert.Encoder.AppendLayers(1, LayerInitialization.Random, generator);
            model.Bert.Encoder.AppendLayers(1, LayerInitialization.CopyTopLayers);
        }

        using (model)
        using (NewDisposeScope())
        {
            ModelTensorIO.GetNamedTensors(model).Should().OnlyContain(t => !t.Tensor.IsInvalid);
            ModelTensorIO.GetNamedTensors(model).Should().HaveCount(5 + 4 * 16 + 2 + 7);
            model.forward(BertTestData.InputIds(), BertTestData.AttentionMask(), null).isfinite().all().item<bool>().Should().BeTrue();
        }

        model.Bert.Embeddings.WordEmbeddings.Weight.IsInvalid.Should().BeTrue("disposing the model frees its parameters");
    }
}
