using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Ids;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// Reads an interactions view into item sequences: one per user in time order (ties keep the view's order), split where
/// the session column changes or the inactivity gap is exceeded. Rows with a missing user or item are skipped.
/// </summary>
internal static class InteractionSequences
{
    /// <summary>One interaction; its time is <paramref name="Ticks"/> (DateTime, DateTimeOffset or integer columns, exact: a double would round ticks to multiples of 128) or <paramref name="Number"/> (Single or Double columns).</summary>
    private readonly record struct Interaction(string User, string Item, long Ticks, double Number, string? Session, long Row);

    /// <summary>Checks the interaction columns against <paramref name="schema"/>, naming the option of a bad column.</summary>
    public static void CheckSchema(DataViewSchema schema, IdEmbeddingOptions options)
    {
        IdColumn.Check(schema, options.UserColumnName, nameof(options.UserColumnName), "the interactions");
        IdColumn.Check(schema, options.ItemColumnName, nameof(options.ItemColumnName), "the interactions");
        if (options.SessionColumnName is { } session)
        {
            IdColumn.Check(schema, session, nameof(options.SessionColumnName), "the interactions");
        }

        if (options.TimestampColumnName is { } time)
        {
            var column = schema.GetColumnOrNull(time)
                ?? throw new ArgumentOutOfRangeException(nameof(options.TimestampColumnName), $"The interactions have no column '{time}' (TimestampColumnName).");
            if (!IsTime(column.Type))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(options.TimestampColumnName),
                    $"Column '{time}' (TimestampColumnName) is {column.Type}; it must be DateTime, DateTimeOffset or a number (Single, Double, Int32, Int64).");
            }

