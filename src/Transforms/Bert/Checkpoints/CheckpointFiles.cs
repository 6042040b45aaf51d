using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Transforms.Bert.Checkpoints;

/// <summary>The file names of a Hugging Face BERT directory and the tokenizer settings of <c>tokenizer_config.json</c>.</summary>
internal static class CheckpointFiles
{
    public const string Config = "config.json";
    public const string Weights = "model.safetensors";
    public const string Vocabulary = "vocab.txt";
    public const string TokenizerConfig = "tokenizer_config.json";

    /// <summary>The tokenizer classes whose tokenization this library reproduces (BERT's basic tokenizer, then WordPiece).</summary>
    private static readonly string[] SupportedTokenizerClasses = { "BertTokenizer", "BertTokenizerFast" };

    /// <summary>
    /// <c>do_lower_case</c> (default true) and <c>strip_accents</c> (default: follows lower-casing, as in Hugging Face's
    /// <c>BertTokenizer</c>) from <c>tokenizer_config.json</c> in <paramref name="directory"/>; both defaults without the file.
    /// A configuration this library would tokenize differently is refused rather than tokenized wrongly: another
    /// <c>tokenizer_class</c> (e.g. <c>BertJapaneseTokenizer</c>, whose vocabulary still loads), <c>do_basic_tokenize</c>
    /// or <c>tokenize_chinese_chars</c> false, or a non-empty <c>never_split</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not valid JSON, a setting has the wrong type, or it asks for tokenization this library does not do.</exception>
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
            RequireBertTokenization(root, path);
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

    private static void RequireBertTokenization(JsonObject root, string path)
    {
        if (root["tokenizer_class"] is { } node)
        {
            string? tokenizerClass = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;
            if (!SupportedTokenizerClasses.Contains(tokenizerClass))
            {
                throw new InvalidDataException(
                    $"'{path}': tokenizer_class is {Show(node)}, but this library tokenizes as {string.Join(" and ", SupportedTokenizerClasses)} only (BERT's basic tokenizer, then WordPiece), so its token ids would not be the checkpoint's.");
            }
        }

        foreach (string key in new[] { "do_basic_tokenize", "tokenize_chinese_chars" })
        {
            if (ReadFlag(root, key, path) == false)
            {
                throw new InvalidDataException($"'{path}': {key} is false, but this library always runs BERT's basic tokenizer with CJK characters split, so its token ids would not be the checkpoint's.");
            }
        }

        // Listing special tokens changes nothing: they are kept whole anyway.
        if (root["never_split"] is { } neverSplit
            && !(neverSplit is JsonArray list && list.All(token => token?.GetValueKind() == JsonValueKind.String && WordPieceVocabulary.SpecialTokens.Contains(token.GetValue<string>()))))
        {
            throw new InvalidDataException($"'{path}': never_split is {Show(neverSplit)}, but this library does not keep extra words whole; only the special tokens [CLS], [SEP], [PAD], [MASK] and [UNK] are.");
        }
    }

    /// <summary>A setting's JSON as written in messages, without escaping characters such as + and &lt;.</summary>
    private static string Show(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

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
