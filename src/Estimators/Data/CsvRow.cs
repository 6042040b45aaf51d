using System.Globalization;

namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// One data row of a CSV file read by <see cref="CsvFile"/>, with typed accessors that turn a bad value into an
/// <see cref="InvalidDataException"/> naming the file, the line, the column and what was expected.
/// </summary>
internal sealed class CsvRow
{
    private readonly string _path;
    private readonly IReadOnlyList<string> _columnNames;
    private readonly int[] _columnPositions;
    private readonly List<string> _fields;

    internal CsvRow(string path, IReadOnlyList<string> columnNames, int[] columnPositions, List<string> fields, int lineNumber)
    {
        _path = path;
        _columnNames = columnNames;
        _columnPositions = columnPositions;
        _fields = fields;
        LineNumber = lineNumber;
    }

    /// <summary>The 1-based line number of the row in the file (the header is line 1).</summary>
    public int LineNumber { get; }

    /// <summary>The raw text of the requested column <paramref name="column"/> (an index into the requested column list).</summary>
    public string GetString(int column) => _fields[_columnPositions[column]];

    /// <summary>
    /// The requested column as a 32-bit integer. Whole numbers written in exponent notation, as R writes some ids
    /// (<c>9e+05</c>), are accepted.
    /// </summary>
    public int GetInt32(int column)
    {
        var text = GetString(column);
        return TryParseWholeNumber(text, out var value) && value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw Error(column, "a 32-bit integer", text);
    }

    /// <summary>
    /// The requested column as a 64-bit integer. Whole numbers written in exponent notation, as R writes some ids
    /// (<c>4.0128e+10</c>), are accepted.
    /// </summary>
    public long GetInt64(int column)
    {
        var text = GetString(column);
        return TryParseWholeNumber(text, out var value) ? value : throw Error(column, "an integer", text);
    }

    /// <summary>The requested column as a finite floating-point number (invariant culture, '.' as decimal point).</summary>
    public double GetDouble(int column)
    {
        var text = GetString(column);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw Error(column, "a number", text);
    }

    /// <summary>The requested column as a date and time in the exact <paramref name="format"/> (invariant culture).</summary>
    public DateTime GetDateTime(int column, string format)
    {
        var text = GetString(column);
        return DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
            ? value
            : throw Error(column, $"a date and time formatted '{format}'", text);
    }

    /// <summary>The requested column as a non-empty string.</summary>
    public string GetRequiredString(int column)
    {
        var text = GetString(column);
        return text.Length > 0 ? text : throw Error(column, "a non-empty value", text);
    }

    private static bool TryParseWholeNumber(string text, out long value)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        // Exponent notation: decimal keeps it exact, and only a whole number in range is accepted.
        if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out var number)
            && number == decimal.Truncate(number) && number is >= long.MinValue and <= long.MaxValue)
        {
            value = (long)number;
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>An <see cref="InvalidDataException"/> for a bad value in the requested column.</summary>
    public InvalidDataException Error(int column, string expected, string found) =>
        DataFile.FormatError(_path, LineNumber, $"column '{_columnNames[column]}': expected {expected}, found '{found}'");
}
