using System.Text;

namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// Splits one line of comma-separated values into fields. A field may be wrapped in double quotes, in which
/// case it may contain commas, and a doubled quote (<c>""</c>) inside it stands for one quote character.
/// Records that span several lines are not supported: a quote left open at the end of the line is an error.
/// </summary>
internal static class CsvLineParser
{
    /// <summary>
    /// Splits <paramref name="line"/> into <paramref name="fields"/> (cleared first). Returns <see langword="false"/>
    /// with a description in <paramref name="error"/> when the quoting is malformed.
    /// </summary>
    public static bool TrySplit(string line, List<string> fields, out string? error)
    {
        fields.Clear();
        error = null;
        var position = 0;
        while (true)
        {
            if (position < line.Length && line[position] == '"')
            {
                if (!TryReadQuoted(line, ref position, out var value, out error))
                {
                    return false;
                }

                fields.Add(value);
            }
            else
            {
                var end = line.IndexOf(',', position);
                if (end < 0)
                {
                    end = line.Length;
                }

                var quote = line.IndexOf('"', position, end - position);
                if (quote >= 0)
                {
                    error = $"a double quote at column {quote + 1} inside an unquoted field (a field containing quotes must be quoted, with each quote doubled)";
                    return false;
                }

                fields.Add(line[position..end]);
                position = end;
            }

            if (position == line.Length)
            {
                return true;
            }

            // Here line[position] is the comma that ends the field; a comma at the very end opens a last, empty field.
            position++;
            if (position == line.Length)
            {
                fields.Add(string.Empty);
                return true;
            }
        }
    }

    private static bool TryReadQuoted(string line, ref int position, out string value, out string? error)
    {
        var opening = position;
        var builder = new StringBuilder();
        position++;
        while (position < line.Length)
        {
            var c = line[position];
            if (c != '"')
            {
                builder.Append(c);
                position++;
                continue;
            }

            if (position + 1 < line.Length && line[position + 1] == '"')
            {
                builder.Append('"');
                position += 2;
                continue;
            }

            // The closing quote: it must end the field.
            position++;
            if (position < line.Length && line[position] != ',')
            {
                value = string.Empty;
                error = $"expected a comma or the end of the line after the closing quote at column {position}, found '{line[position]}'";
                return false;
            }

            value = builder.ToString();
            error = null;
            return true;
        }

        value = string.Empty;
        error = $"the quoted field opened at column {opening + 1} is not closed on this line";
        return false;
    }
}
