using Microsoft.ML;
using MLNetExtensions.Transforms.DataView;

namespace MLNetExtensions.Transforms.Text;

/// <summary>
/// BERT WordPiece tokenization of a text column (or a sentence pair) into <c>TokenIds</c>,
/// <c>AttentionMask</c> and <c>SegmentIds</c>, with [CLS]/[SEP], lower-casing and accent stripping as
/// BERT-uncased does, and truncation to a maximum length. Create it with
/// <see cref="TextCatalogExtensions.TokenizeIntoWordPieces(TransformsCatalog.TextTransforms, WordPieceTokenizingOptions)"/>.
/// </summary>
public sealed class WordPieceTokenizingEstimator : IEstimator<WordPieceTokenizingTransformer>
{
    private readonly WordPieceTokenizingOptions _options;
    private readonly WordPieceEncoder _encoder;

    internal WordPieceTokenizingEstimator(WordPieceTokenizingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Copy();
        _encoder = WordPieceEncoder.FromFile(_options.VocabularyPath, _options.LowerCase, _options.StripAccents);
    }

    /// <inheritdoc />
    public WordPieceTokenizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new WordPieceTokenizingTransformer(_encoder, _options);
        transformer.GetOutputSchema(input.Schema);
        using (var cursor = input.GetRowCursor(Array.Empty<DataViewSchema.Column>()))
        {
            if (!cursor.MoveNext())
            {
                throw new ArgumentException($"The data view given to Fit is empty: expected at least one row in column '{_options.InputColumnName}'.", nameof(input));
            }
        }

        return transformer;
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckText(inputSchema, _options.InputColumnName, nameof(WordPieceTokenizingOptions.InputColumnName));
        if (_options.SecondInputColumnName is not null)
        {
            CheckText(inputSchema, _options.SecondInputColumnName, nameof(WordPieceTokenizingOptions.SecondInputColumnName));
        }

        return SchemaShapeColumns.Append(inputSchema, new WordPieceRowMapper(_encoder, _options).OutputColumns);
    }

    /// <summary>Throws, naming the column and the option, unless <paramref name="shape"/> has a scalar text column <paramref name="name"/>.</summary>
    internal static void CheckText(SchemaShape shape, string name, string option)
    {
        var column = shape.FirstOrDefault(c => c.Name == name);
        if (column.Name is null)
        {
            throw new ArgumentOutOfRangeException(option, $"Input column '{name}' ({option}) was not found; expected a text column.");
        }

        if (column.ItemType is not Microsoft.ML.Data.TextDataViewType || column.Kind != SchemaShape.Column.VectorKind.Scalar)
        {
            throw new ArgumentOutOfRangeException(option, $"Input column '{name}' ({option}) must be a scalar text (String) column, but it is {column.ItemType} ({column.Kind}).");
        }
    }
}
