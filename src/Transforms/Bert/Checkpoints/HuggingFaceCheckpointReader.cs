using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetExtensions.Transforms.Text;
using static TorchSharp.torch;

namespace MLNetExtensions.Transforms.Bert.Checkpoints;

/// <summary>Reads a Hugging Face BERT directory: <c>config.json</c>, <c>model.safetensors</c>, <c>vocab.txt</c>, optionally <c>tokenizer_config.json</c>.</summary>
internal static class HuggingFaceCheckpointReader
{
    public static BertCheckpoint Read(string directory)
    {
        string configPath = Require(directory, CheckpointFiles.Config, "the model configuration");
        string weightsPath = Path.Combine(directory, CheckpointFiles.Weights);
        if (!File.Exists(weightsPath))
        {
            string hint = File.Exists(Path.Combine(directory, "pytorch_model.bin")) || File.Exists(Path.Combine(directory, "model.safetensors.index.json"))
                ? " Only a single safetensors file is read; save the model with safe_serialization=True and no sharding."
                : string.Empty;
            throw new FileNotFoundException($"The checkpoint directory '{directory}' has no {CheckpointFiles.Weights} (the weights).{hint}", weightsPath);
        }

        string vocabularyPath = Require(directory, CheckpointFiles.Vocabulary, "the WordPiece vocabulary");
        var config = ReadConfig(configPath);
        var (lowerCase, stripAccents) = CheckpointFiles.ReadTokenizerSettings(directory);
        var tokenizer = WordPieceEncoder.FromFile(vocabularyPath, lowerCase, stripAccents); // strict UTF-8; errors name the file

        var tensors = ReadTensors(weightsPath);
        try
        {
            return CheckpointAssembler.Build(config, tensors, Array.Empty<string>(), $"weights file '{weightsPath}'", tokenizer, $"vocabulary '{vocabularyPath}'", directory);
        }
        finally
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>The BERT configuration; other model types, activations and position embeddings are refused by key.</summary>
    private static BertConfig ReadConfig(string path)
    {
        string json = File.ReadAllText(path);
        try
        {
            var root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"'{path}' does not hold a JSON object.");
            Expect(root, "model_type", "bert", path, "only BERT checkpoints can be imported");
            Expect(root, "hidden_act", "gelu", path, "only the exact (erf) GELU is implemented");
            Expect(root, "position_embedding_type", "absolute", path, "only absolute position embeddings are implemented");
            return BertConfig.FromJson(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid BERT configuration: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid BERT configuration: {e.Message}", e);
        }
    }

    private static void Expect(JsonObject root, string key, string expected, string path, string reason)
    {
        if (root[key] is { } node && (node.GetValueKind() != JsonValueKind.String || node.GetValue<string>() != expected))
        {
            throw new InvalidDataException($"'{path}': '{key}' is {node.ToJsonString()} but must be \"{expected}\" ({reason}).");
        }
    }

    /// <summary>The tensors by normalised name (<see cref="CheckpointAssembler.Normalize"/>); the caller disposes them.</summary>
    private static Dictionary<string, Tensor> ReadTensors(string path)
    {
        Dictionary<string, Tensor> loaded;
        try
        {
            using var stream = File.OpenRead(path);
            loaded = TorchSharp.PyBridge.Safetensors.LoadStateDict(stream, leaveOpen: false, keysToKeep: null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"The weights file '{path}' could not be read as safetensors (truncated or not safetensors?): {e.Message}", e);
        }

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in loaded)
        {
            if (!result.TryAdd(CheckpointAssembler.Normalize(name), tensor))
            {
                throw new InvalidDataException($"The weights file '{path}' holds '{name}' twice (with and without the 'bert.' prefix).");
            }
        }

        return result;
    }

    private static string Require(string directory, string file, string what)
    {
        string path = Path.Combine(directory, file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The checkpoint directory '{directory}' has no {file} ({what}).", path);
        }

        return path;
    }
}
