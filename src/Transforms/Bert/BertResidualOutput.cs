using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// A residual block's output, used twice per layer with Hugging Face's names: the attention block's
/// <c>attention.output</c> (input: the attention context, [hidden]) and the feed-forward block's <c>output</c>
/// (input: the intermediate activations, [intermediate]). <c>dense</c> projects to the hidden size, then dropout,
/// the residual connection and <c>LayerNorm</c>. Post-norm: <c>LayerNorm(residual + Dropout(dense(x)))</c>;
/// pre-norm: <c>residual + Dropout(dense(x))</c>, the block's <c>LayerNorm</c> being applied to its input by
/// <see cref="BertAttention"/> or <see cref="BertLayer"/> instead. The feed-forward block's <c>dense</c> is a
/// <see cref="LowRankLinear"/> in a relaxed model.
/// </summary>
public sealed class BertResidualOutput : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "dense")]
    private readonly nn.Module<Tensor, Tensor> dense;

    [ComponentName(Name = "LayerNorm")]
    private readonly LayerNorm layerNorm;

    [ComponentName(Name = "dropout")]
    private readonly Dropout dropout;

    private readonly LayerNormPlacement placement;

    /// <summary>Creates the block output for inputs of <paramref name="inputSize"/> features, initialised as in Hugging Face.</summary>
    /// <param name="config">The model configuration (validated here).</param>
    /// <param name="inputSize">The hidden size (attention output) or the intermediate size (feed-forward output).</param>
    /// <param name="generator">Generator of the initial values; null uses the global one.</param>
    public BertResidualOutput(BertConfig config, int inputSize, Generator? generator = null)
        : this(config, inputSize, generator, initialize: true)
    {
    }

    internal BertResidualOutput(BertConfig config, int inputSize, Generator? generator, bool initialize, int? rank = null)
        : base(nameof(BertResidualOutput))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        dense = BertInitializer.NewDense(inputSize, config.HiddenSize, rank, config, generator, initialize);
        layerNorm = BertInitializer.NewLayerNorm(config);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        placement = config.LayerNormPlacement;
        RegisterComponents();
    }

    /// <summary>The block's layer norm (<c>LayerNorm</c>).</summary>
    public LayerNorm LayerNorm => layerNorm;

    /// <summary>Projects the block's activations and adds them to the residual stream.</summary>
    /// <param name="activations">Attention context or intermediate activations [batch, sequence, input size].</param>
    /// <param name="residual">The block's input [batch, sequence, hidden].</param>
    /// <returns>The block's output [batch, sequence, hidden].</returns>
    public override Tensor forward(Tensor activations, Tensor residual)
    {
        var update = dropout.forward(dense.forward(activations));
        return placement == LayerNormPlacement.PostLayerNorm
            ? layerNorm.forward(update + residual)
            : residual + update;
    }
}
