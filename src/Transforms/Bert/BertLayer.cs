using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// One encoder layer (<c>encoder.layer.{i}</c>): <c>attention</c>, <c>intermediate</c>, <c>output</c>.
/// Post-norm (BERT): <c>a = LN(x + Attn(x))</c>, <c>y = LN(a + FFN(a))</c>. Pre-norm:
/// <c>a = x + Attn(LN(x))</c>, <c>y = a + FFN(LN(a))</c>, with the same parameters.
/// </summary>
public sealed class BertLayer : nn.Module<Tensor, Tensor?, Tensor>
{
    [ComponentName(Name = "attention")]
    private readonly BertAttention attention;

    [ComponentName(Name = "intermediate")]
    private readonly BertIntermediate intermediate;

    [ComponentName(Name = "output")]
    private readonly BertResidualOutput output;

    private readonly LayerNormPlacement placement;

    /// <summary>Creates a layer, initialised as in Hugging Face.</summary>
    /// <param name="config">The model configuration (validated here).</param>
    /// <param name="generator">Generator of the initial values; null uses the global one.</param>
    public BertLayer(BertConfig config, Generator? generator = null)
        : this(config, generator, initialize: true)
    {
    }

    internal BertLayer(BertConfig config, Generator? generator, bool initialize)
        : base(nameof(BertLayer))
    {
        ArgumentNullException.ThrowIfNull(config);
        attention = new BertAttention(config, generator, initialize);
        intermediate = new BertIntermediate(config, generator, initialize);
        output = new BertResidualOutput(config, config.IntermediateSize, generator, initialize, config.Relaxation?.FeedForwardRank);
        placement = config.LayerNormPlacement;
        RegisterComponents();
    }

    /// <summary>The attention block (<c>attention</c>).</summary>
    public BertAttention Attention => attention;

    /// <summary>The feed-forward up-projection (<c>intermediate</c>).</summary>
    public BertIntermediate Intermediate => intermediate;

    /// <summary>The feed-forward down-projection, residual and layer norm (<c>output</c>).</summary>
    public BertResidualOutput Output => output;

    /// <summary>Runs the layer.</summary>
    /// <param name="hidden">Hidden states [batch, sequence, hidden].</param>
    /// <param name="attentionMask">A Bool mask from <see cref="BertSelfAttention.ToAttentionMask"/>, or null.</param>
    /// <returns>Hidden states [batch, sequence, hidden].</returns>
    public override Tensor forward(Tensor hidden, Tensor? attentionMask)
    {
        var attended = attention.forward(hidden, attentionMask);
        var feedForwardInput = placement == LayerNormPlacement.PreLayerNorm ? output.LayerNorm.forward(attended) : attended;
        return output.forward(intermediate.forward(feedForwardInput), attended);
    }
}
