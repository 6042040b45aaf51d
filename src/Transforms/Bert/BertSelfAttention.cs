using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// Multi-head self-attention (<c>attention.self</c>) on batch-first hidden states, computed with
/// <c>torch.nn.functional.scaled_dot_product_attention</c>. Parameters: <c>query</c>, <c>key</c>,
/// <c>value</c>, each a linear layer with <c>weight</c> [hidden, hidden] and <c>bias</c> [hidden].
/// Dropout on the attention probabilities is applied only in training mode. In a relaxed model
/// (<see cref="BertConfig.Relaxation"/>) the same projections feed a fast attention (<see cref="FastAttentionKind"/>).
/// </summary>
public sealed class BertSelfAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    [ComponentName(Name = "query")]
    private readonly Linear query;

    [ComponentName(Name = "key")]
    private readonly Linear key;

    [ComponentName(Name = "value")]
    private readonly Linear value;

    // Linformer projections [projected, max_position_embeddings], present only for FastAttentionKind.LowRankProjection.
    [ComponentName(Name = "key_projection")]
    private readonly Parameter? keyProjection;

    [ComponentName(Name = "value_projection")]
    private readonly Parameter? valueProjection;

    private readonly int heads;
    private readonly int headSize;
    private readonly double attentionDropout;
    private readonly FastAttentionKind? fastAttention;

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
        fastAttention = config.Relaxation?.Attention;
        if (fastAttention == FastAttentionKind.LowRankProjection)
        {
            int projected = config.Relaxation!.ProjectedLength;
            keyProjection = BertInitializer.NewParameter(projected, config.MaxPositionEmbeddings);
            valueProjection = BertInitializer.NewParameter(projected, config.MaxPositionEmbeddings);
            if (initialize)
            {
                BertInitializer.Normal(keyProjection, 1.0 / Math.Sqrt(projected), generator);
                BertInitializer.Normal(valueProjection, 1.0 / Math.Sqrt(projected), generator);
            }
        }

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
        var context = fastAttention switch
        {
            null => nn.functional.scaled_dot_product_attention(q, k, v, attentionMask, dropout),
            FastAttentionKind.Linear => LinearAttention(q, k, v, KeepMask(attentionMask, batch, length)),
            _ => ProjectedAttention(q, k, v, KeepMask(attentionMask, batch, length), dropout),
        };
        return context.transpose(1, 2).reshape(batch, length, heads * (long)headSize);
    }

    /// <summary>True (or 1) for real keys, false (0) for padding, as [batch, 1, sequence, 1] in the mask's own dtype; null without a mask.</summary>
    private static Tensor? KeepMask(Tensor? attentionMask, long batch, long length) =>
        attentionMask?.reshape(batch, 1, length, 1);

    /// <summary>φ(Q)(φ(K)ᵀV) / (φ(Q)·Σφ(K)), φ = elu + 1; cost linear in the sequence length. Padded keys get φ = 0.</summary>
    private static Tensor LinearAttention(Tensor q, Tensor k, Tensor v, Tensor? keep)
    {
        var phiQ = nn.functional.elu(q, 1.0) + 1;
        var phiK = nn.functional.elu(k, 1.0) + 1;
        if (keep is not null)
        {
            phiK = phiK * keep.to_type(phiK.dtype);
        }

        var keyValues = phiK.transpose(2, 3).matmul(v);                  // [batch, heads, head, head]
        var normaliser = phiQ.matmul(phiK.sum(2).unsqueeze(-1));          // [batch, heads, sequence, 1]
        return phiQ.matmul(keyValues) / (normaliser + 1e-6);
    }

    /// <summary>Softmax attention over keys and values projected along the sequence (Linformer); padded positions are zeroed first.</summary>
    private Tensor ProjectedAttention(Tensor q, Tensor k, Tensor v, Tensor? keep, double dropout)
    {
        long length = k.shape[2];
        if (length > keyProjection!.shape[1])
        {
            throw new ArgumentException($"The sequence has {length} positions but the low-rank projection covers max_position_embeddings = {keyProjection.shape[1]}.");
        }

        if (keep is not null)
        {
            var mask = keep.to_type(k.dtype);
            k = k * mask;
            v = v * mask;
        }

        var projectedKeys = keyProjection.narrow(1, 0, length).matmul(k);      // [batch, heads, projected, head]
        var projectedValues = valueProjection!.narrow(1, 0, length).matmul(v);
        return nn.functional.scaled_dot_product_attention(q, projectedKeys, projectedValues, null, dropout);
    }

    private Tensor SplitHeads(Tensor projected, long batch, long length)
        => projected.view(batch, length, heads, headSize).transpose(1, 2);
}
