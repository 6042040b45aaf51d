namespace MLNetExtensions.Transforms.Text;

/// <summary>
/// BERT WordPiece encoding with the ids Hugging Face's <c>BertTokenizer</c> gives: text to ids, and rows of fixed
/// length with [CLS]/[SEP], padding, attention mask and segment ids. Thread-safe.
/// </summary>
/// <remarks>
/// The steps (docs/tokenization.md): the special tokens [PAD] [UNK] [CLS] [SEP] [MASK] written in the text are kept
/// as they are; the rest is cleaned, CJK ideographs are spaced out, lower-casing and accent stripping follow
/// <see cref="LowerCase"/> and <see cref="StripAccents"/>, words are split at whitespace and around punctuation, and
/// each word becomes its greedy longest-match pieces (<c>##</c> marks a continuation), or [UNK] when a part of it
/// has no piece or it is longer than <see cref="MaximumCharactersPerWord"/> characters.
/// </remarks>
public sealed class WordPieceEncoder
{
    /// <summary>Longer words (in Unicode code points) become [UNK], as in Hugging Face's WordPiece.</summary>
    public const int MaximumCharactersPerWord = 100;

    private const string ContinuationPrefix = "##";

    private readonly WordPieceVocabulary _vocabulary;

    private WordPieceEncoder(string vocabularyText, WordPieceVocabulary vocabulary, bool lowerCase, bool stripAccents)
    {
        VocabularyText = vocabularyText;
        _vocabulary = vocabulary;
        LowerCase = lowerCase;
        StripAccents = stripAccents;
        PaddingTokenId = vocabulary.SpecialId("[PAD]");
        UnknownTokenId = vocabulary.SpecialId("[UNK]");
        ClassificationTokenId = vocabulary.SpecialId("[CLS]");
        SeparatorTokenId = vocabulary.SpecialId("[SEP]");
        MaskTokenId = vocabulary.SpecialId("[MASK]");
    }

    /// <summary>The vocabulary file's text (kept so that model files are self-contained).</summary>
    public string VocabularyText { get; }

    /// <summary>Whether text is lower-cased first.</summary>
    public bool LowerCase { get; }

    /// <summary>Whether accents are stripped.</summary>
    public bool StripAccents { get; }

    /// <summary>Number of ids: the line number of the vocabulary's last token + 1 (blank lines between tokens keep their ids).</summary>
    public int VocabularySize => _vocabulary.Count;

    /// <summary>Id of [CLS].</summary>
    public int ClassificationTokenId { get; }

    /// <summary>Id of [SEP].</summary>
    public int SeparatorTokenId { get; }

    /// <summary>Id of [PAD].</summary>
    public int PaddingTokenId { get; }

    /// <summary>Id of [MASK].</summary>
    public int MaskTokenId { get; }

    /// <summary>Id of [UNK].</summary>
    public int UnknownTokenId { get; }

    /// <summary>Loads a UTF-8 vocabulary file (one token per line, the line number is the id).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a BERT vocabulary (empty, not UTF-8 text, or without the special tokens); the message names it.</exception>
    /// <param name="vocabularyPath">The vocabulary file.</param>
    /// <param name="lowerCase">Lower-case text first (BERT-uncased).</param>
    /// <param name="stripAccents">Strip accents; null follows <paramref name="lowerCase"/>, as Hugging Face's <c>strip_accents</c>.</param>
    public static WordPieceEncoder FromFile(string vocabularyPath, bool lowerCase = true, bool? stripAccents = null)
    {
        if (!File.Exists(vocabularyPath))
        {
            throw new FileNotFoundException($"WordPiece vocabulary '{vocabularyPath}' does not exist.", vocabularyPath);
        }

        return FromBytes(File.ReadAllBytes(vocabularyPath), lowerCase, stripAccents ?? lowerCase, $"WordPiece vocabulary '{vocabularyPath}'");
    }

    /// <summary>Builds an encoder from a vocabulary's text (one token per line, the line number is the id).</summary>
    /// <exception cref="InvalidDataException">The text is not a BERT vocabulary (empty, or without the special tokens).</exception>
    /// <param name="vocabularyText">The vocabulary's text.</param>
    /// <param name="lowerCase">Lower-case text first (BERT-uncased).</param>
    /// <param name="stripAccents">Strip accents; null follows <paramref name="lowerCase"/>, as Hugging Face's <c>strip_accents</c>.</param>
    public static WordPieceEncoder FromText(string vocabularyText, bool lowerCase = true, bool? stripAccents = null) =>
        FromText(vocabularyText, lowerCase, stripAccents ?? lowerCase, "The WordPiece vocabulary text");

    /// <summary>Builds an encoder from a vocabulary's text; errors name <paramref name="source"/>.</summary>
    internal static WordPieceEncoder FromText(string vocabularyText, bool lowerCase, bool stripAccents, string source)
    {
        ArgumentNullException.ThrowIfNull(vocabularyText);
        return new WordPieceEncoder(vocabularyText, WordPieceVocabulary.Parse(vocabularyText, source), lowerCase, stripAccents);
    }

    /// <summary>Builds an encoder from a vocabulary file's bytes (strict UTF-8); errors name <paramref name="source"/>.</summary>
    internal static WordPieceEncoder FromBytes(byte[] vocabularyBytes, bool lowerCase, bool stripAccents, string source) =>
        FromText(WordPieceVocabulary.Decode(vocabularyBytes, source), lowerCase, stripAccents, source);

    /// <summary>The ids of <paramref name="text"/>'s word pieces, without [CLS]/[SEP]; null or empty text gives none.</summary>
    public IReadOnlyList<int> EncodeWithoutSpecialTokens(string? text)
    {
        var ids = new List<int>();
        Encode(text, ids, pieces: null);
        return ids;
    }

