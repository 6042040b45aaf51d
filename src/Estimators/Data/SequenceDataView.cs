using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExtensions.Estimators.Data;

/// <summary>One labelled sequence as a row of an <see cref="IDataView"/>.</summary>
public sealed class SequenceRow
{
    /// <summary>The class label as text (map it with <c>MapValueToKey</c> for a classifier).</summary>
    public string Label { get; set; } = string.Empty;

    /// <summary>The sequence, time-major: step t holds values [t·D, (t+1)·D) for D features per step.</summary>
    public float[] Features { get; set; } = Array.Empty<float>();
}

/// <summary>
/// Sequences as an <see cref="IDataView"/> with a <c>Label</c> (String) and a <c>Features</c> column (vector of Single,
/// time-major, D values per step), the input of <c>PersistentMemoryRnn</c> trainers with <c>StepSize = D</c>.
/// </summary>
/// <example>
/// <code>
/// var train = TimeSeriesFileReader.Read(ShippedData.JapaneseVowelsTrainPath).ToDataView(mlContext);   // 12 values per step, 7–29 steps
/// </code>
/// </example>
public static class SequenceDataView
{
    /// <summary>
    /// The series of a <c>.ts</c> file as rows: <c>Features</c> is a variable-size vector (series of unequal length keep
    /// their own length, D = <see cref="TimeSeriesHeader.Dimensions"/> values per step), or, with
    /// <paramref name="padToSteps"/>, a fixed-size vector zero-padded (or truncated) to that many steps, as
    /// non-recurrent ML.NET trainers need.
    /// </summary>
    /// <param name="dataset">The series.</param>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="padToSteps">Steps of a fixed-size output, or null to keep each series' length.</param>
    /// <returns>The rows, in file order.</returns>
    public static IDataView ToDataView(this TimeSeriesDataset dataset, MLContext mlContext, int? padToSteps = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var rows = dataset.Series.Select(series => new SequenceRow
        {
            Label = series.Label,
            Features = series.Values.SelectMany(step => step).ToArray(),
        });
        return FromRows(mlContext, rows, dataset.Header.Dimensions, padToSteps);
    }

    /// <summary>Rows of sequences with <paramref name="stepSize"/> values per step as a data view (variable size, or padded to <paramref name="padToSteps"/> steps).</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="rows">The rows (read once into a list of copies, whose <c>Features</c> arrays are the caller's unless padded; each holds whole steps of <paramref name="stepSize"/> values).</param>
    /// <param name="stepSize">D, values per step.</param>
    /// <param name="padToSteps">Steps of a fixed-size output, or null to keep each row's length.</param>
    /// <returns>The data view.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepSize"/> or <paramref name="padToSteps"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A row is null, has null <see cref="SequenceRow.Features"/>, or holds a number of values that is not a multiple of <paramref name="stepSize"/>.</exception>
    public static IDataView FromRows(MLContext mlContext, IEnumerable<SequenceRow> rows, int stepSize, int? padToSteps = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        if (padToSteps is int least)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(least, 1, nameof(padToSteps));
        }

        // The rows are read once and copied, so the view holds the rows checked here (padding replaces the copies' arrays).
        var checkedRows = new List<SequenceRow>();
        foreach (var row in rows)
        {
            if (WholeStepsProblem(row, stepSize) is { } problem)
            {
                throw new ArgumentException($"Row {checkedRows.Count} {problem}.", nameof(rows));
            }

            checkedRows.Add(new SequenceRow { Label = row.Label, Features = row.Features });
        }

        if (padToSteps is not int steps)
        {
            return mlContext.Data.LoadFromEnumerable(checkedRows);
        }

        int size = steps * stepSize;
        foreach (var row in checkedRows)
        {
            var values = new float[size];
            row.Features.AsSpan(0, Math.Min(size, row.Features.Length)).CopyTo(values);
            row.Features = values;
        }

        var schema = SchemaDefinition.Create(typeof(SequenceRow));
        schema[nameof(SequenceRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return mlContext.Data.LoadFromEnumerable(checkedRows, schema);
    }

    /// <summary>
    /// What keeps <paramref name="row"/> from being whole steps, or null: padding a partial step would shift every later
    /// value into the wrong feature, and a trainer would reject the row anyway, later and without saying which one.
    /// </summary>
    private static string? WholeStepsProblem(SequenceRow? row, int stepSize) =>
        row is null ? "is null; expected a SequenceRow"
        : row.Features is null ? string.Create(CultureInfo.InvariantCulture, $"has no Features (null); expected a sequence of whole steps of stepSize = {stepSize} values")
        : row.Features.Length % stepSize != 0 ? string.Create(CultureInfo.InvariantCulture, $"holds {row.Features.Length} values in Features, which is not a whole number of steps of stepSize = {stepSize} values")
        : null;
}
