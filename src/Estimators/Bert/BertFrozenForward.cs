using System.Globalization;
using MLNetExtensions.Transforms.Bert;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.Bert;

/// <summary>
/// The forward pass of staged (layer-wise) training: the lower part of the model runs forward-only, so backward
/// costs only the layers that train. Training-side only; inference runs the plain <c>Forward</c>.
/// </summary>
public static class BertFrozenForward
{
    /// <summary>
    /// Runs <paramref name="model"/> with layers below <paramref name="frozenBelowLayer"/> (and the embeddings) inside
    /// <c>torch.no_grad()</c>; their output is detached before the remaining layers run with gradient recording. Since no
    /// gradient can then reach the embeddings through the encoder, they also run forward-only whenever
    /// <paramref name="frozenBelowLayer"/> is above 0. With 0 and <paramref name="freezeEmbeddings"/> false it is the plain
    /// forward pass. Dropout in the frozen part still follows the module's train/eval mode.
    /// </summary>
    /// <param name="model">The encoder.</param>
    /// <param name="inputIds">Token ids, int64 [batch, sequence].</param>
    /// <param name="attentionMask">Padding mask [batch, sequence] (1/true = real token), or null for no padding.</param>
    /// <param name="tokenTypeIds">Token type ids, int64 [batch, sequence], or null for all zeros.</param>
    /// <param name="frozenBelowLayer">The first layer that records gradients (0 … the layer count).</param>
    /// <param name="freezeEmbeddings">
    /// Also run the embeddings forward-only when <paramref name="frozenBelowLayer"/> is 0. The MLM decoder shares the word
    /// embeddings, so they can still receive gradient through the head.
    /// </param>
    /// <returns>The top layer's hidden states and the pooled output (null without a pooler).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frozenBelowLayer"/> is outside [0, layer count].</exception>
    public static BertModelOutput ForwardFrozenBelow(this BertModel model, Tensor inputIds, Tensor? attentionMask, Tensor? tokenTypeIds, int frozenBelowLayer, bool freezeEmbeddings = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = model.Encoder.Count;
        if (frozenBelowLayer < 0 || frozenBelowLayer > layers)
        {
            throw new ArgumentOutOfRangeException(nameof(frozenBelowLayer), frozenBelowLayer,
                string.Create(CultureInfo.InvariantCulture, $"frozenBelowLayer must be in [0, {layers}] (the encoder has {layers} layers)."));
        }

        Tensor hidden;
        if (frozenBelowLayer > 0 || freezeEmbeddings)
        {
            Tensor frozenOutput;
            using (no_grad())
            {
                frozenOutput = model.Embeddings.forward(inputIds, tokenTypeIds);
                frozenOutput = model.Encoder.ForwardLayers(frozenOutput, attentionMask, 0, frozenBelowLayer);
            }

            hidden = frozenOutput.detach();
        }
        else
        {
            hidden = model.Embeddings.forward(inputIds, tokenTypeIds);
        }

        hidden = model.Encoder.ForwardLayers(hidden, attentionMask, frozenBelowLayer, layers);
        return new BertModelOutput(hidden, model.Pooler?.forward(hidden));
    }

    /// <summary>Vocabulary logits [batch, sequence, vocab] with the lower part forward-only (see the <see cref="BertModel"/> overload).</summary>
    /// <param name="model">The masked-LM model.</param>
    /// <param name="inputIds">Token ids, int64 [batch, sequence].</param>
    /// <param name="attentionMask">Padding mask [batch, sequence], or null.</param>
    /// <param name="tokenTypeIds">Token type ids [batch, sequence], or null for all zeros.</param>
    /// <param name="frozenBelowLayer">The first layer that records gradients.</param>
    /// <param name="freezeEmbeddings">Run the embeddings forward-only even when <paramref name="frozenBelowLayer"/> is 0.</param>
    /// <returns>Logits [batch, sequence, vocab].</returns>
    public static Tensor ForwardFrozenBelow(this BertForMaskedLM model, Tensor inputIds, Tensor? attentionMask, Tensor? tokenTypeIds, int frozenBelowLayer, bool freezeEmbeddings = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Cls.forward(model.Bert.ForwardFrozenBelow(inputIds, attentionMask, tokenTypeIds, frozenBelowLayer, freezeEmbeddings).LastHiddenState);
    }
}
