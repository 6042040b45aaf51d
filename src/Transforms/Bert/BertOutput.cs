using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// The second half of the feed-forward block (<c>output</c>): <c>dense</c> (weight [hidden, intermediate],
/// bias [hidden]), dropout, residual connection and <c>LayerNorm</c>. Post-norm:
/// <c>LayerNorm(residual + Dropout(dense(x)))</c>; pre-norm: <c>residual + Dropout(dense(x))</c>, its
/// <c>LayerNorm</c> being applied by <see cref="BertLayer"/> to the feed-forward block's input instead.
/// </summary>
public sealed class BertOutput : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "dense")]
    private readonly Linear dense;

    [ComponentName(Name = "LayerNorm")]
    private readonly LayerNorm layerNorm;

    [ComponentName(Name = "dropout")]
    private readonly Dropout dropout;

    private readonly LayerNormPlacement placement;

    /// <summary>Creates the projection, initialised as in Hugging Face.</summary>
    /// <param name="config">The model configuration (validated here).</param>
    /// <param name="generator">Generator of the initial values; null uses the global one.</param>
    public BertOutput(BertConfig config, Generator? generator = null)
        : this(config, generator, initialize: true)
    {
    }

    internal BertOutput(BertConfig config, Generator? generator, bool initialize)
        : base(nameof(BertOutput))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        dense = BertInitializer.NewLinear(config.IntermediateSize, config.HiddenSize, config, generator, initialize);
        layerNorm = BertInitializer.NewLayerNorm(config);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        placement = config.LayerNormPlacement;
        RegisterComponents();
    }

    /// <summary>The feed-forward block's layer norm (<c>LayerNorm</c>).</summary>
    public LayerNorm LayerNorm => layerNorm;

    /// <summary>Projects down and adds to the residual stream.</summary>
    /// <param name="intermediate">Activations [batch, sequence, intermediate].</param>
    /// <param name="residual">The feed-forward block's input [batch, sequence, hidden].</param>
    /// <returns>The layer's output [batch, sequence, hidden].</returns>
    public override Tensor forward(Tensor intermediate, Tensor residual)
    {
        var update = dropout.forward(dense.forward(intermediate));
        return placement == LayerNormPlacement.PostLayerNorm
            ? layerNorm.forward(update + residual)
            : residual + update;
    }
}
