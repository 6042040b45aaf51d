using System.Globalization;

namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// Reads labelled multivariate time series in the sktime <c>.ts</c> text format, such as the shipped UCI Japanese
/// Vowels files.
/// </summary>
/// <remarks>
/// <para>
/// Layout: lines starting with <c>#</c> are comments and blank lines are ignored anywhere. The header is a series of
/// <c>@</c> lines — <c>@problemName name</c>, <c>@timeStamps</c>, <c>@missing</c>, <c>@univariate</c>,
/// <c>@equalLength</c> (each <c>true</c> or <c>false</c>), <c>@dimensions n</c> (or <c>@dimension n</c>),
/// <c>@seriesLength n</c>, <c>@classLabel true label1 label2 …</c> — ended by <c>@data</c>. Then each line is one
/// series: its dimensions separated by <c>:</c>, each a list of values separated by <c>,</c>, and the class label last.
/// </para>
/// <para>
/// Supported: classification files (<c>@classLabel true</c>) without time stamps, where all dimensions of a series
/// have the same length (lengths may differ between series unless <c>@equalLength true</c>). Anything else, and any
/// deviation of a series from the header — a wrong number of dimensions, dimensions of unequal length, a value that
/// is not a number, a label that was not declared — is an <see cref="InvalidDataException"/> naming the file, the
/// line and what was expected. Header keywords are case-insensitive.
/// </para>
/// </remarks>
public static class TimeSeriesFileReader
{
    /// <summary>Reads a <c>.ts</c> file (plain or gzip).</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed or uses an unsupported feature.</exception>
    public static TimeSeriesDataset Read(string path)
    {
        var header = new HeaderBuilder(path);
        var series = new List<TimeSeriesRecord>();
        TimeSeriesHeader? parsedHeader = null;
        var lastLine = 0;
        foreach (var line in DataFile.ReadLines(path))
        {
            lastLine = line.Number;
            var text = line.Text.Trim();
            if (text.Length == 0 || text[0] == '#')
            {
                continue;
            }

            if (parsedHeader is null)
            {
                if (text[0] != '@')
                {
                    throw DataFile.FormatError(path, line.Number, "expected a header line starting with '@' (the series start only after '@data')");
                }

                if (header.Apply(text, line.Number))
                {
                    parsedHeader = header.Build(line.Number);
                }

                continue;
            }

            if (text[0] == '@')
            {
                throw DataFile.FormatError(path, line.Number, $"expected a series, found the header line '{FirstWord(text)}' after '@data'");
            }

            var record = ParseSeries(path, line.Number, text, ref parsedHeader);
            if (parsedHeader.EqualLength && series.Count > 0 && record.Length != series[0].Length)
            {
                throw DataFile.FormatError(path, line.Number,
                    $"expected {series[0].Length} time steps like the first series (the header declares '@equalLength true'), found {record.Length}");
            }

            series.Add(record);
        }

        if (parsedHeader is null)
        {
            throw DataFile.FormatError(path, lastLine, "expected an '@data' line before the series, but the file ended without one");
        }

        return new TimeSeriesDataset(parsedHeader, series);
    }

    private static TimeSeriesRecord ParseSeries(string path, int lineNumber, string text, ref TimeSeriesHeader header)
    {
        var parts = text.Split(':');
        if (header.Dimensions == 0)
        {
            // No @dimensions and not univariate: the first series decides, and it must hold at least one.
            if (parts.Length < 2)
            {
                throw DataFile.FormatError(path, lineNumber,
                    $"expected at least 1 dimension and a class label separated by ':' (the header has no '@dimensions', so the first series sets the count), found only '{text}'");
            }

            header = header with { Dimensions = parts.Length - 1 };
        }

        if (parts.Length != header.Dimensions + 1)
        {
            throw DataFile.FormatError(path, lineNumber,
                $"expected {header.Dimensions} dimension(s) and a class label separated by ':', found {parts.Length} field(s) ({parts.Length - 1} dimension(s) before the label)");
        }

        var label = parts[^1].Trim();
        var labelIndex = IndexOf(header.ClassLabels, label);
        if (labelIndex < 0)
        {
            throw DataFile.FormatError(path, lineNumber,
                $"expected a class label among the declared {string.Join(" ", header.ClassLabels)}, found '{label}'");
        }

        var dimensions = new float[header.Dimensions][];
        for (var d = 0; d < dimensions.Length; d++)
        {
            dimensions[d] = ParseValues(path, lineNumber, parts[d], d, header);
            if (d > 0 && dimensions[d].Length != dimensions[0].Length)
            {
                throw DataFile.FormatError(path, lineNumber,
                    $"expected every dimension of a series to have the same length, but dimension 1 has {dimensions[0].Length} values and dimension {d + 1} has {dimensions[d].Length}");
            }
        }

        var length = dimensions[0].Length;
        if (header.SeriesLength is { } declared && length != declared)
        {
            throw DataFile.FormatError(path, lineNumber, $"expected {declared} time steps (the header declares '@seriesLength {declared}'), found {length}");
        }

        var values = new float[length][];
        for (var t = 0; t < length; t++)
        {
            values[t] = new float[dimensions.Length];
            for (var d = 0; d < dimensions.Length; d++)
            {
                values[t][d] = dimensions[d][t];
            }
        }

        return new TimeSeriesRecord(values, label, labelIndex);
    }

