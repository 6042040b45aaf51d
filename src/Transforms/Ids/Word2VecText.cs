using System.Globalization;
using System.Text;

namespace MLNetExtensions.Transforms.Ids;

/// <summary>
/// Writes vectors in the word2vec text format that gensim (<c>KeyedVectors.load_word2vec_format(binary=False)</c>) and
/// fastText's tools read: a header line "count dimension", then one line per vector, "token v1 v2 … vd", space-separated,
/// floats in invariant round-trip form. Tokens cannot hold whitespace, so whitespace inside an ID becomes '_'.
/// </summary>
internal static class Word2VecText
{
    public static void Write(TextWriter writer, IReadOnlyList<string> tokens, float[] values, int dimension)
    {
        // '\n' line ends whatever the writer's NewLine is (the format's own; the caller's writer is left as it was).
        writer.Write($"{tokens.Count} {dimension}\n");
        var line = new StringBuilder();
        for (int i = 0; i < tokens.Count; i++)
        {
            line.Clear();
            line.Append(Token(tokens[i]));
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
