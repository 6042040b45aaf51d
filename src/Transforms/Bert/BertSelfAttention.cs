using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// Multi-head self-attention (<c>attention.self</c>) on batch-first hidden states, computed with
/// <c>torch.nn.functional.scaled_dot_product_attention</c>. Parameters: <c>query</c>, <c>key</c>,
/// <c>value</c>, each a linear layer with <c>weight</c> [hidden, hidden] and <c>bias</c> [hidden].
/// Dropout on the attention probabilities is applied only in training mode.
/// </summary>
public sealed class BertSelfAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    [ComponentName(Name = "query")]
    private readonly Linear query;

    [ComponentName(Name = "key")]
    private readonly Linear key;

    [ComponentName(Name = "value")]
    private readonly Linear value;

    private readonly int heads;
    private readonly int headSize;
    private readonly double attentionDropout;

    /// <summary>Creates the projections, initialised as in Hugging Face.</summary>
    /// <param name="config">The model configuration (validated here).</param>
    /// <param name="generator">Generator of the initial values; null uses the global one.</param>
    public BertSelfAttention(BertConfig config, Generator? generator = null)
        : this(config, generator, initialize: true)
    {
    }

    internal BertSelfAttention(BertConfig config, Generator? generator, bool initialize)
        : base(nameof(BertSelfAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        query = BertInitializer.NewLinear(config.HiddenSize, config.HiddenSize, config, generator, initialize);
        key = BertInitializer.NewLinear(config.HiddenSize, config.HiddenSize, config, generator, initialize);
        value = BertInitializer.NewLinear(config.HiddenSize, config.HiddenSize, config, generator, initialize);
        heads = config.NumAttentionHeads;
        headSize = config.AttentionHeadSize;
        attentionDropout = config.AttentionProbsDropoutProb;
        RegisterComponents();
    }

    /// <summary>
    /// Turns a [batch, sequence] padding mask (1 or true = real token, 0 or false = padding; any
    /// numeric or Bool dtype) into the Bool mask that <see cref="forward"/> takes: shape
    /// [batch, 1, 1, sequence], true = the key may be attended to; it broadcasts over heads and queries.
    /// </summary>
    /// <param name="paddingMask">The padding mask [batch, sequence].</param>
    /// <returns>The attention mask [batch, 1, 1, sequence], dtype Bool.</returns>
    /// <exception cref="ArgumentException">The mask is not 2-D.</exception>
    public static Tensor ToAttentionMask(Tensor paddingMask)
    {
        ArgumentNullException.ThrowIfNull(paddingMask);
        if (paddingMask.dim() != 2)
        {
            throw new ArgumentException(
                $"The attention (padding) mask must be a 2-D tensor [batch, sequence], but has shape [{string.Join(", ", paddingMask.shape)}].",
                nameof(paddingMask));
        }

        var allowed = paddingMask.dtype == ScalarType.Bool ? paddingMask : paddingMask.ne(0);
        return allowed.reshape(paddingMask.shape[0], 1, 1, paddingMask.shape[1]);
    }

    /// <summary>Attends within each sequence.</summary>
    /// <param name="hidden">Hidden states [batch, sequence, hidden].</param>
    /// <param name="attentionMask">A Bool mask from <see cref="ToAttentionMask"/> ([batch, 1, 1, sequence], true = may attend), or null to attend everywhere.</param>
    /// <returns>The attention context [batch, sequence, hidden] (before the output projection).</returns>
    public override Tensor forward(Tensor hidden, Tensor? attentionMask)
    {
        var batch = hidden.shape[0];
        var length = hidden.shape[1];
        var q = SplitHeads(query.forward(hidden), batch, length);
        var k = SplitHeads(key.forward(hidden), batch, length);
        var v = SplitHeads(value.forward(hidden), batch, length);
        var dropout = training ? attentionDropout : 0.0;
        var context = nn.functional.scaled_dot_product_attention(q, k, v, attentionMask, dropout);
        return context.transpose(1, 2).reshape(batch, length, heads * (long)headSize);
    }

    private Tensor SplitHeads(Tensor projected, long batch, long length)
        => projected.view(batch, length, heads, headSize).transpose(1, 2);
}
