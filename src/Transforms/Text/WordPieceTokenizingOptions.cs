namespace MLNetExtensions.Transforms.Text;

/// <summary>Options of <see cref="WordPieceTokenizingEstimator"/>: BERT-uncased WordPiece tokenization of a text column (or a pair of them).</summary>
public sealed class WordPieceTokenizingOptions
{
    /// <summary>The WordPiece vocabulary file: one token per line, the line number is the id (e.g. bert-base-uncased-vocab.txt).</summary>
    public string VocabularyPath { get; set; } = string.Empty;

    /// <summary>The text column to tokenize.</summary>
    public string InputColumnName { get; set; } = "Text";

    /// <summary>An optional second text column: the rows become sentence pairs <c>[CLS] a [SEP] b [SEP]</c> with segment ids 0 and 1.</summary>
    public string? SecondInputColumnName { get; set; }

    /// <summary>Output: the token ids, padded with [PAD] to <see cref="MaximumLength"/> (a vector of Int32).</summary>
    public string TokenIdsColumnName { get; set; } = "TokenIds";

    /// <summary>Output: 1 at real tokens, 0 at padding (a vector of Int32).</summary>
    public string AttentionMaskColumnName { get; set; } = "AttentionMask";

    /// <summary>Output: 0 for the first segment and padding, 1 for the second (a vector of Int32).</summary>
    public string SegmentIdsColumnName { get; set; } = "SegmentIds";

    /// <summary>Tokens per row including [CLS] and [SEP]; longer text is truncated (pairs: the longer side first).</summary>
    public int MaximumLength { get; set; } = 128;

    /// <summary>Lower-case text first (BERT-uncased).</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary>Strip accents (BERT-uncased: <c>Café</c> → <c>cafe</c>); null (default) follows <see cref="LowerCase"/>, as Hugging Face's <c>strip_accents</c>.</summary>
    public bool? StripAccents { get; set; }

    /// <summary>A copy, so that an estimator or transformer keeps the settings it was given whatever the caller changes later.</summary>
    internal WordPieceTokenizingOptions Copy() => (WordPieceTokenizingOptions)MemberwiseClone();

    /// <summary>Throws an exception naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(VocabularyPath))
        {
            throw new ArgumentException("VocabularyPath must name a WordPiece vocabulary file.", nameof(VocabularyPath));
        }

        if (!File.Exists(VocabularyPath))
        {
            throw new FileNotFoundException($"VocabularyPath '{VocabularyPath}' does not exist.", VocabularyPath);
        }

        RequireName(InputColumnName, nameof(InputColumnName));
        RequireName(TokenIdsColumnName, nameof(TokenIdsColumnName));
        RequireName(AttentionMaskColumnName, nameof(AttentionMaskColumnName));
        RequireName(SegmentIdsColumnName, nameof(SegmentIdsColumnName));
        int minimum = SecondInputColumnName is null ? 2 : 3;
        if (MaximumLength < minimum)
        {
            throw new ArgumentOutOfRangeException(nameof(MaximumLength), MaximumLength, $"MaximumLength must be at least {minimum} to hold the special tokens.");
        }
    }

    private static void RequireName(string name, string option)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"{option} must name a column.", option);
        }
    }
}