            if (options.InactivityGap is not null && column.Type is not DateTimeDataViewType and not DateTimeOffsetDataViewType)
            {
                throw new ArgumentException($"InactivityGap needs a DateTime or DateTimeOffset timestamp; column '{time}' is {column.Type}.", nameof(options.InactivityGap));
            }
        }
    }

    /// <summary>The item sequences of <paramref name="interactions"/>, users in ordinal order.</summary>
    /// <exception cref="InvalidOperationException">The view has no usable interaction.</exception>
    public static List<string[]> Read(IDataView interactions, IdEmbeddingOptions options) =>
        ReadByUser(interactions, options).Select(sequence => sequence.Items).ToList();

    /// <summary><see cref="Read"/>, each sequence with its user (a user's sessions are consecutive sequences).</summary>
    /// <exception cref="InvalidOperationException">The view has no usable interaction.</exception>
    public static List<UserSequence> ReadByUser(IDataView interactions, IdEmbeddingOptions options)
    {
        CheckSchema(interactions.Schema, options);
        var columns = new[] { options.UserColumnName, options.ItemColumnName, options.TimestampColumnName, options.SessionColumnName }
            .Where(name => name is not null)
            .Select(name => interactions.Schema[name!]);
        var rows = new List<Interaction>();
        using (var cursor = interactions.GetRowCursor(columns))
        {
            var user = IdColumn.Reader(cursor, options.UserColumnName);
            var item = IdColumn.Reader(cursor, options.ItemColumnName);
            var session = options.SessionColumnName is { } s ? IdColumn.Reader(cursor, s) : null;
            var time = options.TimestampColumnName is { } t ? TimeReader(cursor, t) : null;
            long row = 0;
            while (cursor.MoveNext())
            {
                string? u = user();
                string? i = item();
                if (u is not null && i is not null)
                {
                    var (ticks, number) = time?.Invoke() ?? default;
                    // A missing number time (NaN, as the text loader reads an empty field) has no place in the order
                    // (sorting would put it first): the row is skipped, as one without a user or an item.
                    if (!double.IsNaN(number))
                    {
                        rows.Add(new Interaction(u, i, ticks, number, session?.Invoke(), row));
                    }
                }

                row++;
            }
        }

        if (rows.Count == 0)
        {
            throw new InvalidOperationException(
                $"The interactions have no row with both a user ('{options.UserColumnName}') and an item ('{options.ItemColumnName}')" +
                (options.TimestampColumnName is { } timestamp ? $" and a time ('{timestamp}' not NaN)" : string.Empty) + ": there is nothing to train on.");
        }

        rows.Sort((a, b) =>
        {
            int byUser = string.CompareOrdinal(a.User, b.User);
            if (byUser != 0)
            {
                return byUser;
            }

            int byTime = a.Ticks != b.Ticks ? a.Ticks.CompareTo(b.Ticks) : a.Number.CompareTo(b.Number);
            return byTime != 0 ? byTime : a.Row.CompareTo(b.Row);
        });

        long gap = options.InactivityGap?.Ticks ?? long.MaxValue;
        var sequences = new List<UserSequence>();
        var current = new List<string>();
        for (int r = 0; r < rows.Count; r++)
        {
            bool split = r > 0 && (rows[r].User != rows[r - 1].User
                || (options.SessionColumnName is not null && rows[r].Session != rows[r - 1].Session)
                || rows[r].Ticks - rows[r - 1].Ticks > gap);
            if (split)
            {
                sequences.Add(new UserSequence(rows[r - 1].User, current.ToArray()));
                current.Clear();
            }

            current.Add(rows[r].Item);
        }

        sequences.Add(new UserSequence(rows[^1].User, current.ToArray()));
        return sequences;
    }

    private static bool IsTime(DataViewType type) =>
        type is DateTimeDataViewType or DateTimeOffsetDataViewType
        || type == NumberDataViewType.Single || type == NumberDataViewType.Double
        || type == NumberDataViewType.Int32 || type == NumberDataViewType.Int64;

    /// <summary>2^24: from here on a Single cannot hold every whole number.</summary>
    private const float SingleExactLimit = 16_777_216f;

    /// <summary>The time: ticks for dates and integers as the value, exactly; Single and Double values as a number.</summary>
    private static Func<(long Ticks, double Number)> TimeReader(DataViewRow row, string name)
    {
        var column = row.Schema[name];
        switch (column.Type)
        {
            case DateTimeDataViewType:
            {
                var getter = row.GetGetter<DateTime>(column);
                DateTime value = default;
                return () => { getter(ref value); return (value.Ticks, 0); };
            }

            case DateTimeOffsetDataViewType:
            {
                var getter = row.GetGetter<DateTimeOffset>(column);
                DateTimeOffset value = default;
                return () => { getter(ref value); return (value.UtcTicks, 0); };
            }

            case var t when t == NumberDataViewType.Single:
            {
                // A Single has 24 bits of mantissa: above 2^24 neighbouring whole numbers (Unix seconds, say) are no longer
                // distinct and the order would silently fall back to the view's. ML.NET's text loader reads numbers as
                // Single unless told otherwise, so this is refused rather than guessed.
                var getter = row.GetGetter<float>(column);
                float value = 0;
                return () =>
                {
                    getter(ref value);
                    // NaN (a missing value from the text loader) passes, as it does for Double.
                    return float.IsNaN(value) || Math.Abs(value) < SingleExactLimit ? (0, value) : throw new InvalidOperationException(
                        $"Column '{name}' (TimestampColumnName) is Single and holds {value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}: " +
                        $"a Single cannot tell apart times 1 apart beyond {SingleExactLimit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}, so the order would be lost. Load the column as Double, Int64 or DateTime (e.g. DataKind.Int64 in the text loader).");
                };
            }

            case var t when t == NumberDataViewType.Double:
            {
                var getter = row.GetGetter<double>(column);
                double value = 0;
                return () => { getter(ref value); return (0, value); };
            }

            case var t when t == NumberDataViewType.Int32:
            {
                var getter = row.GetGetter<int>(column);
                int value = 0;
                return () => { getter(ref value); return (value, 0); };
            }

            default:
            {
                var getter = row.GetGetter<long>(column);
                long value = 0;
                return () => { getter(ref value); return (value, 0); };
            }
        }
    }
}

/// <summary>One sequence of a user's items, in time order.</summary>
/// <param name="User">The user (or session) ID.</param>
/// <param name="Items">The item IDs.</param>
internal readonly record struct UserSequence(string User, string[] Items);
