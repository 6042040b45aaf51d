using MLNetExtensions.Transforms.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Bert;

/// <summary>Tiny configurations and inputs shared by the BERT tests.</summary>
internal static class BertTestData
{
    /// <summary>vocab 50, hidden 16, 2 heads, intermediate 32, 20 positions, 2 layers.</summary>
    public static BertConfig Config(int layers = 2, LayerNormPlacement placement = LayerNormPlacement.PostLayerNorm) => new()
    {
        VocabSize = 50,
        HiddenSize = 16,
        NumHiddenLayers = layers,
        NumAttentionHeads = 2,
        IntermediateSize = 32,
        MaxPositionEmbeddings = 20,
        LayerNormPlacement = placement,
    };

    /// <summary>Two sequences of 7 tokens; the second has 3 padding positions (4, 5, 6).</summary>
    public static Tensor InputIds() => tensor(new long[]
    {
        2, 11, 23, 35, 7, 19, 3,
        2, 41, 17, 3, 0, 0, 0,
    }).reshape(2, 7);

    /// <summary>The padding mask matching <see cref="InputIds"/>.</summary>
    public static Tensor AttentionMask() => tensor(new long[]
    {
        1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 0, 0, 0,
    }).reshape(2, 7);

    /// <summary>Token types: the second half of the first sequence is segment 1.</summary>
    public static Tensor TokenTypeIds() => tensor(new long[]
    {
        0, 0, 0, 0, 1, 1, 1,
        0, 0, 0, 0, 0, 0, 0,
    }).reshape(2, 7);

    /// <summary>True when both modules have the same names with bit-identical values.</summary>
    public static bool SameTensors(nn.Module a, nn.Module b)
    {
        var left = Transforms.ModelTensorIO.GetNamedTensors(a);
        var right = Transforms.ModelTensorIO.GetNamedTensors(b);
        if (!left.Select(t => t.Name).SequenceEqual(right.Select(t => t.Name)))
        {
            return false;
        }

        return left.Zip(right).All(pair => BitEqual(pair.First.Tensor, pair.Second.Tensor));
    }

    /// <summary>Same shape, dtype and bit-identical values.</summary>
    public static bool BitEqual(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.equal(b).all().item<bool>();
    }
}
