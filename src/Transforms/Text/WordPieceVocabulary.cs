using System.Text;

namespace MLNetExtensions.Transforms.Text;

/// <summary>
/// A WordPiece vocabulary read the way Hugging Face's <c>load_vocab</c> reads <c>vocab.txt</c>: the token on line
/// <c>n</c> (from 0) has id <c>n</c>. A blank line between tokens keeps its id (an empty token that no text produces);
/// blank lines after the last token are not entries; a token that appears twice maps to its last line (the earlier
/// id stays reserved). The size is therefore the line number of the last token + 1, so every id a text can produce
/// is below it. Problems are <see cref="InvalidDataException"/>s naming the source.
/// </summary>
internal sealed class WordPieceVocabulary
{
    /// <summary>The special tokens a BERT vocabulary must hold.</summary>
    public static readonly string[] SpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string[] _tokens;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    private WordPieceVocabulary(string[] tokens, Dictionary<string, int> ids)
    {
        _tokens = tokens;
        _lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Number of ids: the last token's line number + 1.</summary>
    public int Count => _tokens.Length;

    /// <summary>The id of <paramref name="piece"/>, if it is a token.</summary>
    public bool TryGetId(ReadOnlySpan<char> piece, out int id) => _lookup.TryGetValue(piece, out id);

    /// <summary>The text of line <paramref name="id"/> (empty for a blank line), or null outside the vocabulary.</summary>
    public string? TokenOf(int id) => id >= 0 && id < _tokens.Length ? _tokens[id] : null;

    /// <summary>The id of a special token (present: checked by <see cref="Parse"/>).</summary>
    public int SpecialId(string token) => _lookup[token];

    /// <summary>Decodes a vocabulary file's bytes as UTF-8 (a byte-order mark is skipped); anything else is rejected naming <paramref name="source"/>.</summary>
    public static string Decode(byte[] bytes, string source)
    {
        ReadOnlySpan<byte> content = bytes;
        if (content.StartsWith(Encoding.UTF8.Preamble))
        {
            content = content[Encoding.UTF8.Preamble.Length..];
        }

        try
        {
            return StrictUtf8.GetString(content);
        }
        catch (DecoderFallbackException exception)
        {
            throw new InvalidDataException(
                $"{source} is not a WordPiece vocabulary: it is not UTF-8 text (invalid byte at offset {exception.Index}); expected one token per line.", exception);
        }
    }

    /// <summary>Reads one token per line of <paramref name="text"/>; every problem names <paramref name="source"/>.</summary>
    public static WordPieceVocabulary Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        int count = lines.Length;
        for (int i = 0; i < lines.Length; i++)
        {
            // CRLF files: the line end is not part of the token.
            if (lines[i].EndsWith('\r'))
            {
                lines[i] = lines[i][..^1];
            }
        }

        while (count > 0 && lines[count - 1].Length == 0)
        {
            count--;
        }

        if (count == 0)
        {
            throw new InvalidDataException($"{source} is empty: a WordPiece vocabulary has one token per line, the line number being the id.");
        }

        var tokens = lines[..count];
        var ids = new Dictionary<string, int>(count, StringComparer.Ordinal);
        for (int id = 0; id < tokens.Length; id++)
        {
            if (tokens[id].Contains('\0'))
            {
                throw new InvalidDataException($"{source} is not a WordPiece vocabulary: line {id + 1} contains a NUL character (a binary file?); expected one token per line.");
            }

            // As Hugging Face: the last line of a repeated token wins; a blank line is the (unreachable) empty token.
            ids[tokens[id]] = id;
        }

        var missing = SpecialTokens.Where(token => !ids.ContainsKey(token)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException(
                $"{source} lacks the special token{(missing.Count > 1 ? "s" : string.Empty)} {string.Join(", ", missing)}: a BERT WordPiece vocabulary needs {string.Join(", ", SpecialTokens)}, one per line.");
        }

        return new WordPieceVocabulary(tokens, ids);
    }
}
