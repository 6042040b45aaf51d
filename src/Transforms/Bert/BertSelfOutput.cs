using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// The attention block's output (<c>attention.output</c>): projection <c>dense</c> [hidden, hidden],
/// dropout, residual connection and <c>LayerNorm</c>. Post-norm: <c>LayerNorm(residual + Dropout(dense(context)))</c>;
/// pre-norm: <c>residual + Dropout(dense(context))</c>, its <c>LayerNorm</c> being applied by
/// <see cref="BertAttention"/> to the block's input instead.
/// </summary>
public sealed class BertSelfOutput : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "dense")]
    private readonly Linear dense;

    [ComponentName(Name = "LayerNorm")]
    private readonly LayerNorm layerNorm;

    [ComponentName(Name = "dropout")]
    private readonly Dropout dropout;

    private readonly LayerNormPlacement placement;

    /// <summary>Creates the block output, initialised as in Hugging Face.</summary>
    /// <param name="config">The model configuration (validated here).</param>
    /// <param name="generator">Generator of the initial values; null uses the global one.</param>
    public BertSelfOutput(BertConfig config, Generator? generator = null)
        : this(config, generator, initialize: true)
    {
    }

    internal BertSelfOutput(BertConfig config, Generator? generator, bool initialize)
        : base(nameof(BertSelfOutput))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        dense = BertInitializer.NewLinear(config.HiddenSize, config.HiddenSize, config, generator, initialize);
        layerNorm = BertInitializer.NewLayerNorm(config);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        placement = config.LayerNormPlacement;
        RegisterComponents();
    }

    /// <summary>The block's layer norm (<c>LayerNorm</c>).</summary>
    public LayerNorm LayerNorm => layerNorm;

    /// <summary>Projects the attention context and adds it to the residual stream.</summary>
    /// <param name="context">Attention context [batch, sequence, hidden].</param>
    /// <param name="residual">The block's input [batch, sequence, hidden].</param>
    /// <returns>The block's output [batch, sequence, hidden].</returns>
    public override Tensor forward(Tensor context, Tensor residual)
    {
        var update = dropout.forward(dense.forward(context));
        return placement == LayerNormPlacement.PostLayerNorm
            ? layerNorm.forward(update + residual)
            : residual + update;
    }
}
