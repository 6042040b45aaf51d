using System.Globalization;
using MLNetExtensions.Transforms.Bert;
using MLNetExtensions.Transforms.Bert.Checkpoints;
using MLNetExtensions.Transforms.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExtensions.Estimators.FineTuning;

/// <summary>
/// Where fine-tuning starts: the configuration, tokenizer and sequence length resolved from the options (a
/// pre-trained encoder, a checkpoint, or a configuration and a vocabulary file), checked for consistency, and the initial
/// <see cref="BertForSequenceClassification"/> built from them.
/// </summary>
internal sealed class BertClassifierStart
{
    /// <summary>The checkpoint's own configuration when it was resolved (to notice a file replaced before Fit).</summary>
    private readonly BertConfig? _checkpointConfig;

    private BertClassifierStart(BertConfig config, WordPieceEncoder encoder, int maximumLength, BertEmbeddingTransformer? pretrained, string? checkpointPath, BertConfig? checkpointConfig)
    {
        _checkpointConfig = checkpointConfig;
        Config = config;
        Encoder = encoder;
        MaximumLength = maximumLength;
        Pretrained = pretrained;
        CheckpointPath = checkpointPath;
    }

    /// <summary>The configuration of the model to fine-tune.</summary>
    public BertConfig Config { get; }

    /// <summary>The tokenizer.</summary>
    public WordPieceEncoder Encoder { get; }

    /// <summary>Tokens per row.</summary>
    public int MaximumLength { get; }

    /// <summary>The encoder whose tensors are copied, or null for random initialisation.</summary>
    public BertEmbeddingTransformer? Pretrained { get; }

    /// <summary>
    /// The checkpoint whose tensors (pooler included, when it has one) are copied, or null. It is read when the start is
    /// resolved, to check it, and again by <see cref="CreateModel"/>: an estimator is not disposable, so it must not keep
    /// a whole encoder's tensors (about 440 MB for BERT-base) for its lifetime.
    /// </summary>
    public string? CheckpointPath { get; }

    /// <summary>Resolves and checks the start of <paramref name="options"/> (already validated).</summary>
    /// <exception cref="ArgumentException">The vocabulary, the configuration and the encoder do not agree.</exception>
    public static BertClassifierStart Resolve(BertClassificationOptions options)
    {
        BertConfig config;
        WordPieceEncoder encoder;
        int defaultLength;
        BertConfig? checkpointConfig = null;
        if (options.PretrainedEncoder is { } pretrained)
        {
            config = pretrained.Config;
            if (options.Config is { } requested)
            {
                CheckSameArchitecture(requested.Validate(), config, nameof(BertClassificationOptions.PretrainedEncoder));
                config = requested;
            }

            encoder = pretrained.Tokenizer;
            if (encoder.VocabularySize != config.VocabSize)
            {
                throw new ArgumentException(
                    $"BertClassificationOptions.PretrainedEncoder has a tokenizer of {encoder.VocabularySize} tokens but a configuration of {config.VocabSize} (VocabSize): the encoder is inconsistent.",
                    nameof(BertClassificationOptions.PretrainedEncoder));
            }

            defaultLength = pretrained.Settings.MaximumLength;
        }
        else if (options.PretrainedCheckpointPath is { } checkpointPath)
        {
            using var checkpoint = BertCheckpoint.Load(checkpointPath);
            config = checkpointConfig = checkpoint.Config;
            if (options.Config is { } requested)
            {
                CheckSameArchitecture(requested.Validate(), config, nameof(BertClassificationOptions.PretrainedCheckpointPath));
                config = requested;
            }

            encoder = checkpoint.Tokenizer;
            defaultLength = Math.Min(128, config.MaxPositionEmbeddings);
        }
        else
        {
            string path = options.VocabularyPath!;
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"BertClassificationOptions.VocabularyPath '{path}' does not exist.", path);
            }

