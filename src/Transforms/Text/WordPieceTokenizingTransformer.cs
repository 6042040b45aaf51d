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
    private readonly WordPieceTokenizingOptions _options;

    internal WordPieceTokenizingTransformer(WordPieceEncoder encoder, WordPieceTokenizingOptions options)
    {
        Encoder = encoder;
        _options = options; // the estimator's own copy, or one built by Load: nobody else holds it
        _mapper = new WordPieceRowMapper(encoder, _options);
    }

    /// <summary>The encoder (vocabulary and special-token ids).</summary>
    public WordPieceEncoder Encoder { get; }

    /// <summary>A copy of the options this transformer was built with; changing it does not change the transformer.</summary>
    public WordPieceTokenizingOptions Options => _options.Copy();

    private protected override string ComponentKind => Kind;

    private protected override BatchRowMapper Mapper => _mapper;

    private protected override void WritePayload(ModelPayloadWriter writer)
    {
        writer.WriteJson("options.json", new SavedOptions(
            _options.InputColumnName, _options.SecondInputColumnName, _options.TokenIdsColumnName, _options.AttentionMaskColumnName,
            _options.SegmentIdsColumnName, _options.MaximumLength, Encoder.LowerCase, Encoder.StripAccents));
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
