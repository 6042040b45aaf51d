using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// Hyper-parameters of a BERT encoder. JSON property names follow the Hugging Face
/// <c>config.json</c> of BERT (<c>vocab_size</c>, <c>hidden_size</c>, …), so a Hugging Face
/// config can be read with <see cref="FromJson"/> (unknown properties are ignored) and a written
/// config is readable by Hugging Face <c>BertConfig</c>.
/// </summary>
/// <remarks>
/// Immutable: derive variants with a <c>with</c> expression, e.g.
/// <c>config with { NumHiddenLayers = 6 }</c>. Call <see cref="Validate"/> (the modules do) before use.
/// </remarks>
public sealed record BertConfig
{
    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Number of token ids (rows of the word embedding table).</summary>
    [JsonPropertyName("vocab_size")]
    public int VocabSize { get; init; } = 30522;

    /// <summary>Width of the hidden states; must be divisible by <see cref="NumAttentionHeads"/>.</summary>
    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; } = 768;

    /// <summary>Number of encoder layers.</summary>
    [JsonPropertyName("num_hidden_layers")]
    public int NumHiddenLayers { get; init; } = 12;

    /// <summary>Number of attention heads per layer.</summary>
    [JsonPropertyName("num_attention_heads")]
    public int NumAttentionHeads { get; init; } = 12;

    /// <summary>Width of the feed-forward (intermediate) projection.</summary>
    [JsonPropertyName("intermediate_size")]
    public int IntermediateSize { get; init; } = 3072;

    /// <summary>Maximum sequence length (rows of the position embedding table).</summary>
    [JsonPropertyName("max_position_embeddings")]
    public int MaxPositionEmbeddings { get; init; } = 512;

    /// <summary>Number of token types (segments); 2 in BERT.</summary>
    [JsonPropertyName("type_vocab_size")]
    public int TypeVocabSize { get; init; } = 2;

    /// <summary>Dropout probability on embeddings and sub-block outputs, in [0, 1).</summary>
    [JsonPropertyName("hidden_dropout_prob")]
    public double HiddenDropoutProb { get; init; } = 0.1;

    /// <summary>Dropout probability on attention probabilities, in [0, 1); applied only in training mode.</summary>
    [JsonPropertyName("attention_probs_dropout_prob")]
    public double AttentionProbsDropoutProb { get; init; } = 0.1;

    /// <summary>Epsilon of every layer norm.</summary>
    [JsonPropertyName("layer_norm_eps")]
    public double LayerNormEps { get; init; } = 1e-12;

    /// <summary>Standard deviation of the normal initialisation of weight matrices and embeddings.</summary>
    [JsonPropertyName("initializer_range")]
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>Where the layer norms sit in each encoder layer; BERT's post-norm by default.</summary>
    [JsonPropertyName("layer_norm_placement")]
    public LayerNormPlacement LayerNormPlacement { get; init; } = LayerNormPlacement.PostLayerNorm;

    /// <summary>Id of the padding token; its word-embedding row is initialised to zeros.</summary>
    [JsonPropertyName("pad_token_id")]
    public int PadTokenId { get; init; }

    /// <summary>
    /// The relaxed form (fast attention, factorised feed-forward) of coarse-refined training, or null (the default)
    /// for the original BERT. Written to JSON only when set, so an ordinary config stays Hugging Face's.
    /// </summary>
    [JsonPropertyName("relaxation")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BertRelaxation? Relaxation { get; init; }

    /// <summary>Always <c>"bert"</c>; written so that Hugging Face recognises the config.</summary>
    [JsonPropertyName("model_type")]
    public string ModelType => "bert";

    /// <summary>Always <c>"gelu"</c> (the exact, erf-based GELU), the only activation implemented.</summary>
    [JsonPropertyName("hidden_act")]
    public string HiddenActivation => "gelu";

    /// <summary>Width of one attention head: <see cref="HiddenSize"/> / <see cref="NumAttentionHeads"/>.</summary>
    [JsonIgnore]
    public int AttentionHeadSize => HiddenSize / NumAttentionHeads;

    /// <summary>
    /// Google's BERT-Tiny shape (2 layers, 128 wide, 2 heads, feed-forward 512, 512 positions).
    /// </summary>
    /// <param name="vocabSize">Vocabulary size.</param>
    /// <returns>The configuration.</returns>
    public static BertConfig Tiny(int vocabSize) => Shape(vocabSize, layers: 2, hidden: 128, heads: 2);

    /// <summary>Google's BERT-Mini shape (4 layers, 256 wide, 4 heads, feed-forward 1024).</summary>
    /// <param name="vocabSize">Vocabulary size.</param>
    /// <returns>The configuration.</returns>
    public static BertConfig Mini(int vocabSize) => Shape(vocabSize, layers: 4, hidden: 256, heads: 4);

    /// <summary>Google's BERT-Small shape (4 layers, 512 wide, 8 heads, feed-forward 2048).</summary>
    /// <param name="vocabSize">Vocabulary size.</param>
    /// <returns>The configuration.</returns>
    public static BertConfig Small(int vocabSize) => Shape(vocabSize, layers: 4, hidden: 512, heads: 8);

    /// <summary>Google's BERT-Medium shape (8 layers, 512 wide, 8 heads, feed-forward 2048).</summary>
    /// <param name="vocabSize">Vocabulary size.</param>
    /// <returns>The configuration.</returns>
    public static BertConfig Medium(int vocabSize) => Shape(vocabSize, layers: 8, hidden: 512, heads: 8);

    /// <summary>BERT-Base (12 layers, 768 wide, 12 heads, feed-forward 3072); the vocabulary of bert-base-uncased by default.</summary>
    /// <param name="vocabSize">Vocabulary size.</param>
    /// <returns>The configuration.</returns>
    public static BertConfig Base(int vocabSize = 30522) => Shape(vocabSize, layers: 12, hidden: 768, heads: 12);

    private static BertConfig Shape(int vocabSize, int layers, int hidden, int heads) => new()
    {
        VocabSize = vocabSize,
        NumHiddenLayers = layers,
        HiddenSize = hidden,
        NumAttentionHeads = heads,
        IntermediateSize = 4 * hidden,
    };

    /// <summary>
    /// Checks every option and throws on the first invalid one. The exception's parameter name is the
    /// property name, and its message names the option (with its JSON name) and what was expected.
    /// </summary>
    /// <returns>This configuration, for chaining.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size, count, probability or epsilon is out of range.</exception>
    /// <exception cref="ArgumentException">Hidden size not divisible by the number of heads.</exception>
    public BertConfig Validate()
    {
        Positive(VocabSize, nameof(VocabSize), "vocab_size");
        Positive(HiddenSize, nameof(HiddenSize), "hidden_size");
        Positive(NumHiddenLayers, nameof(NumHiddenLayers), "num_hidden_layers");
        Positive(NumAttentionHeads, nameof(NumAttentionHeads), "num_attention_heads");
        if (HiddenSize % NumAttentionHeads != 0)
        {
            throw new ArgumentException(
                $"BertConfig.HiddenSize (hidden_size) must be divisible by BertConfig.NumAttentionHeads (num_attention_heads), " +
                $"but {HiddenSize} is not divisible by {NumAttentionHeads}.",
                nameof(HiddenSize));
        }

        Positive(IntermediateSize, nameof(IntermediateSize), "intermediate_size");
        Positive(MaxPositionEmbeddings, nameof(MaxPositionEmbeddings), "max_position_embeddings");
        Positive(TypeVocabSize, nameof(TypeVocabSize), "type_vocab_size");
        Probability(HiddenDropoutProb, nameof(HiddenDropoutProb), "hidden_dropout_prob");
        Probability(AttentionProbsDropoutProb, nameof(AttentionProbsDropoutProb), "attention_probs_dropout_prob");
        PositiveFinite(LayerNormEps, nameof(LayerNormEps), "layer_norm_eps");
        PositiveFinite(InitializerRange, nameof(InitializerRange), "initializer_range");
        if (!Enum.IsDefined(LayerNormPlacement))
        {
            throw new ArgumentOutOfRangeException(nameof(LayerNormPlacement), LayerNormPlacement,
                $"BertConfig.LayerNormPlacement (layer_norm_placement) must be PostLayerNorm or PreLayerNorm, but was {LayerNormPlacement}.");
        }

        if (PadTokenId < 0 || PadTokenId >= VocabSize)
        {
            throw new ArgumentOutOfRangeException(nameof(PadTokenId), PadTokenId,
                $"BertConfig.PadTokenId (pad_token_id) must be a token id in [0, VocabSize = {VocabSize}), but was {PadTokenId}.");
        }

        Relaxation?.Validate(this);

        return this;
    }

    /// <summary>Serialises to indented JSON with Hugging Face property names.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, SerializerOptions);

    /// <summary>Reads a configuration from JSON (properties missing from the text keep their defaults) and validates it.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The validated configuration.</returns>
    /// <exception cref="JsonException">The text is not a JSON object of this shape.</exception>
    public static BertConfig FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var config = JsonSerializer.Deserialize<BertConfig>(json, SerializerOptions)
            ?? throw new JsonException("The JSON text holds null instead of a BERT configuration.");
        return config.Validate();
    }

    /// <summary>Writes <see cref="ToJson"/> to a file.</summary>
    /// <param name="path">The file path.</param>
    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <summary>Reads a configuration file written by <see cref="Save"/> (or a Hugging Face <c>config.json</c>).</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The validated configuration.</returns>
    public static BertConfig Load(string path) => FromJson(File.ReadAllText(path));

    private static void Positive(int value, string name, string jsonName)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value,
                $"BertConfig.{name} ({jsonName}) must be a positive integer, but was {value}.");
        }
    }

    private static void Probability(double value, string name, string jsonName)
    {
        if (!(value >= 0.0 && value < 1.0))
        {
            throw new ArgumentOutOfRangeException(name, value,
                $"BertConfig.{name} ({jsonName}) must be a probability in [0, 1), but was {value}.");
        }
    }

    private static void PositiveFinite(double value, string name, string jsonName)
    {
        if (!(value > 0.0 && double.IsFinite(value)))
        {
            throw new ArgumentOutOfRangeException(name, value,
                $"BertConfig.{name} ({jsonName}) must be a positive finite number, but was {value}.");
        }
    }
}
