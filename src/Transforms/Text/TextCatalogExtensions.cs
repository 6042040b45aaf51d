using MLNetExtensions.Transforms.Text;

// In ML.NET's own namespace, as ML.NET's extension packages do: `using Microsoft.ML;` is all a pipeline needs.
namespace Microsoft.ML;

/// <summary>MLNetExtensions' text transforms on <c>mlContext.Transforms.Text</c>.</summary>
public static class TextCatalogExtensions
{
    /// <summary>WordPiece tokenization as BERT-uncased does it, with the given options.</summary>
    public static WordPieceTokenizingEstimator TokenizeIntoWordPieces(this TransformsCatalog.TextTransforms catalog, WordPieceTokenizingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new WordPieceTokenizingEstimator(options);
    }

    /// <summary>
    /// WordPiece tokenization of <paramref name="inputColumnName"/> into <c>TokenIds</c>, <c>AttentionMask</c> and
    /// <c>SegmentIds</c> (Int32 vectors of <paramref name="maximumLength"/>), with the vocabulary at <paramref name="vocabularyPath"/>.
    /// </summary>
    public static WordPieceTokenizingEstimator TokenizeIntoWordPieces(
        this TransformsCatalog.TextTransforms catalog,
        string vocabularyPath,
        string inputColumnName = "Text",
        int maximumLength = 128,
        string? secondInputColumnName = null) =>
        catalog.TokenizeIntoWordPieces(new WordPieceTokenizingOptions
        {
            VocabularyPath = vocabularyPath,
            InputColumnName = inputColumnName,
            MaximumLength = maximumLength,
            SecondInputColumnName = secondInputColumnName,
        });
}
