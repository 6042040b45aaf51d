using System.Globalization;
using MLNetExtensions.Transforms.Text;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert.Checkpoints;

/// <summary>
/// Builds the <see cref="BertModel"/> of a checkpoint from named tensors (Hugging Face <c>BertModel</c> names, no
/// <c>bert.</c> prefix): tensors it has no place for are reported as unused, tensors of the encoder that the
/// configuration does not describe, missing tensors and shape disagreements are errors naming the tensor.
/// </summary>
internal static class CheckpointAssembler
{
    private const string WordEmbeddings = "embeddings.word_embeddings.weight";

    /// <summary>
    /// The checkpoint. <paramref name="tensors"/> are only read (the caller disposes them); <paramref name="alsoUnused"/>
    /// are names the reader already knows to be unused.
    /// </summary>
    public static BertCheckpoint Build(
        BertConfig config,
        IReadOnlyDictionary<string, Tensor> tensors,
        IEnumerable<string> alsoUnused,
        string description,
        WordPieceEncoder tokenizer,
        string vocabularyDescription,
        string source)
    {
        if (tensors.TryGetValue(WordEmbeddings, out var words) && words.dim() == 2 && words.shape[0] != tokenizer.VocabularySize)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"The {vocabularyDescription} has {tokenizer.VocabularySize} tokens but the {description} has {words.shape[0]} rows in '{WordEmbeddings}' (vocab_size {config.VocabSize}); a checkpoint's vocabulary must match its embeddings."));
        }

        bool hasPooler = tensors.Keys.Any(name => name.StartsWith("pooler.", StringComparison.Ordinal));
        var model = new BertModel(config, generator: null, addPoolingLayer: hasPooler, initialize: false);
        try
        {
            var names = ModelTensorIO.GetNamedTensors(model).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            var known = tensors.Where(pair => names.Contains(pair.Key)).ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
            var unused = tensors.Keys.Where(name => !names.Contains(name)).ToList();
            // Encoder tensors the configuration has no place for mean the two disagree (more layers, another layout).
            var unplaced = unused.Where(name => (name.StartsWith("embeddings.", StringComparison.Ordinal) || name.StartsWith("encoder.", StringComparison.Ordinal))
                && name != "embeddings.position_ids").OrderBy(name => name, StringComparer.Ordinal).ToList();
            if (unplaced.Count > 0)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"The {description} holds encoder tensors that the configuration ({config.NumHiddenLayers} layers, hidden {config.HiddenSize}) has no place for ({unplaced.Count}): {string.Join(", ", unplaced.Take(10))}{(unplaced.Count > 10 ? ", …" : string.Empty)}."));
            }

            ModelTensorIO.Assign(model, known, description);
            model.eval();
            var missing = hasPooler ? Array.Empty<string>() : new[] { "pooler.dense.weight", "pooler.dense.bias" };
            var allUnused = unused.Concat(alsoUnused).Distinct(StringComparer.Ordinal).OrderBy(name => name, StringComparer.Ordinal).ToList();
            return new BertCheckpoint(model, tokenizer, source, allUnused, missing);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Hugging Face names without the task model's <c>bert.</c> prefix, and TensorFlow-era <c>LayerNorm.gamma/beta</c> as <c>weight/bias</c>.</summary>
    public static string Normalize(string name)
    {
        if (name.StartsWith("bert.", StringComparison.Ordinal))
        {
            name = name["bert.".Length..];
        }

        if (name.EndsWith("LayerNorm.gamma", StringComparison.Ordinal))
        {
            return name[..^"gamma".Length] + "weight";
        }

        return name.EndsWith("LayerNorm.beta", StringComparison.Ordinal) ? name[..^"beta".Length] + "bias" : name;
    }
}
