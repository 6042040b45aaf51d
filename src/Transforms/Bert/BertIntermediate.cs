using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// The first half of the feed-forward block (<c>intermediate</c>): <c>dense</c> (weight
/// [intermediate, hidden], bias [intermediate]) followed by the exact (erf) GELU. In a relaxed model <c>dense</c>
/// is a <see cref="LowRankLinear"/>.
/// </summary>
public sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "dense")]
    private readonly nn.Module<Tensor, Tensor> dense;

    /// <summary>Creates the projection, initialised as in Hugging Face.</summary>
    /// <param name="config">The model configuration (validated here).</param>
    /// <param name="generator">Generator of the initial values; null uses the global one.</param>
    public BertIntermediate(BertConfig config, Generator? generator = null)
        : this(config, generator, initialize: true)
    {
    }

    internal BertIntermediate(BertConfig config, Generator? generator, bool initialize)
        : base(nameof(BertIntermediate))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        dense = BertInitializer.NewDense(config.HiddenSize, config.IntermediateSize, config.Relaxation?.FeedForwardRank, config, generator, initialize);
        RegisterComponents();
    }

    /// <summary>Projects up and applies GELU.</summary>
    /// <param name="hidden">Hidden states [batch, sequence, hidden].</param>
    /// <returns>Activations [batch, sequence, intermediate].</returns>
    public override Tensor forward(Tensor hidden) => nn.functional.gelu(dense.forward(hidden));
}
