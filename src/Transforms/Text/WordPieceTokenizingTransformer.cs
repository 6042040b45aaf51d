using Microsoft.ML;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Transforms.Text;

/// <summary>
/// Fitted WordPiece tokenization: adds token ids, attention mask and segment ids (Int32 vectors of
/// <see cref="WordPieceTokenizingOptions.MaximumLength"/>) computed from a text column or a pair of them.
/// Saved with its vocabulary by <see cref="ModelOperationsCatalogExtensions.SaveWithTensors"/>.
/// </summary>
public sealed class WordPieceTokenizingTransformer : TensorMappingTransformer
{
    private const string Kind = "WordPieceTokenizer";
    private readonly WordPieceRowMapper _mapper;

    internal WordPieceTokenizingTransformer(WordPieceEncoder encoder, WordPieceTokenizingOptions options)
    {
        Encoder = encoder;
        Options = options;
        _mapper = new WordPieceRowMapper(encoder, options);
    }

    /// <summary>The encoder (vocabulary and special-token ids).</summary>
    public WordPieceEncoder Encoder { get; }

    /// <summary>The options this transformer was built with (do not modify).</summary>
    public WordPieceTokenizingOptions Options { get; }

    private protected override string ComponentKind => Kind;

    private protected override BatchRowMapper Mapper => _mapper;

    private protected override void WritePayload(ModelPayloadWriter writer)
    {
        writer.WriteJson("options.json", new SavedOptions(
            Options.InputColumnName, Options.SecondInputColumnName, Options.TokenIdsColumnName, Options.AttentionMaskColumnName,
            Options.SegmentIdsColumnName, Options.MaximumLength, Encoder.LowerCase, Encoder.StripAccents));
        writer.WriteText("vocab.txt", Encoder.VocabularyText);
    }

    internal static void RegisterLoader() => TensorModelComponentRegistry.Register(Kind, Load);

    private static ITransformer Load(MLContext mlContext, ModelPayloadReader reader, int payloadVersion)
    {
        if (payloadVersion != 1)
        {
            throw new InvalidDataException($"{reader.Description}: payload version {payloadVersion} is not supported (expected 1).");
        }

        var saved = reader.ReadJson<SavedOptions>("options.json");
        var encoder = WordPieceEncoder.FromBytes(reader.ReadBytes("vocab.txt"), saved.LowerCase, saved.StripAccents, $"{reader.Description}, entry 'vocab.txt',");
        var options = new WordPieceTokenizingOptions
        {
            InputColumnName = saved.InputColumnName,
            SecondInputColumnName = saved.SecondInputColumnName,
            TokenIdsColumnName = saved.TokenIdsColumnName,
            AttentionMaskColumnName = saved.AttentionMaskColumnName,
            SegmentIdsColumnName = saved.SegmentIdsColumnName,
            MaximumLength = saved.MaximumLength,
            LowerCase = saved.LowerCase,
            StripAccents = saved.StripAccents,
        };
        return new WordPieceTokenizingTransformer(encoder, options);
    }

    private sealed record SavedOptions(
        string InputColumnName,
        string? SecondInputColumnName,
        string TokenIdsColumnName,
        string AttentionMaskColumnName,
        string SegmentIdsColumnName,
        int MaximumLength,
        bool LowerCase,
        bool StripAccents);
}
