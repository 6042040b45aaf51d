using System.Globalization;
using System.Text;

namespace MLNetExtensions.Transforms.Text;

/// <summary>
/// The steps before WordPiece, as Hugging Face's <c>BertNormalizer</c> + <c>BertPreTokenizer</c> (the tokenizer
/// behind <c>BertTokenizerFast</c>) run them: clean the text, put spaces around CJK ideographs, lower-case and strip
/// accents per the settings, then split into words at whitespace and around every punctuation character.
/// </summary>
internal static class BertBasicTokenizer
{
    /// <summary>
    /// Normalised text. Cleaning drops NUL, U+FFFD and control/format/private-use/surrogate/unassigned characters
    /// (Unicode category C*, except tab, line feed and carriage return) and turns every whitespace character into a
    /// space. An unpaired UTF-16 surrogate is read as U+FFFD, as .NET's UTF-8 decoding does, and so is dropped with
    /// it. Lower-casing maps each code point on its own (U+0130 İ to i + U+0307, as Unicode's full mapping; no
    /// final-sigma rule); accent stripping is NFD without the non-spacing marks (category Mn).
    /// </summary>
    public static string Normalize(string text, bool lowerCase, bool stripAccents)
    {
        var builder = new StringBuilder(text.Length + 16);
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            // An unpaired surrogate gives InvalidData with Rune.ReplacementChar and a length of one code unit.
            Rune.DecodeFromUtf16(rest, out var rune, out int consumed);
            rest = rest[consumed..];
            if (rune.Value == 0 || rune == Rune.ReplacementChar || IsControl(rune))
            {
                continue;
            }

            if (IsWhitespace(rune))
            {
                builder.Append(' ');
            }
            else if (IsCjkIdeograph(rune.Value))
            {
                builder.Append(' ').Append(rune.ToString()).Append(' ');
            }
            else if (lowerCase && rune.Value == 0x130)
            {
                // Unicode's lower case of İ is two code points; .NET's invariant casing leaves it unchanged.
                builder.Append("i\u0307");
            }
            else
            {
                AppendRune(builder, lowerCase ? Rune.ToLowerInvariant(rune) : rune);
            }
        }

        var normalized = builder.ToString();
        return stripAccents ? StripNonSpacingMarks(normalized) : normalized;
    }

    /// <summary>Appends the words of normalised text to <paramref name="words"/>: runs between whitespace, each punctuation character a word of its own.</summary>
    public static void SplitWords(string normalized, List<Range> words)
    {
        int start = -1;
        int index = 0;
        while (index < normalized.Length)
        {
            Rune.DecodeFromUtf16(normalized.AsSpan(index), out var rune, out int consumed);
            bool whitespace = IsWhitespace(rune);
            if (whitespace || IsPunctuation(rune))
            {
                if (start >= 0)
                {
                    words.Add(start..index);
                    start = -1;
                }

                if (!whitespace)
                {
                    words.Add(index..(index + consumed));
                }
            }
            else if (start < 0)
            {
                start = index;
            }

            index += consumed;
        }

        if (start >= 0)
        {
            words.Add(start..normalized.Length);
        }
    }

    private static string StripNonSpacingMarks(string text)
    {
        var decomposed = Decompose(text);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var rune in decomposed.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
            {
                AppendRune(builder, rune);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// NFD. .NET refuses to normalise a string holding a few code points that Unicode's NFD leaves alone (U+FFFE on
    /// Linux, a byte-swapped byte-order mark): the text is then decomposed around them and they stay as they are, as
    /// in the fast tokenizer (where they end up in an <c>[UNK]</c> word).
    /// </summary>
    private static string Decompose(string text)
    {
        try
        {
            return text.Normalize(NormalizationForm.FormD);
        }
        catch (ArgumentException)
        {
            var builder = new StringBuilder(text.Length);
            int segmentStart = 0;
            int index = 0;
            while (index < text.Length)
            {
                Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out int consumed);
                if (!CanDecompose(rune))
                {
                    builder.Append(text[segmentStart..index].Normalize(NormalizationForm.FormD));
                    AppendRune(builder, rune);
                    segmentStart = index + consumed;
                }

                index += consumed;
            }

            return builder.Append(text[segmentStart..].Normalize(NormalizationForm.FormD)).ToString();
        }
    }

    private static bool CanDecompose(Rune rune)
    {
        try
        {
            rune.ToString().Normalize(NormalizationForm.FormD);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void AppendRune(StringBuilder builder, Rune rune)
    {
        Span<char> buffer = stackalloc char[2];
        builder.Append(buffer[..rune.EncodeToUtf16(buffer)]);
    }

    /// <summary>
    /// Tab, line feed and carriage return are whitespace, not controls; the other characters of categories Cc, Cf and Co
    /// are (the fast tokenizer's <c>is_other</c>: unassigned code points are kept, and become <c>[UNK]</c> words; a
    /// surrogate cannot occur, as it is read as U+FFFD).
    /// </summary>
    private static bool IsControl(Rune rune) =>
        rune.Value is not ('\t' or '\n' or '\r') && Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.PrivateUse;

    private static bool IsWhitespace(Rune rune) => Rune.IsWhiteSpace(rune);

    /// <summary>ASCII symbols (33–47, 58–64, 91–96, 123–126) and Unicode punctuation (categories P*).</summary>
    private static bool IsPunctuation(Rune rune)
    {
        int c = rune.Value;
        if (c is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126))
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>
    /// The CJK Unified Ideographs blocks (with extensions A–E) and the compatibility ideographs, as the fast tokenizer's
    /// <c>BertNormalizer</c> lists them: its extension-E range starts at U+2B920 (Python's <c>BertTokenizer</c> has
    /// U+2B820), so U+2B820–U+2B91F are not split out.
    /// </summary>
    private static bool IsCjkIdeograph(int c) =>
        c is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF) or (>= 0x2A700 and <= 0x2B73F)
            or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B920 and <= 0x2CEAF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
