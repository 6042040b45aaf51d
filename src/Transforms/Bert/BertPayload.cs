using MLNetExtensions.Transforms.ModelFiles;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Transforms.Bert;

/// <summary>
/// The model-file entries every BERT component writes: <c>config.json</c> (Hugging Face names),
/// <c>tokenizer.json</c> (lower-casing and accent stripping) and <c>vocab.txt</c>.
/// </summary>
internal static class BertPayload
{
    /// <summary>Writes the configuration.</summary>
    public static void WriteConfig(ModelPayloadWriter writer, BertConfig config) => writer.WriteText("config.json", config.ToJson());

    /// <summary>Reads and validates the configuration; a bad one is an <see cref="InvalidDataException"/> naming the component.</summary>
    public static BertConfig ReadConfig(ModelPayloadReader reader)
    {
        try
        {
            return BertConfig.FromJson(reader.ReadText("config.json"));
        }
        catch (Exception exception) when (exception is ArgumentException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"{reader.Description}: config.json is not a valid BERT configuration: {exception.Message}", exception);
        }
    }

    /// <summary>Writes the vocabulary and the normalisation flags.</summary>
    public static void WriteTokenizer(ModelPayloadWriter writer, WordPieceEncoder encoder)
    {
        writer.WriteJson("tokenizer.json", new TokenizerFlags(encoder.LowerCase, encoder.StripAccents));
        writer.WriteText("vocab.txt", encoder.VocabularyText);
    }

    /// <summary>
    /// Rebuilds the WordPiece encoder; its vocabulary must have exactly <paramref name="config"/>'s <c>vocab_size</c>
    /// ids (a shorter one leaves embedding rows without a token, a longer one produces ids the model has no row for).
    /// </summary>
    public static WordPieceEncoder ReadTokenizer(ModelPayloadReader reader, BertConfig config)
    {
        var flags = reader.ReadJson<TokenizerFlags>("tokenizer.json");
        var encoder = WordPieceEncoder.FromBytes(reader.ReadBytes("vocab.txt"), flags.LowerCase, flags.StripAccents, $"{reader.Description}, entry 'vocab.txt',");
        if (encoder.VocabularySize != config.VocabSize)
        {
            throw new InvalidDataException(
                $"{reader.Description}: entry 'vocab.txt' has {encoder.VocabularySize} tokens but config.json declares vocab_size = {config.VocabSize}; they must be equal.");
        }

        return encoder;
    }

    /// <summary>Throws unless <paramref name="payloadVersion"/> is <paramref name="supported"/>.</summary>
    public static void RequireVersion(ModelPayloadReader reader, int payloadVersion, int supported)
    {
        if (payloadVersion != supported)
        {
            throw new InvalidDataException($"{reader.Description}: payload version {payloadVersion} is not supported (expected {supported}).");
        }
    }

    private sealed record TokenizerFlags(bool LowerCase, bool StripAccents);
}
