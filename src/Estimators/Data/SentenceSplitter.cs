namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// A small rule-based sentence splitter for English prose (the State of the Union addresses and
/// <i>Moby-Dick</i>). A sentence ends at '.', '!' or '?' (with any closing quotes or brackets right after it)
/// when whitespace follows and the next word starts with an upper-case letter, a digit or an opening quote or
/// bracket; a period does not end a sentence after an initial ("J."), a dotted abbreviation ("U.S.") or a
/// common title or short form ("Mr.", "Gen.", "Sept.", "No. 5"). It is a heuristic: it will sometimes split
/// after an unlisted abbreviation or miss a boundary after one.
/// </summary>
internal static class SentenceSplitter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.Ordinal)
    {
        "Mr", "Mrs", "Ms", "Messrs", "Dr", "St", "Jr", "Sr", "Mt", "Ft", "Gen", "Gov", "Hon", "Rev", "Prof", "Capt",
        "Col", "Lt", "Sgt", "Maj", "Adm", "Cmdr", "Comdr", "Rep", "Reps", "Sen", "Supt", "Esq", "Jan", "Feb", "Apr",
        "Aug", "Sept", "Sep", "Oct", "Nov", "Dec", "Art", "Sec", "Secs", "Vol", "Vols", "Ch", "Chap", "vs", "viz",
        "etc", "cf", "ibid", "Co", "Corp", "Inc", "Bros",
    };

    private static readonly HashSet<string> AbbreviationsBeforeNumber = new(StringComparer.Ordinal) { "No", "Nos", "p", "pp" };

    /// <summary>Cuts <paramref name="text"/> into trimmed, non-empty sentences.</summary>
    public static IEnumerable<string> Split(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is not ('.' or '!' or '?'))
            {
                continue;
            }

            // Take in any further terminators and closing quotes or brackets: `?!`, `."`, `.)`, `...’`.
            var end = i + 1;
            while (end < text.Length && (text[end] is '.' or '!' or '?' || IsCloser(text[end])))
            {
                end++;
            }

            if (end < text.Length && !char.IsWhiteSpace(text[end]))
            {
                i = end - 1;
                continue;
            }

            var next = end;
            while (next < text.Length && char.IsWhiteSpace(text[next]))
            {
                next++;
            }

            if (next < text.Length && !(StartsSentence(text[next]) && !IsAbbreviation(text, i, text[next])))
            {
                i = end - 1;
                continue;
            }

            var sentence = text[start..end].Trim();
            if (sentence.Length > 0)
            {
                yield return sentence;
            }

            start = next;
            i = next - 1;
        }

        var rest = text[start..].Trim();
        if (rest.Length > 0)
        {
            yield return rest;
        }
    }

    private static bool IsCloser(char c) => c is '"' or '\'' or ')' or ']' or '\u201D' or '\u2019';

    private static bool StartsSentence(char c) =>
        char.IsUpper(c) || char.IsDigit(c) || c is '"' or '\'' or '(' or '[' or '\u201C' or '\u2018';

    /// <summary>Whether the word that ends with the period at <paramref name="period"/> is an abbreviation.</summary>
    private static bool IsAbbreviation(string text, int period, char nextChar)
    {
        if (text[period] != '.')
        {
            return false;
        }

        var wordStart = period;
        while (wordStart > 0 && (char.IsLetter(text[wordStart - 1]) || text[wordStart - 1] == '.'))
        {
            wordStart--;
        }

        var word = text[wordStart..period];
        if (word.Length == 0)
        {
            return false;
        }

        if (word.Length == 1 && char.IsUpper(word[0]))
        {
            return true; // an initial: "John Q. Adams", "H. R. 1"
        }

        if (word.Contains('.'))
        {
            return true; // a dotted abbreviation: "U.S.", "D.C.", "i.e."
        }

        return Abbreviations.Contains(word) || (AbbreviationsBeforeNumber.Contains(word) && char.IsDigit(nextChar));
    }
}
