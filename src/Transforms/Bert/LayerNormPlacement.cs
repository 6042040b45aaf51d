namespace MLNetExtensions.Transforms.Bert;

/// <summary>Where each encoder layer applies its two layer normalisations.</summary>
public enum LayerNormPlacement
{
    /// <summary>
    /// Original BERT: each sub-block computes <c>LayerNorm(x + Dropout(Sublayer(x)))</c>.
    /// Numerically the same model as Hugging Face <c>BertModel</c>.
    /// </summary>
    PostLayerNorm = 0,

    /// <summary>
    /// Pre-norm variant: each sub-block computes <c>x + Dropout(Sublayer(LayerNorm(x)))</c>.
    /// The parameter names and shapes stay exactly those of BERT (the attention block uses
    /// <c>attention.output.LayerNorm</c> before self-attention, the feed-forward block uses
    /// <c>output.LayerNorm</c> before the intermediate projection); no extra final layer norm is
    /// added, so the state dict layout is identical to <see cref="PostLayerNorm"/>. A file written
    /// from a pre-norm model loads into Hugging Face BERT but computes something different there.
    /// </summary>
    PreLayerNorm = 1,
}
