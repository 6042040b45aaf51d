using System.Globalization;
using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// The BERT encoder (<c>bert</c> in the task models): <c>embeddings</c>, <c>encoder</c> and, unless
/// built without one, <c>pooler</c>; parameter names and shapes follow Hugging Face <c>BertModel</c>.
/// Models are built in float32 on the CPU; move them with <c>.to(...)</c>.
/// </summary>
/// <remarks>
/// Staged (layer-wise) training lives in the training assembly: it grows the encoder (<c>AppendLayers</c>) and runs
/// the lower layers forward-only (<c>ForwardFrozenBelow</c>), composing <see cref="Embeddings"/>,
/// <see cref="BertEncoder.ForwardLayers"/> and <see cref="Pooler"/>.
/// </remarks>
public sealed class BertModel : nn.Module<Tensor, Tensor?, Tensor?, BertModelOutput>
{
    [ComponentName(Name = "embeddings")]
    private readonly BertEmbeddings embeddings;

    [ComponentName(Name = "encoder")]
    private readonly BertEncoder encoder;

    [ComponentName(Name = "pooler")]
    private readonly BertPooler? pooler;

    /// <summary>Creates a BERT model initialised as in Hugging Face.</summary>
    /// <param name="config">The model configuration (validated here).</param>
    /// <param name="generator">
    /// Generator of every initial value (embeddings, then layers bottom to top, then pooler); two models built
    /// from generators with the same seed are bit-identical. Null uses the global generator.
    /// </param>
    /// <param name="addPoolingLayer">Whether to build the pooler (Hugging Face's <c>add_pooling_layer</c>).</param>
    public BertModel(BertConfig config, Generator? generator = null, bool addPoolingLayer = true)
        : this(config, generator, addPoolingLayer, initialize: true)
    {
    }

    internal BertModel(BertConfig config, Generator? generator, bool addPoolingLayer, bool initialize)
        : base(nameof(BertModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        embeddings = new BertEmbeddings(config, generator, initialize);
        encoder = new BertEncoder(config, generator, initialize);
        pooler = addPoolingLayer ? new BertPooler(config, generator, initialize) : null;
        RegisterComponents();
    }

    /// <summary>The current configuration (its layer count follows the encoder's growth).</summary>
    public BertConfig Config => encoder.Config;

    /// <summary>The input embeddings (<c>embeddings</c>).</summary>
    public BertEmbeddings Embeddings => embeddings;

    /// <summary>The encoder layers (<c>encoder</c>).</summary>
    public BertEncoder Encoder => encoder;

    /// <summary>The pooler (<c>pooler</c>), or null when built without one.</summary>
    public BertPooler? Pooler => pooler;

    /// <summary>Runs the whole model with gradient recording as set by the caller.</summary>
    /// <param name="inputIds">Token ids, int64 [batch, sequence].</param>
    /// <param name="attentionMask">Padding mask [batch, sequence] (1/true = real token, 0/false = padding), or null for no padding.</param>
    /// <param name="tokenTypeIds">Token type ids, int64 [batch, sequence], or null for all zeros.</param>
    /// <returns>The top layer's hidden states and the pooled output.</returns>
    public override BertModelOutput forward(Tensor inputIds, Tensor? attentionMask, Tensor? tokenTypeIds)
        => Forward(inputIds, attentionMask, tokenTypeIds);

    /// <summary>Runs the model (embeddings, every encoder layer, the pooler when present).</summary>
    /// <param name="inputIds">Token ids, int64 [batch, sequence].</param>
    /// <param name="attentionMask">Padding mask [batch, sequence] (1/true = real token, 0/false = padding), or null for no padding.</param>
    /// <param name="tokenTypeIds">Token type ids, int64 [batch, sequence], or null for all zeros.</param>
    /// <returns>The top layer's hidden states and the pooled output (null without a pooler).</returns>
    public BertModelOutput Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
    {
        var hidden = encoder.ForwardLayers(embeddings.forward(inputIds, tokenTypeIds), attentionMask, 0, encoder.Count);
        return new BertModelOutput(hidden, pooler?.forward(hidden));
    }

    /// <summary>
    /// Copies every tensor of <paramref name="source"/> into this model, exactly: the embeddings and all
    /// encoder layers (the layer counts and all shapes must match), and the pooler when both models have one
    /// (a pooler only this model has is left as it is). To build a deeper model from a shallower one, copy
    /// into a model of the same depth and then append layers (the training assembly's <c>AppendLayers</c>).
    /// </summary>
    /// <param name="source">The model to copy from.</param>
    /// <exception cref="ArgumentException">The layer counts differ.</exception>
    /// <exception cref="InvalidDataException">A tensor is missing or has another shape.</exception>
    public void CopyFrom(BertModel source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.encoder.Count != encoder.Count)
        {
            throw new ArgumentException(
                $"The source has {source.encoder.Count} encoder layers but this model has {encoder.Count}; copy into a model of the same depth, then append layers.",
                nameof(source));
        }

        ModelTensorIO.CopyTensors(source.embeddings, embeddings);
        ModelTensorIO.CopyTensors(source.encoder, encoder);
        if (pooler is not null && source.pooler is not null)
        {
            ModelTensorIO.CopyTensors(source.pooler, pooler);
        }
    }
}
