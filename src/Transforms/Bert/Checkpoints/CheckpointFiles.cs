using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNetExtensions.Transforms.Bert.Checkpoints;

/// <summary>The file names of a Hugging Face BERT directory and the tokenizer settings of <c>tokenizer_config.json</c>.</summary>
internal static class CheckpointFiles
{
    public const string Config = "config.json";
    public const string Weights = "model.safetensors";
    public const string Vocabulary = "vocab.txt";
    public const string TokenizerConfig = "tokenizer_config.json";

    /// <summary>
    /// <c>do_lower_case</c> (default true) and <c>strip_accents</c> (default: follows lower-casing, as in Hugging Face's
    /// <c>BertTokenizer</c>) from <c>tokenizer_config.json</c> in <paramref name="directory"/>; both defaults without the file.
    /// </summary>
    public static (bool LowerCase, bool StripAccents) ReadTokenizerSettings(string directory)
    {
        string path = Path.Combine(directory, TokenizerConfig);
        if (!File.Exists(path))
        {
            return (true, true);
        }

        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"'{path}' does not hold a JSON object.");
            bool lowerCase = ReadFlag(root, "do_lower_case", path) ?? true;
            return (lowerCase, ReadFlag(root, "strip_accents", path) ?? lowerCase);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Writes <c>tokenizer_config.json</c> for Hugging Face's <c>BertTokenizer</c>.</summary>
    public static void WriteTokenizerSettings(string directory, bool lowerCase, bool stripAccents)
    {
        var settings = new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer",
            ["do_lower_case"] = lowerCase,
            ["strip_accents"] = stripAccents,
        };
        File.WriteAllText(Path.Combine(directory, TokenizerConfig), settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static bool? ReadFlag(JsonObject root, string key, string path)
    {
        var node = root[key];
        if (node is null)
        {
            return null;
        }

        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidDataException($"'{path}': '{key}' must be true, false or null, but is {node.ToJsonString()}."),
        };
    }
}