            // The vocabulary decides the embedding rows: no other VocabSize could work, so nobody has to count lines.
            encoder = WordPieceEncoder.FromFile(path, options.LowerCase, options.StripAccents);
            config = (options.Config! with { VocabSize = encoder.VocabularySize }).Validate();
            defaultLength = Math.Min(128, config.MaxPositionEmbeddings);
        }

        if (options.SecondTextColumnName is not null && config.TypeVocabSize < 2)
        {
            throw new ArgumentException(
                $"BertClassificationOptions.SecondTextColumnName is set, but the model has TypeVocabSize {config.TypeVocabSize}: sentence pairs need token types 0 and 1 (TypeVocabSize ≥ 2).",
                nameof(BertClassificationOptions.SecondTextColumnName));
        }

        int length = options.MaximumLength ?? defaultLength;
        if (length > config.MaxPositionEmbeddings)
        {
            throw new ArgumentOutOfRangeException(
                nameof(BertClassificationOptions.MaximumLength),
                length,
                $"BertClassificationOptions.MaximumLength ({length}) exceeds the model's MaxPositionEmbeddings ({config.MaxPositionEmbeddings}).");
        }

        if (length < options.MinimumLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(BertClassificationOptions.MaximumLength),
                length,
                $"BertClassificationOptions.MaximumLength is {length} (taken from the encoder) but sentence pairs need at least {options.MinimumLength} tokens.");
        }

        return new BertClassifierStart(config, encoder, length, options.PretrainedEncoder, options.PretrainedCheckpointPath, checkpointConfig);
    }

    /// <summary>
    /// A classifier of <paramref name="classes"/> outputs: every initial value drawn from a generator seeded with
    /// <paramref name="seed"/>, then the pre-trained embeddings and encoder layers copied in (a pre-trained encoder
    /// has no pooler, so the pooler and the head stay random), and the classifier dropout set.
    /// </summary>
    public BertForSequenceClassification CreateModel(int classes, int seed, BertPooling pooling, double? classifierDropout)
    {
        using var generator = new Generator(unchecked((ulong)(uint)seed));
        var model = new BertForSequenceClassification(Config, classes, generator, pooling);
        try
        {
            Pretrained?.CopyEncoderTo(model.Bert);
            if (CheckpointPath is not null)
            {
                using var checkpoint = LoadAgain(CheckpointPath);
                if (checkpoint.Config != _checkpointConfig || checkpoint.Tokenizer.VocabularyText != Encoder.VocabularyText)
                {
                    throw new InvalidOperationException(
                        $"BertClassificationOptions.PretrainedCheckpointPath '{CheckpointPath}' has changed since the trainer was created (another configuration or vocabulary); create the trainer again.");
                }

                model.Bert.CopyFrom(checkpoint.Model);
            }
            var dropout = model.named_children().Single(child => child.name == "dropout").module as Dropout
                ?? throw new InvalidOperationException("BertForSequenceClassification's 'dropout' is not a Dropout module.");
            dropout.p = classifierDropout ?? Config.HiddenDropoutProb;
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static BertCheckpoint LoadAgain(string path)
    {
        try
        {
            return BertCheckpoint.Load(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException(
                $"BertClassificationOptions.PretrainedCheckpointPath '{path}' was read when the trainer was created and is read again at Fit, but it is gone: {exception.Message}",
                path,
                exception);
        }
    }

    private static void CheckSameArchitecture(BertConfig requested, BertConfig encoder, string source)
    {
        if (requested.VocabSize != encoder.VocabSize)
        {
            throw new ArgumentException(
                $"BertClassificationOptions.Config.VocabSize is {requested.VocabSize} but BertClassificationOptions.{source} has a vocabulary of {encoder.VocabSize} tokens; " +
                "with a pre-trained encoder, Config may only change dropout probabilities (or leave Config null).",
                nameof(BertClassificationOptions.Config));
        }

        var differences = new (string Name, object Requested, object Encoder)[]
        {
            (nameof(BertConfig.HiddenSize), requested.HiddenSize, encoder.HiddenSize),
            (nameof(BertConfig.NumHiddenLayers), requested.NumHiddenLayers, encoder.NumHiddenLayers),
            (nameof(BertConfig.NumAttentionHeads), requested.NumAttentionHeads, encoder.NumAttentionHeads),
            (nameof(BertConfig.IntermediateSize), requested.IntermediateSize, encoder.IntermediateSize),
            (nameof(BertConfig.MaxPositionEmbeddings), requested.MaxPositionEmbeddings, encoder.MaxPositionEmbeddings),
            (nameof(BertConfig.TypeVocabSize), requested.TypeVocabSize, encoder.TypeVocabSize),
            (nameof(BertConfig.LayerNormEps), requested.LayerNormEps, encoder.LayerNormEps),
            (nameof(BertConfig.LayerNormPlacement), requested.LayerNormPlacement, encoder.LayerNormPlacement),
            (nameof(BertConfig.PadTokenId), requested.PadTokenId, encoder.PadTokenId),
            (nameof(BertConfig.InitializerRange), requested.InitializerRange, encoder.InitializerRange),
            (nameof(BertConfig.Relaxation), (object?)requested.Relaxation ?? "none", (object?)encoder.Relaxation ?? "none"),
        }.Where(d => !d.Requested.Equals(d.Encoder)).ToList();
        if (differences.Count > 0)
        {
            string list = string.Join(", ", differences.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Name} {d.Requested} (encoder: {d.Encoder})")));
            throw new ArgumentException(
                $"BertClassificationOptions.Config describes another architecture than BertClassificationOptions.{source}: {list}. With a pre-trained encoder, Config may only change dropout probabilities.",
                nameof(BertClassificationOptions.Config));
        }
    }
}
