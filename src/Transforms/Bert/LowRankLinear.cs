using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// A linear layer whose weight is the product of two low-rank factors, W = <c>left</c> · <c>right</c>
/// (<c>left</c> [outputs, rank], <c>right</c> [rank, inputs], <c>bias</c> [outputs]): the feed-forward weights of
/// a relaxed BERT. It computes <c>left · (right · x) + bias</c>, (inputs + outputs) · rank multiply-adds per
/// position instead of inputs · outputs.
/// </summary>
public sealed class LowRankLinear : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "left")]
    private readonly Parameter left;

    [ComponentName(Name = "right")]
    private readonly Parameter right;

    [ComponentName(Name = "bias")]
    private readonly Parameter bias;

    internal LowRankLinear(long inputs, long outputs, int rank, BertConfig config, Generator? generator, bool initialize)
        : base(nameof(LowRankLinear))
    {
        left = BertInitializer.NewParameter(outputs, rank);
        right = BertInitializer.NewParameter(rank, inputs);
        bias = BertInitializer.NewParameter(outputs);
        if (initialize)
        {
            // Each factor's deviation is chosen so that the product's entries have BERT's initializer_range.
            double std = Math.Sqrt(config.InitializerRange / Math.Sqrt(rank));
            BertInitializer.Normal(left, std, generator);
            BertInitializer.Normal(right, std, generator);
            BertInitializer.Zeros(bias);
        }

        RegisterComponents();
    }

    /// <summary>The left factor [outputs, rank].</summary>
    public Parameter Left => left;

    /// <summary>The right factor [rank, inputs].</summary>
    public Parameter Right => right;

    /// <summary>The bias [outputs].</summary>
    public Parameter Bias => bias;

    /// <summary>The full weight [outputs, inputs] the factors multiply out to.</summary>
    public Tensor FullWeight() => left.matmul(right);

    /// <summary>Applies the layer.</summary>
    /// <param name="input">Activations [*, inputs].</param>
    /// <returns>Activations [*, outputs].</returns>
    public override Tensor forward(Tensor input) => nn.functional.linear(nn.functional.linear(input, right), left, bias);
}
