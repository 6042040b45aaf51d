using MLNetExtensions.Transforms.Bert;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// Floating-point operations of one masked-LM training step, the cost model multi-stage training relies on:
/// a forward pass over every layer, a backward pass (about twice a forward) over the layers that train —
/// plus a gradient-only pass through frozen layers when trainable embeddings sit below them — and the MLM
/// head, applied at masked positions only: its backward computes the input gradient always, and the weight gradient
/// of its transform only when the head trains and of its decoder (tied to the word embeddings) only when the
/// embeddings train. A multiply-add counts as two operations. Relaxed models (coarse-refined
/// training) are costed with their fast attention and factorised feed-forward.
/// </summary>
public static class BertStepCostModel
{
    /// <summary>Operations of one step.</summary>
    /// <param name="config">Hidden size, feed-forward size and vocabulary.</param>
    /// <param name="depth">Encoder layers run forward.</param>
    /// <param name="trainableLayers">Top layers that train.</param>
    /// <param name="trainEmbeddings">Whether gradients must flow down to the embeddings.</param>
    /// <param name="tokensPerBatch">Tokens in the batch (rows × padded length).</param>
    /// <param name="sequenceLength">Padded length (attention is quadratic in it).</param>
    /// <param name="maskedTokensPerBatch">Positions the MLM head is applied to.</param>
    /// <param name="trainHead">Whether the MLM head's transform trains.</param>
    public static double TrainingStepFlops(BertConfig config, int depth, int trainableLayers, bool trainEmbeddings, double tokensPerBatch, double sequenceLength, double maskedTokensPerBatch, bool trainHead = true)
    {
        double layerForward = tokensPerBatch * LayerForwardPerToken(config, sequenceLength);
        double hidden = config.HiddenSize;
        double transformForward = maskedTokensPerBatch * 2 * hidden * hidden;
        double decoderForward = maskedTokensPerBatch * 2 * hidden * config.VocabSize;
        int frozenBetween = trainEmbeddings ? depth - trainableLayers : 0;

        // Forward, input gradient, and the weight gradient of the parts that train (each about one forward).
        double head = ((trainHead ? 3 : 2) * transformForward) + ((trainEmbeddings ? 3 : 2) * decoderForward);
        return (depth * layerForward) + (2 * trainableLayers * layerForward) + (frozenBetween * layerForward) + head;
    }

    /// <summary>
    /// Forward operations of one encoder layer per token: four hidden × hidden projections, the feed-forward block
    /// (two factor products of rank r instead of two full matrices in a relaxed model), and attention's mixing
    /// (quadratic: 4 · length · hidden; linear attention: 4 · head size · hidden; low-rank projection: 4 · projected · hidden,
    /// plus projecting keys and values along the sequence).
    /// </summary>
    public static double LayerForwardPerToken(BertConfig config, double sequenceLength)
    {
        ArgumentNullException.ThrowIfNull(config);
        double hidden = config.HiddenSize;
        double intermediate = config.IntermediateSize;
        if (config.Relaxation is not { } relaxed)
        {
            return (8 * hidden * hidden) + (4 * hidden * intermediate) + (4 * sequenceLength * hidden);
        }

        double feedForward = 4 * relaxed.FeedForwardRank * (hidden + intermediate);
        double mixing = relaxed.Attention == FastAttentionKind.Linear
            ? 4 * config.AttentionHeadSize * hidden
            : 8 * Math.Min(relaxed.ProjectedLength, sequenceLength) * hidden;
        return (8 * hidden * hidden) + feedForward + mixing;
    }
}
