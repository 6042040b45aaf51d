using Microsoft.ML.Tokenizers;

namespace MLNetExtensions.Transforms.Text;

/// <summary>
/// BERT WordPiece encoding with Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/>: text to ids, and
/// rows of fixed length with [CLS]/[SEP], padding, attention mask and segment ids. Thread-safe.
/// </summary>
public sealed class WordPieceEncoder
{
    private readonly BertTokenizer _tokenizer;

    private WordPieceEncoder(string vocabularyText, bool lowerCase, bool stripAccents)
    {
        VocabularyText = vocabularyText;
        LowerCase = lowerCase;
        StripAccents = stripAccents;
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(vocabularyText));
        _tokenizer = BertTokenizer.Create(stream, new BertOptions { LowerCaseBeforeTokenization = lowerCase, RemoveNonSpacingMarks = stripAccents });
        VocabularySize = vocabularyText.Split('\n').Count(line => line.Length > 0);
    }

    /// <summary>The vocabulary file's text (kept so that model files are self-contained).</summary>
    public string VocabularyText { get; }

    /// <summary>Whether text is lower-cased first.</summary>
    public bool LowerCase { get; }

    /// <summary>Whether accents are stripped.</summary>
    public bool StripAccents { get; }

    /// <summary>Number of entries in the vocabulary.</summary>
    public int VocabularySize { get; }

    /// <summary>Id of [CLS].</summary>
    public int ClassificationTokenId => _tokenizer.ClassificationTokenId;

    /// <summary>Id of [SEP].</summary>
    public int SeparatorTokenId => _tokenizer.SeparatorTokenId;

    /// <summary>Id of [PAD].</summary>
    public int PaddingTokenId => _tokenizer.PaddingTokenId;

    /// <summary>Id of [MASK].</summary>
    public int MaskTokenId => _tokenizer.MaskingTokenId;

    /// <summary>Id of [UNK].</summary>
    public int UnknownTokenId => _tokenizer.UnknownTokenId;

    /// <summary>Loads a vocabulary file.</summary>
    public static WordPieceEncoder FromFile(string vocabularyPath, bool lowerCase = true, bool stripAccents = true)
    {
        if (!File.Exists(vocabularyPath))
        {
            throw new FileNotFoundException($"WordPiece vocabulary '{vocabularyPath}' does not exist.", vocabularyPath);
        }

        return FromText(File.ReadAllText(vocabularyPath), lowerCase, stripAccents);
    }

    /// <summary>Builds an encoder from a vocabulary's text (one token per line).</summary>
    public static WordPieceEncoder FromText(string vocabularyText, bool lowerCase = true, bool stripAccents = true)
    {
        if (string.IsNullOrWhiteSpace(vocabularyText))
        {
            throw new ArgumentException("The WordPiece vocabulary is empty.", nameof(vocabularyText));
        }

        return new WordPieceEncoder(vocabularyText, lowerCase, stripAccents);
    }

    /// <summary>The ids of <paramref name="text"/>'s word pieces, without special tokens; null or empty text gives none.</summary>
    public IReadOnlyList<int> EncodeWithoutSpecialTokens(string? text) =>
        string.IsNullOrEmpty(text) ? Array.Empty<int>() : _tokenizer.EncodeToIds(text, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true);

    /// <summary>The word pieces of <paramref name="text"/> as strings (for inspection).</summary>
    public IReadOnlyList<string> Tokenize(string? text) =>
        string.IsNullOrEmpty(text) ? Array.Empty<string>() : _tokenizer.EncodeToTokens(text, out _).Select(t => t.Value).ToList();

    /// <summary>The vocabulary entry of <paramref name="id"/>.</summary>
    public string? IdToToken(int id) => _tokenizer.Decode(new[] { id }, skipSpecialTokens: false);

    /// <summary>
    /// One row of <paramref name="maximumLength"/> ids: <c>[CLS] a [SEP]</c> or <c>[CLS] a [SEP] b [SEP]</c>, padded; the
    /// attention mask (1 = token) and segment ids (0/1). Too long input is truncated, for pairs the longer side first.
    /// </summary>
    public void EncodeRow(string? first, string? second, int maximumLength, Span<int> tokenIds, Span<int> attentionMask, Span<int> segmentIds)
    {
        var a = new List<int>(EncodeWithoutSpecialTokens(first));
        List<int>? b = second is null ? null : new List<int>(EncodeWithoutSpecialTokens(second));
        int budget = maximumLength - (b is null ? 2 : 3);
        while (a.Count + (b?.Count ?? 0) > budget)
        {
            if (b is not null && b.Count > a.Count)
            {
                b.RemoveAt(b.Count - 1);
            }
            else
            {
                a.RemoveAt(a.Count - 1);
            }
        }

        tokenIds.Fill(PaddingTokenId);
        attentionMask.Clear();
        segmentIds.Clear();
        int position = 0;
        tokenIds[position++] = ClassificationTokenId;
        foreach (int id in a)
        {
            tokenIds[position++] = id;
        }

        tokenIds[position++] = SeparatorTokenId;
        if (b is not null)
        {
            int secondStart = position;
            foreach (int id in b)
            {
                tokenIds[position++] = id;
            }

            tokenIds[position++] = SeparatorTokenId;
            segmentIds[secondStart..position].Fill(1);
        }

        attentionMask[..position].Fill(1);
    }
}
