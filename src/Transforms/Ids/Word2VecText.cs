using System.Globalization;
using System.Text;

namespace MLNetExtensions.Transforms.Ids;

/// <summary>
/// Writes vectors in the word2vec text format that gensim (<c>KeyedVectors.load_word2vec_format(binary=False)</c>) and
/// fastText's tools read: a header line "count dimension", then one line per vector, "token v1 v2 … vd", space-separated,
/// floats in invariant round-trip form. Tokens cannot hold whitespace, so whitespace inside an ID becomes '_'; IDs that
/// would then share a token are refused before anything is written.
/// </summary>
internal static class Word2VecText
{
    /// <summary>Writes the vectors of <paramref name="ids"/> (row-major, <paramref name="dimension"/> values each).</summary>
    /// <exception cref="InvalidOperationException">Two IDs would be written as the same token (nothing is written then).</exception>
    public static void Write(TextWriter writer, IReadOnlyList<string> ids, float[] values, int dimension)
    {
        var tokens = ids.Select(Token).ToArray();
        var clash = tokens.Select((token, i) => (Token: token, Id: ids[i])).GroupBy(t => t.Token, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new InvalidOperationException(
                $"The IDs {string.Join(" and ", clash.Select(t => $"'{t.Id}'"))} would all be written as the token '{clash.Key}': word2vec tokens cannot hold " +
                "whitespace, which becomes '_' (an empty ID is '_'), and readers keep only one vector per token. Rename the IDs before training, or read the vectors with GetItemVector.");
        }

        // '\n' line ends whatever the writer's NewLine is (the format's own; the caller's writer is left as it was).
        writer.Write($"{tokens.Length} {dimension}\n");
        var line = new StringBuilder();
        for (int i = 0; i < tokens.Length; i++)
        {
            line.Clear();
            line.Append(tokens[i]);
            for (int d = 0; d < dimension; d++)
            {
                line.Append(' ').Append(values[i * dimension + d].ToString("R", CultureInfo.InvariantCulture));
            }

            writer.Write(line.Append('\n'));
        }
    }

    /// <summary>The token written for <paramref name="id"/>.</summary>
    public static string Token(string id)
    {
        var builder = new StringBuilder(id.Length);
        foreach (char c in id)
        {
            builder.Append(char.IsWhiteSpace(c) ? '_' : c);
        }

        return builder.Length == 0 ? "_" : builder.ToString();
    }
}
