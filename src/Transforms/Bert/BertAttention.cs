using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// The attention block of an encoder layer (<c>attention</c>): <c>self</c> (<see cref="BertSelfAttention"/>)
/// followed by <c>output</c> (<see cref="BertResidualOutput"/>). With pre-norm placement the block
/// normalises its input with <c>output.LayerNorm</c> before self-attention.
/// </summary>
public sealed class BertAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    [ComponentName(Name = "self")]
    private readonly BertSelfAttention selfAttention;

    [ComponentName(Name = "output")]
    private readonly BertResidualOutput output;

    private readonly LayerNormPlacement placement;

    /// <summary>Creates the block, initialised as in Hugging Face.</summary>
    /// <param name="config">The model configuration (validated here).</param>
    /// <param name="generator">Generator of the initial values; null uses the global one.</param>
    public BertAttention(BertConfig config, Generator? generator = null)
        : this(config, generator, initialize: true)
    {
    }

    internal BertAttention(BertConfig config, Generator? generator, bool initialize)
        : base(nameof(BertAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        selfAttention = new BertSelfAttention(config, generator, initialize);
        output = new BertResidualOutput(config, config.HiddenSize, generator, initialize);
        placement = config.LayerNormPlacement;
        RegisterComponents();
    }

    /// <summary>The self-attention (<c>self</c>).</summary>
    public BertSelfAttention Self => selfAttention;

    /// <summary>The output projection, residual and layer norm (<c>output</c>).</summary>
    public BertResidualOutput Output => output;

    /// <summary>Runs the attention block.</summary>
    /// <param name="hidden">Hidden states [batch, sequence, hidden].</param>
    /// <param name="attentionMask">A Bool mask from <see cref="BertSelfAttention.ToAttentionMask"/>, or null.</param>
    /// <returns>Hidden states [batch, sequence, hidden].</returns>
    public override Tensor forward(Tensor hidden, Tensor? attentionMask)
    {
        var attentionInput = placement == LayerNormPlacement.PreLayerNorm ? output.LayerNorm.forward(hidden) : hidden;
        var context = selfAttention.forward(attentionInput, attentionMask);
        return output.forward(context, hidden);
    }
}
