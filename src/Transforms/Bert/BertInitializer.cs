using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// Creation and Hugging Face-style initialisation of BERT parameters. Every parameter is created
/// in float32 on the CPU and detached from any dispose scope (a parameter made from a temporary
/// inside a <c>torch.NewDisposeScope()</c> would otherwise be disposed with the scope). Random
/// draws come from the given generator, or from the global one when it is null.
/// </summary>
internal static class BertInitializer
{
    /// <summary>A new float32 CPU parameter of the given shape, uninitialised, owned by no dispose scope.</summary>
    public static Parameter NewParameter(params long[] shape)
    {
        var data = empty(shape, dtype: float32, device: CPU);
        data.DetachFromDisposeScope();
        var parameter = new Parameter(data, requires_grad: true);
        parameter.DetachFromDisposeScope();
        return parameter;
    }

    /// <summary>A linear layer: weight normal(0, std) of shape [outputs, inputs], bias zeros.</summary>
    public static Linear NewLinear(long inputs, long outputs, BertConfig config, Generator? generator, bool initialize)
    {
        var weight = NewParameter(outputs, inputs);
        var bias = NewParameter(outputs);
        if (initialize)
        {
            Normal(weight, config.InitializerRange, generator);
            Zeros(bias);
        }

        return nn.Linear(weight, bias);
    }

    /// <summary>A linear layer, or a <see cref="LowRankLinear"/> when <paramref name="rank"/> is set (relaxed feed-forward).</summary>
    public static nn.Module<Tensor, Tensor> NewDense(long inputs, long outputs, int? rank, BertConfig config, Generator? generator, bool initialize) =>
        rank is { } r ? new LowRankLinear(inputs, outputs, r, config, generator, initialize) : NewLinear(inputs, outputs, config, generator, initialize);

    /// <summary>A layer norm over the hidden size: weight ones, bias zeros, BERT's epsilon.</summary>
    public static LayerNorm NewLayerNorm(BertConfig config)
    {
        var norm = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps, device: CPU, dtype: float32);
        using (no_grad())
        {
            norm.weight!.fill_(1.0);
            norm.bias!.fill_(0.0);
        }

        return norm;
    }

    /// <summary>Fills a tensor in place from normal(0, std).</summary>
    public static void Normal(Tensor tensor, double std, Generator? generator)
    {
        using (no_grad())
        {
            tensor.normal_(0.0, std, generator);
        }
    }

    /// <summary>Fills a tensor in place with zeros.</summary>
    public static void Zeros(Tensor tensor)
    {
        using (no_grad())
        {
            tensor.zero_();
        }
    }
}
