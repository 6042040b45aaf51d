using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// BERT's input embeddings: word + absolute position + token type, then layer norm and dropout.
/// Parameters (Hugging Face names, relative to this module): <c>word_embeddings.weight</c> [vocab, hidden],
/// <c>position_embeddings.weight</c> [max positions, hidden], <c>token_type_embeddings.weight</c>
/// [type vocab, hidden], <c>LayerNorm.weight</c>/<c>LayerNorm.bias</c> [hidden].
/// </summary>
public sealed class BertEmbeddings : nn.Module<Tensor, Tensor?, Tensor>
{
    [ComponentName(Name = "word_embeddings")]
    private readonly BertEmbeddingTable wordEmbeddings;

    [ComponentName(Name = "position_embeddings")]
    private readonly BertEmbeddingTable positionEmbeddings;

    [ComponentName(Name = "token_type_embeddings")]
    private readonly BertEmbeddingTable tokenTypeEmbeddings;

    [ComponentName(Name = "LayerNorm")]
    private readonly LayerNorm layerNorm;

    [ComponentName(Name = "dropout")]
    private readonly Dropout dropout;

    private readonly BertConfig config;

    /// <summary>Creates the embeddings, initialised as in Hugging Face (normal(0, initializer range), padding row zeroed).</summary>
    /// <param name="config">The model configuration (validated here).</param>
    /// <param name="generator">Generator of the initial values; null uses the global one.</param>
    public BertEmbeddings(BertConfig config, Generator? generator = null)
        : this(config, generator, initialize: true)
    {
    }

    internal BertEmbeddings(BertConfig config, Generator? generator, bool initialize)
        : base(nameof(BertEmbeddings))
    {
        ArgumentNullException.ThrowIfNull(config);
        this.config = config.Validate();
        wordEmbeddings = new BertEmbeddingTable(config.VocabSize, config.HiddenSize, config.InitializerRange, config.PadTokenId, generator, initialize);
        positionEmbeddings = new BertEmbeddingTable(config.MaxPositionEmbeddings, config.HiddenSize, config.InitializerRange, null, generator, initialize);
        tokenTypeEmbeddings = new BertEmbeddingTable(config.TypeVocabSize, config.HiddenSize, config.InitializerRange, null, generator, initialize);
        layerNorm = BertInitializer.NewLayerNorm(config);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <summary>The word embedding table (<c>word_embeddings</c>); its weight is tied to the masked language model decoder.</summary>
    public BertEmbeddingTable WordEmbeddings => wordEmbeddings;

    /// <summary>The position embedding table (<c>position_embeddings</c>).</summary>
    public BertEmbeddingTable PositionEmbeddings => positionEmbeddings;

    /// <summary>The token type (segment) embedding table (<c>token_type_embeddings</c>).</summary>
    public BertEmbeddingTable TokenTypeEmbeddings => tokenTypeEmbeddings;

    /// <summary>The layer norm applied to the summed embeddings (<c>LayerNorm</c>).</summary>
    public LayerNorm LayerNorm => layerNorm;

    /// <summary>Embeds a batch of token ids.</summary>
    /// <param name="inputIds">Token ids, int64 [batch, sequence]; the sequence may not exceed <see cref="BertConfig.MaxPositionEmbeddings"/>.</param>
    /// <param name="tokenTypeIds">Token type ids, int64 [batch, sequence], or null for all zeros.</param>
    /// <returns>Embeddings [batch, sequence, hidden].</returns>
    /// <exception cref="ArgumentException">The ids are not a 2-D tensor or the sequence is too long.</exception>
    public override Tensor forward(Tensor inputIds, Tensor? tokenTypeIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2)
        {
            throw new ArgumentException($"inputIds must be a 2-D tensor [batch, sequence], but has shape [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        }

        var sequenceLength = inputIds.shape[1];
        if (sequenceLength > config.MaxPositionEmbeddings)
        {
            throw new ArgumentException(
                $"The sequence length {sequenceLength} exceeds BertConfig.MaxPositionEmbeddings (max_position_embeddings) = {config.MaxPositionEmbeddings}.",
                nameof(inputIds));
        }

        if (tokenTypeIds is not null && !tokenTypeIds.shape.SequenceEqual(inputIds.shape))
        {
            throw new ArgumentException(
                $"tokenTypeIds must have the shape of inputIds [{string.Join(", ", inputIds.shape)}], but has [{string.Join(", ", tokenTypeIds.shape)}].",
                nameof(tokenTypeIds));
        }

        var words = wordEmbeddings.forward(inputIds);
        // Without token types every position has type 0: adding that one row broadcasts to the same values.
        var types = tokenTypeIds is null ? tokenTypeEmbeddings.Weight[0] : tokenTypeEmbeddings.forward(tokenTypeIds);
        var positionIds = arange(sequenceLength, dtype: int64, device: inputIds.device);
        var positions = positionEmbeddings.forward(positionIds);
        var summed = words + types + positions;
        return dropout.forward(layerNorm.forward(summed));
    }
}