    private static float[] ParseValues(string path, int lineNumber, string dimension, int index, TimeSeriesHeader header)
    {
        if (dimension.Trim().Length == 0)
        {
            throw DataFile.FormatError(path, lineNumber, $"expected comma-separated values in dimension {index + 1}, found nothing");
        }

        var items = dimension.Split(',');
        var values = new float[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i].Trim();
            if (header.Missing && (item == "?" || item.Equals("NaN", StringComparison.OrdinalIgnoreCase)))
            {
                values[i] = float.NaN;
            }
            else if (!float.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
            {
                throw DataFile.FormatError(path, lineNumber,
                    $"expected a number as value {i + 1} of dimension {index + 1}, found '{item}'" +
                    (item == "?" ? " (missing values need '@missing true')" : string.Empty));
            }
        }

        return values;
    }

    private static int IndexOf(IReadOnlyList<string> labels, string label)
    {
        for (var i = 0; i < labels.Count; i++)
        {
            if (string.Equals(labels[i], label, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static string FirstWord(string text)
    {
        var space = text.IndexOfAny([' ', '\t']);
        return space < 0 ? text : text[..space];
    }

    /// <summary>Collects the header lines and checks them.</summary>
    private sealed class HeaderBuilder(string path)
    {
        private string _problemName = string.Empty;
        private bool _timeStamps;
        private bool _missing;
        private bool? _univariate;
        private int? _dimensions;
        private bool _equalLength;
        private int? _seriesLength;
        private IReadOnlyList<string>? _classLabels;

        /// <summary>Applies one header line; returns true when it is <c>@data</c>.</summary>
        public bool Apply(string text, int lineNumber)
        {
            var words = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var keyword = words[0].ToLowerInvariant();
            var arguments = words.AsSpan(1);
            switch (keyword)
            {
                case "@data":
                    return true;
                case "@problemname":
                    _problemName = text[words[0].Length..].Trim();
                    break;
                case "@timestamps":
                    _timeStamps = Flag(words, lineNumber);
                    if (_timeStamps)
                    {
                        throw DataFile.FormatError(path, lineNumber, "expected '@timeStamps false': series with time stamps are not supported");
                    }

                    break;
                case "@missing":
                    _missing = Flag(words, lineNumber);
                    break;
                case "@univariate":
                    _univariate = Flag(words, lineNumber);
                    break;
                case "@equallength":
                    _equalLength = Flag(words, lineNumber);
                    break;
                case "@dimension":
                case "@dimensions":
                    _dimensions = PositiveInteger(words, lineNumber);
                    break;
                case "@serieslength":
                    _seriesLength = PositiveInteger(words, lineNumber);
                    break;
                case "@classlabel":
                    if (!Flag(words[..Math.Min(2, words.Length)], lineNumber))
                    {
                        throw DataFile.FormatError(path, lineNumber, "expected '@classLabel true' followed by the labels: files without class labels are not supported");
                    }

                    if (arguments.Length < 2)
                    {
                        throw DataFile.FormatError(path, lineNumber, "expected the class labels after '@classLabel true', found none");
                    }

                    var labels = arguments[1..].ToArray();
                    var duplicate = labels.GroupBy(l => l, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
                    if (duplicate is not null)
                    {
                        throw DataFile.FormatError(path, lineNumber, $"expected distinct class labels, found '{duplicate.Key}' more than once");
                    }

                    _classLabels = labels;
                    break;
                default:
                    throw DataFile.FormatError(path, lineNumber,
                        $"expected one of the header keywords @problemName, @timeStamps, @missing, @univariate, @dimensions, @equalLength, @seriesLength, @classLabel, @data; found '{words[0]}'");
            }

            return false;
        }

        /// <summary>Checks the collected header when <c>@data</c> is reached.</summary>
        public TimeSeriesHeader Build(int dataLine)
        {
            if (_classLabels is null)
            {
                throw DataFile.FormatError(path, dataLine, "expected a '@classLabel true …' header line before '@data'");
            }

            var univariate = _univariate ?? _dimensions == 1;
            if (univariate && _dimensions is not (null or 1))
            {
                throw DataFile.FormatError(path, dataLine, $"expected 1 dimension for a univariate file ('@univariate true'), but the header declares {_dimensions}");
            }

            var dimensions = _dimensions ?? (univariate ? 1 : 0);
            return new TimeSeriesHeader(_problemName, _timeStamps, _missing, univariate, dimensions, _equalLength, _seriesLength, _classLabels);
        }

        private bool Flag(string[] words, int lineNumber)
        {
            if (words.Length == 2)
            {
                if (words[1].Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }

                if (words[1].Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }

            throw DataFile.FormatError(path, lineNumber, $"expected '{words[0]} true' or '{words[0]} false', found '{string.Join(' ', words)}'");
        }

        private int PositiveInteger(string[] words, int lineNumber) =>
            words.Length == 2 && int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : throw DataFile.FormatError(path, lineNumber, $"expected '{words[0]}' followed by a positive integer, found '{string.Join(' ', words)}'");
    }
}