    /// <summary>The word pieces of <paramref name="text"/> as strings (for inspection).</summary>
    public IReadOnlyList<string> Tokenize(string? text)
    {
        var pieces = new List<string>();
        Encode(text, new List<int>(), pieces);
        return pieces;
    }

    /// <summary>Keeps at most <paramref name="length"/> ids of <paramref name="ids"/> (the last ones go).</summary>
    private static void Truncate(List<int> ids, int length)
    {
        if (ids.Count > length)
        {
            ids.RemoveRange(Math.Max(length, 0), ids.Count - Math.Max(length, 0));
        }
    }

    /// <summary>The vocabulary line of <paramref name="id"/> (empty for a blank line), or null when the id is outside the vocabulary.</summary>
    public string? IdToToken(int id) => _vocabulary.TokenOf(id);

    /// <summary>
    /// One row of <paramref name="maximumLength"/> ids: <c>[CLS] a [SEP]</c> or <c>[CLS] a [SEP] b [SEP]</c>, padded; the
    /// attention mask (1 = token) and segment ids (0/1). Too long input is truncated, for pairs the longer side first.
    /// </summary>
    public void EncodeRow(string? first, string? second, int maximumLength, Span<int> tokenIds, Span<int> attentionMask, Span<int> segmentIds)
    {
        var a = new List<int>(EncodeWithoutSpecialTokens(first));
        List<int>? b = second is null ? null : new List<int>(EncodeWithoutSpecialTokens(second));
        int budget = maximumLength - (b is null ? 2 : 3);
        if (b is null)
        {
            Truncate(a, budget);
        }
        else if (a.Count + b.Count > budget)
        {
            // Hugging Face's fast tokenizer (longest first): the shorter side is kept whole when the longer can take the
            // rest; otherwise both get half the budget and the originally longer one (the second, on a tie) the odd token.
            int shorter = Math.Min(a.Count, b.Count);
            int longer = shorter > budget ? shorter : Math.Max(shorter, budget - shorter);
            if (shorter + longer > budget)
            {
                shorter = budget / 2;
                longer = shorter + (budget % 2);
            }

            bool firstIsLonger = a.Count > b.Count;
            Truncate(a, firstIsLonger ? longer : shorter);
            Truncate(b, firstIsLonger ? shorter : longer);
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

    /// <summary>Appends the ids (and, when asked, the pieces) of <paramref name="text"/>: special tokens as written, the text between them tokenized.</summary>
    private void Encode(string? text, List<int> ids, List<string>? pieces)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        // As Hugging Face's added-token matching: special tokens are found in the raw text, before normalisation.
        int start = 0;
        for (int index = text.IndexOf('['); index >= 0; index = text.IndexOf('[', index + 1))
        {
            var special = WordPieceVocabulary.SpecialTokens.FirstOrDefault(token => text.AsSpan(index).StartsWith(token, StringComparison.Ordinal));
            if (special is null)
            {
                continue;
            }

            EncodeOrdinaryText(text[start..index], ids, pieces);
            ids.Add(_vocabulary.SpecialId(special));
            pieces?.Add(special);
            start = index + special.Length;
            index = start - 1;
        }

        EncodeOrdinaryText(text[start..], ids, pieces);
    }

    private void EncodeOrdinaryText(string text, List<int> ids, List<string>? pieces)
    {
        if (text.Length == 0)
        {
            return;
        }

        var normalized = BertBasicTokenizer.Normalize(text, LowerCase, StripAccents);
        var words = new List<Range>();
        BertBasicTokenizer.SplitWords(normalized, words);
        foreach (var word in words)
        {
            AppendWordPieces(normalized.AsSpan(word), ids, pieces);
        }
    }

    /// <summary>Greedy longest-match-first pieces of one word, or one [UNK] when the word is too long or a part of it has no piece.</summary>
    private void AppendWordPieces(ReadOnlySpan<char> word, List<int> ids, List<string>? pieces)
    {
        int firstPiece = ids.Count;
        if (CodePointCount(word) <= MaximumCharactersPerWord)
        {
            Span<char> candidate = stackalloc char[ContinuationPrefix.Length + word.Length];
            ContinuationPrefix.AsSpan().CopyTo(candidate);
            int start = 0;
            while (start < word.Length)
            {
                int end = word.Length;
                int id = -1;
                while (end > start)
                {
                    scoped ReadOnlySpan<char> piece = word[start..end];
                    if (start > 0)
                    {
                        piece.CopyTo(candidate[ContinuationPrefix.Length..]);
                        piece = candidate[..(ContinuationPrefix.Length + piece.Length)];
                    }

                    if (_vocabulary.TryGetId(piece, out id))
                    {
                        ids.Add(id);
                        pieces?.Add(piece.ToString());
                        break;
                    }

                    id = -1;

                    // Shorten by one code point, never splitting a surrogate pair.
                    end -= end - start >= 2 && char.IsSurrogatePair(word[end - 2], word[end - 1]) ? 2 : 1;
                }

                if (id < 0)
                {
                    break;
                }

                start = end;
            }

            if (start == word.Length)
            {
                return;
            }
        }

        ids.RemoveRange(firstPiece, ids.Count - firstPiece);
        pieces?.RemoveRange(firstPiece, pieces.Count - firstPiece);
        ids.Add(UnknownTokenId);
        pieces?.Add("[UNK]");
    }

    private static int CodePointCount(ReadOnlySpan<char> word)
    {
        int count = word.Length;
        for (int i = 1; i < word.Length; i++)
        {
            if (char.IsSurrogatePair(word[i - 1], word[i]))
            {
                count--;
                i++;
            }
        }

        return count;
    }
}
