namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// Streams the rows of a CSV file (plain or gzip) that starts with a header line. The caller names the columns
/// it needs; they are located by name in the header, so their order in the file does not matter, and a missing
/// one is an error. Every row must have as many fields as the header. Empty lines carry no data and are skipped.
/// </summary>
internal static class CsvFile
{
    /// <summary>
    /// Reads <paramref name="path"/>. The row passed to the caller is only valid until the next row is read
    /// (its field list is reused), so read what is needed from it immediately.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist (thrown immediately).</exception>
    /// <exception cref="InvalidDataException">The header lacks a column, or a row is malformed (thrown while enumerating).</exception>
    public static IEnumerable<CsvRow> Read(string path, IReadOnlyList<string> columns)
    {
        DataFile.EnsureExists(path);
        return Iterate(path, columns);
    }

    private static IEnumerable<CsvRow> Iterate(string path, IReadOnlyList<string> columns)
    {
        var fields = new List<string>();
        int[]? positions = null;
        var headerCount = 0;
        foreach (var line in DataFile.ReadLines(path))
        {
            if (positions is null)
            {
                positions = ReadHeader(path, line, columns, fields);
                headerCount = fields.Count;
                continue;
            }

            if (line.Text.Length == 0)
            {
                continue;
            }

            if (!CsvLineParser.TrySplit(line.Text, fields, out var error))
            {
                throw DataFile.FormatError(path, line.Number, error!);
            }

            if (fields.Count != headerCount)
            {
                throw DataFile.FormatError(path, line.Number, $"expected {headerCount} comma-separated fields as in the header, found {fields.Count}");
            }

            yield return new CsvRow(path, columns, positions, fields, line.Number);
        }

        if (positions is null)
        {
            throw DataFile.FormatError(path, 1, "the file is empty; expected a header line naming the columns " + string.Join(", ", columns));
        }
    }

    private static int[] ReadHeader(string path, NumberedLine line, IReadOnlyList<string> columns, List<string> fields)
    {
        if (!CsvLineParser.TrySplit(line.Text, fields, out var error))
        {
            throw DataFile.FormatError(path, line.Number, "malformed header: " + error);
        }

        var names = fields.Select(f => f.Trim()).ToList();
        var positions = new int[columns.Count];
        var missing = new List<string>();
        for (var i = 0; i < columns.Count; i++)
        {
            positions[i] = names.FindIndex(n => string.Equals(n, columns[i], StringComparison.OrdinalIgnoreCase));
            if (positions[i] < 0)
            {
                missing.Add(columns[i]);
            }
        }

        if (missing.Count > 0)
        {
            throw DataFile.FormatError(path, line.Number,
                $"expected a header with the column(s) {string.Join(", ", missing)}; the header has {string.Join(", ", names)}");
        }

        return positions;
    }
}
